// RTO and RPO measured from hand-built runs, predicted from topologies, and
// assessed per disruption class (sim/check/recovery.h). Every expected value is
// computed by hand from the windows the test writes.
//
//   clients -> lb (checks 5s x 3 + 3s) -> app x2 -> db (primary + 1 async replica, failover 30s, TTL 20s)
#include <gtest/gtest.h>

#include "sim/check/recovery.h"
#include "tests/check/run_builder.h"

namespace sim::check {
namespace {

using testing::RunBuilder;

const char* kTopology = R"(name: shop
regions: {r1: {zones: [a, b]}}
components:
  lb: {kind: load_balancer, zones: [a, b], replicas: 2,
       health_check: {interval: 5s, timeout: 3s, unhealthy_threshold: 3}}
  app: {kind: service, zones: [a, b], replicas: 2, boot_time: 30s, service_time: 1ms}
  db:
    kind: database
    zones: [a, b]
    replicas: 1
    query_time: 1ms
    replication: {mode: async, lag: 200ms}
    failover: {health_check: {interval: 5s, timeout: 3s, unhealthy_threshold: 3}, promote: 30s, dns_ttl: 20s}
    backup: {interval: 6h, size: 36GB, restore_rate: 100MB/s}
requests:
  r: {share: 100%, path: [lb, app, db]}
)";

scenario::Fault crash(const std::string& text, const std::string& name, double length = 0) {
  scenario::Fault f;
  f.kind = scenario::Fault::Kind::kCrash;
  f.target = *scenario::parse_target_text(text);
  f.length = length;
  f.name = name;
  return f;
}

scenario::Scenario scenario_of(std::vector<scenario::Fault> faults) {
  scenario::Scenario s;
  s.duration = 300;
  s.window = 10;
  s.faults = std::move(faults);
  return s;  // recovery threshold 99 %, stabilization 1 min: the defaults
}

TEST(MeasuredRto, IsTheStartOfTheFirstWindowThatStaysRecovered) {
  // Windows [60, 80) lose half their requests; from 80 on every window is clean for 60 s (80 + 60 <= 300).
  RunBuilder b(300, 10);
  b.fault(60, "crash db.primary", "f").failing(60, 80, 0.5);
  RecoverySummary rec = summarize_recovery(scenario_of({}), b.result());
  ASSERT_EQ(rec.faults.size(), 1u);
  ASSERT_TRUE(rec.faults[0].rto);
  EXPECT_DOUBLE_EQ(*rec.faults[0].rto, 20);
  EXPECT_DOUBLE_EQ(*rec.faults[0].dip_start, 60);
  EXPECT_DOUBLE_EQ(*rec.worst_rto, 20);
  EXPECT_FALSE(rec.unrecovered);
}

TEST(MeasuredRto, ZeroWhenNoWindowDips) {
  RunBuilder b(300, 10);
  b.fault(60, "crash app[1]", "f");
  RecoverySummary rec = summarize_recovery(scenario_of({}), b.result());
  ASSERT_TRUE(rec.faults[0].rto);
  EXPECT_DOUBLE_EQ(*rec.faults[0].rto, 0);
  EXPECT_FALSE(rec.faults[0].dip_start);
}

TEST(MeasuredRto, ADipInsideTheStabilizationRestartsIt) {
  // Bad at [60, 70) and [100, 110): the clean stretch 70..100 is only 30 s; recovered from 110 (RTO 50 s).
  RunBuilder b(300, 10);
  b.fault(60, "crash app", "f").failing(60, 70, 0.5).failing(100, 110, 0.02);
  RecoverySummary rec = summarize_recovery(scenario_of({}), b.result());
  ASSERT_TRUE(rec.faults[0].rto);
  EXPECT_DOUBLE_EQ(*rec.faults[0].rto, 50);
}

TEST(MeasuredRto, AFaultInsideAWindowCountsThatWindow) {
  // The fault at 65 s falls in the window [60, 70), which dips; recovered from 70: 5 s.
  RunBuilder b(300, 10);
  b.fault(65, "crash app", "f").failing(60, 70, 0.5);
  RecoverySummary rec = summarize_recovery(scenario_of({}), b.result());
  ASSERT_TRUE(rec.faults[0].rto);
  EXPECT_DOUBLE_EQ(*rec.faults[0].rto, 5);
}

TEST(MeasuredRto, NotRecoveredWhenTheStabilizationDoesNotFitTheRun) {
  // Clean from 250 on, but 250 + 60 s > 300 s: never shown stable.
  RunBuilder b(300, 10);
  b.fault(60, "crash app", "f").failing(60, 250, 0.5);
  RecoverySummary rec = summarize_recovery(scenario_of({}), b.result());
  EXPECT_FALSE(rec.faults[0].rto);
  EXPECT_TRUE(rec.unrecovered);
  EXPECT_FALSE(rec.worst_rto);
  // A shorter stabilization fits: 250 + 30 <= 300.
  scenario::Scenario s = scenario_of({});
  s.resilience.stabilization = 30;
  RecoverySummary shorter = summarize_recovery(s, b.result());
  ASSERT_TRUE(shorter.faults[0].rto);
  EXPECT_DOUBLE_EQ(*shorter.faults[0].rto, 190);
}

TEST(MeasuredRto, TheThresholdDecidesWhatADipIs) {
  // 98 % success is a dip at the default 99 %, not at 95 %.
  RunBuilder b(300, 10);
  b.fault(60, "crash app", "f").failing(60, 90, 0.02);
  EXPECT_DOUBLE_EQ(*summarize_recovery(scenario_of({}), b.result()).faults[0].rto, 30);
  scenario::Scenario lax = scenario_of({});
  lax.resilience.recovery_threshold = 0.95;
  EXPECT_DOUBLE_EQ(*summarize_recovery(lax, b.result()).faults[0].rto, 0);
}

TEST(MeasuredRpo, LossesBelongToTheirFaultAndAddUp) {
  RunBuilder b(300, 10);
  b.fault(60, "crash db.primary", "f").fault(200, "restore db", "g");
  b.loss("f", 60, 20, 0.2).loss("g", 200, 700, 3600).loss("g", 201, 5, 10);
  RecoverySummary rec = summarize_recovery(scenario_of({}), b.result());
  ASSERT_EQ(rec.faults.size(), 2u);
  EXPECT_DOUBLE_EQ(rec.faults[0].rpo, 0.2);
  EXPECT_EQ(rec.faults[0].writes_lost, 20u);
  EXPECT_DOUBLE_EQ(rec.faults[1].rpo, 3600);  // the worst of its two losses
  EXPECT_EQ(rec.faults[1].writes_lost, 705u);
  EXPECT_DOUBLE_EQ(rec.worst_rpo, 3600);
  EXPECT_EQ(rec.writes_lost, 725u);
}

TEST(Prediction, DatabaseFailoverIsDetectionPlusPromotionPlusTtl) {
  topology::Topology t = testing::topology_of(kTopology);
  Prediction p = predict(t, crash("db.primary", "f"));
  // Detection 5 s x 3 + 3 s = 18 s; + 30 s promotion + 20 s TTL = 68 s. Async lag constant 200 ms: p99 200 ms.
  ASSERT_TRUE(p.rto);
  EXPECT_DOUBLE_EQ(*p.rto, 68);
  ASSERT_TRUE(p.rpo);
  EXPECT_DOUBLE_EQ(*p.rpo, 0.2);
  EXPECT_EQ(p.disruption, "instance");
  EXPECT_EQ(p.explanation,
            "health checks every 5s x 3 failures + 3s timeout = 18s + promotion 30s + DNS TTL 20s = 1m8s; async "
            "replication: writes younger than the lag are lost (p99 200ms)");
}

TEST(Prediction, InstanceBehindHealthChecksAndWholeComponents) {
  topology::Topology t = testing::topology_of(kTopology);
  Prediction one = predict(t, crash("app[1]", "f"));
  ASSERT_TRUE(one.rto);
  EXPECT_DOUBLE_EQ(*one.rto, 18);  // until the LB marks it down
  EXPECT_FALSE(one.rpo);
  // Every instance down for 2 min: back after the fault plus the boot time.
  Prediction all = predict(t, crash("app", "f", 120));
  ASSERT_TRUE(all.rto);
  EXPECT_DOUBLE_EQ(*all.rto, 150);
  // ... and never, when the fault lasts until the end.
  EXPECT_FALSE(predict(t, crash("app", "f")).rto);
  // A replica: reads move at once.
  EXPECT_DOUBLE_EQ(*predict(t, crash("db.replica", "f")).rto, 0);
  // Every database server at once: nothing to fail over to (it predicted the failover time).
  Prediction whole = predict(t, crash("db", "f"));
  EXPECT_FALSE(whole.rto);
  EXPECT_EQ(whole.explanation, "every instance of db is down: no replica is left to promote");
  EXPECT_DOUBLE_EQ(*predict(t, crash("db", "f", 300)).rto, 300);
  // A cache that is down is a miss, served by the database: nothing fails (one node or all).
  topology::Topology ct = testing::topology_of(R"(name: cached
components:
  app: {kind: service, service_time: 1ms}
  cache: {kind: cache, nodes: 2, service_time: 200us}
  db: {kind: database, query_time: 1ms}
requests:
  r: {share: 100%, path: [app, cache, db]}
)");
  EXPECT_DOUBLE_EQ(*predict(ct, crash("cache", "f")).rto, 0);
  EXPECT_DOUBLE_EQ(*predict(ct, crash("cache[1]", "f")).rto, 0);
}

TEST(Prediction, RestoreIsSizeOverRateAndLosesABackupInterval) {
  topology::Topology t = testing::topology_of(kTopology);
  scenario::Fault f;
  f.kind = scenario::Fault::Kind::kRestore;
  f.target.component = "db";
  Prediction p = predict(t, f);
  EXPECT_EQ(p.disruption, "data");
  EXPECT_DOUBLE_EQ(*p.rto, 360);  // 36 GB at 100 MB/s
  EXPECT_DOUBLE_EQ(*p.rpo, 6 * 3600.0);
}

TEST(Prediction, ZoneLossIsTheWorstComponent) {
  topology::Topology t = testing::topology_of(kTopology);
  // Zone a holds lb[0], app[0] and the primary: the database fails over (68 s) — the worst.
  scenario::Fault a = crash("app", "f");
  a.target = {};
  a.target.zone = "a";
  Prediction pa = predict(t, a);
  EXPECT_EQ(pa.disruption, "zone");
  EXPECT_DOUBLE_EQ(*pa.rto, 68);
  EXPECT_DOUBLE_EQ(*pa.rpo, 0.2);
  EXPECT_EQ(pa.explanation, "db fails over in 1m8s");
  // Zone b holds lb[1], app[1] and the replica: only the LB's detection of app[1] (18 s).
  scenario::Fault b = a;
  b.target.zone = "b";
  Prediction pb = predict(t, b);
  EXPECT_DOUBLE_EQ(*pb.rto, 18);
  EXPECT_EQ(pb.explanation, "every component has instances elsewhere; health checks move traffic");
}

TEST(ResilienceAssessment, JudgesEachClassOnItsWorstFault) {
  topology::Topology t = testing::topology_of(kTopology);
  scenario::Scenario s = scenario_of({crash("app[1]", "crash app[1]")});
  s.resilience.targets["instance"] = {15.0, 300.0};
  s.resilience.targets["zone"] = {60.0, std::nullopt};
  RunBuilder b(300, 10);
  b.fault(60, "crash app[1]", "crash app[1]").failing(60, 80, 0.5);
  RecoverySummary rec = summarize_recovery(s, b.result(), &t);
  ASSERT_EQ(rec.faults.size(), 1u);
  EXPECT_DOUBLE_EQ(*rec.faults[0].predicted.rto, 18);
  ASSERT_EQ(rec.assessment.size(), 2u);
  const ClassAssessment& inst = rec.assessment[0];
  EXPECT_EQ(inst.disruption, "instance");
  EXPECT_FALSE(inst.met);  // RTO 20 s > 15 s
  EXPECT_EQ(inst.detail, "1 fault(s): worst RTO 20s, worst RPO 0s");
  const ClassAssessment& zone = rec.assessment[1];
  EXPECT_EQ(zone.disruption, "zone");
  EXPECT_TRUE(zone.met);
  EXPECT_EQ(zone.detail, "no fault of this class in the scenario");
  // The same run against a 20 s target: met (the boundary counts).
  s.resilience.targets["instance"] = {20.0, std::nullopt};
  EXPECT_TRUE(summarize_recovery(s, b.result(), &t).assessment[0].met);
}

TEST(ResilienceAssessment, UnrecoveredBreachesAnRtoTarget) {
  topology::Topology t = testing::topology_of(kTopology);
  scenario::Scenario s = scenario_of({crash("app", "crash app")});
  s.resilience.targets["instance"] = {3600.0, std::nullopt};
  RunBuilder b(300, 10);
  b.fault(60, "crash app", "crash app").failing(60, 300, 1.0);
  RecoverySummary rec = summarize_recovery(s, b.result(), &t);
  ASSERT_EQ(rec.assessment.size(), 1u);
  EXPECT_TRUE(rec.assessment[0].unrecovered);
  EXPECT_FALSE(rec.assessment[0].met);
  EXPECT_EQ(rec.assessment[0].detail, "1 fault(s): worst RTO not recovered, worst RPO 0s");
}

}  // namespace
}  // namespace sim::check
