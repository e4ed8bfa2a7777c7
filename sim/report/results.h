#pragma once
// The results table of many runs (infrasim sweep, infrasim merge): one row per
// run with its parameter values, seed, headline metrics and verdicts, and per
// sweep point the mean / 95% interval / min / max over its seeds. Built from a
// sweep plan (sweep.json, written before the runs) and the runs' report.json
// files, so a sweep run here and the same job list run on a cluster then merged
// give the same table. Pure.

#include <string>
#include <vector>

#include "sim/report/json.h"
#include "sim/report/run_report.h"

namespace sim::report {

/// `plan` is sweep.json: {sweep, parameters, points[{name, values}], runs[{index,
/// point, seed, dir}]}; `reports[i]` is run i's report (none when missing).
/// Returns results.json: {sweep, parameters, metrics, expectations, runs, points}.
Json results_json(const Json& plan, const std::vector<std::optional<RunReport>>& reports);

/// results.csv: run, point, one column per parameter, seed, status, passed, the
/// headline metrics (SI units: seconds, fractions, per second), then one verdict
/// column per expectation. RFC 4180 quoting.
std::string results_csv(const Json& results);

/// summary.md: one row per point (means over its seeds) and the runs that are missing.
std::string results_markdown(const Json& results);

/// summary.html: the same table and, per headline metric, a chart over the points.
std::string results_html(const Json& results);

/// A one-screen table of the points for the console.
std::string results_console(const Json& results);

}  // namespace sim::report
