// Each tier's behaviour end to end, against expectations computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include "tests/engine/sim_fixture.h"

namespace sim {
namespace {

using testing::simulate;

// clients -> lb -> app x3 (one slowed to 30 % speed) ; the LB algorithm varies.
std::string hetero_topology(const std::string& algorithm) {
  return fmt::format(R"(name: hetero
clients: {{latency: 1ms}}
components:
  lb: {{kind: load_balancer, algorithm: {}}}
  app: {{kind: service, replicas: 3, cores: 1, workers: 16, timeout: 30s, service_time: {{exponential: {{mean: 10ms}}}}}}
requests:
  r: {{share: 100%, path: [lb, app]}}
)",
                     algorithm);
}

const char* kHeteroScenario = R"(
duration: 10m
warmup: 1m
seed: 11
load: {constant: 160/s}
faults: [{at: 0s, cpu_slowdown: {target: "app[2]", factor: 30%}}]
)";

TEST(Tiers, RoundRobinSplitsExactly) {
  auto s = simulate(hetero_topology("round_robin"), "duration: 1m\nseed: 3\nload: {constant: 90/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& inst = s.component("app")["instance_stats"];
  std::int64_t a = inst[0]["served"], b = inst[1]["served"], c = inst[2]["served"];
  EXPECT_LE(std::max({a, b, c}) - std::min({a, b, c}), 1);
}

// An entry service without a load balancer: clients rotate over the instances that are up.
// With app[0] down from the start the other two share evenly (the rotation resumed after the
// instance skipped, giving app[1] two turns in three, before).
TEST(Tiers, RoundRobinWithoutBalancerSkipsADownInstanceEvenly) {
  auto s = simulate(R"(name: direct
clients: {latency: 1ms}
components:
  app: {kind: service, replicas: 3, cores: 4, workers: 16, service_time: 1ms}
requests:
  q: {share: 100%, path: [app]}
)",
                    "duration: 1m\nseed: 3\nload: {constant: 90/s}\nfaults: [{at: 0s, crash: \"app[0]\"}]\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& inst = s.component("app")["instance_stats"];
  std::int64_t b = inst[1]["served"], c = inst[2]["served"];
  EXPECT_GT(b + c, 5000);
  EXPECT_LE(std::abs(b - c), 1) << "app[1] " << b << ", app[2] " << c;
}

TEST(Tiers, LeastConnBeatsRoundRobinOnHeterogeneousBackends) {
  // Round robin sends a third of 160/s = 53/s to a server that now does 30/s at most: it
  // saturates. least_conn sees its queue grow and sends it less.
  auto rr = simulate(hetero_topology("round_robin"), kHeteroScenario);
  auto lc = simulate(hetero_topology("least_conn"), kHeteroScenario);
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  ASSERT_EQ(lc.exit_code, 0) << lc.err;
  double p99_rr = rr.report["summary"]["latency"]["p99"], p99_lc = lc.report["summary"]["latency"]["p99"];
  EXPECT_LT(p99_lc * 3, p99_rr) << "least_conn p99 " << p99_lc << ", round robin p99 " << p99_rr;
  std::int64_t slow_lc = lc.component("app")["instance_stats"][2]["served"];
  std::int64_t slow_rr = rr.component("app")["instance_stats"][2]["served"];
  EXPECT_LT(slow_lc, slow_rr);
}

// app -> db with a small pool in front of a slow database.
std::string pool_topology(int pool_max, int max_connections, int apps = 3) {
  return fmt::format(R"(name: pool
clients: {{latency: 1ms}}
components:
  app: {{kind: service, replicas: {}, cores: 4, workers: 64, timeout: 30s, service_time: 1ms}}
  db: {{kind: database, cores: 8, max_connections: {}, pool: {{max: {}, acquire_timeout: 200ms}},
        query_time: {{exponential: {{mean: 50ms}}}}}}
requests:
  q: {{share: 100%, path: [app, db.primary]}}
)",
                     apps, max_connections, pool_max);
}

