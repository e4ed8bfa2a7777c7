#pragma once
// The capacity report: capacity.json (everything, machine-readable; the
// growth chart's series included), capacity.md (people) and a one-page
// console summary. Markdown and the summary are built from the JSON, so
// what people read is exactly what machines get. Pure: no clock, no I/O.

#include <optional>
#include <string>


#include "sim/capacity/plan.h"
#include "sim/capacity/projection.h"
#include "sim/capacity/search.h"
#include "sim/report/json.h"

namespace sim::capacity {

/// How the simulated part was run (for the report's header).
struct SimulationInfo {
  std::string scenario;   ///< scenario name
  std::string topology;   ///< topology name
  std::uint64_t seed = 0;
  double duration = 0, warmup = 0;
};

/// The report. `load` and `sim` may be null (no scenario / --no-simulate).
/// `ups`: the `scale: both` tiers sized up (search.h ScaleUpResult), reported per horizon as
/// `scale_up_or_out` beside the answer scaled out.
report::Json capacity_json(const Plan& plan, const Projection& projection, const LoadModel* load,
                             const SearchResult* sim, const SimulationInfo& info,
                             const std::vector<ScaleUpResult>& ups = {});

/// capacity.md from capacity_json()'s output.
std::string capacity_markdown(const report::Json& report);

/// capacity.html from capacity_json()'s output: the tables, the findings and the
/// growth charts (users and request rate; per tier: needed, planned, simulated).
std::string capacity_html(const report::Json& report);

/// The one-page summary printed by `infrasim capacity`.
std::string capacity_console(const report::Json& report);

/// The one count recommended for a tier at a horizon, and what binds it:
///   simulated tiers  max(at headroom, N+1, memory, storage)
///     at headroom    the CPU the simulation measured at the smallest count that met the targets
///                    (its mean utilization × that count), at the plan's CPU headroom: ⌈u × n / headroom⌉
///     N+1            one more than that smallest count: losing any one instance leaves a count that met
///                    the targets (one fewer failed, or is under the tier's min)
///     memory         the plan's per-user memory with headroom (analytic: the simulation does not model it)
///     storage        the plan's per-user storage / data growth with headroom (analytic, likewise)
///   other tiers      the analytic requirement (per-user CPU, memory, storage, request cost, min)
/// The per-user CPU estimate does not enter a simulated tier's count: the simulation measures the CPU
/// the scenario's requests cost instead (the two are compared in the tier's explanation).
struct Recommendation {
  bool feasible = true;  ///< false: no count up to the search's maximum met the targets
  bool simulated = false;
  int servers = 0;
  std::string binding;   ///< "headroom", "n+1", "memory", "storage", "min"; analytic: "cpu", "load", ...
  std::string reason;    ///< one sentence with the numbers
  int at_headroom = 0, n_plus_1 = 0;  ///< simulated tiers only
  double busy_cores = 0;              ///< simulated: cores the tier kept busy at the smallest passing count
};

/// `sim` null: the tier was not simulated. `t` indexes the tier in the run's observations.
Recommendation recommend(const Plan& plan, const Tier& tier, const TierProjection& analytic, const TierAnswer* sim,
                         bool feasible, std::size_t t);

/// Why the simulated count differs from (or matches) the request-cost estimate
/// (analytic), and whether the plan's per-user CPU estimate disagrees with the
/// CPU the simulated requests cost, from what the runs reported: utilization
/// against the headroom target, the misses of the run with one server fewer
/// (queueing, connection limits, cache hits).
std::string explain_difference(const TierProjection& analytic, const TierAnswer& simulated, std::size_t tier_index,
                               const Tier& tier, double headroom_cpu);

}  // namespace sim::capacity
