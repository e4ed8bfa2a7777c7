// Topology loader: the example topology with its values (defaults filled in,
// units converted), then one test per error class, each asserting the whole
// message. Texts are parsed in memory as "t.yaml" (STYLE.md §8).
//
// Most tests start from this small valid topology and break one thing:
//
//   clients -> lb -> app -> db.primary
#include <gtest/gtest.h>

#include <cmath>

#include "sim/topology/loader.h"
#include "tests/test_util.h"

namespace sim::topology {
namespace {

// The diagnostics (short form, sorted) of a topology that must not load.
std::string errors_of(const std::string& text) {
  core::Diagnostics diags;
  auto t = parse_topology("t.yaml", text, diags);
  EXPECT_FALSE(t.has_value()) << "loaded although it should not:\n" << text;
  return diags.format_short();
}

// A topology that must load without any diagnostic.
Topology load(const std::string& text) {
  core::Diagnostics diags;
  auto t = parse_topology("t.yaml", text, diags);
  EXPECT_EQ(diags.format_short(), "");
  EXPECT_TRUE(t.has_value());
  return t ? *t : Topology{};
}

// ---- the example -------------------------------------------------------------

TEST(TopologyLoader, ParsesTheExampleTopology) {
  const std::string file = "topologies/nextleveltraders.yaml";
  core::Diagnostics diags;
  auto t = parse_topology(file, sim::testing::read_file(sim::testing::repo_root() + "/" + file), diags);
  ASSERT_TRUE(t) << diags.format();
  EXPECT_EQ(diags.format_short(), "");
  EXPECT_EQ(t->name, "nextleveltraders");
  EXPECT_EQ(t->file, file);

  ASSERT_EQ(t->regions.size(), 2u);
  EXPECT_EQ(t->regions[0].name, "fra1");
  EXPECT_EQ(t->regions[0].zones, (std::vector<std::string>{"fra1-a", "fra1-b"}));
  EXPECT_EQ(t->regions[1].zones, (std::vector<std::string>{"lhr1-a"}));
  EXPECT_DOUBLE_EQ(t->network.intra_zone_latency, 250e-6);
  EXPECT_DOUBLE_EQ(t->network.inter_zone_latency, 1e-3);
  EXPECT_DOUBLE_EQ(t->network.inter_region_latency, 40e-3);  // default
  EXPECT_DOUBLE_EQ(t->network.bandwidth, 10e9 / 8);          // 10Gbps in bytes/s
  ASSERT_EQ(t->network.region_links.size(), 1u);
  EXPECT_DOUBLE_EQ(t->network.region_links[0].latency, 8e-3);
  EXPECT_DOUBLE_EQ(t->network.region_links[0].bandwidth, 10e9 / 8);  // inherited
  EXPECT_DOUBLE_EQ(t->clients.latency, 20e-3);
  EXPECT_DOUBLE_EQ(t->clients.regions.at("fra1"), 0.7);
  EXPECT_DOUBLE_EQ(t->clients.regions.at("lhr1"), 0.3);

  ASSERT_EQ(t->components.size(), 5u);
  const Component* cdn = t->find("cdn");
  ASSERT_TRUE(cdn && cdn->cdn());
  EXPECT_DOUBLE_EQ(cdn->cdn()->edge_latency, 5e-3);
  EXPECT_DOUBLE_EQ(cdn->cdn()->hit_ratio.at("static"), 0.95);
  EXPECT_DOUBLE_EQ(cdn->cdn()->default_hit_ratio, 0);
  EXPECT_EQ(cdn->zones, (std::vector<std::string>{"fra1-a"}));  // default: the region's first zone
  EXPECT_EQ(cdn->instances(), 0);

  const Component* lb = t->find("lb");
  ASSERT_TRUE(lb && lb->lb());
  EXPECT_EQ(lb->lb()->algorithm, LbAlgorithm::kLeastConn);
  EXPECT_EQ(lb->lb()->replicas, 1);  // default
  EXPECT_DOUBLE_EQ(lb->lb()->latency, 100e-6);
  EXPECT_DOUBLE_EQ(lb->lb()->health_check.interval, 5);
  EXPECT_DOUBLE_EQ(lb->lb()->health_check.timeout, 3);
  EXPECT_EQ(lb->lb()->health_check.healthy_threshold, 2);
  EXPECT_EQ(lb->lb()->health_check.unhealthy_threshold, 3);
  EXPECT_DOUBLE_EQ(lb->lb()->health_check.detection_time(), 18);
  // Seed 000's Cloudflare WAF rule: 60 per minute per client on the API classes (a sliding window).
  ASSERT_EQ(lb->lb()->rate_limits.size(), 1u);
  const RateLimit& waf = lb->lb()->rate_limits[0];
  EXPECT_DOUBLE_EQ(waf.window, 60);
  EXPECT_EQ(waf.requests, 60);
  EXPECT_EQ(waf.key, RateLimit::Key::kClient);
  EXPECT_EQ(waf.classes, (std::vector<std::string>{"api_read", "api_write"}));

  const Component* app = t->find("app");
  ASSERT_TRUE(app && app->service());
  const ServiceSpec& s = *app->service();
  EXPECT_EQ(app->region, "fra1");
  EXPECT_EQ(app->zones, (std::vector<std::string>{"fra1-a", "fra1-b"}));
  EXPECT_EQ(s.replicas, 3);
  EXPECT_EQ(s.cores, 2);
  EXPECT_DOUBLE_EQ(s.memory, 1024.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(s.memory_base, 256.0 * 1024 * 1024);
  EXPECT_EQ(s.workers, 64);
  EXPECT_EQ(s.queue_limit, 512);
  EXPECT_DOUBLE_EQ(s.timeout, 10);
  EXPECT_DOUBLE_EQ(s.boot_time, 30);
  ASSERT_EQ(s.service_time.count("api_read"), 1u);
  EXPECT_EQ(s.service_time.at("api_read").kind, Distribution::Kind::kLognormal);
  EXPECT_DOUBLE_EQ(s.service_time.at("api_read").mean, 8e-3);
  EXPECT_DOUBLE_EQ(s.service_time.at("api_read").p99, 40e-3);
  EXPECT_EQ(s.service_time.at("static").kind, Distribution::Kind::kExponential);

  const Component* cache = t->find("cache");
  ASSERT_TRUE(cache && cache->cache());
  EXPECT_EQ(cache->cache()->nodes, 2);
  EXPECT_EQ(cache->cache()->cores, 1);  // default
  EXPECT_DOUBLE_EQ(cache->cache()->default_hit_ratio, 0.8);
  EXPECT_DOUBLE_EQ(cache->cache()->service_time.mean, 300e-6);
  EXPECT_DOUBLE_EQ(cache->cache()->warmup, 120);

  const Component* db = t->find("db");
  ASSERT_TRUE(db && db->database());
  const DatabaseSpec& d = *db->database();
  EXPECT_EQ(d.replicas, 2);
  EXPECT_EQ(db->instances(), 3);
  EXPECT_EQ(d.max_connections, 100);
  EXPECT_TRUE(d.reads_from_replicas);  // default
  EXPECT_EQ(d.pool.min, 2);
  EXPECT_EQ(d.pool.max, 10);
  EXPECT_DOUBLE_EQ(d.pool.acquire_timeout, 2);
  EXPECT_EQ(d.replication.mode, ReplicationMode::kAsync);
  EXPECT_DOUBLE_EQ(d.replication.lag.mean, 0.2);
  EXPECT_TRUE(d.failover.automatic);
  EXPECT_DOUBLE_EQ(d.failover.promote, 30);
  EXPECT_DOUBLE_EQ(d.failover.dns_ttl, 60);
  EXPECT_DOUBLE_EQ(d.backup.interval, 86400);
  EXPECT_DOUBLE_EQ(d.backup.size, 50e9);
  EXPECT_DOUBLE_EQ(d.backup.restore_rate, 100e6);
  EXPECT_DOUBLE_EQ(d.backup.restore_time(), 500);
  EXPECT_EQ(d.query_time.count("read"), 1u);
  EXPECT_EQ(d.query_time.count("write"), 1u);

  ASSERT_EQ(t->requests.size(), 3u);
  double sum = 0;
  for (const RequestClass& rc : t->requests) sum += rc.share;
  EXPECT_NEAR(sum, 1.0, 1e-12);
  const RequestClass* write = t->find_class("api_write");
  ASSERT_TRUE(write);
  EXPECT_TRUE(write->write);
  EXPECT_DOUBLE_EQ(write->share, 0.15);
  ASSERT_EQ(write->path.size(), 4u);
  EXPECT_EQ(write->path[3].component, "db");
  EXPECT_EQ(write->path[3].role, "primary");
  EXPECT_EQ(write->path[3].text(), "db.primary");
  EXPECT_FALSE(t->find_class("static")->write);
}

TEST(TopologyLoader, FillsDefaults) {
  Topology t = load(R"(name: mini
components:
  lb: {kind: load_balancer}
  app: {kind: service, service_time: 5ms}
  db: {kind: database, query_time: 2ms}
  q: {kind: queue}
requests:
  api: {share: 100%, path: [lb, app, db, q]}
)");
  ASSERT_EQ(t.regions.size(), 1u);
  EXPECT_EQ(t.regions[0].name, "default");
  EXPECT_EQ(t.regions[0].zones, std::vector<std::string>{"default"});
  EXPECT_DOUBLE_EQ(t.clients.latency, 20e-3);
  EXPECT_TRUE(t.clients.regions.empty());
  const Component* app = t.find("app");
  ASSERT_TRUE(app && app->service());
  EXPECT_EQ(app->region, "default");
  EXPECT_EQ(app->zones, std::vector<std::string>{"default"});
  EXPECT_EQ(app->service()->replicas, 1);
  EXPECT_EQ(app->service()->cores, 1);
  EXPECT_EQ(app->service()->workers, 64);
  EXPECT_EQ(app->service()->queue_limit, 1024);
  EXPECT_DOUBLE_EQ(app->service()->timeout, 30);
  EXPECT_DOUBLE_EQ(app->service()->boot_time, 30);
  EXPECT_DOUBLE_EQ(app->service()->service_time.at("default").mean, 5e-3);
  const LoadBalancerSpec* lb = t.find("lb")->lb();
  EXPECT_EQ(lb->algorithm, LbAlgorithm::kRoundRobin);
  EXPECT_TRUE(lb->health_check.enabled);
  EXPECT_DOUBLE_EQ(lb->health_check.interval, 5);
  EXPECT_DOUBLE_EQ(lb->health_check.timeout, 3);
  const DatabaseSpec* db = t.find("db")->database();
  EXPECT_EQ(db->replicas, 0);
  EXPECT_EQ(db->cores, 2);
  EXPECT_EQ(db->max_connections, 100);
  EXPECT_EQ(db->pool.max, 10);
  EXPECT_EQ(db->replication.mode, ReplicationMode::kAsync);
  EXPECT_DOUBLE_EQ(db->failover.promote, 30);
  EXPECT_DOUBLE_EQ(db->backup.interval, 0);
  const QueueSpec* q = t.find("q")->queue();
  EXPECT_EQ(q->consumers, 1);
  EXPECT_EQ(q->max_retries, 3);
  EXPECT_DOUBLE_EQ(q->service_time.mean, 10e-3);
  EXPECT_EQ(t.requests[0].path[2].role, "");
}

// ---- YAML and file level ------------------------------------------------------

TEST(TopologyLoader, RejectsSyntaxErrors) {
  EXPECT_EQ(errors_of("name: mini\ncomponents: {app: {kind: service\nrequests: {}\n"),
            "t.yaml:3:9: error: YAML syntax error: end of map flow not found; expected valid YAML\n");
}

TEST(TopologyLoader, RejectsEmptyFiles) {
  EXPECT_EQ(errors_of(""),
            "t.yaml: error: file is empty; expected a topology mapping with name, components and requests\n");
  EXPECT_EQ(errors_of("# nothing\n# here\n"),
            "t.yaml: error: file is empty; expected a topology mapping with name, components and requests\n");
}

TEST(TopologyLoader, RejectsTopLevelList) {
  EXPECT_EQ(errors_of("- name: mini\n"),
            "t.yaml:1:1: error: topology must be a mapping, got a list; expected key: value pairs\n");
}

TEST(TopologyLoader, RejectsMissingSections) {
  EXPECT_EQ(errors_of("name: mini\n"),
            "t.yaml:1:1: error: missing key 'components' in topology; expected a mapping of components, like "
            "components: {app: {kind: service, ...}}\n"
            "t.yaml:1:1: error: missing key 'requests' in topology; expected request classes, like requests: {api: "
            "{share: 100%, path: [lb, app]}}\n");
}

TEST(TopologyLoader, RejectsEmptySections) {
  EXPECT_EQ(errors_of("name: mini\ncomponents: {}\nrequests: {}\n"),
            "t.yaml:2:13: error: no components; expected at least one\n"
            "t.yaml:3:11: error: no request classes; expected at least one, like api: {share: 100%, path: [lb, "
            "app]}\n");
}

// ---- keys ---------------------------------------------------------------------

TEST(TopologyLoader, RejectsUnknownKeyWithSuggestion) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: 5ms, replicaz: 3}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:43: error: unknown key 'replicaz' in component 'app'; did you mean 'replicas'?\n");
}

TEST(TopologyLoader, RejectsUnknownKeyListingTheAllowedOnes) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  lb: {kind: load_balancer, health_check: {every: 5s}}
  app: {kind: service, service_time: 5ms}
requests:
  api: {share: 100%, path: [lb, app]}
)"),
            "t.yaml:3:44: error: unknown key 'every' in health_check; expected one of enabled, interval, timeout, "
            "healthy_threshold, unhealthy_threshold, path\n");
}

