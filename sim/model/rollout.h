#pragma once
// A rolling update of a component's instances (scenario `operations: [{deploy: …}]`;
// docs/operations.md "Rolling deployments"): which new instances to start and which old
// ones to drain, as a pure rule shared by Kubernetes' and ECS's semantics.
//
// Kubernetes' Deployment controller (strategy RollingUpdate; pkg/controller/deployment/
// rolling.go): with `desired` replicas, `surge` and `unavailable` resolved,
//   - new instances are started while old + new < desired + surge (and new < desired);
//   - old instances are removed while the available ones (old ready + new available) stay at
//     least desired − unavailable (removed ones take no new requests at once: they drain).
// Terminating instances are not counted. The controller applies both and runs again until
// nothing changes; then it waits for a new instance to become available.
//
// ECS's rolling update is the same rule with surge = ⌊desired × maximumPercent⌋ − desired
// and unavailable = desired − ⌈desired × minimumHealthyPercent⌉ (AWS: "rounded down", "rounded up").

namespace sim::model {

/// How many instances above and below `desired` a rollout may go.
struct RolloutLimits {
  int surge = 0;
  int unavailable = 0;
};

/// An amount written as a count ("1") or a share of the replicas ("25%").
struct RolloutAmount {
  double value = 0;
  bool percent = false;
};

/// Kubernetes: maxSurge as a percentage rounds up, maxUnavailable rounds down (the Deployment
/// docs); when both come to 0, maxUnavailable is 1 (ResolveFenceposts in deployment/util).
RolloutLimits kubernetes_limits(int desired, RolloutAmount max_surge, RolloutAmount max_unavailable);
/// ECS: maximumPercent rounds down, minimumHealthyPercent rounds up (shares: 1.0 = 100 %).
/// When both leave no room (surge 0 and unavailable 0: 1 task at 50 % / 100 %) infrasim lets one
/// instance be unavailable, as Kubernetes does, rather than never finishing.
RolloutLimits ecs_limits(int desired, double minimum_healthy, double maximum);

struct RolloutState {
  int desired = 0;
  int old_live = 0;      ///< old instances still taking requests (not draining)
  int old_ready = 0;     ///< of those, ready
  int fresh = 0;         ///< new instances started
  int fresh_ready = 0;   ///< of those, available
};

struct RolloutStep {
  int start = 0;  ///< new instances to start now
  int drain = 0;  ///< old instances to drain now
};

/// One pass of the controller: scale the new instances up, then the old ones down.
RolloutStep rollout_step(const RolloutState& s, RolloutLimits l);

/// Passes until nothing changes (new instances start unready): the total to start and drain now.
RolloutStep rollout_settle(RolloutState s, RolloutLimits l);

/// Done: no old instance left and every new one available.
inline bool rollout_done(const RolloutState& s) { return s.old_live == 0 && s.fresh_ready >= s.desired; }

}  // namespace sim::model
