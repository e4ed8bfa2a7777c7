// The seeds' threshold autoscaler (model/threshold_scaler.h): rule + duration +
// step + cooldown per direction + min/max, evaluated every 15s.
//
//   metrics every 15s --> ThresholdScaler::evaluate --> desired --> (applied) --> current
//
// Every expected number below is derived by hand in the comment next to it from
// the semantics written in threshold_scaler.h.
#include <gtest/gtest.h>

#include <functional>

#include "sim/model/threshold_scaler.h"
#include "sim/scenario/loader.h"
#include "tests/test_util.h"

namespace sim::model {
namespace {

using scenario::ThresholdPolicy;
using scenario::ThresholdRule;

ThresholdRule rule(const std::string& metric, double threshold, double duration, int step = 1) {
  ThresholdRule r;
  r.metric = metric;
  r.threshold = threshold;
  r.duration = duration;
  r.step = step;
  return r;
}

// Seed 001/002 style: min 2, max 10, cooldown up 5m, down 10m, every 15s.
ThresholdPolicy seed_policy(std::vector<ThresholdRule> up, std::vector<ThresholdRule> down = {}) {
  ThresholdPolicy p;
  p.min = 2;
  p.max = 10;
  p.up = std::move(up);
  p.down = std::move(down);
  p.cooldown_up = 300;
  p.cooldown_down = 600;
  p.evaluation_period = 15;
  return p;
}

struct Step {
  double t;
  ThresholdDecision d;
};

// Evaluates at 0, 15, ..., until `end`, applying every decision; returns them all.
std::vector<Step> run(ThresholdScaler* s, int start, double end, const std::function<ScalingMetrics(double)>& m) {
  std::vector<Step> out;
  int current = start;
  for (double t = 0; t <= end; t += 15) {
    ThresholdDecision d = s->evaluate(t, current, m(t));
    out.push_back({t, d});
    current = d.desired;
  }
  return out;
}

// The times at which the count changed, with the new count.
std::vector<std::pair<double, int>> changes(const std::vector<Step>& steps) {
  std::vector<std::pair<double, int>> out;
  for (const Step& s : steps) {
    if (s.d.rescale()) out.emplace_back(s.t, s.d.desired);
  }
  return out;
}

ScalingMetrics cpu(double v) {
  ScalingMetrics m;
  m.cpu = v;
  return m;
}

TEST(ThresholdScaler, ForMeansHeldAtEveryEvaluation) {
  // cpu 80 % > 70 % from t=0: the streak starts at 0; at 285 it has held 285s < 300s; at
  // 300 it has held 300s >= 5m -> 3 + 1 = 4.
  ThresholdScaler s(seed_policy({rule("cpu", 0.7, 300)}));
  auto steps = run(&s, 3, 300, [](double) { return cpu(0.8); });
  EXPECT_TRUE(steps[19].d.up[0].holds);  // t=285
  EXPECT_DOUBLE_EQ(steps[19].d.up[0].held_for, 285);
  EXPECT_FALSE(steps[19].d.up[0].fired);
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{300, 4}}));
}

TEST(ThresholdScaler, OneMissedEvaluationRestartsTheCount) {
  // cpu 80 % except 60 % at t=150: the streak restarts at 165 and fires at 165 + 300 = 465.
  ThresholdScaler s(seed_policy({rule("cpu", 0.7, 300)}));
  auto steps = run(&s, 3, 480, [](double t) { return cpu(t == 150 ? 0.6 : 0.8); });
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{465, 4}}));
}

TEST(ThresholdScaler, ThresholdIsStrictAndZeroDurationFiresAtOnce) {
  // queue_length > 100 for 0s: exactly 100 does not hold; 101 fires at its first evaluation.
  ThresholdScaler s(seed_policy({rule("queue_length", 100, 0)}));
  ScalingMetrics m;
  m.queue_length = 100;
  EXPECT_FALSE(s.evaluate(0, 3, m).up[0].holds);
  m.queue_length = 101;
  ThresholdDecision d = s.evaluate(15, 3, m);
  EXPECT_TRUE(d.up[0].fired);
  EXPECT_EQ(d.desired, 4);
}

