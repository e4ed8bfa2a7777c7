#include "sim/report/montecarlo.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <fmt/format.h>

#include "sim/check/expectations.h"
#include "sim/scenario/metrics.h"
#include "sim/report/html.h"

namespace sim::report {

double student_t_quantile(double p, double df) {
  boost::math::students_t dist(df);
  return boost::math::quantile(dist, p);
}

Interval confidence_interval(const std::vector<double>& xs, double level) {
  Interval r;
  r.n = xs.size();
  double sum = 0;
  r.min = xs.front();
  r.max = xs.front();
  for (double x : xs) {
    sum += x;
    r.min = std::min(r.min, x);
    r.max = std::max(r.max, x);
  }
  r.mean = sum / static_cast<double>(r.n);
  if (r.n >= 2) {
    double ss = 0;
    for (double x : xs) ss += (x - r.mean) * (x - r.mean);
    r.stddev = std::sqrt(ss / static_cast<double>(r.n - 1));
    double t = student_t_quantile((1 + level) / 2, static_cast<double>(r.n - 1));
    r.half_width = t * r.stddev / std::sqrt(static_cast<double>(r.n));
  }
  r.lower = r.mean - r.half_width;
  r.upper = r.mean + r.half_width;
  return r;
}

namespace {

Json interval_json(const Interval& iv) {
  Json j;
  j["n"] = iv.n;
  j["mean"] = fixed(iv.mean);
  j["stddev"] = fixed(iv.stddev);
  j["ci_low"] = fixed(iv.lower);
  j["ci_high"] = fixed(iv.upper);
  j["min"] = fixed(iv.min);
  j["max"] = fixed(iv.max);
  return j;
}

const char* bound_name(scenario::Expectation::Bound b) {
  switch (b) {
    case scenario::Expectation::Bound::kValue: return "value";
    case scenario::Expectation::Bound::kMean: return "mean";
    case scenario::Expectation::Bound::kUpper: return "upper";
    case scenario::Expectation::Bound::kLower: return "lower";
  }
  return "value";
}

}  // namespace

Json montecarlo_json(const scenario::Scenario& s, const std::vector<McRun>& runs, double level) {
  Json j;
  j["infrasim"] = {{"version", INFRASIM_VERSION}, {"report_format", 1}};
  const RunReport* first = nullptr;
  for (const auto& r : runs) {
    if (r.report) {
      first = &*r.report;
      break;
    }
  }
  Json sc;
  sc["name"] = s.name;
  sc["description"] = s.description;
  sc["file"] = s.file;
  sc["topology"] = first ? first->scenario.topology : "";
  sc["topology_file"] = s.topology_path;
  sc["seed"] = runs.empty() ? s.seed : runs.front().seed;
  sc["runs"] = runs.size();
  sc["confidence"] = level;
  sc["duration"] = fixed(s.duration);
  sc["warmup"] = fixed(s.warmup);
  sc["window"] = fixed(s.window);
  j["scenario"] = sc;

  Json rj = Json::array();
  bool conserved = true;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const McRun& r = runs[i];
    Json x;
    x["index"] = i;
    x["seed"] = r.seed;
    x["dir"] = r.dir;
    x["exit_code"] = r.exit_code;
    x["passed"] = r.report && r.report->passed;
    if (!r.report) x["error"] = "no report";
    conserved = conserved && r.report && r.report->summary.conservation.ok;
    rj.push_back(x);
  }
  j["runs"] = rj;

  Json metrics = Json::array();
  for (const scenario::MetricInfo* h : scenario::headline_metrics()) {
    std::vector<double> xs;
    for (const auto& r : runs) {
      if (auto v = r.report ? r.report->value(*h) : std::nullopt) xs.push_back(*v);
    }
    Json m;
    m["name"] = h->name;
    m["title"] = scenario::title_of(*h);
    m["unit"] = scenario::unit_name(h->unit);
    if (xs.empty()) {
      m["n"] = 0;
    } else {
      Json iv = interval_json(confidence_interval(xs, level));  // named: items() of a temporary would dangle
      for (auto it = iv.begin(); it != iv.end(); ++it) m[it.key()] = it.value();
    }
    metrics.push_back(m);
  }
  j["metrics"] = metrics;

