// `infrasim capacity` end to end: the simulated search against queueing
// cases with a known answer, and the command's exit codes and outputs.
//
//   M/M/c (scale: cores):   clients --Poisson(λ)--> [ FCFS queue ] --> srv: c cores, c workers, Exp(μ)
//   c × M/M/1 (replicas):   clients --Poisson(λ)--> lb (random) --> srv[0..c-1]: 1 core, 1 worker each, Exp(μ)
//
// No latency anywhere but the service, so a request's latency is its response time.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/model/queueing.h"
#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

const char* kMmcTopology = R"(name: mmc
clients: {latency: 0}
network: {intra_zone_latency: 0}
components:
  srv: {kind: service, replicas: 1, cores: 1, workers: 1, queue_limit: 0, timeout: 100d,
        service_time: {exponential: {mean: 10ms}}}
requests:
  r: {share: 100%, path: [srv]}
)";

const char* kSplitTopology = R"(name: split
clients: {latency: 0}
network: {intra_zone_latency: 0}
components:
  lb: {kind: load_balancer, algorithm: random, latency: 0}
  srv: {kind: service, replicas: 1, cores: 1, workers: 1, queue_limit: 0, timeout: 100d,
        service_time: {exponential: {mean: 10ms}}}
requests:
  r: {share: 100%, path: [lb, srv]}
)";

// A scenario with a p99 target; the plan replaces its load.
std::string scenario_text(const std::string& p99) {
  return fmt::format("name: q\ntopology: topo.yaml\nduration: 80s\nwarmup: 5s\nseed: 7\nload: {{constant: 1/s}}\n"
                     "expect:\n  latency_p99: {}\n",
                     p99);
}

// `users` users at 1 request/s each: the load is `users` requests/s.
std::string plan_text(int users, const std::string& scale, int planned) {
  return fmt::format(R"(name: q
horizons: [now]
growth: {{users: {{current: {}, yearly: 1x}}}}
requests: {{per_user: 1/s}}
tiers:
  srv: {{component: srv, scale: {}}}
plan:
  0: {{srv: {}}}
scenario: s.yaml
simulate: {{max_servers: 40}}
)",
                     users, scale, planned);
}

struct Result {
  testing::RunOutput run;
  nlohmann::json report;
};

