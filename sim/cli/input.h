#pragma once
// Which kind of file the user gave: a topology, a scenario, a capacity plan, ...
// Decided by the keys at the top level, so `validate` takes any of them.

#include <optional>
#include <string>

#include "sim/core/diagnostics.h"
#include "sim/scenario/loader.h"
#include "sim/topology/topology.h"

namespace sim::cli {

enum class InputKind { kUnknown, kTopology, kScenario, kOther };

struct InputFile {
  InputKind kind = InputKind::kUnknown;
  std::optional<topology::Topology> topology;
  std::optional<scenario::Loaded> scenario;
  std::string summary;  ///< for kOther
};

/// Loads `path` as whatever it is; errors go to diags (kind kUnknown when unrecognisable).
InputFile load_input(const std::string& path, core::Diagnostics& diags);

}  // namespace sim::cli