TEST(TopologyLoader, MisspelledRequiredKeyIsReportedOnce) {
  // "did you mean 'service_time'?" already says it; no second "missing key 'service_time'".
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, servce_time: 5ms}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:24: error: unknown key 'servce_time' in component 'app'; did you mean 'service_time'?\n");
}

TEST(TopologyLoader, RejectsDuplicateKeys) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: 5ms}
  app: {kind: service, service_time: 6ms}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:4:3: error: duplicate key 'app' in components; expected each key once\n");
}

TEST(TopologyLoader, RejectsUnknownAndMissingKind) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: servce, service_time: 5ms}
  db: {query_time: 2ms}
requests:
  api: {share: 100%, path: [app, db]}
)"),
            "t.yaml:3:15: error: unknown component kind 'servce'; did you mean 'service'?\n"
            "t.yaml:4:7: error: missing key 'kind' in component 'db'; expected one of cdn, load_balancer, service, "
            "cache, database, queue, storage\n");
}

TEST(TopologyLoader, RejectsBadComponentNames) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  "my app": {kind: service, service_time: 5ms}
  app: {kind: service, service_time: 5ms}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:3: error: invalid name 'my app'; expected a name of letters, digits, '_' or '-'\n");
}

// ---- types --------------------------------------------------------------------

