#include "sim/report/compare.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>

#include "sim/core/units.h"
#include "sim/scenario/metrics.h"
#include "sim/report/html.h"
#include "sim/report/montecarlo.h"

namespace sim::report {

namespace {

// "+12.3%" / "-4ms" against the baseline; "" for the baseline itself or without values; "=" when
// the two values read the same as printed (a difference below the printed precision, such as
// "-0.0%", is not one a reader can act on, and is not coloured).
std::string diff_text(const Json& value, const Json& base, const std::string& unit) {
  if (!value.is_number() || !base.is_number()) return "";
  double v = value.get<double>(), b = base.get<double>();
  double d = v - b;
  if (std::fabs(d) < 1e-12) return "=";
  if (scenario::format_value(unit, v) == scenario::format_value(unit, b)) return "=";
  if (std::fabs(b) >= 1e-12 && std::fabs(100 * d / b) < 0.05) return "=";
  std::string abs_text = unit == "rate" ? fmt::format("{}{}/s", d > 0 ? "+" : "-", core::format_number(std::fabs(d)))
                                        : fmt::format("{}{}", d > 0 ? "+" : "-", scenario::format_value(unit, std::fabs(d)));
  if (unit == "ratio") return abs_text.substr(0, abs_text.size() - 1) + " pp";
  if (std::fabs(b) < 1e-12) return abs_text;
  return fmt::format("{}, {:+.1f}%", abs_text, 100 * d / b);
}

// "latency_p99 (api)": an expectation's metric with its class, as a row of the metric table.
std::string metric_key(const ExpectationRow& e) {
  return e.metric + (e.request_class.empty() ? "" : " (" + e.request_class + ")");
}

// The samples of one metric for a design: one per seed (Design::seeds), else its one report's value.
std::vector<double> samples_of(const Design& d, const std::function<std::optional<double>(const RunReport&)>& pick) {
  std::vector<double> out;
  if (d.seeds.size() > 1) {
    for (const auto& r : d.seeds) {
      if (auto v = pick(r)) out.push_back(*v);
    }
  } else if (d.report) {
    if (auto v = pick(*d.report)) out.push_back(*v);
  }
  return out;
}

// A metric row's values (the mean over the samples), and with several seeds its samples and 95 % intervals.
void fill_values(Json& m, const std::vector<Design>& designs,
                 const std::function<std::optional<double>(const RunReport&)>& pick, bool seeded) {
  Json values = Json::array(), samples = Json::array(), ci = Json::array();
  for (const auto& d : designs) {
    std::vector<double> xs = samples_of(d, pick);
    if (xs.empty()) {
      values.push_back(nullptr);
      samples.push_back(Json::array());
      ci.push_back(nullptr);
      continue;
    }
    Interval iv = confidence_interval(xs);
    values.push_back(fixed(iv.mean));
    Json sx = Json::array();
    for (double x : xs) sx.push_back(fixed(x));
    samples.push_back(sx);
    ci.push_back(xs.size() > 1 ? Json::array({fixed(iv.lower), fixed(iv.upper)}) : Json(nullptr));
  }
  m["values"] = values;
  if (seeded) {
    m["samples"] = samples;
    m["ci95"] = ci;
  }
}

// false when the difference of design i against the first is within the runs' noise (several seeds, Welch).
bool beyond_noise(const Json& m, std::size_t i) {
  const Json& diffs = member(m, "difference");
  if (!diffs.is_array() || i >= diffs.size() || !diffs[i].is_object()) return true;
  return !diffs[i].contains("significant") || diffs[i]["significant"].get<bool>();
}

}  // namespace

bool welch_differs(const std::vector<double>& a, const std::vector<double>& b) {
  Interval x = confidence_interval(a), y = confidence_interval(b);
  double va = x.stddev * x.stddev / static_cast<double>(a.size()), vb = y.stddev * y.stddev / static_cast<double>(b.size());
  double se2 = va + vb;
  if (se2 <= 0) return std::fabs(x.mean - y.mean) > 1e-12 * std::max({1.0, std::fabs(x.mean), std::fabs(y.mean)});
  // Welch–Satterthwaite degrees of freedom.
  double df = se2 * se2 / ((va > 0 ? va * va / static_cast<double>(a.size() - 1) : 0) +
                           (vb > 0 ? vb * vb / static_cast<double>(b.size() - 1) : 0));
  double t = std::fabs(x.mean - y.mean) / std::sqrt(se2);
  return t > student_t_quantile(0.975, df);
}

Json compare_json(const std::vector<Design>& designs) {
  Json j;
  j["infrasim"] = {{"version", INFRASIM_VERSION}, {"report_format", 1}};
  const RunReport* first = nullptr;
  for (const auto& d : designs) {
    if (d.report) {
      first = &*d.report;
      break;
    }
  }
  Json sc;
  if (first) {
    Json s = to_json(first->scenario);
    for (const char* k : {"name", "description", "file", "seed", "duration", "warmup", "window"}) sc[k] = s[k];
  }
  j["scenario"] = sc;
  Json dj = Json::array();
  for (const auto& d : designs) {
    Json x;
    x["name"] = d.name;
    x["topology"] = d.topology;
    x["topology_name"] = d.report ? d.report->scenario.topology : "";
    x["overrides"] = d.overrides;
    x["dir"] = d.dir;
    x["exit_code"] = d.exit_code;
    x["passed"] = d.report && d.report->passed;
    if (!d.report) x["error"] = "no report";
    dj.push_back(x);
  }
  j["designs"] = dj;
  std::size_t n_seeds = 1;
  for (const auto& d : designs) n_seeds = std::max(n_seeds, d.seeds.size());
  bool seeded = n_seeds > 1;
  j["seeds"] = n_seeds;
  j["noise_rule"] = seeded ? "welch-t-5%" : "none: one seed per design";

  Json metrics = Json::array();
  for (const scenario::MetricInfo* h : scenario::headline_metrics()) {
    Json m;
    m["name"] = h->name;
    m["title"] = scenario::title_of(*h);
    m["unit"] = scenario::unit_name(h->unit);
    m["lower_is_better"] = scenario::lower_is_better(*h);
    fill_values(m, designs, [h](const RunReport& r) { return r.value(*h); }, seeded);
    metrics.push_back(m);
  }
  // Rows for expectation metrics that are not headline metrics (rto, availability, ...).
  std::vector<std::string> seen;
  for (const auto& d : designs) {
    if (!d.report) continue;
    for (const auto& e : d.report->expectations) {
      const scenario::MetricInfo* info = scenario::find_metric(e.metric);
      bool headline = e.request_class.empty() && info && info->headline > 0;
      std::string key = metric_key(e);
      if (headline || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
    }
  }
  for (const std::string& key : seen) {
    Json m;
    std::string metric = key.substr(0, key.find(' '));
    const scenario::MetricInfo* info = scenario::find_metric(metric);
    m["name"] = key;
    m["title"] = key;
    m["unit"] = info ? scenario::unit_name(info->unit) : "number";
    m["lower_is_better"] = info ? scenario::lower_is_better(*info) : true;
    fill_values(
        m, designs,
        [&key](const RunReport& r) -> std::optional<double> {
          std::optional<double> v;
          for (const auto& e : r.expectations) {
            if (metric_key(e) == key && e.actual_value) v = *e.actual_value;
          }
          return v;
        },
        seeded);
    metrics.push_back(m);
  }
  for (auto& m : metrics) {
    Json diffs = Json::array();
    const Json& values = m["values"];
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i == 0 || !values[i].is_number() || !values[0].is_number()) {
        diffs.push_back(nullptr);
        continue;
      }
      double d = values[i].get<double>() - values[0].get<double>();
      Json x;
      x["absolute"] = fixed(d);
      x["relative"] = std::fabs(values[0].get<double>()) > 1e-12 ? Json(fixed(d / values[0].get<double>())) : Json(nullptr);
      if (seeded && m["samples"][0].size() > 1 && m["samples"][i].size() > 1) {
        x["significant"] = welch_differs(m["samples"][0].get<std::vector<double>>(), m["samples"][i].get<std::vector<double>>());
      }
      diffs.push_back(x);
    }
    m["difference"] = diffs;
  }
  j["metrics"] = metrics;

