#pragma once
// The metric registry: one row per metric, and everything that names,
// measures, stores, tabulates or prints a metric reads it:
//
//   scenario loader   which names `expect:` takes, their unit, default comparison, `class:`
//   check/measure     how a run measures it (MetricInfo::measure; one case per kind of measurement)
//   report            where report.json holds it, whether it is a headline column of the
//                     compare / Monte Carlo / sweep tables, its title, its unit's format
//   README            the expectation table ("meaning")
//
// Adding a metric is adding a row. (A new *kind* of measurement also adds its
// case to check::measure; a metric whose value is new to report.json also adds
// its field there.)

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.h"

namespace sim::scenario {

/// A metric's unit, which decides how its values are written and read.
enum class Unit { kDuration, kRatio, kRate, kCount, kNumber, kBool };

/// How a run measures a metric (check::measure implements each kind once).
enum class Measure {
  kLatency,           ///< a statistic (MetricInfo::latency) of the completed requests' latency after warmup
  kErrorRate,         ///< failed / finished requests after warmup
  kThroughput,        ///< completions per second after warmup
  kGenerated,         ///< requests created over the whole run
  kCompleted,         ///< requests that finished successfully over the whole run
  kFailed,            ///< requests that failed over the whole run
  kAvailability,      ///< share of the windows after warmup whose success ratio meets the recovery threshold
  kRto,               ///< the worst fault's measured RTO (check/recovery.h)
  kRpo,               ///< the worst measured RPO
  kWritesLost,        ///< acknowledged writes lost, all faults together
  kFlaps,             ///< the most direction reversals of one autoscaled service (check/autoscaling.h)
  kTimeToScale,       ///< the slowest scale-up episode of any autoscaled service
  kSaturation,        ///< 1 when no autoscaled service was at max while the SLO was breached, else 0
  kInstanceHours,     ///< instance-hours of the autoscaled services (of every component without autoscaling)
  kReplicationLagMax, ///< the largest replication lag of any database
  kDeadLetters,       ///< jobs dead-lettered, all queues together
  kQueueDepthMax,     ///< the largest depth any one queue reached
  kCostPerMonth,      ///< the run's cost scaled to a month with the topology's pricing file (model/cost.h)
  kHealthyAtEnd,      ///< 1 when every started instance is up, ready and taken in by its balancers at the end, else 0
  kUnexplainedRestarts,  ///< restarts no scenario fault caused, all components together (engine/supervisor.h)
};

/// Which statistic of a latency distribution (Measure::kLatency).
enum class LatencyStat { kMean, kP50, kP90, kP95, kP99, kP999, kMax, kQuantile };

/// One metric. Every field has a default, so a row names only what it needs.
struct MetricInfo {
  std::string_view name = {};     ///< "latency_p99": the key in `expect:` and in the tables
  Unit unit = Unit::kNumber;
  Expectation::Op default_op = Expectation::Op::kLe;  ///< its direction: kLe lower is better, kGe higher is better
  Measure measure = Measure::kLatency;
  LatencyStat latency = LatencyStat::kMean;           ///< for Measure::kLatency
  double quantile = 0;            ///< for LatencyStat::kQuantile: q in (0, 1)
  bool per_class = false;         ///< may be restricted to one request class (`class:`)
  bool expectation = true;        ///< may be named in `expect:`
  int headline = 0;               ///< its column among the headline metrics (compare, Monte Carlo, sweep); 0: none
  std::string_view title = {};    ///< for tables ("latency p99"); "" = the name
  std::string_view pointer = {};  ///< where report.json holds a run's value; "" = in its expectation row only
  std::string_view meaning = {};  ///< how it is measured, for people
};

/// Every metric, expectation metrics first in the order of the README's table.
/// Any other percentile is a metric too (find_metric): latency_p97.5, latency_p99.99, ...
const std::vector<MetricInfo>& metric_table();
/// The row of `name`, or null. A percentile that has no row of its own ("latency_pN",
/// 0 < N < 100, N a plain decimal number: latency_p75, latency_p99.99) gets one, made on
/// first use and kept for the life of the process (the pointer stays valid).
const MetricInfo* find_metric(std::string_view name);
/// True for a name of the form latency_p<something>, valid or not (for a precise error).
bool looks_like_percentile(std::string_view name);
/// What expectations accept as a percentile, for messages.
constexpr std::string_view kPercentileForm = "latency_pN with 0 < N < 100, like latency_p95 or latency_p99.9";
/// The names `expect:` accepts, in table order.
std::vector<std::string> expectation_names();
/// The headline metrics, in column order (throughput, error rate, latency mean ... requests failed).
std::vector<const MetricInfo*> headline_metrics();
/// Its table title: `title`, or the name.
std::string_view title_of(const MetricInfo& m);
/// True when smaller values are better (default comparison <= or <).
bool lower_is_better(const MetricInfo& m);

/// "<=", ">=", ...
const char* op_symbol(Expectation::Op op);

/// The unit's name in JSON files: duration, ratio, rate, count, number, bool.
const char* unit_name(Unit unit);
/// The unit of that name; nullopt when unknown (a file from another version).
std::optional<Unit> unit_from_name(std::string_view name);

/// A value in its unit for people, the one format of every report and message:
/// "512ms", "1.2%", "450/s", a count as a whole number ("3"; a fractional
/// mean below 100 as "3.25"), a number with 4 significant digits, "true" or
/// "false"; "n/a" for infinity or NaN.
std::string format_value(Unit unit, double value);
/// The same for a unit named in a file (compare.json, montecarlo.json): an unknown name formats as a number.
std::string format_value(std::string_view unit_name, double value);

}  // namespace sim::scenario
