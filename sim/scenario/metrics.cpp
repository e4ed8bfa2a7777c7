#include "sim/scenario/metrics.h"

#include "sim/core/units.h"

namespace sim::scenario {

const std::vector<MetricInfo>& metric_table() {
  using Op = Expectation::Op;
  static const std::vector<MetricInfo> kTable = {
      {"latency_p50", Unit::kDuration, Op::kLe, true, "median latency of completed requests"},
      {"latency_p90", Unit::kDuration, Op::kLe, true, "90th percentile latency"},
      {"latency_p99", Unit::kDuration, Op::kLe, true, "99th percentile latency"},
      {"latency_p999", Unit::kDuration, Op::kLe, true, "99.9th percentile latency"},
      {"latency_mean", Unit::kDuration, Op::kLe, true, "mean latency"},
      {"error_rate", Unit::kRatio, Op::kLe, true, "failed / finished requests"},
      {"throughput", Unit::kRate, Op::kGe, true, "completed requests per second (after warmup)"},
      {"availability", Unit::kRatio, Op::kGe, false, "share of windows whose success ratio meets the recovery threshold"},
      {"rto", Unit::kDuration, Op::kLe, false, "measured recovery time of the worst fault"},
      {"rpo", Unit::kDuration, Op::kLe, false, "age of the oldest acknowledged write that was lost"},
      {"writes_lost", Unit::kCount, Op::kLe, false, "acknowledged writes missing after failover or restore"},
      {"max_flaps", Unit::kCount, Op::kLe, false, "scaling direction reversals within the flap window"},
      {"time_to_scale", Unit::kDuration, Op::kLe, false, "from a load step to enough ready replicas"},
      {"no_saturation", Unit::kBool, Op::kEq, false, "never at max replicas while the SLO is breached"},
      {"instance_hours", Unit::kNumber, Op::kLe, false, "instance-hours of autoscaled components (cost)"},
      {"replication_lag_max", Unit::kDuration, Op::kLe, false, "largest replication lag seen"},
      {"dead_letters", Unit::kCount, Op::kLe, false, "jobs moved to a dead-letter queue"},
      {"queue_depth_max", Unit::kCount, Op::kLe, false, "largest message queue depth"},
  };
  return kTable;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const MetricInfo& m : metric_table()) {
    if (m.name == name) return &m;
  }
  return nullptr;
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

std::string format_metric_value(Unit unit, double v) {
  switch (unit) {
    case Unit::kDuration: return core::format_duration(v);
    case Unit::kRatio: return core::format_ratio(v);
    case Unit::kRate: return core::format_rate(v);
    case Unit::kCount: return core::format_number(v, 10);
    case Unit::kNumber: return core::format_number(v, 4);
    case Unit::kBool: return v != 0 ? "true" : "false";
  }
  return core::format_number(v);
}

}  // namespace sim::scenario
