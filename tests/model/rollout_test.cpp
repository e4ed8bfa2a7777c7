// Rolling updates (model/rollout.h) against hand-computed steps of Kubernetes' Deployment
// controller (rolling.go) and ECS's documented rounding.
#include <gtest/gtest.h>

#include "sim/model/rollout.h"

namespace sim::model {
namespace {

TEST(Rollout, KubernetesRoundsSurgeUpAndUnavailableDown) {
  // The Deployment docs: maxSurge "calculated from percentage by rounding up", maxUnavailable "by rounding down".
  RolloutLimits l = kubernetes_limits(4, {0.25, true}, {0.25, true});
  EXPECT_EQ(l.surge, 1);
  EXPECT_EQ(l.unavailable, 1);
  l = kubernetes_limits(3, {0.25, true}, {0.25, true});  // 0.75: surge 1, unavailable 0
  EXPECT_EQ(l.surge, 1);
  EXPECT_EQ(l.unavailable, 0);
  l = kubernetes_limits(10, {0.25, true}, {0.25, true});  // 2.5: 3 and 2
  EXPECT_EQ(l.surge, 3);
  EXPECT_EQ(l.unavailable, 2);
  l = kubernetes_limits(2, {0, false}, {0.25, true});  // both 0 after rounding: unavailable 1 (ResolveFenceposts)
  EXPECT_EQ(l.surge, 0);
  EXPECT_EQ(l.unavailable, 1);
  l = kubernetes_limits(5, {2, false}, {0, false});  // counts as written
  EXPECT_EQ(l.surge, 2);
  EXPECT_EQ(l.unavailable, 0);
}

TEST(Rollout, EcsRoundsMaximumDownAndMinimumUp) {
  RolloutLimits l = ecs_limits(2, 1.0, 2.0);  // the defaults: 100 % / 200 %
  EXPECT_EQ(l.surge, 2);
  EXPECT_EQ(l.unavailable, 0);
  l = ecs_limits(3, 0.5, 1.5);  // max ⌊4.5⌋ = 4 (surge 1); min ⌈1.5⌉ = 2 (unavailable 1)
  EXPECT_EQ(l.surge, 1);
  EXPECT_EQ(l.unavailable, 1);
}

// Kubernetes' defaults on 4 replicas (surge 1, unavailable 1), every new pod available B after it starts:
//   t = 0:  new +1 (5 in all), old −1 (4 available − 3 needed); then new +1 (old 3 + new 1 = 4 < 5):
//           old 3, new 2 booting: 3 available
//   t = B:  both new available (5): old −2 (5 − 3); new +2 (old 1 + new 2 = 3): old 1, new 4: 3 available
//   t = 2B: all 4 new available: old −1: done. Capacity 3/4 for 2B, no more than 5 instances at once.
TEST(Rollout, KubernetesDefaultsOnFourReplicas) {
  RolloutLimits l = kubernetes_limits(4, {0.25, true}, {0.25, true});
  RolloutState s{.desired = 4, .old_live = 4, .old_ready = 4, .fresh = 0, .fresh_ready = 0};
  RolloutStep a = rollout_settle(s, l);
  EXPECT_EQ(a.start, 2);
  EXPECT_EQ(a.drain, 1);
  s = {.desired = 4, .old_live = 3, .old_ready = 3, .fresh = 2, .fresh_ready = 2};  // t = B
  RolloutStep b = rollout_settle(s, l);
  EXPECT_EQ(b.start, 2);
  EXPECT_EQ(b.drain, 2);
  s = {.desired = 4, .old_live = 1, .old_ready = 1, .fresh = 4, .fresh_ready = 4};  // t = 2B
  RolloutStep c = rollout_settle(s, l);
  EXPECT_EQ(c.start, 0);
  EXPECT_EQ(c.drain, 1);
  s.old_live = s.old_ready = 0;
  EXPECT_TRUE(rollout_done(s));
}

// One pass as the controller makes it: scale up first, then down.
TEST(Rollout, OnePassScalesUpThenDown) {
  RolloutLimits l{.surge = 1, .unavailable = 1};
  RolloutStep p = rollout_step({.desired = 4, .old_live = 4, .old_ready = 4, .fresh = 0, .fresh_ready = 0}, l);
  EXPECT_EQ(p.start, 1);
  EXPECT_EQ(p.drain, 1);
  // An old instance that is not ready goes first and costs no availability.
  p = rollout_step({.desired = 4, .old_live = 4, .old_ready = 3, .fresh = 1, .fresh_ready = 0}, l);
  EXPECT_EQ(p.start, 0);
  EXPECT_EQ(p.drain, 1);
}

// ECS's defaults on 2 tasks: 2 new at once (4 = 200 %), the 2 old drained when both are healthy: no dip.
TEST(Rollout, EcsDefaultsStartAllThenStopAll) {
  RolloutLimits l = ecs_limits(2, 1.0, 2.0);
  RolloutStep a = rollout_settle({.desired = 2, .old_live = 2, .old_ready = 2, .fresh = 0, .fresh_ready = 0}, l);
  EXPECT_EQ(a.start, 2);
  EXPECT_EQ(a.drain, 0);
  RolloutStep half = rollout_settle({.desired = 2, .old_live = 2, .old_ready = 2, .fresh = 2, .fresh_ready = 1}, l);
  EXPECT_EQ(half.drain, 1);  // 3 available, 2 needed
  RolloutStep b = rollout_settle({.desired = 2, .old_live = 2, .old_ready = 2, .fresh = 2, .fresh_ready = 2}, l);
  EXPECT_EQ(b.start, 0);
  EXPECT_EQ(b.drain, 2);
}

// maxSurge 0, maxUnavailable 1 (replace in place): one at a time, capacity N − 1 for N × B.
TEST(Rollout, OneAtATimeWithoutSurge) {
  RolloutLimits l = kubernetes_limits(3, {0, false}, {1, false});
  RolloutState s{.desired = 3, .old_live = 3, .old_ready = 3, .fresh = 0, .fresh_ready = 0};
  for (int round = 0; round < 3; ++round) {
    RolloutStep st = rollout_settle(s, l);
    EXPECT_EQ(st.drain, 1) << round;
    EXPECT_EQ(st.start, 1) << round;
    s.old_live -= 1;
    s.old_ready -= 1;
    s.fresh += 1;
    s.fresh_ready = s.fresh;  // B later
  }
  EXPECT_TRUE(rollout_done(s));
}

}  // namespace
}  // namespace sim::model
