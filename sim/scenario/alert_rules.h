#pragma once
// Prometheus rules files (prometheus.io/docs/prometheus/latest/configuration/alerting_rules/):
//
//   groups:
//     - name: api
//       rules:
//         - alert: HighErrorRate
//           expr: sum(rate(infrasim_requests_failed_total[5m])) / sum(rate(infrasim_requests_total[5m])) > 0.01
//           for: 5m
//           labels: {severity: page}
//
// The structure is read here with located errors; the PromQL is not parsed
// here: `promtool check rules` and Prometheus judge it (sim/prometheus/).

#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario.h"

namespace sim::scenario {

/// The alerting rules of rules-file text named `file`; recording rules
/// (`record:`) are skipped. Located errors; nullopt after any.
std::optional<std::vector<AlertRule>> parse_alert_rules(const std::string& file, const std::string& text,
                                                        core::Diagnostics& diags);

/// Prometheus durations: "1m", "5m", "1h30m", "90s", "500ms", "1d", "1w", "1y".
std::optional<double> parse_prometheus_duration(const std::string& text);

}  // namespace sim::scenario