Result capacity(const std::string& name, const std::string& topo, const std::string& scenario,
                const std::string& plan, const std::vector<std::string>& extra = {}) {
  std::string dir = testing::temp_dir(name);
  testing::write_file(dir + "/topo.yaml", topo);
  testing::write_file(dir + "/s.yaml", scenario);
  testing::write_file(dir + "/plan.yaml", plan);
  std::vector<std::string> args = {"capacity", dir + "/plan.yaml", "--out", dir + "/out", "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  Result r;
  r.run = testing::run_infrasim(args);
  std::string json = testing::read_file(dir + "/out/capacity.json");
  if (!json.empty()) r.report = nlohmann::json::parse(json);
  return r;
}

TEST(CapacitySearch, MmcTierMatchesErlangC) {
  // λ = 800/s, μ = 100/s (10 ms), p99 target 56 ms. Erlang C: 9 servers give a p99 of 62.3 ms,
  // 10 give 49.5 ms, so the target sits 10 % away from both answers.
  const double lambda = 800, mu = 100, target = 0.056;
  const int expected = model::mmc_min_servers(lambda, mu, 0.99, target, 100);
  ASSERT_EQ(expected, 10);
  ASSERT_GT(model::mmc_response_quantile(expected - 1, lambda, mu, 0.99), 1.08 * target);
  ASSERT_LT(model::mmc_response_quantile(expected, lambda, mu, 0.99), 0.92 * target);

  Result r = capacity("cap-mmc", kMmcTopology, scenario_text("56ms"), plan_text(800, "cores", 12));
  ASSERT_EQ(r.run.exit_code, 0) << r.run.out << r.run.err;  // 12 planned >= 12 analytic, 10 simulated
  const auto& t = r.report["horizons"][0]["tiers"][0];
  // The analytic start: 800/s × 10 ms = 8 cores at 70 % headroom = 11.4 -> 12.
  EXPECT_EQ(t["by"]["load"], 12);
  EXPECT_EQ(t["simulated"]["start"], 12);
  EXPECT_EQ(t["simulated"]["servers"], expected) << r.report["horizons"][0]["simulation"]["log"].dump(1);
  EXPECT_EQ(t["simulated"]["below"]["servers"], expected - 1);
  // 12 passes, 11 passes, 9 fails (gallop), 10 passes (bisect).
  EXPECT_EQ(r.report["simulation"]["runs"], 4);
}

TEST(CapacitySearch, RandomSplitReplicasMatchMm1) {
  // λ = 300/s split at random over c replicas: each is M/M/1 with arrival rate 300/c, and its
  // response time is exponential with rate μ − λ/c, so p99 = ln(100) / (μ − λ/c):
  //   c = 5: 4.60517 / (100 − 60) = 115.1 ms      c = 6: 4.60517 / (100 − 50) = 92.1 ms
  // With a target of 103 ms the smallest c is 6 (10 % margin both ways).
  EXPECT_NEAR(model::mmc_response_quantile(1, 300.0 / 5, 100, 0.99), 0.11513, 1e-4);
  EXPECT_NEAR(model::mmc_response_quantile(1, 300.0 / 6, 100, 0.99), 0.09210, 1e-4);
  Result r = capacity("cap-split", kSplitTopology, scenario_text("103ms"), plan_text(300, "replicas", 4));
  ASSERT_EQ(r.run.exit_code, 1) << r.run.out << r.run.err;  // 4 planned < 6 simulated
  const auto& t = r.report["horizons"][0]["tiers"][0];
  // Analytic: 300/s × 10 ms = 3 cores / 70 % = 4.3 -> 5 replicas; too few for the p99.
  EXPECT_EQ(t["by"]["load"], 5);
  EXPECT_EQ(t["simulated"]["servers"], 6) << r.report["horizons"][0]["simulation"]["log"].dump(1);
  EXPECT_EQ(t["simulated"]["status"], "short");
  EXPECT_EQ(t["status"], "short");  // 4 < 5 analytic too
  EXPECT_NE(t["simulated"]["explanation"].get<std::string>().find("1 more than the analytic 5"), std::string::npos)
      << t["simulated"]["explanation"];
  ASSERT_EQ(r.report["simulated_shortfalls"].size(), 1u);
  EXPECT_EQ(r.report["simulated_shortfalls"][0]["required"], 6);
}

// Data-tier dimensions, against answers known without Che's approximation:
//   memory:  clients -> app -> cache (LRU, 10,000 keys of 1 KB, uniform) -> db
//            Uniform popularity: an LRU cache holding C of K keys hits C/K. A 45 % target
//            needs 4,500 objects: 5 steps of 1 MB (50 %); 4 steps give 40 %.
//   shards:  clients -> app -> db (1 core per shard, Exp(5 ms) queries, 100,000 uniform users)
//            480 queries/s = 2.4 busy cores over N shards: 3 shards are 80 % busy (above the 70 %
//            headroom), 4 are 60 %.
const char* kLruTopology = R"(name: lru
clients: {latency: 0}
network: {intra_zone_latency: 0}
components:
  app: {kind: service, cores: 8, workers: 64, timeout: 100d, service_time: 100us}
  cache: {kind: cache, memory: 100MB, keys: {r: {count: 10000, size: 1KB}}, service_time: 10us}
  db: {kind: database, cores: 8, max_connections: 1000, pool: {max: 200}, query_time: 1ms}
requests:
  r: {share: 100%, path: [app, cache, db]}
)";

const char* kShardTopology = R"(name: shards
clients: {latency: 0}
network: {intra_zone_latency: 0}
users: {count: 100000}
components:
  app: {kind: service, cores: 16, workers: 512, timeout: 100d, service_time: 100us}
  db: {kind: database, cores: 1, max_connections: 1000, pool: {max: 500},
       query_time: {exponential: {mean: 5ms}}}
requests:
  r: {share: 100%, path: [app, db]}
)";

std::string dimension_plan(int users, const std::string& rate, const std::string& dimension) {
  return fmt::format(R"(name: d
horizons: [now]
growth: {{users: {{current: {}, yearly: 1x}}}}
requests: {{per_user: {}}}
tiers:
  app: {{component: app}}
dimensions:
  {}
scenario: s.yaml
simulate: {{max_servers: 40}}
)",
                     users, rate, dimension);
}

