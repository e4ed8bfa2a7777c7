// infrasim run SCENARIO...: simulate, judge the expectations, write reports.
// One scenario runs in this process; several, or --runs K (Monte Carlo), are a
// batch of child processes (runs/batch.h), read back for --junit, --summary
// and montecarlo.json.
#include <filesystem>
#include <fmt/format.h>

#include "sim/cli/cli.h"
#include "sim/cli/options.h"
#include "sim/core/exit_status.h"
#include "sim/core/random.h"
#include "sim/report/html.h"
#include "sim/report/junit.h"
#include "sim/report/montecarlo.h"
#include "sim/report/openmetrics.h"
#include "sim/runs/batch.h"
#include "sim/runs/output.h"

namespace sim::cli {

namespace {

namespace fs = std::filesystem;
using runs::RunRequest;

// The exit status of a run by its outcome, as run_one returns it.
int status_of(const runs::RunOutcome& o) {
  switch (o.status) {
    case runs::RunStatus::kPassed: return core::kOk;
    case runs::RunStatus::kFailed:
    case runs::RunStatus::kStopped: return core::kChecksFailed;
    case runs::RunStatus::kRejected: return core::kBadInput;
    case runs::RunStatus::kCrashed: return core::kInternal;
  }
  return core::kInternal;
}

// K runs of each scenario with derived seeds into <dir>/runs/; montecarlo.{json,md,html} per scenario.
int run_monte_carlo(const std::vector<RunRequest>& reqs, const std::vector<scenario::Loaded>& loaded, int k_runs,
                    int parallel, bool progress, bool resume, std::vector<report::SuiteInput>* suites) {
  int worst = core::kOk;
  std::vector<runs::RunOutcome> all;
  for (std::size_t k = 0; k < reqs.size(); ++k) {
    const scenario::Scenario& s = loaded[k].scenario;
    std::string dir = runs::report_dir(reqs[k], s);
    runs::DirLock lock(dir);
    if (!lock.ok()) {
      std::fprintf(stderr, "infrasim run: %s\n", lock.error().c_str());
      return core::kBadInput;
    }
    runs::Batch batch;
    batch.label = s.name;
    batch.parallel = parallel;
    batch.progress = progress;
    batch.ledger_dir = (fs::path(dir) / "runs").string();
    batch.resume = resume;
    std::vector<std::string> rel_dirs;
    int digits = static_cast<int>(std::to_string(k_runs - 1).size());
    for (int i = 0; i < k_runs; ++i) {
      RunRequest r = reqs[k];
      r.seed = core::derive_run_seed(s.seed, static_cast<std::uint64_t>(i));  // --seed is already in s.seed
      rel_dirs.push_back(fmt::format("runs/{:0{}}-seed{}", i, digits, *r.seed));
      r.out_dir = (fs::path(dir) / rel_dirs.back()).string();
      r.summary = false;
      r.progress = false;
      batch.runs.push_back(r);
    }
    std::vector<runs::RunOutcome> outcomes = runs::run_batch(batch);
    std::vector<report::McRun> mc_runs;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const runs::RunOutcome& o = outcomes[i];
      if (!o.complete()) {
        std::fprintf(stderr, "%s: run %zu (seed %llu): %s\n", reqs[k].scenario_path.c_str(), i,
                     static_cast<unsigned long long>(*batch.runs[i].seed), runs::describe(o).c_str());
        worst = std::max(worst, status_of(o));
      }
      mc_runs.push_back({*batch.runs[i].seed, rel_dirs[i], o.exit_code, o.report});
    }
    all.insert(all.end(), outcomes.begin(), outcomes.end());
    report::Json mc = report::montecarlo_json(s, mc_runs);
    std::string diagram = report::topology_svg(loaded[k].topology) + report::topology_paths_html(loaded[k].topology);
    std::string err = runs::write_files(dir, {{"montecarlo.md", report::montecarlo_markdown(mc)},
                                              {"montecarlo.html", report::montecarlo_html(mc, mc_runs, diagram)},
                                              {"montecarlo.json", report::dump(mc)}});
    if (!err.empty()) {
      std::fprintf(stderr, "infrasim run: %s\n", err.c_str());
      return core::kInternal;
    }
    std::fputs(report::montecarlo_console(mc).c_str(), stdout);
    std::printf("  reports: %s/montecarlo.json, %s/montecarlo.md, %s/montecarlo.html\n", dir.c_str(), dir.c_str(),
                dir.c_str());
    bool passed = report::member(mc, "passed").is_boolean() && mc["passed"].get<bool>();
    worst = std::max(worst, passed ? static_cast<int>(core::kOk) : static_cast<int>(core::kChecksFailed));
    suites->push_back(report::suite_of_montecarlo(reqs[k].scenario_path, mc));
  }
  return runs::command_status(all, worst);
}

}  // namespace

