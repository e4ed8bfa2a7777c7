// Judging expectations on hand-built runs (sim/check/expectations.h): the
// comparison at its boundary, every metric's measurement, per-class metrics,
// metrics a run cannot measure, and the verdict lines people read.
#include <gtest/gtest.h>

#include "sim/check/expectations.h"
#include "sim/model/recorder.h"
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

// healthy_at_end and unexplained_restarts read the instances' end state and restart counts
// (engine/supervisor.h fills them): 0 / 1 for health, the restarts no fault caused summed over
// every component; a failure names the instances and the causes.
TEST(Measure, StabilityMetrics) {
  RunBuilder b(100, 10);
  model::RunResult& r = b.result();
  model::ComponentStats app, db;
  app.name = "app";
  model::InstanceStats a0, a1;
  a0.name = "app-0";
  a0.restarts = 4;
  a0.restarts_by_faults = 1;
  a0.unexplained = {{"killed by its liveness probe while booting", 3, 73}};
  a0.unhealthy = "booting since 1m30s";
  a1.name = "app-1";
  a1.restarts = 2;
  a1.restarts_by_faults = 2;
  app.instance_stats = {a0, a1};
  db.name = "db";
  model::InstanceStats d0;
  d0.name = "db-0";
  d0.restarts = 1;
  d0.restarts_by_faults = 1;
  db.instance_stats = {d0};
  r.components = {app, db};
  scenario::Scenario s;
  std::string note;
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("healthy_at_end", Expectation::Op::kEq, 1), &note), 0);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("unexplained_restarts", Expectation::Op::kLe, 0), &note), 3);
  EXPECT_EQ(r.components[0].restarts().total, 6);
  EXPECT_EQ(r.components[0].restarts().unexplained(), 3);
  s.expectations = {expect("healthy_at_end", Expectation::Op::kEq, 1),
                    expect("unexplained_restarts", Expectation::Op::kLe, 0)};
  Assessment a = assess(s, r);
  EXPECT_EQ(a.verdicts[0].reason, "app-0: booting since 1m30s");
  EXPECT_EQ(a.verdicts[1].reason,
            "app: 6 restarts, 3 caused by faults, 3 not (app-0: killed by its liveness probe while booting x3 from "
            "1m13s)");
  // Every instance healthy and every restart a fault's: both pass.
  r.components[0].instance_stats[0] = a1;
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("healthy_at_end", Expectation::Op::kEq, 1), &note), 1);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("unexplained_restarts", Expectation::Op::kLe, 0), &note), 0);
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

TEST(Measure, AnyPercentileComesFromTheHistogram) {
  // 1000 latencies 1ms..1000ms: the q-quantile is about q x 1000 ms, within the sketch's 0.5 %.
  RunBuilder b(100, 10);
  model::RunResult& r = b.result();
  for (int i = 1; i <= 1000; ++i) r.histogram.add(i * 1e-3);
  r.latency = model::summarize(r.histogram);
  scenario::Scenario s;
  std::string note;
  for (auto [name, want] : {std::pair{"latency_p97.5", 0.975}, std::pair{"latency_p75", 0.75},
                            std::pair{"latency_p99.9", 0.999}, std::pair{"latency_p95", 0.95}}) {
    auto v = measure(s, r, expect(name, Expectation::Op::kLe, 1), &note);
    ASSERT_TRUE(v) << name << ": " << note;
    EXPECT_NEAR(*v, want, want * 0.006) << name;
  }
  // The fixed percentile and the same one by name agree (one histogram, one quantile function).
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("latency_p99.9", Expectation::Op::kLe, 1), &note), r.latency.p999);
  // A hand-built run without a histogram cannot give another percentile.
  RunBuilder h(100, 10);
  h.result().latency = latency(100, 0.05, 0.2);
  EXPECT_FALSE(measure(s, h.result(), expect("latency_p97.5", Expectation::Op::kLe, 1), &note));
  EXPECT_EQ(note, "this run kept no latency histogram");
}

