#pragma once
// One scenario, start to finish, in this process: load (bad input: located
// errors, exit 2, nothing written), check the output directory (unwritable:
// exit 2, nothing run), build the arrivals, run the engine, assess the run
// once (check::assess), write report.md, report.html and — last, so that its
// presence means a complete run — report.json, each atomically, and print a
// summary. Every command that simulates calls this, in a child process when
// it runs more than one simulation (runs/batch.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/loader.h"

namespace sim::runs {

/// One simulation to make.
struct RunRequest {
  std::string scenario_path;
  std::string topology_override;               ///< compare --topology
  std::vector<scenario::Override> overrides;   ///< --set, --variant, sweep points, capacity counts
  std::optional<std::uint64_t> seed;           ///< --seed, Monte Carlo and sweep seeds
  std::string out_dir;                         ///< "" = reports/<scenario name>
  bool progress = false;                       ///< draw the simulated-time progress line on stderr
  bool summary = true;                         ///< print the summary on stdout
  bool stats = false;                          ///< print engine statistics (activities, actors, RSS)
  double max_wall = 0;
  std::uint64_t max_events = 0;
  std::string cpu_model = "kernel";            ///< --cpu-model kernel | simgrid (verification)
  std::string wake = "batched";                ///< --wake batched | per-event (debug)
  std::vector<scenario::Fault> extra_faults;   ///< added to the scenario's own (chaos matrix)
  std::string name_suffix;                     ///< appended to the scenario name in reports
  std::string openmetrics;                     ///< --openmetrics FILE: the time series as OpenMetrics ("" = none)
  double start = 1704067200;                   ///< --start: the run's t = 0, seconds since the epoch (2024-01-01)
};

/// Loads the scenario and everything it references (traces included) without
/// simulating; errors go to diags. Commands call it for every request first, so
/// that bad input stops everything before anything runs or is written.
std::optional<scenario::Loaded> load_checked(const RunRequest& req, core::Diagnostics& diags);

/// load_checked for every request, every error reported: the loaded scenarios in
/// the requests' order, or nullopt after printing the sorted errors on stderr.
std::optional<std::vector<scenario::Loaded>> load_all(const std::vector<RunRequest>& reqs);

/// The directory the reports of `req` go to.
std::string report_dir(const RunRequest& req, const scenario::Scenario& s);

/// Runs `req` in this process. Returns the exit status: 0 every expectation met;
/// 1 one failed, or a limit (--max-wall, --max-events) stopped the run (no report);
/// 2 bad input or an unwritable output directory (nothing run), or a load the
/// model cannot carry (stopped, no report); 3 an internal error, or reports that
/// could not be written after the run.
/// REQUIRES: no simulation ran in this process before.
///
/// Test seam (never set in normal use): INFRASIM_TEST_RUN_HOOK=<text>:<crash|kill|hang>
/// makes every run whose output directory contains <text> fail before simulating —
/// exit 3 with "internal error: injected crash", SIGKILL, or wait forever — so that
/// tests of the commands can crash, kill or interrupt chosen runs of a batch.
int run_one(const RunRequest& req);

}  // namespace sim::runs
