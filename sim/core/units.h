#pragma once
// Units in the YAML files. Every quantity is stored in SI base units:
// seconds, requests per second, bytes, bytes per second, plain fractions.
//
//   durations   250us 5ms 10s 5m 24h 7d 1h30m   (a bare 0 is allowed)
//   rates       500/s 30000/min 1000/h 10r/s     (requests per second)
//   sizes       4GiB 500GB 512MB 64KiB 100B      (bytes; GB = 1e9, GiB = 2^30)
//   bandwidth   1Gbps 100Mbps 200MB/s            (bytes per second; bps = bits)
//   ratios      70% 0.7                          (fraction, 0..1)
//   factors     2.5x 250% 2.5                    (multiplier, > 0)
//
// Parsers return nullopt and set *expected to the "what was expected" half of
// an error message; they never throw. For a well-formed value outside the
// accepted range ("-5s", "1e30s", "0Gbps") *expected names the range instead
// ("a duration of at most 1e18s"), so a caller can tell "out of range" from
// "malformed" by comparing it with the text it gets for "".

#include <optional>
#include <string>
#include <string_view>

namespace sim::core {

/// Seconds from "250us", "5ms", "10s", "5m", "24h", "7d", "1h30m"; nullopt if malformed or negative.
std::optional<double> parse_duration(std::string_view text, std::string* expected = nullptr);
/// Requests per second from "500/s", "30000/min", "1000/h", "10r/s".
std::optional<double> parse_rate(std::string_view text, std::string* expected = nullptr);
/// Bytes from "4GiB", "500GB", "512MB", "100B".
std::optional<double> parse_size(std::string_view text, std::string* expected = nullptr);
/// Bytes per second from "1Gbps", "100Mbps" (bits) or "200MB/s" (bytes).
std::optional<double> parse_bandwidth(std::string_view text, std::string* expected = nullptr);
/// Fraction in [0, 1] from "70%" or "0.7".
std::optional<double> parse_ratio(std::string_view text, std::string* expected = nullptr);
/// Multiplier > 0 from "2.5x", "250%" or "2.5".
std::optional<double> parse_factor(std::string_view text, std::string* expected = nullptr);
/// A finite plain number ("12", "-3.5", "1e6"); no units.
std::optional<double> parse_number(std::string_view text);

/// Human forms, used in reports and messages ("15m", "1m48s", "12.5ms", "500/s", "4GiB", "70%").
std::string format_duration(double seconds);
std::string format_rate(double per_second);
std::string format_size(double bytes);
std::string format_bandwidth(double bytes_per_second);
std::string format_ratio(double fraction);
/// Up to `digits` significant digits, no trailing zeros ("0.125", "12", "1.5e+06").
std::string format_number(double x, int digits = 4);

}  // namespace sim::core
