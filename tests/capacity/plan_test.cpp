// Capacity plan loader: every key with its units, the defaults, the seed 002
// plan with its tiers resolved against the topology, and located errors (the
// whole first line of each message). Texts are parsed in memory as "p.yaml".
//
//   plan tiers ──component──> topology:  clients -> lb -> app -> db.primary
#include <gtest/gtest.h>

#include <cmath>

#include "sim/capacity/plan.h"
#include "sim/topology/loader.h"
#include "tests/test_util.h"

namespace sim::capacity {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

// The sorted first lines of the diagnostics of a plan that must not load.
std::string errors_of(const std::string& text) {
  core::Diagnostics diags;
  auto p = parse_plan("p.yaml", text, diags);
  EXPECT_FALSE(p.has_value()) << "loaded although it should not:\n" << text;
  return diags.format_short();
}

Plan load(const std::string& text) {
  core::Diagnostics diags;
  auto p = parse_plan("p.yaml", text, diags);
  EXPECT_EQ(diags.format_short(), "");
  EXPECT_TRUE(p.has_value());
  return p ? *p : Plan{};
}

const char* kMinimal = "horizons: [now, 12]\ngrowth: {users: {current: 100, yearly: 2x}}\ntiers: {web: {}}\n";

TEST(PlanLoader, ReadsEveryKeyInSiUnits) {
  Plan p = load(R"(name: full
description: every key
start: 2025-11
horizons: [24, now, 6.5]
growth:
  users: {current: 10000, yearly: 250%}
  data: {current: 500GB, per_year: 1TB}
per_user: {cpu: 0.1, memory: 50MB, storage: 100MB}
requests: {per_user: 36/h, peak_factor: 3x}
headroom: {cpu: 60%, memory: 0.75, storage: 90%}
tiers:
  web:
    component: app
    scale: cores
    server: {cores: 16, memory: 64GiB, disk: 2TB}
    carries: {cpu: 100%, memory: 50%, storage: 0.25}
    min: 3
  db: {}
plan:
  12: {web: 20, db: 8, storage: 10TB}
  0: {web: 5, db: 3}
scenario: ../scaling-steady.yaml
set: {components.lb.rate_limit.rate: 100000/s, scenario.seed: 4}
simulate: {duration: 2m, warmup: 15s, seed: 9, max_servers: 32}
)");
  EXPECT_EQ(p.name, "full");
  EXPECT_EQ(p.description, "every key");
  EXPECT_EQ(p.start_year, 2025);
  EXPECT_EQ(p.start_month, 11);
  EXPECT_EQ(p.horizons, (std::vector<double>{0, 6.5, 24}));  // sorted
  EXPECT_EQ(p.users.model, Growth::Model::kCompound);
  EXPECT_DOUBLE_EQ(p.users.current, 10000);
  EXPECT_DOUBLE_EQ(p.users.yearly, 2.5);
  EXPECT_EQ(p.data.model, Growth::Model::kLinear);
  EXPECT_DOUBLE_EQ(p.data.current, 500e9);
  EXPECT_DOUBLE_EQ(p.data.per_year, 1e12);
  EXPECT_DOUBLE_EQ(p.cpu_per_user, 0.1);
  EXPECT_DOUBLE_EQ(p.memory_per_user, 50e6);
  EXPECT_DOUBLE_EQ(p.storage_per_user, 100e6);
  EXPECT_DOUBLE_EQ(p.requests_per_user, 0.01);  // 36 per hour
  EXPECT_DOUBLE_EQ(p.peak_factor, 3);
  EXPECT_DOUBLE_EQ(p.headroom_cpu, 0.6);
  EXPECT_DOUBLE_EQ(p.headroom_memory, 0.75);
  EXPECT_DOUBLE_EQ(p.headroom_storage, 0.9);
  ASSERT_EQ(p.tiers.size(), 2u);
  const Tier& web = p.tiers[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.component, "app");
  EXPECT_EQ(web.scale, Scale::kCores);
  EXPECT_DOUBLE_EQ(web.server.cores, 16);
  EXPECT_DOUBLE_EQ(web.server.memory, 64 * kGiB);
  EXPECT_DOUBLE_EQ(web.server.disk, 2e12);
  EXPECT_DOUBLE_EQ(web.cpu_share, 1);
  EXPECT_DOUBLE_EQ(web.memory_share, 0.5);
  EXPECT_DOUBLE_EQ(web.storage_share, 0.25);
  EXPECT_EQ(web.min, 3);
  ASSERT_EQ(p.plan.size(), 2u);  // sorted by month
  EXPECT_EQ(p.plan[0].month, 0);
  EXPECT_EQ(p.plan[0].servers.at("web"), 5);
  EXPECT_FALSE(p.plan[0].storage);
  EXPECT_EQ(p.plan[1].servers.at("db"), 8);
  EXPECT_DOUBLE_EQ(*p.plan[1].storage, 10e12);
  EXPECT_EQ(p.scenario_path, "../scaling-steady.yaml");  // resolved against p.yaml's (empty) folder
  ASSERT_EQ(p.set.size(), 2u);
  EXPECT_EQ(p.overrides()[0].path, "components.lb.rate_limit.rate");
  EXPECT_TRUE(p.overrides()[0].topology);
  EXPECT_EQ(p.overrides()[1].path, "seed");
  EXPECT_FALSE(p.overrides()[1].topology);
  EXPECT_DOUBLE_EQ(p.simulate.duration, 120);
  EXPECT_DOUBLE_EQ(*p.simulate.warmup, 15);
  EXPECT_EQ(*p.simulate.seed, 9u);
  EXPECT_EQ(p.simulate.max_servers, 32);
  // 2025-11 + 6.5 months = May 2026 (month index 6).
  EXPECT_EQ(p.date_of(6.5), "2026-05");
  EXPECT_EQ(p.date_of(0), "2025-11");
}

TEST(PlanLoader, DefaultsAreDocumentedOnes) {
  Plan p = load(kMinimal);
  EXPECT_EQ(p.name, "p");  // the file's stem
  EXPECT_DOUBLE_EQ(p.headroom_cpu, 0.7);
  EXPECT_DOUBLE_EQ(p.headroom_memory, 0.8);
  EXPECT_DOUBLE_EQ(p.headroom_storage, 0.8);
  EXPECT_DOUBLE_EQ(p.peak_factor, 1);
  EXPECT_FALSE(p.data.given());
  const Tier& t = p.tiers.at(0);
  EXPECT_DOUBLE_EQ(t.server.cores, 8);
  EXPECT_DOUBLE_EQ(t.server.memory, 32 * kGiB);
  EXPECT_DOUBLE_EQ(t.server.disk, 1e12);
  EXPECT_EQ(t.min, 1);
  EXPECT_EQ(t.scale, Scale::kReplicas);
  EXPECT_EQ(p.simulate.max_servers, 100);
  EXPECT_TRUE(p.plan.empty());
  EXPECT_EQ(p.date_of(3), "");
}

TEST(PlanLoader, SeedPlanResolvesServersFromTheTopology) {
  core::Diagnostics diags;
  auto in = load_plan(testing::repo_root() + "/scenarios/plans/seed-002.yaml", diags);
  ASSERT_TRUE(in) << diags.format();
  const Plan& p = in->plan;
  ASSERT_EQ(p.tiers.size(), 3u);
  // web = the topology's app: 2 cores, 1 GiB (not written in the plan).
  EXPECT_DOUBLE_EQ(p.tiers[0].server.cores, 2);
  EXPECT_DOUBLE_EQ(p.tiers[0].server.memory, 1 * kGiB);
  // db: 4 cores from the topology, memory the default.
  EXPECT_DOUBLE_EQ(p.tiers[1].server.cores, 4);
  EXPECT_DOUBLE_EQ(p.tiers[1].server.memory, 32 * kGiB);
  // cache: 1 core (a cache node's default), 16 GiB written in the plan.
  EXPECT_DOUBLE_EQ(p.tiers[2].server.cores, 1);
  EXPECT_DOUBLE_EQ(p.tiers[2].server.memory, 16 * kGiB);
  // The plan's `set` reached the topology it loaded.
  ASSERT_TRUE(in->scenario);
  EXPECT_DOUBLE_EQ(in->scenario->topology.find("lb")->lb()->rate_limits.at(0).rate, 100000);
}

TEST(PlanLoader, ResolveTiersChecksComponents) {
  core::Diagnostics tdiags;
  auto topo = topology::parse_topology("t.yaml", R"(name: t
components:
  lb: {kind: load_balancer}
  app: {kind: service, replicas: 2, cores: 4, memory: 8GiB, service_time: {default: 5ms}}
  db: {kind: database, cores: 8, query_time: {default: 2ms}}
requests:
  r: {share: 100%, path: [lb, app, db]}
)",
                                       tdiags);
  ASSERT_TRUE(topo) << tdiags.format();
  scenario::Loaded loaded;
  loaded.topology = *topo;