  Json ex = Json::array();
  bool all = true;
  for (std::size_t k = 0; k < s.expectations.size(); ++k) {
    const scenario::Expectation& e = s.expectations[k];
    const scenario::MetricInfo* info = scenario::find_metric(e.metric);
    std::vector<double> xs;
    std::size_t passed_runs = 0, measured = 0;
    std::string expected;
    for (const auto& r : runs) {
      if (!r.report || k >= r.report->expectations.size() || r.report->expectations[k].metric != e.metric) continue;
      const ExpectationRow& row = r.report->expectations[k];
      if (expected.empty()) expected = row.expected;
      passed_runs += row.pass ? 1 : 0;
      if (row.actual_value) {
        xs.push_back(*row.actual_value);
        ++measured;
      }
    }
    ExpectationRow x;
    x.metric = e.metric;
    x.request_class = e.request_class;
    x.bound = bound_name(e.bound);
    x.expected = expected.empty() ? fmt::format("{} {}", scenario::op_symbol(e.op),
                                                info ? scenario::format_value(info->unit, e.value) : "")
                                  : expected;
    x.expected_value = fixed(e.value);
    x.runs_passed = passed_runs;
    scenario::Unit unit = info ? info->unit : scenario::Unit::kNumber;
    bool pass = false;
    std::optional<double> judged;
    std::string actual, note;
    Interval iv;
    if (!xs.empty()) iv = confidence_interval(xs, level);
    std::string ci_text = xs.empty() ? "" : fmt::format("mean {} [{}, {}]", scenario::format_value(unit, iv.mean),
                                                       scenario::format_value(unit, iv.lower),
                                                       scenario::format_value(unit, iv.upper));
    switch (e.bound) {
      case scenario::Expectation::Bound::kValue:
        pass = !runs.empty() && passed_runs == runs.size();
        actual = fmt::format("{} of {} runs meet it{}", passed_runs, runs.size(), ci_text.empty() ? "" : "; " + ci_text);
        if (!xs.empty()) judged = iv.mean;
        note = "bound: value: every run must meet the target";
        break;
      case scenario::Expectation::Bound::kMean:
      case scenario::Expectation::Bound::kUpper:
      case scenario::Expectation::Bound::kLower:
        if (xs.size() < 2) {
          actual = fmt::format("not measured ({} of {} runs measured it; an interval needs 2)", measured, runs.size());
          note = "not enough runs measured it";
          break;
        }
        judged = e.bound == scenario::Expectation::Bound::kMean    ? iv.mean
                 : e.bound == scenario::Expectation::Bound::kUpper ? iv.upper
                                                                   : iv.lower;
        pass = check::compare(e, *judged);
        actual = fmt::format("{} {} ({})",
                             e.bound == scenario::Expectation::Bound::kMean    ? "mean"
                             : e.bound == scenario::Expectation::Bound::kUpper ? "upper bound"
                                                                               : "lower bound",
                             scenario::format_value(unit, *judged), ci_text);
        note = fmt::format("bound: {}: judged on the {:.0f}% interval{}", bound_name(e.bound), level * 100,
                           measured < runs.size() ? fmt::format("; {} runs did not measure it", runs.size() - measured)
                                                  : "");
        break;
    }
    x.actual = actual;
    if (judged) x.actual_value = fixed(*judged);
    if (!xs.empty()) {
      x.mean = fixed(iv.mean);
      x.ci_low = fixed(iv.lower);
      x.ci_high = fixed(iv.upper);
    }
    x.pass = pass;
    x.note = note;
    x.line = e.pos.line;
    ex.push_back(to_json(x));
    all = all && pass;
  }
  j["expectations"] = ex;
  j["passed"] = all && conserved;
  j["summary"] = {{"conservation", {{"ok", conserved}, {"rule", "every run: generated = completed + failed + in_flight"}}}};
  return j;
}

