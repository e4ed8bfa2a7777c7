#pragma once
// Alerting rules over a simulated run, evaluated by the real Prometheus: each
// rule's expression is a `query_range` over the run's TSDB at the metric
// window's step; `for:` is then applied as Prometheus's rule manager does
// (rules/alerting.go: a label set becomes pending at the first step it is in
// the result, firing once it has been for `for:`, resolved at the first step it
// is not). The firings are set against the run's faults: time to detect,
// missed incidents, alerts with no fault. Needs Debian's prometheus package.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/model/run_result.h"
#include "sim/prometheus/server.h"
#include "sim/scenario/scenario.h"

namespace sim::prometheus {

/// One alert instance (a label set of the result) from pending to resolved; times relative to the run's start.
struct Firing {
  std::string labels;                 ///< the result's labels, as {a="b"}
  double active_at = 0;               ///< first step in the result (pending)
  std::optional<double> fired_at;     ///< when `for:` had held (nullopt: never fired)
  std::optional<double> resolved_at;  ///< first step it was gone (nullopt: still active at the end)
};

struct AlertOutcome {
  scenario::AlertRule rule;
  std::vector<Firing> firings;  ///< in time order
};

/// A fault's window in the run (from the timeline's fault / recover events).
struct Incident {
  std::string fault;
  double start = 0, end = 0;  ///< end = the run's end when it never recovered
};

/// Evaluates every rule of `s` over the run in `server` (its samples start at
/// `start_unix`). nullopt with *error when Prometheus rejects a query.
std::optional<std::vector<AlertOutcome>> evaluate_alerts(const Server& server, const scenario::Scenario& s,
                                                         const model::RunResult& r, double start_unix,
                                                         std::string* error);

/// Applies `for:` to a range query's result: steps at which each series had a value.
std::vector<Firing> apply_for(const std::vector<Server::Series>& result, double hold, double start_unix,
                              double first_step, double last_step, double step);

/// The faults of a run, from its timeline.
std::vector<Incident> incidents(const model::RunResult& r);

/// One judged `expect: {alert: ...}`.
struct AlertVerdict {
  std::string text;  ///< "expected alert X fires within 2m of each fault, actual 1m10s: PASS"
  bool pass = false;
};

/// alerts.json: per rule its firings, per fault the time to detect (or missed), and false alarms;
/// plus the verdicts. `grace` is how long after a fault's end a firing still counts as detecting it.
nlohmann::json alerts_json(const std::vector<AlertOutcome>& outcomes, const std::vector<Incident>& incidents,
                           const std::vector<AlertVerdict>& verdicts);

/// Judges the scenario's alert expectations.
std::vector<AlertVerdict> judge_alerts(const scenario::Scenario& s, const std::vector<AlertOutcome>& outcomes,
                                       const std::vector<Incident>& incidents);

/// The console lines: each rule's firings with the fault they follow.
std::string alerts_console(const std::vector<AlertOutcome>& outcomes, const std::vector<Incident>& incidents);

}  // namespace sim::prometheus

namespace sim::prometheus {

/// The whole step for `infrasim run`: writes `dir`/metrics.om (OpenMetrics
/// from `start_unix`), builds a TSDB and starts Prometheus in a temporary
/// directory, evaluates and judges the scenario's alerts, writes
/// `dir`/alerts.json, stops Prometheus. Returns the console text; *pass is false
/// when an alert expectation failed or the alerts could not be evaluated
/// (Prometheus missing: said so on the console).
std::string run_alerts(const scenario::Scenario& s, const model::RunResult& r, const std::string& dir,
                       double start_unix, bool* pass);

}  // namespace sim::prometheus