TEST(ThresholdScaler, ScaleUpCooldownThenFiresAgain) {
  // cpu stays at 80 %: +1 at 300; the streak is not restarted by scaling, but the 5m
  // scale-up cooldown blocks 315..585 (585 - 300 < 300); at 600 (600 - 300 = 300, not
  // less) +1 again, then at 900.
  ThresholdScaler s(seed_policy({rule("cpu", 0.7, 300)}));
  auto steps = run(&s, 3, 900, [](double) { return cpu(0.8); });
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{300, 4}, {600, 5}, {900, 6}}));
  EXPECT_EQ(steps[39].d.limit, ThresholdLimit::kCooldown);  // t=585
  ASSERT_TRUE(s.last_scale_up());
  EXPECT_DOUBLE_EQ(*s.last_scale_up(), 900);
}

TEST(ThresholdScaler, LargestStepWins) {
  // cpu 80 % (+1) and latency_p99 600ms > 500ms (+2) both for 5m: at 300 both fire;
  // the largest step, +2, not the sum: 3 -> 5.
  ThresholdScaler s(seed_policy({rule("cpu", 0.7, 300), rule("latency_p99", 0.5, 300, 2)}));
  auto steps = run(&s, 3, 300, [](double) {
    ScalingMetrics m = cpu(0.8);
    m.latency_p99 = 0.6;
    return m;
  });
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{300, 5}}));
}

TEST(ThresholdScaler, ScaleDownWaitsWhileAnUpRuleHolds) {
  // Seed 002's scale-down: cpu < 30 % for 15m: -1. cpu 20 % from 0 fires at 900, but
  // latency_p99 is 600ms at exactly t=900 (an up rule holds, though not yet for 5m):
  // no scale-down then; at 915 it does not hold any more -> 5 - 1 = 4.
  ThresholdScaler s(seed_policy({rule("latency_p99", 0.5, 300, 2)}, {rule("cpu", 0.3, 900)}));
  auto steps = run(&s, 5, 915, [](double t) {
    ScalingMetrics m = cpu(0.2);
    m.latency_p99 = t == 900 ? 0.6 : 0.1;
    return m;
  });
  EXPECT_TRUE(steps[60].d.down[0].fired);  // t=900
  EXPECT_FALSE(steps[60].d.rescale());
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{915, 4}}));
}

TEST(ThresholdScaler, ScaleDownCooldownCountsScaleUps) {
  // Up: cpu > 70 % for 5m (+1); down: cpu < 30 % for 1m (-1); cooldown up 5m, down 10m;
  // min 2. cpu 80 % until 300 -> +1 at 300 (3 -> 4). cpu 20 % from 315: the down rule fires
  // from 375 (315 + 60) but the scale-down cooldown runs from the scale-up at 300 until 900
  // -> -1 at 900 (4 -> 3); the next one 10m after that, at 1500 (3 -> 2); at 2100 the rule
  // fires again but min is 2: no change, limited by min.
  ThresholdScaler s(seed_policy({rule("cpu", 0.7, 300)}, {rule("cpu", 0.3, 60)}));
  auto steps = run(&s, 3, 2100, [](double t) { return cpu(t <= 300 ? 0.8 : 0.2); });
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{300, 4}, {900, 3}, {1500, 2}}));
  EXPECT_EQ(steps[25].d.limit, ThresholdLimit::kCooldown);  // t=375
  EXPECT_EQ(steps.back().d.limit, ThresholdLimit::kMin);    // t=2100
  EXPECT_EQ(steps.back().d.desired, 2);
}

