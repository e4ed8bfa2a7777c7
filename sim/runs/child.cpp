#include "sim/runs/child.h"

#include <cstdio>
#include <map>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sim::runs {

int available_cores() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

bool stderr_is_tty() { return isatty(fileno(stderr)) != 0; }

std::vector<ChildResult> run_children(const std::vector<std::function<int()>>& jobs, int parallel,
                                      const std::function<void(std::size_t, const ChildResult&)>& on_done) {
  if (parallel <= 0) parallel = available_cores();
  std::vector<ChildResult> results(jobs.size());
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0;
  std::fflush(stdout);
  std::fflush(stderr);
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && static_cast<int>(running.size()) < parallel) {
      pid_t pid = fork();
      if (pid == 0) {
        int code = 3;
        try {
          code = jobs[next]();
        } catch (...) {
          code = 3;
        }
        std::fflush(stdout);
        std::fflush(stderr);
        _exit(code);  // no static destructors: SimGrid's teardown is not needed in a child
      }
      if (pid < 0) {
        results[next] = {3, 0};
        if (on_done) on_done(next, results[next]);
        ++next;
        continue;
      }
      running[pid] = next++;
    }
    int status = 0;
    pid_t pid = wait(&status);
    if (pid < 0) break;
    auto it = running.find(pid);
    if (it == running.end()) continue;
    ChildResult r;
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
      r.signal = WTERMSIG(status);
      r.exit_code = 128 + r.signal;
    }
    results[it->second] = r;
    if (on_done) on_done(it->second, r);
    running.erase(it);
  }
  return results;
}

}  // namespace sim::runs