  // Expectations: one row per expectation (in the order the reports name them), a verdict per design.
  Json ex = Json::array();
  std::vector<std::string> keys;
  for (const auto& d : designs) {
    if (!d.report) continue;
    for (const auto& e : d.report->expectations) {
      if (std::find(keys.begin(), keys.end(), e.key()) == keys.end()) keys.push_back(e.key());
    }
  }
  for (const std::string& key : keys) {
    Json row;
    row["expectation"] = key;
    Json verdicts = Json::array(), actual = Json::array();
    for (const auto& d : designs) {
      std::string v = "n/a", a;
      if (d.report) {
        for (const auto& e : d.report->expectations) {
          if (e.key() == key) {
            v = e.pass ? "PASS" : "FAIL";
            a = e.actual;
          }
        }
      }
      if (d.seeds.size() > 1) {
        // Met on every seed, or not: "FAIL 181ms at seed 0, 2/3 seeds pass".
        std::size_t found = 0, passed = 0;
        for (const auto& r : d.seeds) {
          for (const auto& e : r.expectations) {
            if (e.key() != key) continue;
            ++found;
            passed += e.pass ? 1 : 0;
          }
        }
        if (found) {
          v = passed == found ? "PASS" : "FAIL";
          a = fmt::format("{} at seed 0, {}/{} seeds pass", a, passed, found);
        }
      }
      verdicts.push_back(v);
      actual.push_back(a);
    }
    row["verdicts"] = verdicts;
    row["actual"] = actual;
    ex.push_back(row);
  }
  j["expectations"] = ex;
  return j;
}

