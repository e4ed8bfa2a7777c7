// Scaling checks on hand-built runs (sim/check/autoscaling.h): flaps, time to
// scale, saturation at max, instance-hours.
//
//   load: 60/s, a step to 180/s at 60 s; app autoscaled 2..4; 10 s windows over 300 s
#include <gtest/gtest.h>

#include "sim/check/autoscaling.h"
#include "tests/check/run_builder.h"

namespace sim::check {
namespace {

using testing::RunBuilder;

scenario::Scenario step_scenario() {
  scenario::Scenario s;
  s.duration = 300;
  s.window = 10;
  s.load.kind = scenario::Profile::Kind::kStep;
  s.load.from = 60;
  s.load.to = 180;
  s.load.at = 60;
  scenario::Autoscaler a;
  a.component = "app";
  scenario::HpaSpec h;
  h.min = 2;
  h.max = 4;
  a.policy = h;
  s.autoscaling.push_back(a);
  return s;
}

// The app's replica series: `ready` instances per 10 s window from the given window on.
model::ComponentStats app_series(const std::vector<std::pair<std::size_t, int>>& ready_from) {
  model::ComponentStats c;
  c.name = "app";
  c.instance_hours = 0.25;
  c.series.resize(30);
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    int ready = 2;
    for (const auto& [from, n] : ready_from) {
      if (i >= from) ready = n;
    }
    c.series[i].ready = ready;
    c.series[i].desired = ready;
  }
  return c;
}

model::ScaleEvent scale(double t, int from, int to) { return {t, "app", from, to, "cpu"}; }

TEST(ScalingSummary, TimeToScaleFromTheLoadStepToReadyCapacity) {
  // Scale-ups at 75 s (2 -> 3) and 135 s (3 -> 4), one episode (< 5 min apart); 4 ready in the
  // window [160, 170): from the step at 60 s to that window's end, 110 s.
  RunBuilder b(300, 10);
  b.result().components = {app_series({{11, 3}, {16, 4}})};
  b.result().scale_events = {scale(75, 2, 3), scale(135, 3, 4)};
  auto sum = summarize_scaling(step_scenario(), b.result());
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum[0].component, "app");
  EXPECT_EQ(sum[0].min, 2);
  EXPECT_EQ(sum[0].max, 4);
  EXPECT_EQ(sum[0].scale_events, 2);
  EXPECT_EQ(sum[0].flaps, 0);
  ASSERT_TRUE(sum[0].time_to_scale);
  EXPECT_DOUBLE_EQ(*sum[0].time_to_scale, 110);
  EXPECT_FALSE(sum[0].unreached);
  EXPECT_EQ(sum[0].peak_replicas, 4);
  EXPECT_DOUBLE_EQ(sum[0].instance_hours, 0.25);
}

TEST(ScalingSummary, ATargetNeverReadyIsUnreached) {
  RunBuilder b(300, 10);
  b.result().components = {app_series({{11, 3}})};
  b.result().scale_events = {scale(75, 2, 3), scale(135, 3, 4)};
  auto sum = summarize_scaling(step_scenario(), b.result());
  EXPECT_TRUE(sum[0].unreached);
  EXPECT_FALSE(sum[0].time_to_scale);
}

TEST(ScalingSummary, AReversalWithinTenMinutesIsAFlap) {
  RunBuilder b(3600, 10);
  model::ComponentStats c = app_series({});
  b.result().components = {c};
  // up, down 5 min later (a flap), up again 20 min later (not one).
  b.result().scale_events = {scale(100, 2, 3), scale(400, 3, 2), scale(1600, 2, 3)};
  auto sum = summarize_scaling(step_scenario(), b.result());
  EXPECT_EQ(sum[0].flaps, 1);
  EXPECT_EQ(sum[0].scale_events, 3);
}

TEST(ScalingSummary, SaturationIsAtMaxWhileTheSloIsBreached) {
  scenario::Scenario s = step_scenario();
  scenario::Expectation p99;
  p99.metric = "latency_p99";
  p99.value = 0.5;
  s.expectations.push_back(p99);
  RunBuilder b(300, 10);
  // At max (4) from window 10 on; the p99 above 500 ms in windows 5..14: saturated in 10..14 (5 windows).
  b.result().components = {app_series({{10, 4}})};
  for (std::size_t i = 5; i < 15; ++i) {
    b.result().windows[i].latency.count = 100;
    b.result().windows[i].latency.p99 = 0.8;
  }
  auto sum = summarize_scaling(s, b.result());
  EXPECT_EQ(sum[0].saturated_windows, 5);
  EXPECT_DOUBLE_EQ(sum[0].saturated_seconds, 50);
  // An error-rate SLO counts as well: 5 % errors against error_rate <= 1 % in windows 20..21 at max.
  scenario::Expectation err;
  err.metric = "error_rate";
  err.value = 0.01;
  s.expectations.push_back(err);
  b.failing(200, 220, 0.05);
  EXPECT_EQ(summarize_scaling(s, b.result())[0].saturated_windows, 7);
}

}  // namespace
}  // namespace sim::check
