#pragma once
// Reading a scenario's `operations:` (scenario.h Deploy, CronJob; docs/operations.md).

#include "sim/scenario/scenario.h"

namespace YAML {
class Node;
}
namespace sim::core {
class Reader;
}

namespace sim::scenario {

/// Reads `operations:` — a list of `{at: 10m, deploy: api}` and `{cron: {...}}` items — into s->operations.
/// `topo` (when it could be loaded) checks the targets.
void read_operations(const core::Reader& r, const YAML::Node& n, const topology::Topology* topo, Scenario* s);

}  // namespace sim::scenario
