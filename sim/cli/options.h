#pragma once
// What several commands parse the same way, parsed once: --set values.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/loader.h"

namespace sim::cli {

/// Parses --set values ("components.app.replicas=5", "scenario.duration=10m"). On a
/// malformed one prints "infrasim <command>: invalid --set ..." on stderr and returns nullopt.
std::optional<std::vector<scenario::Override>> parse_sets(const std::vector<std::string>& sets,
                                                          std::string_view command);

}  // namespace sim::cli
