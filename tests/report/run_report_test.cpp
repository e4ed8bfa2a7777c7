// report.json, typed (sim/report/run_report.h): what is built from a run is what
// is written and what is read back; values are rounded once; the metric
// registry's pointers find every headline value; a malformed file never throws.
//
//   clients -> lb -> app x2 -> cache -> db (+1 replica) ; app -> jobs (queue)
#include <gtest/gtest.h>

#include "sim/report/run_report.h"
#include "sim/scenario/metrics.h"
#include "tests/check/run_builder.h"

namespace sim::report {
namespace {

const char* kTopology = R"(name: shop
components:
  lb: {kind: load_balancer, health_check: {interval: 5s, timeout: 3s, unhealthy_threshold: 3}}
  app: {kind: service, replicas: 2, service_time: 1ms}
  cache: {kind: cache, service_time: 200us}
  db: {kind: database, replicas: 1, query_time: 1ms, failover: {promote: 30s}}
  jobs: {kind: queue}
requests:
  r: {share: 100%, path: [lb, app, cache, db, jobs]}
)";

model::RunResult sample_run() {
  testing::RunBuilder b(300, 10);
  b.fault(60.1234567891, "crash app[1]", "crash app[1]").failing(60, 80, 0.5).loss("crash app[1]", 60, 3, 0.2);
  model::RunResult& r = b.result();
  r.seed = 42;
  r.generated = 30000;
  r.completed = 29900;
  r.failed = 100;
  r.failures[static_cast<std::size_t>(model::FailReason::kConnectionRefused)] = 100;
  r.throughput = 99.6666666666;
  r.error_rate = 1.0 / 300;
  r.latency = {29900, 0.0123456789, 0.01, 0.02, 0.1234567891, 0.2, 0.9};
  model::ClassStats c;
  c.name = "r";
  c.generated = 30000;
  c.completed = 29900;
  c.failed = 100;
  c.latency = r.latency;
  r.classes.push_back(c);
  for (const char* kind : {"load_balancer", "service", "cache", "database", "queue"}) {
    model::ComponentStats x;
    x.name = kind;
    x.kind = kind;
    x.instances = 2;
    x.utilization = 0.333333333;
    x.cache_hit_ratio = 0.8;
    x.replication_lag_p99 = 0.7;
    x.connections_max = 9;
    x.dead_letters = 2;
    x.queue_depth_max = 5;
    x.instance_stats.push_back({std::string(kind) + "-0", "a", 0.5, 300, 10, 0.1, 3, 0, 0, {}, ""});
    x.series.resize(30);
    r.components.push_back(x);
  }
  r.scale_events.push_back({75, "service", 2, 3, "cpu 90% > 50%"});
  return r;
}

scenario::Scenario sample_scenario() {
  scenario::Scenario s;
  s.name = "sample";
  s.file = "sample.yaml";
  s.topology_path = "topology.yaml";
  s.duration = 300;
  s.window = 10;
  scenario::Fault f;
  f.kind = scenario::Fault::Kind::kCrash;
  f.target = *scenario::parse_target_text("app[1]");
  f.name = "crash app[1]";
  s.faults.push_back(f);
  s.resilience.targets["instance"] = {15.0, std::nullopt, {}, {}};
  for (const char* m : {"latency_p99", "rto", "queue_depth_max"}) {
    scenario::Expectation e;
    e.metric = m;
    e.value = 0.5;
    e.pos.line = 7;
    s.expectations.push_back(e);
  }
  return s;
}

RunReport sample_report() {
  topology::Topology t = testing::topology_of(kTopology);
  model::RunResult r = sample_run();
  scenario::Scenario s = sample_scenario();
  return build_run_report(s, t, r, check::assess(s, r, &t));
}

TEST(RunReport, WhatIsWrittenReadsBackUnchanged) {
  RunReport rep = sample_report();
  std::string written = dump(to_json(rep));
  std::string why;
  auto back = parse_run_report(Json::parse(written), &why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(dump(to_json(*back)), written);
  EXPECT_EQ(back->expectations.size(), 3u);
  EXPECT_EQ(back->components.size(), 5u);
  EXPECT_EQ(back->components[3].connections_max, 9);
  ASSERT_EQ(back->recovery.size(), 1u);
  EXPECT_DOUBLE_EQ(*back->recovery[0].predicted_rto, 15);  // the LB's detection of a refused backend: 5 s x 3
  ASSERT_EQ(back->resilience.size(), 1u);
  EXPECT_FALSE(back->resilience[0].met);  // RTO 20 s against 15 s
}

TEST(RunReport, ValuesAreRoundedOnceToTheMicrosecond) {
  RunReport rep = sample_report();
  EXPECT_DOUBLE_EQ(rep.summary.latency.p99, 0.123457);
  EXPECT_DOUBLE_EQ(rep.summary.throughput, 99.666667);
  EXPECT_DOUBLE_EQ(rep.recovery[0].time, 60.123457);
  EXPECT_DOUBLE_EQ(rep.components[0].utilization, 0.333333);
  // The verdict is judged on the unrounded value; the row shows the rounded one.
  EXPECT_DOUBLE_EQ(*rep.expectations[0].actual_value, 0.123457);
  EXPECT_EQ(rep.expectations[0].actual, "123ms");
}

TEST(RunReport, RegistryPointersFindEveryHeadlineValue) {
  RunReport rep = sample_report();
  for (const scenario::MetricInfo* m : scenario::headline_metrics()) {
    if (m->name == "cost_per_month") continue;  // only with a pricing file: below
    EXPECT_TRUE(rep.value(*m)) << m->name << " at " << m->pointer;
  }
  // The cost is in report.json only when the topology names a pricing file.
  const scenario::MetricInfo& cost = *scenario::find_metric("cost_per_month");
  EXPECT_FALSE(rep.value(cost));
  rep.cost = model::CostEstimate{};
  rep.cost->per_month = 123.45;
  ASSERT_TRUE(rep.value(cost));
  EXPECT_DOUBLE_EQ(*rep.value(cost), 123.45);
  EXPECT_DOUBLE_EQ(*rep.value(*scenario::find_metric("latency_p99")), 0.123457);
  EXPECT_DOUBLE_EQ(*rep.value(*scenario::find_metric("generated")), 30000);
  // Metrics without a field of their own come from their expectation row.
  EXPECT_DOUBLE_EQ(*rep.value(*scenario::find_metric("queue_depth_max")), 5);
  EXPECT_FALSE(rep.value(*scenario::find_metric("availability")));  // neither a field nor an expectation here
}

TEST(RunReport, AReportOfAnotherShapeNeverThrows) {
  // Missing sections default; fields of the wrong type read as their defaults.
  auto r = parse_run_report(Json::parse(R"({"scenario": {"name": "old", "seed": "x"}, "summary": {"latency": 5},
      "expectations": [{"metric": "rto", "verdict": "PASS", "actual_value": "fast"}], "recovery": [{"rto": "soon"}],
      "resilience": [{"worst_rto": "not recovered", "verdict": "breached"}], "components": "none"})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->scenario.name, "old");
  EXPECT_EQ(r->scenario.seed, 0u);
  EXPECT_TRUE(r->expectations[0].pass);
  EXPECT_FALSE(r->expectations[0].actual_value);
  EXPECT_FALSE(r->recovery[0].rto);
  EXPECT_TRUE(r->resilience[0].unrecovered);
  EXPECT_FALSE(r->resilience[0].met);
  EXPECT_TRUE(r->components.empty());
  EXPECT_TRUE(r->passed);  // every expectation passed
  std::string why;
  EXPECT_FALSE(read_run_report("/nonexistent/report.json", &why));
  EXPECT_EQ(why, "cannot read /nonexistent/report.json: no such file");
}

}  // namespace
}  // namespace sim::report
