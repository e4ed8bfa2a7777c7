// infrasim capacity PLAN.yaml: growth projection, gaps against the plan and,
// when the plan names a scenario, the smallest server counts that meet the
// scenario's expectations at each horizon's load (sim/capacity/search.h), one
// child process per candidate run. Writes capacity.json and capacity.md, and
// keeps the report of the configuration found per horizon in runs/.
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

#include "sim/capacity/plan.h"
#include "sim/capacity/projection.h"
#include "sim/capacity/report.h"
#include "sim/capacity/search.h"
#include "sim/cli/child.h"
#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/cli/run_one.h"
#include "sim/core/exit_status.h"
#include "sim/core/units.h"
#include "sim/report/run_report.h"

namespace sim::cli {

namespace {

namespace fs = std::filesystem;
using capacity::Plan;

bool write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f);
}

scenario::Override scenario_override(const std::string& path, const std::string& value) {
  scenario::Override o;
  o.path = path;
  o.value = value;
  o.topology = false;
  return o;
}

scenario::Override topology_override(const std::string& path, long long value) {
  scenario::Override o;
  o.path = path;
  o.value = std::to_string(value);
  return o;
}

// The overrides that give `component` `n` servers: replicas, nodes, primary +
// replicas, consumers, or (scale: cores) cores with workers kept per core.
std::vector<scenario::Override> count_overrides(const capacity::Tier& tier, const topology::Component& c, int n) {
  std::string base = "components." + c.name + ".";
  if (tier.scale == capacity::Scale::kCores) {
    const auto& s = *c.service();
    long long workers = std::max<long long>(1, std::llround(static_cast<double>(s.workers) * n / s.cores));
    return {topology_override(base + "cores", n), topology_override(base + "workers", workers)};
  }
  switch (c.kind) {
    case topology::Kind::kService:
    case topology::Kind::kLoadBalancer:
      return {topology_override(base + "replicas", n)};
    case topology::Kind::kCache:
    case topology::Kind::kStorage:
      return {topology_override(base + "nodes", n)};
    case topology::Kind::kDatabase:
      return {topology_override(base + "replicas", n - 1)};
    case topology::Kind::kQueue:
      return {topology_override(base + "consumers", n)};
    case topology::Kind::kCdn:
      break;
  }
  return {};
}

}  // namespace

