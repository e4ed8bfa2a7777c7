// The analytic projection against hand-computed values: growth models,
// servers per resource and the binding one, gaps, the month on the growth
// curve where a plan first falls short, the request-driven cost per tier, and
// what seed 002's own numbers imply (scenarios/plans/seed-002.yaml).
//
//   seed 002:  clients -> cdn -> lb -> app (web) -> cache -> db      (topologies/nextleveltraders-scaling.yaml)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "sim/capacity/plan.h"
#include "sim/capacity/projection.h"
#include "tests/test_util.h"

namespace sim::capacity {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

Plan load(const std::string& text) {
  core::Diagnostics diags;
  auto p = parse_plan("p.yaml", text, diags);
  EXPECT_TRUE(p.has_value()) << diags.format();
  return p ? *p : Plan{};
}

bool has_finding(const Projection& p, const std::string& part) {
  return std::any_of(p.findings.begin(), p.findings.end(),
                     [&](const std::string& f) { return f.find(part) != std::string::npos; });
}

TEST(Growth, CompoundLinearAndPoints) {
  Plan p = load(R"(horizons: [now, 6, 12, 24]
growth:
  users: {current: 10000, yearly: 2.5x}
  data: {current: 500GB, yearly: 3x}
tiers: {web: {}}
)");
  // 10,000 × 2.5^(6/12) = 10,000 × 1.58114 = 15,811.4; × 2.5 = 25,000; × 2.5² = 62,500.
  EXPECT_NEAR(p.users.at(6), 15811.39, 0.01);
  EXPECT_NEAR(p.users.at(12), 25000, 1e-6);
  EXPECT_NEAR(p.users.at(24), 62500, 1e-6);
  // 500 GB × 3^(1/2) = 866.03 GB; × 3 = 1.5 TB.
  EXPECT_NEAR(p.data.at(6), 866.025e9, 1e6);
  EXPECT_NEAR(p.data.at(12), 1.5e12, 1);

  Plan q = load(R"(horizons: [now, 12]
growth:
  users: {current: 1000, per_year: 600}
  data: {points: {0: 100GB, 12: 400GB}}
tiers: {web: {}}
)");
  EXPECT_DOUBLE_EQ(q.users.at(6), 1300);     // 1000 + 600 × 6/12
  EXPECT_DOUBLE_EQ(q.data.at(3), 175e9);     // 100 + (400 − 100) × 3/12 GB
  EXPECT_DOUBLE_EQ(q.data.at(12), 400e9);
}

// One tier carrying every per-user resource:
//   10,000 users × 0.1 core = 1,000 cores / (8 cores × 70 %) = 178.6 -> 179 servers
//   10,000 × 50 MB = 500 GB / (32 GB × 80 %) = 19.5 -> 20 servers
//   max(10,000 × 100 MB = 1 TB, data 500 GB) = 1 TB / (1 TB × 80 %) = 1.25 -> 2 servers
const char* kOneTier = R"(horizons: [now]
growth: {users: {current: 10000, yearly: 2x}, data: {current: 500GB, yearly: 2x}}
per_user: {cpu: CPU, memory: 50MB, storage: 100MB}
tiers:
  app:
    server: {cores: 8, memory: 32GB, disk: 1TB}
    carries: {cpu: 100%, memory: 100%, storage: 100%}
plan:
  0: {app: PLANNED, storage: 1TB}
)";

Plan one_tier(const std::string& cpu, int planned) {
  std::string text = kOneTier;
  text.replace(text.find("CPU"), 3, cpu);
  text.replace(text.find("PLANNED"), 7, std::to_string(planned));
  return load(text);
}

