#include "sim/advise/advice.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/report/html.h"

namespace sim::advise {

using core::format_duration;
using report::Json;

bool Advice::solved() const {
  if (baseline && breached.empty()) return true;
  return std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.rank > 0 && r.meets_all; });
}

namespace {

// Every check of a report by id: passed or not, and its value for people.
struct Check {
  bool pass = true;
  std::string actual;
};
std::map<std::string, Check> checks_of(const report::RunReport& r) {
  std::map<std::string, Check> out;
  for (const auto& e : r.expectations) out[e.id()] = {e.pass, e.actual};
  for (const auto& a : r.resilience) out[a.id()] = {a.met, a.detail};
  return out;
}

int instances_of(const report::RunReport& r) {
  int n = 0;
  for (const auto& c : r.components) n += c.instances;
  return n;
}

std::optional<double> writes_p99(const report::RunReport& r) {
  std::optional<double> worst;
  for (const auto& c : r.classes) {
    if (c.write && c.latency.count > 0) worst = std::max(worst.value_or(0.0), c.latency.p99);
  }
  return worst;
}

std::string signed_duration(const std::optional<double>& d) {
  if (!d) return "-";
  if (std::abs(*d) < 5e-7) return "+0s";
  return (*d > 0 ? "+" : "-") + format_duration(std::abs(*d));
}

std::string meets_text(const Row& r) {
  if (!r.trial.remedy.available) return "not available";
  if (!r.trial.report) return "did not run";
  if (r.meets_all) return "all";
  if (r.met.empty()) return "none";
  return core::join(r.met);
}

}  // namespace

Advice make_advice(const std::string& scenario, const std::string& baseline_dir,
                   const std::optional<report::RunReport>& baseline, const std::string& baseline_error,
                   std::vector<Trial> trials) {
  Advice a;
  a.scenario = scenario;
  a.baseline_dir = baseline_dir;
  a.baseline = baseline;
  a.baseline_error = baseline_error;
  if (baseline) a.breached = baseline->failing();
  std::map<std::string, Check> before = baseline ? checks_of(*baseline) : std::map<std::string, Check>{};
  int base_instances = baseline ? instances_of(*baseline) : 0;
  double base_p99 = baseline ? baseline->summary.latency.p99 : 0.0;
  std::optional<double> base_writes = baseline ? writes_p99(*baseline) : std::nullopt;
  std::vector<Row> ranked, rest;
  for (auto& t : trials) {
    Row row;
    row.trial = std::move(t);
    const auto& rep = row.trial.report;
    if (!rep || !baseline) {
      rest.push_back(std::move(row));
      continue;
    }
    std::map<std::string, Check> after = checks_of(*rep);
    std::vector<std::string> verdicts;
    for (const auto& id : a.breached) {
      auto it = after.find(id);
      bool pass = it != after.end() && it->second.pass;
      (pass ? row.met : row.still).push_back(id);
      verdicts.push_back(fmt::format("{} {} (was {})", id, it != after.end() ? it->second.actual : "?",
                                     before.count(id) ? before[id].actual : "?"));
    }
    for (const auto& [id, c] : after) {
      auto b = before.find(id);
      if (!c.pass && b != before.end() && b->second.pass) row.broken.push_back(id);
    }
    row.meets_all = row.still.empty() && row.broken.empty();
    row.instances = instances_of(*rep);
    row.instances_delta = row.instances - base_instances;
    row.p99 = rep->summary.latency.p99;
    row.p99_delta = report::fixed(*row.p99 - base_p99);
    row.writes_p99 = writes_p99(*rep);
    if (row.writes_p99 && base_writes) row.writes_p99_delta = report::fixed(*row.writes_p99 - *base_writes);
    row.verdicts = core::join(verdicts);
    ranked.push_back(std::move(row));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Row& x, const Row& y) {
    if (x.meets_all != y.meets_all) return x.meets_all;
    if (x.met.size() != y.met.size()) return x.met.size() > y.met.size();
    if (x.broken.size() != y.broken.size()) return x.broken.size() < y.broken.size();
    if (x.instances_delta != y.instances_delta) return x.instances_delta < y.instances_delta;
    double px = x.p99_delta.value_or(0), py = y.p99_delta.value_or(0);
    if (std::abs(px - py) > 1e-9) return px < py;
    double wx = x.writes_p99_delta.value_or(0), wy = y.writes_p99_delta.value_or(0);
    if (std::abs(wx - wy) > 1e-9) return wx < wy;
    return x.trial.remedy.id < y.trial.remedy.id;
  });
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i].rank = static_cast<int>(i + 1);
  a.rows = std::move(ranked);
  for (auto& r : rest) a.rows.push_back(std::move(r));
  return a;
}

