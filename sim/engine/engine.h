#pragma once
// The only entry into the simulation, and the only layer that includes
// SimGrid. One call per OS process: SimGrid keeps global state, and a second
// engine in the same process continues the first one's clock.

#include <cstdint>
#include <functional>
#include <string>

#include "sim/model/arrivals.h"
#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::engine {

/// How the request kernel computes CPU sharing (HostCpu): in the kernel, or — the
/// verification mode — by SimGrid's Cas01 model for every contended host.
enum class CpuMode { kKernel, kSimGrid };
/// How the kernel is woken: batched (default) or once per event (a debug switch
/// that must give byte-identical results).
enum class WakeRule { kBatched, kPerEvent };

struct RunOptions {
  /// Called about once per wall second with (simulated now, duration); may print progress.
  std::function<void(double, double)> progress;
  double max_wall_seconds = 0;        ///< 0 = no limit; beyond: the run stops with `aborted`
  std::uint64_t max_events = 0;       ///< simulated requests; 0 = no limit
  /// Requests in the system above which the run stops (a model that explodes); 0 = 2,000,000.
  std::uint64_t max_in_flight = 0;
  CpuMode cpu = CpuMode::kKernel;
  WakeRule wake = WakeRule::kBatched;
};

struct RunOutcome {
  model::RunResult result;
  model::EngineStats stats;
  bool aborted = false;               ///< a safety limit stopped the run early
  std::string abort_reason;
};

/// Runs `scen` on `topo` with the arrivals the caller built (model::make_arrivals,
/// which reports bad traces before anything runs). REQUIRES: first and only call
/// in this process. Simulated failures are outcomes in the result; an internal
/// error throws std::exception.
RunOutcome run(const scenario::Scenario& scen, const topology::Topology& topo,
               std::unique_ptr<model::ArrivalStream> arrivals, const RunOptions& options);

}  // namespace sim::engine
