// infrasim capacity PLAN.yaml: growth projection, gaps against the plan and,
// when the plan names a scenario, the smallest server counts that meet the
// scenario's expectations at each horizon's load (sim/capacity/search.h), one
// child process per candidate run. Writes capacity.json and capacity.md, and
// keeps the report of the configuration found per horizon in runs/.
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "sim/capacity/plan.h"
#include "sim/capacity/projection.h"
#include "sim/capacity/report.h"
#include "sim/capacity/search.h"
#include "sim/cli/cli.h"
#include "sim/core/exit_status.h"
#include "sim/core/units.h"
#include "sim/report/run_report.h"
#include "sim/runs/batch.h"
#include "sim/runs/output.h"

namespace sim::cli {

namespace {

namespace fs = std::filesystem;
using capacity::Plan;

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

// A data-tier dimension at `units`: a cache's memory per node, or a database's shard count.
scenario::Override dimension_override(const capacity::Dimension& d, int units) {
  std::string base = "components." + d.component + ".";
  if (d.kind == capacity::Dimension::Kind::kShards) return topology_override(base + "shards", units);
  scenario::Override o;
  o.path = base + "memory";
  o.value = fmt::format("{:.0f}B", d.step * units);
  return o;
}

// Where a dimension's search starts: the topology's own value.
int dimension_start(const capacity::Dimension& d, const topology::Component& c) {
  if (d.kind == capacity::Dimension::Kind::kShards) return std::max(d.min, c.database()->shards);
  return std::max(d.min, static_cast<int>(std::ceil(c.cache()->memory / d.step)));
}

}  // namespace

std::function<int()> add_capacity(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::string file, out;
    int jobs = 0;
    bool no_simulate = false, resume = false;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("plan", o->file, "the capacity plan (format: docs/capacity.md, example: scenarios/plans/)")
      ->required();
  app.add_option("--out", o->out, "output directory (default reports/capacity-<plan name>/)");
  app.add_option("-j,--jobs", o->jobs, "simulation runs in parallel (default: all cores)");
  app.add_flag("--no-simulate", o->no_simulate, "analytic projection only: run no simulation");
  app.add_flag("--resume", o->resume,
               "reuse every complete run of an interrupted search in --out (same request, same input files)");
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
    runs::DirLock lock(out.string());
    if (!lock.ok()) {
      std::fprintf(stderr, "infrasim capacity: %s\n", lock.error().c_str());
      return static_cast<int>(core::kBadInput);
    }
    std::error_code ec;

    std::vector<std::size_t> sized;  // tiers with a component
    for (std::size_t t = 0; t < plan.tiers.size(); ++t) {
      if (!plan.tiers[t].component.empty()) sized.push_back(t);
    }
    bool simulate = in->scenario && !o->no_simulate && (!sized.empty() || !plan.dimensions.empty());
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
      std::vector<capacity::Requirement> requirements;
      for (const auto& t : plan.tiers) {
        names.push_back(t.name);
        components.push_back(t.component);
        si.mins.push_back(t.min);
        si.searched.push_back(!t.component.empty());
        requirements.emplace_back();
      }
      // Data-tier dimensions are searched after the tiers, in the same runs.
      for (const auto& d : plan.dimensions) {
        names.push_back(d.name);
        components.push_back(d.component);
        si.mins.push_back(d.min);
        si.searched.push_back(true);
        capacity::Requirement req;
        if (d.kind == capacity::Dimension::Kind::kMemory) req.min_hit_ratio = d.hit_ratio;
        if (d.kind == capacity::Dimension::Kind::kShards) req.max_busiest_utilization = d.headroom.value_or(plan.headroom_cpu);
        requirements.push_back(req);
      }
      for (const auto& h : projection.horizons) {
        std::vector<int> start;
        for (std::size_t t = 0; t < plan.tiers.size(); ++t) {
          const auto& tp = h.tiers[t];
          start.push_back(std::max({tp.load_modelled ? tp.by_load : 0, plan.tiers[t].min, 1}));
        }
        for (const auto& d : plan.dimensions) start.push_back(dimension_start(d, *topo.find(d.component)));
        si.starts.push_back(start);
      }
      auto request_for = [&](const capacity::Candidate& c, const std::string& dir) {
        runs::RunRequest r;
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
        for (std::size_t i = 0; i < plan.dimensions.size(); ++i) {
          r.overrides.push_back(dimension_override(plan.dimensions[i], c.counts[plan.tiers.size() + i]));
        }
        // The user population (shard keys, keys per user) grows with the plan's users.
        if (topo.users.count > 0) {
          r.overrides.push_back(topology_override("users.count", std::llround(plan.users.at(plan.horizons[c.horizon]))));
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
        if (!runs::load_checked(request_for({h, si.starts[h]}, ""), cd)) {
          std::fprintf(stderr, "%s: the scenario does not load with the plan's overrides at month %s:\n",
                       o->file.c_str(), core::format_number(plan.horizons[h]).c_str());
          std::fputs(cd.format().c_str(), stderr);
          return static_cast<int>(core::kBadInput);
        }
      }
      // Candidates run in .candidates/NNNN (numbered in search order, so an interrupted search resumes
      // with the same numbers); the configuration found per horizon is kept in runs/month-N.
      fs::path cand_root = out / ".candidates";
      if (!o->resume) fs::remove_all(cand_root, ec);
      fs::remove_all(out / "runs", ec);
      std::map<std::pair<std::size_t, std::vector<int>>, fs::path> dirs;
      int next_dir = 0;
      std::vector<runs::RunOutcome> all;
      capacity::Evaluate evaluate = [&](const std::vector<capacity::Candidate>& candidates) {
        runs::Batch batch;
        batch.label = fmt::format("capacity {}: {} runs", plan.name, candidates.size());
        batch.parallel = o->jobs;
        batch.progress = !global.quiet;
        batch.ledger_dir = cand_root.string();
        batch.resume = o->resume;
        for (const auto& c : candidates) {
          fs::path dir = cand_root / fmt::format("{:04d}", next_dir++);
          dirs[{c.horizon, c.counts}] = dir;
          batch.runs.push_back(request_for(c, dir.string()));
        }
        std::vector<runs::RunOutcome> outcomes = runs::run_batch(batch);
        std::vector<capacity::Outcome> found;
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
          const runs::RunOutcome& r = outcomes[i];
          capacity::Outcome oc = capacity::read_outcome(r.report ? &*r.report : nullptr, components, requirements);
          oc.exit_code = r.exit_code;
          if (r.status == runs::RunStatus::kRejected) {
            oc.misses = {"the load far exceeds what these counts serve (the run stopped early, no report)"};
          } else if (r.status == runs::RunStatus::kCrashed) {
            std::fprintf(stderr, "capacity %s: run %s: %s\n", plan.name.c_str(), batch.runs[i].out_dir.c_str(),
                         runs::describe(r).c_str());
          }
          found.push_back(std::move(oc));
        }
        all.insert(all.end(), outcomes.begin(), outcomes.end());
        return found;
      };
      result = capacity::search(si, names, evaluate);
      // Keep the report of the configuration found per horizon; drop the other candidates.
      for (std::size_t h = 0; h < result->horizons.size(); ++h) {
        const auto& a = result->horizons[h];
        auto it = dirs.find({h, a.counts});
        if (it == dirs.end()) continue;
        fs::path keep = out / "runs" / fmt::format("month-{}", core::format_number(plan.horizons[h]));
        for (const char* f : {"report.md", "report.json"}) {
          std::ifstream found(it->second / f, std::ios::binary);
          std::stringstream text;
          text << found.rdbuf();
          if (std::string err = runs::write_file((keep / f).string(), text.str()); found && !err.empty()) {
            std::fprintf(stderr, "infrasim capacity: %s\n", err.c_str());
            status = core::kInternal;
          }
        }
      }
      fs::remove_all(cand_root, ec);
      status = runs::command_status(all, status);
    }

    report::Json report =
        capacity::capacity_json(plan, projection, load ? &*load : nullptr, result ? &*result : nullptr, info);
    std::string err = runs::write_files(out.string(), {{"capacity.md", capacity::capacity_markdown(report)},
                                                       {"capacity.html", capacity::capacity_html(report)},
                                                       {"capacity.json", report::dump(report)}});
    if (!err.empty()) {
      std::fprintf(stderr, "infrasim capacity: %s\n", err.c_str());
      return static_cast<int>(core::kInternal);
    }
    std::fputs(capacity::capacity_console(report).c_str(), stdout);
    std::printf("reports: %s, %s%s\n", (out / "capacity.md").string().c_str(), (out / "capacity.json").string().c_str(),
                simulate ? fmt::format(", {}", (out / "runs").string()).c_str() : "");
    if (status != core::kOk) return status;
    return report["holds"].get<bool>() ? static_cast<int>(core::kOk) : static_cast<int>(core::kChecksFailed);
  };
}

}  // namespace sim::cli
