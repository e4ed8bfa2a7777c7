#include "sim/check/expectations.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/check/autoscaling.h"
#include "sim/check/recovery.h"
#include "sim/scenario/metrics.h"

namespace sim::check {

std::string Verdict::line() const {
  return fmt::format("expected {} {}, actual {}: {}", expectation.metric, expected_text, actual_text,
                     pass ? "PASS" : "FAIL");
}

bool compare(const scenario::Expectation& e, double actual) {
  // A relative tolerance of 1e-9 keeps "== 0" and boundary values stable under rounding.
  double eps = 1e-9 * std::max(1.0, std::fabs(e.value));
  switch (e.op) {
    case scenario::Expectation::Op::kLe: return actual <= e.value + eps;
    case scenario::Expectation::Op::kLt: return actual < e.value - eps;
    case scenario::Expectation::Op::kGe: return actual >= e.value - eps;
    case scenario::Expectation::Op::kGt: return actual > e.value + eps;
    case scenario::Expectation::Op::kEq: return std::fabs(actual - e.value) <= eps;
  }
  return false;
}

double availability(const model::RunResult& r, double threshold) {
  std::size_t n = 0, good = 0;
  for (const auto& w : r.windows) {
    if (w.start + r.window <= r.warmup) continue;
    ++n;
    good += w.success_ratio() >= threshold ? 1 : 0;
  }
  return n ? static_cast<double>(good) / static_cast<double>(n) : 1.0;
}

namespace {

const model::ClassStats* find_class(const model::RunResult& r, const std::string& name) {
  for (const auto& c : r.classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

double latency_field(const model::LatencyStats& l, const std::string& metric) {
  if (metric == "latency_p50") return l.p50;
  if (metric == "latency_p90") return l.p90;
  if (metric == "latency_p99") return l.p99;
  if (metric == "latency_p999") return l.p999;
  if (metric == "latency_mean") return l.mean;
  return l.max;
}

}  // namespace

std::optional<double> measure(const scenario::Scenario& s, const model::RunResult& r, const scenario::Expectation& e,
                              std::string* note) {
  const std::string& m = e.metric;
  const model::ClassStats* cls = e.request_class.empty() ? nullptr : find_class(r, e.request_class);
  if (m.starts_with("latency_")) {
    const model::LatencyStats& l = cls ? cls->latency : r.latency;
    if (l.count == 0) {
      *note = "no request completed after warmup";
      return std::nullopt;
    }
    return latency_field(l, m);
  }
  if (m == "error_rate") {
    if (cls) {
      std::uint64_t fin = cls->completed + cls->failed;
      return fin ? static_cast<double>(cls->failed) / static_cast<double>(fin) : 0.0;
    }
    return r.error_rate;
  }
  if (m == "throughput") {
    if (cls) return static_cast<double>(cls->latency.count) / std::max(1e-9, r.duration - r.warmup);
    return r.throughput;
  }
  if (m == "availability") return availability(r, s.resilience.recovery_threshold);
  if (m == "rto" || m == "rpo" || m == "writes_lost") {
    RecoverySummary rec = summarize_recovery(s, r);
    if (m == "writes_lost") return static_cast<double>(rec.writes_lost);
    if (m == "rpo") return rec.worst_rpo;
    if (!rec.worst_rto) {
      *note = rec.unrecovered ? "not recovered before the end of the run" : "no fault in the scenario";
      if (rec.unrecovered) return std::nullopt;
      return 0.0;
    }
    return rec.worst_rto;
  }
  if (m == "replication_lag_max") {
    double v = 0;
    for (const auto& c : r.components) v = std::max(v, c.replication_lag_max);
    return v;
  }
  if (m == "dead_letters") {
    double v = 0;
    for (const auto& c : r.components) v += static_cast<double>(c.dead_letters);
    return v;
  }
  if (m == "queue_depth_max") {
    // The largest depth any one queue reached, as the metric says (it summed the queues' maxima).
    double v = 0;
    for (const auto& c : r.components) v = std::max(v, static_cast<double>(c.queue_depth_max));
    return v;
  }
  if (m == "instance_hours" || m == "max_flaps" || m == "time_to_scale" || m == "no_saturation") {
    std::vector<ScalingSummary> sc = summarize_scaling(s, r);
    if (sc.empty()) {
      if (m == "instance_hours") {
        double v = 0;
        for (const auto& c : r.components) v += c.instance_hours;
        return v;
      }
      *note = "the scenario has no autoscaling";
      return std::nullopt;
    }
    double v = 0;
    for (const auto& x : sc) {
      if (m == "instance_hours") v += x.instance_hours;
      if (m == "max_flaps") v = std::max(v, static_cast<double>(x.flaps));
      if (m == "no_saturation") v += x.saturated_windows;
      if (m == "time_to_scale") {
        if (x.unreached) {
          *note = x.component + " never reached its scale-up target";
          return std::nullopt;
        }
        v = std::max(v, x.time_to_scale.value_or(0));
      }
    }
    if (m == "no_saturation") return v == 0 ? 1.0 : 0.0;
    return v;
  }
  *note = "unknown metric";
  return std::nullopt;
}

std::vector<Verdict> judge(const scenario::Scenario& s, const model::RunResult& r) {
  std::vector<Verdict> out;
  for (const auto& e : s.expectations) {
    Verdict v;
    v.expectation = e;
    const scenario::MetricInfo* info = scenario::find_metric(e.metric);
    v.expected_text = fmt::format("{} {}", scenario::op_symbol(e.op), scenario::format_metric_value(info->unit, e.value));
    if (!e.request_class.empty()) v.expected_text += fmt::format(" (class {})", e.request_class);
    v.actual = measure(s, r, e, &v.note);
    if (v.actual) {
      v.actual_text = scenario::format_metric_value(info->unit, *v.actual);
      v.pass = compare(e, *v.actual);
    } else {
      v.actual_text = "not measured (" + v.note + ")";
      v.pass = false;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace sim::check
