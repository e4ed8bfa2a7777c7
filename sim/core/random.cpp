#include "sim/core/random.h"

#include <cmath>

namespace sim::core {

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Lemire's nearly-divisionless method would be faster; rejection keeps it obviously unbiased.
  std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x;
  do {
    x = engine_();
  } while (x >= limit);
  return x % n;
}

double Rng::exponential(double mean) { return -mean * std::log(uniform_open0()); }

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform_open0();
  double u2 = uniform();
  double r = std::sqrt(-2.0 * std::log(u1));
  double theta = 2.0 * M_PI * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

double Rng::lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }

std::uint64_t RngStreams::stream_seed(std::string_view name) const { return splitmix64(seed_ ^ fnv1a(name)); }

std::uint64_t derive_run_seed(std::uint64_t base, std::uint64_t index) {
  return index == 0 ? base : splitmix64(base + 0x632be59bd9b4e019ULL * index);
}

}  // namespace sim::core
