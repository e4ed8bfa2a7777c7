#pragma once
// The single-failure matrix (infrasim chaos): one row per failure, its
// measured RTO and RPO and which expectation it breaks, from each run's
// report. chaos.json, chaos.md, chaos.html and the console table are rendered
// from the same typed matrix. Pure.

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
  std::vector<std::string> breaks;       ///< the metrics it fails
};

struct ChaosMatrix {
  std::string scenario;
  double at = 0, length = 0;             ///< each failure's start and length (0: until the end)
  std::vector<std::string> metrics;      ///< one column per expectation: "latency_p99", "error_rate:api"
  std::vector<ChaosRow> rows;
  /// A failure broke an expectation, or a run left no report.
  bool broken() const;
};

/// The matrix. `metrics` names the scenario's expectations in its order (a
/// report's expectations come in the same order).
ChaosMatrix chaos_matrix(const std::string& scenario, double at, double length, const std::vector<std::string>& metrics,
                         const std::vector<ChaosCase>& cases);

/// chaos.json: scenario, failure_at, failure_for, matrix.
Json chaos_json(const ChaosMatrix& m);
/// chaos.md: the matrix as a Markdown table.
std::string chaos_markdown(const ChaosMatrix& m);
/// The console table; `out` is where the runs' reports are (for failed runs' hints).
std::string chaos_console(const ChaosMatrix& m, const std::string& out);
/// chaos.html: the matrix, each failure linked to its own report; `diagram` is the topology's SVG.
std::string chaos_html(const ChaosMatrix& m, const std::string& diagram);

}  // namespace sim::report
