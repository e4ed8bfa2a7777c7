#pragma once
// YAML -> Topology. The format is documented in README.md ("Topology files");
// topologies/*.yaml are the worked examples.

#include <optional>
#include <string>

#include "sim/core/diagnostics.h"
#include "sim/topology/topology.h"

namespace YAML {
class Node;
}

namespace sim::topology {

/// Parses topology text named `file` (the name is used in messages only).
/// Every problem found is appended to `diags`; returns nullopt if there was any error.
std::optional<Topology> parse_topology(const std::string& file, const std::string& text, core::Diagnostics& diags);

/// The same from a document core::parse_yaml already read (its source is in `diags`):
/// the scenario loader applies topology --set overrides to the tree first.
std::optional<Topology> parse_topology(const std::string& file, const YAML::Node& root, core::Diagnostics& diags);

}  // namespace sim::topology
