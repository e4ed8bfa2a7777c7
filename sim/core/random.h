#pragma once
// Seeded random streams. Every consumer asks for a stream by name; a stream's
// seed is splitmix64(scenario_seed ^ fnv1a(name)), so adding a consumer never
// shifts another one's numbers (as ns-3's AssignStreams). std::mt19937_64's
// output is fixed by the standard; the std::*_distribution algorithms are not,
// so the few transforms we need are written here.

#include <cstdint>
#include <random>
#include <string_view>

namespace sim::core {

/// 64-bit FNV-1a: a stable hash for stream names (std::hash is not stable across libraries).
std::uint64_t fnv1a(std::string_view text);
/// One step of splitmix64: a good 64-bit mixer for seeds.
std::uint64_t splitmix64(std::uint64_t x);

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) : engine_(seed) {}

  std::uint64_t next_u64() { return engine_(); }
  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe for log().
  double uniform_open0() { return 1.0 - uniform(); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Integer in [0, n). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  bool bernoulli(double p) { return uniform() < p; }
  /// Exponential with the given mean (inverse transform).
  double exponential(double mean);
  /// Standard normal (Box-Muller; the second value is kept for the next call).
  double normal();
  /// exp(N(mu, sigma)).
  double lognormal(double mu, double sigma);

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

/// Derives independent streams from one scenario seed.
class RngStreams {
 public:
  explicit RngStreams(std::uint64_t seed) : seed_(seed) {}
  std::uint64_t seed() const { return seed_; }
  /// The seed of stream `name` (stable across versions: part of determinism).
  std::uint64_t stream_seed(std::string_view name) const;
  Rng stream(std::string_view name) const { return Rng(stream_seed(name)); }

 private:
  std::uint64_t seed_;
};

/// The seed of run `index` in a Monte-Carlo series based on `base` (run 0 = base itself).
std::uint64_t derive_run_seed(std::uint64_t base, std::uint64_t index);

}  // namespace sim::core
