#pragma once
// HTML reports: one self-contained, offline file per run, comparison, Monte
// Carlo series or sweep. The page carries its tables as static HTML (readable
// without JavaScript), the report's JSON in a <script type="application/json">
// block, and inlines the chart library (uPlot, sim/report/assets/uplot/, MIT)
// and our drawing code (assets/report.js), which the build embeds into the
// binary (CMakeLists.txt, assets/embed_assets.cmake). Nothing is fetched at
// view time.
//
// The run page renders a RunReport (report/run_report.h); the pages of
// compare, Monte Carlo, sweep, chaos and capacity render their own JSON.
// Output is a pure function of the input (no clock).

#include <string>
#include <string_view>
#include <vector>

#include "sim/report/json.h"
#include "sim/report/run_report.h"
#include "sim/topology/topology.h"

namespace sim::report {

/// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

/// The topology as an inline SVG: clients on the left, then each component in
/// the column of its deepest position on a request path (a layered left-to-right
/// graph); edges carry the request classes that cross them; single points of
/// failure (topology/graph.h) have a red border. Deterministic. With the scenario, a service
/// its operations resize shows its cores before and after ("2 → 4 cores").
std::string topology_svg(const topology::Topology& t, const scenario::Scenario* s = nullptr);

/// A table of the request classes' paths ("static: cdn -> lb -> app(x3)"), to go under the diagram.
std::string topology_paths_html(const topology::Topology& t);

/// What a page is made of; html_page() adds the head, styles, scripts and data.
struct HtmlPage {
  std::string title;    ///< <title> (plain text)
  std::string kind;     ///< the renderer in report.js: run, compare, montecarlo, sweep or tables (no charts)
  std::string body;     ///< HTML before the charts (header, tables, diagrams)
  Json data;            ///< handed to the renderer
  std::string after;    ///< HTML after the charts (further tables)
};

/// The complete HTML document of `page`, with uPlot and report.js inlined.
std::string html_page(const HtmlPage& page);

/// A table; `header` and `cells` are HTML (escape text with html_escape).
/// A cell starting with "\x01<class>\x01" gets that CSS class (see cell()).
std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
/// A table cell with a CSS class ("num", "pass", "fail", "better", "worse") for html_table().
std::string cell(std::string_view css_class, std::string_view html);

/// The page of one run, from its report; `diagram` is topology_svg() +
/// topology_paths_html() of its topology ("" for none).
std::string run_html(const RunReport& report, const std::string& diagram);

}  // namespace sim::report
