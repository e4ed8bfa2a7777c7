// Static lint (sim/check/lint.h): each finding from a topology that has
// exactly that problem, with its numbers computed by hand, located where it
// is caused, and none from a clean topology.
//
//   clients -> lb (checks 10s x 3 + 5s) -> app x3 (2 cores, 10 ms) -> db (max_connections 50, pool max 20)
#include <gtest/gtest.h>

#include "sim/check/lint.h"
#include "tests/check/run_builder.h"

namespace sim::check {
namespace {

std::string shop(const std::string& app_extra = "", const std::string& db_pool = "{max: 10}") {
  return R"(name: shop
components:
  lb: {kind: load_balancer, health_check: {interval: 10s, timeout: 5s, unhealthy_threshold: 3}}
  app: {kind: service, replicas: 3, cores: 2, service_time: 10ms)" +
         app_extra + R"(}
  db: {kind: database, max_connections: 50, pool: )" +
         db_pool + R"(, query_time: 1ms}
requests:
  r: {share: 100%, path: [lb, app, db]}
)";
}

std::vector<std::string> codes(const std::vector<Finding>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.code);
  return out;
}

TEST(Lint, CleanTopologyHasNoFindings) {
  topology::Topology t = testing::topology_of(shop());
  EXPECT_TRUE(lint(t, nullptr).empty());
}

TEST(Lint, DatabaseConnectionsAtMaxReplicas) {
  // 3 app instances x pool max 20 = 60 > 50.
  topology::Topology t = testing::topology_of(shop("", "{max: 20}"));
  auto f = lint(t, nullptr);
  ASSERT_EQ(codes(f), std::vector<std::string>{"db-connections"});
  EXPECT_EQ(f[0].message,
            "database 'db' allows 50 connections but its clients may open 60 (pool max 20 per instance; app x3 at max "
            "replicas); expected pool max x replicas <= max_connections");
  EXPECT_EQ(f[0].pos.line, 5);  // the db component
  // Autoscaling to 5 instances counts its max: 5 x 10 = 50 is fine, 6 x 10 is not.
  topology::Topology ok = testing::topology_of(shop());
  scenario::Scenario s;
  scenario::Autoscaler a;
  a.component = "app";
  scenario::HpaSpec h;
  h.max = 5;
  a.policy = h;
  s.autoscaling.push_back(a);
  EXPECT_TRUE(lint(ok, &s).empty());
  std::get<scenario::HpaSpec>(s.autoscaling[0].policy).max = 6;
  EXPECT_EQ(codes(lint(ok, &s)), std::vector<std::string>{"db-connections"});
}

TEST(Lint, DetectionSlowerThanTheRtoTarget) {
  // Detection 10 s x 3 + 5 s = 35 s, above an instance RTO target of 30 s.
  topology::Topology t = testing::topology_of(shop());
  scenario::Scenario s;
  s.resilience.targets["instance"] = {30.0, std::nullopt, {}, {}};
  auto f = lint(t, &s);
  ASSERT_EQ(codes(f), std::vector<std::string>{"detection-rto"});
  EXPECT_EQ(f[0].message,
            "load balancer 'lb' needs up to 35s to detect a dead backend (interval 10s x 3 + timeout 5s), above the RTO "
            "target 30s; expected a shorter interval or threshold");
  s.resilience.targets["instance"] = {35.0, std::nullopt, {}, {}};
  EXPECT_TRUE(lint(t, &s).empty());
  // Behind Traefik's Docker provider a dead container leaves at once: the checks matter for a hung one.
  std::get<topology::LoadBalancerSpec>(t.components[0].spec).discovery = topology::LoadBalancerSpec::Discovery::kDocker;
  s.resilience.targets["instance"] = {30.0, std::nullopt, {}, {}};
  auto docker = lint(t, &s);
  ASSERT_EQ(codes(docker), std::vector<std::string>{"detection-rto"});
  EXPECT_EQ(docker[0].message,
            "load balancer 'lb' needs up to 35s to detect a hung or unreachable backend (interval 10s x 3 + timeout 5s; "
            "Docker's events report a dead one at once), above the RTO target 30s; expected a shorter interval or "
            "threshold");
}

TEST(Lint, PeakCpuAboveTheCoresAtMaxReplicas) {
  // 1000/s x 10 ms = 10 cores needed; 3 x 2 = 6 available: utilization 167 %.
  topology::Topology t = testing::topology_of(shop());
  scenario::Scenario s;
  s.load.kind = scenario::Profile::Kind::kConstant;
  s.load.rate = 1000;
  auto f = lint(t, &s);
  ASSERT_EQ(codes(f), std::vector<std::string>{"capacity"});
  EXPECT_EQ(f[0].message,
            "service 'app' needs 10.0 cores at the peak load of 1000/s but has 6 (3 x 2 cores at max replicas): "
            "utilization 167%; expected more replicas or cores");
  s.load.rate = 600;  // exactly 6 cores: not above
  EXPECT_TRUE(lint(t, &s).empty());
}