Json advice_json(const Advice& a) {
  Json j;
  j["infrasim"] = {{"version", INFRASIM_VERSION}};
  j["scenario"] = a.scenario;
  j["baseline"] = {{"dir", a.baseline_dir},
                   {"outcome", a.baseline ? a.baseline->outcome : "no report"},
                   {"breached", a.breached}};
  if (!a.baseline) j["baseline"]["error"] = a.baseline_error;
  j["solved"] = a.solved();
  Json rows = Json::array();
  for (const auto& r : a.rows) {
    Json x;
    x["rank"] = r.rank;
    x["remedy"] = r.trial.remedy.kind;
    x["id"] = r.trial.remedy.id;
    x["change"] = r.trial.remedy.change;
    x["available"] = r.trial.remedy.available;
    x["overrides"] = r.trial.overrides;
    x["dir"] = r.trial.dir;
    if (!r.trial.error.empty()) x["error"] = r.trial.error;
    if (r.trial.report) {
      x["meets_all"] = r.meets_all;
      x["met"] = r.met;
      x["still_failing"] = r.still;
      x["broken"] = r.broken;
      x["instances"] = r.instances;
      x["instances_delta"] = r.instances_delta;
      x["latency_p99"] = r.p99 ? Json(*r.p99) : Json(nullptr);
      x["latency_p99_delta"] = r.p99_delta ? Json(*r.p99_delta) : Json(nullptr);
      x["writes_p99"] = r.writes_p99 ? Json(*r.writes_p99) : Json(nullptr);
      x["writes_p99_delta"] = r.writes_p99_delta ? Json(*r.writes_p99_delta) : Json(nullptr);
      x["verdicts"] = r.verdicts;
    }
    x["cost_note"] = r.trial.remedy.cost_note;
    rows.push_back(x);
  }
  j["remedies"] = rows;
  return j;
}

namespace {

std::string headline(const Advice& a) {
  if (!a.baseline) return "The scenario as written did not run: " + a.baseline_error;
  if (a.breached.empty()) return "The scenario as written meets every target: nothing to remedy.";
  for (const auto& r : a.rows) {
    if (r.rank == 1 && r.meets_all) {
      return fmt::format("Best: {} ({}): meets {}; costs {} instance{}, latency p99 {}, writes' p99 {}{}.",
                         r.trial.remedy.kind, r.trial.remedy.change, core::join(a.breached),
                         fmt::format("{:+d}", r.instances_delta), std::abs(r.instances_delta) == 1 ? "" : "s",
                         signed_duration(r.p99_delta), signed_duration(r.writes_p99_delta),
                         r.trial.remedy.cost_note.empty() ? "" : "; " + r.trial.remedy.cost_note);
    }
  }
  return fmt::format("No single standard remedy meets {}; the table shows how close each comes.", core::join(a.breached));
}

}  // namespace

std::string advice_markdown(const Advice& a) {
  std::string md = fmt::format("# Advice for {}\n\n", a.scenario);
  md += fmt::format("Breached as written: {}.\n\n**{}**\n\n", a.breached.empty() ? "nothing" : core::join(a.breached),
                    headline(a));
  md += "Each remedy ran as a variant of the scenario (same seed); cost is against the scenario as written.\n\n";
  md += "| rank | remedy | change | meets | breaks | instances | latency p99 | writes' p99 | checks (was) | other cost |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : a.rows) {
    const Remedy& m = r.trial.remedy;
    if (!r.trial.report) {
      md += fmt::format("| - | {} | {} | {} | | | | | {} | {} |\n", m.kind, m.change, meets_text(r), r.trial.error,
                        m.cost_note);
      continue;
    }
    md += fmt::format("| {} | {} | {} | {} | {} | {:+d} | {} ({}) | {} | {} | {} |\n", r.rank, m.kind, m.change,
                      meets_text(r), r.broken.empty() ? "none" : core::join(r.broken), r.instances_delta,
                      r.p99 ? format_duration(*r.p99) : "-", signed_duration(r.p99_delta),
                      signed_duration(r.writes_p99_delta), r.verdicts, m.cost_note);
  }
  return md;
}

