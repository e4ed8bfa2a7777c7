#pragma once
// Chaos Mesh's selector modes on crash faults, `crash: {target: app, mode:
// fixed-percent, value: 50}`, as Chaos Mesh chooses pods
// (pkg/selector/generic/mode.go, FilterObjectsByMode), over the target
// component's instances (its count at the start of the run):
//
//   one                  one instance, uniformly
//   all                  every instance
//   fixed N              min(N, count) instances
//   fixed-percent P      ceil(count × P / 100) instances
//   random-max-percent P a percentage q uniform in 0..P, then ceil(count × q / 100) instances (maybe none)
//
// The instances are drawn from the stream "select:<fault name>" of the run's
// seed (so --seed and Monte Carlo runs choose anew, and no other stream
// shifts), once, before the run; a fault with a mode becomes one crash per
// chosen instance, named "<name>: app[2]".

#include <cstdint>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/core/random.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::scenario {

/// The instances (sorted indexes below `count`) that `mode` with `value` chooses.
/// REQUIRES: mode is one of the five; value in its range (fixed >= 1, percentages 1..100).
std::vector<int> select_instances(const std::string& mode, int value, int count, core::Rng& rng);

/// Replaces every crash fault of `s` that has a selector mode by the crashes of the instances
/// chosen with seed s.seed. A draw that chooses no instance is a warning in `diags` at the fault.
void apply_selectors(Scenario* s, const topology::Topology& t, core::Diagnostics& diags);

}  // namespace sim::scenario