namespace {

// How differences were judged against the runs' noise, in one sentence.
std::string noise_sentence(const Json& cmp) {
  const Json& n = member(cmp, "seeds");
  std::size_t seeds = n.is_number() ? n.get<std::size_t>() : 1;
  if (seeds <= 1) {
    return "One seed per design: differences are not tested against the runs' noise (--seeds N runs N seeds per "
           "design and marks only differences beyond it).";
  }
  return fmt::format("{} seeds per design: values are means over the seeds; a difference counts (and is coloured) only "
                     "when Welch's t-test at the 5% level says it exceeds the seeds' spread, else it is marked "
                     "\"within noise\".",
                     seeds);
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Cells: value, then the difference against the first design in brackets.
Table metric_table(const Json& cmp, bool with_diff) {
  Table t;
  t.header.push_back("metric");
  for (const auto& d : member(cmp, "designs")) t.header.push_back(member_text(d, "name"));
  for (const auto& m : member(cmp, "metrics")) {
    std::vector<std::string> row = {member_text(m, "title")};
    const Json& values = member(m, "values");
    bool any = false;
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::string c = values[i].is_number() ? scenario::format_value(member_text(m, "unit"), values[i].get<double>()) : "-";
      any = any || values[i].is_number();
      if (with_diff && i > 0) {
        std::string d = diff_text(values[i], values[0], member_text(m, "unit"));
        if (!d.empty() && d != "=") c += " (" + d + (beyond_noise(m, i) ? "" : ", within noise") + ")";
      }
      row.push_back(c);
    }
    if (any) t.rows.push_back(row);
  }
  return t;
}

}  // namespace

