// infrasim chaos SCENARIO --each-single-failure: the N-1 analysis. The scenario
// runs once per single failure (every component, every instance, every zone and
// region), each in its own child process, and the matrix says which failure
// breaks which expectation, with the measured RTO and RPO.
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/cli/child.h"
#include "sim/cli/cli.h"
#include "sim/cli/run_one.h"
#include "sim/core/exit_status.h"
#include "sim/core/units.h"
#include "sim/report/headline.h"
#include "sim/report/html.h"

namespace sim::cli {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

struct Case {
  std::string name;   ///< directory-safe: "app-1", "zone-fra1-a"
  std::string label;  ///< "crash app[1]"
  scenario::Fault fault;
};

std::vector<Case> single_failures(const topology::Topology& t, double at, double length) {
  std::vector<Case> out;
  auto add = [&](const std::string& name, const scenario::Target& target) {
    scenario::Fault f;
    f.kind = scenario::Fault::Kind::kCrash;
    f.at = at;
    f.length = length;
    f.target = target;
    f.name = "crash " + target.text();
    out.push_back({name, f.name, f});
  };
  for (const auto& c : t.components) {
    if (c.kind == topology::Kind::kCdn) continue;
    scenario::Target whole;
    whole.component = c.name;
    add(c.name, whole);
    if (c.kind == topology::Kind::kDatabase) {
      scenario::Target p = whole;
      p.role = "primary";
      if (c.database()->replicas > 0) add(c.name + "-primary", p);
      for (int i = 0; i < c.database()->replicas; ++i) {
        scenario::Target r = whole;
        r.role = "replica";
        r.instance = i;
        add(fmt::format("{}-replica-{}", c.name, i), r);
      }
    } else if (c.instances() > 1 && c.kind != topology::Kind::kQueue) {
      for (int i = 0; i < c.instances(); ++i) {
        scenario::Target inst = whole;
        inst.instance = i;
        add(fmt::format("{}-{}", c.name, i), inst);
      }
    }
  }
  for (const auto& r : t.regions) {
    if (r.zones.size() > 1 || t.regions.size() > 1) {
      for (const auto& z : r.zones) {
        scenario::Target zt;
        zt.zone = z;
        add("zone-" + z, zt);
      }
    }
    if (t.regions.size() > 1) {
      scenario::Target rt;
      rt.region = r.name;
      add("region-" + r.name, rt);
    }
  }
  return out;
}

}  // namespace