std::function<int()> add_run(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::vector<std::string> scenarios;
    std::string out;
    std::optional<std::uint64_t> seed;
    std::vector<std::string> sets;
    double max_wall = 0;
    std::uint64_t max_events = 0;
    std::string cpu_model = "kernel", wake = "batched";
    int jobs = 0;
    bool stats = false, resume = false;
    std::string junit, summary;
    int runs = 0;
    std::string openmetrics, start;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("scenarios", o->scenarios, "scenario files (each runs in its own process when there are several)")
      ->required();
  app.add_option("--out", o->out, "report directory (default reports/<scenario name>/; with several scenarios, "
                                  "a sub-directory per scenario)");
  app.add_option("--seed", o->seed, "override the scenario's seed");
  app.add_option("--set", o->sets, "override a value: components.app.replicas=5 (topology) or scenario.duration=10m")
      ->take_all();
  app.add_option("--max-wall", o->max_wall, "stop a run after this many wall-clock seconds (exit 1)");
  app.add_option("--max-events", o->max_events, "stop a run after this many simulated requests (exit 1)");
  app.add_option("--cpu-model", o->cpu_model,
                 "how CPU sharing is computed: kernel (default) or simgrid, the verification mode that hands every "
                 "contended host to SimGrid's CPU model (docs/DESIGN.md)")
      ->check(CLI::IsMember({"kernel", "simgrid"}));
  app.add_option("--wake", o->wake,
                 "debug: batched (default) or per-event (one SimGrid wake per kernel event; same report.json)")
      ->check(CLI::IsMember({"batched", "per-event"}));
  app.add_option("-j,--jobs", o->jobs, "scenarios run in parallel (default: all cores)");
  app.add_option("--junit", o->junit, "also write JUnit XML: a test suite per scenario, a test case per expectation");
  app.add_option("--summary", o->summary, "also write a Markdown summary for a CI job page (e.g. $GITHUB_STEP_SUMMARY)");
  app.add_option("--runs", o->runs, "Monte Carlo: K runs with derived seeds; metrics as mean and 95% interval, "
                                    "expectations judged by their bound (writes montecarlo.json/.md/.html)");
  app.add_option("--openmetrics", o->openmetrics, "also write the run's time series as OpenMetrics text to FILE "
                                                  "(for promtool tsdb create-blocks-from openmetrics; one scenario)");
  app.add_option("--start", o->start, "the simulated t = 0 for --openmetrics: 2024-01-01T00:00:00Z (default), a date "
                                      "or seconds since the epoch");
  app.add_flag("--resume", o->resume, "with --runs: reuse the complete runs of an interrupted series, run the rest");
  app.add_flag("--stats", o->stats, "print engine statistics: SimGrid activities per request, actors, peak memory");
  app.footer("Exit status: 0 every expectation met, 1 an expectation failed (or a limit stopped a run),\n"
             "2 bad input (located errors on stderr; nothing run or written), 3 internal error or a run crashed.");
  return [o, &global]() {
    auto overrides = parse_sets(o->sets, "run");
    if (!overrides) return static_cast<int>(core::kBadInput);
    if (o->runs == 1 || o->runs < 0) {
      std::fprintf(stderr, "infrasim run: --runs %d: expected at least 2 runs for a confidence interval\n", o->runs);
      return static_cast<int>(core::kBadInput);
    }
    if (o->resume && o->runs == 0) {
      std::fprintf(stderr, "infrasim run: --resume applies to a Monte Carlo series; expected --runs K with it\n");
      return static_cast<int>(core::kBadInput);
    }
    double start = report::kDefaultStart;
    if (!o->start.empty()) {
      auto st = report::parse_start_time(o->start);
      if (!st) {
        std::fprintf(stderr, "infrasim run: --start %s: invalid time; expected 2024-01-01T00:00:00Z, 2024-01-01 or "
                             "seconds since the epoch\n", o->start.c_str());
        return static_cast<int>(core::kBadInput);
      }
      start = *st;
    }
    if (!o->openmetrics.empty() && (o->scenarios.size() != 1 || o->runs >= 2)) {
      std::fprintf(stderr, "infrasim run: --openmetrics writes one run's series; expected one scenario without --runs\n");
      return static_cast<int>(core::kBadInput);
    }
    std::vector<RunRequest> reqs;
    for (const std::string& path : o->scenarios) {
      RunRequest r;
      r.scenario_path = path;
      r.overrides = *overrides;
      r.seed = o->seed;
      r.max_wall = o->max_wall;
      r.max_events = o->max_events;
      r.cpu_model = o->cpu_model;
      r.wake = o->wake;
      r.progress = !global.quiet;
      r.stats = o->stats;
      r.openmetrics = o->openmetrics;
      r.start = start;
      reqs.push_back(r);
    }
    // Every input is checked before anything runs.
    auto all = runs::load_all(reqs);
    if (!all) return static_cast<int>(core::kBadInput);
    const std::vector<scenario::Loaded>& loaded = *all;
    for (const std::string& path : {o->junit, o->summary, o->openmetrics}) {
      if (path.empty()) continue;
      fs::path parent = fs::path(path).parent_path();
      if (std::string err = runs::prepare_dir(parent.empty() ? "." : parent.string()); !err.empty()) {
        std::fprintf(stderr, "infrasim run: %s; expected a writable path for %s\n", err.c_str(), path.c_str());
        return static_cast<int>(core::kBadInput);
      }
    }
    if (reqs.size() > 1 && !o->out.empty()) {
      for (std::size_t i = 0; i < reqs.size(); ++i) reqs[i].out_dir = o->out + "/" + loaded[i].scenario.name;
    } else if (reqs.size() == 1) {
      reqs[0].out_dir = o->out;
    }
    std::vector<report::SuiteInput> suites;
    int worst = core::kOk;
    if (o->runs >= 2) {
      worst = run_monte_carlo(reqs, loaded, o->runs, o->jobs, !global.quiet, o->resume, &suites);
    } else if (reqs.size() == 1) {
      worst = runs::run_one(reqs[0]);
      if (o->junit.empty() && o->summary.empty()) return worst;
      std::string dir = runs::report_dir(reqs[0], loaded[0].scenario);
      auto rep = worst <= core::kChecksFailed ? report::read_run_report(dir + "/report.json") : std::nullopt;
      suites.push_back(rep ? report::suite_of(reqs[0].scenario_path, *rep)
                           : report::suite_without_report(loaded[0].scenario.name, reqs[0].scenario_path,
                                                          fmt::format("exit status {}", worst)));
    } else {
      runs::Batch batch;
      batch.label = "run";
      batch.parallel = o->jobs;
      batch.progress = !global.quiet;
      for (auto r : reqs) {
        r.progress = false;
        batch.runs.push_back(r);
      }
      std::vector<runs::RunOutcome> outcomes = runs::run_batch(batch);
      for (std::size_t i = 0; i < reqs.size(); ++i) {
        const runs::RunOutcome& out = outcomes[i];
        if (!out.complete()) std::fprintf(stderr, "%s: %s\n", reqs[i].scenario_path.c_str(), runs::describe(out).c_str());
        worst = std::max(worst, status_of(out));
        suites.push_back(out.report ? report::suite_of(reqs[i].scenario_path, *out.report)
                                    : report::suite_without_report(loaded[i].scenario.name, reqs[i].scenario_path,
                                                                   out.error));
      }
    }
    for (const auto& [path, text] : {std::pair{o->junit, report::junit_xml(suites)},
                                     std::pair{o->summary, report::ci_summary_markdown(suites)}}) {
      if (path.empty()) continue;
      if (std::string err = runs::write_file(path, text); !err.empty()) {
        std::fprintf(stderr, "infrasim run: %s\n", err.c_str());
        return static_cast<int>(core::kInternal);
      }
    }
    return worst;
  };
}

}  // namespace sim::cli
