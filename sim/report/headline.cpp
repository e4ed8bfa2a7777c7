#include "sim/report/headline.h"

#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/scenario/metrics.h"

namespace sim::report {

const std::vector<Headline>& headline_metrics() {
  static const std::vector<Headline> kHeadline = {
      {"throughput", "/summary/throughput", "rate", false, "throughput"},
      {"error_rate", "/summary/error_rate", "ratio", true, "error rate"},
      {"latency_mean", "/summary/latency/mean", "duration", true, "latency mean"},
      {"latency_p50", "/summary/latency/p50", "duration", true, "latency p50"},
      {"latency_p90", "/summary/latency/p90", "duration", true, "latency p90"},
      {"latency_p99", "/summary/latency/p99", "duration", true, "latency p99"},
      {"latency_p999", "/summary/latency/p999", "duration", true, "latency p99.9"},
      {"latency_max", "/summary/latency/max", "duration", true, "latency max"},
      {"generated", "/summary/generated", "count", false, "requests generated"},
      {"completed", "/summary/completed", "count", false, "requests completed"},
      {"failed", "/summary/failed", "count", true, "requests failed"},
  };
  return kHeadline;
}

const Json& at_pointer(const Json& j, const std::string& pointer) {
  static const Json kNull;
  const Json* cur = &j;
  std::size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    std::size_t end = pointer.find('/', start);
    std::string key = pointer.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!cur->is_object()) return kNull;
    auto it = cur->find(key);
    if (it == cur->end()) return kNull;
    cur = &*it;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return *cur;
}

std::optional<double> headline_value(const Json& report, const Headline& h) {
  const Json& v = at_pointer(report, h.pointer);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

std::string metric_unit(const std::string& metric) {
  const scenario::MetricInfo* info = scenario::find_metric(metric);
  if (!info) return "number";
  switch (info->unit) {
    case scenario::Unit::kDuration: return "duration";
    case scenario::Unit::kRatio: return "ratio";
    case scenario::Unit::kRate: return "rate";
    case scenario::Unit::kCount: return "count";
    case scenario::Unit::kNumber:
    case scenario::Unit::kBool: return "number";
  }
  return "number";
}

std::string format_in_unit(double x, const std::string& unit) {
  if (!std::isfinite(x)) return "n/a";
  if (unit == "duration") return core::format_duration(x);
  if (unit == "ratio") return core::format_ratio(x);
  if (unit == "rate") return core::format_rate(x);
  if (unit == "count") {
    if (std::fabs(x - std::round(x)) < 1e-9 || std::fabs(x) >= 100) {
      return fmt::format("{}", static_cast<long long>(std::llround(x)));
    }
    return core::format_number(x);
  }
  return core::format_number(x);
}

}  // namespace sim::report

#include <fstream>
#include <sstream>

namespace sim::report {

Json read_report_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Json();
  std::stringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json() : j;
}

}  // namespace sim::report
