#include "sim/report/results.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/report/html.h"
#include "sim/report/montecarlo.h"
#include "sim/scenario/metrics.h"

namespace sim::report {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number_text(const Json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number()) return fmt::format("{:.6f}", v.get<double>());
  return "";
}

// The summary columns of the point tables.
const char* kPointMetrics[] = {"throughput", "error_rate", "latency_p50", "latency_p99"};

}  // namespace

Json results_json(const Json& plan, const std::vector<std::optional<RunReport>>& reports) {
  Json j;
  j["infrasim"] = {{"version", INFRASIM_VERSION}, {"report_format", 1}};
  j["sweep"] = member(plan, "sweep");
  j["parameters"] = member(plan, "parameters").is_array() ? member(plan, "parameters") : Json::array();
  Json metrics = Json::array();
  for (const scenario::MetricInfo* h : scenario::headline_metrics()) {
    metrics.push_back({{"name", h->name}, {"title", scenario::title_of(*h)}, {"unit", scenario::unit_name(h->unit)}});
  }
  j["metrics"] = metrics;
  std::vector<std::string> ex_keys;
  for (const auto& r : reports) {
    if (!r) continue;
    for (const auto& e : r->expectations) {
      if (std::find(ex_keys.begin(), ex_keys.end(), e.key()) == ex_keys.end()) ex_keys.push_back(e.key());
    }
  }
  j["expectations"] = ex_keys;
  const Json& points = member(plan, "points");
  const Json& runs = member(plan, "runs");
  Json rows = Json::array();
  std::vector<std::vector<std::size_t>> runs_of_point(points.is_array() ? points.size() : 0);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Json& run = runs[i];
    const RunReport* report = i < reports.size() && reports[i] ? &*reports[i] : nullptr;
    std::size_t p = member(run, "point").is_number_unsigned() ? member(run, "point").get<std::size_t>() : 0;
    Json row;
    row["index"] = member(run, "index");
    row["point"] = p;
    row["name"] = p < points.size() ? member(points[p], "name") : Json("");
    row["values"] = p < points.size() ? member(points[p], "values") : Json::array();
    row["seed"] = member(run, "seed");
    row["dir"] = member(run, "dir");
    row["status"] = report ? "ok" : "missing";
    row["passed"] = report && report->passed;
    Json m = Json::object();
    for (const scenario::MetricInfo* h : scenario::headline_metrics()) {
      auto v = report ? report->value(*h) : std::nullopt;
      if (!v) {
        m[h->name] = nullptr;
      } else if (h->unit == scenario::Unit::kCount) {
        m[h->name] = static_cast<long long>(std::llround(*v));
      } else {
        m[h->name] = fixed(*v);
      }
    }
    row["metrics"] = m;
    Json verdicts = Json::object();
    if (report) {
      for (const auto& e : report->expectations) {
        verdicts[e.key()] = {{"verdict", e.pass ? "PASS" : "FAIL"},
                             {"actual", e.actual},
                             {"actual_value", e.actual_value ? Json(*e.actual_value) : Json(nullptr)}};
      }
    }
    row["expectations"] = verdicts;
    rows.push_back(row);
    if (p < runs_of_point.size()) runs_of_point[p].push_back(i);
  }
  j["runs"] = rows;
  Json pj = Json::array();
  for (std::size_t p = 0; p < runs_of_point.size(); ++p) {
    Json x;
    x["name"] = member(points[p], "name");
    x["values"] = member(points[p], "values");
    std::size_t ok = 0, passed = 0;
    for (std::size_t i : runs_of_point[p]) {
      ok += rows[i]["status"] == "ok" ? 1 : 0;
      passed += rows[i]["passed"] == true ? 1 : 0;
    }
    x["runs"] = runs_of_point[p].size();
    x["runs_done"] = ok;
    x["runs_passed"] = passed;
    Json stats = Json::object();
    for (const scenario::MetricInfo* h : scenario::headline_metrics()) {
      std::vector<double> xs;
      for (std::size_t i : runs_of_point[p]) {
        const Json& v = rows[i]["metrics"][h->name];
        if (v.is_number()) xs.push_back(v.get<double>());
      }
      if (xs.empty()) continue;
      Interval iv = confidence_interval(xs);
      stats[h->name] = {{"n", iv.n},          {"mean", fixed(iv.mean)},   {"ci_low", fixed(iv.lower)},
                       {"ci_high", fixed(iv.upper)}, {"min", fixed(iv.min)}, {"max", fixed(iv.max)}};
    }
    x["stats"] = stats;
    pj.push_back(x);
  }
  j["points"] = pj;
  return j;
}

std::string results_csv(const Json& r) {
  std::vector<std::string> header = {"run", "point"};
  for (const auto& p : member(r, "parameters")) header.push_back(p.get<std::string>());
  for (const char* c : {"seed", "status", "passed"}) header.push_back(c);
  for (const scenario::MetricInfo* h : scenario::headline_metrics()) header.emplace_back(h->name);
  for (const auto& e : member(r, "expectations")) header.push_back(fmt::format("expect {}", e.get<std::string>()));
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i) out += ',';
    out += csv_field(header[i]);
  }
  out += "\n";
  for (const auto& row : member(r, "runs")) {
    std::vector<std::string> f = {member_text(row, "index"), member_text(row, "name")};
    for (const auto& v : member(row, "values")) f.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    f.push_back(member_text(row, "seed"));
    f.push_back(member_text(row, "status"));
    f.push_back(member_text(row, "passed"));
    for (const scenario::MetricInfo* h : scenario::headline_metrics()) {
      f.push_back(number_text(member(member(row, "metrics"), h->name)));
    }
    for (const auto& e : member(r, "expectations")) {
      f.push_back(member_text(member(member(row, "expectations"), e.get<std::string>().c_str()), "verdict"));
    }
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (i) out += ',';
      out += csv_field(f[i]);
    }
    out += "\n";
  }
  return out;
}

