#pragma once
// The metrics an expectation can name, their units and default comparison.
// One table, read by the scenario loader (to check names and units), by the
// checks (to judge) and by README generation of the reference.

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.h"

namespace sim::scenario {

enum class Unit { kDuration, kRatio, kRate, kCount, kNumber, kBool };

struct MetricInfo {
  std::string_view name;
  Unit unit;
  Expectation::Op default_op;
  bool per_class;             ///< may be restricted to one request class
  std::string_view meaning;
};

const std::vector<MetricInfo>& metric_table();
const MetricInfo* find_metric(std::string_view name);
/// "<=", ">=", ...
const char* op_symbol(Expectation::Op op);
/// A value in the metric's unit for messages ("500ms", "1%", "450/s", "3").
std::string format_metric_value(Unit unit, double value);

}  // namespace sim::scenario