TEST(TopologyLoader, RejectsWrongTypes) {
  EXPECT_EQ(errors_of(R"(name: [mini]
components:
  app: {kind: service, service_time: 5ms, replicas: [3], zones: fra1}
  db: {kind: database, query_time: 2ms, pool: 10}
requests:
  api: {share: 100%, path: {app: db}, write: maybe}
)"),
            "t.yaml:1:7: error: expected a name of letters, digits, '_' or '-', got a list\n"
            "t.yaml:3:53: error: expected a whole number between 1 and 1000, got a list\n"
            "t.yaml:3:65: error: zones must be a list, got 'fra1'; expected [a, b] or '- item' lines\n"
            "t.yaml:4:47: error: pool must be a mapping, got '10'; expected key: value pairs\n"
            "t.yaml:6:28: error: path must be a list, got a mapping; expected [a, b] or '- item' lines\n"
            "t.yaml:6:46: error: invalid boolean 'maybe'; expected true or false\n");
}

TEST(TopologyLoader, ReportsEmptyValuesAtTheirKeys) {
  EXPECT_EQ(errors_of("name:\ncomponents:\nrequests:\n"),
            "t.yaml:1:1: error: expected a name of letters, digits, '_' or '-', got nothing\n"
            "t.yaml:2:1: error: components must be a mapping, got nothing; expected key: value pairs\n"
            "t.yaml:3:1: error: requests must be a mapping, got nothing; expected key: value pairs\n");
}

// ---- units --------------------------------------------------------------------

TEST(TopologyLoader, RejectsBadUnits) {
  EXPECT_EQ(errors_of(R"(name: mini
network: {bandwidth: 10 gigabit, intra_zone_latency: 5}
components:
  app: {kind: service, service_time: 5 parsecs, memory: 4 gigs, timeout: fast}
  cache: {kind: cache, hit_ratio: 1.5}
requests:
  api: {share: 100%, path: [app, cache]}
)"),
            "t.yaml:2:22: error: invalid bandwidth '10 gigabit'; expected a bandwidth like 1Gbps, 100Mbps or 200MB/s\n"
            "t.yaml:2:54: error: invalid duration '5'; expected a duration with a unit like 250us, 5ms, 10s, 5m, 24h "
            "or 7d\n"
            "t.yaml:4:38: error: invalid duration '5 parsecs'; expected a duration with a unit like 250us, 5ms, 10s, "
            "5m, 24h or 7d\n"
            "t.yaml:4:57: error: invalid size '4 gigs'; expected a size like 512MB, 4GiB or 1TB\n"
            "t.yaml:4:74: error: invalid duration 'fast'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n"
            "t.yaml:5:35: error: invalid ratio '1.5'; expected a ratio between 0 and 1, like 70% or 0.7\n");
}

TEST(TopologyLoader, RejectsHugeNumbers) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: 1e30s, replicas: 1e308, workers: 1e400, timeout: 100000000000000000000d}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:38: error: duration '1e30s' is out of range; expected a duration of at most 1e18s\n"
            "t.yaml:3:55: error: 1e308 is out of range; expected a whole number between 1 and 1000\n"
            "t.yaml:3:71: error: 1e400 is out of range; expected a whole number between 1 and 100000\n"
            "t.yaml:3:87: error: duration '100000000000000000000d' is out of range; expected a duration of at most "
            "1e18s\n");
}

// ---- impossible values --------------------------------------------------------

TEST(TopologyLoader, RejectsReplicasBelowOne) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: 5ms, replicas: 0, cores: -2}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:53: error: 0 is out of range; expected a whole number between 1 and 1000\n"
            "t.yaml:3:63: error: -2 is out of range; expected a whole number between 1 and 1024\n");
}

TEST(TopologyLoader, RejectsSharesNotSummingToOne) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: 5ms}
requests:
  read: {share: 60%, path: [app]}
  write: {share: 0.3, path: [app]}
)"),
            "t.yaml:5:3: error: request shares sum to 90%; expected them to sum to 100%\n");
}

TEST(TopologyLoader, ABadShareIsNotSummed) {
  // The sum of the other shares would be a second, misleading error.
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: 5ms}
requests:
  read: {share: -10%, path: [app]}
  write: {share: 30%, path: [app]}
)"),
            "t.yaml:5:17: error: invalid ratio '-10%'; expected a ratio between 0 and 1, like 70% or 0.7\n");
}