std::string compare_markdown(const Json& cmp) {
  const Json& sc = member(cmp, "scenario");
  std::string md = fmt::format("# Comparison: {}\n\n", member_text(sc, "name"));
  md += fmt::format("Scenario `{}`, seed {}, {} simulated, on {} designs; differences are against the first ({}). {}\n\n",
                    member_text(sc, "file"), member_text(sc, "seed"), scenario::format_value(scenario::Unit::kDuration, member(sc, "duration").is_number() ? member(sc, "duration").get<double>() : 0),
                    member(cmp, "designs").size(), member_text(member(cmp, "designs")[0], "name"), noise_sentence(cmp));
  md += "| design | topology | changes | report | verdict |\n|---|---|---|---|---|\n";
  for (const auto& d : member(cmp, "designs")) {
    std::string ov;
    for (const auto& o : member(d, "overrides")) ov += fmt::format("{}`{}`", ov.empty() ? "" : ", ", o.get<std::string>());
    md += fmt::format("| {} | `{}` | {} | `{}` | {} |\n", member_text(d, "name"), member_text(d, "topology"), ov.empty() ? "-" : ov,
                      member_text(d, "dir"), member(d, "passed").get<bool>() ? "PASS" : "**FAIL**");
  }
  Table t = metric_table(cmp, true);
  md += "\n## Metrics\n\n|";
  for (const auto& h : t.header) md += " " + h + " |";
  md += "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) md += i == 0 ? "---|" : "---:|";
  md += "\n";
  for (const auto& r : t.rows) {
    md += "|";
    for (const auto& c : r) md += " " + c + " |";
    md += "\n";
  }
  const Json& ex = member(cmp, "expectations");
  if (!ex.empty()) {
    md += "\n## Expectations\n\n| expectation |";
    for (const auto& d : member(cmp, "designs")) md += " " + member_text(d, "name") + " |";
    md += "\n|---|";
    for (std::size_t i = 0; i < member(cmp, "designs").size(); ++i) md += "---|";
    md += "\n";
    for (const auto& e : ex) {
      md += "| " + member_text(e, "expectation") + " |";
      for (std::size_t i = 0; i < member(e, "verdicts").size(); ++i) {
        std::string v = member(e, "verdicts")[i].get<std::string>();
        md += fmt::format(" {} {} |", v == "PASS" ? "PASS" : "**" + v + "**", member(e, "actual")[i].get<std::string>());
      }
      md += "\n";
    }
  }
  return md;
}

std::string compare_console(const Json& cmp) {
  Table t = metric_table(cmp, true);
  const Json& ex = member(cmp, "expectations");
  for (const auto& e : ex) {
    std::vector<std::string> row = {member_text(e, "expectation")};
    for (std::size_t i = 0; i < member(e, "verdicts").size(); ++i) {
      row.push_back(member(e, "verdicts")[i].get<std::string>() + " " + member(e, "actual")[i].get<std::string>());
    }
    t.rows.push_back(row);
  }
  std::vector<std::size_t> width(t.header.size(), 0);
  auto measure = [&](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  };
  measure(t.header);
  for (const auto& r : t.rows) measure(r);
  std::string out;
  auto line = [&](const std::vector<std::string>& r) {
    std::string l;
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
      l += i == 0 ? fmt::format("{:<{}}", r[i], width[i]) : fmt::format("  {:>{}}", r[i], width[i]);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  const Json& sc = member(cmp, "scenario");
  const Json& n = member(cmp, "seeds");
  std::size_t seeds = n.is_number() ? n.get<std::size_t>() : 1;
  out += fmt::format("compare {} (seed {}): {} designs, differences against {}{}\n", member_text(sc, "name"),
                     member_text(sc, "seed"), member(cmp, "designs").size(), member_text(member(cmp, "designs")[0], "name"),
                     seeds > 1 ? fmt::format("; {} seeds each, means, Welch's t-test at 5% for the noise", seeds) : "");
  line(t.header);
  std::size_t metric_rows = t.rows.size() - ex.size();
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (i == metric_rows && !ex.empty()) {
      std::vector<std::string> sep = {"expectations"};
      line(sep);
    }
    line(t.rows[i]);
  }
  return out;
}

