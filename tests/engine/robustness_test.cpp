// No abort ever reaches the user: every fault type at every component kind ends
// the run normally; an exploding model stops with a clear message; internal
// errors exit 3 with what is needed to reproduce them.
//
//   clients -> cdn -> lb -> app x3 -> cache x2 -> db (primary + 2 replicas, backups)
//                             \-> jobs (queue, 2 consumers) ; \-> store (storage x2)
#include <gtest/gtest.h>

#include <cstdlib>
#include <fmt/format.h>

#include "tests/engine/sim_fixture.h"

namespace sim {
namespace {

using testing::simulate;

const char* kEveryKind = R"(name: every-kind
regions:
  r1: {zones: [a, b]}
  r2: {zones: [c]}
network: {region_links: [{between: [r1, r2], latency: 10ms}]}
clients: {latency: 5ms, regions: {r1: 80%, r2: 20%}}
components:
  cdn: {kind: cdn, region: r1, hit_ratio: {page: 50%}, edge_regions: [r1, r2]}
  lb: {kind: load_balancer, zones: [a, b], replicas: 2, algorithm: least_conn,
       health_check: {interval: 2s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 2}}
  app: {kind: service, zones: [a, b], replicas: 3, cores: 2, workers: 16, queue_limit: 200, timeout: 5s,
        boot_time: 5s, service_time: {exponential: {mean: 3ms}}}
  cache: {kind: cache, zones: [a, b], nodes: 2, hit_ratio: 70%, service_time: 200us, warmup: 20s}
  db: {kind: database, zones: [a, b, c], replicas: 2, max_connections: 60, pool: {max: 10, acquire_timeout: 1s},
       query_time: {read: 2ms, write: 4ms}, replication: {mode: async, lag: 50ms},
       failover: {health_check: {interval: 2s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 2}, promote: 5s},
       backup: {interval: 1m, size: 1GB, restore_rate: 100MB/s}}
  jobs: {kind: queue, zones: [b], consumers: 2, concurrency: 2, service_time: 20ms, failure_ratio: 10%, max_retries: 2,
         retry_delay: 1s}
  store: {kind: storage, zones: [a, b], nodes: 2, service_time: 3ms}
requests:
  page: {share: 30%, path: [cdn, lb, app, cache, db]}
  write: {share: 30%, path: [lb, app, db.primary, jobs], write: true}
  blob: {share: 40%, path: [lb, app, store]}
)";

struct FaultCase {
  std::string name;
  std::string faults;  // YAML list items
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class EveryFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(EveryFault, RunEndsNormally) {
  const FaultCase& c = GetParam();
  auto s = simulate(kEveryKind, fmt::format(R"(
duration: 3m
window: 5s
seed: 3
load: {{constant: 150/s}}
faults:
{}
)",
                                            c.faults));
  EXPECT_EQ(s.exit_code, 0) << s.err << s.out;
  ASSERT_FALSE(s.report.is_null());
  EXPECT_TRUE(s.report["summary"]["conservation"]["ok"].get<bool>());
  EXPECT_FALSE(s.events("fault").empty());
}

std::string at_every(const char* kind, const std::vector<std::string>& targets, const char* extra = "") {
  std::string out;
  int t = 20;
  for (const auto& target : targets) {
    out += fmt::format("  - {{at: {}s, for: 20s, {}: {}{}}}\n", t, kind, target, extra);
    t += 25;
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    FaultKinds, EveryFault,
    ::testing::Values(
        FaultCase{"CrashEveryKind", at_every("crash", {"lb", "\"app[1]\"", "cache", "db.primary", "db.replica", "jobs", "store"})},
        FaultCase{"CrashZonesAndRegions", "  - {at: 20s, for: 30s, crash: {zone: a}}\n  - {at: 90s, for: 30s, crash: {region: r2}}\n"},
        FaultCase{"Partition", at_every("partition", {"[lb, app]", "[app, db]", "[app, jobs]", "[r1, r2]"})},
        FaultCase{"Delay", "  - {at: 20s, for: 40s, delay: {between: [app, cache], latency: 50ms, ramp: 10s}}\n"
                           "  - {at: 70s, for: 40s, delay: {between: [r1, r2], latency: 100ms}}\n"},
        FaultCase{"Loss", "  - {at: 20s, for: 40s, loss: {between: [app, store], ratio: 20%}}\n"
                          "  - {at: 70s, for: 40s, loss: {between: [r1, r2], ratio: 50%}}\n"},
        FaultCase{"Bandwidth", "  - {at: 20s, for: 40s, bandwidth: {between: [app, db], limit: 1Mbps}}\n"
                               "  - {at: 70s, for: 40s, bandwidth: {between: [r1, r2], limit: 1Mbps}}\n"},
        FaultCase{"CpuSlowdown", at_every("cpu_slowdown", {"{target: \"app[0]\", factor: 20%}", "{target: db, factor: 10%}",
                                                           "{target: cache, factor: 50%}", "{target: jobs, factor: 30%}"})},
        FaultCase{"Flush", "  - {at: 20s, flush: cache}\n  - {at: 40s, flush: cdn}\n"},
        FaultCase{"FailoverAndRestore", "  - {at: 30s, failover: db}\n  - {at: 100s, restore: db}\n"},
        FaultCase{"Errors", at_every("errors", {"{target: app, ratio: 30%}", "{target: db, ratio: 20%}",
                                                "{target: store, ratio: 50%}", "{target: cache, ratio: 10%}"})},
        FaultCase{"ChaosMonkey", "  - {at: 0s, chaos_monkey: {targets: [app, cache, db, lb, jobs, store], "
                                 "mtbf: {exponential: {mean: 20s}}, mttr: 5s}}\n"},
        FaultCase{"RepeatedCrash", "  - {at: 10s, every: 30s, for: 10s, crash: \"app[2]\"}\n"}),
    [](const ::testing::TestParamInfo<FaultCase>& i) { return i.param.name; });

TEST(Robustness, ExplodingModelStopsWithAClearMessage) {
  // 100 times the capacity with unbounded queues: the run stops early, exit 2, no report.
  auto s = simulate(R"(name: explode
components:
  app: {kind: service, replicas: 1, cores: 1, workers: 1, queue_limit: 0, timeout: 100d, service_time: 100ms}
requests:
  r: {share: 100%, path: [app]}
)",
                    "duration: 1h\nseed: 1\nload: {constant: 1000/s}\n");
  EXPECT_EQ(s.exit_code, 2) << s.out << s.err;
  EXPECT_NE(s.err.find("the offered load far exceeds what the topology can serve"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("no report written"), std::string::npos);
  EXPECT_TRUE(s.report.is_null());
}

TEST(Robustness, MaxEventsAndMaxWallStopTheRun) {
  const char* topo = R"(name: small
components:
  app: {kind: service, replicas: 2, cores: 2, service_time: 1ms}
requests:
  r: {share: 100%, path: [app]}
)";
  auto e = simulate(topo, "duration: 1h\nseed: 1\nload: {constant: 100/s}\n", {"--max-events", "5000"});
  EXPECT_EQ(e.exit_code, 1) << e.err;
  EXPECT_NE(e.err.find("stopped by --max-events 5000"), std::string::npos) << e.err;
  auto w = simulate(topo, "duration: 100d\nseed: 1\nload: {constant: 500/s}\n", {"--max-wall", "1"});
  EXPECT_EQ(w.exit_code, 1) << w.err;
  EXPECT_NE(w.err.find("stopped by --max-wall"), std::string::npos) << w.err;
}

TEST(Robustness, InternalErrorExitsThreeWithReproduction) {
  setenv("INFRASIM_TEST_INTERNAL_ERROR_AT", "10", 1);
  auto s = simulate(kEveryKind, "duration: 1m\nseed: 77\nload: {constant: 50/s}\n");
  unsetenv("INFRASIM_TEST_INTERNAL_ERROR_AT");
  EXPECT_EQ(s.exit_code, 3) << s.err;
  EXPECT_NE(s.err.find("internal error: injected internal error"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("(request kernel, simulated time 10."), std::string::npos) << s.err;  // where and when
  EXPECT_NE(s.err.find("--seed 77"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace sim