  core::Diagnostics d;
  Plan p = load(R"(horizons: [now]
growth: {users: {current: 1, yearly: 1x}}
requests: {per_user: 1/s}
scenario: s.yaml
tiers:
  web: {component: apx}
  db: {component: db, scale: cores}
  db2: {component: app}
  app2: {component: app}
  lbt: {component: lb, scale: both}
)");
  EXPECT_FALSE(resolve_tiers(p, loaded, d));
  EXPECT_EQ(d.format_short(),
            "p.yaml:6:20: error: tier 'web' names unknown component 'apx'; did you mean 'app'?\n"
            "p.yaml:7:19: error: tier 'db' scales cores, but 'db' is a database; expected a service for scale: cores\n"
            "p.yaml:9:21: error: component 'app' is already sized by tier 'db2'; expected one tier per component\n"
            "p.yaml:10:20: error: tier 'lbt' scales both, but 'lb' is a load_balancer; expected a service for scale: "
            "both\n");

  core::Diagnostics ok;
  Plan q = load("horizons: [now]\ngrowth: {users: {current: 1, yearly: 1x}}\nrequests: {per_user: 1/s}\n"
                "scenario: s.yaml\ntiers:\n  web: {component: app}\n  db: {component: db, server: {cores: 2}}\n");
  EXPECT_TRUE(resolve_tiers(q, loaded, ok)) << ok.format();
  EXPECT_DOUBLE_EQ(q.tiers[0].server.cores, 4);           // from app
  EXPECT_DOUBLE_EQ(q.tiers[0].server.memory, 8 * kGiB);   // from app
  EXPECT_DOUBLE_EQ(q.tiers[1].server.cores, 2);           // written wins

