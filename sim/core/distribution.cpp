#include "sim/core/distribution.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "sim/core/units.h"

namespace sim::core {

namespace {
constexpr double kZ99 = 2.3263478740408408;  // normal_quantile(0.99)
}

Distribution Distribution::constant(double v) {
  Distribution d;
  d.kind = Kind::kConstant;
  d.mean = v;
  return d;
}

Distribution Distribution::exponential(double mean) {
  Distribution d;
  d.kind = Kind::kExponential;
  d.mean = mean;
  return d;
}

Distribution Distribution::lognormal(double mean, double p99) {
  // mean = exp(mu + s^2/2), p99 = exp(mu + z s)  =>  s^2/2 - z s + ln(p99/mean) = 0;
  // the smaller root is the one with p99 above the mean for a right-skewed tail.
  Distribution d;
  d.kind = Kind::kLognormal;
  d.mean = mean;
  d.p99 = p99;
  double disc = kZ99 * kZ99 - 2.0 * std::log(p99 / mean);
  d.sigma = kZ99 - std::sqrt(std::max(0.0, disc));
  d.mu = std::log(mean) - d.sigma * d.sigma / 2.0;
  return d;
}

Distribution Distribution::uniform(double lo, double hi) {
  Distribution d;
  d.kind = Kind::kUniform;
  d.min = lo;
  d.max = hi;
  d.mean = (lo + hi) / 2.0;
  return d;
}

Distribution Distribution::empirical(std::vector<double> values) {
  Distribution d;
  d.kind = Kind::kEmpirical;
  std::sort(values.begin(), values.end());
  d.mean = values.empty() ? 0 : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  d.values = std::move(values);
  return d;
}

double Distribution::sample(Rng& rng) const {
  switch (kind) {
    case Kind::kConstant:
      return mean;
    case Kind::kExponential:
      return rng.exponential(mean);
    case Kind::kLognormal:
      return sigma == 0 ? mean : rng.lognormal(mu, sigma);
    case Kind::kUniform:
      return rng.uniform(min, max);
    case Kind::kEmpirical:
      return values[static_cast<std::size_t>(rng.below(values.size()))];
  }
  return mean;
}

double Distribution::quantile(double q) const {
  switch (kind) {
    case Kind::kConstant:
      return mean;
    case Kind::kExponential:
      return -mean * std::log(1.0 - q);
    case Kind::kLognormal:
      return std::exp(mu + sigma * normal_quantile(q));
    case Kind::kUniform:
      return min + q * (max - min);
    case Kind::kEmpirical: {
      // The sampling distribution is discrete: the smallest value with CDF >= q.
      auto n = static_cast<double>(values.size());
      auto i = static_cast<std::size_t>(std::max(0.0, std::ceil(q * n) - 1));
      return values[std::min(i, values.size() - 1)];
    }
  }
  return mean;
}

double Distribution::squared_cv() const {
  switch (kind) {
    case Kind::kConstant:
      return 0;
    case Kind::kExponential:
      return 1;
    case Kind::kLognormal:
      return std::exp(sigma * sigma) - 1;
    case Kind::kUniform: {
      double var = (max - min) * (max - min) / 12.0;
      return mean > 0 ? var / (mean * mean) : 0;
    }
    case Kind::kEmpirical: {
      if (mean <= 0) return 0;
      double var = 0;
      for (double v : values) var += (v - mean) * (v - mean);
      var /= static_cast<double>(values.size());
      return var / (mean * mean);
    }
  }
  return 0;
}

std::string Distribution::describe() const {
  switch (kind) {
    case Kind::kConstant:
      return format_duration(mean);
    case Kind::kExponential:
      return fmt::format("exponential(mean {})", format_duration(mean));
    case Kind::kLognormal:
      return fmt::format("lognormal(mean {}, p99 {})", format_duration(mean), format_duration(p99));
    case Kind::kUniform:
      return fmt::format("uniform({}..{})", format_duration(min), format_duration(max));
    case Kind::kEmpirical:
      return fmt::format("empirical({} values, mean {})", values.size(), format_duration(mean));
  }
  return "?";
}

std::optional<Distribution> read_distribution(const Reader& r, const YAML::Node& n) {
  static const std::string kExpected =
      "a duration (constant) or one of constant, exponential: {mean}, lognormal: {mean, p99}, "
      "uniform: {min, max}, empirical: [values]";
  if (n.IsScalar()) {
    auto v = r.duration(n);
    if (!v) return std::nullopt;
    return Distribution::constant(*v);
  }
  if (!n.IsMap()) {
    r.error(n, fmt::format("expected {}, got {}", kExpected, describe(n)));
    return std::nullopt;
  }
  MapView m(r, n, "distribution", {"constant", "exponential", "lognormal", "uniform", "empirical"});
  if (!m.ok()) return std::nullopt;
  std::string which = m.exactly_one_of({"constant", "exponential", "lognormal", "uniform", "empirical"}, true);
  if (which.empty()) return std::nullopt;
  YAML::Node v = m.get(which);
  if (which == "constant") {
    auto d = r.duration(v);
    if (!d) return std::nullopt;
    return Distribution::constant(*d);
  }
  if (which == "exponential") {
    // Accept both "exponential: 5ms" and "exponential: {mean: 5ms}".
    YAML::Node mean_node = v;
    if (v.IsMap()) {
      MapView e(r, v, "exponential", {"mean"});
      if (!e.ok()) return std::nullopt;
      // reset(), not '=': '=' would overwrite the mapping in the document with its mean.
      mean_node.reset(e.require("mean", "the mean duration, like mean: 5ms"));
      if (!mean_node.IsDefined()) return std::nullopt;
    }
    auto mean = r.positive_duration(mean_node);
    if (!mean) return std::nullopt;
    return Distribution::exponential(*mean);
  }
  if (which == "lognormal") {
    MapView l(r, v, "lognormal", {"mean", "p99"});
    if (!l.ok()) return std::nullopt;
    YAML::Node mn = l.require("mean", "mean and p99, like {mean: 20ms, p99: 120ms}");
    YAML::Node pn = l.require("p99", "mean and p99, like {mean: 20ms, p99: 120ms}");
    if (!mn.IsDefined() || !pn.IsDefined()) return std::nullopt;
    auto mean = r.positive_duration(mn);
    auto p99 = r.positive_duration(pn);
    if (!mean || !p99) return std::nullopt;
    if (*p99 <= *mean) {
      r.error(pn, fmt::format("lognormal p99 {} is not above its mean {}; expected p99 > mean (a right-skewed tail)",
                              format_duration(*p99), format_duration(*mean)));
      return std::nullopt;
    }
    double limit = *mean * std::exp(kZ99 * kZ99 / 2.0);
    if (*p99 > limit) {
      r.error(pn, fmt::format("lognormal p99 {} is more than {:.2f}x its mean {}, which no lognormal can have; "
                              "expected p99 <= {}",
                              format_duration(*p99), limit / *mean, format_duration(*mean), format_duration(limit)));
      return std::nullopt;
    }
    return Distribution::lognormal(*mean, *p99);
  }
  if (which == "uniform") {
    MapView u(r, v, "uniform", {"min", "max"});
    if (!u.ok()) return std::nullopt;
    YAML::Node lo_n = u.require("min", "min and max, like {min: 1ms, max: 3ms}");
    YAML::Node hi_n = u.require("max", "min and max, like {min: 1ms, max: 3ms}");
    if (!lo_n.IsDefined() || !hi_n.IsDefined()) return std::nullopt;
    auto lo = r.duration(lo_n);
    auto hi = r.duration(hi_n);
    if (!lo || !hi) return std::nullopt;
    if (*lo > *hi) {
      r.error(hi_n, fmt::format("uniform max {} is below min {}; expected min <= max", format_duration(*hi),
                                format_duration(*lo)));
      return std::nullopt;
    }
    return Distribution::uniform(*lo, *hi);
  }
  // empirical
  if (!r.is_seq(v, "empirical")) return std::nullopt;
  if (v.size() == 0) {
    r.error(v, "empirical distribution has no values; expected a list of durations like [4ms, 5ms, 9ms]");
    return std::nullopt;
  }
  if (v.size() > 1000000) {
    r.error(v, "empirical distribution has more than 1000000 values; expected a shorter list");
    return std::nullopt;
  }
  std::vector<double> values;
  bool ok = true;
  for (const auto& item : v) {
    auto d = r.duration(item);
    if (d) {
      values.push_back(*d);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return Distribution::empirical(std::move(values));
}

double normal_quantile(double p) {
  // Peter Acklam's rational approximation.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  const double plow = 0.02425;
  if (p < plow) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - plow) {
    double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double q = p - 0.5;
  double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace sim::core
