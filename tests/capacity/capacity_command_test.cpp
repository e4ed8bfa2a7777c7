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
  std::string dir;
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
  r.dir = dir;
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
  // Recommended: at 10 cores the tier is λ/(cμ) = 80 % busy, 8 busy cores; at the 70 % headroom
  // 8 / 0.7 = 11.4 -> 12 (any measured utilization in (77 %, 84 %] gives 12). N+1 = 11. 12 binds.
  const auto& rec = t["recommended"];
  EXPECT_EQ(rec["method"], "simulated");
  EXPECT_NEAR(rec["busy_cores"].get<double>(), 8.0, 0.3);
  EXPECT_EQ(rec["at_headroom"], 12);
  EXPECT_EQ(rec["n_plus_1"], 11);
  EXPECT_EQ(rec["servers"], 12);
  EXPECT_EQ(rec["binding"], "headroom");
  EXPECT_EQ(rec["status"], "holds");
  EXPECT_TRUE(r.report["verdict"].empty());
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
  EXPECT_EQ(t["status"], "short");  // 4 < 5 analytic too
  EXPECT_NE(t["simulated"]["explanation"].get<std::string>().find("1 more than the request-cost estimate (analytic 5)"),
            std::string::npos)
      << t["simulated"]["explanation"];
  // N+1 binds: 6 replicas are 300 × 10 ms / 6 = 50 % busy (3 busy cores; at the 70 % headroom 3 / 0.7 = 4.3 -> 5,
  // under the 6 the targets need), and losing one of 6 leaves 5, which failed: 6 + 1 = 7.
  const auto& rec = t["recommended"];
  EXPECT_EQ(rec["at_headroom"], 6);
  EXPECT_EQ(rec["n_plus_1"], 7);
  EXPECT_EQ(rec["servers"], 7);
  EXPECT_EQ(rec["binding"], "n+1");
  EXPECT_EQ(rec["gap"], -3);
  EXPECT_EQ(rec["status"], "short");
  EXPECT_NE(rec["reason"].get<std::string>().find("losing one of 7 leaves 6, the fewest that met the targets (5 failed:"),
            std::string::npos)
      << rec["reason"];
  ASSERT_EQ(r.report["verdict"].size(), 1u);
  EXPECT_EQ(r.report["verdict"][0]["required"], 7);
  EXPECT_EQ(r.report["verdict"][0]["binding"], "n+1");
  // The simulated verdict is the headline of every output.
  const std::string headline = "The plan first falls short now: srv needs 7 servers (n+1, simulated), the plan has 4.";
  EXPECT_NE(r.run.out.find(headline), std::string::npos) << r.run.out;
  const std::string& dir = r.dir;
  EXPECT_NE(testing::read_file(dir + "/out/capacity.md").find("**The plan falls short.** " + headline), std::string::npos);
  EXPECT_NE(testing::read_file(dir + "/out/capacity.html")
                .find("<li><b>srv</b> from now: 7 servers (n+1, simulated) needed, 4 planned — simulated N+1: losing one"),
            std::string::npos);
}

