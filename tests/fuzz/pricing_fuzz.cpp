// libFuzzer target: the pricing file reader (sim/topology/pricing.h).
//
//   input bytes --> parse_pricing("fuzz/pricing.yaml", text) --> Pricing | diagnostics
//
// Invariants (tests/fuzz/fuzz_util.h): a pricing without errors, or nullopt with
// at least one; every diagnostic located inside the text; formatting them works.
// On success: a source and a valid date are set, every price is finite and not
// negative, and hours_per_month is within [1, 744].
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/topology/pricing.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz/pricing.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  sim::core::Diagnostics diags;
  auto p = sim::topology::parse_pricing(file, text, diags);
  sim::fuzz::check_result(p, diags);
  sim::fuzz::check_diagnostics(diags, {{file, text}});
  if (p) {
    FUZZ_CHECK(!p->source.empty() && p->date.size() == 10, p->date);
    FUZZ_CHECK(p->hours_per_month >= 1 && p->hours_per_month <= 744, std::to_string(p->hours_per_month));
    auto ok = [](double v) { return std::isfinite(v) && v >= 0; };
    for (const auto& [name, ip] : p->instances) {
      for (auto v : {ip.on_demand, ip.reserved, ip.spot}) FUZZ_CHECK(!v || ok(*v), name);
      FUZZ_CHECK(ip.on_demand || ip.reserved || ip.spot, name);
    }
    for (const auto& [name, v] : p->storage) FUZZ_CHECK(ok(v), name);
    for (const auto& [name, v] : p->requests) FUZZ_CHECK(ok(v), name);
    FUZZ_CHECK(ok(p->transfer.out) && ok(p->transfer.inter_zone) && ok(p->transfer.inter_region), "transfer");
  }
  return 0;
}
