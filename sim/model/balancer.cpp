#include "sim/model/balancer.h"

#include <cmath>

namespace sim::model {

using topology::LbAlgorithm;

std::optional<int> Balancer::choose(const std::vector<BackendView>& backends) {
  if (auto i = choose_among(backends, false)) return i;
  return choose_among(backends, true);
}

std::optional<int> Balancer::choose_among(const std::vector<BackendView>& b, bool backups) {
  const int n = static_cast<int>(b.size());
  auto ok = [&](int i) { return b[static_cast<std::size_t>(i)].eligible && b[static_cast<std::size_t>(i)].backup == backups; };
  int count = 0;
  for (int i = 0; i < n; ++i) count += ok(i);
  if (count == 0) return std::nullopt;

  switch (algorithm_) {
    case LbAlgorithm::kRoundRobin: {
      for (int k = 1; k <= n; ++k) {
        int i = (last_ + k) % n;
        if (i < 0) i += n;
        if (ok(i)) return last_ = i;
      }
      return std::nullopt;
    }
    case LbAlgorithm::kWeighted: {
      // nginx ngx_http_upstream_get_peer: every eligible peer gains its weight,
      // the largest current weight wins and loses the total.
      current_weight_.resize(b.size(), 0.0);
      double total = 0;
      int best = -1;
      for (int i = 0; i < n; ++i) {
        if (!ok(i)) continue;
        auto u = static_cast<std::size_t>(i);
        current_weight_[u] += b[u].weight;
        total += b[u].weight;
        if (best < 0 || current_weight_[u] > current_weight_[static_cast<std::size_t>(best)]) best = i;
      }
      if (best < 0) return std::nullopt;
      current_weight_[static_cast<std::size_t>(best)] -= total;
      return last_ = best;
    }
    case LbAlgorithm::kLeastConn: {
      int min_active = -1;
      for (int i = 0; i < n; ++i) {
        if (ok(i) && (min_active < 0 || b[static_cast<std::size_t>(i)].active < min_active)) {
          min_active = b[static_cast<std::size_t>(i)].active;
        }
      }
      for (int k = 1; k <= n; ++k) {
        int i = ((last_ + k) % n + n) % n;
        if (ok(i) && b[static_cast<std::size_t>(i)].active == min_active) return last_ = i;
      }
      return std::nullopt;
    }
    case LbAlgorithm::kRandom: {
      double total = 0;
      for (int i = 0; i < n; ++i) total += ok(i) ? b[static_cast<std::size_t>(i)].weight : 0;
      double x = rng_.uniform() * total;
      int last_ok = -1;
      for (int i = 0; i < n; ++i) {
        if (!ok(i)) continue;
        last_ok = i;
        x -= b[static_cast<std::size_t>(i)].weight;
        if (x < 0) return last_ = i;
      }
      return last_ = last_ok;
    }
    case LbAlgorithm::kPowerOfTwo: {
      std::vector<int> idx;
      for (int i = 0; i < n; ++i) {
        if (ok(i)) idx.push_back(i);
      }
      if (idx.size() == 1) return last_ = idx[0];
      auto a = static_cast<std::size_t>(rng_.below(idx.size()));
      auto c = static_cast<std::size_t>(rng_.below(idx.size() - 1));
      if (c >= a) ++c;
      int x = idx[a], y = idx[c];
      return last_ = (b[static_cast<std::size_t>(y)].active < b[static_cast<std::size_t>(x)].active ? y : x);
    }
  }
  return std::nullopt;
}

bool RateLimiter::admit(double now) { return state_.admit(now, rate_, burst_).has_value(); }

double warming_hit_ratio(double warm_ratio, double tau, double now, std::optional<double> cold_since) {
  if (!cold_since) return warm_ratio;
  if (tau <= 0) return warm_ratio;
  double age = now - *cold_since;
  if (age <= 0) return 0;
  return warm_ratio * (1.0 - std::exp(-age / tau));
}

}  // namespace sim::model
