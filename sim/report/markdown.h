#pragma once
// report.md: a one-page human summary of a run, rendered from its report (the
// values report.json and report.html show).

#include <string>

#include "sim/report/run_report.h"
#include "sim/scenario/scenario.h"

namespace sim::report {

/// `s` gives the recovery rule (threshold, stabilization) the RTO column was measured with.
std::string run_markdown(const RunReport& report, const scenario::Scenario& s);
/// The "Cost per month" section: the total and every line with its quantity and unit price.
std::string cost_markdown(const model::CostEstimate& cost);

/// The "## Alerts" section: per rule and fault the time to detect (or missed), false alarms, each firing.
std::string alerts_markdown(const AlertsSection& alerts);

}  // namespace sim::report
