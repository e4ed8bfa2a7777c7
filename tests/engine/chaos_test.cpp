// Faults and recovery against hand-computed timelines.
//
//   clients -> lb -> app x2 -> db (primary + 1 replica, async)
//
// Failover timeline (detection by health checks every 5 s, 3 failures, 3 s
// timeout; promotion 30 s; DNS TTL as set): the crash at t = 60 s happens
// somewhere in a check interval, so the first failing check starts within 5 s
// and the third fails 2 intervals later, known after the timeout:
//   detect  ∈ [60 + 2·5 + 3, 60 + 3·5 + 3] = [73, 78]
//   promote = detect + 30
//   reconnect = promote + TTL
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/engine/sim_fixture.h"

namespace sim {
namespace {

using testing::simulate;

std::string db_topology(const std::string& replication, const std::string& ttl, const std::string& backup = "") {
  return fmt::format(R"(name: failover
clients: {{latency: 1ms}}
components:
  lb: {{kind: load_balancer, health_check: {{interval: 5s, timeout: 3s, healthy_threshold: 2, unhealthy_threshold: 3}}}}
  app: {{kind: service, replicas: 2, cores: 2, workers: 32, timeout: 10s, service_time: 1ms}}
  db:
    kind: database
    replicas: 1
    max_connections: 100
    pool: {{max: 20}}
    query_time: {{read: 1ms, write: 2ms}}
    replication: {}
    failover: {{health_check: {{interval: 5s, timeout: 3s, healthy_threshold: 2, unhealthy_threshold: 3}}, promote: 30s, dns_ttl: {}}}
    {}
requests:
  write: {{share: 50%, path: [lb, app, db.primary], write: true}}
  read: {{share: 50%, path: [lb, app, db]}}
)",
                     replication, ttl, backup);
}

TEST(Chaos, PrimaryFailoverMatchesHandComputedTimeline) {
  auto s = simulate(db_topology("{mode: async, lag: 200ms}", "20s"), R"(
duration: 5m
window: 1s
seed: 5
load: {constant: 200/s}
faults: [{at: 60s, crash: db.primary}]
)");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto detect = s.events("detect"), promote = s.events("promote"), reconnect = s.events("reconnect");
  ASSERT_EQ(detect.size(), 1u);
  ASSERT_EQ(promote.size(), 1u);
  ASSERT_EQ(reconnect.size(), 1u);
  double d = detect[0]["time"], p = promote[0]["time"], c = reconnect[0]["time"];
  EXPECT_GE(d, 73.0);
  EXPECT_LE(d, 78.0);
  EXPECT_NEAR(p - d, 30.0, 1e-6);
  EXPECT_NEAR(c - p, 20.0, 1e-6);
  // Writes fail from the crash until clients reconnect; reads keep going to the replica.
  const auto& rec = s.report["recovery"][0];
  double rto = rec["rto"];
  EXPECT_GE(rto, c - 60.0 - 1.0);  // 1 s windows
  EXPECT_LE(rto, c - 60.0 + 1.0);
  // Predicted: 5 s × 3 + 3 s + 30 s + 20 s = 68 s (the worst case of the detection).
  EXPECT_NEAR(rec["predicted_rto"].get<double>(), 68.0, 1e-9);
  EXPECT_LE(rto, 68.0 + 1.0);
  // RPO: with a constant 200 ms lag, exactly the writes of the last 200 ms before the crash
  // are lost (100 writes/s: about 20), and the oldest is just under 200 ms old.
  double rpo = rec["rpo"];
  EXPECT_GT(rpo, 0.15);
  EXPECT_LE(rpo, 0.2 + 1e-6);
  std::uint64_t lost = rec["writes_lost"];
  EXPECT_GE(lost, 8u);  // Poisson(20): P(< 8) < 0.001
  EXPECT_LE(lost, 35u);
  EXPECT_GT(s.failures("db_unavailable"), 0u);
}

TEST(Chaos, SyncReplicationLosesNothing) {
  auto s = simulate(db_topology("{mode: sync, lag: 2ms}", "0s"), R"(
duration: 3m
window: 1s
seed: 6
load: {constant: 200/s}
faults: [{at: 60s, crash: db.primary}]
)");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto& rec = s.report["recovery"][0];
  EXPECT_EQ(rec["writes_lost"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(rec["rpo"].get<double>(), 0.0);
  EXPECT_EQ(rec["predicted_rpo"].get<double>(), 0.0);
}

TEST(Chaos, RestoreFromSixHourlyBackup) {
  // Backups at 0h, 6h; the data is lost at 7h: everything written after 6h is gone
  // (RPO ≈ 1h), and the restore moves 36 GB at 100 MB/s = 360 s.
  auto s = simulate(db_topology("{mode: async, lag: 10ms}", "0s",
                                "backup: {interval: 6h, size: 36GB, restore_rate: 100MB/s}"),
                    R"(
duration: 8h
window: 10s
seed: 7
load: {constant: 4/s}
faults: [{at: 7h, restore: db}]
)");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto restore = s.events("restore"), restored = s.events("restored");
  ASSERT_EQ(restore.size(), 1u);
  ASSERT_EQ(restored.size(), 1u);
  double took = restored[0]["time"].get<double>() - restore[0]["time"].get<double>();
  EXPECT_NEAR(took, 360.0, 0.5);
  const auto& loss = s.report["data_losses"][0];
  // The first write after 6h comes within a few seconds (2 writes/s): RPO just under 1 h.
  EXPECT_GT(loss["rpo"].get<double>(), 3600.0 - 10.0);
  EXPECT_LE(loss["rpo"].get<double>(), 3600.0);
  // About 2 writes/s for an hour: 7200 ± 5 sd.
  EXPECT_NEAR(loss["writes_lost"].get<double>(), 7200.0, 450.0);
  EXPECT_NEAR(s.report["recovery"][0]["predicted_rto"].get<double>(), 360.0, 1e-9);
  // The loss belongs to the fault's own recovery row (the data disruption class reads it there).
  EXPECT_DOUBLE_EQ(s.report["recovery"][0]["rpo"].get<double>(), loss["rpo"].get<double>());
  EXPECT_EQ(s.report["recovery"][0]["writes_lost"], loss["writes_lost"]);
}

TEST(Chaos, DeadBackendDetectedByHealthChecks) {
  // app[0] dies at 30 s: the LB keeps sending it half the requests (connection
  // refused) until 3 checks at 5 s intervals fail, the last known after 3 s.
  auto s = simulate(db_topology("{mode: async, lag: 10ms}", "0s"), R"(
duration: 2m
window: 1s
seed: 8
load: {constant: 100/s}
faults: [{at: 30s, crash: "app[0]"}]
)");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto down = s.events("health_down", "app-0");
  ASSERT_EQ(down.size(), 1u);
  double t = down[0]["time"];
  EXPECT_GE(t, 30.0 + 2 * 5 + 3);
  EXPECT_LE(t, 30.0 + 3 * 5 + 3);
  // Refused requests: about half the load during detection (50/s × 13..18 s), none after.
  std::uint64_t refused = s.failures("connection_refused");
  EXPECT_GT(refused, 50.0 * (t - 30.0) * 0.8);
  EXPECT_LT(refused, 50.0 * (t - 30.0) * 1.2);
  for (std::size_t i = 0; i < s.report["windows"]["start"].size(); ++i) {
    double start = s.report["windows"]["start"][i];
    if (start > t + 1) {
      EXPECT_EQ(s.report["windows"]["failed"][i].get<int>(), 0) << "window " << start;
    }
  }
}

}  // namespace
}  // namespace sim
