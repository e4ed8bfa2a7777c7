// infrasim run SCENARIO...: simulate, judge the expectations, write reports.
#include <fmt/format.h>

#include "sim/cli/child.h"
#include "sim/cli/cli.h"
#include "sim/cli/run_one.h"
#include "sim/core/exit_status.h"

namespace sim::cli {

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
      reqs.push_back(r);
    }
    // Every input is checked before anything runs.
    core::Diagnostics diags;
    std::vector<std::string> names;
    for (auto& r : reqs) {
      auto loaded = load_checked(r, diags);
      if (loaded) names.push_back(loaded->scenario.name);
    }
    if (diags.has_errors()) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    if (reqs.size() == 1) {
      reqs[0].out_dir = o->out;
      return run_one(reqs[0]);
    }
    std::vector<std::function<int()>> jobs;
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      if (!o->out.empty()) reqs[i].out_dir = o->out + "/" + names[i];
      reqs[i].progress = false;
      jobs.push_back([req = reqs[i]]() { return run_one(req); });
    }
    int worst = core::kOk;
    run_children(jobs, o->jobs, [&](std::size_t i, const ChildResult& r) {
      if (r.signal) std::fprintf(stderr, "%s: killed by signal %d\n", reqs[i].scenario_path.c_str(), r.signal);
      worst = std::max(worst, r.signal ? static_cast<int>(core::kInternal) : r.exit_code);
    });
    return worst;
  };
}

}  // namespace sim::cli
