#pragma once
// Judging a scenario's expectations against a run. Pure: (Scenario, RunResult) -> verdicts.

#include <optional>
#include <string>
#include <vector>

#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"

namespace sim::check {

struct Verdict {
  scenario::Expectation expectation;
  std::optional<double> actual;  ///< nullopt: the run cannot measure it (said in `note`)
  bool pass = false;
  std::string expected_text;     ///< "<= 500ms"
  std::string actual_text;       ///< "512ms"
  std::string note;              ///< why it could not be measured, or how it was
  /// "expected latency_p99 <= 500ms, actual 512ms: FAIL"
  std::string line() const;
};

/// The measured value of a metric (nullopt with *note when not measurable in this run).
std::optional<double> measure(const scenario::Scenario& s, const model::RunResult& r, const scenario::Expectation& e,
                              std::string* note);

/// Compares an actual value with an expectation (op and value).
bool compare(const scenario::Expectation& e, double actual);

std::vector<Verdict> judge(const scenario::Scenario& s, const model::RunResult& r);

/// Share of windows after warmup whose success ratio is at least `threshold`.
double availability(const model::RunResult& r, double threshold);

}  // namespace sim::check