TEST(Projection, ServersByBindingResource) {
  HorizonProjection h = project_at(one_tier("0.1", 5), nullptr, 0);
  const TierProjection& t = h.tiers.at(0);
  EXPECT_DOUBLE_EQ(t.cpu, 1000);
  EXPECT_EQ(t.by_cpu, 179);
  EXPECT_EQ(t.by_memory, 20);
  EXPECT_EQ(t.by_storage, 2);
  EXPECT_EQ(t.required, 179);
  EXPECT_EQ(t.binding, "cpu");
  EXPECT_EQ(t.gap, 5 - 179);
  EXPECT_EQ(t.status, Status::kShort);
  // Storage line: 1 TB needed, 1.25 TB with headroom, 1 TB planned: short by 0.25 TB.
  EXPECT_DOUBLE_EQ(h.storage.from_users, 1e12);
  EXPECT_DOUBLE_EQ(h.storage.data, 500e9);
  EXPECT_DOUBLE_EQ(h.storage.required, 1.25e12);
  EXPECT_DOUBLE_EQ(h.storage.gap, -0.25e12);
  EXPECT_EQ(h.storage.status, Status::kShort);

  // 0.001 core per user: 10 cores / 5.6 = 1.8 -> 2 servers; memory binds with 20.
  const TierProjection m = project_at(one_tier("0.001", 25), nullptr, 0).tiers.at(0);  // a copy: the projection is a temporary
  EXPECT_EQ(m.by_cpu, 2);
  EXPECT_EQ(m.required, 20);
  EXPECT_EQ(m.binding, "memory");
  EXPECT_EQ(m.gap, 5);
  EXPECT_EQ(m.status, Status::kHolds);  // 25 < 2 × 20
  EXPECT_EQ(project_at(one_tier("0.001", 40), nullptr, 0).tiers.at(0).status, Status::kOver);  // 40 >= 2 × 20
}

TEST(Projection, FirstShortMonthIsFoundOnTheCurve) {
  // 1,000 users × 2^(m/12) × 0.007 core on 1-core servers at 100 %: 7 × 2^(m/12) cores.
  // The plan's 10 servers fall short once 7 × 2^(m/12) > 10: m = 12 log2(10/7) = 6.1749 months.
  Plan p = load(R"(start: 2025-01
horizons: [now, 12]
growth: {users: {current: 1000, yearly: 2x}}
per_user: {cpu: 0.007}
headroom: {cpu: 100%}
tiers: {app: {server: {cores: 1}, carries: {cpu: 100%}}}
plan: {0: {app: 10}}
)");
  Projection pr = project(p, nullptr);
  ASSERT_EQ(pr.shortfalls.size(), 1u);
  EXPECT_EQ(pr.shortfalls[0].what, "app");
  EXPECT_NEAR(pr.shortfalls[0].month, 6.1749, 0.001);
  EXPECT_EQ(pr.shortfalls[0].date, "2025-07");  // month index 6 after January
  EXPECT_EQ(pr.shortfalls[0].first_horizon, 12);  // at 12: 14 needed, 10 planned
  EXPECT_EQ(pr.horizons[1].tiers[0].required, 14);
  EXPECT_EQ(pr.horizons[0].tiers[0].status, Status::kHolds);
  // The chart has 49 samples from month 0 to 12.
  ASSERT_EQ(pr.series.month.size(), 49u);
  EXPECT_DOUBLE_EQ(pr.series.month.back(), 12);
  EXPECT_DOUBLE_EQ(pr.series.required.at("app").back(), 14);
  EXPECT_DOUBLE_EQ(pr.series.planned.at("app").back(), 10);
}

