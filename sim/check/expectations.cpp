#include "sim/check/expectations.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/model/cost.h"

namespace sim::check {

using scenario::Measure;
using scenario::MetricInfo;

std::string Verdict::line() const {
  return fmt::format("expected {} {}, actual {}: {}", expectation.metric, expected_text, actual_text,
                     pass ? "PASS" : "FAIL");
}

bool Assessment::passed() const {
  return std::all_of(verdicts.begin(), verdicts.end(), [](const Verdict& v) { return v.pass; });
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

double latency_stat(const model::LatencyStats& l, scenario::LatencyStat stat) {
  switch (stat) {
    case scenario::LatencyStat::kMean: return l.mean;
    case scenario::LatencyStat::kP50: return l.p50;
    case scenario::LatencyStat::kP90: return l.p90;
    case scenario::LatencyStat::kP95: return l.p95;
    case scenario::LatencyStat::kP99: return l.p99;
    case scenario::LatencyStat::kP999: return l.p999;
    case scenario::LatencyStat::kMax: return l.max;
  }
  return l.max;
}

}  // namespace

std::optional<double> measure(const scenario::Scenario& s, const model::RunResult& r, const Assessment& a,
                              const MetricInfo& metric, const std::string& request_class, std::string* note) {
  const model::ClassStats* cls = request_class.empty() ? nullptr : find_class(r, request_class);
  auto worst_over_scaling = [&](auto field) -> std::optional<double> {
    if (a.scaling.empty()) {
      *note = "the scenario has no autoscaling";
      return std::nullopt;
    }
    double v = 0;
    for (const auto& x : a.scaling) v = std::max(v, field(x));
    return v;
  };
  switch (metric.measure) {
    case Measure::kLatency: {
      const model::LatencyStats& l = cls ? cls->latency : r.latency;
      if (l.count == 0) {
        *note = "no request completed after warmup";
        return std::nullopt;
      }
      return latency_stat(l, metric.latency);
    }
    case Measure::kErrorRate:
      if (cls) {
        std::uint64_t fin = cls->completed + cls->failed;
        return fin ? static_cast<double>(cls->failed) / static_cast<double>(fin) : 0.0;
      }
      return r.error_rate;
    case Measure::kThroughput:
      if (cls) return static_cast<double>(cls->latency.count) / std::max(1e-9, r.duration - r.warmup);
      return r.throughput;
    case Measure::kGenerated: return static_cast<double>(cls ? cls->generated : r.generated);
    case Measure::kCompleted: return static_cast<double>(cls ? cls->completed : r.completed);
    case Measure::kFailed: return static_cast<double>(cls ? cls->failed : r.failed);
    case Measure::kAvailability: return availability(r, s.resilience.recovery_threshold);
    case Measure::kRto:
      if (a.recovery.unrecovered) {
        *note = "not recovered before the end of the run";
        return std::nullopt;
      }
      if (!a.recovery.worst_rto) {
        *note = "no fault in the scenario";
        return 0.0;
      }
      return a.recovery.worst_rto;
    case Measure::kRpo: return a.recovery.worst_rpo;
    case Measure::kWritesLost: return static_cast<double>(a.recovery.writes_lost);
    case Measure::kFlaps:
      return worst_over_scaling([](const ScalingSummary& x) { return static_cast<double>(x.flaps); });
    case Measure::kTimeToScale: {
      for (const auto& x : a.scaling) {
        if (x.unreached) {
          *note = x.component + " never reached its scale-up target";
          return std::nullopt;
        }
      }
      return worst_over_scaling([](const ScalingSummary& x) { return x.time_to_scale.value_or(0); });
    }
    case Measure::kSaturation: {
      auto saturated = worst_over_scaling([](const ScalingSummary& x) { return static_cast<double>(x.saturated_windows); });
      if (!saturated) return std::nullopt;
      return *saturated == 0 ? 1.0 : 0.0;
    }
    case Measure::kInstanceHours: {
      // The cost of the autoscaled services; without autoscaling, of every component.
      double v = 0;
      if (a.scaling.empty()) {
        for (const auto& c : r.components) v += c.instance_hours;
      } else {
        for (const auto& x : a.scaling) v += x.instance_hours;
      }
      return v;
    }
    case Measure::kReplicationLagMax: {
      double v = 0;
      for (const auto& c : r.components) v = std::max(v, c.replication_lag_max);
      return v;
    }
    case Measure::kDeadLetters: {
      double v = 0;
      for (const auto& c : r.components) v += static_cast<double>(c.dead_letters);
      return v;
    }
    case Measure::kCostPerMonth:
      if (!a.cost_per_month) *note = "the topology names no pricing file (cost: {pricing: FILE})";
      return a.cost_per_month;
    case Measure::kQueueDepthMax: {
      double v = 0;
      for (const auto& c : r.components) v = std::max(v, static_cast<double>(c.queue_depth_max));
      return v;
    }
  }
  *note = "unknown metric";
  return std::nullopt;
}

Assessment assess(const scenario::Scenario& s, const model::RunResult& r, const topology::Topology* t,
                  const AlertEvaluation* alerts) {
  Assessment a;
  a.recovery = summarize_recovery(s, r, t);
  a.scaling = summarize_scaling(s, r);
  if (t) {
    if (auto c = model::estimate_cost(*t, r)) a.cost_per_month = c->per_month;
  }
  for (const auto& e : s.expectations) {
    Verdict v;
    v.expectation = e;
    const MetricInfo* info = scenario::find_metric(e.metric);
    if (!info) {  // the loader only accepts registered metrics
      v.actual_text = "not measured (unknown metric)";
      a.verdicts.push_back(std::move(v));
      continue;
    }
    v.expected_text = fmt::format("{} {}", scenario::op_symbol(e.op), scenario::format_value(info->unit, e.value));
    if (!e.request_class.empty()) v.expected_text += fmt::format(" (class {})", e.request_class);
    v.actual = measure(s, r, a, *info, e.request_class, &v.note);
    if (v.actual) {
      v.actual_text = scenario::format_value(info->unit, *v.actual);
      v.pass = compare(e, *v.actual);
    } else {
      v.actual_text = "not measured (" + v.note + ")";
    }
    a.verdicts.push_back(std::move(v));
  }
  if (!s.alert_rules.empty()) {
    a.incidents = incidents(s, r);
    if (alerts) a.alerts = *alerts;
    for (Verdict& v : judge_alerts(s, alerts, a.incidents)) a.verdicts.push_back(std::move(v));
  }
  return a;
}

}  // namespace sim::check
