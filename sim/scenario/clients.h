#pragma once
// Reading a scenario's `client_groups:` (scenario.h ClientGroup; docs/clients.md).

#include "sim/scenario/scenario.h"

namespace YAML {
class Node;
}
namespace sim::core {
class Reader;
}

namespace sim::scenario {

/// At most this many clients in all: every keyed rate limit keeps a state per client.
constexpr long long kMaxClients = 1000000;

/// Reads `client_groups:` — a list of groups, or one mapping (one group, 100 %) — into s->client_groups.
void read_client_groups(const core::Reader& r, const YAML::Node& n, Scenario* s);

}  // namespace sim::scenario
