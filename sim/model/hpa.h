#pragma once
// The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) as its controller
// implements it, ported from kubernetes/kubernetes pkg/controller/podautoscaler
// (horizontal.go, replica_calculator.go, metrics/utilization.go) and
// pkg/apis/autoscaling/v2/defaults.go. Pure C++: the engine samples the pods
// every sync period and calls HpaController::evaluate; `infrasim autoscale`
// calls evaluate_hpa on a written-down state. docs/autoscaling.md has the
// formulas; this header has the contract.
//
// One sync, in the controller's order:
//   1. First sync of this HPA: the current count is recorded as a
//      recommendation at `now` (recordInitialRecommendation), so the first
//      sync never scales down.
//   2. current == 0 (and min > 0): autoscaling disabled, nothing changes.
//      current > max: desired = max.  current < min: desired = min.
//   3. Otherwise one proposal per metric (replica_calculator.go):
//        cpu/memory  utilization = floor(100 * sum(usage) / sum(request))  [milli-units, integer]
//        rps/latency/queue  value = floor(sum(value) / pods)              [milli-units, integer]
//        ratio = value / target; within tolerance (1-t <= ratio <= 1+t): no change;
//        else desired = ceil(ratio * ready pods).
//      Pods: terminating ones are ignored; pending ones are "unready"; pods
//      without metrics are "missing". For CPU only, a running pod is also
//      unready while it is not ready or (within cpu_initialization_period of
//      its start) its metric window does not yet lie after its readiness
//      transition, and after that period while it is not ready and has never
//      been ready (its last transition within initial_readiness_delay of start).
//      Unready pods are left out; if there are unready pods and ratio > 1, or
//      missing pods, the ratio is recomputed with unready pods at 0 (scale-up
//      only), missing pods at 100 % of request / at the target (scale-down)
//      or 0 (scale-up); a recomputed ratio within tolerance or on the other
//      side of 1 means no change, and so does a count on the wrong side of
//      current. A metric with no usable pod is invalid.
//   4. The largest valid proposal wins. All metrics invalid, or some invalid
//      while the valid ones would scale down: no change this sync.
//   5. With a behavior: block (HpaSpec::behavior_given), normalizeDesiredReplicasWithBehaviors:
//        stabilization: the count moves from current toward the proposal only
//          as far as every recommendation in the window allows (scale-up: the
//          lowest in the scale-up window, default 0 s; scale-down: the highest
//          in the scale-down window, default 300 s); the unstabilized proposal
//          is recorded;
//        policies (defaults: up max(4 pods, 100 %) per 15 s, down 100 % per 15 s):
//          period start = current - added + removed within the period;
//          Pods: start +/- value; Percent up: ceil(start * (1 + v/100)),
//          Percent down: trunc(start * (1 - v/100)); Max picks the largest
//          change, Min the smallest, Disabled no change; then min/max.
//      Without it, the older normalizeDesiredReplicas: the highest
//      recommendation of the last 300 s (proposal included), then a scale-up
//      cap of max(2 * current, 4), then min/max; no scale events are kept.
//   6. A change is recorded as a scale event (behavior path only), which the
//      policies count in later syncs.
// Times are seconds of simulated time. Windows include a sample strictly
// younger than the window (time > now - window), as the controller's
// time.After; the older path includes time >= now - window (not Before).

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/autoscale_state.h"
#include "sim/scenario/scenario.h"

