// infrasim run SCENARIO...: simulate, judge the expectations, write reports.
// With several scenarios, or --runs K (Monte Carlo), each run is a child
// process; the parent reads their report.json files back for --junit,
// --summary and montecarlo.json.
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "sim/cli/child.h"
#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/cli/run_one.h"
#include "sim/core/exit_status.h"
#include "sim/core/random.h"
#include "sim/report/headline.h"
#include "sim/report/html.h"
#include "sim/report/junit.h"
#include "sim/report/montecarlo.h"
#include "sim/report/openmetrics.h"

namespace sim::cli {

namespace {

namespace fs = std::filesystem;

bool write_text(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

std::string child_error(const ChildResult& r) {
  return r.signal ? fmt::format("killed by signal {}", r.signal) : fmt::format("exit status {}", r.exit_code);
}

// K runs of each scenario with derived seeds; montecarlo.{json,md,html} per scenario.
int run_monte_carlo(const std::vector<RunRequest>& reqs, const std::vector<scenario::Loaded>& loaded, int runs,
                    int parallel, bool progress, std::vector<report::SuiteInput>* suites) {
  struct Job {
    std::size_t scenario;
    RunRequest req;
    std::string rel_dir;
  };
  std::vector<Job> jobs;
  std::vector<std::string> dirs;
  for (std::size_t k = 0; k < reqs.size(); ++k) {
    const scenario::Scenario& s = loaded[k].scenario;
    std::string dir = report_dir(reqs[k], s);
    dirs.push_back(dir);
    std::uint64_t base = s.seed;  // --seed is already applied by load_checked
    int digits = static_cast<int>(std::to_string(runs - 1).size());
    for (int i = 0; i < runs; ++i) {
      Job j;
      j.scenario = k;
      j.req = reqs[k];
      j.req.seed = core::derive_run_seed(base, static_cast<std::uint64_t>(i));
      j.rel_dir = fmt::format("runs/{:0{}}-seed{}", i, digits, *j.req.seed);
      j.req.out_dir = (fs::path(dir) / j.rel_dir).string();
      j.req.summary = false;
      j.req.progress = false;
      jobs.push_back(j);
    }
  }
  std::vector<std::function<int()>> fns;
  for (const auto& j : jobs) fns.push_back([req = j.req]() { return run_one(req); });
  ProgressBar bar(reqs.size() == 1 ? loaded[0].scenario.name : "runs", jobs.size(), progress);
  std::vector<ChildResult> results = run_children(fns, parallel, [&](std::size_t, const ChildResult& r) {
    bar.done(r.exit_code != 0);
  });
  bar.finish();
  int worst = core::kOk;
  for (std::size_t k = 0; k < reqs.size(); ++k) {
    std::vector<report::McRun> mc_runs;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (jobs[i].scenario != k) continue;
      report::McRun r;
      r.seed = *jobs[i].req.seed;
      r.dir = jobs[i].rel_dir;
      r.exit_code = results[i].exit_code;
      r.report = report::read_report_file(jobs[i].req.out_dir + "/report.json");
      if (r.report.is_null() || results[i].exit_code > core::kChecksFailed) {
        std::fprintf(stderr, "%s: run %zu (seed %llu) failed: %s\n", reqs[k].scenario_path.c_str(), mc_runs.size(),
                     static_cast<unsigned long long>(r.seed), child_error(results[i]).c_str());
        worst = std::max(worst, static_cast<int>(core::kInternal));
      }
      mc_runs.push_back(std::move(r));
    }
    const scenario::Loaded& l = loaded[k];
    report::Json mc = report::montecarlo_json(l.scenario, mc_runs);
    std::string diagram = report::topology_svg(l.topology) + report::topology_paths_html(l.topology);
    if (!write_text(dirs[k] + "/montecarlo.json", report::dump(mc)) ||
        !write_text(dirs[k] + "/montecarlo.md", report::montecarlo_markdown(mc)) ||
        !write_text(dirs[k] + "/montecarlo.html", report::montecarlo_html(mc, mc_runs, diagram))) {
      std::fprintf(stderr, "%s: cannot write reports; expected a writable directory\n", dirs[k].c_str());
      return core::kBadInput;
    }
    std::fputs(report::montecarlo_console(mc).c_str(), stdout);
    std::printf("  reports: %s/montecarlo.json, %s/montecarlo.md, %s/montecarlo.html\n", dirs[k].c_str(),
                dirs[k].c_str(), dirs[k].c_str());
    bool passed = mc["passed"].get<bool>();
    worst = std::max(worst, passed ? static_cast<int>(core::kOk) : static_cast<int>(core::kChecksFailed));
    suites->push_back({l.scenario.name, reqs[k].scenario_path, mc, ""});
  }
  return worst;
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
    int jobs = 0;
    bool stats = false;
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
  app.add_option("-j,--jobs", o->jobs, "scenarios run in parallel (default: all cores)");
  app.add_option("--junit", o->junit, "also write JUnit XML: a test suite per scenario, a test case per expectation");
  app.add_option("--summary", o->summary, "also write a Markdown summary for a CI job page (e.g. $GITHUB_STEP_SUMMARY)");
  app.add_option("--runs", o->runs, "Monte Carlo: K runs with derived seeds; metrics as mean and 95% interval, "
                                    "expectations judged by their bound (writes montecarlo.json/.md/.html)");
  app.add_option("--openmetrics", o->openmetrics, "also write the run's time series as OpenMetrics text to FILE "
                                                  "(for promtool tsdb create-blocks-from openmetrics; one scenario)");
  app.add_option("--start", o->start, "the simulated t = 0 for --openmetrics: 2024-01-01T00:00:00Z (default), a date "
                                      "or seconds since the epoch");
  app.add_flag("--stats", o->stats, "print engine statistics: SimGrid activities per request, actors, peak memory");
  app.footer("Exit status: 0 every expectation met, 1 an expectation failed (or a limit stopped a run),\n"
             "2 bad input (located errors on stderr; nothing run or written), 3 internal error.");
  return [o, &global]() {
    std::vector<scenario::Override> overrides;
    for (const std::string& s : o->sets) {
      std::string err;
      auto ov = scenario::parse_override(s, &err);
      if (!ov) {
        std::fprintf(stderr, "infrasim run: %s\n", err.c_str());
        return static_cast<int>(core::kBadInput);
      }
      overrides.push_back(*ov);
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
      r.overrides = overrides;
      r.seed = o->seed;
      r.max_wall = o->max_wall;
      r.max_events = o->max_events;
      r.progress = !global.quiet;
      r.stats = o->stats;
      r.openmetrics = o->openmetrics;
      r.start = start;
      reqs.push_back(r);
    }
    if (o->runs == 1 || o->runs < 0) {
      std::fprintf(stderr, "infrasim run: --runs %d: expected at least 2 runs for a confidence interval\n", o->runs);
      return static_cast<int>(core::kBadInput);
    }
    // Every input is checked before anything runs.
    core::Diagnostics diags;
    std::vector<std::string> names;
    std::vector<scenario::Loaded> loaded;
    for (auto& r : reqs) {
      auto l = load_checked(r, diags);
      if (l) {
        names.push_back(l->scenario.name);
        loaded.push_back(std::move(*l));
      }
    }
    if (diags.has_errors()) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    if (reqs.size() > 1 && !o->out.empty()) {
      for (std::size_t i = 0; i < reqs.size(); ++i) reqs[i].out_dir = o->out + "/" + names[i];
    } else if (reqs.size() == 1) {
      reqs[0].out_dir = o->out;
    }
    std::vector<report::SuiteInput> suites;
    int worst = core::kOk;
    if (o->runs >= 2) {
      worst = run_monte_carlo(reqs, loaded, o->runs, o->jobs, !global.quiet, &suites);
    } else if (reqs.size() == 1) {
      worst = run_one(reqs[0]);
      if (o->junit.empty() && o->summary.empty()) return worst;
      std::string dir = report_dir(reqs[0], loaded[0].scenario);
      report::Json j = worst <= core::kChecksFailed ? report::read_report_file(dir + "/report.json") : report::Json();
      suites.push_back({names[0], reqs[0].scenario_path, j, j.is_null() ? fmt::format("exit status {}", worst) : ""});
    } else {
      std::vector<std::function<int()>> jobs;
      for (std::size_t i = 0; i < reqs.size(); ++i) {
        reqs[i].progress = false;
        jobs.push_back([req = reqs[i]]() { return run_one(req); });
      }
      std::vector<ChildResult> results = run_children(jobs, o->jobs, [&](std::size_t i, const ChildResult& r) {
        if (r.signal) std::fprintf(stderr, "%s: killed by signal %d\n", reqs[i].scenario_path.c_str(), r.signal);
        worst = std::max(worst, r.signal ? static_cast<int>(core::kInternal) : r.exit_code);
      });
      for (std::size_t i = 0; i < reqs.size(); ++i) {
        std::string dir = report_dir(reqs[i], loaded[i].scenario);
        bool ok = results[i].signal == 0 && results[i].exit_code <= core::kChecksFailed;
        report::Json j = ok ? report::read_report_file(dir + "/report.json") : report::Json();
        suites.push_back({names[i], reqs[i].scenario_path, j, j.is_null() ? child_error(results[i]) : ""});
      }
    }
    if (!o->junit.empty() && !write_text(o->junit, report::junit_xml(suites))) {
      std::fprintf(stderr, "infrasim run: cannot write --junit %s; expected a writable path\n", o->junit.c_str());
      return static_cast<int>(core::kBadInput);
    }
    if (!o->summary.empty() && !write_text(o->summary, report::ci_summary_markdown(suites))) {
      std::fprintf(stderr, "infrasim run: cannot write --summary %s; expected a writable path\n", o->summary.c_str());
      return static_cast<int>(core::kBadInput);
    }
    return worst;
  };
}

}  // namespace sim::cli
