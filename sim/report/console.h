#pragma once
// What a run prints on stdout, rendered from its report (the values report.json
// holds): totals, one line per check with its reason when it failed, recovery
// and resilience lines, the outcome against a declared expected failure; and the
// tally line that ends every command's output.

#include <string>
#include <vector>

#include "sim/report/run_report.h"

namespace sim::report {

/// The lines after the run's header: requests, throughput and latency, each
/// expectation ("expected rto <= 15m, actual 11m: FAIL" + "    why: ..."), each
/// fault's recovery, each resilience target, the outcome when the scenario declares
/// an expected failure, and where the reports are (`dir`).
std::string run_console(const RunReport& report, const std::string& dir);

/// How a run ended, for people: "PASS", "FAIL", "FAILED AS DECLARED", "UNEXPECTED PASS",
/// "FAILED OTHERWISE".
std::string outcome_word(const std::string& outcome);

/// Counts of runs by how they ended, for the final tally line.
struct Tally {
  std::size_t passed = 0, failed = 0, expected_failures = 0, unexpected = 0, errors = 0;
  void add(const std::string& outcome);  ///< a run with a report
  void add_error() { ++errors; }         ///< a run without a report
  std::size_t total() const { return passed + failed + expected_failures + unexpected + errors; }
};

/// "infrasim run: 14 scenarios: 11 passed, 3 failed as declared, 0 failed, 0 errors; exit 0 (52.3s)".
/// `what` is the command and its unit ("run", "scenario").
std::string tally_line(const std::string& command, const std::string& unit, const Tally& t, int exit_code,
                       double wall_seconds);

}  // namespace sim::report
