#pragma once
// What `infrasim advise` concludes: each remedy's run judged against the checks
// the baseline breached, its cost measured against the baseline, and a ranking.
// advice.json, advice.md, advice.html and the console table are rendered from
// one typed Advice. Pure.
//
// Ranking: remedies that meet every breached check and break no other check
// first; then by how many breached checks they meet; then by cost: instances
// added, then the change of latency p99, then of the writes' p99 (the write
// request classes' worst p99), then by name. Remedies not available in this
// version are listed after the ranked ones, never run.

#include <optional>
#include <string>
#include <vector>

#include "sim/advise/remedies.h"
#include "sim/report/json.h"
#include "sim/report/run_report.h"

namespace sim::advise {

/// One remedy as it ran.
struct Trial {
  Remedy remedy;
  std::vector<std::string> overrides;  ///< the form applied ("" when none loaded)
  std::string dir;                     ///< its report directory, relative to the advice's
  std::optional<report::RunReport> report;
  std::string error;                   ///< why there is no report (or why no form applied)
};

/// A ranked remedy.
struct Row {
  Trial trial;
  int rank = 0;                          ///< 1 = best; 0 = not ranked (not run, or no report)
  bool meets_all = false;                ///< every breached check passes, no other check fails
  std::vector<std::string> met;          ///< breached checks it meets
  std::vector<std::string> still;        ///< breached checks still failing
  std::vector<std::string> broken;       ///< checks that passed in the baseline and fail with it
  int instances = 0, instances_delta = 0;  ///< instances at start, and against the baseline
  std::optional<double> p99, p99_delta;    ///< latency p99 (all traffic), and against the baseline
  std::optional<double> writes_p99, writes_p99_delta;  ///< the write classes' worst p99
  std::string verdicts;                  ///< "rto 1m3s (was 1m52s), rpo 0s (was 517ms)"
};

struct Advice {
  std::string scenario;
  std::vector<std::string> breached;     ///< the baseline's failing checks
  std::string baseline_dir;
  std::optional<report::RunReport> baseline;
  std::string baseline_error;
  std::vector<Row> rows;                 ///< ranked rows first (by rank), then the rest
  /// A remedy meets every breached check (or nothing was breached).
  bool solved() const;
};

/// Judges and ranks the trials against the baseline.
Advice make_advice(const std::string& scenario, const std::string& baseline_dir,
                   const std::optional<report::RunReport>& baseline, const std::string& baseline_error,
                   std::vector<Trial> trials);

report::Json advice_json(const Advice& a);
std::string advice_markdown(const Advice& a);
std::string advice_console(const Advice& a, const std::string& out);
std::string advice_html(const Advice& a, const std::string& diagram);

}  // namespace sim::advise