std::string montecarlo_markdown(const Json& mc) {
  const Json& sc = member(mc, "scenario");
  std::string md = fmt::format("# {} — Monte Carlo, {} runs — {}\n\n", member_text(sc, "name"), member_text(sc, "runs"),
                               member(mc, "passed").is_boolean() && member(mc, "passed").get<bool>() ? "PASS" : "FAIL");
  md += fmt::format("Topology **{}**, base seed {}, {} per run; {:.0f}% confidence intervals (Student t).\n\n",
                    member_text(sc, "topology"), member_text(sc, "seed"), scenario::format_value(scenario::Unit::kDuration, member(sc, "duration").get<double>()),
                    member(sc, "confidence").get<double>() * 100);
  md += "## Metrics\n\n| metric | mean | 95% interval | std dev | min | max | runs |\n|---|---|---|---|---|---|---|\n";
  for (const auto& m : member(mc, "metrics")) {
    if (member(m, "n").get<std::size_t>() == 0) continue;
    std::string u = member_text(m, "unit");
    md += fmt::format("| {} | {} | [{}, {}] | {} | {} | {} | {} |\n", member_text(m, "title"),
                      scenario::format_value(u, member(m, "mean").get<double>()), scenario::format_value(u, member(m, "ci_low").get<double>()),
                      scenario::format_value(u, member(m, "ci_high").get<double>()), scenario::format_value(u, member(m, "stddev").get<double>()),
                      scenario::format_value(u, member(m, "min").get<double>()), scenario::format_value(u, member(m, "max").get<double>()),
                      member_text(m, "n"));
  }
  const Json& ex = member(mc, "expectations");
  if (ex.is_array() && !ex.empty()) {
    md += "\n## Expectations\n\n| expectation | bound | expected | actual | verdict |\n|---|---|---|---|---|\n";
    for (const auto& e : ex) {
      md += fmt::format("| {} | {} | {} | {} | {} |\n", member_text(e, "metric"), member_text(e, "bound"), member_text(e, "expected"),
                        member_text(e, "actual"), member_text(e, "verdict") == "PASS" ? "PASS" : "**FAIL**");
    }
  }
  md += "\n## Runs\n\n| run | seed | report | exit |\n|---|---|---|---|\n";
  for (const auto& r : member(mc, "runs")) {
    md += fmt::format("| {} | {} | `{}` | {} |\n", member_text(r, "index"), member_text(r, "seed"), member_text(r, "dir"), member_text(r, "exit_code"));
  }
  return md;
}

std::string montecarlo_console(const Json& mc) {
  const Json& sc = member(mc, "scenario");
  std::string out = fmt::format("scenario {} (topology {}): {} runs from seed {}, mean and {:.0f}% interval\n",
                                member_text(sc, "name"), member_text(sc, "topology"), member_text(sc, "runs"), member_text(sc, "seed"),
                                member(sc, "confidence").get<double>() * 100);
  for (const auto& m : member(mc, "metrics")) {
    if (member(m, "n").get<std::size_t>() == 0) continue;
    std::string u = member_text(m, "unit");
    out += fmt::format("  {:<20} {:>10}  [{}, {}]\n", member_text(m, "title"), scenario::format_value(u, member(m, "mean").get<double>()),
                       scenario::format_value(u, member(m, "ci_low").get<double>()), scenario::format_value(u, member(m, "ci_high").get<double>()));
  }
  for (const auto& e : member(mc, "expectations")) {
    out += fmt::format("  expected {} {} (bound {}), actual {}: {}\n", member_text(e, "metric"), member_text(e, "expected"),
                       member_text(e, "bound"), member_text(e, "actual"), member_text(e, "verdict"));
  }
  return out;
}

