// Autoscaling in the simulation against a hand-computed replica timeline.
//
//   clients -> lb (checks every 1 s, 1 good check to enter) -> app (10 ms CPU per request, 1 core)
//
// One instance serves 100 requests/s at most. The load steps from 60/s to 180/s
// at t = 60 s. HPA: CPU 50 %, min 2, max 10, sync 15 s, metric window 15 s, no
// CPU initialization period; scale-up policy 1 pod per 60 s; boot 25 s.
//
//   sync   window      ready pods, CPU          proposal                      policy limit        replicas
//   15-60  before      2 at 30 %                ratio 0.6 -> ceil(1.2)=2      -                   2
//   75     [60, 75]    2 at 90 %                1.8 -> ceil(3.6) = 4          2 + 1 = 3           3 (booting)
//   90     [75, 90]    2 at 90 %, 1 unready     recomputed (0.9+0.9+0)/3/0.5 = 1.2 -> 4   3       3
//   100    the new instance is ready; the LB takes it at its next check (<= 101)
//   105    [90, 105]   3, mean 60 %             1.2 -> 4                      3 (event at 75)     3
//   120    [105, 120]  3 at 60 %                1.2 -> 4                      3 (75 > 120 - 60)   3
//   135    [120, 135]  3 at 60 %                1.2 -> 4                      4 (75 is not > 75)  4 (booting)
//   150    [135, 150]  3 at 60 %, 1 unready     recomputed 0.9: below 1, flips -> no change    4
//   160    ready; in the LB by 161; then 4 at 45 %: ceil(0.9 x 4) = 4 from then on
#include <gtest/gtest.h>

#include "tests/engine/sim_fixture.h"

namespace sim {
namespace {

using testing::simulate;

const char* kTopology = R"(name: step
clients: {latency: 1ms}
network: {intra_zone_latency: 100us}
components:
  lb: {kind: load_balancer, algorithm: least_conn,
       health_check: {interval: 1s, timeout: 500ms, healthy_threshold: 1, unhealthy_threshold: 3}}
  app: {kind: service, replicas: 2, cores: 1, workers: 32, queue_limit: 100000, timeout: 60s,
        boot_time: 25s, service_time: 10ms}
requests:
  r: {share: 100%, path: [lb, app]}
)";

TEST(Autoscaling, HpaStepMatchesHandComputedTimeline) {
  auto s = simulate(kTopology, R"(
duration: 5m
window: 1s
seed: 21
load: {step: {from: 60/s, to: 180/s, at: 60s}}
autoscaling:
  app:
    hpa:
      min: 2
      max: 10
      metrics: [{cpu: 50%}]
      sync_period: 15s
      metric_window: 15s
      cpu_initialization_period: 0s
      initial_readiness_delay: 0s
      behavior:
        scale_up: {stabilization: 0s, policies: [{pods: 1, period: 60s}]}
)");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& ev = s.report["scale_events"];
  ASSERT_EQ(ev.size(), 2u) << ev.dump();
  EXPECT_DOUBLE_EQ(ev[0]["time"].get<double>(), 75.0);
  EXPECT_EQ(ev[0]["from"], 2);
  EXPECT_EQ(ev[0]["to"], 3);
  EXPECT_DOUBLE_EQ(ev[1]["time"].get<double>(), 135.0);
  EXPECT_EQ(ev[1]["to"], 4);
  // Boot 25 s, then the next health check (interval 1 s).
  auto ready = s.events("ready");
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_DOUBLE_EQ(ready[0]["time"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(ready[1]["time"].get<double>(), 160.0);
  auto up = s.events("health_up");
  ASSERT_EQ(up.size(), 2u);
  EXPECT_GE(up[0]["time"].get<double>(), 100.0);
  EXPECT_LE(up[0]["time"].get<double>(), 101.0);
  EXPECT_GE(up[1]["time"].get<double>(), 160.0);
  EXPECT_LE(up[1]["time"].get<double>(), 161.0);
  // The replica series (per 1 s window): desired 2 until 75, 3 until 135, then 4.
  const auto& desired = s.component("app")["series"]["desired"];
  EXPECT_EQ(desired[70].get<int>(), 2);
  EXPECT_EQ(desired[80].get<int>(), 3);
  EXPECT_EQ(desired[130].get<int>(), 3);
  EXPECT_EQ(desired[140].get<int>(), 4);
  EXPECT_EQ(desired[290].get<int>(), 4);
  // Time to scale: from the load step (60 s) to the window in which 4 instances were
  // ready (the series counts booted instances): the window ending at 161.
  const auto& a = s.report["autoscaling"][0];
  EXPECT_NEAR(a["time_to_scale"].get<double>(), 161 - 60, 1.0);
  EXPECT_EQ(a["flaps"].get<int>(), 0);
}

TEST(Autoscaling, ThresholdRulesWithCooldown) {
  // "CPU > 70 % for 1 minute: +1, cooldown 2 minutes" on the same step: at 180/s two
  // instances run at 90 %. Evaluations every 15 s; the condition holds from the first
  // evaluation after 60 s (t = 75, the 15 s average since 60 is 90 %) and fires once it has
  // held for 60 s: t = 135 (+1 -> 3, 60 % each: stops). No second step: 60 % < 70 %.
  auto s = simulate(kTopology, R"(
duration: 5m
window: 1s
seed: 22
load: {step: {from: 60/s, to: 180/s, at: 60s}}
autoscaling:
  app:
    rules:
      min: 2
      max: 10
      up: [{metric: cpu, above: 70%, for: 1m, step: 1}]
      down: [{metric: cpu, below: 20%, for: 5m, step: 1}]
      cooldown: {up: 2m, down: 10m}
      evaluation_period: 15s
)");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& ev = s.report["scale_events"];
  ASSERT_EQ(ev.size(), 1u) << ev.dump();
  EXPECT_DOUBLE_EQ(ev[0]["time"].get<double>(), 135.0);
  EXPECT_EQ(ev[0]["to"], 3);
}

TEST(Autoscaling, SaturationAtMaxIsReported) {
  // max 2 and a load two instances cannot carry: the p99 SLO breaks while at max.
  auto s = simulate(kTopology, R"(
duration: 3m
window: 10s
seed: 23
load: {constant: 250/s}
autoscaling:
  app: {hpa: {min: 2, max: 2, metrics: [{cpu: 50%}]}}
expect:
  latency_p99: 200ms
  no_saturation: true
  # expect-exit: 1
)");
  EXPECT_EQ(s.exit_code, 1);
  const auto& a = s.report["autoscaling"][0];
  EXPECT_GT(a["saturated_windows"].get<int>(), 10);
  bool found = false;
  for (const auto& e : s.report["expectations"]) {
    if (e["metric"] == "no_saturation") {
      EXPECT_EQ(e["verdict"], "FAIL");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace sim
