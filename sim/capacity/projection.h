#pragma once
// The analytic side of capacity planning (pure: no simulation, no I/O).
//
// Per horizon (month m from now):
//   users(m), data(m)        the plan's growth models (Growth::at)
//   rate(m)                  users × requests per user × peak factor
//   storage(m)               max(users × storage per user, data): the larger estimate binds
// Per tier, servers needed with headroom, each rounded up:
//   by cpu      share_cpu × users × cpu per user / (cores per server × headroom_cpu)
//   by memory   share_mem × users × memory per user / (memory per server × headroom_memory)
//   by storage  share_storage × storage(m) / (disk per server × headroom_storage)
//   by load     rate × CPU seconds one request costs the tier's component / (cores per server × headroom_cpu)
//               (a database: 1 server while reads + writes fit one; else the primary plus enough replicas
//               for the reads; writes cannot spread over replicas)
//   required    the largest of these and the tier's min; the binding resource is the one that gives it
// The gap is planned − required (negative: the plan falls short). Between
// horizons the requirement follows the growth curves, so the first month the
// plan falls short is found on the curve (searched day by day, then bisected),
// not only at the horizons.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/capacity/plan.h"
#include "sim/topology/topology.h"

namespace sim::capacity {

/// What one client request costs a tier's component, from the topology's
/// request paths, hit ratios and mean service times.
struct TierLoad {
  std::string tier;
  bool modelled = false;          ///< the tier's component does CPU work we can derive (service, cache, database, storage)
  bool database = false;
  double cores_per_request = 0;   ///< CPU seconds per client request (a database: reads + writes)
  double read_cores = 0;          ///< database: CPU seconds of reads per client request
  double write_cores = 0;         ///< database: CPU seconds on the primary per client request
  bool reads_on_primary = false;  ///< database without reads_from_replicas
  std::string detail;             ///< how the number was computed, per request class
};

/// Per tier, in plan order.
struct LoadModel {
  std::vector<TierLoad> tiers;
  const TierLoad* find(const std::string& tier) const;
};

/// The request-driven cost of each tier mapped to a component of `t`.
/// A class's request visits each step of its path with the probability that no
/// earlier CDN or cache step answered it: Π (1 − hit ratio) of those steps.
LoadModel load_model(const Plan& plan, const topology::Topology& t);

enum class Status {
  kNoPlan,  ///< nothing planned at this horizon
  kShort,   ///< planned < required
  kHolds,   ///< required <= planned < 2 × required
  kOver,    ///< planned >= 2 × required (and above it)
};
const char* status_name(Status s);
/// kShort / kHolds / kOver for a planned and a required amount.
Status status_of(double planned, double required);

struct TierProjection {
  std::string tier;
  std::optional<int> planned;
  double cpu = 0;          ///< cores of per-user CPU on this tier
  double memory = 0;       ///< bytes of per-user memory on this tier
  double storage = 0;      ///< bytes stored on this tier
  double load_cores = 0;   ///< cores the request rate keeps busy (database: reads + writes)
  int by_cpu = 0, by_memory = 0, by_storage = 0, by_load = 0;
  bool load_modelled = false;
  int required = 0;
  std::string binding;     ///< "cpu", "memory", "storage", "load" or "min"
  int gap = 0;             ///< planned − required (0 without a plan)
  Status status = Status::kNoPlan;
  std::string note;        ///< e.g. writes beyond one database primary
};

struct StorageProjection {
  double from_users = 0;   ///< users × storage per user
  double data = 0;         ///< the data growth model (0 when not given)
  double needed = 0;       ///< the larger of the two
  double required = 0;     ///< needed / headroom_storage
  std::optional<double> planned;
  double gap = 0;          ///< planned − required, bytes
  Status status = Status::kNoPlan;
};

struct HorizonProjection {
  double month = 0;
  std::string date;        ///< "2025-07" when the plan has a start
  double users = 0, data = 0, request_rate = 0;
  std::optional<double> plan_month;  ///< the plan point in force
  std::vector<TierProjection> tiers;
  StorageProjection storage;
};

/// The first time a tier (or the storage line) falls short of the plan.
struct Shortfall {
  std::string what;         ///< tier name or "storage"
  double month = 0;         ///< on the growth curve
  std::string date;
  double first_horizon = -1;  ///< the first horizon at which it is short (-1: only between horizons)
  double required = 0, planned = 0;  ///< at `month`
};

/// A growth chart's data: the curves sampled every `step` months.
struct Series {
  std::vector<double> month, users, data, storage, request_rate;
  std::map<std::string, std::vector<double>> required, planned;  ///< per tier; planned NaN-free: -1 = no plan
  std::vector<double> storage_planned;                           ///< -1 = no plan
};

struct Projection {
  std::vector<HorizonProjection> horizons;
  std::vector<Shortfall> shortfalls;   ///< one per tier/storage that falls short, earliest first
  Series series;
  std::vector<std::string> findings;   ///< what the plan's own numbers imply (inconsistencies)
};

/// The projection at one month. `load` may be null (no request-driven sizing).
HorizonProjection project_at(const Plan& plan, const LoadModel* load, double month);

/// Every horizon, the shortfalls, the chart series and the findings.
Projection project(const Plan& plan, const LoadModel* load);

/// Bytes in decimal units, as plans write them: "500GB", "1.25TB", "100MB"; a
/// whole number of MiB that is not one of MB in binary units: "16GiB".
std::string format_bytes(double bytes);
/// The needed and the planned amount as format_bytes() text, never equal when
/// needed > planned: digits are added until they differ, so a gap never rounds
/// away ("4.0004TB needed, 4TB planned", not "4TB needed, 4TB planned").
std::pair<std::string, std::string> format_bytes_gap(double needed, double planned);
/// A count rounded to a whole number, with thousands separators: "15,811".
std::string format_count(double x);

/// ceil(x) that forgives floating-point noise: ceil(2.0000000001) is 2.
int servers_for(double x);

}  // namespace sim::capacity
