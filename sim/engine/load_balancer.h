#pragma once
// A load balancer tier: its backend choice (model::Balancer, as nginx
// chooses), its view of each backend's health, its rate limiter, and the
// health checker actor that keeps the view. Everything a load balancer
// decides is in this class.
//
// Health view (active checks, as an nginx/HAProxy/ALB health check): a backend
// is marked down after `unhealthy_threshold` consecutive failed checks and up
// again after `healthy_threshold` good ones. A check passes when the instance
// is up, booted and not partitioned from the load balancer; a good answer is
// known at the tick, a failed one when the check times out. Worst-case
// detection: interval × unhealthy_threshold + timeout. Checks start at a
// random phase, as a balancer started at an arbitrary time.
//
// Active counts (least_conn, power of two) are this balancer's own: requests
// it sent to a backend and that backend has not answered yet.

#include <memory>
#include <optional>
#include <vector>

#include "sim/engine/tier.h"
#include "sim/model/balancer.h"

namespace sim::engine {

class World;

class LoadBalancer final : public Tier {
 public:
  LoadBalancer(World& world, int component);
  /// The component behind it (from the request paths). REQUIRES: called once, before start().
  void set_backend(int component);
  int backend() const { return backend_; }

  /// Chooses a backend station for a request from `client_region` at the kernel's now,
  /// and counts it active; nullopt = the request fails with *why (LB down, rate
  /// limited, no healthy backend).
  std::optional<int> choose(int client_region, model::FailReason* why);
  /// The balancer instance a request from `client_region` goes through (round
  /// robin over the instances that are up, preferring the client's region), for
  /// the hop latency; -1 when none is up.
  int forwarder(int client_region);
  /// The backend station answered (or failed, or dropped) a request this balancer sent it.
  void done(int backend_station);

  /// Spawns the health checker (if checks are enabled). Call once, when the simulation starts.
  void start();
  /// An autoscaler started a spare backend: it must pass the checks before it gets traffic.
  void backend_started(int backend_index);
  /// A backend finished booting: without health checks it gets traffic at once.
  void backend_ready(int backend_index);

 private:
  void check_loop();

  World& w_;
  int component_;
  int backend_ = -1;
  std::unique_ptr<model::Balancer> balancer_;
  std::unique_ptr<model::RateLimiter> limiter_;
  struct Health {
    bool healthy = true;
    int fails = 0, passes = 0;
  };
  std::vector<Health> health_;               ///< per backend instance
  std::vector<model::BackendView> views_;    ///< scratch for the balancer, per backend instance
  std::vector<int> active_;                  ///< per backend instance
  int rr_ = 0;                               ///< forwarder rotation
};

}  // namespace sim::engine
