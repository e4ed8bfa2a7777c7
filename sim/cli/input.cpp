#include "sim/cli/input.h"

#include "sim/core/yaml_reader.h"
#include "sim/topology/loader.h"

namespace sim::cli {

InputFile load_input(const std::string& path, core::Diagnostics& diags) {
  InputFile out;
  auto text = core::read_text_file(path, diags);
  if (!text) return out;
  // A light first parse to see the top-level keys; the real loader re-parses.
  core::Diagnostics probe;
  auto root = core::parse_yaml(path, *text, probe, "a topology or scenario mapping");
  if (!root) {
    diags.merge(probe);
    return out;
  }
  if (!root->IsMap()) {
    diags.add_source(path, *text);
    core::Reader(path, diags).error(*root, "expected a topology (with components:) or a scenario (with topology: "
                                           "and load:), got " + core::describe(*root));
    return out;
  }
  if ((*root)["components"] || (*root)["requests"]) {
    out.topology = topology::parse_topology(path, *text, diags);
    if (out.topology) out.kind = InputKind::kTopology;
    return out;
  }
  if ((*root)["topology"] || (*root)["load"]) {
    out.scenario = scenario::parse_scenario(path, *text, diags);
    if (out.scenario) out.kind = InputKind::kScenario;
    return out;
  }
  diags.add_source(path, *text);
  core::Reader(path, diags).error(*root, "cannot tell what this file is; expected a topology (with components: and "
                                         "requests:) or a scenario (with topology: and load:)");
  return out;
}

}  // namespace sim::cli