  // scale: both sizes a server as an instance (out); up keeps app's 2 instances (its replicas) of 4 cores.
  core::Diagnostics both;
  Plan b = load("horizons: [now]\ngrowth: {users: {current: 1, yearly: 1x}}\nrequests: {per_user: 1/s}\n"
                "scenario: s.yaml\ntiers:\n  web: {component: app, scale: both}\n");
  EXPECT_TRUE(resolve_tiers(b, loaded, both)) << both.format();
  EXPECT_DOUBLE_EQ(b.tiers[0].server.cores, 4);
  EXPECT_EQ(b.tiers[0].up_instances, 2);
  EXPECT_EQ(b.tiers[0].up_base_cores, 4);
}

TEST(PlanLoader, UnknownKeysAndTiersAreLocated) {
  EXPECT_EQ(errors_of(R"(horizns: [now, 6]
growth:
  users: {current: 10000, yearly: 2.5x, per_year: 100}
tiers:
  web: {component: app}
plan:
  0: {web: 5, webb: 3}
  six: {web: 2}
)"),
            "p.yaml:1:1: error: unknown key 'horizns' in plan; did you mean 'horizons'?\n"
            "p.yaml:3:41: error: 'yearly' and 'per_year' cannot be used together in growth of users; expected "
            "exactly one of yearly, per_year, points\n"
            "p.yaml:7:15: error: unknown key 'webb' in plan at month 0; did you mean 'web'?\n"
            "p.yaml:8:3: error: invalid month 'six'; expected a number of months from now between 0 and 1200\n");
}