TEST(CapacitySearch, ScaleBothComparesMm1ReplicasWithOneMmcInstance) {
  // The tier of RandomSplitReplicasMatchMm1 (λ = 300/s, μ = 100/s, p99 <= 103 ms) sized both ways.
  //   out: c replicas of 1 core behind a random balancer, c × M/M/1: 6 (see above).
  //   up:  the topology's 1 instance with n cores and n workers, M/M/n: at n = 3 it is saturated
  //        (ρ = 300 / 300 = 1), at n = 4 Erlang C gives a p99 of 61 ms: 4 cores, 2 fewer than out
  //        (one queue in front of every core: pooling).
  const int up = model::mmc_min_servers(300, 100, 0.99, 0.103, 100);
  ASSERT_EQ(up, 4);
  const double p99_up = model::mmc_response_quantile(4, 300, 100, 0.99);
  EXPECT_LT(p99_up, 0.103 * 0.8);
  Result r = capacity("cap-both", kSplitTopology, scenario_text("103ms"), plan_text(300, "both", 4));
  ASSERT_EQ(r.run.exit_code, 1) << r.run.out << r.run.err;  // the out answer decides, as with replicas
  const auto& h = r.report["horizons"][0];
  EXPECT_EQ(h["tiers"][0]["simulated"]["servers"], 6);
  EXPECT_EQ(h["tiers"][0]["recommended"]["servers"], 7);
  ASSERT_EQ(h["scale_up_or_out"].size(), 1u) << h.dump(1);
  const auto& x = h["scale_up_or_out"][0];
  EXPECT_EQ(x["out"]["instances"], 6);
  EXPECT_EQ(x["out"]["cores_each"], 1);
  EXPECT_EQ(x["up"]["instances"], 1);
  EXPECT_EQ(x["up"]["cores_each"], up);
  EXPECT_EQ(x["up"]["below"]["cores_each"], up - 1);
  EXPECT_NEAR(x["up"]["p99"].get<double>(), p99_up, 0.15 * p99_up);
  EXPECT_DOUBLE_EQ(x["up"]["one_instance_share"].get<double>(), 1.0);
  // Recommended both ways (headroom 70 %, one instance lost). Horizontal: 7 (N+1, as in
  // RandomSplitReplicasMatchMm1). Vertical: the one instance needs a second for N+1, each with the
  // 4 cores one instance needed; the headroom asks for 300 × 10 ms = 3 busy cores / 0.7 / 2 = 2.1
  // -> 3 each, under 4: 2 × 4 = 8 cores, one more than 7 — pooling saved 2 cores, N+1 costs 4.
  EXPECT_EQ(x["out"]["recommended"]["instances"], 7);
  EXPECT_EQ(x["out"]["recommended"]["cores"], 7);
  EXPECT_EQ(x["up"]["recommended"]["instances"], 2);
  EXPECT_EQ(x["up"]["recommended"]["cores_each"], 4);
  EXPECT_EQ(x["up"]["recommended"]["binding"], "n+1");
  EXPECT_EQ(x["fewer_cores"], "out");
  const std::string summary = x["summary"];
  EXPECT_EQ(summary.rfind("Fewest that met the targets: vertical 1 × 4 cores (p99 ", 0), 0u) << summary;
  EXPECT_NE(summary.find("), horizontal 6 × 1 core (p99 "), std::string::npos) << summary;
  EXPECT_NE(summary.find(". At 70% CPU headroom and with one instance lost: vertical 2 × 4 cores = 8, horizontal "
                         "7 × 1 core = 7: horizontal needs 1 core fewer."),
            std::string::npos)
      << summary;
  // Both searches count in the header; each answer keeps its report.
  EXPECT_EQ(r.report["simulation"]["runs"].get<int>(),
            h["simulation"]["runs"].get<int>() + x["up"]["runs"].get<int>());
  EXPECT_TRUE(fs::exists(r.dir + "/out/runs/month-0/report.json"));
  EXPECT_TRUE(fs::exists(r.dir + "/out/runs/month-0-srv-up/report.json"));
  EXPECT_NE(testing::read_file(r.dir + "/out/capacity.md").find("## Scale up or out"), std::string::npos);
  EXPECT_NE(testing::read_file(r.dir + "/out/capacity.html").find("<h2>Scale up or out</h2>"), std::string::npos);
  EXPECT_NE(r.run.out.find("srv: Fewest that met the targets: vertical 1 × 4 cores"), std::string::npos) << r.run.out;
}

TEST(CapacitySearch, ScaleBothOnTwoInstancesSearchesTheOneLeft) {
  // λ = 240/s, μ = 100/s, p99 <= 100 ms, the tier on 2 instances (every decision 10 % or more
  // away from the target):
  //   horizontal  c × M/M/1 at 240/c: c = 4 gives 115 ms, c = 5 88.6 ms: 5; N+1 6.
  //   vertical    2 × M/M/n at 120/s each: n = 1 is saturated (ρ = 1.2), n = 2 gives 65.7 ms: 2 × 2.
  //   one lost    M/M/n at 240/s: n = 2 saturated, n = 3 84.6 ms: each instance needs 3 cores.
  // Recommended: vertical 2 × max(headroom ⌈2.4 busy / 0.7 / 2⌉ = 2, one lost 3) = 2 × 3 = 6;
  // horizontal max(headroom ⌈2.4 / 0.7⌉ = 4, N+1 6) = 6 × 1: the same 6 cores.
  ASSERT_GT(model::mmc_response_quantile(1, 60, 100, 0.99), 0.100 * 1.1);
  ASSERT_LT(model::mmc_response_quantile(1, 48, 100, 0.99), 0.100 * 0.9);
  const double p99_two = model::mmc_response_quantile(2, 120, 100, 0.99);
  ASSERT_LT(p99_two, 0.100 * 0.9);
  ASSERT_LT(model::mmc_response_quantile(3, 240, 100, 0.99), 0.100 * 0.9);
  std::string topo = kSplitTopology;
  topo.replace(topo.find("replicas: 1"), 11, "replicas: 2");
  Result r = capacity("cap-both-two", topo, scenario_text("100ms"), plan_text(240, "both", 4));
  ASSERT_EQ(r.run.exit_code, 1) << r.run.out << r.run.err;
  const auto& x = r.report["horizons"][0]["scale_up_or_out"][0];
  EXPECT_EQ(x["out"]["instances"], 5) << x.dump(1);
  EXPECT_EQ(x["up"]["instances"], 2);
  EXPECT_EQ(x["up"]["cores_each"], 2) << x.dump(1);
  EXPECT_NEAR(x["up"]["p99"].get<double>(), p99_two, 0.15 * p99_two);
  EXPECT_EQ(x["up"]["recommended"]["cores_each"], 3);
  EXPECT_EQ(x["up"]["recommended"]["binding"], "n+1");
  EXPECT_EQ(x["out"]["recommended"]["cores"], 6);
  EXPECT_EQ(x["fewer_cores"], "same");
  EXPECT_NE(x["summary"].get<std::string>().find("vertical 2 × 3 cores = 6, horizontal 6 × 1 core = 6: the same cores."),
            std::string::npos)
      << x["summary"];
}

