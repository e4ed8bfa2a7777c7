// Alert expectations judged on hand-built evaluations (sim/check/alerts.h): the
// firings Prometheus found, set against the run's faults.
//
//   run 600 s; fault "crash db" at 120 s, recovered at 200 s
//   rule ErrorRatio (for: 1m)
#include <gtest/gtest.h>

#include "sim/check/expectations.h"

namespace sim::check {
namespace {

model::RunResult crash_run() {
  model::RunResult r;
  r.duration = 600;
  r.window = 10;
  r.timeline.push_back({120, "fault", "db[0]", "crash", "crash db"});
  r.timeline.push_back({200, "recover", "db[0]", "recovered", "crash db"});
  return r;
}

scenario::Scenario with_expectation(std::optional<double> within) {
  scenario::Scenario s;
  s.alert_rules = "alerts.yml";
  scenario::AlertRule rule;
  rule.name = "ErrorRatio";
  rule.hold = 60;
  s.alert_rule_list.push_back(rule);
  scenario::AlertExpectation e;
  e.name = "ErrorRatio";
  e.fires_within = within;
  e.never = !within;
  e.text = within ? "ErrorRatio fires within 2m of each fault, and at no other time" : "ErrorRatio never fires";
  s.alert_expectations.push_back(e);
  return s;
}

AlertEvaluation evaluation(std::vector<AlertFiring> firings) {
  AlertEvaluation ev;
  ev.rules_file = "alerts.yml";
  ev.step = 10;
  ev.rules.push_back({scenario::AlertRule{"ErrorRatio", "x > 0.01", 60, "g", {}}, std::move(firings)});
  return ev;
}

TEST(AlertVerdicts, IncidentsComeFromTheTimeline) {
  auto incs = incidents(with_expectation(120), crash_run());
  ASSERT_EQ(incs.size(), 1u);
  EXPECT_EQ(incs[0].fault, "crash db");
  EXPECT_EQ(incs[0].start, 120);
  EXPECT_EQ(incs[0].end, 200);
}

TEST(AlertVerdicts, FiresWithinTheBoundOfEachFault) {
  auto r = crash_run();
  auto ev = evaluation({{"{}", 130, 190, 230}});
  Assessment a = assess(with_expectation(120), r, nullptr, &ev);
  ASSERT_EQ(a.verdicts.size(), 1u);
  EXPECT_TRUE(a.verdicts[0].pass) << a.verdicts[0].line();
  EXPECT_EQ(a.verdicts[0].line(),
            "expected alert ErrorRatio fires within 2m of each fault, and at no other time, actual 1m10s: PASS");
  EXPECT_EQ(*a.verdicts[0].actual, 70);
}

TEST(AlertVerdicts, TooLateMissedAndFalseAlarmsFail) {
  auto r = crash_run();
  auto late = evaluation({{"{}", 200, 260, 300}});  // 140 s after the crash: later than 2m
  Assessment a = assess(with_expectation(120), r, nullptr, &late);
  EXPECT_FALSE(a.verdicts[0].pass);
  EXPECT_EQ(a.verdicts[0].actual_text, "2m20s");
  auto none = evaluation({});
  a = assess(with_expectation(120), r, nullptr, &none);
  EXPECT_FALSE(a.verdicts[0].pass);
  EXPECT_EQ(a.verdicts[0].actual_text, "missed crash db");
  auto noisy = evaluation({{"{}", 130, 190, 230}, {"{}", 400, 460, 480}});
  a = assess(with_expectation(120), r, nullptr, &noisy);
  EXPECT_FALSE(a.verdicts[0].pass);
  EXPECT_EQ(a.verdicts[0].actual_text, "1m10s (fired at 7m40s with no fault)");
}

TEST(AlertVerdicts, NeverFiresAndNotEvaluated) {
  model::RunResult steady;
  steady.duration = 600;
  auto quiet = evaluation({});
  Assessment a = assess(with_expectation(std::nullopt), steady, nullptr, &quiet);
  EXPECT_TRUE(a.verdicts[0].pass);
  EXPECT_EQ(a.verdicts[0].actual_text, "never fired");
  auto noisy = evaluation({{"{}", 100, 160, std::nullopt}});
  a = assess(with_expectation(std::nullopt), steady, nullptr, &noisy);
  EXPECT_FALSE(a.verdicts[0].pass);
  EXPECT_EQ(a.verdicts[0].actual_text, "fired at 2m40s");
  AlertEvaluation broken;
  broken.error = "promtool and prometheus are not installed";
  a = assess(with_expectation(std::nullopt), steady, nullptr, &broken);
  EXPECT_FALSE(a.verdicts[0].pass);
  EXPECT_EQ(a.verdicts[0].actual_text, "not measured (alerts not evaluated: promtool and prometheus are not installed)");
  EXPECT_FALSE(a.passed());
}

}  // namespace
}  // namespace sim::check
