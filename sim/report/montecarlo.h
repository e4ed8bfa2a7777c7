#pragma once
// Monte Carlo (infrasim run --runs K): K runs of one scenario with derived
// seeds, summarised as mean and Student-t confidence interval per metric, and
// expectations judged on the interval (Expectation::bound):
//
//   bound: value (default)  every run must meet the target on its own (k of K)
//   bound: mean             the mean over the runs meets it
//   bound: upper            the interval's upper bound meets it (conservative for "<=")
//   bound: lower            the interval's lower bound meets it (conservative for ">=")
//
// Pure: reads the runs' report.json contents, never simulates.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/json.h"
#include "sim/report/run_report.h"
#include "sim/scenario/scenario.h"

namespace sim::report {

/// Quantile of Student's t distribution with `df` degrees of freedom. REQUIRES: 0 < p < 1, df > 0.
double student_t_quantile(double p, double df);

struct Interval {
  std::size_t n = 0;
  double mean = 0, stddev = 0;   ///< sample standard deviation (n - 1)
  double half_width = 0;         ///< t_{(1+level)/2, n-1} · s / sqrt(n); 0 when n < 2
  double lower = 0, upper = 0;   ///< mean ∓ half_width
  double min = 0, max = 0;
};

/// Mean and `level` confidence interval of `xs`. REQUIRES: xs not empty.
Interval confidence_interval(const std::vector<double>& xs, double level = 0.95);

/// One run of the series, as the children left it.
struct McRun {
  std::uint64_t seed = 0;
  std::string dir;     ///< where its report went
  int exit_code = 0;   ///< the child's exit status
  std::optional<RunReport> report;  ///< its report.json; none if it wrote none
};

/// montecarlo.json: scenario, runs, metrics (headline, each with n / mean /
/// stddev / ci_low / ci_high / min / max), expectations judged by their bound
/// (same fields as report.json's, plus bound, runs_passed, mean, ci_low,
/// ci_high), passed, summary.conservation. `s` is the scenario as loaded
/// (its expectations, in the order of the reports' expectations).
Json montecarlo_json(const scenario::Scenario& s, const std::vector<McRun>& runs, double level = 0.95);

std::string montecarlo_markdown(const Json& mc);
/// The page; embeds each run's time series (slimmed) for the overlaid charts.
std::string montecarlo_html(const Json& mc, const std::vector<McRun>& runs, const std::string& diagram);
/// A compact table for the console.
std::string montecarlo_console(const Json& mc);

}  // namespace sim::report
