#include "sim/model/rollout.h"

#include <algorithm>
#include <cmath>

namespace sim::model {

namespace {

// 1e-9 absorbs the binary rounding of "25%" (0.25 × 4 must be 1, not 0.99999…).
int round_up(double x) { return static_cast<int>(std::ceil(x - 1e-9)); }
int round_down(double x) { return static_cast<int>(std::floor(x + 1e-9)); }

}  // namespace

RolloutLimits kubernetes_limits(int desired, RolloutAmount max_surge, RolloutAmount max_unavailable) {
  RolloutLimits l;
  l.surge = max_surge.percent ? round_up(desired * max_surge.value) : static_cast<int>(max_surge.value);
  l.unavailable =
      max_unavailable.percent ? round_down(desired * max_unavailable.value) : static_cast<int>(max_unavailable.value);
  if (l.surge == 0 && l.unavailable == 0) l.unavailable = 1;
  return l;
}

RolloutLimits ecs_limits(int desired, double minimum_healthy, double maximum) {
  RolloutLimits l;
  l.surge = std::max(0, round_down(desired * maximum) - desired);
  l.unavailable = std::max(0, desired - round_up(desired * minimum_healthy));
  if (l.surge == 0 && l.unavailable == 0) l.unavailable = 1;
  return l;
}

RolloutStep rollout_step(const RolloutState& s, RolloutLimits l) {
  RolloutStep step;
  // reconcileNewReplicaSet: up to desired + surge pods in all, and no more new ones than desired.
  int total = s.old_live + s.fresh;
  step.start = std::max(0, std::min(s.desired + l.surge - total, s.desired - s.fresh));
  // reconcileOldReplicaSets: keep desired − unavailable available. An old instance that is
  // not ready goes first and costs no availability (cleanupUnhealthyReplicas).
  int min_available = s.desired - l.unavailable;
  int unready_old = s.old_live - s.old_ready;
  int available = s.old_ready + s.fresh_ready;
  step.drain = unready_old + std::max(0, std::min(s.old_ready, available - min_available));
  return step;
}

RolloutStep rollout_settle(RolloutState s, RolloutLimits l) {
  RolloutStep all;
  for (int pass = 0; pass < 1000; ++pass) {  // each pass changes a count or stops: a few at most
    RolloutStep step = rollout_step(s, l);
    if (step.start == 0 && step.drain == 0) break;
    all.start += step.start;
    all.drain += step.drain;
    s.fresh += step.start;
    // Drain the unready old ones first: they are not part of `available`.
    int unready_old = s.old_live - s.old_ready;
    int from_unready = std::min(step.drain, unready_old);
    s.old_live -= step.drain;
    s.old_ready -= step.drain - from_unready;
  }
  return all;
}

}  // namespace sim::model
