// libFuzzer target: the `infrasim autoscale` state reader (sim/scenario/autoscale_state.h),
// and, for a state that loads, the HPA sync it describes (sim/model/hpa.h).
//
//   input bytes --> parse_autoscale_state("fuzz/state.yaml", text) --> AutoscaleState | diagnostics
//                                                                  \--> evaluate_autoscale_state --> format
//
// Invariants (tests/fuzz/fuzz_util.h): a state without errors, or nullopt with
// at least one; every diagnostic located inside the text; formatting works.
// For a loaded state: the decision is a replica count within the HPA's
// [min, max] unless the controller leaves the scale alone (current 0), and it
// prints.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/model/hpa.h"
#include "sim/scenario/autoscale_state.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz/state.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  sim::core::Diagnostics diags;
  auto state = sim::scenario::parse_autoscale_state(file, text, diags);
  sim::fuzz::check_result(state, diags);
  sim::fuzz::check_diagnostics(diags, {{file, text}});
  if (!state) return 0;
  sim::model::HpaHistory after;
  sim::model::HpaDecision d = sim::model::evaluate_autoscale_state(*state, &after);
  std::string why = sim::model::format_hpa_decision(state->hpa, d);
  FUZZ_CHECK(!why.empty(), text);
  FUZZ_CHECK(d.desired >= 0, why);
  if (d.path != sim::model::HpaDecision::Path::kDisabled) {
    FUZZ_CHECK(d.desired >= state->hpa.min && d.desired <= state->hpa.max, why);
  }
  return 0;
}
