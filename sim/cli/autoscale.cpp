// infrasim autoscale STATE.yaml: one Kubernetes HPA decision from a written-down
// state (scenario/autoscale_state.h), explained step by step (model/hpa.h).
#include <cstdio>
#include <fmt/format.h>

#include "sim/cli/cli.h"
#include "sim/core/exit_status.h"
#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/model/hpa.h"
#include "sim/scenario/autoscale_state.h"

namespace sim::cli {

std::function<int()> add_autoscale(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::string file;
  };
  auto opts = std::make_shared<Opts>();
  app.add_option("state", opts->file,
                 "the state file: hpa, now, replicas, pods, recent recommendations and scale "
                 "events (docs/autoscaling.md)")
      ->required();
  app.footer(
      "Prints the decision of one HPA sync: one line per metric proposal, the stabilization\n"
      "window, the policy/min/max limit applied and the desired replica count.\n"
      "Exit status: 0 when a decision was computed, 2 on malformed input.");
  return [opts, &global]() {
    (void)global;
    core::Diagnostics diags;
    auto state = scenario::load_autoscale_state(opts->file, diags);
    if (!state) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    if (!diags.all().empty()) std::fputs(diags.format().c_str(), stderr);  // warnings

    model::HpaDecision d = model::evaluate_autoscale_state(*state);
    fmt::print("{}: {}\n", opts->file, d.reason);
    std::string text = model::format_hpa_decision(state->hpa, d);
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      fmt::print("  {}\n", text.substr(start, end - start));
      start = end + 1;
    }
    // What the controller remembers for its next sync.
    std::vector<std::string> kept;
    if (!state->has_recommendations)
      kept.push_back(fmt::format("first sync: recommendation {} at {}", d.current, core::format_duration(d.now)));
    if (d.path == model::HpaDecision::Path::kNormal) {
      kept.push_back(fmt::format("recommendation {} at {}", d.metric_replicas, core::format_duration(d.now)));
    }
    if (d.rescale() && state->hpa.behavior_given) {
      kept.push_back(fmt::format("scale event {:+} at {}", d.desired - d.current, core::format_duration(d.now)));
    }
    if (!kept.empty()) fmt::print("  remembered: {}\n", core::join(kept, "; "));
    return static_cast<int>(core::kOk);
  };
}

}  // namespace sim::cli
