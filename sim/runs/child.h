#pragma once
// Runs work in child processes: SimGrid allows one simulation per process, and
// children use every core. fork() without exec: the parent never initialises
// SimGrid, so each child starts clean.

#include <functional>
#include <string>
#include <vector>

namespace sim::runs {

/// Result of one child: its exit code (128 + signal when killed).
struct ChildResult {
  int exit_code = 0;
  int signal = 0;
};

/// Runs `jobs` in at most `parallel` children at once (0 = number of cores);
/// `on_done(i, result)` is called in the parent as each finishes, in completion order.
std::vector<ChildResult> run_children(const std::vector<std::function<int()>>& jobs, int parallel,
                                      const std::function<void(std::size_t, const ChildResult&)>& on_done = {});

/// Cores available to this process.
int available_cores();

/// True when stderr is a terminal (progress bars are drawn only then).
bool stderr_is_tty();

}  // namespace sim::runs