// Seed 002's numbers, as scenarios/plans/seed-002.yaml writes them down (all hand-computed):
//
//   users 10,000 × 2.5/year: 15,811 at 6 months, 25,000 at 12, 62,500 at 24
//   web (app: 2 cores, 70 % CPU = 1.4 usable cores per server), 0.1 core per user:
//     now  1,000 cores / 1.4 = 714.3 -> 715 servers   plan 5    gap −710
//     6 m  1,581.1 cores / 1.4 = 1,129.4 -> 1,130      plan 10   gap −1,120
//     12 m 2,500 cores / 1.4 = 1,785.7 -> 1,786        plan 20   gap −1,766
//     the plan's 5 servers hold 7 usable cores = 70 users at 0.1 core
//   cache (16 GiB = 17.18 GB per node, 80 %: 13.74 GB usable), 50 MB per user:
//     now  500 GB / 13.74 GB = 36.4 -> 37 nodes       plan 3
//   storage: max(users × 100 MB, data 500 GB × 3/year), 80 % headroom:
//     now  max(1 TB, 500 GB) = 1 TB -> 1.25 TB        plan 1 TB   short by 0.25 TB
//     6 m  max(1.581 TB, 866 GB) -> 1.976 TB          plan 3 TB   holds
//     12 m max(2.5 TB, 1.5 TB) -> 3.125 TB            plan 10 TB  over
//   plan growth: web 5 -> 20 and cache 3 -> 12 in 12 months (×4/year) vs users ×2.5/year (×1.6 per user);
//     storage 1 TB -> 10 TB (×10/year) vs data ×3/year
//   a request on app: static 30 % × 5 % CDN miss × 2 ms + api_read 45 % × 80 % × 8 ms + session 10 % × 4 ms
//     + api_write 15 % × 12 ms = 0.03 + 2.88 + 0.4 + 1.8 = 5.11 ms of CPU; at 0.03 requests/s per user at
//     peak that is 0.0001533 core per user, 652× less than 0.1 core (which would take 0.1 / 0.00511 =
//     19.57 requests/s per user)
//   by load now: 300/s × 5.11 ms = 1.533 cores / 1.4 = 1.10 -> 2 (the plan's min 3 binds before cpu does)
//   db at 24 months: reads (45 % × 80 % + 10 %) × 20 % × 4 ms = 0.368 ms (the projection takes the cache's
//     hit_ratio, 80 %, not its modelled keys), writes 15 % × 8 ms = 1.2 ms per request;
//     1,875/s × 1.568 ms = 2.94 cores > 4 × 70 % = 2.8 -> primary + 1 = 2 servers
TEST(Projection, SeedTwoNumbersExposeThePlansInconsistencies) {
  core::Diagnostics diags;
  auto in = load_plan(testing::repo_root() + "/scenarios/plans/seed-002.yaml", diags);
  ASSERT_TRUE(in) << diags.format();
  const Plan& p = in->plan;
  LoadModel lm = load_model(p, in->scenario->topology);
  Projection pr = project(p, &lm);
  ASSERT_EQ(p.horizons, (std::vector<double>{0, 3, 6, 12, 18, 24}));
  const HorizonProjection& now = pr.horizons[0];
  const HorizonProjection& m6 = pr.horizons[2];
  const HorizonProjection& m12 = pr.horizons[3];
  const HorizonProjection& m24 = pr.horizons[5];
  EXPECT_NEAR(m6.users, 15811.39, 0.01);
  EXPECT_NEAR(m12.users, 25000, 1e-6);
  EXPECT_NEAR(m24.users, 62500, 1e-6);

  EXPECT_EQ(now.tiers[0].by_cpu, 715);
  EXPECT_EQ(now.tiers[0].binding, "cpu");
  EXPECT_EQ(now.tiers[0].gap, -710);
  EXPECT_EQ(m6.tiers[0].by_cpu, 1130);
  EXPECT_EQ(m6.tiers[0].gap, -1120);
  EXPECT_EQ(m12.tiers[0].by_cpu, 1786);
  EXPECT_EQ(m12.tiers[0].gap, -1766);
  EXPECT_TRUE(has_finding(pr, "the plan's 5 give 7 usable cores, enough for 70 users")) << pr.findings[0];

  EXPECT_EQ(now.tiers[2].by_memory, 37);
  EXPECT_EQ(now.tiers[2].binding, "memory");
  EXPECT_DOUBLE_EQ(p.tiers[2].server.memory, 16 * kGiB);

  EXPECT_NEAR(now.storage.required, 1.25e12, 1);
  EXPECT_EQ(now.storage.status, Status::kShort);
  EXPECT_NEAR(m6.storage.required, 1.5811388e12 / 0.8, 1e6);
  EXPECT_EQ(m6.storage.status, Status::kHolds);
  EXPECT_NEAR(m12.storage.required, 3.125e12, 1);
  EXPECT_EQ(m12.storage.status, Status::kOver);
  EXPECT_TRUE(has_finding(pr, "web: the plan goes from 5 to 20 servers between months 0 and 12 (×4/year) while users "
                              "grow ×2.5/year: servers per user rise ×1.6"));
  EXPECT_TRUE(has_finding(pr, "storage: the plan goes from 1TB to 10TB between months 0 and 12 (×10/year)"));
  EXPECT_TRUE(has_finding(pr, "data model ×3/year"));
  EXPECT_TRUE(has_finding(pr, "users × 100MB = 1TB, but the data model says 500GB"));

  // The request-driven side.
  const TierLoad* web = lm.find("web");
  ASSERT_TRUE(web && web->modelled);
  EXPECT_NEAR(web->cores_per_request, 5.11e-3, 1e-9);
  EXPECT_NEAR(now.request_rate, 300, 1e-9);
  EXPECT_EQ(now.tiers[0].by_load, 2);
  EXPECT_TRUE(has_finding(pr, "652× less than the 0.1 core per user assumed, which would take 19.57/s per user"));
  const TierLoad* db = lm.find("db");
  ASSERT_TRUE(db && db->database);
  EXPECT_NEAR(db->read_cores, 0.368e-3, 1e-9);
  EXPECT_NEAR(db->write_cores, 1.2e-3, 1e-9);
  EXPECT_EQ(m24.tiers[1].by_load, 2);
  EXPECT_EQ(m24.tiers[1].binding, "load");  // 2 by load reaches the min of 2: the load binds
  EXPECT_EQ(m12.tiers[1].binding, "min");   // 1 by load, the min of 2 binds
  EXPECT_EQ(pr.horizons[4].tiers[1].by_load, 1);  // 1,186/s × 1.568 ms = 1.86 cores: one primary

  // The plan falls short now (web, cache, storage).
  ASSERT_EQ(pr.shortfalls.size(), 3u);
  for (const auto& s : pr.shortfalls) EXPECT_EQ(s.month, 0) << s.what;
}

