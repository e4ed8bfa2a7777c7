#pragma once
// Judging a run, once: check::assess derives from (Scenario, RunResult) the
// recovery summary, the scaling summaries and one verdict per expectation, and
// every single-run writer (report.json, report.md, report.html, JUnit, the
// summary on stdout) renders this Assessment instead of recomputing it. Pure.
//
// What each metric is and how it is measured comes from the registry
// (scenario/metrics.h); measure() implements each kind of measurement once.

#include <optional>
#include <string>
#include <vector>

#include "sim/check/alerts.h"
#include "sim/check/autoscaling.h"
#include "sim/check/recovery.h"
#include "sim/model/run_result.h"
#include "sim/scenario/metrics.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::check {

struct Verdict {
  scenario::Expectation expectation;
  std::optional<double> actual;  ///< nullopt: the run cannot measure it (said in `note`)
  bool pass = false;
  std::string expected_text;     ///< "<= 500ms" (+ " (class api)")
  std::string actual_text;       ///< "512ms", or "not measured (why)"
  std::string note;              ///< why it could not be measured, or how it was
  std::string reason;            ///< a failure's explanation from the run (failures, saturation, timeline); "" if none
  /// "expected latency_p99 <= 500ms, actual 512ms: FAIL"
  std::string line() const;
};

/// How a run ends against what its scenario declares (expected_failure).
enum class Outcome {
  kPass,             ///< every check passed, none was expected to fail
  kFail,             ///< a check failed, and the scenario declares no expected failure
  kExpectedFailure,  ///< exactly the checks the scenario declares failed
  kUnexpectedPass,   ///< the scenario declares an expected failure, but every check passed
  kOtherFailure,     ///< the scenario declares an expected failure, but other checks failed (or not all declared)
};
/// "pass", "fail", "expected failure", "unexpected pass", "failed otherwise": report.json's `outcome`.
const char* outcome_name(Outcome o);
/// The outcome of that name (a report written by this version); kFail for anything else.
Outcome outcome_from_name(const std::string& name);
/// True for the outcomes a CI job accepts (exit 0): kPass and kExpectedFailure.
bool outcome_ok(Outcome o);
/// The outcome of a run whose failed checks are `failing` (ids, any order), against `declared`.
Outcome outcome_of(const std::vector<std::string>& failing, const std::optional<scenario::ExpectedFailure>& declared);
/// What went differently from the declaration, for people: "rpo passed, resilience.data failed
/// (expected to fail: rto)"; "" for kPass, kFail and kExpectedFailure.
std::string outcome_detail(Outcome o, const std::vector<std::string>& failing,
                           const std::optional<scenario::ExpectedFailure>& declared);

/// Everything the checks conclude about one run.
struct Assessment {
  RecoverySummary recovery;             ///< RTO/RPO per fault; predictions and per-class verdicts when a topology was given
  std::vector<ScalingSummary> scaling;  ///< one per autoscaled service
  std::vector<Verdict> verdicts;        ///< one per expectation, in the scenario's order; alert expectations last
  std::optional<AlertEvaluation> alerts;  ///< the scenario's alerting rules as Prometheus evaluated them (alerts:)
  std::vector<Incident> incidents;      ///< the run's faults, which the alerts are set against
  Outcome outcome = Outcome::kPass;
  std::string outcome_detail;           ///< see outcome_detail()
  std::optional<double> cost_per_month; ///< when the topology names a pricing file (model/cost.h)
  /// Every verdict passes and every exercised resilience target is met (true when there are none).
  bool passed() const;
  /// The ids of the checks that failed: expectations (Expectation::id()) and breached
  /// resilience targets ("resilience.zone"), in that order.
  std::vector<std::string> failing() const;
};

/// Assesses a run. `t` (may be null) adds the RTO/RPO predictions and the per-class resilience verdicts;
/// `alerts` (may be null) is the evaluation of the scenario's alerting rules (sim/prometheus/alerts.h),
/// which the alert expectations are judged on (without it they fail as not measured).
Assessment assess(const scenario::Scenario& s, const model::RunResult& r, const topology::Topology* t = nullptr,
                  const AlertEvaluation* alerts = nullptr);

/// The value of `metric` in the assessed run, over the request class `request_class` ("" = all);
/// nullopt with *note when the run cannot measure it (nothing completed, never recovered, no autoscaling).
/// A note may also come with a value ("no fault in the scenario").
std::optional<double> measure(const scenario::Scenario& s, const model::RunResult& r, const Assessment& a,
                              const scenario::MetricInfo& metric, const std::string& request_class, std::string* note);

/// Compares an actual value with an expectation (its operator and value), with a relative tolerance of 1e-9.
bool compare(const scenario::Expectation& e, double actual);

/// failed / finished requests of class `c` (an index into r.classes) after warmup: the whole metric
/// windows from the warmup on; the whole run's counts when the run has no per-class windows.
double class_error_rate(const model::RunResult& r, std::size_t c);

/// Share of windows after warmup whose success ratio (of request class `request_class`, an index
/// into r.classes; -1 = all traffic) is at least `threshold`.
double availability(const model::RunResult& r, double threshold, int request_class = -1);

}  // namespace sim::check
