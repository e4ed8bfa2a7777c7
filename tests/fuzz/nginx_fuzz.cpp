// libFuzzer target: the nginx configuration reader (sim/import/nginx.h).
//
//   input bytes --> parse_nginx("fuzz/nginx.conf", text) --> NginxConfig | diagnostics
//                   --> nginx_upstream(config, "") --> NginxUpstream | diagnostics
//
// Invariants (tests/fuzz/fuzz_util.h): a value without errors or nullopt with
// one; every diagnostic located inside the text. An upstream has at least one
// instance, fewer backups than instances, and one weight per instance or none;
// its load balancer is flavor nginx with values the topology loader accepts
// (max_fails 1..1000, fail_timeout > 0, tries 0..1000, processes 1..1024).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/import/nginx.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz/nginx.conf";
  std::string text(reinterpret_cast<const char*>(data), size);
  sim::core::Diagnostics diags;
  auto cfg = sim::import::parse_nginx(file, text, diags);
  sim::fuzz::check_result(cfg, diags);
  if (cfg) {
    auto up = sim::import::nginx_upstream(*cfg, "", {}, diags);
    sim::fuzz::check_result(up, diags);
    if (up) {
      FUZZ_CHECK(up->instances >= 1, up->name);
      const auto& lb = up->lb;
      FUZZ_CHECK(lb.backup < up->instances, up->name);
      FUZZ_CHECK(lb.weights.empty() || static_cast<int>(lb.weights.size()) == up->instances, up->name);
      FUZZ_CHECK(lb.flavor == sim::topology::LbFlavor::kNginx, up->name);
      FUZZ_CHECK(lb.passive.max_fails >= 1 && lb.passive.max_fails <= 1000 && lb.passive.fail_timeout > 0, up->name);
      FUZZ_CHECK(lb.retry.tries >= 0 && lb.retry.tries <= 1000 && lb.retry.timeout >= 0, up->name);
      FUZZ_CHECK(lb.processes >= 1 && lb.processes <= 1024, up->name);
      FUZZ_CHECK(lb.connect_timeout > 0 && lb.read_timeout > 0, up->name);
    }
  }
  sim::fuzz::check_diagnostics(diags, {{file, text}});
  return 0;
}
