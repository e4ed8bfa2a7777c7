#pragma once
// CI outputs from report JSON: JUnit XML (Jenkins, GitLab, GitHub show each
// expectation as a test case) and a Markdown summary for a CI job page
// ($GITHUB_STEP_SUMMARY). Pure functions of their input; no timestamps or
// durations, so the files diff between runs.

#include <string>
#include <string_view>
#include <vector>

#include "sim/report/json.h"

namespace sim::report {

/// One scenario's outcome: its report.json (or montecarlo.json, which has the
/// same scenario / expectations / summary.conservation fields), or why there is none.
struct SuiteInput {
  std::string name;   ///< the scenario's name (used when `report` is null)
  std::string file;   ///< the scenario file
  Json report;        ///< null when the run wrote no report
  std::string error;  ///< why there is no report ("exit status 3", "killed by signal 9"); "" otherwise
};

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
