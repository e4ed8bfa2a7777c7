// infrasim chaos SCENARIO --each-single-failure: the N-1 analysis. The scenario
// runs once per single failure (every component, every instance, every zone and
// region), each in its own child process, and the matrix says which failure
// breaks which expectation, with the measured RTO and RPO.
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "sim/cli/child.h"
#include "sim/cli/cli.h"
#include "sim/cli/run_one.h"
#include "sim/core/exit_status.h"
#include "sim/core/units.h"
#include "sim/report/chaos.h"
#include "sim/report/html.h"

namespace sim::cli {

namespace fs = std::filesystem;

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
    std::vector<report::ChaosCase> runs;
    for (const Case& c : cases) {
      // A child that died mid-write leaves no report or half of one: a failed run, not an exception.
      runs.push_back({c.name, c.label, report::read_run_report((fs::path(out) / c.name / "report.json").string()), ""});
    }
    report::ChaosMatrix matrix = report::chaos_matrix(s.name, at, length, metrics, runs);
    std::fputs(report::chaos_console(matrix, out).c_str(), stdout);
    for (const auto& [name, text] : {std::pair<const char*, std::string>{"chaos.json", report::dump(report::chaos_json(matrix))},
                                     {"chaos.md", report::chaos_markdown(matrix)},
                                     {"chaos.html", report::chaos_html(matrix, report::topology_svg(loaded->topology))}}) {
      std::ofstream file(fs::path(out) / name, std::ios::binary | std::ios::trunc);
      file << text;
      if (!file) {
        std::fprintf(stderr, "infrasim chaos: cannot write %s; expected a writable directory\n",
                     (fs::path(out) / name).string().c_str());
        return static_cast<int>(core::kBadInput);
      }
    }
    fmt::print("\n{} single failures; matrix in {}/chaos.md, chaos.json and chaos.html\n", cases.size(), out);
    return matrix.broken() ? static_cast<int>(core::kChecksFailed) : static_cast<int>(core::kOk);
  };
}

}  // namespace sim::cli
