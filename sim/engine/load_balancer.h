#pragma once
// A load balancer tier: everything a load balancer decides is in this class —
// which backend gets a request (model::Balancer, as nginx chooses), its view of
// each backend's health (active checks, passive failure accounting), its rate
// limiter, what it does when an attempt fails (retry elsewhere, on the same
// backend, or give the client an error), and the health checker actor that
// keeps the active view. The product's defaults (`flavor:` nginx, haproxy, alb,
// envoy, traefik) come from topology::flavor_defaults; docs/load-balancers.md
// has the table and its sources.
//
// Active checks (an nginx Plus/HAProxy/ALB health check): a backend is marked
// down after `unhealthy_threshold` consecutive failed checks and up again after
// `healthy_threshold` good ones. A good answer is known at the tick; a refused
// connection (the instance crashed, its host is up) fails the check at the tick
// too; a check nobody answers (a hung or frozen instance, a silent host)
// fails when it times out. Checks start at a random phase.
//
// Passive health: nginx's `max_fails`/`fail_timeout` (ngx_http_upstream_round_robin.c:
// a failed attempt counts and stamps the server; `max_fails` failures and the
// server is skipped while less than `fail_timeout` has passed since the last
// stamp; the first request after that tries it and stamps it again; a success
// after such a trial clears the count; times are whole seconds, as nginx's
// cached clock) or Envoy's outlier detection (`consecutive_errors` failures in
// a row eject the host for `ejection_time` × the number of its ejections; at
// most 10 % of the hosts, at least one, are ejected at once).
//
// Active counts (least_conn, power of two) are this balancer's own. nginx
// worker processes without a shared `zone` keep separate counts and failures:
// `processes: N, shared_state: false` gives each worker its view; requests are
// spread over the workers in turn.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sim/engine/tier.h"
#include "sim/model/balancer.h"
#include "sim/model/rate_limit.h"
#include "sim/topology/topology.h"

namespace sim::engine {

class World;

/// What a request (or a call) has been through at one balancer.
struct LbAttempt {
  std::uint64_t tried = 0;     ///< backend indices tried (bit i; indices from 64 on are not remembered)
  std::uint16_t tries = 0;     ///< attempts made
  std::uint16_t process = 0;   ///< the worker process handling it
  int backend = -1;            ///< the current attempt's backend station
  double first = 0;            ///< when the first attempt left
  bool sent = false;           ///< the current attempt's request reached its backend
};

/// How an attempt failed, as the balancer sees it.
enum class AttemptFailure {
  kRefused,         ///< connection refused (nothing was sent)
  kReset,           ///< the connection broke after the request was sent (the backend crashed)
  kConnectTimeout,  ///< nobody answered the connection (nothing was sent)
  kReadTimeout,     ///< the answer did not come in time
  kErrorAnswer,     ///< the backend answered with an error (HTTP 5xx)
};

class LoadBalancer final : public Tier {
 public:
  LoadBalancer(World& world, int component);
  /// The component behind it (from the request paths). REQUIRES: called once, before start().
  void set_backend(int component);
  int backend() const { return backend_; }
  int component() const { return component_; }
  const topology::LoadBalancerSpec& spec() const { return *spec_; }

  /// Begins a request's attempts: its worker process. Counts the rate limits
  /// (keyed by `client` or the request class `cls`): false = rejected (*why =
  /// rate_limited, or connection_refused when no balancer instance is up);
  /// *delay (if given) = how long limit_req without nodelay holds the request.
  bool admit(LbAttempt* a, model::FailReason* why, std::uint32_t client = 0, int cls = -1, double* delay = nullptr);
  /// Chooses the backend for the next attempt at the kernel's now, from the
  /// client's region (-1: any), skipping backends tried when retries go to
  /// another one; counts it active. nullopt = no eligible backend (*why).
  std::optional<int> choose(int client_region, LbAttempt* a, model::FailReason* why);
  /// The balancer instance a request from `client_region` goes through (round
  /// robin over the instances that are up, preferring the client's region), for
  /// the hop latency; -1 when none is up.
  int forwarder(int client_region);
  /// A retry on the same backend (HAProxy without redispatch): counts it active again.
  void retry_same(LbAttempt* a);
  /// The attempt on `a->backend` ended (answered, failed, abandoned): it is no longer active.
  void done(const LbAttempt& a);
  /// The attempt on `a->backend` answered without error (passive accounting).
  void succeeded(const LbAttempt& a);

  /// What to do after a failed attempt.
  struct Next {
    bool retry = false;
    bool same_backend = false;     ///< retry on a->backend (HAProxy without redispatch)
    double delay = 0;              ///< before the retry
    model::FailReason give_up = model::FailReason::kConnectionRefused;  ///< the client's error otherwise
  };
  /// Counts the failure against a->backend (passive health) and decides: retry
  /// (within `tries`, `timeout`, and never a write already sent unless
  /// `non_idempotent`) or give the client `give_up`. `answer_reason` is the
  /// backend's own error for kErrorAnswer.
  Next failed(LbAttempt* a, AttemptFailure f, bool write, model::FailReason answer_reason);

  /// Spawns the health checker (if checks are enabled). Call once, when the simulation starts.
  void start();
  /// An autoscaler started a spare backend: it must pass the checks before it gets traffic.
  void backend_started(int backend_index);
  /// A backend finished booting: without health checks it gets traffic at once.
  void backend_ready(int backend_index);
  /// `discovery: docker`: the backend's container died on a live host. Docker's `die` event takes it
  /// out of the routes at once, and its health starts over. No-op for `discovery: checks`.
  void container_died(int backend_index);
  /// `discovery: docker`: its container started. Without a healthcheck it is routed at once, booting
  /// or not; with one it waits for a passing check.
  void container_started(int backend_index);
  /// Whether the balancer sends it traffic (its health checks passed, or it is ready without checks).
  bool healthy(int backend_index) const { return health_[static_cast<std::size_t>(backend_index)].healthy; }

  void collect(model::ComponentStats& out) override;

 private:
  struct Passive {
    int fails = 0;
    long checked = 0, accessed = 0;   ///< nginx: whole seconds
    int ejections = 0;                ///< Envoy
    double ejected_until = -1;
  };
  /// The state one worker process keeps (all of them share one with shared_state).
  struct View {
    std::unique_ptr<model::Balancer> balancer;
    std::vector<int> active;          ///< per backend instance
    std::vector<Passive> passive;     ///< per backend instance
  };
  View& view(const LbAttempt& a) { return views_[a.process < views_.size() ? a.process : 0]; }
  bool passive_ok(View& v, std::size_t i, double now) const;
  double weight(std::size_t i, double now) const;
  void check_loop();

  World& w_;
  int component_;
  const topology::LoadBalancerSpec* spec_;
  int backend_ = -1;
  std::vector<model::KeyedLimiter> limits_;  ///< `rate_limit:`, every one must admit
  struct Health {
    bool healthy = true;
    int fails = 0, passes = 0;
  };
  std::vector<Health> health_;               ///< per backend instance (active checks)
  std::vector<double> in_service_since_;     ///< per backend instance: for slow start
  std::vector<View> views_;
  std::vector<model::BackendView> scratch_;  ///< the balancer's input, per backend instance
  int rr_ = 0;                               ///< forwarder rotation
  std::uint32_t next_process_ = 0;
  std::uint64_t retries_ = 0, ejections_ = 0;
};

}  // namespace sim::engine
