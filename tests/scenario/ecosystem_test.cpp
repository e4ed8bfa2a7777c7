// k6 and Chaos Mesh vocabulary in scenarios (docs/ecosystem.md): stages as a
// load profile, threshold strings as expectations, selector modes on crashes
// and delay jitter/correlation. Parsed in memory against tests/scenario/shop.yaml:
//
//   clients -> cdn -> lb -> app x2 -> cache -> db.replica   (app has 2 instances)
#include <gtest/gtest.h>

#include <map>

#include "sim/scenario/loader.h"
#include "sim/scenario/profile.h"
#include "sim/scenario/selectors.h"
#include "tests/test_util.h"

namespace sim::scenario {
namespace {

std::string file() { return sim::testing::repo_root() + "/tests/scenario/s.yaml"; }

std::optional<Loaded> parse(const std::string& text, std::string* errors = nullptr) {
  core::Diagnostics diags;
  auto s = parse_scenario(file(), "topology: shop.yaml\n" + text, diags);
  if (errors) *errors = diags.format_short();
  return s;
}

TEST(K6Stages, RampFromStageToStageInTheTimeUnit) {
  std::string err;
  auto l = parse("load:\n  startRate: 60\n  timeUnit: 1m\n  stages:\n"
                 "    - {duration: 2m, target: 6000}\n    - {duration: 0s, target: 3000}\n"
                 "    - {duration: 1m30s, target: 3000}\n    - {duration: 30s, target: 0}\n",
                 &err);
  ASSERT_TRUE(l) << err;
  const Profile& p = l->scenario.load;
  EXPECT_EQ(p.kind, Profile::Kind::kSequence);
  ASSERT_EQ(p.children.size(), 3u);  // the 0s stage is a jump, not a phase
  EXPECT_DOUBLE_EQ(rate_at(p, 0), 1);      // startRate 60 per minute
  EXPECT_DOUBLE_EQ(rate_at(p, 60), 50.5);  // halfway from 1/s to 100/s
  EXPECT_DOUBLE_EQ(rate_at(p, 119.999), 1 + 99 * 119.999 / 120);
  EXPECT_DOUBLE_EQ(rate_at(p, 120), 50);   // jumped to 3000 per minute
  EXPECT_DOUBLE_EQ(rate_at(p, 200), 50);
  EXPECT_DOUBLE_EQ(rate_at(p, 225), 25);   // halfway down the last 30 s
  EXPECT_DOUBLE_EQ(l->scenario.duration, 240);  // the stages' total
  EXPECT_DOUBLE_EQ(peak_rate(p), 100);
}

TEST(K6Stages, Errors) {
  std::string err;
  EXPECT_FALSE(parse("load: {stages: []}\n", &err));
  EXPECT_EQ(err, file() + ":2:16: error: stages is empty; expected at least one stage, like stages: [{duration: 1m, "
                          "target: 100}]\n");
  EXPECT_FALSE(parse("load: {stages: [{duration: 1m, target: -5}]}\n", &err));
  EXPECT_NE(err.find(":2:40: error: -5 is out of range; expected a number between 0 and 1e+09"), std::string::npos)
      << err;
  EXPECT_FALSE(parse("load: {stages: [{duration: 0s, target: 5}]}\n", &err));
  EXPECT_NE(err.find("stages last 0s in all"), std::string::npos) << err;
  EXPECT_FALSE(parse("load: {stages: [{duration: 1m, target: 5, vus: 3}]}\n", &err));
  EXPECT_NE(err.find("unknown key 'vus' in stage"), std::string::npos) << err;
}

TEST(K6Thresholds, BecomeExpectationsInInfrasimUnits) {
  std::string err;
  auto l = parse("duration: 1m\nload: 100/s\nexpect:\n"
                 "  http_req_duration: [\"p(95)<500\", \"avg<=200\", {threshold: \"med < 100\"}, \"p(99.9)===2000\"]\n"
                 "  http_req_failed: \"rate<0.01\"\n  http_reqs: [\"count>=1000\"]\n",
                 &err);
  ASSERT_TRUE(l) << err;
  const auto& e = l->scenario.expectations;
  ASSERT_EQ(e.size(), 6u);
  std::map<std::string, std::pair<Expectation::Op, double>> want = {
      {"latency_p95", {Expectation::Op::kLt, 0.5}},   {"latency_mean", {Expectation::Op::kLe, 0.2}},
      {"latency_p50", {Expectation::Op::kLt, 0.1}},   {"latency_p999", {Expectation::Op::kEq, 2}},
      {"error_rate", {Expectation::Op::kLt, 0.01}},   {"generated", {Expectation::Op::kGe, 1000}}};
  for (const auto& x : e) {
    ASSERT_TRUE(want.count(x.metric)) << x.metric;
    EXPECT_EQ(x.op, want[x.metric].first) << x.metric;
    EXPECT_DOUBLE_EQ(x.value, want[x.metric].second) << x.metric;
  }
  EXPECT_EQ(e[0].text, "latency_p95 < 500ms (k6 http_req_duration: p(95)<500)");
}

TEST(K6Thresholds, Errors) {
  std::string err;
  EXPECT_FALSE(parse("duration: 1m\nload: 100/s\nexpect: {http_req_duration: [\"min>1\"]}\n", &err));
  EXPECT_NE(err.find("k6 threshold 'min>1' on http_req_duration: min is not measured here"), std::string::npos) << err;
  EXPECT_FALSE(parse("duration: 1m\nload: 100/s\nexpect: {http_req_failed: [\"rate!=0\"]}\n", &err));
  EXPECT_NE(err.find("!= has no counterpart"), std::string::npos) << err;
  EXPECT_FALSE(parse("duration: 1m\nload: 100/s\nexpect: {http_reqs: [\"rate>10\"]}\n", &err));
  EXPECT_NE(err.find("for completions per second use throughput"), std::string::npos) << err;
  EXPECT_FALSE(parse("duration: 1m\nload: 100/s\nexpect: {http_req_duration: [\"p(95)<fast\"]}\n", &err));
  EXPECT_NE(err.find("'fast' is not a number"), std::string::npos) << err;
}

TEST(ChaosMeshModes, CountsAsChaosMeshChooses) {
  core::Rng rng(7);
  EXPECT_EQ(select_instances("all", 0, 4, rng), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(select_instances("one", 0, 4, rng).size(), 1u);
  EXPECT_EQ(select_instances("fixed", 3, 4, rng).size(), 3u);
  EXPECT_EQ(select_instances("fixed", 9, 4, rng).size(), 4u);           // min(value, count)
  EXPECT_EQ(select_instances("fixed-percent", 50, 3, rng).size(), 2u);  // ceil(1.5)
  EXPECT_EQ(select_instances("fixed-percent", 1, 3, rng).size(), 1u);   // at least one
  EXPECT_EQ(select_instances("fixed-percent", 100, 3, rng).size(), 3u);
  // random-max-percent 50 of 4: q uniform in 0..50, ceil(4q/100) in 0..2; every count appears.
  std::map<std::size_t, int> seen;
  for (int i = 0; i < 2000; ++i) ++seen[select_instances("random-max-percent", 50, 4, rng).size()];
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_NEAR(seen[0] / 2000.0, 1.0 / 51, 0.02);  // only q = 0 chooses none
  // Every instance is as likely: "one" over 4 instances.
  std::map<int, int> which;
  for (int i = 0; i < 4000; ++i) ++which[select_instances("one", 0, 4, rng).front()];
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(which[k] / 4000.0, 0.25, 0.03) << k;
}

TEST(ChaosMeshModes, CrashBecomesOneFaultPerChosenInstanceFromTheSeed) {
  std::string err;
  auto l = parse("duration: 10m\nload: 100/s\nseed: 5\nfaults:\n"
                 "  - {at: 1m, for: 1m, crash: {target: app, mode: fixed-percent, value: 50}}\n"
                 "  - {at: 2m, crash: {target: app, mode: all}}\n",
                 &err);
  ASSERT_TRUE(l) << err;
  EXPECT_EQ(l->scenario.faults[0].name, "crash app (fixed-percent 50)");
  core::Diagnostics d;
  Scenario s = l->scenario;
  apply_selectors(&s, l->topology, d);
  ASSERT_EQ(s.faults.size(), 3u);  // ceil(2 × 50 %) = 1 instance, then both
  EXPECT_EQ(s.faults[0].name.rfind("crash app (fixed-percent 50): app[", 0), 0u) << s.faults[0].name;
  EXPECT_GE(s.faults[0].target.instance, 0);
  EXPECT_EQ(s.faults[0].length, 60);
  EXPECT_EQ(s.faults[1].name, "crash app (all): app[0]");
  EXPECT_EQ(s.faults[2].name, "crash app (all): app[1]");
  Scenario again = l->scenario;
  apply_selectors(&again, l->topology, d);
  EXPECT_EQ(again.faults[0].target.instance, s.faults[0].target.instance);  // same seed, same choice
}

TEST(ChaosMeshModes, DelayJitterAndCorrelationAreReadAndWarnedAbout) {
  core::Diagnostics diags;
  auto l = parse_scenario(file(),
                          "topology: shop.yaml\nduration: 10m\nload: 100/s\nfaults:\n"
                          "  - {at: 1m, delay: {between: [app, cache], latency: 50ms, jitter: 10ms, correlation: \"25\"}}\n",
                          diags);
  ASSERT_TRUE(l) << diags.format_short();
  EXPECT_DOUBLE_EQ(l->scenario.faults[0].jitter, 0.010);
  EXPECT_DOUBLE_EQ(l->scenario.faults[0].correlation, 0.25);
  EXPECT_NE(diags.format_short().find("warning: jitter and correlation are read but not modelled yet"),
            std::string::npos)
      << diags.format_short();
}

}  // namespace
}  // namespace sim::scenario