TEST(PlanLoader, PlanAndGrowthMustCoverTheHorizons) {
  EXPECT_EQ(errors_of(R"(horizons: [now, 6, 24]
growth:
  users: {points: {0: 10000, 12: 25000}}
tiers:
  web: {}
  db: {min: 2}
plan:
  6: {web: 5}
)"),
            "p.yaml:3:10: error: growth points of users cover months 0 to 12, but the horizons run from 0 to 24; "
            "expected points at or beyond both ends\n"
            "p.yaml:8:3: error: plan at month 6 has no count for tier 'db'; expected a count for every tier (web, db)\n"
            "p.yaml:8:3: error: the plan starts at month 6, after the first horizon (month 0); expected a plan entry "
            "at month 0 or earlier\n");
}

TEST(PlanLoader, ValuesAreChecked) {
  EXPECT_EQ(errors_of(R"(start: 2025-13
horizons: [now, soon, 6, 6]
growth: {users: {current: 100, yearly: 2x}, data: {current: lots, yearly: 3x}}
headroom: {cpu: 0%}
tiers:
  storage: {}
  web: {component: app, scale: sideways}
)"),
            "p.yaml:1:8: error: invalid start '2025-13'; expected a month like 2025-01\n"
            "p.yaml:2:17: error: invalid horizon 'soon'; expected now or a number of months from now between 0 "
            "and 1200\n"
            "p.yaml:2:26: error: horizon 6 is listed twice; expected each month once\n"
            "p.yaml:3:61: error: invalid size 'lots'; expected a size like 512MB, 4GiB or 1TB\n"
            "p.yaml:4:17: error: headroom cpu must be above 0%, got '0%'; expected a utilization target like 70%\n"
            "p.yaml:6:3: error: tier name 'storage' is reserved for the plan's storage line; expected another name\n"
            "p.yaml:7:32: error: unknown scale 'sideways'; expected one of replicas, cores, both\n");
}

TEST(PlanLoader, ComponentsNeedAScenarioAndAScenarioNeedsARate) {
  EXPECT_EQ(errors_of("horizons: [now]\ngrowth: {users: {current: 1, yearly: 1x}}\ntiers: {web: {component: app}}\n"),
            "p.yaml:3:26: error: tier 'web' names component 'app' but the plan has no scenario; expected scenario: "
            "a scenario file whose topology has it\n");
  EXPECT_EQ(errors_of("horizons: [now]\ngrowth: {users: {current: 1, yearly: 1x}}\ntiers: {web: {}}\nscenario: s.yaml\n"),
            "p.yaml:4:11: error: a scenario is given but requests has no per_user rate; expected requests: "
            "{per_user: 0.01/s} to scale its load\n");
  EXPECT_EQ(errors_of("growth: {users: {current: 1, yearly: 1x}}\ntiers: {web: {}}\n"),
            "p.yaml:1:1: error: missing key 'horizons' in plan; expected the months to look at, like horizons: "
            "[now, 6, 12, 24]\n");
}

TEST(PlanLoader, MissingScenarioFileIsLocated) {
  std::string dir = testing::temp_dir("plan-missing-scenario");
  testing::write_file(dir + "/p.yaml", std::string(kMinimal) + "requests: {per_user: 1/s}\nscenario: nope.yaml\n");
  core::Diagnostics d;
  EXPECT_FALSE(load_plan(dir + "/p.yaml", d));
  EXPECT_EQ(d.format_short(), dir + "/p.yaml:5:11: error: cannot read scenario '" + dir +
                                  "/nope.yaml': no such file; expected a readable scenario file\n");
}

}  // namespace
}  // namespace sim::capacity