TEST(Tiers, PoolExhaustionFailsAsDbUnavailable) {
  // 3 pools of 2 connections, 50 ms queries: at most 6 × 20 = 120 queries/s. At 200/s the
  // pools run dry and waiters give up after 200 ms.
  auto s = simulate(pool_topology(2, 100), "duration: 2m\nseed: 4\nload: {constant: 200/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_GT(s.failures("db_unavailable"), 2000u);
  EXPECT_EQ(s.component("db")["connections_max"].get<int>(), 6);
  // Well below capacity nothing fails.
  auto ok = simulate(pool_topology(2, 100), "duration: 2m\nseed: 4\nload: {constant: 40/s}\n");
  EXPECT_EQ(ok.failures("db_unavailable"), 0u);
}

TEST(Tiers, MaxConnectionsRefusesTheOverflow) {
  // 6 pools of 10 against max_connections 4: at most 4 connections ever open;
  // the pools that could not open even one get "too many clients" (refused).
  auto s = simulate(pool_topology(10, 4, 6), "duration: 1m\nseed: 4\nload: {constant: 150/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(s.component("db")["connections_max"].get<int>(), 4);
  EXPECT_GT(s.component("db")["connections_refused"].get<int>(), 0);
  EXPECT_GT(s.failures("db_unavailable"), 0u);
}

// app -> cache -> db: a flush sends every read to the database until the cache warms up.
const char* kCacheTopology = R"(name: cache
clients: {latency: 1ms}
components:
  app: {kind: service, replicas: 2, cores: 4, workers: 64, timeout: 30s, service_time: 1ms}
  cache: {kind: cache, nodes: 2, hit_ratio: 90%, service_time: 200us, warmup: 30s}
  db: {kind: database, cores: 4, max_connections: 200, pool: {max: 50}, query_time: {exponential: {mean: 4ms}}}
requests:
  read: {share: 100%, path: [app, cache, db.primary]}
)";

TEST(Tiers, CacheFlushRaisesDatabaseLoadThenWarmsUp) {
  auto s = simulate(kCacheTopology, R"(
duration: 6m
window: 10s
seed: 9
load: {constant: 300/s}
faults: [{at: 2m, flush: cache}]
)");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& db = s.component("db")["series"]["utilization"];
  const auto& hit = s.component("cache")["series"]["hit_ratio"];
  auto at = [&](const nlohmann::json& v, double t) { return v[static_cast<std::size_t>(t / 10)].get<double>(); };
  // Before: 10 % of 300/s × 4 ms on 4 cores = 3 % busy. Just after: ~100 % misses = 30 %.
  EXPECT_NEAR(at(db, 60), 0.03, 0.012);
  EXPECT_GT(at(db, 120), 0.20);
  EXPECT_LT(at(hit, 120), 0.25);
  // h(t) = 0.9 (1 − e^(−t/30)): after 2 minutes the hit ratio is back near 0.88.
  EXPECT_NEAR(at(hit, 240), 0.9 * (1 - std::exp(-125.0 / 30)), 0.03);
  EXPECT_LT(at(db, 300), 0.06);
}

TEST(Tiers, AsyncReplicationLagIsAMetric) {
  auto s = simulate(R"(name: lag
clients: {latency: 1ms}
components:
  app: {kind: service, replicas: 1, cores: 4, workers: 64, service_time: 1ms}
  db: {kind: database, replicas: 2, max_connections: 100, pool: {max: 20}, query_time: 2ms,
       replication: {mode: async, lag: {exponential: {mean: 150ms}}}}
requests:
  w: {share: 100%, path: [app, db.primary], write: true}
)",
                    "duration: 2m\nseed: 12\nload: {constant: 100/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& lag = s.component("db")["replication_lag"];
  // 2 replicas × ~12,000 writes: the sample mean of Exp(150 ms) is within 5 %.
  EXPECT_NEAR(lag["mean"].get<double>(), 0.150, 0.0075);
  // p99 of Exp(150 ms) = 0.15 ln 100 = 0.691 s.
  EXPECT_NEAR(lag["p99"].get<double>(), 0.691, 0.06);
}

TEST(Tiers, CdnHitsNeverReachTheOrigin) {
  auto s = simulate(R"(name: cdn
clients: {latency: 10ms}
components:
  cdn: {kind: cdn, edge_latency: 2ms, hit_ratio: {page: 80%}}
  app: {kind: service, replicas: 1, cores: 2, service_time: 5ms}
requests:
  page: {share: 100%, path: [cdn, app]}
)",
                    "duration: 2m\nseed: 13\nload: {constant: 100/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  double served = s.component("app")["served"], total = s.report["summary"]["completed"];
  EXPECT_NEAR(served / total, 0.2, 0.01);
  // A hit costs 2 × 10 ms + 2 ms: the median request is a hit.
  EXPECT_NEAR(s.report["summary"]["latency"]["p50"].get<double>(), 0.022, 0.0005);
}

TEST(Tiers, QueueRetriesAndDeadLetters) {
  // Every job fails with probability 0.5 and is retried twice: it ends in the
  // dead-letter queue with probability 0.5^3 = 1/8.
  auto s = simulate(R"(name: mq
clients: {latency: 1ms}
components:
  app: {kind: service, replicas: 1, cores: 2, service_time: 1ms}
  jobs: {kind: queue, consumers: 2, concurrency: 4, service_time: 5ms, failure_ratio: 50%, max_retries: 2, retry_delay: 1s}
requests:
  submit: {share: 100%, path: [app, jobs]}
)",
                    "duration: 3m\nseed: 14\nload: {constant: 50/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& q = s.component("jobs");
  double done = q["jobs_done"], dead = q["dead_letters"];
  double finished = done + dead;
  EXPECT_NEAR(dead / finished, 0.125, 0.015);
  // Retries: 0.5 + 0.25 per job on average.
  EXPECT_NEAR(q["jobs_retried"].get<double>() / finished, 0.75, 0.03);
}

TEST(Tiers, RateLimiterRejectsTheExcess) {
  // nginx limit_req 600/min (10/s), burst 20, offered 50/s for 60 s: 10/s pass.
  auto s = simulate(R"(name: rl
clients: {latency: 1ms}
components:
  lb: {kind: load_balancer, rate_limit: {rate: 600/min, burst: 20}}
  app: {kind: service, replicas: 2, cores: 2, service_time: 1ms}
requests:
  r: {share: 100%, path: [lb, app]}
)",
                    "duration: 60s\nseed: 15\nload: {constant: 50/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  double passed = s.report["summary"]["completed"];
  EXPECT_NEAR(passed, 600 + 21, 15);
  EXPECT_GT(s.failures("rate_limited"), 2000u);
}

}  // namespace
}  // namespace sim