TEST(ThresholdScaler, MinMaxClampAndSaturation) {
  ThresholdPolicy p = seed_policy({rule("cpu", 0.7, 0), rule("latency_p99", 0.5, 0, 2)});
  // Outside [2, 10]: moved to the bound at once, whatever the metrics say.
  ThresholdScaler a(p);
  EXPECT_EQ(a.evaluate(0, 12, ScalingMetrics{}).desired, 10);
  ThresholdScaler b(p);
  EXPECT_EQ(b.evaluate(0, 1, ScalingMetrics{}).desired, 2);
  // At max with cpu 90 %: the rule fires but cannot act -> no change, limited by max.
  ThresholdScaler c(p);
  ThresholdDecision at_max = c.evaluate(0, 10, cpu(0.9));
  EXPECT_EQ(at_max.desired, 10);
  EXPECT_EQ(at_max.limit, ThresholdLimit::kMax);
  // At 9 with latency 600ms (+2): trimmed to 10.
  ThresholdScaler d(p);
  ScalingMetrics slow;
  slow.latency_p99 = 0.6;
  ThresholdDecision trimmed = d.evaluate(0, 9, slow);
  EXPECT_EQ(trimmed.desired, 10);
  EXPECT_EQ(trimmed.limit, ThresholdLimit::kMax);
}

TEST(ThresholdScaler, MissingMetricNeverHolds) {
  // No cpu value until t=60 (the engine has none yet): the streak starts at 60 and the
  // 5m rule fires at 360.
  ThresholdScaler s(seed_policy({rule("cpu", 0.7, 300)}));
  auto steps = run(&s, 3, 360, [](double t) { return t < 60 ? ScalingMetrics{} : cpu(0.9); });
  EXPECT_FALSE(steps[0].d.up[0].holds);
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{360, 4}}));
}

TEST(ThresholdScaler, Seed001RulesFromAScenario) {
  // Seed 001: "CPU usage > 70% for 5 minutes, Memory usage > 80% for 5 minutes, Request queue
  // length > 100, min 2, max 10, scale-up cooldown 5 minutes, scale-down cooldown 10
  // minutes", plus seed 002's scale-down "CPU < 30 % for 15m". Memory at 85 % from 0 ->
  // +1 at 300 (3 -> 4); the queue at 150 at t=315 fires at once (for: 0s) but the scale-up
  // cooldown runs until 600 -> no change at 315.
  const std::string text =
      "topology: ../topologies/nextleveltraders.yaml\n"
      "duration: 10m\n"
      "load: {constant: 100/s}\n"
      "autoscaling:\n"
      "  app:\n"
      "    rules:\n"
      "      min: 2\n"
      "      max: 10\n"
      "      up:\n"
      "        - {metric: cpu, above: 70%, for: 5m}\n"
      "        - {metric: memory, above: 80%, for: 5m}\n"
      "        - {metric: queue_length, above: 100, for: 0s}\n"
      "      down:\n"
      "        - {metric: cpu, below: 30%, for: 15m}\n"
      "      cooldown: {up: 5m, down: 10m}\n";
  core::Diagnostics diags;
  auto loaded = scenario::parse_scenario(testing::repo_root() + "/scenarios/inline.yaml", text, diags);
  ASSERT_TRUE(loaded) << diags.format();
  const ThresholdPolicy* policy = loaded->scenario.autoscaling.at(0).rules();
  ASSERT_NE(policy, nullptr);
  ThresholdScaler s(*policy);
  auto steps = run(&s, 3, 315, [](double t) {
    ScalingMetrics m = cpu(0.5);
    m.memory = 0.85;
    m.queue_length = t == 315 ? 150 : 10;
    return m;
  });
  EXPECT_EQ(changes(steps), (std::vector<std::pair<double, int>>{{300, 4}}));
  EXPECT_TRUE(steps.back().d.up[2].fired);
  EXPECT_EQ(steps.back().d.limit, ThresholdLimit::kCooldown);
}

}  // namespace
}  // namespace sim::model