std::function<int()> add_capacity(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::string file, out;
    int jobs = 0;
    bool no_simulate = false;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("plan", o->file, "the capacity plan (format: docs/capacity.md, example: scenarios/plans/)")
      ->required();
  app.add_option("--out", o->out, "output directory (default reports/capacity-<plan name>/)");
  app.add_option("-j,--jobs", o->jobs, "simulation runs in parallel (default: all cores)");
  app.add_flag("--no-simulate", o->no_simulate, "analytic projection only: run no simulation");
  app.footer("Exit status: 0 the plan holds at every horizon, 1 it falls short somewhere (analytic or simulated),\n"
             "2 bad input (nothing run or written), 3 a run crashed.");
  return [o, &global]() {
    core::Diagnostics diags;
    auto in = capacity::load_plan(o->file, diags);
    if (!in) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    if (!diags.all().empty()) std::fputs(diags.format().c_str(), stderr);  // warnings
    const Plan& plan = in->plan;
    std::optional<capacity::LoadModel> load;
    if (in->scenario) load = capacity::load_model(plan, in->scenario->topology);
    capacity::Projection projection = capacity::project(plan, load ? &*load : nullptr);
    fs::path out = o->out.empty() ? fs::path("reports") / ("capacity-" + plan.name) : fs::path(o->out);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) {
      std::fprintf(stderr, "%s: cannot create the output directory: %s; expected a writable path\n",
                   out.string().c_str(), ec.message().c_str());
      return static_cast<int>(core::kBadInput);
    }

    std::vector<std::size_t> sized;  // tiers with a component
    for (std::size_t t = 0; t < plan.tiers.size(); ++t) {
      if (!plan.tiers[t].component.empty()) sized.push_back(t);
    }
    bool simulate = in->scenario && !o->no_simulate && !sized.empty();
    std::optional<capacity::SearchResult> result;
    capacity::SimulationInfo info;
    int status = core::kOk;
    if (simulate) {
      const scenario::Scenario& sc = in->scenario->scenario;
      const topology::Topology& topo = in->scenario->topology;
      info.scenario = sc.name;
      info.topology = topo.name;
      info.seed = plan.simulate.seed.value_or(sc.seed);
      info.duration = plan.simulate.duration > 0 ? plan.simulate.duration : sc.duration;
      info.warmup = plan.simulate.warmup ? *plan.simulate.warmup
                                         : (sc.warmup < info.duration ? sc.warmup : info.duration / 5);

      capacity::SearchInput si;
      si.max_servers = plan.simulate.max_servers;
      std::vector<std::string> names, components;
      for (const auto& t : plan.tiers) {
        names.push_back(t.name);
        components.push_back(t.component);
        si.mins.push_back(t.min);
        si.searched.push_back(!t.component.empty());
      }
      for (const auto& h : projection.horizons) {
        std::vector<int> start;
        for (std::size_t t = 0; t < plan.tiers.size(); ++t) {
          const auto& tp = h.tiers[t];
          start.push_back(std::max({tp.load_modelled ? tp.by_load : 0, plan.tiers[t].min, 1}));
        }
        si.starts.push_back(start);
      }
      auto request_for = [&](const capacity::Candidate& c, const std::string& dir) {
        RunRequest r;
        r.scenario_path = plan.scenario_path;
        r.overrides = plan.overrides();
        double rate = plan.peak_rate(plan.horizons[c.horizon]);
        r.overrides.push_back(scenario_override("load", fmt::format("{{constant: {:.9g}/s}}", rate)));
        r.overrides.push_back(scenario_override("duration", fmt::format("{:.9g}s", info.duration)));
        r.overrides.push_back(scenario_override("warmup", fmt::format("{:.9g}s", info.warmup)));
        for (std::size_t t : sized) {
          const topology::Component* comp = topo.find(plan.tiers[t].component);
          for (auto& ov : count_overrides(plan.tiers[t], *comp, c.counts[t])) r.overrides.push_back(ov);
        }
        r.seed = info.seed;
        r.out_dir = dir;
        r.summary = false;
        r.progress = false;
        return r;
      };
      // Every horizon's starting configuration must load before anything runs.
      for (std::size_t h = 0; h < si.starts.size(); ++h) {
        core::Diagnostics cd;
        if (!load_checked(request_for({h, si.starts[h]}, ""), cd)) {
          std::fprintf(stderr, "%s: the scenario does not load with the plan's overrides at month %s:\n",
                       o->file.c_str(), core::format_number(plan.horizons[h]).c_str());
          std::fputs(cd.format().c_str(), stderr);
          return static_cast<int>(core::kBadInput);
        }
      }
      // Per process: two capacity commands writing to the same --out do not delete each other's runs.
      fs::path cand_root = out / fmt::format(".candidates-{}", static_cast<long>(getpid()));
      fs::remove_all(cand_root, ec);
      fs::remove_all(out / "runs", ec);
      std::map<std::pair<std::size_t, std::vector<int>>, fs::path> dirs;
      int next_dir = 0;
      bool crashed = false;
      capacity::Evaluate evaluate = [&](const std::vector<capacity::Candidate>& batch) {
        std::vector<RunRequest> reqs;
        std::vector<std::function<int()>> jobs;
        for (const auto& c : batch) {
          fs::path dir = cand_root / fmt::format("{:04d}", next_dir++);
          dirs[{c.horizon, c.counts}] = dir;
          reqs.push_back(request_for(c, dir.string()));
        }
        for (const auto& r : reqs) jobs.push_back([r]() { return run_one(r); });
        ProgressBar bar(fmt::format("capacity {}: {} runs", plan.name, jobs.size()), jobs.size(), !global.quiet);
        std::vector<ChildResult> results =
            run_children(jobs, o->jobs, [&](std::size_t, const ChildResult& r) { bar.done(r.exit_code != 0); });
        bar.finish();
        std::vector<capacity::Outcome> outcomes;
        for (std::size_t i = 0; i < reqs.size(); ++i) {
          auto rep = results[i].exit_code <= core::kChecksFailed && !results[i].signal
                         ? report::read_run_report((fs::path(reqs[i].out_dir) / "report.json").string())
                         : std::nullopt;
          capacity::Outcome oc = capacity::read_outcome(rep ? &*rep : nullptr, components);
          oc.exit_code = results[i].exit_code;
          if (results[i].exit_code == core::kBadInput) {
            oc.misses = {"the scenario rejects this count as bad input"};
          } else if (results[i].exit_code > core::kBadInput || results[i].signal) {
            crashed = true;
            std::fprintf(stderr, "capacity %s: run %s crashed (exit status %d)\n", plan.name.c_str(),
                         reqs[i].out_dir.c_str(), results[i].exit_code);
          }
          outcomes.push_back(std::move(oc));
        }
        return outcomes;
      };
      result = capacity::search(si, names, evaluate);
      // Keep the report of the configuration found per horizon; drop the other candidates.
      for (std::size_t h = 0; h < result->horizons.size(); ++h) {
        const auto& a = result->horizons[h];
        auto it = dirs.find({h, a.counts});
        if (it == dirs.end()) continue;
        fs::path keep = out / "runs" / fmt::format("month-{}", core::format_number(plan.horizons[h]));
        fs::create_directories(keep, ec);
        for (const char* f : {"report.json", "report.md"}) {
          fs::copy_file(it->second / f, keep / f, fs::copy_options::overwrite_existing, ec);
        }
      }
      fs::remove_all(cand_root, ec);
      if (crashed) status = core::kInternal;
    }

    report::Json report =
        capacity::capacity_json(plan, projection, load ? &*load : nullptr, result ? &*result : nullptr, info);
    if (!write_text(out / "capacity.json", report.dump(1) + "\n") ||
        !write_text(out / "capacity.md", capacity::capacity_markdown(report)) ||
        !write_text(out / "capacity.html", capacity::capacity_html(report))) {
      std::fprintf(stderr, "%s: cannot write the capacity report; expected a writable directory\n",
                   out.string().c_str());
      return static_cast<int>(core::kBadInput);
    }
    std::fputs(capacity::capacity_console(report).c_str(), stdout);
    std::printf("reports: %s, %s%s\n", (out / "capacity.md").string().c_str(), (out / "capacity.json").string().c_str(),
                simulate ? fmt::format(", {}", (out / "runs").string()).c_str() : "");
    if (status != core::kOk) return status;
    return report["holds"].get<bool>() ? static_cast<int>(core::kOk) : static_cast<int>(core::kChecksFailed);
  };
}

}  // namespace sim::cli
