#pragma once
// Reading a load balancer's `rate_limit:` (topology.h RateLimit; docs/clients.md):
// one mapping or a list of them, each nginx limit_req (rate, burst, nodelay,
// delay) or a sliding window (requests per window), keyed by nothing, client or
// class, optionally for some request classes only.

#include <string>
#include <vector>

#include "sim/topology/topology.h"

namespace YAML {
class Node;
}

namespace sim::core {
class Reader;
}

namespace sim::topology {

/// Appends every limit of `n` (a mapping or a sequence of mappings) to *out; errors to the reader.
void read_rate_limits(const core::Reader& r, const YAML::Node& n, std::vector<RateLimit>* out);

/// One limit as the topology writes it, read back by read_rate_limits(): "{rate: 10/s, burst: 20,
/// nodelay: true, key: client}" (keys at their defaults left out but nodelay, whose default differs
/// from nginx's).
std::string rate_limit_text(const RateLimit& lim);

/// Cross-checks once the classes are known: `classes:` names known request classes.
void check_rate_limits(const core::Reader& r, const Topology& t);

}  // namespace sim::topology
