#pragma once
// Popularity of a finite population (users of a sharded database, keys of a
// cache): rank k in 1..n is drawn with probability k^-s / H(n, s), where
// H(n, s) = sum_{j=1..n} j^-s (Zipf's law; s = 0 is uniform).
//
// Sampling is O(1) and allocates nothing: rejection-inversion (W. Hörmann and
// G. Derflinger, "Rejection-inversion to generate variates from monotone
// discrete distributions", ACM TOMACS 6(3), 1996), as Apache Commons Math's
// ZipfDistribution samples it. It consumes a random number of uniforms from
// the stream it is given (so a stream that draws Zipf ranks must draw nothing
// else whose order matters).
//
// Where a rank lives: hash_rank() mixes a rank with a salt (splitmix64), so
// `hash_rank(k, salt) % shards` spreads the population over shards as
// hash(userId) % TOTAL_SHARDS does, independently of popularity.

#include <cstdint>
#include <vector>

#include "sim/core/random.h"

namespace sim::model {

class Zipf {
 public:
  /// n >= 1 ranks, exponent s >= 0 (0: uniform).
  Zipf(std::uint64_t n, double s);

  std::uint64_t size() const { return n_; }
  double exponent() const { return s_; }
  /// A rank in [1, n].
  std::uint64_t sample(core::Rng& rng) const;
  /// P(rank k), k in [1, n].
  double pmf(std::uint64_t k) const;
  /// ln P(rank k): cheaper than pmf when a log is wanted anyway.
  double log_pmf(std::uint64_t k) const { return -s_ * log_of(k) - log_norm_; }
  /// H(n, s) = sum_{j=1..n} j^-s, exact below 10^4 ranks, Euler-Maclaurin beyond (relative error < 1e-12).
  double normalizer() const { return norm_; }
  /// The probability mass of ranks [first, last] (1-based, inclusive).
  double mass(std::uint64_t first, std::uint64_t last) const;

 private:
  static double log_of(std::uint64_t k);
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;
  double partial_sum(std::uint64_t m) const;  ///< sum_{j=1..m} j^-s

  std::uint64_t n_;
  double s_;
  std::vector<double> prefix_;  ///< sum_{j=1..m} j^-s for m up to 10^4 (s > 0)
  double norm_ = 1, log_norm_ = 0;
  // rejection-inversion constants
  double h_integral_x1_ = 0, h_integral_n_ = 0, shift_ = 0;
};

/// A stable 64-bit mix of a rank with a salt (where a key or user lives).
inline std::uint64_t hash_rank(std::uint64_t rank, std::uint64_t salt) { return core::splitmix64(rank ^ (salt * 0x9e3779b97f4a7c15ULL)); }

}  // namespace sim::model