namespace {

std::vector<std::vector<std::string>> point_rows(const Json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : member(r, "points")) {
    std::vector<std::string> row = {member_text(p, "name")};
    for (const char* m : kPointMetrics) {
      const Json& st = member(member(p, "stats"), m);
      const scenario::MetricInfo* info = scenario::find_metric(m);
      row.push_back(st.is_null() || !info ? "-" : scenario::format_value(info->unit, member(st, "mean").get<double>()));
    }
    row.push_back(fmt::format("{}/{}", member_text(p, "runs_passed"), member_text(p, "runs")));
    if (member(p, "runs_done") != member(p, "runs")) row.back() += fmt::format(" ({} missing)", member(p, "runs").get<std::size_t>() - member(p, "runs_done").get<std::size_t>());
    rows.push_back(row);
  }
  return rows;
}

const std::vector<std::string> kPointHeader = {"point", "throughput", "error rate", "latency p50", "latency p99",
                                               "runs passed"};

}  // namespace

std::string results_markdown(const Json& r) {
  const Json& sw = member(r, "sweep");
  std::string md = fmt::format("# Sweep: {}\n\n", member_text(sw, "name"));
  if (!member_text(sw, "description").empty()) md += member_text(sw, "description") + "\n\n";
  md += fmt::format("Scenario `{}`; {} points × seeds = {} runs. Values are means over each point's seeds; every "
                    "run is a row of `results.csv`.\n\n",
                    member_text(sw, "scenario"), member(r, "points").size(), member(r, "runs").size());
  md += "|";
  for (const auto& h : kPointHeader) md += " " + h + " |";
  md += "\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& row : point_rows(r)) {
    md += "|";
    for (const auto& c : row) md += " " + c + " |";
    md += "\n";
  }
  std::string missing;
  for (const auto& row : member(r, "runs")) {
    if (member_text(row, "status") == "missing") missing += fmt::format("- run {} ({}, seed {}): `{}`\n", member_text(row, "index"), member_text(row, "name"), member_text(row, "seed"), member_text(row, "dir"));
  }
  if (!missing.empty()) md += "\n## Missing runs\n\n" + missing;
  return md;
}

std::string results_console(const Json& r) {
  std::vector<std::vector<std::string>> rows = point_rows(r);
  rows.insert(rows.begin(), kPointHeader);
  std::vector<std::size_t> w(kPointHeader.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < w.size(); ++i) w[i] = std::max(w[i], row[i].size());
  }
  std::string out = fmt::format("sweep {}: {} points, {} runs (means over seeds)\n", member_text(member(r, "sweep"), "name"),
                                member(r, "points").size(), member(r, "runs").size());
  for (const auto& row : rows) {
    std::string l;
    for (std::size_t i = 0; i < row.size() && i < w.size(); ++i) {
      l += i == 0 ? fmt::format("{:<{}}", row[i], w[i]) : fmt::format("  {:>{}}", row[i], w[i]);
    }
    out += l + "\n";
  }
  return out;
}

std::string results_html(const Json& r) {
  const Json& sw = member(r, "sweep");
  std::string b = fmt::format("<h1>Sweep: {}</h1>\n", html_escape(member_text(sw, "name")));
  if (!member_text(sw, "description").empty()) b += fmt::format("<p class=\"sub\">{}</p>\n", html_escape(member_text(sw, "description")));
  b += fmt::format("<p class=\"sub\">Scenario <code>{}</code>; {} points, {} runs. Values are means over each point's "
                   "seeds; every run is a row of <code>results.csv</code>.</p>\n",
                   html_escape(member_text(sw, "scenario")), member(r, "points").size(), member(r, "runs").size());
  std::vector<std::vector<std::string>> rows;
  for (auto row : point_rows(r)) {
    std::vector<std::string> cells = {html_escape(row[0])};
    for (std::size_t i = 1; i < row.size(); ++i) cells.push_back(cell("num", html_escape(row[i])));
    rows.push_back(cells);
  }
  b += html_table(kPointHeader, rows);
  Json data = r;
  Json metrics = Json::array();
  for (const char* m : kPointMetrics) {
    if (const scenario::MetricInfo* h = scenario::find_metric(m)) {
      metrics.push_back({{"name", h->name}, {"title", scenario::title_of(*h)}, {"unit", scenario::unit_name(h->unit)}});
    }
  }
  data["metrics"] = metrics;
  data.erase("runs");  // the per-run rows are in results.csv/json; the charts need the points only
  HtmlPage page;
  page.title = fmt::format("infrasim: sweep {}", member_text(sw, "name"));
  page.kind = "sweep";
  page.body = b;
  page.data = data;
  return html_page(page);
}

}  // namespace sim::report
