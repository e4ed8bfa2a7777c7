#include "sim/core/units.h"

#include <array>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/source.h"

namespace sim::core {
namespace {

struct Unit {
  std::string_view name;
  double factor;
};

enum class Num { kOk, kNone, kHuge };

// Splits "12.5ms" into 12.5 and "ms". kNone when there is no leading number,
// kHuge when it is beyond double range ("1e400s": too large to mean anything).
Num split_number(std::string_view text, double* value, std::string_view* rest) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  // from_chars rejects a leading '+'; accept it for friendliness.
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, *value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    std::string_view digits(begin, static_cast<std::size_t>(ptr - begin));
    if (digits.find("e-") != std::string_view::npos || digits.find("E-") != std::string_view::npos) return Num::kNone;
    *rest = std::string_view(ptr, static_cast<std::size_t>(end - ptr));
    return Num::kHuge;
  }
  if (ec != std::errc() || !std::isfinite(*value)) return Num::kNone;
  *rest = std::string_view(ptr, static_cast<std::size_t>(end - ptr));
  return Num::kOk;
}

std::optional<double> lookup(std::string_view unit, const Unit* units, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (units[i].name == unit) return units[i].factor;
  }
  return std::nullopt;
}

void set(std::string* expected, const char* what) {
  if (expected) *expected = what;
}

// For a well-formed value outside the accepted range: *expected then says the
// range, which the caller reports as "out of range" (it differs from the default).
std::nullopt_t out_of_range(std::string* expected, const char* what) {
  set(expected, what);
  return std::nullopt;
}

constexpr Unit kDurationUnits[] = {{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"s", 1.0},
                                   {"sec", 1.0}, {"m", 60.0},  {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0},
                                   {"w", 604800.0}};
constexpr Unit kRateUnits[] = {{"s", 1.0},           {"sec", 1.0},          {"m", 1.0 / 60},
                               {"min", 1.0 / 60},    {"h", 1.0 / 3600},     {"hour", 1.0 / 3600},
                               {"d", 1.0 / 86400},   {"day", 1.0 / 86400}};
constexpr Unit kSizeUnits[] = {{"B", 1.0},     {"KB", 1e3},         {"kB", 1e3},         {"MB", 1e6},
                               {"GB", 1e9},    {"TB", 1e12},        {"PB", 1e15},        {"KiB", 1024.0},
                               {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
                               {"PiB", 1125899906842624.0}};
constexpr Unit kBitRateUnits[] = {{"bps", 1.0 / 8}, {"Kbps", 1e3 / 8}, {"kbps", 1e3 / 8},
                                  {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8}, {"Tbps", 1e12 / 8}};

// Values beyond this are typos or overflow attempts, not infrastructure.
constexpr double kMaxMagnitude = 1e18;

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  double v = 0;
  std::string_view rest;
  if (text.empty() || split_number(text, &v, &rest) != Num::kOk || !rest.empty()) return std::nullopt;
  if (std::fabs(v) > kMaxMagnitude) return std::nullopt;
  return v;
}

std::optional<double> parse_duration(std::string_view text, std::string* expected) {
  set(expected, "a duration with a unit like 250us, 5ms, 10s, 5m, 24h or 7d");
  text = trim(text);
  if (text == "0") return 0.0;
  if (text.empty()) return std::nullopt;
  double total = 0;
  bool negative = false, huge = false;
  // A sequence of <number><unit> pairs: "1h30m", "2m30s".
  while (!text.empty()) {
    double v = 0;
    std::string_view rest;
    Num num = split_number(text, &v, &rest);
    if (num == Num::kNone) return std::nullopt;
    huge = huge || num == Num::kHuge;
    negative = negative || (num == Num::kOk && v < 0);
    std::size_t n = 0;
    while (n < rest.size() && !(std::isdigit(static_cast<unsigned char>(rest[n])) || rest[n] == '.')) ++n;
    std::string_view unit = rest.substr(0, n);
    auto f = lookup(unit, kDurationUnits, std::size(kDurationUnits));
    if (!f) return std::nullopt;
    total += v * *f;
    text = rest.substr(n);
  }
  // Only a well-formed duration gets here: say what range it is out of.
  if (negative) return out_of_range(expected, "a duration of 0 or more");
  if (huge || !std::isfinite(total) || total > kMaxMagnitude) {
    return out_of_range(expected, "a duration of at most 1e18s");
  }
  return total;
}

std::optional<double> parse_rate(std::string_view text, std::string* expected) {
  set(expected, "a rate like 500/s, 30000/min or 1000/h");
  text = trim(text);
  double v = 0;
  std::string_view rest;
  Num num = split_number(text, &v, &rest);
  if (num == Num::kNone) return std::nullopt;
  rest = trim(rest);
  if (rest.starts_with("r/")) rest.remove_prefix(1);  // nginx style "10r/s"
  double f = 1;
  if (rest != "rps") {
    if (!rest.starts_with("/")) return std::nullopt;
    auto unit = lookup(rest.substr(1), kRateUnits, std::size(kRateUnits));
    if (!unit) return std::nullopt;
    f = *unit;
  }
  if (v < 0) return out_of_range(expected, "a rate of 0 or more");
  if (num == Num::kHuge || v > kMaxMagnitude) return out_of_range(expected, "a rate of at most 1e18/s");
  return v * f;
}

