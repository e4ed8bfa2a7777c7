#pragma once
// Capacity plans (infrasim capacity): how users and data grow, what a user
// costs, what is planned per horizon, and which scenario sizes the tiers.
// The format is documented in docs/capacity.md; scenarios/plans/ holds the
// worked examples. Units are SI: bytes, cores, requests per second; time in
// months from "now" (month 0).
//
//   name: seed-002
//   start: 2025-01                        # optional: the calendar month of month 0
//   horizons: [now, 3, 6, 12, 24]         # months ahead
//   growth:
//     users: {current: 10000, yearly: 2.5x}   # or per_year: 15000, or points: {0: 10000, 12: 25000}
//     data:  {current: 500GB, yearly: 3x}
//   per_user: {cpu: 0.1, memory: 50MB, storage: 100MB}
//   requests: {per_user: 0.01/s, peak_factor: 3}
//   headroom: {cpu: 70%, memory: 80%, storage: 80%}
//   tiers:
//     web: {component: app, carries: {cpu: 100%}, server: {cores: 2, memory: 1GiB}}
//     db:  {component: db, min: 2}
//   plan:
//     0:  {web: 5, db: 3, storage: 1TB}
//     12: {web: 20, db: 8, storage: 10TB}
//   scenario: ../scaling-steady.yaml
//   set: {components.lb.rate_limit.rate: 1000000/s}
//   simulate: {duration: 80s, warmup: 20s, max_servers: 100}
//   dimensions:                           # data-tier quantities sized by simulation only
//     cache_memory: {component: cache, memory: {step: 1GiB}, hit_ratio: 80%}
//     db_shards:    {component: db, shards: {}, headroom: 70%}
//
// Errors are located (file:line:col) like every other input; nothing runs then.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/loader.h"
#include "sim/topology/topology.h"

namespace sim::capacity {

using core::SourcePos;

/// A quantity over time (users, or bytes of data), in months from now.
struct Growth {
  enum class Model { kNone, kCompound, kLinear, kPoints };
  Model model = Model::kNone;
  double current = 0;    ///< value at month 0 (compound, linear)
  double yearly = 1;     ///< compound: multiplier per 12 months
  double per_year = 0;   ///< linear: added per 12 months (may be negative; the value stops at 0)
  std::vector<std::pair<double, double>> points;  ///< (month, value), ascending months
  SourcePos pos;