namespace sim {
namespace {

TEST(Tiers, RegionSteeringKeepsClientsInTheirRegion) {
  // Clients 75 % in r1 and 25 % in r2; one app instance per region; a global LB
  // with `steering: region` sends each client to its own region's instance.
  const char* topo = R"(name: geo
regions: {r1: {zones: [a]}, r2: {zones: [b]}}
network: {region_links: [{between: [r1, r2], latency: 40ms}]}
clients: {latency: 5ms, regions: {r1: 75%, r2: 25%}}
components:
  lb: {kind: load_balancer, zones: [a, b], replicas: 2, steering: region}
  app: {kind: service, zones: [a, b], replicas: 2, cores: 2, service_time: 2ms}
requests:
  r: {share: 100%, path: [lb, app]}
)";
  auto s = testing::simulate(topo, "duration: 2m\nseed: 16\nload: {constant: 100/s}\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& inst = s.component("app")["instance_stats"];
  double a = inst[0]["served"], b = inst[1]["served"];
  EXPECT_NEAR(a / (a + b), 0.75, 0.02);
  // Nobody crosses the 40 ms region link: the slowest answer stays far below 2 x 40 ms.
  EXPECT_LT(s.report["summary"]["latency"]["max"].get<double>(), 0.040);
  // Without steering, round robin sends half of each region's clients across the link.
  std::string plain = topo;
  plain.replace(plain.find(", steering: region"), std::string(", steering: region").size(), "");
  auto p = testing::simulate(plain, "duration: 2m\nseed: 16\nload: {constant: 100/s}\n");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_GT(p.report["summary"]["latency"]["p90"].get<double>(), 0.080);
}

}  // namespace
}  // namespace sim
