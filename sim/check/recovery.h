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

namespace sim::check {

struct FaultRecovery {
  std::string fault;
  double time = 0;
  std::optional<double> rto;     ///< nullopt: not recovered before the end
  double rpo = 0;
  std::uint64_t writes_lost = 0;
  std::optional<double> dip_start;  ///< first window below the threshold
};

struct RecoverySummary {
  std::vector<FaultRecovery> faults;
  std::optional<double> worst_rto;  ///< nullopt when no fault, or when one never recovered (see unrecovered)
  bool unrecovered = false;
  double worst_rpo = 0;
  std::uint64_t writes_lost = 0;
};

/// Pure.
RecoverySummary summarize_recovery(const scenario::Scenario& s, const model::RunResult& r);

}  // namespace sim::check
