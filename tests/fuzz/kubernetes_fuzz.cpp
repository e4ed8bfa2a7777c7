// libFuzzer target: the Kubernetes manifest reader (sim/import/kubernetes.h).
//
//   input bytes --> parse_kubernetes("fuzz/manifest.yaml", text) --> K8sManifest | diagnostics
//
// Invariants (tests/fuzz/fuzz_util.h), and on success: every HPA has
// 1 <= min <= max and at least one metric; every Deployment at least one replica.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/import/kubernetes.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz/manifest.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  sim::core::Diagnostics diags;
  auto m = sim::import::parse_kubernetes(file, text, diags);
  sim::fuzz::check_result(m, diags);
  sim::fuzz::check_diagnostics(diags, {{file, text}});
  if (m) {
    for (const auto& h : m->hpas) {
      FUZZ_CHECK(h.spec.min >= 1 && h.spec.min <= h.spec.max, h.name);
      FUZZ_CHECK(!h.spec.metrics.empty(), h.name);
    }
    for (const auto& d : m->deployments) FUZZ_CHECK(d.replicas >= 1, d.name);
  }
  return 0;
}
