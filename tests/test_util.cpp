#include "tests/test_util.h"

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace sim::testing {

namespace fs = std::filesystem;

std::string repo_root() { return INFRASIM_SOURCE_DIR; }

std::string shared_dir() { return (fs::path(INFRASIM_SOURCE_DIR).parent_path() / "shared").string(); }

std::string infrasim_binary() { return INFRASIM_BINARY; }

RunOutput run_infrasim(const std::vector<std::string>& args) {
  // stdout and stderr go to temporary files: reading two pipes in sequence could deadlock.
  std::string dir = temp_dir("run");
  std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    FILE* o = std::freopen(out_path.c_str(), "w", stdout);
    FILE* e = std::freopen(err_path.c_str(), "w", stderr);
    if (!o || !e) _exit(127);
    if (chdir(INFRASIM_SOURCE_DIR) != 0) _exit(127);
    std::vector<char*> argv;
    std::string bin = infrasim_binary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  RunOutput r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  fs::remove_all(dir);
  return r;
}

int start_infrasim(const std::vector<std::string>& args, const std::string& dir) {
  std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);  // its own group: kill_infrasim ends the command and every child it forked
    FILE* o = std::freopen(out_path.c_str(), "w", stdout);
    FILE* e = std::freopen(err_path.c_str(), "w", stderr);
    if (!o || !e || chdir(INFRASIM_SOURCE_DIR) != 0) _exit(127);
    std::vector<char*> argv;
    std::string bin = infrasim_binary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also from here: whichever runs first
  return pid;
}

void kill_infrasim(int pid) {
  kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

std::string temp_dir(const std::string& name) {
  static int counter = 0;
  fs::path base = fs::temp_directory_path() / ("infrasim-tests-" + std::to_string(getpid()));
  fs::path p = base / (name + "-" + std::to_string(counter++));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace sim::testing
