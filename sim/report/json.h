#pragma once
// RunResult -> report.json: everything, in a stable key order with fixed
// float precision, so the same scenario and seed give the same bytes.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/check/expectations.h"
#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::report {

using Json = nlohmann::ordered_json;

/// Time series in a report keep at most this many points (windows are merged beyond).
constexpr std::size_t kMaxSeriesPoints = 1500;

/// Rounds to 6 decimals (1 µs for seconds): the report's fixed precision.
double fixed(double x);

Json run_json(const scenario::Scenario& s, const topology::Topology& t, const model::RunResult& r,
              const std::vector<check::Verdict>& verdicts);

/// Serialises with 1-space indentation and a final newline.
std::string dump(const Json& j);

}  // namespace sim::report
