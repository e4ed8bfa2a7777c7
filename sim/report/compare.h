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
  std::optional<RunReport> report;  ///< its report.json; none when it wrote none
  std::string error;     ///< why there is no report ("exit status 3", "killed by signal 9")
  std::string diagram;   ///< topology SVG (+ paths) for the HTML; not in compare.json
};

/// compare.json: scenario, designs (name, topology, overrides, dir, passed),
/// metrics (headline + one row per expectation: values per design, difference
/// against the first design, absolute and relative), expectations met per design.
Json compare_json(const std::vector<Design>& designs);

/// A Markdown table: one row per metric, a column per design with its value
/// and the difference against the first; then which design meets which expectation.
std::string compare_markdown(const Json& cmp);

/// The same table for the console, within 100 columns where the names allow.
std::string compare_console(const Json& cmp);

/// The page: the table, each design's topology, and overlaid charts (latency
/// p99, error rate, throughput over time, one line per design).
std::string compare_html(const Json& cmp, const std::vector<Design>& designs);

}  // namespace sim::report
