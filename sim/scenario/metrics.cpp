#include "sim/scenario/metrics.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <mutex>

#include "sim/core/units.h"

namespace sim::scenario {

const std::vector<MetricInfo>& metric_table() {
  using Op = Expectation::Op;
  using M = Measure;
  using L = LatencyStat;
  static const std::vector<MetricInfo> kTable = {
      {.name = "latency_p50", .unit = Unit::kDuration, .measure = M::kLatency, .latency = L::kP50, .per_class = true,
       .headline = 4, .title = "latency p50", .pointer = "/summary/latency/p50",
       .meaning = "median latency of the requests completed after warmup"},
      {.name = "latency_p90", .unit = Unit::kDuration, .measure = M::kLatency, .latency = L::kP90, .per_class = true,
       .headline = 5, .title = "latency p90", .pointer = "/summary/latency/p90",
       .meaning = "90th percentile latency of the requests completed after warmup"},
      {.name = "latency_p95", .unit = Unit::kDuration, .measure = M::kLatency, .latency = L::kP95, .per_class = true,
       .headline = 6, .title = "latency p95", .pointer = "/summary/latency/p95",
       .meaning = "95th percentile latency of the requests completed after warmup (k6's p(95))"},
      {.name = "latency_p99", .unit = Unit::kDuration, .measure = M::kLatency, .latency = L::kP99, .per_class = true,
       .headline = 7, .title = "latency p99", .pointer = "/summary/latency/p99",
       .meaning = "99th percentile latency of the requests completed after warmup"},
      {.name = "latency_p999", .unit = Unit::kDuration, .measure = M::kLatency, .latency = L::kP999, .per_class = true,
       .headline = 8, .title = "latency p99.9", .pointer = "/summary/latency/p999",
       .meaning = "99.9th percentile latency of the requests completed after warmup"},
      {.name = "latency_mean", .unit = Unit::kDuration, .measure = M::kLatency, .latency = L::kMean, .per_class = true,
       .headline = 3, .title = "latency mean", .pointer = "/summary/latency/mean",
       .meaning = "mean latency of the requests completed after warmup"},
      {.name = "error_rate", .unit = Unit::kRatio, .measure = M::kErrorRate, .per_class = true, .headline = 2,
       .title = "error rate", .pointer = "/summary/error_rate", .meaning = "failed / finished requests after warmup"},
      {.name = "throughput", .unit = Unit::kRate, .default_op = Op::kGe, .measure = M::kThroughput, .per_class = true,
       .headline = 1, .title = "throughput", .pointer = "/summary/throughput",
       .meaning = "requests completed per second after warmup"},
      {.name = "availability", .unit = Unit::kRatio, .default_op = Op::kGe, .measure = M::kAvailability,
       .per_class = true,
       .meaning = "share of the windows after warmup whose success ratio meets the recovery threshold"},
      {.name = "rto", .unit = Unit::kDuration, .measure = M::kRto, .per_class = true,
       .meaning = "measured recovery time of the worst fault (of one request class's success ratio with class:)"},
      {.name = "rpo", .unit = Unit::kDuration, .measure = M::kRpo,
       .meaning = "age of the oldest acknowledged write that was lost (the worst fault's)"},
      {.name = "writes_lost", .unit = Unit::kCount, .measure = M::kWritesLost,
       .meaning = "acknowledged writes missing after failovers and restores"},
      {.name = "max_flaps", .unit = Unit::kCount, .measure = M::kFlaps,
       .meaning = "scaling direction reversals less than 10 min apart (the worst service)"},
      {.name = "time_to_scale", .unit = Unit::kDuration, .measure = M::kTimeToScale,
       .meaning = "from a load increase to enough ready instances (the slowest scale-up)"},
      {.name = "no_saturation", .unit = Unit::kBool, .default_op = Op::kEq, .measure = M::kSaturation,
       .meaning = "never at max replicas while the p99 or error-rate SLO is breached"},
      {.name = "instance_hours", .unit = Unit::kNumber, .measure = M::kInstanceHours,
       .meaning = "instance-hours of the autoscaled services (cost)"},
      {.name = "replication_lag_max", .unit = Unit::kDuration, .measure = M::kReplicationLagMax,
       .meaning = "largest replication lag of any database"},
      {.name = "dead_letters", .unit = Unit::kCount, .measure = M::kDeadLetters,
       .meaning = "jobs moved to a dead-letter queue, all queues together"},
      {.name = "queue_depth_max", .unit = Unit::kCount, .measure = M::kQueueDepthMax,
       .meaning = "largest depth any message queue reached"},
      {.name = "healthy_at_end", .unit = Unit::kBool, .default_op = Op::kEq, .measure = M::kHealthyAtEnd,
       .meaning = "every started instance of every component up, ready and taken in by the balancers in front of "
                  "it at the run's end"},
      {.name = "unexplained_restarts", .unit = Unit::kCount, .measure = M::kUnexplainedRestarts,
       .meaning = "restarts (restart policy attempts, starts after a host's return, replacements) that no "
                  "scenario fault caused, like a liveness probe killing an instance still booting"},
      {.name = "cost_per_month", .unit = Unit::kNumber, .measure = M::kCostPerMonth, .headline = 13,
       .title = "cost per month", .pointer = "/cost/per_month",
       .meaning = "the run's instance-hours, storage, requests and transfer scaled to a month, priced with the "
                  "topology's pricing file (in its currency)"},
      // Reported in every report and table, not (yet) an expectation.
      {.name = "latency_max", .unit = Unit::kDuration, .measure = M::kLatency, .latency = L::kMax,
       .expectation = false, .headline = 9, .title = "latency max", .pointer = "/summary/latency/max",
       .meaning = "slowest request completed after warmup"},
      {.name = "generated", .unit = Unit::kCount, .default_op = Op::kGe, .measure = M::kGenerated,
       .expectation = false, .headline = 10, .title = "requests generated", .pointer = "/summary/generated",
       .meaning = "requests created over the whole run"},
      {.name = "completed", .unit = Unit::kCount, .default_op = Op::kGe, .measure = M::kCompleted,
       .expectation = false, .headline = 11, .title = "requests completed", .pointer = "/summary/completed",
       .meaning = "requests that finished successfully over the whole run"},
      {.name = "failed", .unit = Unit::kCount, .measure = M::kFailed, .expectation = false, .headline = 12,
       .title = "requests failed", .pointer = "/summary/failed", .meaning = "requests that failed over the whole run"},
  };
  return kTable;
}

bool looks_like_percentile(std::string_view name) { return name.starts_with("latency_p"); }

namespace {

// N of "latency_pN": a plain decimal number (digits, at most one point, no sign or exponent) in (0, 100).
std::optional<double> percentile_of(std::string_view name) {
  if (!looks_like_percentile(name)) return std::nullopt;
  std::string_view n = name.substr(9);
  if (n.empty() || n.front() == '.' || n.back() == '.' || n.size() > 12) return std::nullopt;
  int points = 0;
  for (char c : n) {
    if (c == '.') {
      ++points;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  if (points > 1) return std::nullopt;
  double v = std::stod(std::string(n));
  if (!(v > 0 && v < 100)) return std::nullopt;
  return v;
}

}  // namespace

const MetricInfo* find_metric(std::string_view name) {
  for (const MetricInfo& m : metric_table()) {
    if (m.name == name) return &m;
  }
  auto pct = percentile_of(name);
  if (!pct) return nullptr;
  // Rows made on first use; a deque never moves its elements, so pointers and views stay valid.
  struct Made {
    std::string name, title, meaning;
    MetricInfo info;
  };
  static std::mutex mutex;
  static std::deque<Made> made;
  std::lock_guard<std::mutex> lock(mutex);
  for (const Made& m : made) {
    if (m.name == name) return &m.info;
  }
  Made& m = made.emplace_back();
  m.name = std::string(name);
  std::string n = m.name.substr(9);
  m.title = "latency p" + n;
  m.meaning = fmt::format("{}th percentile latency of the requests completed after warmup", n);
  m.info = {.name = m.name, .unit = Unit::kDuration, .measure = Measure::kLatency, .latency = LatencyStat::kQuantile,
            .quantile = *pct / 100, .per_class = true, .title = m.title, .meaning = m.meaning};
  return &m.info;
}

std::vector<std::string> expectation_names() {
  std::vector<std::string> out;
  for (const MetricInfo& m : metric_table()) {
    if (m.expectation) out.emplace_back(m.name);
  }
  return out;
}

std::vector<const MetricInfo*> headline_metrics() {
  std::vector<const MetricInfo*> out;
  for (const MetricInfo& m : metric_table()) {
    if (m.headline > 0) out.push_back(&m);
  }
  std::sort(out.begin(), out.end(), [](const MetricInfo* a, const MetricInfo* b) { return a->headline < b->headline; });
  return out;
}

std::string_view title_of(const MetricInfo& m) { return m.title.empty() ? m.name : m.title; }

bool lower_is_better(const MetricInfo& m) {
  return m.default_op == Expectation::Op::kLe || m.default_op == Expectation::Op::kLt;
}

const char* op_symbol(Expectation::Op op) {
  switch (op) {
    case Expectation::Op::kLe: return "<=";
    case Expectation::Op::kLt: return "<";
    case Expectation::Op::kGe: return ">=";
    case Expectation::Op::kGt: return ">";
    case Expectation::Op::kEq: return "==";
  }
  return "?";
}

const char* unit_name(Unit unit) {
  switch (unit) {
    case Unit::kDuration: return "duration";
    case Unit::kRatio: return "ratio";
    case Unit::kRate: return "rate";
    case Unit::kCount: return "count";
    case Unit::kNumber: return "number";
    case Unit::kBool: return "bool";
  }
  return "number";
}

std::optional<Unit> unit_from_name(std::string_view name) {
  for (Unit u : {Unit::kDuration, Unit::kRatio, Unit::kRate, Unit::kCount, Unit::kNumber, Unit::kBool}) {
    if (name == unit_name(u)) return u;
  }
  return std::nullopt;
}

std::string format_value(Unit unit, double x) {
  if (!std::isfinite(x)) return "n/a";
  switch (unit) {
    case Unit::kDuration: return core::format_duration(x);
    case Unit::kRatio: return core::format_ratio(x);
    case Unit::kRate: return core::format_rate(x);
    case Unit::kCount:
      // Whole counts as they are; a mean over runs keeps its fraction below 100.
      if (std::fabs(x - std::round(x)) < 1e-9 || std::fabs(x) >= 100) {
        return fmt::format("{}", static_cast<long long>(std::llround(x)));
      }
      return core::format_number(x);
    case Unit::kNumber: return core::format_number(x);
    case Unit::kBool: return x != 0 ? "true" : "false";
  }
  return core::format_number(x);
}

std::string format_value(std::string_view unit_name, double value) {
  return format_value(unit_from_name(unit_name).value_or(Unit::kNumber), value);
}

}  // namespace sim::scenario