TEST(Projection, DatabaseWritesBeyondOnePrimaryAreNoted) {
  core::Diagnostics tdiags;
  Plan p = load(R"(horizons: [now]
growth: {users: {current: 1000, yearly: 1x}}
requests: {per_user: 1/s}
scenario: s.yaml
tiers: {db: {component: db}}
)");
  topology::Topology t;
  topology::Component db;
  db.name = "db";
  db.kind = topology::Kind::kDatabase;
  topology::DatabaseSpec spec;
  spec.cores = 2;
  spec.query_time["write"] = core::Distribution::constant(2e-3);
  db.spec = spec;
  t.components.push_back(db);
  topology::RequestClass w;
  w.name = "w";
  w.share = 1;
  w.write = true;
  w.path.push_back({"db", "", {}});
  t.requests.push_back(w);
  p.tiers[0].server.cores = 2;
  LoadModel lm = load_model(p, t);
  // 1,000/s × 2 ms = 2 cores of writes > 2 cores × 70 % = 1.4 usable on one primary.
  HorizonProjection h = project_at(p, &lm, 0);
  EXPECT_DOUBLE_EQ(h.tiers[0].load_cores, 2);
  EXPECT_EQ(h.tiers[0].by_load, 1);  // all writes: replicas would not help
  EXPECT_NE(h.tiers[0].note.find("writes alone keep 2 cores busy, more than the 1.4 usable cores of one primary"),
            std::string::npos)
      << h.tiers[0].note;
}

TEST(Projection, Formatting) {
  EXPECT_EQ(format_bytes(1.25e12), "1.25TB");
  EXPECT_EQ(format_bytes(500e9), "500GB");
  EXPECT_EQ(format_bytes(16 * kGiB), "16GiB");
  EXPECT_EQ(format_count(15811.39), "15,811");
  EXPECT_EQ(format_count(-1120), "-1,120");
  EXPECT_EQ(servers_for(2.0000000001), 2);
  EXPECT_EQ(servers_for(0), 0);
}

}  // namespace
}  // namespace sim::capacity
