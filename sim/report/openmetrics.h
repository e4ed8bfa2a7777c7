#pragma once
// The run's time series as OpenMetrics text (openmetrics.io), one sample per
// metric window stamped at the window's end, from a chosen start date, so a
// simulated run can be loaded into Prometheus (`promtool tsdb
// create-blocks-from openmetrics`) and looked at with the dashboards and
// alert rules users already have. Metric names (all prefixed infrasim_):
//
//   requests_total{scenario}                     counter  requests generated
//   requests_completed_total{scenario}           counter  completed
//   requests_failed_total{scenario,reason}       counter  failed, one series per failure reason
//   class_requests_total{scenario,class}         counter  per request class: generated,
//   class_requests_completed_total{...}          counter    completed
//   class_requests_failed_total{...}             counter    and failed
//   request_latency_seconds{scenario,quantile}   gauge    latency of the window's completions (0.5 0.9 0.99 0.999 1)
//   request_duration_seconds{scenario,le}        histogram  completions' latency, cumulative, in Prometheus's
//                                                           default buckets (5ms .. 10s, +Inf), with _count, _sum
//   request_latency_mean_seconds{scenario}       gauge
//   component_utilization{scenario,component,kind}    gauge  CPU busy fraction of the instances up
//   component_queue_length{...}                  gauge    requests waiting (time average, all instances)
//   component_in_service{...}                    gauge    requests in service (time average)
//   component_queue_wait_seconds{...}            gauge    mean wait of the jobs that left the queue
//   component_queue_full_total{...}              counter  requests turned away by a full queue (queue_limit)
//   component_replicas{...,state=ready|desired}  gauge    instances
//   cache_hit_ratio{...}                         gauge    caches
//   database_replication_lag_seconds{...}        gauge    databases: the window's largest lag
//   queue_depth{...}                             gauge    message queues
//
// Not exported yet, because a run does not record them per window: latency
// histogram buckets per class, per-instance series, failures by reason per
// component, connection-pool usage, database query time.
//
// Deterministic: the same RunResult and start give the same bytes.

#include <optional>
#include <string>

#include "sim/model/run_result.h"

namespace sim::report {

/// The OpenMetrics exposition of `r`, samples stamped at `start_unix` + the
/// window's end (seconds since the epoch). Ends with "# EOF".
std::string openmetrics_text(const model::RunResult& r, double start_unix);

/// "2024-01-01T00:00:00Z", "2024-01-01" or a number of seconds since the epoch
/// -> seconds since the epoch; nullopt when malformed.
std::optional<double> parse_start_time(const std::string& text);

/// The default --start: 2024-01-01T00:00:00Z (fixed, so exports diff).
constexpr double kDefaultStart = 1704067200;

}  // namespace sim::report
