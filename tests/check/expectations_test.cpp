// Judging expectations on hand-built runs (sim/check/expectations.h): the
// comparison at its boundary, every metric's measurement, per-class metrics,
// metrics a run cannot measure, and the verdict lines people read.
#include <gtest/gtest.h>

#include "sim/check/expectations.h"
#include "tests/check/run_builder.h"

namespace sim::check {
namespace {

using scenario::Expectation;
using testing::RunBuilder;

Expectation expect(const std::string& metric, Expectation::Op op, double value, const std::string& cls = "") {
  Expectation e;
  e.metric = metric;
  e.op = op;
  e.value = value;
  e.request_class = cls;
  return e;
}

// The measured value of `e` in `r` (and the note), through assess() as every writer gets it.
std::optional<double> measure(scenario::Scenario s, const model::RunResult& r, const Expectation& e, std::string* note) {
  s.expectations = {e};
  Verdict v = assess(s, r).verdicts.at(0);
  *note = v.note;
  return v.actual;
}

std::vector<Verdict> judge(const scenario::Scenario& s, const model::RunResult& r) { return assess(s, r).verdicts; }

model::LatencyStats latency(std::uint64_t count, double p50, double p99) {
  model::LatencyStats l;
  l.count = count;
  l.mean = p50;
  l.p50 = p50;
  l.p90 = p99 / 2;
  l.p99 = p99;
  l.p999 = p99 * 2;
  l.max = p99 * 3;
  return l;
}

TEST(Compare, EveryOperatorAtItsBoundary) {
  using Op = Expectation::Op;
  EXPECT_TRUE(compare(expect("m", Op::kLe, 0.5), 0.5));
  EXPECT_TRUE(compare(expect("m", Op::kLe, 0.5), 0.5 + 1e-12));  // rounding noise is not a failure
  EXPECT_FALSE(compare(expect("m", Op::kLe, 0.5), 0.5001));
  EXPECT_FALSE(compare(expect("m", Op::kLt, 0.5), 0.5));
  EXPECT_TRUE(compare(expect("m", Op::kLt, 0.5), 0.4999));
  EXPECT_TRUE(compare(expect("m", Op::kGe, 390), 390));
  EXPECT_FALSE(compare(expect("m", Op::kGe, 390), 389.9));
  EXPECT_FALSE(compare(expect("m", Op::kGt, 390), 390));
  EXPECT_TRUE(compare(expect("m", Op::kEq, 1), 1));
  EXPECT_FALSE(compare(expect("m", Op::kEq, 1), 0));
}

TEST(Availability, ShareOfWindowsAfterWarmupMeetingTheThreshold) {
  // 100 s in 10 s windows, warmup 20 s: 8 windows count; two of them (50, 60) at 90 %.
  RunBuilder b(100, 10);
  b.warmup(20).failing(50, 70, 0.1);
  EXPECT_DOUBLE_EQ(availability(b.result(), 0.99), 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(availability(b.result(), 0.9), 1.0);
  // A failing window inside the warmup does not count.
  RunBuilder w(100, 10);
  w.warmup(20).failing(0, 20, 1.0);
  EXPECT_DOUBLE_EQ(availability(w.result(), 0.99), 1.0);
}

TEST(Measure, HeadlineAndPerClassMetrics) {
  RunBuilder b(100, 10);
  b.warmup(20);
  model::RunResult& r = b.result();
  r.latency = latency(8000, 0.05, 0.2);
  r.error_rate = 0.01;
  r.throughput = 100;
  model::ClassStats api;
  api.name = "api";
  api.completed = 300;
  api.failed = 100;
  api.latency = latency(240, 0.08, 0.4);  // 240 completions in the 80 s after warmup
  r.classes.push_back(api);
  scenario::Scenario s;
  std::string note;
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("latency_p99", Expectation::Op::kLe, 1), &note), 0.2);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("latency_p50", Expectation::Op::kLe, 1), &note), 0.05);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("latency_p999", Expectation::Op::kLe, 1), &note), 0.4);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("error_rate", Expectation::Op::kLe, 1), &note), 0.01);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("throughput", Expectation::Op::kGe, 1), &note), 100);
  // Per class: its own latency, failed / finished, completions after warmup per second.
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("latency_p99", Expectation::Op::kLe, 1, "api"), &note), 0.4);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("error_rate", Expectation::Op::kLe, 1, "api"), &note), 0.25);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("throughput", Expectation::Op::kGe, 1, "api"), &note), 3);
}

