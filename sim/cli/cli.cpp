#include "sim/cli/cli.h"

#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <iostream>

#include "sim/core/diagnostics.h"
#include "sim/core/exit_status.h"
#include "sim/core/log.h"
#include "sim/core/source.h"

namespace sim::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"validate", "check topology and scenario files; print paths, single points of failure and lint findings",
       add_validate},
      {"run", "simulate scenarios, judge their expectations, write report.json, report.md and report.html", add_run},
      {"compare", "one scenario on several designs (topologies or variants), side by side", add_compare},
      {"sweep", "run a scenario over a grid of parameter values x seeds; write a results table", add_sweep},
      {"merge", "combine the outputs of sweep jobs run elsewhere (GNU parallel, Slurm) into one results table", add_merge},
      {"chaos", "break a scenario once per component, instance, zone and region; print the failure matrix", add_chaos},
      {"autoscale", "evaluate one Kubernetes HPA decision from a written-down state and explain it", add_autoscale},
      {"capacity", "project growth against a capacity plan; size each tier by simulation; report the gaps", add_capacity},
      {"import", "turn nginx, Kubernetes and docker-compose files into a topology, listing what was mapped and ignored",
       add_import},
  };
  return kCommands;
}

int main(int argc, char** argv) {
  CLI::App app{
      "infrasim: a local infrastructure simulator and chaos testbed.\n"
      "It models a documented topology on SimGrid, replays load and faults, and checks\n"
      "latency/error SLOs, RTO/RPO, scaling rules and capacity against their targets.\n\n"
      "Exit codes: 0 ok, 1 an expectation failed or validate found issues, 2 bad input, 3 internal error."};
  app.name("infrasim");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("infrasim ") + INFRASIM_VERSION);
  GlobalOptions global;
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off (logs go to stderr)")
      ->capture_default_str();
  app.add_flag("-q,--quiet", global.quiet, "no progress output");

  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (const Command& c : commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    sub->fallthrough();  // global options may also follow the command: `infrasim run x.yaml -q`
    runners.emplace_back(sub, c.add(*sub, global));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Unknown subcommand: suggest the closest one, like git does.
    if (argc > 1 && argv[1][0] != '-') {
      std::vector<std::string> names;
      for (const Command& c : commands()) names.emplace_back(c.name);
      bool known = std::find(names.begin(), names.end(), argv[1]) != names.end();
      if (!known) {
        std::fprintf(stderr, "infrasim: %s\nRun 'infrasim --help' for what each command does.\n",
                     core::unknown_name({.noun = "command", .name = argv[1]}, names).c_str());
        return core::kBadInput;
      }
    }
    std::fprintf(stderr, "infrasim: %s\nRun 'infrasim %s--help' for usage.\n", e.what(),
                 app.get_subcommands().empty() ? "" : (app.get_subcommands().front()->get_name() + " ").c_str());
    return core::kBadInput;
  }
  if (!core::set_log_level(global.log_level)) {
    std::fprintf(stderr, "infrasim: unknown log level '%s'; expected trace, debug, info, warn, error or off\n",
                 global.log_level.c_str());
    return core::kBadInput;
  }
  for (auto& [sub, run] : runners) {
    if (sub->parsed()) {
      try {
        return run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "internal error: %s\n", e.what());
        return core::kInternal;
      }
    }
  }
  return core::kBadInput;
}

}  // namespace sim::cli
