#pragma once
// The command line: one CLI11 subcommand per file in sim/cli/ (validate.cpp,
// run.cpp, ...). Each registers its options and returns an exit status from
// core/exit_status.h. Results go to stdout and report files; logs to stderr.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace sim::cli {

/// Options shared by every command.
struct GlobalOptions {
  std::string log_level = "warn";
  bool quiet = false;
};

/// A subcommand: registers itself on `app`, then `run` is called if it was chosen.
struct Command {
  const char* name;
  const char* summary;
  std::function<std::function<int()>(CLI::App&, const GlobalOptions&)> add;
};

/// The table of commands, in help order.
const std::vector<Command>& commands();

/// Entry point of the executable.
int main(int argc, char** argv);

// One registration function per command (defined in <name>.cpp).
std::function<int()> add_validate(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_run(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_compare(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_sweep(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_merge(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_chaos(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_autoscale(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_capacity(CLI::App& app, const GlobalOptions& global);
std::function<int()> add_import(CLI::App& app, const GlobalOptions& global);

}  // namespace sim::cli