// The same tier and load as RandomSplitReplicasMatchMm1 (6 replicas meet the targets, N+1 = 7), with a
// per-user estimate that asks for more: the recommended count is the larger, and the reason names it.
std::string split_plan(const std::string& per_user, const std::string& carries, const std::string& server, int planned) {
  return fmt::format(R"(name: q
horizons: [now]
growth: {{users: {{current: 300, yearly: 1x}}}}
requests: {{per_user: 1/s}}
per_user: {}
tiers:
  srv: {{component: srv, carries: {}, server: {}}}
plan:
  0: {{srv: {}}}
scenario: s.yaml
simulate: {{max_servers: 40}}
)",
                     per_user, carries, server, planned);
}

TEST(CapacitySearch, MemoryEstimateBindsOverTheSimulatedCount) {
  // 300 users × 100MB = 30GB of memory; at 80 % of 4GB per server: 30 / 3.2 = 9.4 -> 10 > N+1 = 7.
  // The per-user CPU (1 core each: 300 cores, 300 / (1 × 70 %) = 429 servers) is shown but not used:
  // the simulation measures the CPU the requests cost (3 busy cores).
  Result r = capacity("cap-mem", kSplitTopology, scenario_text("103ms"),
                      split_plan("{cpu: 1, memory: 100MB}", "{cpu: 100%, memory: 100%}", "{memory: 4GB}", 8));
  ASSERT_EQ(r.run.exit_code, 1) << r.run.out << r.run.err;
  const auto& t = r.report["horizons"][0]["tiers"][0];
  EXPECT_EQ(t["by"]["memory"], 10);
  EXPECT_EQ(t["by"]["cpu"], 429);
  EXPECT_EQ(t["simulated"]["servers"], 6) << r.report["horizons"][0]["simulation"]["log"].dump(1);
  const auto& rec = t["recommended"];
  EXPECT_EQ(rec["servers"], 10);
  EXPECT_EQ(rec["binding"], "memory");
  EXPECT_EQ(rec["gap"], -2);
  EXPECT_EQ(rec["reason"], "analytic memory: 30GB per-user memory at 80% of 4GB per server");
  EXPECT_NE(t["simulated"]["explanation"].get<std::string>().find(
                "the per-user CPU estimate (analytic) asks for 429: 300 cores for the users, where the simulated "
                "requests kept 3"),
            std::string::npos)
      << t["simulated"]["explanation"];
  EXPECT_NE(r.run.out.find("srv needs 10 servers (memory, analytic), the plan has 8."), std::string::npos) << r.run.out;
}

TEST(CapacitySearch, StorageEstimateBindsOverTheSimulatedCount) {
  // 300 users × 1GB = 300GB stored; at 80 % of a 40GB disk per server: 300 / 32 = 9.4 -> 10 > N+1 = 7.
  Result r = capacity("cap-sto", kSplitTopology, scenario_text("103ms"),
                      split_plan("{storage: 1GB}", "{storage: 100%}", "{disk: 40GB}", 10));
  ASSERT_EQ(r.run.exit_code, 0) << r.run.out << r.run.err;  // 10 planned = 10 recommended
  const auto& rec = r.report["horizons"][0]["tiers"][0]["recommended"];
  EXPECT_EQ(rec["n_plus_1"], 7);
  EXPECT_EQ(rec["servers"], 10);
  EXPECT_EQ(rec["binding"], "storage");
  EXPECT_EQ(rec["gap"], 0);
  EXPECT_EQ(rec["status"], "holds");
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
  EXPECT_NE(r.out.find("The plan first falls short now: web needs 715 servers (cpu, analytic), the plan has 5."),
            std::string::npos)
      << r.out;
  std::string md = testing::read_file(dir + "/capacity.md");
  EXPECT_NE(md.find("## What the plan's own numbers imply"), std::string::npos);
  EXPECT_NE(md.find("| web | 5 | 715 | — | — | 2 | — | — | — | **715** (cpu) | -710 | **short** |"), std::string::npos)
      << md;
  // 1.25TB needed with headroom, 1TB planned: the gap shows in every output.
  EXPECT_NE(md.find("Short: storage now: 1.25TB needed, 1TB planned"), std::string::npos) << md;
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
