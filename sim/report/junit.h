#pragma once
// CI outputs from report JSON: JUnit XML (Jenkins, GitLab, GitHub show each
// expectation as a test case) and a Markdown summary for a CI job page
// ($GITHUB_STEP_SUMMARY). Pure functions of their input; no timestamps or
// durations, so the files diff between runs.

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
  bool passed = false;
  Conservation conservation;
  std::string error;  ///< why there is no report ("exit status 3", "killed by signal 9"); "" otherwise
};

/// A run's outcome from its report.
SuiteInput suite_of(const std::string& file, const RunReport& report);
/// A Monte Carlo series' outcome from montecarlo.json's content.
SuiteInput suite_of_montecarlo(const std::string& file, const Json& montecarlo);
/// A scenario that produced no report, and why.
SuiteInput suite_without_report(const std::string& name, const std::string& file, const std::string& error);

/// Escapes & < > " ' and drops the control characters XML 1.0 forbids.
std::string xml_escape(std::string_view text);

/// <testsuites> with one <testsuite> per input: one <testcase> per expectation
/// (named "<metric> <expected>", e.g. "latency_p99 <= 500ms") with
/// <failure message="expected latency_p99 <= 500ms, actual 512ms"> when it failed,
/// plus one for request conservation; an input without a report is one <error>.
std::string junit_xml(const std::vector<SuiteInput>& suites);

/// A Markdown summary: one row per scenario, then the failed expectations.
std::string ci_summary_markdown(const std::vector<SuiteInput>& suites);

}  // namespace sim::report
