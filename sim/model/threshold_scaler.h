#pragma once
// The seeds' own autoscaling style (seeds 001/002/003): threshold rules with a
// duration, a step and a cooldown per direction, e.g.
//   up:   cpu > 70 % for 5m: +1;  memory > 80 % for 5m: +1;  latency_p99 > 500ms for 5m: +2
//   down: cpu < 30 % for 15m: -1
//   cooldown: up 5m, down 10m;  min 2, max 10
// configured by scenario::ThresholdPolicy. Pure C++: the engine calls
// ThresholdScaler::evaluate every policy.evaluation_period and applies the decision.
//
// Exact semantics (each one has a test in tests/model/threshold_scaler_test.cpp):
//  - Metrics (ScalingMetrics): aggregated by the engine over the ready instances
//    for the last evaluation period: cpu and memory are mean utilizations
//    (fractions), latency_p99 is the service's p99 in seconds, rps is requests
//    per second per ready instance, queue_length is the mean queue per ready
//    instance. A metric that is absent (nullopt) makes every rule on it false.
//  - A rule's condition is strict: up rules hold when value > threshold,
//    down rules when value < threshold.
//  - "for: D" is Prometheus' `for:`: a rule fires at an evaluation where its
//    condition holds and has held at every evaluation since one at least D
//    earlier (D = 0: as soon as it holds). One evaluation where it does not
//    hold restarts the count. Scaling does not restart it: a condition that
//    still holds after the cooldown fires again.
//  - Scale-up: if any up rule fires, desired = current + the largest step among
//    the firing up rules (steps do not add up), unless the last scale-up was
//    less than cooldown_up ago.
//  - Scale-down: only if no up rule's condition holds at this evaluation; then
//    if any down rule fires, desired = current - the largest step among them,
//    unless the last scale event in EITHER direction was less than
//    cooldown_down ago (so capacity is never removed within cooldown_down of
//    adding some; this is what stops up/down flapping).
//  - Cooldowns are measured from the time of the scale event (the decision),
//    not from when new instances become ready; "less than" is strict, so a
//    5m cooldown after a scale-up at t=300 allows the next one at t=600.
//  - min/max: a current count outside [min, max] is moved to the bound at once
//    (no rule, no cooldown needed); a rule's result is clamped to [min, max],
//    and a rule that cannot act because the count is already at the bound is
//    reported as limited by max/min (saturation), not as a change.
//  - Every change (desired != current) is recorded as a scale event at `now`.

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace sim::model {

/// The aggregated service metrics a threshold policy reads (see the header comment for units).
struct ScalingMetrics {
  std::optional<double> cpu, memory, latency_p99, rps, queue_length;
  /// The value for a rule's metric name ("cpu", "memory", ...); nullopt if absent or unknown.
  std::optional<double> get(const std::string& metric) const;
};

/// One rule at one evaluation.
struct RuleStatus {
  bool holds = false;   ///< the condition holds now
  double held_for = 0;  ///< how long it has held continuously (0 when it does not hold)
  bool fired = false;   ///< holds and held_for >= the rule's duration
};

enum class ThresholdLimit {
  kNone,
  kCooldown,  ///< a rule fired but the direction's cooldown is still running
  kMax,       ///< a scale-up was trimmed or blocked by max (or current was above max)
  kMin,       ///< a scale-down was trimmed or blocked by min (or current was below min)
};

const char* threshold_limit_name(ThresholdLimit limit);

struct ThresholdDecision {
  double now = 0;
  int current = 0;
  int desired = 0;
  std::vector<RuleStatus> up, down;  ///< one per rule, in policy order
  ThresholdLimit limit = ThresholdLimit::kNone;
  std::string reason;  ///< one line, for logs and timelines
  bool rescale() const { return desired != current; }
};

/// A stateful threshold autoscaler for one service.
class ThresholdScaler {
 public:
  explicit ThresholdScaler(scenario::ThresholdPolicy policy);

  /// One evaluation at simulated time `now` (non-decreasing between calls). The caller
  /// applies `desired`; the scaler records the change as a scale event.
  ThresholdDecision evaluate(double now, int current_replicas, const ScalingMetrics& metrics);

  const scenario::ThresholdPolicy& policy() const { return policy_; }
  /// Time of the last scale-up / scale-down decision, if any.
  std::optional<double> last_scale_up() const { return last_up_; }
  std::optional<double> last_scale_down() const { return last_down_; }

 private:
  scenario::ThresholdPolicy policy_;
  std::vector<std::optional<double>> up_since_, down_since_;  ///< start of each rule's current streak
  std::optional<double> last_up_, last_down_;
};

}  // namespace sim::model
