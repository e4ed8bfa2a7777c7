// libFuzzer target: the topology loader (sim/topology/loader.h).
//
//   input bytes --> parse_topology("fuzz/topology.yaml", text) --> Topology | diagnostics
//
// Invariants (tests/fuzz/fuzz_util.h): a topology without errors, or nullopt
// with at least one; every diagnostic located inside the text; formatting them
// works. On success the topology's own invariants hold: unique component
// names, every request path step names a component.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "sim/topology/loader.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz/topology.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  sim::core::Diagnostics diags;
  auto topo = sim::topology::parse_topology(file, text, diags);
  sim::fuzz::check_result(topo, diags);
  sim::fuzz::check_diagnostics(diags, {{file, text}});
  if (topo) {
    std::set<std::string> names;
    for (const auto& c : topo->components) FUZZ_CHECK(names.insert(c.name).second, c.name);
    for (const auto& rc : topo->requests) {
      for (const auto& step : rc.path) FUZZ_CHECK(topo->find(step.component) != nullptr, step.component);
    }
  }
  return 0;
}