TEST(TopologyLoader, RejectsClientSharesNotSummingToOne) {
  EXPECT_EQ(errors_of(R"(name: mini
regions: [eu, us]
clients: {regions: {eu: 50%, us: 20%}}
components:
  app: {kind: service, service_time: 5ms}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:20: error: client region shares sum to 70%; expected them to sum to 100%\n");
}

TEST(TopologyLoader, RejectsLognormalP99BelowMean) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: {api: {lognormal: {mean: 20ms, p99: 10ms}}}}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:74: error: lognormal p99 10ms is not above its mean 20ms; expected p99 > mean (a right-skewed "
            "tail)\n");
}

TEST(TopologyLoader, RejectsPoolMinAboveMax) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: 5ms}
  db: {kind: database, query_time: 2ms, pool: {min: 20, max: 10}}
requests:
  api: {share: 100%, path: [app, db]}
)"),
            "t.yaml:4:53: error: pool min 20 is above pool max 10; expected min <= max\n");
}

TEST(TopologyLoader, RejectsHealthCheckTimeoutAboveInterval) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  lb: {kind: load_balancer, health_check: {interval: 2s, timeout: 3s}}
  lb2: {kind: load_balancer, health_check: {interval: 2s}}
  app: {kind: service, service_time: 5ms}
  db:
    kind: database
    query_time: 2ms
    failover: {health_check: {timeout: 10s}}
requests:
  a: {share: 50%, path: [lb, app, db]}
  b: {share: 50%, path: [lb2, app]}
)"),
            "t.yaml:3:67: error: health check timeout 3s is longer than its interval 2s; expected timeout <= "
            "interval\n"
            "t.yaml:4:55: error: health check timeout 3s (the default) is longer than its interval 2s; expected "
            "timeout <= interval\n"
            "t.yaml:9:40: error: health check timeout 10s is longer than its interval 5s (the default); expected "
            "timeout <= interval\n");
}

TEST(TopologyLoader, RejectsOtherImpossibleValues) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  lb: {kind: load_balancer, algorithm: weighted, rate_limit: {rate: 0/s}}
  app: {kind: service, service_time: {uniform: {min: 3ms, max: 1ms}}, memory: 1GiB, memory_base: 2GiB}
  db: {kind: database, query_time: 2ms, backup: {interval: 1d, size: 10GB}}
requests:
  api: {share: 100%, path: [lb, app, db]}
)"),
            "t.yaml:3:7: error: load balancer 'lb' uses weighted but has no weights; expected weights: [3, 2, ...]\n"
            "t.yaml:3:69: error: rate limit must be above 0; expected a rate like 1000/min\n"
            "t.yaml:4:64: error: uniform max 1ms is below min 3ms; expected min <= max\n"
            "t.yaml:4:98: error: memory_base 2GiB exceeds memory 1GiB; expected memory_base <= memory\n"
            "t.yaml:5:49: error: backup has a size but no restore_rate; expected a restore_rate like 200MB/s\n");
}

TEST(TopologyLoader, RejectsWeightsAndBackupsThatDoNotFitTheBackend) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  lb: {kind: load_balancer, algorithm: weighted, weights: [3, 1], backup: 3}
  app: {kind: service, service_time: 5ms, replicas: 3}
requests:
  api: {share: 100%, path: [lb, app]}
)"),
            "t.yaml:3:7: error: load balancer 'lb' has 2 weights but backend 'app' has 3 instances; expected one "
            "weight per instance\n"
            "t.yaml:3:7: error: load balancer 'lb' marks 3 of the 3 instances of 'app' as backup; expected at least "
            "one primary\n");
}

// ---- dangling references ------------------------------------------------------

TEST(TopologyLoader, RejectsPathThroughUnknownComponent) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  lb: {kind: load_balancer}
  app: {kind: service, service_time: 5ms}
requests:
  api: {share: 100%, path: [lbb, app, dbx]}
)"),
            "t.yaml:6:29: error: unknown component 'lbb'; did you mean 'lb'?\n"
            "t.yaml:6:39: error: unknown component 'dbx'; expected one of lb, app\n");
}

TEST(TopologyLoader, RejectsUnknownRegionsZonesClassesAndLinkEnds) {
  EXPECT_EQ(errors_of(R"(name: mini
regions:
  eu: {zones: [eu-a, eu-b]}
network:
  region_links: [{between: [eu, us], latency: 80ms}]
  links: [{between: [app, cache], latency: 1ms}]
clients: {regions: {eu: 100%}}
components:
  app: {kind: service, region: euu, zone: eu-c, service_time: {api: 5ms, apii: 6ms}}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:5:33: error: unknown region 'us'; expected one of eu\n"
            "t.yaml:6:27: error: unknown component 'cache'; expected one of app\n"
            "t.yaml:9:32: error: unknown region 'euu'; did you mean 'eu'?\n"
            "t.yaml:9:43: error: unknown zone 'eu-c'; did you mean 'eu-a'?\n"
            "t.yaml:9:74: error: unknown request class 'apii'; did you mean 'api'?\n");
}

TEST(TopologyLoader, RejectsMisplacedZoneAndDuplicateRegions) {
  EXPECT_EQ(errors_of(R"(name: mini
regions:
  eu: {zones: [eu-a]}
  us: {zones: [eu-a]}
components:
  app: {kind: service, region: us, zone: eu-a, service_time: 5ms}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:4:3: error: zone 'eu-a' is defined twice; expected unique zone names\n"
            "t.yaml:6:8: error: component 'app' is in region 'us' but its first zone 'eu-a' belongs to region 'eu'; "
            "expected its first zone in its own region (later zones may be elsewhere)\n");
}

TEST(TopologyLoader, RejectsBadPaths) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  cdn: {kind: cdn}
  lb: {kind: load_balancer}
  lb2: {kind: load_balancer}
  app: {kind: service, service_time: 5ms}
  cache: {kind: cache}
  db: {kind: database, query_time: 2ms}
requests:
  a: {share: 20%, path: [lb, cdn, app.primary]}
  b: {share: 20%, path: [lb, lb2, app]}
  c: {share: 20%, path: [lb, cache]}
  d: {share: 20%, path: [app, db.replica, db.foo]}
  e: {share: 10%, path: [app, db.replica], write: true}
  f: {share: 10%, path: [app, lb], response_size: 1MB}
)"),
            "t.yaml:10:30: error: CDN 'cdn' is at position 2 of the path; expected a CDN only first\n"
            "t.yaml:10:35: error: 'app.primary' has a role but 'app' is a service; roles (.primary, .replica) apply "
            "to databases only\n"
            "t.yaml:11:30: error: load balancer 'lb2' follows load balancer 'lb'; expected a backend after a load "
            "balancer\n"
            "t.yaml:12:30: error: cache 'cache' has no service before it in the path of 'c'; expected a service that "
            "calls it, like [lb, app, cache]\n"
            "t.yaml:13:31: error: 'db.replica' reads from a replica but database 'db' has no replicas; expected "
            "replicas >= 1 or db.primary\n"
            "t.yaml:13:31: error: component 'db' appears twice in the path of 'd'; expected each at most once (no "
            "loops)\n"
            "t.yaml:13:43: error: unknown database role 'foo'; expected primary or replica\n"
            "t.yaml:14:31: error: 'db.replica' reads from a replica but database 'db' has no replicas; expected "
            "replicas >= 1 or db.primary\n"
            "t.yaml:15:31: error: path of 'f' ends at load balancer 'lb'; expected a backend after it\n");
}