std::string montecarlo_html(const Json& mc, const std::vector<McRun>& runs, const std::string& diagram) {
  const Json& sc = member(mc, "scenario");
  bool passed = member(mc, "passed").is_boolean() && member(mc, "passed").get<bool>();
  std::string b = fmt::format("<h1>{} <span class=\"badge {}\">{}</span></h1>\n", html_escape(member_text(sc, "name")),
                              passed ? "pass" : "fail", passed ? "PASS" : "FAIL");
  b += fmt::format("<p class=\"sub\">Monte Carlo: {} runs of <code>{}</code> on topology <b>{}</b>, seeds derived from "
                   "{}; each metric as mean and {:.0f}% confidence interval (Student t).</p>\n",
                   html_escape(member_text(sc, "runs")), html_escape(member_text(sc, "file")), html_escape(member_text(sc, "topology")),
                   html_escape(member_text(sc, "seed")), member(sc, "confidence").get<double>() * 100);
  const Json& ex = member(mc, "expectations");
  b += "<h2>Expectations</h2>\n";
  if (ex.is_array() && !ex.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : ex) {
      std::string v = member_text(e, "verdict");
      rows.push_back({html_escape(member_text(e, "metric")), html_escape(member_text(e, "bound")), html_escape(member_text(e, "expected")),
                      html_escape(member_text(e, "actual")), cell(v == "PASS" ? "pass" : "fail", v), html_escape(member_text(e, "note"))});
    }
    b += html_table({"metric", "bound", "expected", "actual", "verdict", "how"}, rows);
  } else {
    b += "<p class=\"muted\">The scenario states no expectations.</p>\n";
  }
  b += "<h2>Metrics</h2>\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : member(mc, "metrics")) {
    if (member(m, "n").get<std::size_t>() == 0) continue;
    std::string u = member_text(m, "unit");
    auto f = [&](const char* k) { return cell("num", html_escape(scenario::format_value(u, member(m, k).get<double>()))); };
    rows.push_back({html_escape(member_text(m, "title")), f("mean"), f("ci_low"), f("ci_high"), f("stddev"), f("min"), f("max"),
                    cell("num", member_text(m, "n"))});
  }
  b += html_table({"metric", "mean", "interval low", "interval high", "std dev", "min", "max", "runs"}, rows);
  if (!diagram.empty()) b += "<h2>Topology</h2>\n<div class=\"diagram\">\n" + diagram + "</div>\n";
  std::string a = "<h2>Runs</h2>\n";
  std::vector<std::vector<std::string>> rr;
  for (const auto& r : member(mc, "runs")) {
    rr.push_back({cell("num", member_text(r, "index")), cell("num", member_text(r, "seed")),
                  fmt::format("<a href=\"{}/report.html\">{}</a>", html_escape(member_text(r, "dir")), html_escape(member_text(r, "dir"))),
                  cell(member(r, "passed").is_boolean() && member(r, "passed").get<bool>() ? "pass" : "fail",
                       member(r, "passed").is_boolean() && member(r, "passed").get<bool>() ? "PASS" : "FAIL")});
  }
  a += html_table({"run", "seed", "report", "verdict"}, rr);
  Json data;
  data["montecarlo"] = mc;
  Json rd = Json::array();
  for (const auto& r : runs) {
    // Seeds as text: JavaScript numbers lose digits beyond 2^53.
    if (r.report) rd.push_back({{"seed", std::to_string(r.seed)}, {"report", r.report->chart_json()}});
  }
  data["runs"] = rd;
  HtmlPage page;
  page.title = fmt::format("infrasim: {} (Monte Carlo, {} runs)", member_text(sc, "name"), member_text(sc, "runs"));
  page.kind = "montecarlo";
  page.body = b;
  page.after = a;
  page.data = data;
  return html_page(page);
}

}  // namespace sim::report
