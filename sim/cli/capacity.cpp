// infrasim capacity PLAN.yaml: growth projection, gaps against the plan and,
// when the plan names a scenario, the smallest server counts that meet the
// scenario's expectations at each horizon's load (sim/capacity/search.h), one
// child process per candidate run. Writes capacity.json and capacity.md, and
// keeps the report of the configuration found per horizon in runs/.
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <tuple>
#include <sstream>

#include "sim/capacity/plan.h"
#include "sim/capacity/projection.h"
#include "sim/capacity/report.h"
#include "sim/capacity/search.h"
#include "sim/cli/cli.h"
#include "sim/cli/options.h"
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
// replicas, consumers, or (scale: cores; a scale: both tier sized up on `up_instances`
// instances) cores with workers kept per core.
std::vector<scenario::Override> count_overrides(const capacity::Tier& tier, const topology::Component& c, int n,
                                                int up_instances = 0) {
  const bool up = up_instances > 0;
  std::string base = "components." + c.name + ".";
  if (tier.scale == capacity::Scale::kCores || up) {
    const auto& s = *c.service();
    long long workers = std::max<long long>(1, std::llround(static_cast<double>(s.workers) * n / s.cores));
    std::vector<scenario::Override> o = {topology_override(base + "cores", n), topology_override(base + "workers", workers)};
    if (up) {
      o.push_back(topology_override(base + "replicas", up_instances));
      // Memory follows the cores (an instance family: seed 001's 2 → 4 → 8 cores, 4 → 8 → 16 GB).
      if (s.memory > 0) {
        scenario::Override m;
        m.path = base + "memory";
        m.value = fmt::format("{:.0f}B", s.memory * n / s.cores);
        o.push_back(m);
      }
    }
    return o;
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
  app.add_option("--out", o->out, "output directory (default out/capacity-<plan name>/)");
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
    fs::path out = o->out.empty() ? fs::path(runs::default_out("capacity-" + plan.name)) : fs::path(o->out);
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
    std::vector<capacity::ScaleUpResult> ups;
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
      // `up`: a scale: both tier sized up, whose count is its cores per instance (null: none).
      auto request_for = [&](const capacity::Candidate& c, const std::string& dir,
                             const capacity::ScaleUpResult* up = nullptr) {
        runs::RunRequest r;
        r.scenario_path = plan.scenario_path;
        r.overrides = plan.overrides();
        double rate = plan.peak_rate(plan.horizons[c.horizon]);
        r.overrides.push_back(scenario_override("load", fmt::format("{{constant: {:.9g}/s}}", rate)));
        r.overrides.push_back(scenario_override("duration", fmt::format("{:.9g}s", info.duration)));
        r.overrides.push_back(scenario_override("warmup", fmt::format("{:.9g}s", info.warmup)));
        for (std::size_t t : sized) {
          const topology::Component* comp = topo.find(plan.tiers[t].component);
          for (auto& ov : count_overrides(plan.tiers[t], *comp, c.counts[t], up && up->tier == t ? up->instances : 0)) {
            r.overrides.push_back(ov);
          }
        }
        for (std::size_t i = 0; i < plan.dimensions.size(); ++i) {
          r.overrides.push_back(dimension_override(plan.dimensions[i], c.counts[plan.tiers.size() + i]));
        }
        // The user population (shard keys, keys per user) grows with the plan's users.
        if (topo.users.count > 0) {
          r.overrides.push_back(topology_override("users.count", std::llround(plan.users.at(plan.horizons[c.horizon]))));
        }
        r.seed = info.seed;
        r.command = provenance_command(global.argv);
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
      // Keyed by (index into ups of the tier sized up, or -1; horizon; counts).
      std::map<std::tuple<int, std::size_t, std::vector<int>>, fs::path> dirs;
      int next_dir = 0;
      std::vector<runs::RunOutcome> all;
      // `up` (index into ups, -1: the main search) with `base`: a scale: both tier sized up —
      // candidate horizon i is plan horizon up.horizons[i], and every count but the tier's is base[i]'s.
      auto evaluator = [&](int up, const std::vector<std::vector<int>>* base) -> capacity::Evaluate {
        return [&, up, base](const std::vector<capacity::Candidate>& candidates) {
        const capacity::ScaleUpResult* u = up >= 0 ? &ups[static_cast<std::size_t>(up)] : nullptr;
        runs::Batch batch;
        batch.label = fmt::format("capacity {}: {} runs{}", plan.name, candidates.size(),
                                  u ? fmt::format(", {} on {} instances, cores each", plan.tiers[u->tier].name, u->instances)
                                    : "");
        batch.parallel = o->jobs;
        batch.progress = !global.quiet;
        batch.ledger_dir = cand_root.string();
        batch.resume = o->resume;
        for (capacity::Candidate c : candidates) {
          if (u) {
            std::vector<int> counts = (*base)[c.horizon];
            counts[u->tier] = c.counts[u->tier];
            c = {u->horizons[c.horizon], counts};
          }
          fs::path dir = cand_root / fmt::format("{:04d}", next_dir++);
          dirs[{up, c.horizon, c.counts}] = dir;
          batch.runs.push_back(request_for(c, dir.string(), u));
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
      };
      result = capacity::search(si, names, evaluator(-1, nullptr));
      // Each scale: both tier sized up where the main search found an answer: the cores per
      // instance on its instances, starting from the cores that answer has in all, then (two
      // instances or more) on one fewer: the cores each instance needs to survive one lost.
      for (std::size_t t : sized) {
        const capacity::Tier& tier = plan.tiers[t];
        if (tier.scale != capacity::Scale::kBoth) continue;
        for (int instances : {tier.up_instances, tier.up_instances - 1}) {
          if (instances < 1) continue;
          const int up = static_cast<int>(ups.size());
          capacity::ScaleUpResult& u = ups.emplace_back();
          u.tier = t;
          u.instances = instances;
          capacity::SearchInput ui;
          ui.max_servers = plan.simulate.max_servers;
          ui.mins.assign(si.mins.size(), 0);
          ui.mins[t] = 1;
          ui.searched.assign(si.searched.size(), false);
          ui.searched[t] = true;
          std::vector<std::vector<int>> base;
          for (std::size_t h = 0; h < result->horizons.size(); ++h) {
            const auto& a = result->horizons[h];
            if (!a.feasible) continue;
            u.horizons.push_back(h);
            base.push_back(a.counts);
            std::vector<int> start(si.mins.size(), 0);
            start[t] = std::max(1, (a.counts[t] * tier.up_base_cores + instances - 1) / instances);
            ui.starts.push_back(start);
          }
          if (!u.horizons.empty()) u.search = capacity::search(ui, names, evaluator(up, &base));
        }
      }
      // Keep the report of the configuration found per horizon (runs/month-N; a tier scaled up:
      // runs/month-N-<tier>-up); drop the other candidates.
      auto keep_run = [&](int up, std::size_t h, const std::vector<int>& counts, const std::string& name) {
        auto it = dirs.find({up, h, counts});
        if (it == dirs.end()) return;
        fs::path keep = out / "runs" / name;
        for (const char* f : {"report.md", "report.json"}) {
          std::ifstream found(it->second / f, std::ios::binary);
          std::stringstream text;
          text << found.rdbuf();
          if (std::string err = runs::write_file((keep / f).string(), text.str()); found && !err.empty()) {
            std::fprintf(stderr, "infrasim capacity: %s\n", err.c_str());
            status = core::kInternal;
          }
        }
      };
      for (std::size_t h = 0; h < result->horizons.size(); ++h) {
        keep_run(-1, h, result->horizons[h].counts, fmt::format("month-{}", core::format_number(plan.horizons[h])));
      }
      for (std::size_t k = 0; k < ups.size(); ++k) {
        const capacity::ScaleUpResult& u = ups[k];
        if (u.instances != plan.tiers[u.tier].up_instances) continue;  // the N−1 check keeps no report
        for (std::size_t i = 0; i < u.horizons.size(); ++i) {
          const std::size_t h = u.horizons[i];
          std::vector<int> counts = result->horizons[h].counts;
          counts[u.tier] = u.search.horizons[i].counts[u.tier];
          keep_run(static_cast<int>(k), h, counts,
                   fmt::format("month-{}-{}-up", core::format_number(plan.horizons[h]), plan.tiers[u.tier].name));
        }
      }
      fs::remove_all(cand_root, ec);
      status = runs::command_status(all, status);
    }

    report::Json report =
        capacity::capacity_json(plan, projection, load ? &*load : nullptr, result ? &*result : nullptr, info, ups);
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