std::function<int()> add_chaos(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::string scenario;
    bool each = false;
    std::string at_text, for_text;
    std::string out;
    int jobs = 0;
    std::vector<std::string> sets;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("scenario", o->scenario, "the scenario to break (usually a steady-state one)")->required();
  app.add_flag("--each-single-failure", o->each, "run once per component, instance, zone and region failure (N-1)")
      ->required();
  app.add_option("--at", o->at_text, "when each failure happens (default: a third into the run)");
  app.add_option("--for", o->for_text, "how long it lasts (default: until the end)");
  app.add_option("--out", o->out, "output directory (default reports/<scenario>-chaos/)");
  app.add_option("-j,--jobs", o->jobs, "runs in parallel (default: all cores)");
  app.add_option("--set", o->sets, "override a value in every run: components.app.replicas=5 or scenario.duration=10m")
      ->take_all();
  app.footer("Writes chaos.md, chaos.json and chaos.html (the matrix) and one report directory per failure.\n"
             "Exit status: 0 when no single failure breaks an expectation, 1 otherwise, 2 bad input.");
  return [o, &global]() {
    RunRequest base;
    base.scenario_path = o->scenario;
    for (const std::string& text : o->sets) {
      std::string err;
      auto ov = scenario::parse_override(text, &err);
      if (!ov) {
        std::fprintf(stderr, "infrasim chaos: %s\n", err.c_str());
        return static_cast<int>(core::kBadInput);
      }
      base.overrides.push_back(*ov);
    }
    core::Diagnostics diags;
    auto loaded = load_checked(base, diags);
    if (!loaded) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    const scenario::Scenario& s = loaded->scenario;
    double at = s.duration / 3, length = 0;
    for (auto [text, value] : {std::pair{&o->at_text, &at}, std::pair{&o->for_text, &length}}) {
      if (text->empty()) continue;
      std::string expected;
      auto v = core::parse_duration(*text, &expected);
      if (!v || *v >= s.duration) {
        std::fprintf(stderr, "infrasim chaos: invalid duration '%s'; expected %s shorter than the run (%s)\n",
                     text->c_str(), expected.c_str(), core::format_duration(s.duration).c_str());
        return static_cast<int>(core::kBadInput);
      }
      *value = *v;
    }
    std::string out = o->out.empty() ? (fs::path("reports") / (s.name + "-chaos")).string() : o->out;
    std::vector<Case> cases = single_failures(loaded->topology, at, length);
    std::vector<std::function<int()>> jobs;
    for (const Case& c : cases) {
      RunRequest r = base;
      r.extra_faults = {c.fault};
      r.name_suffix = "-" + c.name;
      r.out_dir = (fs::path(out) / c.name).string();
      r.summary = false;
      jobs.push_back([r]() { return run_one(r); });
    }
    bool tty = !global.quiet && stderr_is_tty();
    std::size_t done = 0;
    run_children(jobs, o->jobs, [&](std::size_t, const ChildResult&) {
      ++done;
      if (tty) std::fprintf(stderr, "\rchaos: %zu/%zu runs", done, cases.size());
    });
    if (tty) std::fprintf(stderr, "\r\033[K");

    // The matrix, from each run's report.json.
    std::vector<std::string> metrics;
    for (const auto& e : s.expectations) metrics.push_back(e.metric + (e.request_class.empty() ? "" : ":" + e.request_class));
    Json matrix = Json::array();
    bool any_broken = false;
    std::string md = fmt::format("# Single-failure analysis of {}\n\nEach row: the scenario with one more fault, "
                                 "a crash at {}{}.\n\n| failure | RTO | RPO | writes lost |",
                                 s.name, core::format_duration(at),
                                 length > 0 ? " for " + core::format_duration(length) : " until the end");
    for (const auto& m : metrics) md += " " + m + " |";
    md += " breaks |\n|---|---|---|---|";
    for (std::size_t i = 0; i < metrics.size(); ++i) md += "---|";
    md += "---|\n";
    fmt::print("{:<22} {:>10} {:>9} {:>6}", "failure", "RTO", "RPO", "lost");
    for (const auto& m : metrics) fmt::print(" {:>14}", m.substr(0, 14));
    fmt::print("\n");
    for (const Case& c : cases) {
      // A child that died mid-write leaves no report or half of one: a failed run, not an exception.
      Json rep = report::read_report_file((fs::path(out) / c.name / "report.json").string());
      Json row;
      row["failure"] = c.label;
      if (rep.is_null()) {
        row["error"] = "the run wrote no report";
        matrix.push_back(row);
        any_broken = true;
        fmt::print("{:<22} run failed (see {}/{})\n", c.label, out, c.name);
        md += fmt::format("| {} | run failed | | |\n", c.label);
        continue;
      }
      std::string rto = "-", rpo = "0s";
      std::uint64_t lost = 0;
      for (const auto& rec : rep["recovery"]) {
        if (rec["fault"] != c.label) continue;
        rto = rec["rto"].is_null() ? "never" : core::format_duration(rec["rto"].get<double>());
        rpo = core::format_duration(rec["rpo"].get<double>());
        lost = rec["writes_lost"].get<std::uint64_t>();
        row["rto"] = rec["rto"];
        row["rpo"] = rec["rpo"];
        row["writes_lost"] = lost;
        row["predicted_rto"] = rec["predicted_rto"];
        row["prediction"] = rec["prediction"];
      }
      std::vector<std::string> broken;
      Json verdicts = Json::object();
      fmt::print("{:<22} {:>10} {:>9} {:>6}", c.label, rto, rpo, lost);
      md += fmt::format("| {} | {} | {} | {} |", c.label, rto, rpo, lost);
      std::size_t k = 0;
      for (const auto& e : rep["expectations"]) {
        std::string v = e["verdict"];
        std::string cell = v == "PASS" ? "ok" : "FAIL " + e["actual"].get<std::string>();
        if (v != "PASS") broken.push_back(metrics[k]);
        verdicts[metrics[k]] = {{"verdict", v}, {"actual", e["actual"]}};
        fmt::print(" {:>14}", cell.substr(0, 14));
        md += " " + (v == "PASS" ? std::string("ok") : "**" + cell + "**") + " |";
        ++k;
      }
      std::string breaks;
      for (const auto& b : broken) breaks += (breaks.empty() ? "" : ", ") + b;
      md += " " + (breaks.empty() ? std::string("none") : breaks) + " |\n";
      fmt::print("\n");
      row["expectations"] = verdicts;
      row["breaks"] = broken;
      any_broken = any_broken || !broken.empty();
      matrix.push_back(row);
    }
    // chaos.html: the same matrix, each failure linked to its own report.
    std::vector<std::string> header = {"failure", "RTO", "RPO", "writes lost"};
    for (const auto& m : metrics) header.push_back(report::html_escape(m));
    header.push_back("breaks");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Json& row = matrix[i];
      std::vector<std::string> cells;
      cells.push_back(fmt::format("<a href=\"{}/report.html\">{}</a>", cases[i].name, report::html_escape(cases[i].label)));
      auto dur = [&](const char* key) {
        if (!row.contains(key)) return std::string("-");
        return row[key].is_null() ? std::string("never") : core::format_duration(row[key].get<double>());
      };
      cells.push_back(report::cell("num", dur("rto")));
      cells.push_back(report::cell("num", dur("rpo")));
      cells.push_back(report::cell("num", row.contains("writes_lost") ? std::to_string(row["writes_lost"].get<std::uint64_t>()) : "-"));
      for (const auto& m : metrics) {
        if (!row.contains("expectations") || !row["expectations"].contains(m)) {
          cells.push_back("-");
          continue;
        }
        const Json& v = row["expectations"][m];
        bool ok = v["verdict"] == "PASS";
        cells.push_back(report::cell(ok ? "pass" : "fail", ok ? "ok" : report::html_escape(v["actual"].get<std::string>())));
      }
      std::string breaks;
      if (row.contains("breaks")) {
        for (const auto& b : row["breaks"]) breaks += (breaks.empty() ? "" : ", ") + b.get<std::string>();
      }
      cells.push_back(breaks.empty() ? report::cell("pass", "none") : report::cell("fail", report::html_escape(breaks)));
      rows.push_back(std::move(cells));
    }
    report::HtmlPage page;
    page.title = "infrasim chaos: " + s.name;
    page.kind = "tables";
    page.body = fmt::format("<h1>Single-failure analysis of {}</h1>\n<p class=\"sub\">Each row is the scenario with "
                            "one more fault: a crash at {}{}. Click a failure for its full report.</p>\n",
                            report::html_escape(s.name), core::format_duration(at),
                            length > 0 ? " for " + core::format_duration(length) : " until the end") +
                report::topology_svg(loaded->topology) + "<h2>Matrix</h2>\n" + report::html_table(header, rows);
    page.data = Json::object();
    const std::string html = report::html_page(page);

    Json j;
    j["scenario"] = s.name;
    j["failure_at"] = at;
    j["failure_for"] = length;
    j["matrix"] = matrix;
    for (const auto& [name, text] : {std::pair<const char*, std::string>{"chaos.json", report::dump(j)},
                                     {"chaos.md", md}, {"chaos.html", html}}) {
      std::ofstream file(fs::path(out) / name, std::ios::binary | std::ios::trunc);
      file << text;
      if (!file) {
        std::fprintf(stderr, "infrasim chaos: cannot write %s; expected a writable directory\n",
                     (fs::path(out) / name).string().c_str());
        return static_cast<int>(core::kBadInput);
      }
    }
    fmt::print("\n{} single failures; matrix in {}/chaos.md, chaos.json and chaos.html\n", cases.size(), out);
    return any_broken ? static_cast<int>(core::kChecksFailed) : static_cast<int>(core::kOk);
  };
}

}  // namespace sim::cli