TEST(Lint, FewerWorkersThanCores) {
  topology::Topology t = testing::topology_of(shop(", workers: 1"));
  auto f = lint(t, nullptr);
  ASSERT_EQ(codes(f), std::vector<std::string>{"workers-cores"});
  EXPECT_EQ(format_finding(f[0]),
            "t.yaml:4:8: warning: service 'app' has 1 workers for 2 cores: at most 1 cores can ever be busy; expected "
            "workers >= cores [workers-cores]");
}

// Boot 35 s; probes every 7 s, 3 failures, no initial delay: the third failure can come 14 s after
// the start, while it still boots. With initial_delay 35s it cannot.
TEST(Lint, LivenessProbeShorterThanTheBoot) {
  topology::Topology t = testing::topology_of(shop(", boot_time: 35s, liveness: {period: 7s}"));
  auto f = lint(t, nullptr);
  ASSERT_EQ(codes(f), std::vector<std::string>{"liveness-boot"});
  EXPECT_EQ(format_finding(f[0]),
            "t.yaml:4:8: warning: service 'app' boots in 35s but its liveness probe can kill it after initial_delay "
            "0s + (failure_threshold 3 - 1) x period 7s = 14s: every restart boots again (a crash loop); expected "
            "initial_delay >= boot_time [liveness-boot]");
  EXPECT_TRUE(lint(testing::topology_of(shop(", boot_time: 35s, liveness: {period: 7s, initial_delay: 35s}")), nullptr)
                  .empty());
}

TEST(Lint, PathAcrossUnlinkedRegions) {
  topology::Topology t = testing::topology_of(R"(name: geo
regions: {r1: {}, r2: {}, r3: {}}
network: {region_links: [{between: [r1, r3], latency: 10ms}]}
components:
  app: {kind: service, region: r1, service_time: 1ms}
  db: {kind: database, region: r2, query_time: 1ms}
requests:
  r: {share: 100%, path: [app, db]}
)");
  auto f = lint(t, nullptr);
  ASSERT_EQ(codes(f), std::vector<std::string>{"no-route"});
  EXPECT_EQ(f[0].pos.line, 8);  // at the path step that crosses
}

// Redis: a failover needs the votes of a majority of all masters (Redis Cluster
// specification) and a replica to promote.
//   app -> cache (Redis: masters x replicas, ha)
std::string redis(const std::string& cache) {
  return R"(name: redis
components:
  app: {kind: service, service_time: 1ms}
  cache: )" + cache + R"(
requests:
  r: {share: 100%, path: [app, cache]}
)";
}

TEST(Lint, TwoMasterClusterCannotFailOver) {
  // Seed 000's Redis.Cluster of redis-1 and redis-2: one master left of 2 is not a majority (2 needed).
  auto f = lint(testing::topology_of(redis("{kind: cache, nodes: 2, replicas: 1, ha: {cluster: {node_timeout: 15s}}}")), nullptr);
  ASSERT_EQ(codes(f), std::vector<std::string>{"cache-failover"});
  EXPECT_EQ(format_finding(f[0]),
            "t.yaml:4:51: warning: cache 'cache' is a Redis Cluster of 2 masters: when one fails, 1 left cannot "
            "make the majority of 2 a failover needs, so no replica is promoted; expected at least 3 masters (nodes: 3) "
            "[cache-failover]");
  // Three masters with a replica each can: 2 of 3 is a majority.
  EXPECT_TRUE(lint(testing::topology_of(redis("{kind: cache, nodes: 3, replicas: 1, ha: {cluster: {}}}")), nullptr).empty());
}

TEST(Lint, FailoverWithoutReplicas) {
  auto f = lint(testing::topology_of(redis("{kind: cache, nodes: 2, ha: {cluster: {}}}")), nullptr);
  ASSERT_EQ(codes(f), (std::vector<std::string>{"cache-failover", "cache-failover"}));
  EXPECT_NE(f[1].message.find("without replicas"), std::string::npos) << f[1].message;
  // Sentinel: replicas and three sentinels (the default) are enough; one master is fine.
  EXPECT_TRUE(lint(testing::topology_of(redis("{kind: cache, replicas: 2, ha: {sentinel: {down_after: 5s}}}")), nullptr).empty());
  auto s = lint(testing::topology_of(redis("{kind: cache, replicas: 1, ha: {sentinel: {sentinels: 2, quorum: 1}}}")), nullptr);
  ASSERT_EQ(codes(s), std::vector<std::string>{"cache-failover"});
  EXPECT_NE(s[0].message.find("2 sentinels"), std::string::npos) << s[0].message;
  // No ha: a plain cache, nothing to say.
  EXPECT_TRUE(lint(testing::topology_of(redis("{kind: cache, nodes: 2}")), nullptr).empty());
}

}  // namespace
}  // namespace sim::check
