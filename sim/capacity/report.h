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
report::Json capacity_json(const Plan& plan, const Projection& projection, const LoadModel* load,
                             const SearchResult* sim, const SimulationInfo& info);

/// capacity.md from capacity_json()'s output.
std::string capacity_markdown(const report::Json& report);

/// capacity.html from capacity_json()'s output: the tables, the findings and the
/// growth charts (users and request rate; per tier: needed, planned, simulated).
std::string capacity_html(const report::Json& report);

/// The one-page summary printed by `infrasim capacity`.
std::string capacity_console(const report::Json& report);

/// Why the simulated count differs from (or agrees with) the analytic one, from
/// what the runs reported: utilization against the headroom target, the misses
/// of the run with one server fewer (queueing, connection limits, cache hits).
std::string explain_difference(const TierProjection& analytic, const TierAnswer& simulated, std::size_t tier_index,
                               int min, double headroom_cpu);

}  // namespace sim::capacity