namespace sim::model {

/// One pod as the controller sees it at a sync.
struct PodSample {
  enum class Phase {
    kPending,  ///< scheduled, not running yet: "unready" for every metric
    kRunning,
    kTerminating,  ///< being deleted (or failed): ignored entirely
  };
  Phase phase = Phase::kRunning;
  bool ready = true;                  ///< the Ready condition
  double start_time = 0;              ///< Status.StartTime
  double ready_transition_time = 0;   ///< last transition of the Ready condition (to ready or to unready)
  bool has_metrics = true;            ///< false: the metrics pipeline has no sample for this pod ("missing")
  std::optional<double> metric_time;  ///< end of the metric window; default: the sync time
  double cpu_request = 1;             ///< cores (only ratios between pods matter)
  double memory_request = 1;          ///< bytes (only ratios between pods matter)
  double cpu_utilization = 0;         ///< CPU used / cpu_request over the metric window (may exceed 1)
  double memory_utilization = 0;      ///< memory used / memory_request
  double rps = 0;                     ///< requests per second served by this pod
  double latency_p99 = 0;             ///< seconds
  double queue_length = 0;            ///< requests waiting in this pod
};

/// An unstabilized recommendation the controller remembers (horizontal.go timestampedRecommendation).
struct HpaRecommendation {
  double time = 0;
  int replicas = 0;
};

/// A scale action the controller remembers (timestampedScaleEvent); `change` is the magnitude (> 0).
struct HpaScaleEvent {
  double time = 0;
  int change = 0;
  bool outdated = false;  ///< older than the direction's longest policy period; its slot is reused
};

/// What the controller keeps between syncs of one HPA.
struct HpaHistory {
  /// False before the first sync: then the current count is recorded first (recordInitialRecommendation).
  bool initialized = false;
  std::vector<HpaRecommendation> recommendations;
  std::vector<HpaScaleEvent> scale_up_events;    ///< replicas added
  std::vector<HpaScaleEvent> scale_down_events;  ///< replicas removed
};

/// The replica count one metric asks for, and how it was computed.
struct HpaMetricProposal {
  enum class Outcome {
    kScale,            ///< replicas = ceil(ratio * pods)
    kWithinTolerance,  ///< ratio (or recomputed ratio) within tolerance: replicas = current
    kDirectionFlip,    ///< recomputing with missing/unready pods reversed the direction: replicas = current
    kInvalid,          ///< no pod with a usable metric: no proposal
  };
  scenario::HpaMetric metric;
  Outcome outcome = Outcome::kInvalid;
  int replicas = 0;
  /// cpu/memory: utilization in whole percent; others: the average in milli-units (1000 = 1/s, 1 s, 1 request).
  long long value = 0;
  long long target = 0;                    ///< same unit as value
  double ratio = 0;                        ///< value / target
  std::optional<double> recomputed_ratio;  ///< with missing/unready pods filled in
  int ready_pods = 0, unready_pods = 0, missing_pods = 0, ignored_pods = 0;
  std::string detail;  ///< one line: how the proposal was computed
};

/// Which rule set the final count (the controller's ScalingLimited reasons).
enum class HpaLimit {
  kDesiredWithinRange,  ///< nothing limited the stabilized recommendation
  kScaleUpLimit,        ///< a scale-up policy (or the 2x/4 cap without behavior)
  kScaleDownLimit,      ///< a scale-down policy
  kTooManyReplicas,     ///< max
  kTooFewReplicas,      ///< min
};

/// The controller's name for a limit ("ScaleUpLimit", ...).
const char* hpa_limit_name(HpaLimit limit);

struct HpaDecision {
  enum class Path {
    kNormal,          ///< metrics -> stabilization -> policies -> min/max
    kDisabled,        ///< current == 0 with min > 0: the controller leaves it alone
    kAboveMax,        ///< current > max: desired = max, metrics not consulted
    kBelowMin,        ///< current < min: desired = min
    kInvalidMetrics,  ///< all metrics invalid, or some invalid and the rest would scale down
  };
  double now = 0;
  int current = 0;
  int desired = 0;  ///< the count to scale to (== current: no change)
  Path path = Path::kNormal;
  std::vector<HpaMetricProposal> proposals;  ///< one per metric, in spec order
  int metric_replicas = 0;                   ///< the largest valid proposal
  int metric_index = -1;                     ///< which proposal it was
  bool legacy = false;                       ///< no behavior: block, the older normalization was used
  int stabilized = 0;                        ///< after the stabilization window
  /// "ScaleUpStabilized", "ScaleDownStabilized" (the window changed the count) or "ReadyForNewScale".
  std::string stabilization;
  std::string stabilization_detail;  ///< the window bounds and how they moved the count
  std::optional<int> rate_limit;     ///< the scale-up/-down limit computed from the policies (or the 2x/4 cap)
  std::string limit_detail;          ///< how the limit was computed, per policy
  HpaLimit limit = HpaLimit::kDesiredWithinRange;
  std::string reason;  ///< one line, for logs and timelines
  bool rescale() const { return desired != current; }
};

/// Proposal of one metric (GetResourceReplicas / calcPlainMetricReplicas). `current` is the
/// scale target's replica count. Never fails: an unusable metric comes back kInvalid.
HpaMetricProposal compute_metric_replicas(const scenario::HpaSpec& spec, const scenario::HpaMetric& metric, double now,
                                          int current, const std::vector<PodSample>& pods);

/// One sync (reconcileAutoscaler) from a written-down state. Reads and updates *history as the
/// controller does: records the unstabilized recommendation and, when the count changes and a
/// behavior: block is given, the scale event. The caller applies `desired`.
/// REQUIRES: history != nullptr, current >= 0, spec.min <= spec.max.
HpaDecision evaluate_hpa(const scenario::HpaSpec& spec, double now, int current, const std::vector<PodSample>& pods,
                         HpaHistory* history);

/// The pods of a state file (scenario/autoscale_state.h), `count` expanded.
std::vector<PodSample> pod_samples(const scenario::AutoscaleState& state);
/// The controller's memory a state file describes: uninitialized when it has no
/// `recommendations:` key (first sync); events split by direction.
HpaHistory hpa_history(const scenario::AutoscaleState& state);
/// One sync from a state file: what `infrasim autoscale` prints. The updated
/// history goes to *history_after when given.
HpaDecision evaluate_autoscale_state(const scenario::AutoscaleState& state, HpaHistory* history_after = nullptr);

/// The scale-up rules in force: the spec's, with the API defaults for what it leaves out.
scenario::HpaRules effective_scale_up(const scenario::HpaSpec& spec);
/// The scale-down rules in force (stabilization default 300 s).
scenario::HpaRules effective_scale_down(const scenario::HpaSpec& spec);

/// Several lines explaining a decision: one per metric proposal, the stabilization, the
/// limit applied and the final count. No trailing newline.
std::string format_hpa_decision(const scenario::HpaSpec& spec, const HpaDecision& decision);

/// "cpu 70%", "rps 20/s", "latency_p99 250ms", "queue_length 5".
std::string hpa_metric_text(const scenario::HpaMetric& metric);

/// A stateful HPA for one scale target: the engine calls evaluate() every sync period
/// (spec().sync_period) and applies the decision (the controller assumes its scale
/// update succeeded, so the next sync sees `desired` as current).
class HpaController {
 public:
  explicit HpaController(scenario::HpaSpec spec) : spec_(std::move(spec)) {}

  /// One sync at simulated time `now` (non-decreasing between calls).
  HpaDecision evaluate(double now, int current_replicas, const std::vector<PodSample>& pods) {
    return evaluate_hpa(spec_, now, current_replicas, pods, &history_);
  }

  const scenario::HpaSpec& spec() const { return spec_; }
  const HpaHistory& history() const { return history_; }

 private:
  scenario::HpaSpec spec_;
  HpaHistory history_;
};

}  // namespace sim::model
