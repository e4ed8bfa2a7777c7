#pragma once
// What several commands parse the same way, parsed once: --set values.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cli/cli.h"
#include "sim/scenario/loader.h"

namespace sim::cli {

/// Parses --set values ("components.app.replicas=5", "scenario.duration=10m"). On a
/// malformed one prints "infrasim <command>: invalid --set ..." on stderr and returns nullopt.
std::optional<std::vector<scenario::Override>> parse_sets(const std::vector<std::string>& sets,
                                                          std::string_view command);

/// The command line for a report's provenance: argv as given ("infrasim" for argv[0]), without the
/// options that never change a result: --out, -j/--jobs, -q/--quiet, --junit, --summary,
/// --log-level, --resume, --stats, --max-wall, --cpu-model, --wake (each as "--opt value" or
/// "--opt=value"). Arguments with spaces or shell characters are single-quoted.
/// `others` are arguments to leave out (the other scenarios of a multi-scenario `run`), so each
/// report's command makes that report alone.
std::string provenance_command(const std::vector<std::string>& argv, const std::vector<std::string>& others = {});

}  // namespace sim::cli
