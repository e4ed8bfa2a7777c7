#pragma once
// CI outputs from report JSON: JUnit XML (Jenkins, GitLab, GitHub show each
// check as a test case) and a Markdown summary for a CI job page
// ($GITHUB_STEP_SUMMARY). Pure functions of their input.
//
// The XML is valid against the strict Jenkins/Ant JUnit schema
// (tests/report/jenkins-junit.xsd, checked with xmllint in the tests): no
// attributes the schema lacks (a check's file and line go into its failure
// text), `time` on every suite and case, and stable test names — the check's
// id ("latency_p99", "rto:api_write", "resilience.zone"), never its target,
// which goes into the message, so a CI's history follows a check when its
// threshold changes. A check that fails as the scenario declares
// (expected_failure) is <skipped> with the reason; one declared to fail that
// passed is a <failure>.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/report/json.h"
#include "sim/report/run_report.h"

namespace sim::report {

/// One scenario's outcome, from its report.json or its montecarlo.json (which
/// has the same scenario / expectations / passed / conservation), or why there is none.
struct SuiteInput {
  std::string name;   ///< the scenario's name (from its report when there is one)
  std::string file;   ///< the scenario file
  bool has_report = false;
  ScenarioInfo scenario;
  std::optional<std::size_t> runs;          ///< Monte Carlo: how many runs
  std::vector<ExpectationRow> expectations;
  std::vector<ResilienceRow> resilience;
  bool passed = false;
  std::string outcome = "fail";             ///< RunReport::outcome
  std::string outcome_detail;
  std::optional<ExpectedFailureRow> expected_failure;
  std::optional<Provenance> provenance;
  Conservation conservation;
  double wall_seconds = 0;  ///< how long the run took (JUnit `time`)
  std::string error;  ///< why there is no report ("exit status 3", "killed by signal 9"); "" otherwise
  /// Exit 0 for this scenario: it passed, or failed exactly as declared.
  bool ok() const { return has_report && (outcome == "pass" || outcome == "expected failure"); }
};

/// A run's outcome from its report; `wall_seconds` is how long it took.
SuiteInput suite_of(const std::string& file, const RunReport& report, double wall_seconds = 0);
/// A Monte Carlo series' outcome from montecarlo.json's content.
SuiteInput suite_of_montecarlo(const std::string& file, const Json& montecarlo, double wall_seconds = 0);
/// A scenario that produced no report, and why.
SuiteInput suite_without_report(const std::string& name, const std::string& file, const std::string& error,
                                double wall_seconds = 0);

/// Escapes & < > " ' and drops the control characters XML 1.0 forbids.
std::string xml_escape(std::string_view text);

/// <testsuites> with one <testsuite> per input (properties: the scenario and the
/// report's provenance): one <testcase> per expectation, per resilience target and
/// for request conservation; an input without a report is one <testcase name="run">
/// with an <error>.
std::string junit_xml(const std::vector<SuiteInput>& suites);

/// A Markdown summary: one row per scenario with its outcome, then the failed checks with their reasons.
std::string ci_summary_markdown(const std::vector<SuiteInput>& suites);

}  // namespace sim::report
