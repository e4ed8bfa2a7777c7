#pragma once
// YAML -> Scenario (+ the Topology it names). The format is documented in
// README.md ("Scenario files"); scenarios/*.yaml are the worked examples.

#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::scenario {

/// A value set from the command line or a sweep: "components.app.replicas=5"
/// applies to the topology, "scenario.duration=10m" (or "duration=10m") to the scenario.
struct Override {
  std::string path;   ///< dotted path; list items by index: "faults.0.at"
  std::string value;  ///< YAML scalar text
  bool topology = true;
};

/// Parses "components.app.replicas=5" / "scenario.seed=3"; nullopt + *error when malformed.
std::optional<Override> parse_override(const std::string& text, std::string* error);

struct Loaded {
  Scenario scenario;
  topology::Topology topology;
};

/// Parses scenario text; `topology_override` (if not empty) replaces the topology
/// file the scenario names (for `compare --topology`). Paths inside are resolved
/// against `file`'s folder. Every problem goes to `diags`; nullopt if any error.
std::optional<Loaded> parse_scenario(const std::string& file, const std::string& text, core::Diagnostics& diags,
                                     const std::string& topology_override = "",
                                     const std::vector<Override>& overrides = {});

/// Reads a scenario file from disk and the topology it names.
std::optional<Loaded> load_scenario(const std::string& path, core::Diagnostics& diags,
                                    const std::string& topology_override = "",
                                    const std::vector<Override>& overrides = {});

/// Parses a fault/expectation target such as "app", "app[1]", "db.primary".
std::optional<Target> parse_target_text(const std::string& text);

}  // namespace sim::scenario