std::optional<double> parse_size(std::string_view text, std::string* expected) {
  set(expected, "a size like 512MB, 4GiB or 1TB");
  text = trim(text);
  if (text == "0") return 0.0;
  double v = 0;
  std::string_view rest;
  Num num = split_number(text, &v, &rest);
  if (num == Num::kNone) return std::nullopt;
  auto f = lookup(trim(rest), kSizeUnits, std::size(kSizeUnits));
  if (!f) return std::nullopt;
  if (v < 0) return out_of_range(expected, "a size of 0 or more");
  double bytes = v * *f;
  if (num == Num::kHuge || bytes > kMaxMagnitude * 1e3) return out_of_range(expected, "a size of at most 1e21B");
  return bytes;
}

std::optional<double> parse_bandwidth(std::string_view text, std::string* expected) {
  set(expected, "a bandwidth like 1Gbps, 100Mbps or 200MB/s");
  text = trim(text);
  double v = 0;
  std::string_view rest;
  Num num = split_number(text, &v, &rest);
  if (num == Num::kNone) return std::nullopt;
  rest = trim(rest);
  auto f = lookup(rest, kBitRateUnits, std::size(kBitRateUnits));
  if (!f && rest.ends_with("/s")) f = lookup(rest.substr(0, rest.size() - 2), kSizeUnits, std::size(kSizeUnits));
  if (!f) return std::nullopt;
  if (num == Num::kOk && v <= 0) return out_of_range(expected, "a bandwidth above 0");
  // Without this bound "1e308Gbps" overflowed to infinity.
  if (num == Num::kHuge || v * *f > kMaxMagnitude) return out_of_range(expected, "a bandwidth of at most 1e18B/s");
  return v * *f;
}

std::optional<double> parse_ratio(std::string_view text, std::string* expected) {
  set(expected, "a ratio between 0 and 1, like 70% or 0.7");
  text = trim(text);
  double v = 0;
  std::string_view rest;
  if (split_number(text, &v, &rest) != Num::kOk) return std::nullopt;
  rest = trim(rest);
  if (rest == "%") {
    v /= 100.0;
  } else if (!rest.empty()) {
    return std::nullopt;
  }
  if (v < 0 || v > 1) return std::nullopt;
  return v;
}

std::optional<double> parse_factor(std::string_view text, std::string* expected) {
  set(expected, "a positive factor like 2.5x, 250% or 2.5");
  text = trim(text);
  double v = 0;
  std::string_view rest;
  if (split_number(text, &v, &rest) != Num::kOk) return std::nullopt;
  rest = trim(rest);
  if (rest == "%") {
    v /= 100.0;
  } else if (rest != "x" && rest != "×" && !rest.empty()) {
    return std::nullopt;
  }
  if (v <= 0 || v > kMaxMagnitude) return std::nullopt;
  return v;
}

std::string format_number(double x, int digits) {
  if (x == 0) return "0";
  std::string s = fmt::format("{:.{}g}", x, digits);
  return s;
}

std::string format_duration(double s) {
  if (!std::isfinite(s)) return s > 0 ? "inf" : "-inf";
  if (s < 0) {
    std::string out = "-";
    out += format_duration(-s);
    return out;
  }
  if (s == 0) return "0s";
  if (s < 1e-3) return format_number(s * 1e6, 3) + "us";
  if (s < 1.0) return format_number(s * 1e3, 3) + "ms";
  if (s < 60.0) return format_number(s, 3) + "s";
  // Whole seconds from here on: "1m48s", "15m", "2h5m", "3d4h".
  auto total = static_cast<long long>(std::llround(s));
  long long d = total / 86400, h = (total % 86400) / 3600, m = (total % 3600) / 60, sec = total % 60;
  std::string out;
  if (d) out += fmt::format("{}d", d);
  if (h) out += fmt::format("{}h", h);
  if (m && d == 0) out += fmt::format("{}m", m);
  if (sec && d == 0 && h == 0) out += fmt::format("{}s", sec);
  return out.empty() ? "0s" : out;
}

std::string format_rate(double r) {
  if (r != 0 && std::fabs(r) < 0.1) return format_number(r * 60, 4) + "/min";
  return format_number(r, 4) + "/s";
}

std::string format_size(double b) {
  static constexpr std::array<const char*, 6> kNames = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t i = 0;
  while (std::fabs(b) >= 1024 && i + 1 < kNames.size()) {
    b /= 1024;
    ++i;
  }
  return format_number(b, 4) + kNames[i];
}

std::string format_bandwidth(double bytes_per_second) {
  double bits = bytes_per_second * 8;
  if (bits >= 1e9) return format_number(bits / 1e9, 4) + "Gbps";
  if (bits >= 1e6) return format_number(bits / 1e6, 4) + "Mbps";
  if (bits >= 1e3) return format_number(bits / 1e3, 4) + "Kbps";
  return format_number(bits, 4) + "bps";
}

std::string format_ratio(double f) { return format_number(f * 100, 4) + "%"; }

}  // namespace sim::core
