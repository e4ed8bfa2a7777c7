#pragma once
// Helpers shared by the tests: where things are, and running the CLI in a
// child process (SimGrid allows one simulation per process).

#include <string>
#include <vector>

namespace sim::testing {

/// The repository root (tests run with it as working directory).
std::string repo_root();
/// ../shared beside the repository (traces, seeds); may not exist.
std::string shared_dir();
/// The infrasim executable built with the tests.
std::string infrasim_binary();

struct RunOutput {
  int exit_code = -1;  ///< -1 when killed by a signal (then `signal` is set)
  int signal = 0;
  std::string out, err;
};

/// Runs `infrasim args...` with the repo root as working directory; captures both streams.
RunOutput run_infrasim(const std::vector<std::string>& args);

/// Starts `infrasim args...` in its own process group without waiting for it (stdout and
/// stderr to `dir`/stdout and `dir`/stderr); returns its pid.
int start_infrasim(const std::vector<std::string>& args, const std::string& dir);
/// Kills the process group start_infrasim made (the command and its children) and reaps the command.
void kill_infrasim(int pid);

/// A fresh empty directory under the build tree, removed by the caller if wanted.
std::string temp_dir(const std::string& name);

/// Writes `text` to `path` (creating folders).
void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

}  // namespace sim::testing
