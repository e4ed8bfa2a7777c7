#include "sim/report/chaos.h"

#include <fmt/format.h>

#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/report/html.h"

namespace sim::report {

using core::format_duration;

bool ChaosMatrix::broken() const {
  for (const auto& r : rows) {
    if (!r.ran || !r.breaks.empty()) return true;
  }
  return false;
}

ChaosMatrix chaos_matrix(const std::string& scenario, double at, double length, const std::vector<std::string>& metrics,
                         const std::vector<ChaosCase>& cases) {
  ChaosMatrix m;
  m.scenario = scenario;
  m.at = fixed(at);
  m.length = fixed(length);
  m.metrics = metrics;
  for (const ChaosCase& c : cases) {
    ChaosRow row;
    row.name = c.name;
    row.label = c.label;
    row.ran = c.report.has_value();
    row.error = c.error.empty() ? "the run wrote no report" : c.error;
    if (c.report) {
      for (const auto& rec : c.report->recovery) {
        // (a silent loss's row says so after the label: "crash zone a (silent: ...)")
        if (rec.fault != c.label && rec.fault.rfind(c.label + " (", 0) != 0) continue;
        row.recovered_row = true;
        row.rto = rec.rto;
        row.rpo = rec.rpo;
        row.writes_lost = rec.writes_lost;
        row.predicted_rto = rec.predicted_rto;
        row.prediction = rec.prediction;
      }
      row.verdicts.resize(metrics.size());
      for (std::size_t k = 0; k < c.report->expectations.size() && k < metrics.size(); ++k) {
        const ExpectationRow& e = c.report->expectations[k];
        row.verdicts[k] = e;
        if (!e.pass) row.breaks.push_back(metrics[k]);
      }
    }
    m.rows.push_back(std::move(row));
  }
  return m;
}

namespace {

std::string rto_text(const ChaosRow& r) {
  if (!r.recovered_row) return "-";
  return r.rto ? format_duration(*r.rto) : "never";
}

std::string rpo_text(const ChaosRow& r) { return format_duration(r.recovered_row ? r.rpo : 0); }

std::string when_text(const ChaosMatrix& m) {
  return fmt::format("a crash at {}{}", format_duration(m.at),
                     m.length > 0 ? " for " + format_duration(m.length) : " until the end");
}

}  // namespace

Json chaos_json(const ChaosMatrix& m) {
  Json matrix = Json::array();
  for (const auto& r : m.rows) {
    Json row;
    row["failure"] = r.label;
    if (!r.ran) {
      row["error"] = r.error;
      matrix.push_back(row);
      continue;
    }
    if (r.recovered_row) {
      row["rto"] = r.rto ? Json(*r.rto) : Json(nullptr);
      row["rpo"] = r.rpo;
      row["writes_lost"] = r.writes_lost;
      row["predicted_rto"] = r.predicted_rto ? Json(*r.predicted_rto) : Json(nullptr);
      row["prediction"] = r.prediction;
    }
    Json verdicts = Json::object();
    for (std::size_t k = 0; k < m.metrics.size(); ++k) {
      if (!r.verdicts[k]) continue;
      verdicts[m.metrics[k]] = {{"verdict", r.verdicts[k]->pass ? "PASS" : "FAIL"}, {"actual", r.verdicts[k]->actual}};
    }
    row["expectations"] = verdicts;
    row["breaks"] = r.breaks;
    matrix.push_back(row);
  }
  Json j;
  j["scenario"] = m.scenario;
  j["failure_at"] = m.at;
  j["failure_for"] = m.length;
  j["matrix"] = matrix;
  return j;
}

std::string chaos_markdown(const ChaosMatrix& m) {
  std::string md = fmt::format("# Single-failure analysis of {}\n\nEach row: the scenario with one more fault, {}.\n\n"
                               "| failure | RTO | RPO | writes lost |",
                               m.scenario, when_text(m));
  for (const auto& x : m.metrics) md += " " + x + " |";
  md += " breaks |\n|---|---|---|---|";
  for (std::size_t i = 0; i < m.metrics.size(); ++i) md += "---|";
  md += "---|\n";
  for (const auto& r : m.rows) {
    if (!r.ran) {
      md += fmt::format("| {} | run failed | | |\n", r.label);
      continue;
    }
    md += fmt::format("| {} | {} | {} | {} |", r.label, rto_text(r), rpo_text(r), r.writes_lost);
    for (const auto& v : r.verdicts) {
      if (!v) continue;
      md += v->pass ? std::string(" ok |") : fmt::format(" **FAIL {}** |", v->actual);
    }
    md += fmt::format(" {} |\n", r.breaks.empty() ? std::string("none") : core::join(r.breaks));
  }
  return md;
}

std::string chaos_console(const ChaosMatrix& m, const std::string& out) {
  std::string s = fmt::format("{:<22} {:>10} {:>9} {:>6}", "failure", "RTO", "RPO", "lost");
  for (const auto& x : m.metrics) s += fmt::format(" {:>14}", x.substr(0, 14));
  s += "\n";
  for (const auto& r : m.rows) {
    if (!r.ran) {
      s += fmt::format("{:<22} run failed (see {}/{})\n", r.label, out, r.name);
      continue;
    }
    s += fmt::format("{:<22} {:>10} {:>9} {:>6}", r.label, rto_text(r), rpo_text(r), r.writes_lost);
    for (const auto& v : r.verdicts) {
      if (!v) continue;
      std::string cell = v->pass ? "ok" : "FAIL " + v->actual;
      s += fmt::format(" {:>14}", cell.substr(0, 14));
    }
    s += "\n";
  }
  return s;
}

std::string chaos_html(const ChaosMatrix& m, const std::string& diagram) {
  std::vector<std::string> header = {"failure", "RTO", "RPO", "writes lost"};
  for (const auto& x : m.metrics) header.push_back(html_escape(x));
  header.push_back("breaks");
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : m.rows) {
    std::vector<std::string> cells;
    cells.push_back(fmt::format("<a href=\"{}/report.html\">{}</a>", r.name, html_escape(r.label)));
    bool has = r.ran && r.recovered_row;
    cells.push_back(cell("num", has ? rto_text(r) : "-"));
    cells.push_back(cell("num", has ? format_duration(r.rpo) : "-"));
    cells.push_back(cell("num", has ? std::to_string(r.writes_lost) : "-"));
    for (std::size_t k = 0; k < m.metrics.size(); ++k) {
      if (!r.ran || !r.verdicts[k]) {
        cells.push_back("-");
        continue;
      }
      bool ok = r.verdicts[k]->pass;
      cells.push_back(cell(ok ? "pass" : "fail", ok ? "ok" : html_escape(r.verdicts[k]->actual)));
    }
    std::string breaks = core::join(r.breaks);
    cells.push_back(breaks.empty() ? cell("pass", "none") : cell("fail", html_escape(breaks)));
    rows.push_back(std::move(cells));
  }
  HtmlPage page;
  page.title = "infrasim chaos: " + m.scenario;
  page.kind = "tables";
  page.body = fmt::format("<h1>Single-failure analysis of {}</h1>\n<p class=\"sub\">Each row is the scenario with "
                          "one more fault: {}. Click a failure for its full report.</p>\n",
                          html_escape(m.scenario), when_text(m)) +
              diagram + "<h2>Matrix</h2>\n" + html_table(header, rows);
  page.data = Json::object();
  return html_page(page);
}

}  // namespace sim::report
