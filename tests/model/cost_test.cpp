// The cost of a design (topology/pricing.h, model/cost.h): the pricing file
// and the topology's cost keys with their located errors, then the estimate of
// a hand-built run checked line by line against a hand computation.
//
//   clients -> lb[a] -> app[a], app[b] -> db-0[a] (primary), db-1[b] (standby)
#include <gtest/gtest.h>

#include "sim/model/cost.h"
#include "sim/topology/loader.h"
#include "tests/test_util.h"

namespace sim::model {
namespace {

using sim::testing::temp_dir;
using sim::testing::write_file;

const char* kPricing = R"(name: p
currency: USD
source: test prices
date: 2026-11-30
instances:
  small: {on_demand: 0.05, spot: 0.015}
  dbsmall: {on_demand: 0.04, reserved: 0.03}
  lb: {on_demand: 0.025}
storage: {gp3: 0.1}
requests: {edge: 1.2}
transfer: {inter_zone: 0.01, inter_region: 0.02, out: 0.09}
)";

const char* kTopology = R"(name: t
regions: {r1: {zones: [a, b]}}
cost: {pricing: pricing.yaml, response_bytes: {default: 10KB}}
components:
  lb: {kind: load_balancer, zone: a, cost: {instance: lb, per: component}}
  app: {kind: service, replicas: 2, zones: [a, b], service_time: 1ms, cost: {instance: small}}
  db:
    kind: database
    replicas: 1
    zones: [a, b]
    reads_from_replicas: false
    query_time: {default: 1ms}
    cost: {instance: dbsmall, purchase: reserved, storage: 100GB, storage_class: gp3}
requests:
  r: {share: 100%, path: [lb, app, db]}
)";

struct Loaded {
  std::optional<topology::Topology> topology;
  std::string errors;
};

