#pragma once
// One scenario, start to finish, in this process: load (bad input: located
// errors, exit 2, nothing written), build the arrivals, run the engine, judge
// the expectations, write report.json / report.md, print a summary.
// Every command that simulates (run, compare, sweep, chaos, capacity) calls
// this, in a child process when it runs more than one simulation.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/loader.h"

namespace sim::cli {

struct RunRequest {
  std::string scenario_path;
  std::string topology_override;               ///< compare --topology
  std::vector<scenario::Override> overrides;   ///< --set
  std::optional<std::uint64_t> seed;           ///< --seed
  std::string out_dir;                         ///< "" = reports/<scenario name>
  bool progress = false;                       ///< draw a progress line on stderr
  bool summary = true;                         ///< print the summary on stdout
  bool stats = false;                          ///< print engine statistics (activities, actors, RSS)
  double max_wall = 0;
  std::uint64_t max_events = 0;
  std::vector<scenario::Fault> extra_faults;   ///< added to the scenario's own (chaos matrix)
  std::string name_suffix;                     ///< appended to the scenario name in reports
  std::string openmetrics;                     ///< --openmetrics FILE: the time series as OpenMetrics ("" = none)
  double start = 1704067200;                   ///< --start: the run's t = 0, seconds since the epoch (2024-01-01)
};

/// Loads the scenario and everything it references (traces included) without
/// simulating; errors go to diags. The CLI calls it for every input first, so
/// that bad input stops everything before anything runs or is written.
std::optional<scenario::Loaded> load_checked(const RunRequest& req, core::Diagnostics& diags);

/// The directory the reports of `req` go to.
std::string report_dir(const RunRequest& req, const scenario::Scenario& s);

/// Runs `req` in this process. Returns the exit status (0 all expectations met,
/// 1 one failed or a limit stopped the run, 2 bad input, 3 internal error).
/// REQUIRES: no simulation ran in this process before.
int run_one(const RunRequest& req);

}  // namespace sim::cli
