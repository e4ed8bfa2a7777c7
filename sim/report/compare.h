#pragma once
// Side-by-side comparison of designs (infrasim compare): one scenario on
// several topologies or scenario variants. Each design ran in its own child
// process and left a report.json; these functions turn the reports into
// compare.json / compare.md / compare.html and the console table. Pure.

#include <string>
#include <vector>

#include "sim/report/json.h"
#include "sim/report/run_report.h"

namespace sim::report {

struct Design {
  std::string name;      ///< "3-app", "five", or the topology file's stem
  std::string topology;  ///< topology file
  std::vector<std::string> overrides;  ///< "components.app.replicas=5", as given
  std::string dir;       ///< its report directory, relative to the comparison's
  int exit_code = 0;
  std::optional<RunReport> report;  ///< its report.json (with --seeds: the first seed's); none when it wrote none
  /// With --seeds N > 1: every seed's report that was written (the first is `report`), in seed order.
  std::vector<RunReport> seeds;
  std::string error;     ///< why there is no report ("exit status 3", "killed by signal 9")
  std::string diagram;   ///< topology SVG (+ paths) for the HTML; not in compare.json
};

/// compare.json: scenario, designs (name, topology, overrides, dir, passed),
/// metrics (headline + one row per expectation: values per design, difference
/// against the first design, absolute and relative), expectations met per design.
/// With several seeds per design (Design::seeds), a value is the mean over the
/// seeds, each design also gets its samples and 95 % interval, and each
/// difference says whether it is `significant`: Welch's t-test at the 5 % level
/// (two-sided) — only those are coloured. With one seed there is no spread to
/// test against: `significant` is absent and every printed difference counts.
Json compare_json(const std::vector<Design>& designs);

/// Welch's two-sample t-test at the 5 % level, two-sided: do the means of `a` and
/// `b` differ beyond their spread? Samples without spread (every value equal) differ
/// exactly when their means do. REQUIRES: a.size() >= 2 and b.size() >= 2.
bool welch_differs(const std::vector<double>& a, const std::vector<double>& b);

/// A Markdown table: one row per metric, a column per design with its value
/// and the difference against the first; then which design meets which expectation.
std::string compare_markdown(const Json& cmp);

/// The same table for the console, within 100 columns where the names allow.
std::string compare_console(const Json& cmp);

/// The page: the table, each design's topology, and overlaid charts (latency
/// p99, error rate, throughput over time, one line per design).
std::string compare_html(const Json& cmp, const std::vector<Design>& designs);

}  // namespace sim::report
