#pragma once
// Service-time and lag distributions, as written in the YAML files:
//
//   constant: 5ms
//   exponential: {mean: 5ms}
//   lognormal: {mean: 20ms, p99: 120ms}     (sigma solved from mean and p99)
//   uniform: {min: 1ms, max: 3ms}
//   empirical: [4ms, 5ms, 5ms, 9ms, 40ms]   (each value equally likely)
//
// A bare duration ("5ms") is a constant.

#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "sim/core/random.h"
#include "sim/core/yaml_reader.h"

namespace sim::core {

struct Distribution {
  enum class Kind { kConstant, kExponential, kLognormal, kUniform, kEmpirical };
  Kind kind = Kind::kConstant;
  double mean = 0;  ///< seconds; for every kind the distribution's mean
  double p99 = 0;   ///< lognormal: the 99th percentile it was built from
  double min = 0, max = 0;      ///< uniform bounds
  double mu = 0, sigma = 0;     ///< lognormal parameters of the underlying normal
  std::vector<double> values;   ///< empirical samples, sorted

  static Distribution constant(double v);
  static Distribution exponential(double mean);
  /// REQUIRES: mean < p99 <= mean * exp(z99^2 / 2) (about 14.97 × mean).
  static Distribution lognormal(double mean, double p99);
  static Distribution uniform(double lo, double hi);
  static Distribution empirical(std::vector<double> values);

  double sample(Rng& rng) const;
  /// The q-quantile (0 < q < 1), exact for every kind.
  double quantile(double q) const;
  /// E[X^2] / E[X]^2 - 1: 0 for constant, 1 for exponential (for M/G/c approximations).
  double squared_cv() const;
  std::string describe() const;
};

/// Reads a distribution of durations; errors are located, nullopt after reporting.
/// Impossible values (p99 <= mean, min > max, empty list) are errors.
std::optional<Distribution> read_distribution(const Reader& r, const YAML::Node& n);

/// Standard normal quantile (Acklam's algorithm, |error| < 1.2e-9).
double normal_quantile(double p);

}  // namespace sim::core