std::string compare_html(const Json& cmp, const std::vector<Design>& designs) {
  const Json& sc = member(cmp, "scenario");
  std::string b = fmt::format("<h1>Comparison: {}</h1>\n", html_escape(member_text(sc, "name")));
  b += fmt::format("<p class=\"sub\">Scenario <code>{}</code>, seed {}, on {} designs. Differences are against the "
                   "first design, <b>{}</b>; green is better, red worse. {}</p>\n",
                   html_escape(member_text(sc, "file")), html_escape(member_text(sc, "seed")), designs.size(),
                   html_escape(designs.empty() ? "" : designs[0].name), html_escape(noise_sentence(cmp)));
  std::vector<std::vector<std::string>> drows;
  for (const auto& d : member(cmp, "designs")) {
    std::string ov;
    for (const auto& o : member(d, "overrides")) {
      ov += fmt::format("{}<code>{}</code>", ov.empty() ? "" : "<br>", html_escape(o.get<std::string>()));
    }
    bool pass = member(d, "passed").get<bool>();
    drows.push_back({"<b>" + html_escape(member_text(d, "name")) + "</b>", "<code>" + html_escape(member_text(d, "topology")) + "</code>",
                     ov.empty() ? "-" : ov,
                     fmt::format("<a href=\"{}/report.html\">{}</a>", html_escape(member_text(d, "dir")), html_escape(member_text(d, "dir"))),
                     cell(pass ? "pass" : "fail", pass ? "PASS" : "FAIL")});
  }
  b += html_table({"design", "topology", "changes", "report", "verdict"}, drows);

  b += "<h2>Metrics</h2>\n";
  std::vector<std::string> header = {"metric"};
  for (const auto& d : member(cmp, "designs")) header.push_back(html_escape(member_text(d, "name")));
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : member(cmp, "metrics")) {
    const Json& values = member(m, "values");
    if (std::none_of(values.begin(), values.end(), [](const Json& v) { return v.is_number(); })) continue;
    std::vector<std::string> row = {html_escape(member_text(m, "title"))};
    bool lower_better = member(m, "lower_is_better").get<bool>();
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::string c = values[i].is_number() ? scenario::format_value(member_text(m, "unit"), values[i].get<double>()) : "-";
      std::string cls = "num";
      if (i > 0 && values[i].is_number() && values[0].is_number()) {
        std::string d = diff_text(values[i], values[0], member_text(m, "unit"));
        double delta = values[i].get<double>() - values[0].get<double>();
        if (!d.empty() && d != "=" && !beyond_noise(m, i)) {
          c += " <span class=\"muted\">(" + html_escape(d) + ", within noise)</span>";
        } else if (!d.empty() && d != "=") {
          c += " <span class=\"muted\">(" + html_escape(d) + ")</span>";
          cls = (delta < 0) == lower_better ? "num better" : "num worse";
        }
      }
      row.push_back(cell(cls, c));
    }
    rows.push_back(row);
  }
  b += html_table(header, rows);
  const Json& ex = member(cmp, "expectations");
  if (!ex.empty()) {
    b += "<h2>Expectations</h2>\n";
    std::vector<std::vector<std::string>> erows;
    for (const auto& e : ex) {
      std::vector<std::string> row = {html_escape(member_text(e, "expectation"))};
      for (std::size_t i = 0; i < member(e, "verdicts").size(); ++i) {
        std::string v = member(e, "verdicts")[i].get<std::string>();
        row.push_back(cell(v == "PASS" ? "pass" : "fail", html_escape(v + " " + member(e, "actual")[i].get<std::string>())));
      }
      erows.push_back(row);
    }
    b += html_table(header, erows);
  }
  std::string a = "<h2>Designs</h2>\n";
  for (const auto& d : designs) {
    if (d.diagram.empty()) continue;
    a += fmt::format("<h3>{}</h3>\n<div class=\"diagram\">\n{}</div>\n", html_escape(d.name), d.diagram);
  }
  Json data;
  data["compare"] = cmp;
  Json dd = Json::array();
  for (const auto& d : designs) {
    if (d.report) dd.push_back({{"name", d.name}, {"report", d.report->chart_json()}});
  }
  data["designs"] = dd;
  HtmlPage page;
  page.title = fmt::format("infrasim: compare {}", member_text(sc, "name"));
  page.kind = "compare";
  page.body = b;
  page.after = a;
  page.data = data;
  return html_page(page);
}

}  // namespace sim::report
