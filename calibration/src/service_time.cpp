#include "calibration/src/service_time.h"

#include <cmath>
#include <cstdlib>
#include <vector>

namespace calib {

std::optional<double> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v) || v < 0) return std::nullopt;
  std::string unit(end);
  if (unit == "s") return v;
  if (unit == "ms") return v / 1e3;
  if (unit == "us") return v / 1e6;
  if (unit.empty() && v == 0) return 0.0;
  return std::nullopt;
}

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::optional<ServiceTime> ServiceTime::parse(const std::string& spec, std::string* error) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  auto fail = [&] {
    *error = "invalid service time '" + spec +
             "'; expected a duration (4ms), exponential:MEAN or uniform:MIN:MAX, with units us, ms or s";
    return std::nullopt;
  };
  ServiceTime st;
  if (parts.size() == 1) {
    auto v = parse_duration(parts[0]);
    if (!v) return fail();
    st.kind_ = Kind::kConstant;
    st.a_ = *v;
  } else if (parts[0] == "exponential" && parts.size() == 2) {
    auto v = parse_duration(parts[1]);
    if (!v || *v <= 0) return fail();
    st.kind_ = Kind::kExponential;
    st.a_ = *v;
  } else if (parts[0] == "uniform" && parts.size() == 3) {
    auto lo = parse_duration(parts[1]);
    auto hi = parse_duration(parts[2]);
    if (!lo || !hi || *hi < *lo) return fail();
    st.kind_ = Kind::kUniform;
    st.a_ = *lo;
    st.b_ = *hi;
  } else {
    return fail();
  }
  return st;
}

double ServiceTime::sample(std::mt19937_64& rng) const {
  switch (kind_) {
    case Kind::kConstant:
      return a_;
    case Kind::kExponential:
      // 1 - u is in (0, 1]: log never sees 0.
      return -a_ * std::log(1.0 - uniform01(rng));
    case Kind::kUniform:
      return a_ + (b_ - a_) * uniform01(rng);
  }
  return a_;
}

double ServiceTime::mean() const { return kind_ == Kind::kUniform ? (a_ + b_) / 2 : a_; }

}  // namespace calib
