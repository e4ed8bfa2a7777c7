#include "sim/model/queueing.h"

#include <cmath>

namespace sim::model {

double erlang_c(int c, double a) {
  // Erlang B by its stable recursion, then C = B / (1 − ρ(1 − B)).
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  double rho = a / c;
  return b / (1.0 - rho * (1.0 - b));
}

double mmc_mean_wait(int c, double lambda, double mu) { return erlang_c(c, lambda / mu) / (c * mu - lambda); }

double mmc_mean_response(int c, double lambda, double mu) { return mmc_mean_wait(c, lambda, mu) + 1.0 / mu; }

double mmc_wait_exceeds(int c, double lambda, double mu, double t) {
  return erlang_c(c, lambda / mu) * std::exp(-(c * mu - lambda) * t);
}

namespace {
// P(T > t) for T = Wq + S, with Wq = 0 w.p. 1 − C and Exp(θ = cμ − λ) w.p. C, S ~ Exp(μ).
double response_exceeds(int c, double lambda, double mu, double t) {
  double pc = erlang_c(c, lambda / mu);
  double theta = c * mu - lambda;
  double tail_s = std::exp(-mu * t);
  double tail_sum;
  if (std::fabs(theta - mu) < 1e-12 * mu) {
    tail_sum = (1.0 + mu * t) * std::exp(-mu * t);  // Erlang-2
  } else {
    tail_sum = (theta * std::exp(-mu * t) - mu * std::exp(-theta * t)) / (theta - mu);
  }
  return (1.0 - pc) * tail_s + pc * tail_sum;
}
}  // namespace

double mmc_response_quantile(int c, double lambda, double mu, double q) {
  double lo = 0, hi = 1.0 / mu;
  while (response_exceeds(c, lambda, mu, hi) > 1.0 - q) hi *= 2;
  for (int i = 0; i < 200; ++i) {
    double mid = (lo + hi) / 2;
    if (response_exceeds(c, lambda, mu, mid) > 1.0 - q) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

int mmc_min_servers(double lambda, double mu, double q, double target, int max_c) {
  for (int c = 1; c <= max_c; ++c) {
    if (lambda >= c * mu) continue;
    if (mmc_response_quantile(c, lambda, mu, q) <= target) return c;
  }
  return -1;
}

}  // namespace sim::model