TEST(TopologyLoader, RejectsMissingServiceTimeForAClass) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: {read: 5ms}}
  db: {kind: database, query_time: {write: 2ms}}
requests:
  read: {share: 50%, path: [app, db]}
  write: {share: 50%, path: [app, db], write: true}
)"),
            "t.yaml:6:34: error: database 'db' has no query_time for request class 'read'; expected query_time: "
            "{read: ...} or a default\n"
            "t.yaml:7:30: error: service 'app' has no service_time for request class 'write'; expected "
            "service_time: {write: ...} or a default\n");
}

TEST(TopologyLoader, TypoInDistributionIsNotTakenForAClass) {
  EXPECT_EQ(errors_of(R"(name: mini
components:
  app: {kind: service, service_time: {exponentail: {mean: 5ms}}}
requests:
  api: {share: 100%, path: [app]}
)"),
            "t.yaml:3:39: error: unknown key 'exponentail' in distribution; did you mean 'exponential'?\n");
}

TEST(TopologyLoader, BrokenSectionsDoNotCascade) {
  // components is unusable: its own error is enough, no "unknown component" for every path step.
  EXPECT_EQ(errors_of(R"(name: mini
components: [app, db]
requests:
  api: {share: 100%, path: [app, db]}
)"),
            "t.yaml:2:13: error: components must be a mapping, got a list; expected key: value pairs\n");
}

// ---- all errors of a file -----------------------------------------------------

TEST(TopologyLoader, ReportsEveryErrorSorted) {
  // Six independent mistakes, written out of order across sections: all six, in file order.
  EXPECT_EQ(errors_of(R"(name: mini
components:
  db: {kind: database, query_time: 2ms, pool: {min: 5, max: 2}}
  app: {kind: service, service_time: 5ms, replicas: 0, colour: blue}
  lb: {kind: load_balancer, algorithm: least_con, health_check: {interval: fast}}
requests:
  api: {share: 70%, path: [lb, app, dbb]}
network: {latency: 1ms}
)"),
            "t.yaml:3:53: error: pool min 5 is above pool max 2; expected min <= max\n"
            "t.yaml:4:53: error: 0 is out of range; expected a whole number between 1 and 1000\n"
            "t.yaml:4:56: error: unknown key 'colour' in component 'app'; expected one of replicas, cores, memory, "
            "memory_base, memory_per_request, workers, queue_limit, timeout, boot_time, service_time, calls, kind, "
            "description, region, zone, zones, cost, from, host, hosts, cpus, restart, liveness, replace\n"
            "t.yaml:5:40: error: unknown load balancing algorithm 'least_con'; did you mean 'least_conn'?\n"
            "t.yaml:5:76: error: invalid duration 'fast'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n"
            "t.yaml:7:3: error: request shares sum to 70%; expected them to sum to 100%\n"
            "t.yaml:7:37: error: unknown component 'dbb'; did you mean 'db'?\n"
            "t.yaml:8:11: error: unknown key 'latency' in network; expected one of intra_zone_latency, "
            "inter_zone_latency, inter_region_latency, bandwidth, region_links, links\n");
}

TEST(TopologyLoader, AcceptsEveryComponentKind) {
  Topology t = load(R"(name: all-kinds
regions:
  eu: {zones: [eu-a, eu-b]}
  us: {zones: [us-a]}
network:
  region_links: [{between: [eu, us], latency: 40ms, bandwidth: 1Gbps}]
  links: [{between: [app, db], latency: 2ms}]
components:
  cdn: {kind: cdn, edge_latency: 3ms, hit_ratio: {default: 10%, static: 90%}, edge_regions: [eu, us]}
  lb:
    kind: load_balancer
    replicas: 2
    algorithm: weighted
    weights: [3, 1]
    backup: 1
    rate_limit: {rate: 6000/min, burst: 20}
    health_check: {enabled: false, interval: 10s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 2}
  app: {kind: service, region: eu, zones: [eu-a, eu-b], replicas: 2, service_time: {default: 4ms, static: 1ms}}
  cache: {kind: cache, nodes: 3, hit_ratio: {read: 0.9}, service_time: 200us, warmup: 1m}
  db:
    kind: database
    replicas: 1
    reads_from_replicas: false
    query_time: {read: 1ms, write: 3ms}
    replication: {mode: sync, lag: {uniform: {min: 1ms, max: 2ms}}}
    failover: {automatic: false, promote: 1m, dns_ttl: 30s}
  jobs: {kind: queue, engine: sqs, max_length: 1000, consumers: 2, failure_ratio: 1%, retry_delay: 5s}
  files: {kind: storage, region: us, nodes: 2, service_time: {empirical: [1ms, 2ms]}}
requests:
  static: {share: 50%, path: [cdn, lb, app]}
  read: {share: 30%, path: [cdn, lb, app, cache, db.replica]}
  write: {share: 10%, path: [lb, app, db.primary, jobs], write: true}
  upload: {share: 10%, path: [lb, app, files], response_size: 2MB}
)");
  ASSERT_EQ(t.components.size(), 7u);
  ASSERT_EQ(t.find("lb")->lb()->rate_limits.size(), 1u);
  EXPECT_EQ(t.find("lb")->lb()->rate_limits[0].rate, 100);
  EXPECT_EQ(t.find("lb")->lb()->rate_limits[0].burst, 20);
  EXPECT_FALSE(t.find("lb")->lb()->health_check.enabled);
  EXPECT_EQ(t.find("lb")->lb()->weights, (std::vector<double>{3, 1}));
  EXPECT_DOUBLE_EQ(t.find("cdn")->cdn()->default_hit_ratio, 0.1);
  EXPECT_EQ(t.find("db")->database()->replication.mode, ReplicationMode::kSync);
  EXPECT_FALSE(t.find("db")->database()->failover.automatic);
  EXPECT_EQ(t.find("jobs")->queue()->engine, "sqs");
  EXPECT_DOUBLE_EQ(t.find("jobs")->queue()->failure_ratio, 0.01);
  EXPECT_EQ(t.find("files")->region, "us");
  EXPECT_EQ(t.find("files")->zones, std::vector<std::string>{"us-a"});
  EXPECT_DOUBLE_EQ(t.network.region_links[0].bandwidth, 1.25e8);
  EXPECT_DOUBLE_EQ(t.network.links[0].latency, 2e-3);
  EXPECT_DOUBLE_EQ(t.find_class("upload")->response_size, 2e6);
}

