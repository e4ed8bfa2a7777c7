#pragma once
// RunResult -> report.json: everything, in a stable key order with fixed
// float precision, so the same scenario and seed give the same bytes.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
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

/// j[key], or null when j is not an object or lacks the key: the readers of
/// reports (compare, merge, JUnit, results) take files from other versions and
/// must never throw on a missing field.
const Json& member(const Json& j, std::string_view key);

/// member(j, key) as text: a string as it is, any other value as JSON, "" for null.
std::string member_text(const Json& j, std::string_view key);

}  // namespace sim::report
