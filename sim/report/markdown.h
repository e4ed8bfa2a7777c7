#pragma once
// RunResult -> report.md: a one-page human summary of a run.

#include <string>
#include <vector>

#include "sim/check/expectations.h"
#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::report {

std::string run_markdown(const scenario::Scenario& s, const topology::Topology& t, const model::RunResult& r,
                         const std::vector<check::Verdict>& verdicts);

}  // namespace sim::report