// Loads `topology` from a folder that also holds `pricing` as pricing.yaml.
Loaded load(const std::string& topology, const std::string& pricing = kPricing) {
  std::string dir = temp_dir("cost");
  write_file(dir + "/pricing.yaml", pricing);
  write_file(dir + "/t.yaml", topology);
  core::Diagnostics diags;
  Loaded out;
  out.topology = topology::parse_topology(dir + "/t.yaml", topology, diags);
  out.errors = diags.format_short();
  // Messages name the temporary folder: keep the file names only.
  for (std::size_t at; (at = out.errors.find(dir + "/")) != std::string::npos;) out.errors.erase(at, dir.size() + 1);
  return out;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(Pricing, LoadsTheCommittedAwsPrices) {
  const std::string file = "pricing/aws-eu-central-1.yaml";
  core::Diagnostics diags;
  auto p = topology::parse_pricing(file, sim::testing::read_file(sim::testing::repo_root() + "/" + file), diags);
  ASSERT_TRUE(p) << diags.format_short();
  EXPECT_EQ(p->currency, "USD");
  EXPECT_EQ(p->date, "2024-06-01");
  EXPECT_DOUBLE_EQ(p->hours_per_month, 730);
  EXPECT_DOUBLE_EQ(*p->instances.at("db.t3.small").on_demand, 0.040);
  EXPECT_FALSE(p->instances.at("db.t3.small").spot);
  // Fargate: 1 vCPU × 0.04656 + 2 GB × 0.00511 per hour.
  EXPECT_NEAR(*p->instances.at("fargate-1vcpu-2gb").on_demand, 0.04656 + 2 * 0.00511, 1e-12);
  EXPECT_DOUBLE_EQ(*p->transfer.cdn_out, 0.085);
}

TEST(Pricing, RefusesPricesWithoutSourceOrDateAndBadValues) {
  core::Diagnostics diags;
  auto p = topology::parse_pricing("p.yaml", R"(name: p
date: 2024-13-01
instances:
  x: {on_demand: -1}
  y: {description: none}
transfer: {out: 0.09, in: 0}
)", diags);
  EXPECT_FALSE(p);
  EXPECT_EQ(diags.format_short(),
            "p.yaml:1:1: error: missing key 'source' in pricing; expected where the prices come from, like source: "
            "\"AWS price list, ...\"\n"
            "p.yaml:2:7: error: invalid date '2024-13-01'; expected a date like 2024-06-01 (YYYY-MM-DD)\n"
            "p.yaml:4:18: error: -1 is out of range; expected a number between 0 and 1e+09\n"
            "p.yaml:5:6: error: instance type 'y' has no price; expected at least one of on_demand, reserved, spot "
            "(per instance-hour)\n"
            "p.yaml:6:23: error: unknown key 'in' in transfer; expected one of inter_zone, inter_region, out, "
            "cdn_out\n");
}

TEST(TopologyCost, ChecksEveryNameAgainstThePricingFile) {
  std::string t = replace(kTopology, "{instance: small}", "{instance: smal, purchase: reserved}");
  t = replace(t, "storage_class: gp3", "storage_class: gp2");
  EXPECT_EQ(load(t).errors,
            "t.yaml:6:88: error: unknown instance type 'smal' in pricing file pricing.yaml; did you mean 'small'?\n"
            "t.yaml:13:82: error: unknown storage class 'gp2' in pricing file pricing.yaml; did you mean 'gp3'?\n");
  EXPECT_EQ(load(replace(kTopology, "{instance: small}", "{instance: small, purchase: reserved}")).errors,
            "t.yaml:6:88: error: instance type 'small' has no reserved price in pricing.yaml; expected one of "
            "on_demand, spot\n");
}

TEST(TopologyCost, RefusesCostWithoutAPricingFileAndMisplacedKeys) {
  EXPECT_EQ(load(replace(kTopology, "cost: {pricing: pricing.yaml, response_bytes: {default: 10KB}}\n", "")).errors,
            "t.yaml:4:44: error: component 'lb' has cost: but the topology names no pricing file; expected cost: "
            "{pricing: FILE} at the top of the topology\n");
  EXPECT_EQ(load(replace(kTopology, "pricing: pricing.yaml", "pricing: nowhere.yaml")).errors,
            "t.yaml:3:17: error: cannot read pricing file 'nowhere.yaml': no such file; expected a pricing file "
            "(docs/cost.md)\n");
  EXPECT_EQ(load(replace(kTopology, "storage: 100GB, storage_class: gp3", "storage: 100GB")).errors,
            "t.yaml:13:11: error: storage without storage_class in cost; expected the storage class it is priced "
            "at, like storage_class: gp3\n");
  EXPECT_EQ(load(replace(kTopology, "{default: 10KB}", "{rr: 10KB}")).errors,
            "t.yaml:3:48: error: unknown request class 'rr' in cost.response_bytes; did you mean 'r'?\n");
}

// One hour of the topology above, as the engine would report it.
RunResult an_hour(std::uint64_t completed) {
  RunResult r;
  r.duration = 3600;
  r.classes.push_back({"r", completed, completed, 0, {}, {}, {}});
  for (auto [name, hours] : {std::pair{"lb", 1.0}, {"app", 2.0}, {"db", 2.0}}) {
    ComponentStats c;
    c.name = name;
    c.instance_hours = hours;
    r.components.push_back(c);
  }
  return r;
}

TEST(CostEstimate, IsInstanceHoursTimesPricePlusStoragePlusTransfer) {
  Loaded l = load(kTopology);
  ASSERT_TRUE(l.topology) << l.errors;
  auto e = estimate_cost(*l.topology, an_hour(36000));
  ASSERT_TRUE(e);
  // By hand, one hour scaled to 730:
  //   lb   per component 730 h × 0.025                                = 18.25
  //   app  2 instance-hours × 730 = 1460 × 0.05                        = 73
  //   db   1460 × 0.03 (reserved)                                      = 43.8
  //   db   storage: 2 instances × 100 GB = 200 GB-months × 0.1         = 20
  //   out  36000 × 10 KB × 730 = 262.8 GB × 0.09                       = 23.652
  //   lb[a] -> app[a|b]: half the pairs cross: 131.4 GB × 0.01         = 1.314
  //   app[a|b] -> db-0[a] (reads_from_replicas: false): half           = 1.314
  ASSERT_EQ(e->lines.size(), 7u);
  const double expected[] = {18.25, 73, 43.8, 20, 23.652, 1.314, 1.314};
  for (std::size_t i = 0; i < 7; ++i) EXPECT_NEAR(e->lines[i].per_month, expected[i], 1e-9) << e->lines[i].item;
  EXPECT_EQ(e->lines[5].detail, "lb -> app");
  EXPECT_EQ(e->lines[6].detail, "app -> db");
  EXPECT_NEAR(e->per_month, 181.33, 1e-9);
  EXPECT_EQ(e->currency, "USD");
}

TEST(CostEstimate, TypeWithCoresPricesOtherSizesInProportion) {
  // small declares 1 vCPU; app runs 4 cores: each instance-hour costs 4 × 0.05 = 0.2, so
  // 1460 instance-hours a month cost 292 (73 at 1 core). The other lines do not move.
  std::string pricing = replace(kPricing, "small: {on_demand", "small: {cores: 1, on_demand");
  Loaded l = load(replace(kTopology, "service_time: 1ms, cost", "cores: 4, service_time: 1ms, cost"), pricing);
  ASSERT_TRUE(l.topology) << l.errors;
  auto e = estimate_cost(*l.topology, an_hour(36000));
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->lines[1].per_month, 292, 1e-9);
  EXPECT_NEAR(e->lines[1].unit_price, 0.2, 1e-12);
  EXPECT_EQ(e->lines[1].detail, "small on_demand × 4/1 cores");
  EXPECT_NEAR(e->per_month, 181.33 - 73 + 292, 1e-9);
  // At its own size, or without `cores:` on the type, the price is the type's.
  Loaded same = load(kTopology, pricing);
  ASSERT_TRUE(same.topology) << same.errors;
  EXPECT_NEAR(estimate_cost(*same.topology, an_hour(36000))->per_month, 181.33, 1e-9);
  Loaded untyped = load(replace(kTopology, "service_time: 1ms, cost", "cores: 4, service_time: 1ms, cost"));
  ASSERT_TRUE(untyped.topology) << untyped.errors;
  EXPECT_NEAR(estimate_cost(*untyped.topology, an_hour(36000))->per_month, 181.33, 1e-9);
  // A type's cores must be positive.
  core::Diagnostics diags;
  EXPECT_FALSE(topology::parse_pricing("p.yaml", replace(kPricing, "small: {on_demand", "small: {cores: 0, on_demand"),
                                       diags));
  EXPECT_EQ(diags.format_short(), "p.yaml:6:18: error: 0 is out of range; expected a number between 0.001 and 10000\n");
}

TEST(CostEstimate, CrossSharesFollowZonesAndRegions) {
  Loaded l = load(replace(replace(kTopology, "regions: {r1: {zones: [a, b]}}", "regions: {r1: {zones: [a, b]}, r2: {zones: [c]}}"),
                          "zones: [a, b]\n    reads", "zones: [a, c]\n    reads"));
  ASSERT_TRUE(l.topology) << l.errors;
  const auto& t = *l.topology;
  // app in a and b; db-0 in a, db-1 in c (another region).
  CrossShare to_primary = cross_share(t, *t.find("app"), *t.find("db"), "primary");
  EXPECT_DOUBLE_EQ(to_primary.zone, 0.5);
  EXPECT_DOUBLE_EQ(to_primary.region, 0);
  CrossShare to_replica = cross_share(t, *t.find("app"), *t.find("db"), "replica");
  EXPECT_DOUBLE_EQ(to_replica.zone, 0);
  EXPECT_DOUBLE_EQ(to_replica.region, 1);
}

TEST(CostEstimate, NoneWithoutAPricingFile) {
  topology::Topology t;
  EXPECT_FALSE(estimate_cost(t, an_hour(1)));
}

}  // namespace
}  // namespace sim::model