  bool given() const { return model != Model::kNone; }
  /// The value at `month`:
  ///   compound  current × yearly^(month / 12)
  ///   linear    max(0, current + per_year × month / 12)
  ///   points    linear between neighbouring points; the first / last value outside them
  ///   none      0
  double at(double month) const;
};

/// What one server of a tier holds. Defaults: cores and memory of the tier's
/// topology component when it has them, else 8 cores, 32 GiB; disk 1 TB.
struct ServerSize {
  double cores = 8;
  double memory = 32.0 * 1024 * 1024 * 1024;
  double disk = 1e12;
};

/// How a server count maps onto the tier's topology component.
enum class Scale {
  kReplicas,  ///< instances: service/LB replicas, cache/storage nodes, DB primary + replicas, queue consumers
  kCores,     ///< one service instance with n cores (and workers scaled with them): vertical sizing
  kBoth,      ///< sized both ways (services only): out as kReplicas, then up — the topology's instance
              ///< count, each with n cores — with the other tiers at the out answer (docs/capacity.md
              ///< "Scale up or out"); the tier's count and recommendation are the out answer
};

/// "replicas", "cores", "both" (the plan's `scale:` value).
const char* scale_name(Scale s);

struct Tier {
  std::string name;
  std::string component;   ///< topology component the simulation resizes ("" = analytic only)
  Scale scale = Scale::kReplicas;
  ServerSize server;
  bool cores_given = false, memory_given = false;  ///< false: resolve_tiers() takes them from the component
  double cpu_share = 0;      ///< of the per-user CPU this tier carries (default 0)
  double memory_share = 0;   ///< of the per-user memory (default 0)
  double storage_share = 0;  ///< of the stored data (default 0)
  int min = 1;               ///< fewest servers ever required (e.g. 2 for a primary and a replica; default 1)
  /// kBoth: the instances scaled up — the component's replicas, at least `min` (filled by resolve_tiers()).
  int up_instances = 0;
  /// kBoth: the cores of one instance as the topology has it (one server scaled out; filled by resolve_tiers()).
  int up_base_cores = 0;
  SourcePos pos, component_pos;
};

/// A data-tier quantity sized by simulation only (no analytic count, no plan
/// point): the smallest value per horizon whose run meets the scenario's
/// expectations and the dimension's own target.
///   memory   a cache's memory per node, in steps: the hit ratio must stay at or
///            above `hit_ratio` (the cache's `keys` model it from memory)
///   shards   a database's shard count: its hottest shard's busiest instance must
///            stay at or below `headroom` CPU (default: the plan's headroom cpu)
struct Dimension {
  enum class Kind { kMemory, kShards };
  std::string name;
  std::string component;
  Kind kind = Kind::kMemory;
  double step = 1024.0 * 1024 * 1024;  ///< memory: bytes per unit (default 1GiB)
  std::optional<double> hit_ratio;     ///< memory: the target (default: none, only the expectations)
  std::optional<double> headroom;      ///< shards: the hottest shard's CPU limit (default: headroom cpu)
  int min = 1;                         ///< units (default 1)
  SourcePos pos, component_pos;
  /// "16GiB" for 16 steps of 1GiB, "8" shards.
  std::string value_text(int units) const;
};

/// The infrastructure planned from `month` on (until the next point).
struct PlanPoint {
  double month = 0;
  std::map<std::string, int> servers;  ///< tier -> count; every tier is listed
  std::optional<double> storage;       ///< bytes of storage planned
  SourcePos pos;
};

struct SimulateSpec {
  double duration = 0;                 ///< simulated time per candidate; 0 = the scenario's own
  std::optional<double> warmup;        ///< default: the scenario's, shortened to a fifth of `duration` if longer
  std::optional<std::uint64_t> seed;   ///< default: the scenario's seed (every candidate uses the same one)
  int max_servers = 100;               ///< the search never tries more per tier (default 100)
};

struct Plan {
  std::string name;
  std::string description;
  std::string file;
  int start_year = 0, start_month = 0;  ///< calendar month of month 0; 0 = not given
  std::vector<double> horizons;         ///< months, ascending, unique
  Growth users;                         ///< required
  Growth data;                          ///< bytes; optional
  double cpu_per_user = 0;              ///< cores (default 0)
  double memory_per_user = 0;           ///< bytes (default 0)
  double storage_per_user = 0;          ///< bytes (default 0)
  double requests_per_user = 0;         ///< requests/s per user on average (default 0: no load-based sizing)
  double peak_factor = 1;               ///< peak rate / average rate (default 1)
  double headroom_cpu = 0.7;            ///< highest planned CPU utilization (default 70 %)
  double headroom_memory = 0.8;         ///< default 80 %
  double headroom_storage = 0.8;        ///< default 80 %
  std::vector<Tier> tiers;              ///< in file order
  std::vector<Dimension> dimensions;    ///< in file order; searched with the tiers
  std::vector<PlanPoint> plan;          ///< ascending months; may be empty (no gaps then)
  std::string scenario_path;            ///< resolved against the plan's folder; "" = analytic only
  SourcePos scenario_pos;
  std::vector<std::pair<std::string, std::string>> set;  ///< overrides for every run, in file order
  SimulateSpec simulate;

  /// Peak requests per second at `month`: users × requests_per_user × peak_factor.
  double peak_rate(double month) const;
  /// The total data to store at `month`: the larger of users × storage_per_user and data.
  double storage_at(double month) const;
  /// The plan point in force at `month` (the last one at or before it), or nullptr.
  const PlanPoint* in_force(double month) const;
  /// `set` as scenario overrides.
  std::vector<scenario::Override> overrides() const;
  const Tier* find_tier(const std::string& name) const;
  /// "2025-07" for `month` 6.4 when `start` is given, else "".
  std::string date_of(double month) const;
};

/// Parses plan text named `file`; every problem goes to diags, nullopt if any
/// error. Reads nothing else from disk (the scenario is checked by load_plan).
std::optional<Plan> parse_plan(const std::string& file, const std::string& text, core::Diagnostics& diags);

/// Checks the tiers against the scenario's topology: each `component` exists,
/// can be resized (not a CDN; `scale: cores` and `both` only on a service) and is named by
/// one tier only; fills server cores/memory not given from the component.
/// Dimensions: memory on a cache whose hit ratio is modelled (keys), shards on a
/// database; one dimension per component and kind.
/// Errors are located at the tier's `component:` value. Warns when the
/// scenario autoscales a sized component (the search sets its starting count).
bool resolve_tiers(Plan& plan, const scenario::Loaded& scenario, core::Diagnostics& diags);

/// A plan with the scenario it names, loaded with the plan's `set` overrides.
struct PlanInput {
  Plan plan;
  std::optional<scenario::Loaded> scenario;
};

/// Reads a plan file, its scenario and topology, and resolves the tiers.
std::optional<PlanInput> load_plan(const std::string& path, core::Diagnostics& diags);

}  // namespace sim::capacity
