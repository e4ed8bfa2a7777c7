#include "sim/cli/input.h"

#include <fmt/format.h>

#include "sim/capacity/plan.h"
#include "sim/core/yaml_reader.h"
#include "sim/model/arrivals.h"
#include "sim/topology/loader.h"
#include "sim/topology/pricing.h"

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
  if ((*root)["horizons"] || (*root)["growth"] || (*root)["tiers"]) {
    // A capacity plan (it may also name request rates, so check it before topologies).
    auto plan = capacity::load_plan(path, diags);
    if (plan) {
      out.kind = InputKind::kOther;
      out.summary = fmt::format("capacity plan '{}': {} horizons, {} tiers, sized on scenario {}", plan->plan.name,
                                plan->plan.horizons.size(), plan->plan.tiers.size(),
                                plan->scenario ? plan->scenario->scenario.name : std::string("(none)"));
    }
    return out;
  }
  if (!(*root)["components"] && ((*root)["instances"] || (*root)["transfer"] || ((*root)["source"] && (*root)["date"]))) {
    // A pricing file (docs/cost.md); topologies name it in cost: {pricing: ...}.
    auto pricing = topology::parse_pricing(path, *text, diags);
    if (pricing) {
      out.kind = InputKind::kOther;
      out.summary = fmt::format("pricing '{}': {} instance types, {} storage classes, {} request prices, in {} of {}",
                                pricing->name, pricing->instances.size(), pricing->storage.size(),
                                pricing->requests.size(), pricing->currency, pricing->date);
    }
    return out;
  }
  if ((*root)["components"] || (*root)["requests"]) {
    out.topology = topology::parse_topology(path, *text, diags);
    if (out.topology) out.kind = InputKind::kTopology;
    return out;
  }
  if ((*root)["topology"] || (*root)["load"]) {
    out.scenario = scenario::parse_scenario(path, *text, diags);
    if (!out.scenario) return out;
    // Building the arrivals reads the traces: a window past a trace's end is bad input here too.
    core::Diagnostics adiags;
    auto arrivals = model::make_arrivals(out.scenario->scenario.load, out.scenario->topology,
                                         out.scenario->scenario.duration, core::Rng(1), adiags);
    diags.merge(adiags);
    if (arrivals) out.kind = InputKind::kScenario;
    return out;
  }
  diags.add_source(path, *text);
  core::Reader(path, diags).error(*root, "cannot tell what this file is; expected a topology (with components: and "
                                         "requests:) or a scenario (with topology: and load:)");
  return out;
}

}  // namespace sim::cli
