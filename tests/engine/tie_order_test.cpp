// The tie order at one date (docs/DESIGN.md, "Tie order"): every request-kernel
// event dated t runs before the control actors that act at t (SimGrid fires
// timers before it resumes actors), and what an actor does at t comes after.
//
//   clients -> lb (health checks) -> app x3
//
// The metric window [50 s, 60 s) is closed by a kernel event at 60 s; a crash
// scheduled at exactly 60 s is an actor's. The window must still count three
// ready instances, the next one two — with batched wakes and with one wake per
// event alike.
#include <gtest/gtest.h>

#include "tests/engine/sim_fixture.h"

namespace sim {
namespace {

const char* kTopology = R"(name: ties
components:
  lb: {kind: load_balancer, health_check: {interval: 5s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 1}}
  app: {kind: service, replicas: 3, cores: 1, service_time: 5ms}
requests:
  r: {share: 100%, path: [lb, app]}
)";

const char* kScenario = R"(duration: 90s
window: 10s
seed: 5
load: {constant: 50/s}
faults:
  - {at: 60s, crash: "app[0]"}
)";

void check(const testing::Sim& s) {
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& ready = s.component("app")["series"]["ready"];
  ASSERT_GE(ready.size(), 8u);
  EXPECT_EQ(ready[5].get<int>(), 3) << "the window ending at 60 s was closed after the crash at 60 s";
  EXPECT_EQ(ready[6].get<int>(), 2);
  auto crash = s.events("crash", "app-0");
  ASSERT_EQ(crash.size(), 1u);
  EXPECT_DOUBLE_EQ(crash[0]["time"].get<double>(), 60.0);
}

TEST(TieOrder, KernelEventsAtADateRunBeforeControlActors) {
  check(testing::simulate(kTopology, kScenario));
  check(testing::simulate(kTopology, kScenario, {"--wake", "per-event"}));
}

}  // namespace
}  // namespace sim
