#pragma once
// Sweep files (infrasim sweep): one scenario run over a grid or a list of
// parameter values, times seeds. Each value is applied like `--set path=value`
// (scenario::Override), so any scalar of the topology or the scenario can vary.
//
//   # scenarios/sweeps/app-replicas.yaml
//   name: app-replicas                 # default: the file's stem
//   scenario: ../steady-state.yaml     # resolved against this file's folder
//   seeds: 3                           # N derived seeds (core::derive_run_seed), or a list [1, 2, 3]
//   set: {scenario.duration: 5m}       # applied to every run (optional)
//   grid:                              # every combination; the first parameter varies slowest
//     components.app.replicas: [2, 3, 4]
//     scenario.load.constant: [400/s, 800/s]
//   # or, instead of grid, an explicit list:
//   points:
//     - {name: small, components.app.replicas: 2}
//     - {name: big, components.app.replicas: 5, components.db.replicas: 3}
//
// Errors are located (file:line:col) like every other input; nothing runs then.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/loader.h"

namespace sim::scenario {

struct SweepPoint {
  std::string name;  ///< given in `points`, else "replicas=2, constant=400/s"
  /// (path, value) per parameter, in Sweep::parameters order; a point of a
  /// `points` list leaves out the parameters it does not set (value "").
  std::vector<std::pair<std::string, std::string>> values;
  SourcePos pos;     ///< where the point (or, in a grid, its first value) is written
};

struct Sweep {
  std::string name;
  std::string description;
  std::string file;
  std::string scenario_path;  ///< resolved against the sweep file's folder
  SourcePos scenario_pos;
  std::vector<std::string> parameters;  ///< override paths, in file order
  std::vector<SweepPoint> points;
  std::vector<std::uint64_t> seeds;     ///< explicit seeds; empty: seed_count derived ones
  int seed_count = 1;                   ///< with no explicit list: runs per point (default 1)
  std::vector<std::pair<std::string, std::string>> set;  ///< fixed overrides, in file order
  bool grid = true;

  /// The overrides of one point: `set` first, then the point's values.
  std::vector<Override> overrides(const SweepPoint& p) const;
  /// The seeds of every point: the explicit list, or seed_count seeds derived from `base`.
  std::vector<std::uint64_t> run_seeds(std::uint64_t base) const;
};

/// Parses sweep text named `file`; every problem goes to diags, nullopt if any error.
std::optional<Sweep> parse_sweep(const std::string& file, const std::string& text, core::Diagnostics& diags);
/// Reads and parses a sweep file.
std::optional<Sweep> load_sweep(const std::string& path, core::Diagnostics& diags);

}  // namespace sim::scenario
