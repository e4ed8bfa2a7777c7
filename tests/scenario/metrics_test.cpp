// The metric registry (sim/scenario/metrics.h): one consistent row per metric,
// every expectation metric measurable by check::assess, one value format.
#include <gtest/gtest.h>

#include <set>

#include "sim/check/expectations.h"
#include "sim/scenario/metrics.h"
#include "tests/check/run_builder.h"

namespace sim::scenario {
namespace {

TEST(MetricRegistry, RowsAreConsistent) {
  std::set<std::string_view> names;
  std::set<int> ranks;
  for (const MetricInfo& m : metric_table()) {
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate " << m.name;
    EXPECT_FALSE(m.meaning.empty()) << m.name;
    if (m.headline > 0) {
      EXPECT_TRUE(ranks.insert(m.headline).second) << "duplicate headline column " << m.headline;
      EXPECT_FALSE(m.pointer.empty()) << m.name << ": a headline metric is read back from report.json";
    }
    if (m.measure == Measure::kLatency) {
      EXPECT_EQ(m.unit, Unit::kDuration) << m.name;
    }
  }
  // Headline columns are 1..N, in the order compare, Monte Carlo and sweep print them.
  std::vector<std::string_view> columns;
  for (const MetricInfo* m : headline_metrics()) columns.push_back(m->name);
  EXPECT_EQ(columns, (std::vector<std::string_view>{"throughput", "error_rate", "latency_mean", "latency_p50",
                                                    "latency_p90", "latency_p95", "latency_p99", "latency_p999",
                                                    "latency_max",
                                                    "generated", "completed", "failed", "cost_per_month"}));
  EXPECT_EQ(*ranks.rbegin(), static_cast<int>(ranks.size()));
  EXPECT_EQ(expectation_names().front(), "latency_p50");
  EXPECT_TRUE(lower_is_better(*find_metric("latency_p99")));
  EXPECT_FALSE(lower_is_better(*find_metric("throughput")));
  EXPECT_EQ(find_metric("latency_p95")->latency, LatencyStat::kP95);
}

TEST(MetricRegistry, AnyPercentileIsAMetric) {
  const MetricInfo* m = find_metric("latency_p99.99");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "latency_p99.99");
  EXPECT_EQ(m->latency, LatencyStat::kQuantile);
  EXPECT_DOUBLE_EQ(m->quantile, 0.9999);
  EXPECT_EQ(m->title, "latency p99.99");
  EXPECT_TRUE(m->per_class);
  EXPECT_EQ(m->unit, Unit::kDuration);
  EXPECT_EQ(find_metric("latency_p99.99"), m);  // made once; the pointer stays valid
  EXPECT_DOUBLE_EQ(find_metric("latency_p75")->quantile, 0.75);
  EXPECT_DOUBLE_EQ(find_metric("latency_p0.1")->quantile, 0.001);
  for (const char* bad : {"latency_p100", "latency_p0", "latency_p", "latency_p99.", "latency_p.5", "latency_p9x",
                          "latency_p-5", "latency_p1e1", "latency_p99.9.9", "latency_p00"}) {
    EXPECT_FALSE(find_metric(bad)) << bad;
    EXPECT_TRUE(looks_like_percentile(bad)) << bad;
  }
  EXPECT_FALSE(looks_like_percentile("latency_mean"));
}

TEST(MetricRegistry, EveryExpectationMetricIsMeasured) {
  // A run with a fault, autoscaling and traffic: each metric gets a value, or says why not.
  testing::RunBuilder b(300, 10);
  b.fault(60, "crash app", "f").failing(60, 80, 0.5);
  model::RunResult& r = b.result();
  r.latency.count = 1000;
  model::ComponentStats app;
  app.name = "app";
  app.series.resize(30);
  r.components.push_back(app);
  Scenario s;
  s.duration = 300;
  s.window = 10;
  Autoscaler a;
  a.component = "app";
  a.policy = HpaSpec{};
  s.autoscaling.push_back(a);
  for (const std::string& name : expectation_names()) {
    Expectation e;
    e.metric = name;
    s.expectations.push_back(e);
  }
  check::Assessment as = check::assess(s, r);
  ASSERT_EQ(as.verdicts.size(), expectation_names().size());
  for (const auto& v : as.verdicts) {
    EXPECT_TRUE(v.actual.has_value() || !v.note.empty()) << v.expectation.metric;
    EXPECT_NE(v.note, "unknown metric") << v.expectation.metric;
  }
}

TEST(MetricRegistry, OneFormatPerUnit) {
  EXPECT_EQ(format_value(Unit::kDuration, 0.512), "512ms");
  EXPECT_EQ(format_value(Unit::kRatio, 0.012), "1.2%");
  EXPECT_EQ(format_value(Unit::kRate, 450), "450/s");
  EXPECT_EQ(format_value(Unit::kCount, 3), "3");
  EXPECT_EQ(format_value(Unit::kCount, 3.25), "3.25");    // a mean over runs
  EXPECT_EQ(format_value(Unit::kCount, 1234.6), "1235");  // large: whole
  EXPECT_EQ(format_value(Unit::kNumber, 12.3456), "12.35");
  EXPECT_EQ(format_value(Unit::kBool, 1), "true");
  EXPECT_EQ(format_value(Unit::kDuration, std::nan("")), "n/a");
  // Files name units; an unknown name formats as a number.
  for (Unit u : {Unit::kDuration, Unit::kRatio, Unit::kRate, Unit::kCount, Unit::kNumber, Unit::kBool}) {
    EXPECT_EQ(unit_from_name(unit_name(u)), u);
  }
  EXPECT_EQ(format_value("duration", 90), "1m30s");
  EXPECT_EQ(format_value("furlongs", 2.5), "2.5");
}

}  // namespace
}  // namespace sim::scenario
