// infrasim chaos SCENARIO --each-single-failure: the N-1 analysis. The scenario
// runs once per single failure (every component, every instance, every zone and
// region), each in its own child process, and the matrix says which failure
// breaks which expectation, with the measured RTO and RPO.
#include <filesystem>
#include <fmt/format.h>

#include "sim/cli/cli.h"
#include "sim/cli/options.h"
#include "sim/core/exit_status.h"
#include "sim/core/units.h"
#include "sim/report/chaos.h"
#include "sim/report/html.h"
#include "sim/runs/batch.h"
#include "sim/runs/output.h"

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
    f.silent = target.lost_silently();
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
    bool each = false, resume = false;
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
  app.add_flag("--resume", o->resume,
               "reuse every complete run of an interrupted matrix in --out (same request, same input files); run the rest");
  app.footer("Writes chaos.md, chaos.json and chaos.html (the matrix) and one report directory per failure.\n"
             "Exit status: 0 when no single failure breaks an expectation, 1 when one does (or its run stops\n"
             "without a report: a limit, or a load the model cannot carry), 2 bad input, 3 a run crashed.");
  return [o, &global]() {
    runs::RunRequest base;
    base.scenario_path = o->scenario;
    auto overrides = parse_sets(o->sets, "chaos");
    if (!overrides) return static_cast<int>(core::kBadInput);
    base.overrides = *overrides;
    core::Diagnostics diags;
    auto loaded = runs::load_checked(base, diags);
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
    runs::DirLock lock(out);
    if (!lock.ok()) {
      std::fprintf(stderr, "infrasim chaos: %s\n", lock.error().c_str());
      return static_cast<int>(core::kBadInput);
    }
    std::vector<Case> cases = single_failures(loaded->topology, at, length);
    runs::Batch batch;
    batch.label = "chaos " + s.name;
    batch.parallel = o->jobs;
    batch.progress = !global.quiet;
    batch.ledger_dir = out;
    batch.resume = o->resume;
    for (const Case& c : cases) {
      runs::RunRequest r = base;
      r.extra_faults = {c.fault};
      r.name_suffix = "-" + c.name;
      r.out_dir = (fs::path(out) / c.name).string();
      r.summary = false;
      batch.runs.push_back(r);
    }
    std::vector<runs::RunOutcome> outcomes = runs::run_batch(batch);

    // The matrix, from each run's report.
    std::vector<std::string> metrics;
    for (const auto& e : s.expectations) metrics.push_back(e.metric + (e.request_class.empty() ? "" : ":" + e.request_class));
    std::vector<report::ChaosCase> matrix_cases;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (!outcomes[i].complete()) {
        std::fprintf(stderr, "infrasim chaos: %s: %s\n", cases[i].label.c_str(), runs::describe(outcomes[i]).c_str());
      }
      matrix_cases.push_back({cases[i].name, cases[i].label, outcomes[i].report, outcomes[i].error});
    }
    report::ChaosMatrix matrix = report::chaos_matrix(s.name, at, length, metrics, matrix_cases);
    std::fputs(report::chaos_console(matrix, out).c_str(), stdout);
    std::string err = runs::write_files(out, {{"chaos.md", report::chaos_markdown(matrix)},
                                              {"chaos.html", report::chaos_html(matrix, report::topology_svg(loaded->topology))},
                                              {"chaos.json", report::dump(report::chaos_json(matrix))}});
    if (!err.empty()) {
      std::fprintf(stderr, "infrasim chaos: %s\n", err.c_str());
      return static_cast<int>(core::kInternal);
    }
    fmt::print("\n{} single failures; matrix in {}/chaos.md, chaos.json and chaos.html\n", cases.size(), out);
    return runs::command_status(outcomes, matrix.broken() ? static_cast<int>(core::kChecksFailed)
                                                          : static_cast<int>(core::kOk));
  };
}

}  // namespace sim::cli