// ---- operations: restart policies, liveness, shared hosts (docs/operations.md) ----

TEST(TopologyLoader, ReadsRestartPoliciesWithTheirProductsDefaults) {
  Topology t = load(R"(name: ops
hosts:
  box: {cores: 4, sharing: processes}
components:
  lb: {kind: load_balancer, host: box, restart: unless-stopped}
  app: {kind: service, hosts: [box], cpus: 1.5, service_time: 5ms, restart: always,
        liveness: {period: 5s, failure_threshold: 2}}
  db: {kind: database, query_time: 1ms, restart: {policy: on-failure, max_retries: 5, backoff: {max: 10s}}}
  cache: {kind: cache, restart: {policy: always, by: kubernetes}}
requests:
  r: {share: 100%, path: [lb, app, cache, db]}
)");
  const RestartSpec& lb = t.find("lb")->restart;
  EXPECT_EQ(lb.policy, RestartSpec::Policy::kUnlessStopped);
  EXPECT_EQ(lb.by, RestartSpec::By::kDocker);
  EXPECT_DOUBLE_EQ(lb.initial, 0.1);  // moby: 100 ms, doubled, at most 1 min, reset after 10 s of running
  EXPECT_DOUBLE_EQ(lb.max, 60);
  EXPECT_DOUBLE_EQ(lb.reset_after, 10);
  EXPECT_FALSE(lb.immediate_first);
  const RestartSpec& db = t.find("db")->restart;
  EXPECT_EQ(db.policy, RestartSpec::Policy::kOnFailure);
  EXPECT_EQ(db.max_retries, 5);
  EXPECT_DOUBLE_EQ(db.max, 10);
  const RestartSpec& cache = t.find("cache")->restart;
  EXPECT_EQ(cache.by, RestartSpec::By::kKubernetes);  // kubelet: at once, then 10 s doubling to 5 min, reset after 10 min
  EXPECT_DOUBLE_EQ(cache.initial, 10);
  EXPECT_DOUBLE_EQ(cache.max, 300);
  EXPECT_DOUBLE_EQ(cache.reset_after, 600);
  EXPECT_TRUE(cache.immediate_first);
  const Component& app = *t.find("app");
  EXPECT_TRUE(app.liveness.enabled);
  EXPECT_DOUBLE_EQ(app.liveness.period, 5);
  EXPECT_DOUBLE_EQ(app.liveness.timeout, 1);  // Kubernetes' default timeoutSeconds
  EXPECT_EQ(app.liveness.failure_threshold, 2);
  EXPECT_EQ(app.hosts, std::vector<std::string>{"box"});
  EXPECT_DOUBLE_EQ(app.cpus, 1.5);
  EXPECT_EQ(app.zones, std::vector<std::string>{"default"});  // the host's zone
  EXPECT_EQ(t.instance_cores(app, 0), 4);
  EXPECT_TRUE(t.hosts.front().share_by_process);
  EXPECT_FALSE(t.find("db")->liveness.enabled);
  EXPECT_FALSE(app.replace.enabled);
  EXPECT_EQ(t.find("db")->restart.policy, RestartSpec::Policy::kOnFailure);
}

TEST(TopologyLoader, ReadsReplaceWithKubernetesEvictionDelay) {
  Topology t = load(R"(name: ops
components:
  lb: {kind: load_balancer}
  app: {kind: service, service_time: 5ms, replace: true}
  api: {kind: service, service_time: 5ms, replace: {after: 1m}}
requests:
  r: {share: 50%, path: [lb, app]}
  s: {share: 50%, path: [api]}
)");
  EXPECT_TRUE(t.find("app")->replace.enabled);
  EXPECT_EQ(t.find("app")->replace.after, 340);  // node-monitor-grace-period 40 s + tolerationSeconds 300
  EXPECT_TRUE(t.find("api")->replace.enabled);
  EXPECT_EQ(t.find("api")->replace.after, 60);
}

TEST(TopologyLoader, LivenessWithoutARestartPolicyGetsKubernetesAlways) {
  Topology t = load(R"(name: ops
components:
  lb: {kind: load_balancer}
  app: {kind: service, service_time: 5ms, liveness: {}}
requests:
  r: {share: 100%, path: [lb, app]}
)");
  EXPECT_EQ(t.find("app")->restart.policy, RestartSpec::Policy::kAlways);
  EXPECT_EQ(t.find("app")->restart.by, RestartSpec::By::kKubernetes);
  EXPECT_EQ(t.find("app")->liveness.period, 10);
  EXPECT_EQ(t.find("app")->liveness.failure_threshold, 3);
}

TEST(TopologyLoader, RejectsBadOperationsKeys) {
  const std::string head = "name: ops\nhosts:\n  box: {cores: 2}\ncomponents:\n  lb: {kind: load_balancer}\n";
  const std::string tail = "requests:\n  r: {share: 100%, path: [lb, app]}\n";
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, restart: sometimes}\n" + tail),
            "t.yaml:6:52: error: unknown restart policy 'sometimes'; expected one of no, never, always, on-failure, "
            "unless-stopped\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, restart: {policy: always, by: kubernetes, "
                             "max_retries: 3}}\n" + tail),
            "t.yaml:6:98: error: max_retries applies to the on-failure policy (Docker's on-failure:N); expected it "
            "only with policy: on-failure, got policy: always\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, restart: {policy: unless-stopped, by: "
                             "kubernetes}}\n" + tail),
            "t.yaml:6:61: error: Kubernetes has no restart policy 'unless-stopped'; expected always, on-failure or "
            "never\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, liveness: {period: 2s, timeout: 5s}}\n" + tail),
            "t.yaml:6:75: error: liveness timeout 5s is longer than its period 2s; expected timeout <= period\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, host: bx}\n" + tail),
            "t.yaml:6:49: error: unknown host 'bx'; did you mean 'box'?\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, host: box, cores: 4}\n" + tail),
            "t.yaml:6:54: error: component 'app' runs on shared host 'box', whose cores it shares; expected no cores "
            "here (set the host's cores, and cpus: to limit one instance)\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, host: box, cpus: 3}\n" + tail),
            "t.yaml:6:60: error: cpus 3 is more than the 2 cores of host 'box'; expected at most 2\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, host: box, zone: default}\n" + tail),
            "t.yaml:6:54: error: service 'app' runs on shared hosts, which have their zones; expected host or zone, "
            "not both\n");
  EXPECT_EQ(errors_of(head + "  app: {kind: service, service_time: 5ms, cpus: 0}\n" + tail),
            "t.yaml:6:49: error: cpus must be above 0; expected a number of cores like 0.5 or 2 (Docker's --cpus)\n");
  EXPECT_EQ(errors_of("name: ops\ncomponents:\n  lb: {kind: load_balancer}\n  app: {kind: service, service_time: 5ms, "
                      "host: box}\n" + tail),
            "t.yaml:4:49: error: unknown host 'box'; the topology has no hosts: section (expected a shared host "
            "defined under hosts:, like hosts: {box: {cores: 8}})\n");
}

}  // namespace
}  // namespace sim::topology

