// libFuzzer target: the docker-compose reader (sim/import/compose.h) and the
// Prometheus rules reader (sim/scenario/alert_rules.h), both YAML.
//
//   input bytes --> parse_compose("fuzz/compose.yaml", text) --> ComposeFile | diagnostics
//               --> parse_alert_rules("fuzz/rules.yml", text) --> rules | diagnostics
//
// Invariants (tests/fuzz/fuzz_util.h); on success every service has replicas >= 1
// and every depends_on names a service of the file; every rule a name and an expression.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/import/compose.h"
#include "sim/scenario/alert_rules.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz/compose.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  sim::core::Diagnostics diags;
  auto c = sim::import::parse_compose(file, text, diags);
  sim::fuzz::check_result(c, diags);
  sim::fuzz::check_diagnostics(diags, {{file, text}});
  if (c) {
    for (const auto& s : c->services) {
      FUZZ_CHECK(s.replicas >= 1, s.name);
      for (const auto& d : s.depends_on) {
        FUZZ_CHECK(std::any_of(c->services.begin(), c->services.end(), [&](const auto& x) { return x.name == d; }), d);
      }
    }
  }
  const std::string rules_file = "fuzz/rules.yml";
  sim::core::Diagnostics rdiags;
  auto rules = sim::scenario::parse_alert_rules(rules_file, text, rdiags);
  sim::fuzz::check_result(rules, rdiags);
  sim::fuzz::check_diagnostics(rdiags, {{rules_file, text}});
  if (rules) {
    for (const auto& r : *rules) FUZZ_CHECK(!r.name.empty() && !r.expr.empty() && r.hold >= 0, r.name);
  }
  return 0;
}
