#pragma once
// Backend choice of a load balancer, as nginx does it. Pure: the engine passes
// the LB's current view of its backends and gets an index back.
//
//   round_robin   the next eligible backend after the last one chosen
//   weighted      nginx's smooth weighted round robin (exact proportions)
//   least_conn    fewest active requests; ties broken round robin (nginx: "tried in turn")
//   random        uniform among eligible backends, weighted by weight
//   power_of_two  two distinct random eligible backends, the one with fewer active requests
//
// Backup backends are chosen only when no primary backend is eligible
// (nginx `backup`). No eligible backend at all: nullopt (the LB answers 503).

#include <optional>
#include <vector>

#include "sim/core/random.h"
#include "sim/model/rate_limit.h"
#include "sim/topology/topology.h"

namespace sim::model {

struct BackendView {
  bool eligible = true;   ///< healthy in the LB's view, started, not draining
  bool backup = false;
  int active = 0;         ///< requests sent and not yet answered
  double weight = 1;
};

class Balancer {
 public:
  Balancer(topology::LbAlgorithm algorithm, core::Rng rng) : algorithm_(algorithm), rng_(rng) {}

  std::optional<int> choose(const std::vector<BackendView>& backends);

 private:
  std::optional<int> choose_among(const std::vector<BackendView>& b, bool backups);
  topology::LbAlgorithm algorithm_;
  core::Rng rng_;
  int last_ = -1;
  std::vector<double> current_weight_;  ///< smooth weighted round robin state
};

/// nginx limit_req (with nodelay) as one bucket (model/rate_limit.h has the keyed
/// limits and the formula): burst + 1 requests pass at one instant after an idle
/// period, then one per 1/rate seconds.
class RateLimiter {
 public:
  RateLimiter(double rate, int burst) : rate_(rate), burst_(burst) {}
  bool admit(double now);

 private:
  double rate_;
  int burst_;
  LeakyBucket state_;
};

/// Hit ratio of a cache that was emptied at `cold_since` (or never: warm):
/// h(t) = h × (1 − e^(−(t − cold_since)/τ)); τ = 0 means instantly warm.
double warming_hit_ratio(double warm_ratio, double tau, double now, std::optional<double> cold_since);

}  // namespace sim::model
