#pragma once
// Alerting rules over a simulated run, evaluated by the real Prometheus: the
// run's OpenMetrics text becomes a TSDB (server.h), and each rule's expression
// is a `query_range` over it at the metric window's step — an evaluation at
// every window's end, as a rule manager with evaluation_interval = the window
// would make. `for:` is then applied as Prometheus's rule manager does
// (rules/alerting.go): a label set becomes pending at the first evaluation it
// is in the result, fires once it has been there for `for:`, and resolves at
// the first evaluation it is not; a pending alert that disappears is dropped.
// What the firings mean against the run's faults is sim/check/alerts.h.
// Needs Debian's prometheus package (promtool and prometheus).

#include <string>
#include <vector>

#include "sim/check/alerts.h"
#include "sim/model/run_result.h"
#include "sim/prometheus/server.h"
#include "sim/scenario/scenario.h"

namespace sim::prometheus {

/// Evaluates every alerting rule of `s` (its `alerts:` file) over `r`, the
/// samples stamped from `start_unix`: in a private temporary directory, checks
/// the file with `promtool check rules`, builds the TSDB, starts prometheus on
/// 127.0.0.1, queries, stops it by PID and removes the directory. Never throws:
/// a missing tool, a rules file promtool rejects or a failed query is
/// AlertEvaluation::error (and no rule results).
check::AlertEvaluation evaluate_alerts(const scenario::Scenario& s, const model::RunResult& r, double start_unix);

/// Applies `for:` (`hold` seconds) to a range query's result, evaluated every
/// `step` seconds up to `last_step` (seconds since the epoch): each series'
/// points are the evaluations where its label set was in the result. Times in
/// the firings are relative to `start_unix`. Sorted by fired_at, then labels.
std::vector<check::AlertFiring> apply_for(const std::vector<Server::Series>& result, double hold, double start_unix,
                                          double last_step, double step);

}  // namespace sim::prometheus