TEST(Measure, AvailabilityAndRtoOfOneClass) {
  // Two classes; the writes (class 1) fail completely from 60 s to 110 s; all traffic only dips at 60..70.
  RunBuilder b(300, 10);
  b.fault(60, "crash db.primary", "f").failing(60, 70, 0.5);
  model::RunResult& r = b.result();
  r.classes.resize(2);
  r.classes[0].name = "read";
  r.classes[1].name = "write";
  for (auto& w : r.windows) {
    w.by_class = {model::ClassCounts{90, 90, 0}, model::ClassCounts{10, 10, 0}};
    if (w.start >= 60 && w.start < 110) w.by_class[1] = {10, 0, 10};
  }
  scenario::Scenario s;
  std::string note;
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("rto", Expectation::Op::kLe, 1), &note), 10);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("rto", Expectation::Op::kLe, 1, "write"), &note), 50);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("rto", Expectation::Op::kLe, 1, "read"), &note), 0);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("availability", Expectation::Op::kGe, 1, "write"), &note), 25.0 / 30.0);
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("availability", Expectation::Op::kGe, 1), &note), 29.0 / 30.0);
  // Error rate of a class after warmup, from its windows: 50 of 300 writes.
  EXPECT_DOUBLE_EQ(*measure(s, r, expect("error_rate", Expectation::Op::kLe, 1, "write"), &note), 50.0 / 300.0);
}

TEST(Judge, AFailedVerdictSaysWhy) {
  RunBuilder b(300, 10);
  b.fault(60, "crash app[0]", "f").failing(60, 300, 0.3);
  model::RunResult& r = b.result();
  r.error_rate = 0.24;
  for (auto& w : r.windows) {
    if (w.start >= 60) w.failures[static_cast<std::size_t>(model::FailReason::kQueueFull)] = 30;
  }
  scenario::Scenario s;
  s.expectations = {expect("error_rate", Expectation::Op::kLe, 0.01), expect("rto", Expectation::Op::kLe, 60)};
  Assessment a = assess(s, r);
  EXPECT_EQ(a.verdicts[0].reason, "failed: queue_full 720; faults: crash app[0] at 1m (RTO not recovered)");
  EXPECT_NE(a.verdicts[1].reason.find("crash app[0]: never at or above a success ratio of 99% for 1m before the end "
                                      "of the run (5m); failing from 1m (queue_full 720)"),
            std::string::npos)
      << a.verdicts[1].reason;
  EXPECT_EQ(a.outcome, Outcome::kFail);
}

TEST(Outcome, ExpectedFailureMustFailExactlyAsDeclared) {
  scenario::ExpectedFailure x{"daily backups cannot meet RPO 5 min", {"rpo", "resilience.data"}, {}};
  EXPECT_EQ(outcome_of({}, std::nullopt), Outcome::kPass);
  EXPECT_EQ(outcome_of({"rpo"}, std::nullopt), Outcome::kFail);
  EXPECT_EQ(outcome_of({"resilience.data", "rpo"}, x), Outcome::kExpectedFailure);  // any order
  EXPECT_EQ(outcome_of({}, x), Outcome::kUnexpectedPass);
  EXPECT_EQ(outcome_of({"rpo"}, x), Outcome::kOtherFailure);
  EXPECT_EQ(outcome_of({"rpo", "resilience.data", "rto"}, x), Outcome::kOtherFailure);
  EXPECT_EQ(outcome_detail(Outcome::kOtherFailure, {"rpo", "rto"}, x),
            "resilience.data passed, rto failed (declared to fail: rpo, resilience.data)");
  EXPECT_EQ(outcome_detail(Outcome::kUnexpectedPass, {}, x),
            "rpo, resilience.data passed (declared to fail: rpo, resilience.data)");
  EXPECT_TRUE(outcome_ok(Outcome::kExpectedFailure));
  EXPECT_FALSE(outcome_ok(Outcome::kUnexpectedPass));
  EXPECT_FALSE(outcome_ok(Outcome::kOtherFailure));
  for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kExpectedFailure, Outcome::kUnexpectedPass,
                    Outcome::kOtherFailure}) {
    EXPECT_EQ(outcome_from_name(outcome_name(o)), o);
  }
}

TEST(Outcome, AssessJudgesTheDeclaration) {
  RunBuilder b(300, 10);
  b.fault(60, "restore db", "f").loss("f", 60, 500, 3600);
  scenario::Scenario s;
  s.expectations = {expect("rpo", Expectation::Op::kLe, 300), expect("rto", Expectation::Op::kLe, 900)};
  s.expected_failure = scenario::ExpectedFailure{"daily backups", {"rpo"}, {}};
  Assessment a = assess(s, b.result());
  EXPECT_FALSE(a.passed());
  EXPECT_EQ(a.failing(), std::vector<std::string>{"rpo"});
  EXPECT_EQ(a.outcome, Outcome::kExpectedFailure);
  s.expected_failure->fails = {"rpo", "rto"};
  a = assess(s, b.result());
  EXPECT_EQ(a.outcome, Outcome::kOtherFailure);
  EXPECT_EQ(a.outcome_detail, "rto passed (declared to fail: rpo, rto)");
}

}  // namespace
}  // namespace sim::check