std::string advice_console(const Advice& a, const std::string& out) {
  std::string s = fmt::format("advise {}: breached as written: {}\n", a.scenario,
                              a.breached.empty() ? "nothing" : core::join(a.breached));
  s += fmt::format("{:<5} {:<32} {:<24} {:>9} {:>11} {:>11}  {}\n", "rank", "remedy", "meets", "instances", "p99",
                   "writes p99", "change");
  for (const auto& r : a.rows) {
    const Remedy& m = r.trial.remedy;
    std::string meets = meets_text(r);
    if (!r.broken.empty()) meets += " (breaks " + core::join(r.broken) + ")";
    if (!r.trial.report) {
      s += fmt::format("{:<5} {:<32} {:<24} {:>9} {:>11} {:>11}  {}\n", "-", m.kind.substr(0, 32), meets.substr(0, 24),
                       "", "", "", r.trial.error.empty() ? m.change : r.trial.error);
      continue;
    }
    s += fmt::format("{:<5} {:<32} {:<24} {:>9} {:>11} {:>11}  {}\n", r.rank, m.kind.substr(0, 32), meets.substr(0, 24),
                     fmt::format("{:+d}", r.instances_delta), signed_duration(r.p99_delta),
                     signed_duration(r.writes_p99_delta), m.change);
  }
  s += headline(a) + "\n";
  s += fmt::format("reports: {}/advice.md, {}/advice.html, {}/advice.json\n", out, out, out);
  return s;
}

std::string advice_html(const Advice& a, const std::string& diagram) {
  using report::cell;
  using report::html_escape;
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : a.rows) {
    const Remedy& m = r.trial.remedy;
    std::string name = r.trial.report ? fmt::format("<a href=\"{}/report.html\">{}</a>", html_escape(r.trial.dir),
                                                    html_escape(m.kind))
                                      : html_escape(m.kind);
    std::string meets = meets_text(r);
    rows.push_back({cell("num", r.rank > 0 ? std::to_string(r.rank) : "-"), name, html_escape(m.change),
                    cell(r.meets_all ? "pass" : r.trial.report ? "fail" : "none", html_escape(meets)),
                    html_escape(r.broken.empty() ? (r.trial.report ? "none" : "") : core::join(r.broken)),
                    cell("num", r.trial.report ? fmt::format("{:+d}", r.instances_delta) : ""),
                    cell("num", r.trial.report ? signed_duration(r.p99_delta) : ""),
                    cell("num", r.trial.report ? signed_duration(r.writes_p99_delta) : ""),
                    html_escape(r.trial.report ? r.verdicts : r.trial.error), html_escape(m.cost_note)});
  }
  report::HtmlPage page;
  page.title = "infrasim advise: " + a.scenario;
  page.kind = "tables";
  page.body = fmt::format("<h1>Advice for {}</h1>\n<p class=\"sub\">Breached as written: {}. Each remedy ran as a "
                          "variant of the scenario; cost is against the scenario as written "
                          "(<a href=\"{}/report.html\">its report</a>).</p>\n<p><b>{}</b></p>\n",
                          html_escape(a.scenario), html_escape(a.breached.empty() ? "nothing" : core::join(a.breached)),
                          html_escape(a.baseline_dir), html_escape(headline(a))) +
              report::html_table({"rank", "remedy", "change", "meets", "breaks", "instances", "latency p99",
                                  "writes' p99", "checks (was)", "other cost"},
                                 rows) +
              "<h2>Topology</h2>\n<div class=\"diagram\">\n" + diagram + "</div>\n";
  page.data = Json::object();
  return report::html_page(page);
}

}  // namespace sim::advise
