#pragma once
// The headline metrics of a run, read back from report.json: what compare,
// Monte Carlo (--runs) and sweep tabulate for every run, in this order.

#include <optional>
#include <string>
#include <vector>

#include "sim/report/json.h"

namespace sim::report {

struct Headline {
  const char* name;     ///< "latency_p99": also the expectation metric of that name
  const char* pointer;  ///< JSON pointer into report.json: "/summary/latency/p99"
  const char* unit;     ///< "duration", "ratio", "rate" or "count" (see format_value in html.h)
  bool lower_is_better;
  const char* title;    ///< "latency p99"
};

/// throughput, error_rate, latency mean/p50/p90/p99/p999/max, generated, completed, failed.
const std::vector<Headline>& headline_metrics();

/// The metric's value in `report`; nullopt when the field is missing or not a number.
std::optional<double> headline_value(const Json& report, const Headline& h);

/// The unit (as in Headline::unit) of an expectation metric ("rto" -> "duration").
std::string metric_unit(const std::string& metric);

/// `value` in `unit` for people ("512ms", "1.2%", "450/s", "3").
std::string format_in_unit(double value, const std::string& unit);

/// The report's field at `pointer`, or null.
const Json& at_pointer(const Json& j, const std::string& pointer);

}  // namespace sim::report

namespace sim::report {

/// Parses a report file written by infrasim (report.json, ...); null when it is
/// missing or not JSON (a child that crashed, a half-copied cluster output).
Json read_report_file(const std::string& path);

}  // namespace sim::report
