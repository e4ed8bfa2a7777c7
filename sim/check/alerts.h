#pragma once
// Alerting rules set against a run's faults. Prometheus evaluates the rules
// (sim/prometheus/alerts.h: query_range over the run's TSDB, `for:` applied per
// label set); what it found arrives here as an AlertEvaluation, and this file
// says what it means — pure, like the rest of sim/check:
//
//   incidents     the faults of the run, from its timeline (start, end)
//   detections    per rule and fault: the first firing within the fault (or up
//                 to kDetectGrace after it ended): time to detect, or missed;
//                 firings that detect no fault are false alarms
//   judge_alerts  one Verdict per `expect: {alert: ...}`, rendered with the
//                 other expectations by every writer

#include <optional>
#include <string>
#include <vector>

#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"

namespace sim::check {

struct Verdict;

/// One alert instance (a label set of the rule's result) from pending to resolved, in seconds from the run's start.
struct AlertFiring {
  std::string labels;                 ///< the result's labels, as {a="b"} ("{}" for none)
  double pending_at = 0;              ///< the first evaluation with the label set in the result
  double fired_at = 0;                ///< when `for:` had held
  std::optional<double> resolved_at;  ///< the first evaluation without it; nullopt: still firing at the end
};

/// What Prometheus made of one alerting rule over the run.
struct RuleEvaluation {
  scenario::AlertRule rule;
  std::vector<AlertFiring> firings;  ///< by fired_at, then labels
};

/// The evaluation of a scenario's rules file over one run.
struct AlertEvaluation {
  std::string rules_file;
  double step = 0;                   ///< the evaluation interval: the metric window
  std::string error;                 ///< "" evaluated; else why not (prometheus missing, promtool's message, ...)
  std::vector<RuleEvaluation> rules; ///< in the file's order
};

/// A fault's span in the run.
struct Incident {
  std::string fault;
  double start = 0, end = 0;  ///< end = the run's end when it never recovered
};

/// A firing still counts as detecting a fault this long after the fault ended.
constexpr double kDetectGrace = 300;

/// The faults of a run, in time order: each starts at a "fault" event of the timeline and ends at the
/// matching "recover" event, else after the scenario fault's `for:`, else at the run's end.
std::vector<Incident> incidents(const scenario::Scenario& s, const model::RunResult& r);

/// The incident a firing at `fired_at` detects: the first whose span, extended by `grace`, holds it; or null.
const Incident* detected_incident(double fired_at, const std::vector<Incident>& incidents, double grace);

/// One verdict per alert expectation of `s`, in the scenario's order. An evaluation that failed (or none,
/// `eval` null) fails every one of them with "not measured (why)".
std::vector<Verdict> judge_alerts(const scenario::Scenario& s, const AlertEvaluation* eval,
                                  const std::vector<Incident>& incidents);

}  // namespace sim::check
