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
// Per request class: the same RTO on the class's own success ratio.

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "sim/check/explain.h"
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

/// The RTO of one request class after a fault, measured on that class's own
/// success ratio per window (WindowStats::by_class): a database failover stops
/// the writes long before it shows in the success ratio of all traffic.
struct ClassRecovery {
  std::string request_class;
  std::optional<double> rto;        ///< nullopt: not recovered before the end
  std::optional<double> dip_start;  ///< first window below the threshold
};

struct FaultRecovery {
  std::string fault;  ///< the timeline's description of the fault event
  std::string name;   ///< the scenario fault's name
  double time = 0;
  Prediction predicted;
  std::optional<double> rto;     ///< nullopt: not recovered before the end
  double rpo = 0;
  std::uint64_t writes_lost = 0;
  std::optional<double> dip_start;  ///< first window below the threshold
  std::vector<ClassRecovery> classes;  ///< one per request class, in the run's class order (none without per-class windows)
  /// Why the RTO is what it is, for people: the failing windows and their failure reasons, the
  /// recovery timeline up to the recovery, or why it never recovered (a tier left saturated: its
  /// instances left, busy %, queue_full, instances needed; or nothing left to serve).
  std::string why;
  std::optional<Saturation> saturation;  ///< the tier that could not carry the load, when one could not
};

/// An RTO target of one request class within a disruption class.
struct ClassTargetVerdict {
  std::string request_class;
  double target = 0;
  std::optional<double> worst_rto;  ///< of the class, over the faults of the disruption class
  bool unrecovered = false;
  bool met = true;
};

/// Met / breached per disruption class, against scenario.resilience.targets.
struct ClassAssessment {
  std::string disruption;
  std::optional<double> rto_target, rpo_target;
  std::optional<double> worst_rto;  ///< nullopt with unrecovered = true: never recovered
  bool unrecovered = false;
  double worst_rpo = 0;
  bool exercised = false;           ///< some fault of this disruption class ran (otherwise met, "not exercised")
  bool met = true;
  std::vector<ClassTargetVerdict> classes;  ///< the request-class RTO targets
  std::string detail;               ///< "1 fault(s): worst RTO 1m50s, worst RPO 517ms", or why not exercised
  std::string why;                  ///< when breached: the worst fault's explanation
  /// "met", "breached" or "not exercised".
  std::string verdict() const { return !exercised ? "not exercised" : met ? "met" : "breached"; }
  /// "resilience.zone": the check's stable name.
  std::string id() const { return "resilience." + disruption; }
  /// "RTO <= 15m, RTO <= 2m (class api_write), RPO <= 5m".
  std::string expected_text() const;
};

struct RecoverySummary {
  std::vector<FaultRecovery> faults;
  std::vector<ClassAssessment> assessment;
  std::optional<double> worst_rto;  ///< nullopt when no fault, or when one never recovered (see unrecovered)
  bool unrecovered = false;
  double worst_rpo = 0;
  std::uint64_t writes_lost = 0;
};

/// The RTO of a fault at `fault_time` on a success-ratio series (`ratio(i)` of window i, windows of
/// `window` seconds from 0): from the fault to the start of the first window from which the ratio stays
/// at or above `threshold` for `hold` seconds (the hold must fit before `duration`); 0 when no window
/// from the fault's on dips. Only a dip in a window that ends by `dip_before` is the fault's (a later
/// one belongs to a later fault: see dip_horizon). Sets *dip_start (may be null) to the first window below
/// the threshold.
std::optional<double> measure_rto(double fault_time, std::size_t windows, double window, double duration,
                                  double threshold, double hold, const std::function<double(std::size_t)>& ratio,
                                  std::optional<double>* dip_start,
                                  double dip_before = std::numeric_limits<double>::infinity());

/// Until when a dip can be fault `f`'s when it strikes at `at`: while it is in force (its `for:`,
/// or the whole run for a fault without one), and at least until the same fault's next strike,
/// `next` (a chaos monkey's, `every:`'s or a flap's; infinity when none). Distinct faults are not
/// told apart: a dip after both is charged to both. A chaos monkey's kill, a cache flush, a planned failover and a
/// restore are in force only at the instant they strike. `f` null (a fault the scenario does not
/// list) keeps the whole run.
double dip_horizon(const scenario::Fault* f, double at, double next);

/// Pure. `t` (may be null) adds predictions and the per-class assessment.
RecoverySummary summarize_recovery(const scenario::Scenario& s, const model::RunResult& r,
                                   const topology::Topology* t = nullptr);

}  // namespace sim::check