TEST(Measure, DataTierAndQueueMetrics) {
  RunBuilder b(100, 10);
  model::RunResult& r = b.result();
  model::ComponentStats db, q1, q2;
  db.name = "db";
  db.replication_lag_max = 0.7;
  q1.name = "jobs";
  q1.dead_letters = 4;
  q1.queue_depth_max = 5;
  q2.name = "mail";
  q2.dead_letters = 3;
  q2.queue_depth_max = 7;
  r.components = {db, q1, q2};
  scenario::Scenario s;
  std::string note;
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("replication_lag_max", Expectation::Op::kLe, 1), &note), 0.7);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("dead_letters", Expectation::Op::kLe, 0), &note), 7);  // every queue's
  // The largest depth any queue reached (not the sum of the queues' maxima).
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("queue_depth_max", Expectation::Op::kLe, 0), &note), 7);
}

TEST(Measure, RecoveryMetrics) {
  RunBuilder b(300, 10);
  b.fault(60, "crash db.primary", "f").failing(60, 80, 0.5).loss("f", 60, 20, 0.2);
  scenario::Scenario s;
  std::string note;
  EXPECT_DOUBLE_EQ(*measure(s, b.result(), expect("rto", Expectation::Op::kLe, 1), &note), 20);
  EXPECT_DOUBLE_EQ(*measure(s, b.result(), expect("rpo", Expectation::Op::kLe, 1), &note), 0.2);
  EXPECT_DOUBLE_EQ(*measure(s, b.result(), expect("writes_lost", Expectation::Op::kLe, 1), &note), 20);
  EXPECT_DOUBLE_EQ(*measure(s, b.result(), expect("availability", Expectation::Op::kGe, 1), &note), 28.0 / 30.0);
  // No fault: RTO 0, said in the note.
  RunBuilder quiet(300, 10);
  std::string why;
  EXPECT_DOUBLE_EQ(*measure(s, quiet.result(), expect("rto", Expectation::Op::kLe, 1), &why), 0);
  EXPECT_EQ(why, "no fault in the scenario");
  // Never recovered: not measurable.
  RunBuilder down(300, 10);
  down.fault(60, "crash app", "f").failing(60, 300, 1);
  std::string never;
  EXPECT_FALSE(measure(s, down.result(), expect("rto", Expectation::Op::kLe, 1), &never));
  EXPECT_EQ(never, "not recovered before the end of the run");
}

TEST(Measure, ScalingMetricsNeedAutoscaling) {
  RunBuilder b(100, 10);
  model::ComponentStats app, db;
  app.name = "app";
  app.instance_hours = 1.5;
  db.name = "db";
  db.instance_hours = 0.5;
  b.result().components = {app, db};
  scenario::Scenario s;
  std::string note;
  EXPECT_FALSE(measure(s, b.result(), expect("max_flaps", Expectation::Op::kLe, 0), &note));
  EXPECT_EQ(note, "the scenario has no autoscaling");
  // Cost without autoscaling: every component's instance-hours.
  EXPECT_DOUBLE_EQ(*measure(s, b.result(), expect("instance_hours", Expectation::Op::kLe, 10), &note), 2.0);
}

TEST(Judge, VerdictLinesSayExpectedAndActual) {
  RunBuilder b(100, 10);
  model::RunResult& r = b.result();
  r.latency = latency(1000, 0.05, 0.512);
  r.error_rate = 0.002;
  r.throughput = 400.7;
  model::ClassStats quiet;  // a class that completed nothing
  quiet.name = "quiet";
  quiet.failed = 3;
  r.classes.push_back(quiet);
  scenario::Scenario s;
  s.expectations = {expect("latency_p99", Expectation::Op::kLe, 0.5), expect("error_rate", Expectation::Op::kLe, 0.01),
                    expect("throughput", Expectation::Op::kGe, 390), expect("latency_p50", Expectation::Op::kLe, 0.1, "quiet")};
  std::vector<Verdict> v = judge(s, r);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].line(), "expected latency_p99 <= 500ms, actual 512ms: FAIL");
  EXPECT_EQ(v[1].line(), "expected error_rate <= 1%, actual 0.2%: PASS");
  EXPECT_EQ(v[2].line(), "expected throughput >= 390/s, actual 400.7/s: PASS");
  // A class that completed nothing: not measured, which fails.
  EXPECT_FALSE(assess(s, r).passed());
  EXPECT_FALSE(v[3].pass);
  EXPECT_FALSE(v[3].actual);
  EXPECT_EQ(v[3].expected_text, "<= 100ms (class quiet)");
  EXPECT_EQ(v[3].actual_text, "not measured (no request completed after warmup)");
}

TEST(Judge, NothingCompletedIsNotMeasured) {
  RunBuilder b(100, 10);
  scenario::Scenario s;
  s.expectations = {expect("latency_p99", Expectation::Op::kLe, 0.5)};
  std::vector<Verdict> v = judge(s, b.result());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(v[0].pass);
  EXPECT_EQ(v[0].actual_text, "not measured (no request completed after warmup)");
}

}  // namespace
}  // namespace sim::check
