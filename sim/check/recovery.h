#pragma once
// RTO and RPO, measured from a run's windows and data-loss records.
//
// RTO of a fault (measured): from the fault's time to the start of the first
// window from which the success ratio stays at or above the recovery threshold
// for the stabilization period; 0 when the fault never pushed a window below
// the threshold. A fault after which the ratio never stabilizes before the end
// of the run is "unrecovered".
// RPO (measured): the age of the oldest acknowledged write that the surviving
// data does not contain, from the engine's write tracking (0 when none lost).

#include <optional>
#include <string>
#include <vector>

#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::check {

/// What the configuration says a fault should cost, before any simulation.
struct Prediction {
  std::optional<double> rto;      ///< nullopt: no automatic recovery (until the fault ends)
  std::optional<double> rpo;      ///< nullopt: no data at risk
  std::string disruption;         ///< instance, zone, region or data
  std::string explanation;        ///< "health check 5s × 3 + 3s timeout + promotion 30s + DNS TTL 1m"
};

/// Pure: the predicted recovery of one fault of the scenario on its topology.
Prediction predict(const topology::Topology& t, const scenario::Fault& f);

struct FaultRecovery {
  std::string fault;  ///< the timeline's description of the fault event
  std::string name;   ///< the scenario fault's name
  double time = 0;
  Prediction predicted;
  std::optional<double> rto;     ///< nullopt: not recovered before the end
  double rpo = 0;
  std::uint64_t writes_lost = 0;
  std::optional<double> dip_start;  ///< first window below the threshold
};

/// Met / breached per disruption class, against scenario.resilience.targets.
struct ClassAssessment {
  std::string disruption;
  std::optional<double> rto_target, rpo_target;
  std::optional<double> worst_rto;  ///< nullopt with unrecovered = true: never recovered
  bool unrecovered = false;
  double worst_rpo = 0;
  bool met = true;
  std::string detail;
};

struct RecoverySummary {
  std::vector<FaultRecovery> faults;
  std::vector<ClassAssessment> assessment;
  std::optional<double> worst_rto;  ///< nullopt when no fault, or when one never recovered (see unrecovered)
  bool unrecovered = false;
  double worst_rpo = 0;
  std::uint64_t writes_lost = 0;
};

/// Pure. `t` (may be null) adds predictions and the per-class assessment.
RecoverySummary summarize_recovery(const scenario::Scenario& s, const model::RunResult& r,
                                   const topology::Topology* t = nullptr);

}  // namespace sim::check
