// The replica search against fake evaluators with known answers (no
// simulation): which candidates it tries, in which rounds, and how many runs
// it needs; and reading a run's report.json into an Outcome.
#include <gtest/gtest.h>

#include <functional>

#include "sim/capacity/search.h"

namespace sim::capacity {
namespace {

// An evaluator that passes when `ok(counts)` and reports utilization 5 / count per tier.
struct Fake {
  std::function<bool(const std::vector<int>&)> ok;
  std::vector<std::vector<int>> tried;
  std::vector<std::size_t> batch_sizes;
  Evaluate evaluate() {
    return [this](const std::vector<Candidate>& batch) {
      batch_sizes.push_back(batch.size());
      std::vector<Outcome> out;
      for (const auto& c : batch) {
        tried.push_back(c.counts);
        Outcome o;
        o.ran = true;
        o.pass = ok(c.counts);
        if (!o.pass) o.misses.push_back("latency_p99 1s (expected <= 500ms)");
        for (int n : c.counts) {
          TierObservation t;
          t.found = true;
          t.utilization = n > 0 ? 5.0 / n : 0;
          o.tiers.push_back(t);
        }
        out.push_back(o);
      }
      return out;
    };
  }
};

TEST(Search, GallopsDownFromTheAnalyticStart) {
  // Passes iff web >= 7 and db >= 3; the analytic start is (8, 3).
  Fake f{[](const std::vector<int>& c) { return c[0] >= 7 && c[1] >= 3; }, {}, {}};
  SearchInput in{{{8, 3}}, {1, 1}, {true, true}, 100};
  SearchResult r = search(in, {"web", "db"}, f.evaluate());
  ASSERT_EQ(r.horizons.size(), 1u);
  const HorizonAnswer& a = r.horizons[0];
  EXPECT_TRUE(a.feasible);
  EXPECT_EQ(a.counts, (std::vector<int>{7, 3}));
  // Round 1: the start (8,3) passes. Round 2: web 7, db 2. Round 3: web 7 passed, so the
  // step doubles: web 5 (db 2 failed: db is done at 3). Round 4: web 5 failed, bisect (5, 7]: 6.
  // The combination (7,3) was already run in round 2.
  EXPECT_EQ(f.tried, (std::vector<std::vector<int>>{{8, 3}, {7, 3}, {8, 2}, {5, 3}, {6, 3}}));
  EXPECT_EQ(f.batch_sizes, (std::vector<std::size_t>{1, 2, 1, 1}));
  EXPECT_EQ(r.runs, 5);
  EXPECT_EQ(r.rounds, 4);
  EXPECT_EQ(a.runs, 5);
  EXPECT_EQ(a.tiers[0].start, 8);
  EXPECT_EQ(a.tiers[0].below_count, 6);
  ASSERT_TRUE(a.tiers[0].below);
  EXPECT_FALSE(a.tiers[0].below->pass);
  EXPECT_EQ(a.tiers[1].below_count, 2);
  EXPECT_EQ(a.log.size(), 5u);
  EXPECT_EQ(a.log[0], "round 1: web=8 db=3: passed");
}

TEST(Search, BracketsUpwardWhenTheStartFails) {
  // Passes iff n >= 13; start 4: 4, 8 fail, 16 passes; then 15, 13 pass (gallop 1, 2),
  // 9 fails (gallop 4), bisect (9, 13]: 11, 12 fail -> 13.
  Fake f{[](const std::vector<int>& c) { return c[0] >= 13; }, {}, {}};
  SearchResult r = search({{{4}}, {1}, {true}, 100}, {"app"}, f.evaluate());
  EXPECT_EQ(r.horizons[0].counts, std::vector<int>{13});
  EXPECT_EQ(f.tried, (std::vector<std::vector<int>>{{4}, {8}, {16}, {15}, {13}, {9}, {11}, {12}}));
}

TEST(Search, InfeasibleAtMaxServers) {
  Fake f{[](const std::vector<int>&) { return false; }, {}, {}};
  SearchResult r = search({{{2}}, {1}, {true}, 8}, {"app"}, f.evaluate());
  EXPECT_FALSE(r.horizons[0].feasible);
  EXPECT_EQ(f.tried, (std::vector<std::vector<int>>{{2}, {4}, {8}}));
  EXPECT_EQ(r.horizons[0].final.misses.size(), 1u);
}

TEST(Search, MinimaThatDoNotHoldTogetherAreRepaired) {
  // Passes iff a + b >= 10: with the other at 6, each alone can go down to 4, but (4,4) fails.
  // Both are equally busy at (4,4) (5/4): the first gets a server; at (5,4) b is busier (5/4 > 5/5).
  Fake f{[](const std::vector<int>& c) { return c[0] + c[1] >= 10; }, {}, {}};
  SearchResult r = search({{{6, 6}}, {1, 1}, {true, true}, 100}, {"a", "b"}, f.evaluate());
  EXPECT_EQ(r.horizons[0].counts, (std::vector<int>{5, 5}));
  EXPECT_EQ(f.tried.back(), (std::vector<int>{5, 5}));
  EXPECT_EQ(f.tried[f.tried.size() - 2], (std::vector<int>{5, 4}));
  EXPECT_EQ(f.tried[f.tried.size() - 3], (std::vector<int>{4, 4}));
}

TEST(Search, HorizonsRunTogetherAndMinimaAreRespected) {
  // Two horizons; the second tier is not searched (no component) and stays 0; min 2 is never undercut.
  Fake f{[](const std::vector<int>& c) { return c[0] >= 1; }, {}, {}};
  SearchResult r = search({{{3, 0}, {2, 0}}, {2, 1}, {true, false}, 100}, {"web", "ext"}, f.evaluate());
  EXPECT_EQ(r.horizons[0].counts, (std::vector<int>{2, 0}));
  EXPECT_EQ(r.horizons[1].counts, (std::vector<int>{2, 0}));
  // Round 1 runs both horizons' starts at once; the second horizon starts at its min: 1 run.
  EXPECT_EQ(f.batch_sizes.front(), 2u);
  EXPECT_EQ(r.horizons[1].runs, 1);
  EXPECT_EQ(r.horizons[0].runs, 2);  // 3, then 2
}

TEST(SearchOutcome, ReadsAReport) {
  auto report = report::parse_run_report(report::Json::parse(R"({
    "scenario": {"name": "shop"},
    "expectations": [
      {"metric": "latency_p99", "expected": "<= 500ms", "actual": "612ms", "verdict": "FAIL"},
      {"metric": "error_rate", "expected": "<= 1%", "actual": "0.2%", "verdict": "PASS"},
      {"metric": "throughput", "expected": ">= 390/s", "actual": "800/s", "verdict": "FAIL"}],
    "summary": {"throughput": 799.5, "error_rate": 0.002, "latency": {"p99": 0.612}, "failures": {"queue_full": 12}},
    "components": [
      {"name": "app", "kind": "service", "utilization": 0.93},
      {"name": "db", "kind": "database", "utilization": 0.2, "connections_max": 100, "connections_refused": 37},
      {"name": "cache", "kind": "cache", "utilization": 0.1, "hit_ratio": 0.8}]
  })"));
  ASSERT_TRUE(report);
  Outcome o = read_outcome(&*report, {"app", "cache", ""});
  EXPECT_TRUE(o.ran);
  EXPECT_FALSE(o.pass);
  // The throughput target is not judged: the load is the horizon's, not the scenario's.
  EXPECT_EQ(o.misses, (std::vector<std::string>{"latency_p99 612ms (expected <= 500ms)",
                                                "'db' refused 37 connections (max_connections)"}));
  EXPECT_DOUBLE_EQ(o.p99, 0.612);
  EXPECT_EQ(o.failures.at("queue_full"), 12u);
  EXPECT_DOUBLE_EQ(o.tiers[0].utilization, 0.93);
  EXPECT_DOUBLE_EQ(*o.tiers[1].hit_ratio, 0.8);
  EXPECT_FALSE(o.tiers[2].found);
  EXPECT_EQ(describe_misses(o), "latency_p99 612ms (expected <= 500ms); 'db' refused 37 connections "
                                "(max_connections); failed requests: queue_full 12");
  Outcome none = read_outcome(nullptr, {"app"});
  EXPECT_FALSE(none.ran);
  EXPECT_FALSE(none.pass);
}

TEST(SearchOutcome, AMalformedReportNeverThrows) {
  // Fields of the wrong type (a hand-edited or foreign report) read as their defaults.
  auto report = report::parse_run_report(report::Json::parse(R"({
    "scenario": {"name": 3}, "summary": {"throughput": "fast", "failures": {"timeout": -1}},
    "expectations": [{"metric": 7, "verdict": "FAIL"}, "junk"],
    "components": [{"name": "db", "kind": "database", "connections_refused": "many"}, 12]})"));
  ASSERT_TRUE(report);
  Outcome o = read_outcome(&*report, {"db"});
  EXPECT_TRUE(o.ran);
  EXPECT_DOUBLE_EQ(o.throughput, 0);
  EXPECT_TRUE(o.tiers[0].found);
  EXPECT_EQ(o.tiers[0].connections_refused, 0u);
  // Not a report at all: said so.
  std::string why;
  EXPECT_FALSE(report::parse_run_report(report::Json::parse("[1, 2]"), &why));
  EXPECT_EQ(why, "not an infrasim report (no scenario and summary)");
}

}  // namespace
}  // namespace sim::capacity
