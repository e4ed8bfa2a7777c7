#pragma once
// The one batch driver: every command that simulates more than once (run with
// several scenarios or --runs, compare, sweep, chaos, capacity) hands it its
// run requests and gets one outcome per run, classified the same way:
//
//   child exit  report.json        outcome     the command's exit status
//   0           read back          kPassed     its own rule (0 / 1)
//   1           read back          kFailed     its own rule (an expectation failed)
//   1           none               kStopped    a limit (--max-wall, --max-events) stopped it
//   2           -                  kRejected   the run refused its load (the model explodes)
//   other       -                  kCrashed    3, in every command (also: a signal, or exit 0/1
//                                              without a readable report)
//
// The shared phases happen once, here: a child per run (at most `parallel`
// at once), one progress line, reading each report back, and the ledger of
// complete runs that `--resume` reuses (see Batch::ledger_dir). What a
// command adds is its options, its requests and its aggregator.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/run_report.h"
#include "sim/runs/run_one.h"

namespace sim::runs {

enum class RunStatus { kPassed, kFailed, kStopped, kRejected, kCrashed };

/// How one run ended.
struct RunOutcome {
  RunStatus status = RunStatus::kCrashed;
  int exit_code = 0;
  int signal = 0;
  bool reused = false;                      ///< --resume: a complete run of an earlier invocation
  std::optional<report::RunReport> report;  ///< kPassed and kFailed only
  std::string error;                        ///< otherwise why: "exit status 3", "killed by signal 9", ...
  /// It left a report (passed or failed its expectations).
  bool complete() const { return status == RunStatus::kPassed || status == RunStatus::kFailed; }
};

/// The classification above, for a child's exit status and the report it left (if readable).
RunOutcome classify(int exit_code, int signal, std::optional<report::RunReport> report, const std::string& read_error);

/// "crashed (exit status 3)", "stopped by a limit", ...: what happened to a run without a report.
std::string describe(const RunOutcome& o);

struct Batch {
  std::string label;              ///< the progress line's: "sweep tiny", "compare"
  std::vector<RunRequest> runs;   ///< each with its out_dir
  int parallel = 0;               ///< children at once; 0: every core
  bool progress = false;          ///< draw the progress line (only on a terminal)
  /// Resumable batches (sweep, chaos, Monte Carlo, capacity) keep a ledger of
  /// their complete runs in this directory (".infrasim-runs": the run's
  /// directory, a key of its request and input files, its exit status). "" = none.
  std::string ledger_dir;
  /// Reuse every run the ledger lists as complete with the same key whose report
  /// is still there; run only the rest.
  bool resume = false;
  /// What a child runs: run_one unless set (tests give a fake that writes reports without simulating).
  std::function<int(const RunRequest&)> runner;
};

/// Runs the batch; outcomes in the order of `batch.runs`. Prints "resume: N of M
/// runs reused" on stderr when it reused any.
std::vector<RunOutcome> run_batch(const Batch& batch);

/// The exit status of a command whose own verdict is `verdict` (0 or 1): kInternal (3)
/// when any run crashed, whatever the command; else `verdict`.
int command_status(const std::vector<RunOutcome>& outcomes, int verdict);

/// What decides whether a run can be reused: the request (scenario, topology override,
/// overrides, seed, extra faults, name suffix, event limit) and the content of the files it
/// reads (scenario, topology; a trace's size and modification time), as a hex digest.
/// "" when the scenario does not load (never reused).
std::string request_key(const RunRequest& req);

}  // namespace sim::runs