// ---- the data tier: shards, users, cache keys, Redis ha and persistence ---------

namespace sim::topology {
namespace {

//   clients -> app -> cache (Redis: keys, ha, persistence) -> db (sharded by user)
const char* kDataTier = R"(name: data
users: {count: 10000, skew: {zipf: 0.8}}
components:
  app: {kind: service, service_time: 1ms}
  cache:
    kind: cache
    nodes: 3
    replicas: 1
    memory: 4GiB
    keys:
      api: {count: 200000, zipf: 0.9, size: 8KB, ttl: 5m}
      session: {per_user: 1, size: 2KB, ttl: 24h}
    ha: {sentinel: {down_after: 5s, quorum: 2, sentinels: 3}}
    persistence: {rdb: {every: 15m}, aof: {fsync: always}, load_rate: 200MB/s}
  db: {kind: database, shards: 4, size: 500GB, replicas: 1, query_time: 1ms}
requests:
  api: {share: 80%, path: [app, cache, db]}
  session: {share: 20%, path: [app, cache, db], users: uniform}
)";

TEST(TopologyLoader, ReadsTheDataTierKeysInSiUnits) {
  Topology t = load(kDataTier);
  EXPECT_EQ(t.users.count, 10000u);
  EXPECT_DOUBLE_EQ(t.users.zipf, 0.8);
  EXPECT_FALSE(t.find_class("api")->user_zipf);
  EXPECT_EQ(*t.find_class("session")->user_zipf, 0.0);
  const DatabaseSpec& db = *t.find("db")->database();
  EXPECT_EQ(db.shards, 4);
  EXPECT_DOUBLE_EQ(db.size, 500e9);
  EXPECT_EQ(t.find("db")->instances(), 8);  // 4 shards x (primary + replica)
  const CacheSpec& c = *t.find("cache")->cache();
  EXPECT_EQ(t.find("cache")->instances(), 6);  // 3 masters x (1 + 1 replica)
  EXPECT_DOUBLE_EQ(c.memory, 4.0 * 1024 * 1024 * 1024);
  const CacheKeys& api = c.keys.at("api");
  EXPECT_EQ(api.keys(10000), 200000u);
  EXPECT_DOUBLE_EQ(api.zipf, 0.9);
  EXPECT_DOUBLE_EQ(api.size, 8000);
  EXPECT_DOUBLE_EQ(api.ttl, 300);
  EXPECT_EQ(c.keys.at("session").keys(10000), 10000u);  // one per user
  EXPECT_DOUBLE_EQ(c.keys.at("session").ttl, 86400);
  EXPECT_EQ(c.ha.mode, CacheHa::Mode::kSentinel);
  EXPECT_DOUBLE_EQ(c.ha.down_after, 5);
  EXPECT_EQ(c.ha.quorum, 2);
  EXPECT_TRUE(c.persistence.given);
  EXPECT_DOUBLE_EQ(c.persistence.rdb_every, 900);
  EXPECT_TRUE(c.persistence.aof);
  EXPECT_EQ(c.persistence.fsync, CachePersistence::Fsync::kAlways);
  EXPECT_DOUBLE_EQ(c.persistence.load_rate, 200e6);
}

TEST(TopologyLoader, DataTierDefaultsAreRedisOnes) {
  Topology t = load(R"(name: d
components:
  app: {kind: service, service_time: 1ms}
  cache: {kind: cache, ha: {cluster: {}}, persistence: none}
requests:
  r: {share: 100%, path: [app, cache]}
)");
  const CacheSpec& c = *t.find("cache")->cache();
  EXPECT_EQ(c.ha.mode, CacheHa::Mode::kCluster);
  EXPECT_DOUBLE_EQ(c.ha.node_timeout, 15);  // cluster-node-timeout 15000
  EXPECT_DOUBLE_EQ(CacheHa{}.down_after, 30);  // down-after-milliseconds 30000
  EXPECT_TRUE(c.persistence.given);
  EXPECT_FALSE(c.persistence.any());
  EXPECT_EQ(c.replicas, 0);
  EXPECT_TRUE(c.keys.empty());
  EXPECT_EQ(CachePersistence{}.fsync, CachePersistence::Fsync::kEverysec);  // appendfsync everysec
}

TEST(TopologyLoader, RejectsInconsistentDataTiers) {
  EXPECT_EQ(errors_of(R"(name: d
components:
  app: {kind: service, service_time: 1ms}
  cache: {kind: cache, keys: {r: {count: 10, ttl: 1m}, x: {per_user: 1}}, hit_ratio: {r: 50%}}
  db: {kind: database, shards: 2, query_time: 1ms}
requests:
  r: {share: 50%, path: [app, cache, db], users: {zipf: 1}}
  x: {share: 50%, path: [app, db]}
)"),
            "t.yaml:4:30: error: cache 'cache' models its hit ratio from keys but has no memory; expected the memory "
            "of a node, like memory: 4GiB\n"
            "t.yaml:4:31: error: request class 'r' has both a hit_ratio and keys in cache 'cache'; expected one: keys "
            "model the hit ratio\n"
            "t.yaml:4:56: error: cache 'cache' has keys for request class 'x', whose path does not reach it; expected "
            "keys only for classes that look it up\n"
            "t.yaml:4:56: error: keys of 'x' in cache 'cache' count per user but the topology has no users; expected "
            "users: {count: 10000} at the top level, or count: instead of per_user:\n"
            "t.yaml:5:7: error: database 'db' has 2 shards but the topology has no users; expected users: {count: "
            "10000} (a user's data lives on shard hash(user) % shards)\n"
            "t.yaml:7:6: error: request class 'r' sets its users' skew but the topology has no users; expected users: "
            "{count: 10000} at the top level\n");
}

}  // namespace
}  // namespace sim::topology