TEST(CapacitySearch, CacheMemoryMatchesUniformLru) {
  Result r = capacity("cap-lru", kLruTopology, scenario_text("1s"),
                      dimension_plan(200, "1/s", "mem: {component: cache, memory: {step: 1MB}, hit_ratio: 45%}"));
  ASSERT_EQ(r.run.exit_code, 0) << r.run.out << r.run.err;
  const auto& d = r.report["horizons"][0]["dimensions"][0];
  EXPECT_EQ(d["units"], 5) << r.report["horizons"][0]["simulation"]["log"].dump(1);
  EXPECT_EQ(d["text"], "4.768MiB");  // 5 MB
  EXPECT_NEAR(d["at"]["hit_ratio"].get<double>(), 0.50, 0.02);
  EXPECT_EQ(d["below"]["text"], "3.815MiB");  // 4 MB
  EXPECT_NEAR(d["below"]["hit_ratio"].get<double>(), 0.40, 0.02);
}

TEST(CapacitySearch, ShardCountKeepsTheHottestShardUnderItsHeadroom) {
  Result r = capacity("cap-shards", kShardTopology, scenario_text("10s"),
                      dimension_plan(100000, "0.0048/s", "shards: {component: db, shards: {}}"));
  ASSERT_EQ(r.run.exit_code, 0) << r.run.out << r.run.err;
  const auto& d = r.report["horizons"][0]["dimensions"][0];
  EXPECT_EQ(d["units"], 4) << r.report["horizons"][0]["simulation"]["log"].dump(1);
  EXPECT_NEAR(d["at"]["busiest_utilization"].get<double>(), 0.60, 0.04);
  EXPECT_NEAR(d["below"]["busiest_utilization"].get<double>(), 0.80, 0.04);
  EXPECT_EQ(d["target"], "hottest shard <= 70% CPU");
}

TEST(CapacityCommand, AnalyticPlanThatHoldsExitsZero) {
  std::string dir = testing::temp_dir("cap-holds");
  // 1,000 users × 0.01 core = 10 cores / (8 × 70 %) = 1.8 -> 2 servers; 3 planned.
  testing::write_file(dir + "/p.yaml", "horizons: [now, 12]\ngrowth: {users: {current: 1000, yearly: 1x}}\n"
                                       "per_user: {cpu: 0.01}\ntiers: {web: {carries: {cpu: 100%}}}\n"
                                       "plan: {0: {web: 3}}\n");
  auto r = testing::run_infrasim({"capacity", dir + "/p.yaml", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("the plan holds at every horizon"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir + "/out/capacity.md"));
  auto j = nlohmann::json::parse(testing::read_file(dir + "/out/capacity.json"));
  EXPECT_EQ(j["holds"], true);
  EXPECT_EQ(j["horizons"][1]["tiers"][0]["required"], 2);
  EXPECT_EQ(j["horizons"][1]["tiers"][0]["gap"], 1);
  EXPECT_TRUE(j["simulation"].is_null());
}

TEST(CapacityCommand, SeedPlanFallsShortWithoutSimulating) {
  std::string dir = testing::temp_dir("cap-seed");
  auto r = testing::run_infrasim({"capacity", "scenarios/plans/seed-002.yaml", "--no-simulate", "--out", dir});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("The plan first falls short now: web needs 715 servers (analytic), the plan has 5."),
            std::string::npos)
      << r.out;
  std::string md = testing::read_file(dir + "/capacity.md");
  EXPECT_NE(md.find("## What the plan's own numbers imply"), std::string::npos);
  EXPECT_NE(md.find("| web | 5 | 715 | — | — | 2 | 715 (cpu) | -710 |"), std::string::npos) << md;
}

TEST(CapacityCommand, BadPlanExitsTwoAndWritesNothing) {
  std::string dir = testing::temp_dir("cap-bad");
  testing::write_file(dir + "/p.yaml", "horizons: [now]\ngrowth: {users: {current: 1, yearly: 1x}}\n"
                                       "tiers: {web: {min: many}}\n");
  auto r = testing::run_infrasim({"capacity", dir + "/p.yaml", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("p.yaml:3:20: error: invalid whole number 'many'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/out"));
}

}  // namespace
}  // namespace sim
