#pragma once
// An autoscaler of one service (a Kubernetes HPA or the seeds' threshold
// rules), as an actor on the control host. Every sync period it samples each
// instance — CPU over the metric window (busy core-seconds from the station's
// integrals), memory (memory_base + memory_per_request × in service),
// requests per second, queue length, the service's p99 latency since the last
// evaluation — asks the policy (model::HpaController or
// model::ThresholdScaler) and applies the decision: spares start and are ready
// after boot_time, then must pass the load balancer's health checks; removed
// instances stop receiving requests and are stopped once idle (30 s grace,
// Kubernetes' terminationGracePeriodSeconds default).

#include <cstdint>
#include <deque>
#include <memory>
#include <tuple>
#include <vector>

#include "sim/model/histogram.h"
#include "sim/model/hpa.h"
#include "sim/model/threshold_scaler.h"
#include "sim/scenario/scenario.h"

namespace sim::engine {

class World;

class Autoscaler {
 public:
  Autoscaler(World& world, const scenario::Autoscaler& spec);
  int component() const { return component_; }
  /// A request through the service finished with this latency (for the p99 metric).
  void observe(double latency) { recent_.add(latency); }
  /// Spawns the actor. Call once, when the simulation starts.
  void start();

 private:
  void loop();

  World& w_;
  const scenario::Autoscaler& spec_;
  int component_ = -1;
  std::unique_ptr<model::HpaController> hpa_;
  std::unique_ptr<model::ThresholdScaler> rules_;
  double period_ = 15, window_ = 60, boot_time_ = 30;
  model::LogHistogram recent_;
  /// Per station: (time, busy integral, service integral, served) samples over the metric window.
  std::vector<std::deque<std::tuple<double, double, double, std::uint64_t>>> samples_;
};

}  // namespace sim::engine