namespace sim::topology {
namespace {

TEST(TopologyLoader, AHealthCheckWrittenOutIsOnAlsoUnderAFlavourWithoutOne) {
  // nginx open source has no active checks; a health_check block (seed 000's) turns them on.
  Topology t = load(R"(name: t
components:
  lb: {kind: load_balancer, flavor: nginx, health_check: {interval: 5s, timeout: 3s}}
  plain: {kind: load_balancer, flavor: nginx}
  app: {kind: service, service_time: 5ms}
  app2: {kind: service, service_time: 5ms}
requests:
  a: {share: 50%, path: [lb, app]}
  b: {share: 50%, path: [plain, app2]}
)");
  EXPECT_TRUE(t.find("lb")->lb()->health_check.enabled);
  EXPECT_FALSE(t.find("plain")->lb()->health_check.enabled);
  EXPECT_FALSE(load(R"(name: t
components:
  lb: {kind: load_balancer, flavor: nginx, health_check: {enabled: false, interval: 5s}}
  app: {kind: service, service_time: 5ms}
requests:
  a: {share: 100%, path: [lb, app]}
)").find("lb")->lb()->health_check.enabled);
}

TEST(TopologyLoader, RetryConditionsInNginxsAndHaproxysNames) {
  // nginx's `error` covers a refused connection and one broken after the request was sent;
  // HAProxy's default `retry-on conn-failure` a refused one and a connect timeout, not a reset.
  Topology t = load(R"(name: t
components:
  ng: {kind: load_balancer, flavor: nginx}
  ha: {kind: load_balancer, flavor: haproxy}
  both: {kind: load_balancer, flavor: haproxy, retry: {on: [conn_failure, empty_response]}}
  err: {kind: load_balancer, retry: {on: [error]}}
  app: {kind: service, service_time: 5ms}
  app2: {kind: service, service_time: 5ms}
  app3: {kind: service, service_time: 5ms}
  app4: {kind: service, service_time: 5ms}
requests:
  a: {share: 25%, path: [ng, app]}
  b: {share: 25%, path: [ha, app2]}
  c: {share: 25%, path: [both, app3]}
  d: {share: 25%, path: [err, app4]}
)");
  const LbRetry& ng = t.find("ng")->lb()->retry;
  EXPECT_TRUE(ng.on_error && ng.on_reset && ng.on_connect_timeout && ng.on_timeout);
  const LbRetry& ha = t.find("ha")->lb()->retry;
  EXPECT_TRUE(ha.on_error && ha.on_connect_timeout);
  EXPECT_FALSE(ha.on_reset || ha.on_timeout || ha.on_5xx);
  const LbRetry& both = t.find("both")->lb()->retry;
  EXPECT_TRUE(both.on_error && both.on_connect_timeout && both.on_reset);
  EXPECT_FALSE(both.on_timeout);
  const LbRetry& err = t.find("err")->lb()->retry;
  EXPECT_TRUE(err.on_error && err.on_reset);
  EXPECT_FALSE(err.on_connect_timeout || err.on_timeout);
}

TEST(TopologyLoader, ReadsCallPoliciesAndClientRetries) {
  Topology t = load(R"(name: t
clients:
  timeout: 4s
  retry: {attempts: 3, on: [timeout], backoff: {exponential: {base: 200ms, multiplier: 3, max: 5s}}, jitter: decorrelated,
          budget: {ratio: 10%, min_per_second: 2}}
components:
  app:
    kind: service
    service_time: 5ms
    calls:
      db: {timeout: 800ms, retry: {attempts: 21, on: [error], backoff: {linear: {step: 50ms, max: 2s}}},
           breaker: {failure_rate: 40%, window: 50, open: 30s}}
      cache: {breaker: {consecutive: 7}}
  cache: {kind: cache}
  db: {kind: database, query_time: 2ms}
requests:
  a: {share: 100%, path: [app, cache, db]}
)");
  EXPECT_EQ(t.clients.timeout, 4);
  const RetryPolicy& cr = t.clients.retry;
  EXPECT_EQ(cr.attempts, 3);
  EXPECT_FALSE(cr.on_error);
  EXPECT_TRUE(cr.on_timeout);
  EXPECT_EQ(cr.backoff.kind, Backoff::Kind::kExponential);
  EXPECT_DOUBLE_EQ(cr.backoff.base, 0.2);
  EXPECT_DOUBLE_EQ(cr.backoff.multiplier, 3);
  EXPECT_DOUBLE_EQ(cr.backoff.max, 5);
  EXPECT_EQ(cr.jitter, Jitter::kDecorrelated);
  EXPECT_TRUE(cr.budget);
  EXPECT_DOUBLE_EQ(cr.budget_ratio, 0.1);
  EXPECT_DOUBLE_EQ(cr.budget_burst, 20);  // 10 s of min_per_second
  const auto& calls = t.find("app")->service()->calls;
  const CallPolicy& db = calls.at("db");
  EXPECT_DOUBLE_EQ(db.timeout, 0.8);
  EXPECT_EQ(db.retry.attempts, 21);
  EXPECT_EQ(db.retry.backoff.kind, Backoff::Kind::kLinear);
  EXPECT_DOUBLE_EQ(db.retry.backoff.base, 0.05);
  EXPECT_FALSE(db.retry.budget);
  EXPECT_EQ(db.breaker.kind, BreakerPolicy::Kind::kFailureRate);
  EXPECT_DOUBLE_EQ(db.breaker.failure_rate, 0.4);
  EXPECT_EQ(db.breaker.window, 50);
  EXPECT_EQ(db.breaker.min_calls, 50);  // resilience4j: the window's size unless given
  EXPECT_DOUBLE_EQ(db.breaker.open, 30);
  EXPECT_EQ(db.breaker.half_open_calls, 10);
  const CallPolicy& cache = calls.at("cache");
  EXPECT_EQ(cache.breaker.kind, BreakerPolicy::Kind::kConsecutive);
  EXPECT_EQ(cache.breaker.consecutive, 7);
  EXPECT_EQ(cache.breaker.half_open_calls, 1);  // one trial call
  EXPECT_DOUBLE_EQ(cache.breaker.open, 60);
  EXPECT_EQ(cache.retry.attempts, 1);
}

}  // namespace
}  // namespace sim::topology
