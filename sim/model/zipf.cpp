#include "sim/model/zipf.h"

#include <cassert>
#include <cmath>

namespace sim::model {
namespace {

constexpr std::uint64_t kExactSum = 10000;  // partial sums are summed term by term up to here

// log1p(x)/x and expm1(x)/x, with their series near 0 (Commons Math's helper1/helper2).
double helper1(double x) { return std::fabs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - x * 0.25)); }
double helper2(double x) { return std::fabs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + x * 0.25)); }

}  // namespace

Zipf::Zipf(std::uint64_t n, double s) : n_(n), s_(s) {
  assert(n >= 1 && s >= 0);
  if (s_ > 0) {
    // The exact partial sums of the first ranks (where Euler-Maclaurin would be poor).
    std::uint64_t exact = n_ < kExactSum ? n_ : kExactSum;
    prefix_.assign(exact + 1, 0.0);
    for (std::uint64_t j = 1; j <= exact; ++j) prefix_[j] = prefix_[j - 1] + std::pow(static_cast<double>(j), -s_);
  }
  norm_ = partial_sum(n_);
  log_norm_ = std::log(norm_);
  if (s_ > 0) {
    h_integral_x1_ = h_integral(1.5) - 1.0;
    h_integral_n_ = h_integral(static_cast<double>(n_) + 0.5);
    shift_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
  }
}

double Zipf::log_of(std::uint64_t k) { return std::log(static_cast<double>(k)); }

double Zipf::h(double x) const { return std::exp(-s_ * std::log(x)); }

double Zipf::h_integral(double x) const {
  double lx = std::log(x);
  return helper2((1.0 - s_) * lx) * lx;
}

double Zipf::h_integral_inverse(double x) const {
  double t = x * (1.0 - s_);
  if (t < -1.0) t = -1.0;  // rounding: the range of h_integral is t >= -1
  return std::exp(helper1(t) * x);
}

std::uint64_t Zipf::sample(core::Rng& rng) const {
  if (s_ == 0 || n_ == 1) return 1 + rng.below(n_);
  const double nd = static_cast<double>(n_);
  for (;;) {
    double u = h_integral_n_ + rng.uniform() * (h_integral_x1_ - h_integral_n_);
    double x = h_integral_inverse(u);
    double kd = std::floor(x + 0.5);
    if (kd < 1) kd = 1;
    if (kd > nd) kd = nd;
    if (kd - x <= shift_ || u >= h_integral(kd + 0.5) - h(kd)) return static_cast<std::uint64_t>(kd);
  }
}

double Zipf::pmf(std::uint64_t k) const { return std::exp(log_pmf(k)); }

double Zipf::partial_sum(std::uint64_t m) const {
  if (m == 0) return 0;
  if (s_ == 0) return static_cast<double>(m);
  if (m < prefix_.size()) return prefix_[m];
  double sum = prefix_.back();
  // Euler-Maclaurin for the terms (N, m], N = kExactSum: integral + end corrections.
  const double a = static_cast<double>(kExactSum), b = static_cast<double>(m);
  double integral = std::fabs(s_ - 1) < 1e-12 ? std::log(b / a) : (std::pow(b, 1 - s_) - std::pow(a, 1 - s_)) / (1 - s_);
  auto f = [&](double x) { return std::pow(x, -s_); };
  auto f1 = [&](double x) { return -s_ * std::pow(x, -s_ - 1); };
  auto f3 = [&](double x) { return -s_ * (s_ + 1) * (s_ + 2) * std::pow(x, -s_ - 3); };
  // sum_{j=a+1..b} f(j) = ∫_a^b f + (f(b) - f(a))/2 + (f'(b) - f'(a))/12 - (f'''(b) - f'''(a))/720 + ...
  return sum + integral + (f(b) - f(a)) / 2 + (f1(b) - f1(a)) / 12 - (f3(b) - f3(a)) / 720;
}

double Zipf::mass(std::uint64_t first, std::uint64_t last) const {
  if (last < first) return 0;
  if (last - first < 64) {
    double m = 0;
    for (std::uint64_t k = first; k <= last; ++k) m += pmf(k);
    return m;
  }
  return (partial_sum(last) - partial_sum(first - 1)) / norm_;
}

}  // namespace sim::model
