#pragma once
// Service-time distributions of the calibration backend, written as in
// infrasim's topology files so that one spec string serves both sides:
//
//   "4ms"                         constant
//   "exponential:4ms"             exponential with mean 4 ms
//   "uniform:2ms:6ms"             uniform on [2 ms, 6 ms]
//
// Durations take the units us, ms, s. Sampling uses std::mt19937_64 and our
// own inverse transforms (the std:: distributions are not portable between
// standard libraries).

#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace calib {

/// A duration such as "250us", "4ms", "1.5s" in seconds; nullopt when malformed or negative.
std::optional<double> parse_duration(const std::string& text);

class ServiceTime {
 public:
  enum class Kind { kConstant, kExponential, kUniform };

  /// Parses a spec (see the file comment); on failure returns nullopt and sets *error to
  /// "invalid service time 'x'; expected ...".
  static std::optional<ServiceTime> parse(const std::string& spec, std::string* error);

  /// One sample in seconds (>= 0).
  double sample(std::mt19937_64& rng) const;
  /// The distribution's mean in seconds.
  double mean() const;
  Kind kind() const { return kind_; }

 private:
  Kind kind_ = Kind::kConstant;
  double a_ = 0;  ///< constant value, exponential mean, or uniform min
  double b_ = 0;  ///< uniform max
};

/// A uniform double in [0, 1) from 53 random bits.
double uniform01(std::mt19937_64& rng);

}  // namespace calib
