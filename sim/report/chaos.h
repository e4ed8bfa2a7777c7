#pragma once
// The single-failure matrix (infrasim chaos): one row per failure, its
// measured RTO and RPO, which expectation it breaks and, per disruption class
// with resilience targets, whether the failure met or breached them (or did not
// exercise the class), from each run's report; then one verdict per disruption
// class over all failures: breached when a failure of that class breached its
// targets, met when every failure of it met them, "not exercised" when no
// failure belonged to it. chaos.json, chaos.md, chaos.html and the console table
// are rendered from the same typed matrix. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/json.h"
#include "sim/report/run_report.h"

namespace sim::report {

/// One failure of the matrix, as it ran.
struct ChaosCase {
  std::string name;    ///< its report directory, relative to the matrix's ("app-1", "zone-fra1-a")
  std::string label;   ///< the fault as the timeline names it ("crash app[1]")
  std::optional<RunReport> report;  ///< none when the run wrote no report
  std::string error;   ///< why there is none ("killed by signal 9")
};

struct ChaosRow {
  std::string name, label;
  bool ran = false;                      ///< it left a report
  std::string error;                     ///< otherwise why not
  bool recovered_row = false;            ///< its report has a recovery row for the failure
  std::optional<double> rto;             ///< nullopt: never recovered
  double rpo = 0;
  std::uint64_t writes_lost = 0;
  std::optional<double> predicted_rto;
  std::string prediction;
  std::vector<std::optional<ExpectationRow>> verdicts;  ///< parallel to ChaosMatrix::metrics
  std::vector<std::optional<ResilienceRow>> targets;    ///< parallel to ChaosMatrix::targets
  std::vector<std::string> breaks;       ///< the checks it fails: metrics, then "resilience.<class>"
};

/// A disruption class's targets over the whole matrix.
struct ChaosTarget {
  std::string disruption;                ///< instance, zone, region, data
  std::string expected;                  ///< "RTO <= 15m, RPO <= 5m"
  std::vector<std::string> exercised_by; ///< the failures of this class (labels)
  std::vector<std::string> breached_by;  ///< those that breached its targets
  /// "breached", "met" or "not exercised".
  std::string verdict() const { return exercised_by.empty() ? "not exercised" : breached_by.empty() ? "met" : "breached"; }
};

struct ChaosMatrix {
  std::string scenario;
  double at = 0, length = 0;             ///< each failure's start and length (0: until the end)
  std::vector<std::string> metrics;      ///< one column per expectation: "latency_p99", "error_rate:api"
  std::vector<ChaosRow> rows;
  std::vector<ChaosTarget> targets;      ///< one per disruption class with targets, in the scenario's order
  /// A failure broke an expectation or breached a resilience target, or a run left no report.
  bool broken() const;
};

/// The matrix. `metrics` names the scenario's expectations in its order (a
/// report's expectations come in the same order); `targets` the disruption
/// classes of its resilience targets (matched by name in each report).
ChaosMatrix chaos_matrix(const std::string& scenario, double at, double length, const std::vector<std::string>& metrics,
                         const std::vector<std::string>& targets, const std::vector<ChaosCase>& cases);

/// chaos.json: scenario, failure_at, failure_for, matrix, targets.
Json chaos_json(const ChaosMatrix& m);
/// chaos.md: the matrix as a Markdown table.
std::string chaos_markdown(const ChaosMatrix& m);
/// The console table; `out` is where the runs' reports are (for failed runs' hints).
std::string chaos_console(const ChaosMatrix& m, const std::string& out);
/// chaos.html: the matrix, each failure linked to its own report; `diagram` is the topology's SVG.
std::string chaos_html(const ChaosMatrix& m, const std::string& diagram);

}  // namespace sim::report
