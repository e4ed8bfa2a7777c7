// Scenario loader: a scenario with every fault kind, load profile shape,
// autoscaling form and expectation form, then one test per error class, each
// asserting the whole message. The scenario text is parsed in memory; the
// topology it names is tests/scenario/shop.yaml (the loader resolves it
// against the scenario's folder):
//
//   clients -> cdn -> lb -> app x2 -> cache -> db.replica
//                             |  \-> db.primary -> audit -> jobs   (writes)
//                             \-> worker -> files                  (uploads)
//   regions eu (zones eu-a, eu-b) and us (us-a); db has a replica and backups, audit neither.
#include <gtest/gtest.h>

#include "sim/scenario/loader.h"
#include "tests/test_util.h"

namespace sim::scenario {
namespace {

// The scenario "file": in the folder of shop.yaml, so that "topology: shop.yaml" resolves.
std::string dir() { return sim::testing::repo_root() + "/tests/scenario/"; }
std::string file() { return dir() + "s.yaml"; }

// The diagnostics of a scenario that must not load, with the folder cut from
// the paths ("s.yaml:3:5: error: ...") and the repository root from the others.
std::string errors_of(const std::string& text) {
  core::Diagnostics diags;
  auto s = parse_scenario(file(), text, diags);
  EXPECT_FALSE(s.has_value()) << "loaded although it should not:\n" << text;
  std::string out = diags.format_short();
  for (const std::string& cut : {dir(), sim::testing::repo_root() + "/"}) {
    for (std::size_t at = out.find(cut); at != std::string::npos; at = out.find(cut)) out.erase(at, cut.size());
  }
  return out;
}

Loaded load(const std::string& text) {
  core::Diagnostics diags;
  auto s = parse_scenario(file(), text, diags);
  EXPECT_EQ(diags.format_short(), "");
  EXPECT_TRUE(s.has_value());
  return s ? *s : Loaded{};
}

// ---- the positive case ----------------------------------------------------------

const char* kEverything = R"(name: everything
description: every fault kind, load shape, autoscaling form and expectation form
topology: shop.yaml
duration: 2h
warmup: 1m
seed: 7
window: 5s
slow: true
load:
  sum:
    - sequence:
        - {for: 10m, constant: 100/s}
        - {for: 10m, ramp: {from: 100/s, to: 300/s, over: 5m, at: 1m}}
        - {for: 10m, step: {from: 300/s, to: 500/s, at: 2m}, mix: {static: 50%, read: 30%, write: 10%, upload: 10%}}
        - {for: 10m, spike: {base: 200/s, at: 1m, factor: 3x, for: 30s}}
        - {for: 1h, diurnal: {mean: 200/s, amplitude: 50%, period: 1h, peak: 30m}}
    - trace: {file: shop_trace.txt, start: 10s, length: 1h, scale: 2, compress: 1, interpolate: true}
    - 6000/min
faults:
  - {at: 1m, crash: "app[1]", for: 2m, name: one app down}
  - {at: 2m, crash: db.primary}
  - {at: 3m, crash: {region: us}, for: 5m}
  - {at: 4m, crash: {zone: eu-b}, for: 1m, every: 10m}
  - {at: 5m, partition: [app, db], for: 30s}
  - {at: 6m, partition: [eu, us], for: 30s}
  - {at: 7m, delay: {between: [app, cache], latency: 100ms, ramp: 1m}, for: 5m}
  - {at: 8m, loss: {between: [lb, app], ratio: 5%}, for: 1m}
  - {at: 9m, bandwidth: {between: [eu, us], limit: 10Mbps}, for: 1m}
  - {at: 10m, cpu_slowdown: {target: "app[0]", factor: 50%}, for: 2m}
  - {at: 11m, flush: cache}
  - {at: 12m, failover: db}
  - {at: 13m, restore: db}
  - {at: 14m, errors: {target: app, ratio: 10%}, for: 1m}
  - {chaos_monkey: {targets: [app, cache], mtbf: {exponential: {mean: 30m}}, mttr: 2m}}
autoscaling:
  app:
    hpa:
      min: 2
      max: 10
      metrics: [{cpu: 70%}, {rps: 100/s}]
      behavior:
        scale_up: {stabilization: 0s, policies: [{pods: 4, period: 15s}, {percent: 100, period: 15s}], select: max}
        scale_down: {stabilization: 5m, policies: [{percent: 10, period: 1m}]}
    boot_time: 20s
  worker:
    rules:
      min: 1
      max: 4
      up: [{metric: cpu, above: 70%, for: 5m, step: 2}]
      down: [{metric: latency_p99, below: 50ms, for: 10m}]
      cooldown: {up: 5m, down: 10m}
expect:
  latency_p99: 500ms
  error_rate: "< 1%"
  throughput: {min: 90/s, class: read}
  latency_p50: {max: 50ms, class: static, bound: upper}
  availability: ">= 99.9%"
  rto: 15m
  rpo: {value: 5m}
  writes_lost: 0
  no_saturation: true
resilience:
  recovery_threshold: 95%
  stabilization: 30s
  targets: {instance: {rto: 1m}, region: {rto: 15m, rpo: 5m}}
)";

TEST(ScenarioLoader, ParsesEveryForm) {
  Loaded l = load(kEverything);
  const Scenario& s = l.scenario;
  EXPECT_EQ(s.name, "everything");
  EXPECT_EQ(s.topology_path, dir() + "shop.yaml");
  EXPECT_EQ(l.topology.name, "shop");
  EXPECT_DOUBLE_EQ(s.duration, 7200);
  EXPECT_DOUBLE_EQ(s.warmup, 60);
  EXPECT_EQ(s.seed, 7u);
  EXPECT_DOUBLE_EQ(s.window, 5);
  EXPECT_TRUE(s.slow);

  // Load: a sum of a sequence of every shape, a trace and a bare rate.
  ASSERT_EQ(s.load.kind, Profile::Kind::kSum);
  ASSERT_EQ(s.load.children.size(), 3u);
  const Profile& seq = s.load.children[0];
  ASSERT_EQ(seq.kind, Profile::Kind::kSequence);
  ASSERT_EQ(seq.children.size(), 5u);
  EXPECT_EQ(seq.children[0].kind, Profile::Kind::kConstant);
  EXPECT_DOUBLE_EQ(seq.children[0].rate, 100);
  EXPECT_DOUBLE_EQ(seq.children[0].phase_length, 600);
  const Profile& ramp = seq.children[1];
  EXPECT_EQ(ramp.kind, Profile::Kind::kRamp);
  EXPECT_DOUBLE_EQ(ramp.from, 100);
  EXPECT_DOUBLE_EQ(ramp.to, 300);
  EXPECT_DOUBLE_EQ(ramp.over, 300);
  EXPECT_DOUBLE_EQ(ramp.at, 60);
  const Profile& step = seq.children[2];
  EXPECT_EQ(step.kind, Profile::Kind::kStep);
  EXPECT_DOUBLE_EQ(step.at, 120);
  EXPECT_DOUBLE_EQ(step.mix.at("upload"), 0.1);
  const Profile& spike = seq.children[3];
  EXPECT_EQ(spike.kind, Profile::Kind::kSpike);
  EXPECT_DOUBLE_EQ(spike.rate, 200);
  EXPECT_DOUBLE_EQ(spike.factor, 3);
  EXPECT_DOUBLE_EQ(spike.length, 30);
  const Profile& diurnal = seq.children[4];
  EXPECT_EQ(diurnal.kind, Profile::Kind::kDiurnal);
  EXPECT_DOUBLE_EQ(diurnal.mean, 200);
  EXPECT_DOUBLE_EQ(diurnal.amplitude, 0.5);
  EXPECT_DOUBLE_EQ(diurnal.period, 3600);
  EXPECT_DOUBLE_EQ(diurnal.peak, 1800);
  const Profile& trace = s.load.children[1];
  EXPECT_EQ(trace.kind, Profile::Kind::kTrace);
  EXPECT_EQ(trace.trace.path, dir() + "shop_trace.txt");
  EXPECT_EQ(trace.trace.path_as_written, "shop_trace.txt");
  EXPECT_EQ(trace.trace.format, TraceSpec::Format::kPerSecond);  // from the extension
  EXPECT_DOUBLE_EQ(trace.trace.start, 10);
  EXPECT_DOUBLE_EQ(trace.trace.length, 3600);
  EXPECT_DOUBLE_EQ(trace.trace.scale, 2);
  EXPECT_TRUE(trace.trace.interpolate);
  EXPECT_EQ(s.load.children[2].kind, Profile::Kind::kConstant);
  EXPECT_DOUBLE_EQ(s.load.children[2].rate, 100);

  // Faults: every kind, every target form.
  ASSERT_EQ(s.faults.size(), 15u);
  const std::vector<Fault::Kind> kinds = {
      Fault::Kind::kCrash,     Fault::Kind::kCrash,       Fault::Kind::kCrash,      Fault::Kind::kCrash,
      Fault::Kind::kPartition, Fault::Kind::kPartition,   Fault::Kind::kDelay,      Fault::Kind::kLoss,
      Fault::Kind::kBandwidth, Fault::Kind::kCpuSlowdown, Fault::Kind::kCacheFlush, Fault::Kind::kFailover,
      Fault::Kind::kRestore,   Fault::Kind::kErrors,      Fault::Kind::kChaosMonkey};
  for (std::size_t i = 0; i < kinds.size(); ++i) EXPECT_EQ(s.faults[i].kind, kinds[i]) << i;
  EXPECT_EQ(s.faults[0].name, "one app down");
  EXPECT_EQ(s.faults[0].target.component, "app");
  EXPECT_EQ(s.faults[0].target.instance, 1);
  EXPECT_DOUBLE_EQ(s.faults[0].at, 60);
  EXPECT_DOUBLE_EQ(s.faults[0].length, 120);
  EXPECT_EQ(s.faults[1].target.text(), "db.primary");
  EXPECT_EQ(s.faults[1].name, "crash db.primary");
  EXPECT_EQ(s.faults[2].target.region, "us");
  EXPECT_EQ(s.faults[3].target.zone, "eu-b");
  EXPECT_DOUBLE_EQ(s.faults[3].every, 600);
  EXPECT_EQ(s.faults[4].target.between, (std::vector<std::string>{"app", "db"}));
  EXPECT_EQ(s.faults[5].target.text(), "eu<->us");
  EXPECT_DOUBLE_EQ(s.faults[6].value, 0.1);
  EXPECT_DOUBLE_EQ(s.faults[6].ramp, 60);
  EXPECT_DOUBLE_EQ(s.faults[7].value, 0.05);
  EXPECT_DOUBLE_EQ(s.faults[8].value, 10e6 / 8);
  EXPECT_EQ(s.faults[9].target.instance, 0);
  EXPECT_DOUBLE_EQ(s.faults[9].value, 0.5);
  EXPECT_EQ(s.faults[10].target.component, "cache");
  EXPECT_DOUBLE_EQ(s.faults[13].value, 0.1);
  EXPECT_EQ(s.faults[14].targets.size(), 2u);
  EXPECT_DOUBLE_EQ(s.faults[14].mtbf.mean, 1800);
  EXPECT_DOUBLE_EQ(s.faults[14].mttr->mean, 120);

  // Autoscaling: an HPA and threshold rules.
  ASSERT_EQ(s.autoscaling.size(), 2u);
  const Autoscaler& app = s.autoscaling[0];
  EXPECT_EQ(app.component, "app");
  ASSERT_TRUE(app.hpa());
  EXPECT_EQ(app.hpa()->min, 2);
  EXPECT_EQ(app.hpa()->max, 10);
  ASSERT_EQ(app.hpa()->metrics.size(), 2u);
  EXPECT_EQ(app.hpa()->metrics[0].type, HpaMetric::Type::kCpu);
  EXPECT_DOUBLE_EQ(app.hpa()->metrics[0].target, 0.7);
  EXPECT_EQ(app.hpa()->metrics[1].type, HpaMetric::Type::kRps);
  ASSERT_EQ(app.hpa()->scale_up.policies.size(), 2u);
  EXPECT_EQ(app.hpa()->scale_up.policies[1].type, HpaPolicy::Type::kPercent);
  EXPECT_DOUBLE_EQ(*app.hpa()->scale_down.stabilization, 300);
  EXPECT_DOUBLE_EQ(*app.boot_time, 20);
  const Autoscaler& worker = s.autoscaling[1];
  ASSERT_TRUE(worker.rules());
  EXPECT_EQ(worker.rules()->max, 4);
  ASSERT_EQ(worker.rules()->up.size(), 1u);
  EXPECT_EQ(worker.rules()->up[0].step, 2);
  EXPECT_DOUBLE_EQ(worker.rules()->up[0].threshold, 0.7);
  EXPECT_EQ(worker.rules()->down[0].metric, "latency_p99");
  EXPECT_DOUBLE_EQ(worker.rules()->down[0].threshold, 0.05);
  EXPECT_DOUBLE_EQ(worker.rules()->cooldown_down, 600);

  // Expectations: plain value, comparison string, {min/max/value} with class and bound.
  ASSERT_EQ(s.expectations.size(), 9u);
  std::vector<std::string> texts;
  for (const Expectation& e : s.expectations) texts.push_back(e.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"latency_p99 <= 500ms", "error_rate < 1%",
                                             "throughput >= 90/s (class read)", "latency_p50 <= 50ms (class static)",
                                             "availability >= 99.9%", "rto <= 15m", "rpo <= 5m", "writes_lost <= 0",
                                             "no_saturation == true"}));
  EXPECT_EQ(s.expectations[3].bound, Expectation::Bound::kUpper);
  EXPECT_EQ(s.expectations[2].request_class, "read");

  EXPECT_DOUBLE_EQ(s.resilience.recovery_threshold, 0.95);
  EXPECT_DOUBLE_EQ(*s.resilience.targets.at("region").rpo, 300);
}

TEST(ScenarioLoader, FillsDefaultsAndTakesDurationFromTheProfile) {
  Loaded l = load("topology: shop.yaml\nload:\n  sequence:\n    - {for: 5m, constant: 10/s}\n"
                  "    - {for: 10m, constant: 20/s}\n");
  EXPECT_EQ(l.scenario.name, "s");  // from the file name
  EXPECT_DOUBLE_EQ(l.scenario.duration, 900);
  EXPECT_EQ(l.scenario.seed, 1u);
  EXPECT_DOUBLE_EQ(l.scenario.window, 10);
  EXPECT_DOUBLE_EQ(l.scenario.warmup, 0);
  EXPECT_DOUBLE_EQ(l.scenario.resilience.recovery_threshold, 0.99);
  EXPECT_TRUE(l.scenario.faults.empty());
}

// A resize is a deploy with a size: rolling keeps the deploy's keys and defaults; in_place and
// all_at_once restart the same instances (surge 0, one or all unavailable).
TEST(ScenarioLoader, ReadsResizesWithTheirStrategies) {
  Loaded l = load("topology: shop.yaml\nduration: 1h\nload: {constant: 10/s}\noperations:\n"
                  "  - {at: 10m, resize: {target: app, cores: 4, memory: 8GiB}}\n"
                  "  - {at: 20m, resize: {target: app, cores: 2, strategy: in_place, max_unavailable: 2, drain: 5s}}\n"
                  "  - {at: 30m, resize: {target: worker, memory: 2GB, strategy: all_at_once}}\n"
                  "  - {at: 40m, resize: {target: app, cores: 8, by: ecs, maximum_percent: 150%}}\n");
  const auto& d = l.scenario.operations.deploys;
  ASSERT_EQ(d.size(), 4u);
  ASSERT_TRUE(d[0].resize);
  EXPECT_EQ(d[0].component, "app");
  EXPECT_EQ(d[0].resize->cores, 4);
  EXPECT_DOUBLE_EQ(d[0].resize->memory, 8.0 * 1024 * 1024 * 1024);
  EXPECT_EQ(d[0].strategy, Deploy::Strategy::kRolling);
  EXPECT_DOUBLE_EQ(d[0].max_surge.value, 0.25);  // Kubernetes' defaults, as a deploy's
  EXPECT_TRUE(d[0].max_surge.percent);
  EXPECT_EQ(d[1].strategy, Deploy::Strategy::kInPlace);
  EXPECT_DOUBLE_EQ(d[1].max_surge.value, 0);
  EXPECT_DOUBLE_EQ(d[1].max_unavailable.value, 2);
  EXPECT_FALSE(d[1].max_unavailable.percent);
  EXPECT_DOUBLE_EQ(d[1].drain, 5);
  EXPECT_EQ(d[2].strategy, Deploy::Strategy::kAllAtOnce);
  EXPECT_EQ(d[2].resize->cores, 0);  // unchanged
  EXPECT_DOUBLE_EQ(d[2].resize->memory, 2e9);
  EXPECT_DOUBLE_EQ(d[2].max_unavailable.value, 1);
  EXPECT_TRUE(d[2].max_unavailable.percent);  // 100 %
  EXPECT_EQ(d[3].by, Deploy::By::kEcs);
  EXPECT_DOUBLE_EQ(d[3].maximum, 1.5);
  EXPECT_DOUBLE_EQ(d[3].drain, 300);  // ECS's default, as a deploy's
}

// ---- file level --------------------------------------------------------------

TEST(ScenarioLoader, RejectsEmptyAndMalformedFiles) {
  EXPECT_EQ(errors_of(""),
            "s.yaml: error: file is empty; expected a scenario mapping with topology, duration and load\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nload: {constant: [10/s}\n"),
            "s.yaml:2:23: error: YAML syntax error: illegal flow end; expected valid YAML\n");
  EXPECT_EQ(errors_of("[topology, load]\n"),
            "s.yaml:1:1: error: scenario must be a mapping, got a list; expected key: value pairs\n");
}

TEST(ScenarioLoader, RejectsUnreadableTopology) {
  EXPECT_EQ(errors_of("topology: nosuch.yaml\nduration: 1m\nload: 10/s\n"),
            "s.yaml:1:11: error: cannot read topology 'nosuch.yaml': no such file; expected a readable topology "
            "file\n");
  EXPECT_EQ(errors_of("topology: ../scenario\nduration: 1m\nload: 10/s\n"),
            "s.yaml:1:11: error: cannot read topology 'tests/scenario': is a directory; expected a readable topology "
            "file\n");
  EXPECT_EQ(errors_of("duration: 1m\nload: 10/s\n"),
            "s.yaml:1:1: error: missing key 'topology' in scenario; expected the topology file, like topology: "
            "../topologies/shop.yaml\n");
}

TEST(ScenarioLoader, ReportsErrorsOfTheTopologyInTheTopologyFile) {
  // A broken topology's errors are located in the topology, not in the scenario.
  std::string topo = sim::testing::temp_dir("scenario-loader") + "/broken.yaml";
  sim::testing::write_file(topo, "name: broken\ncomponents:\n  app: {kind: service, replicas: 0, service_time: 5ms}\n"
                                 "requests: {api: {share: 100%, path: [app]}}\n");
  core::Diagnostics diags;
  EXPECT_FALSE(parse_scenario(file(), "topology: " + topo + "\nduration: 1m\nload: 10/s\n", diags));
  EXPECT_EQ(diags.format_short(),
            topo + ":3:34: error: 0 is out of range; expected a whole number between 1 and 1000\n");
}

TEST(ScenarioLoader, RejectsUnreadableTrace) {
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1m\nload: {trace: {file: missing.txt}}\n"),
            "s.yaml:3:22: error: cannot read trace 'missing.txt': no such file; expected a readable trace file\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1m\nload: {trace: {file: ../scenario, format: per_second}}\n"),
            "s.yaml:3:22: error: cannot read trace 'tests/scenario': is a directory; expected a readable trace file\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1m\nload: {trace: {file: shop.yaml}}\n"),
            "s.yaml:3:22: error: cannot tell the format of trace 'shop.yaml' from its name; expected format: "
            "per_second, counts_csv or request_log\n");
}

// ---- keys and types ------------------------------------------------------------

TEST(ScenarioLoader, RejectsUnknownKeys) {
  // 'duraton' is reported once: not again as "missing key 'duration'".
  EXPECT_EQ(errors_of("topology: shop.yaml\nduraton: 30m\nload: {constant: 10/s, mixx: {read: 100%}}\n"
                      "faults: [{at: 1m, crsh: app}]\nexpect: {eror_rate: 1%}\n"),
            "s.yaml:2:1: error: unknown key 'duraton' in scenario; did you mean 'duration'?\n"
            "s.yaml:3:24: error: unknown key 'mixx' in load profile; did you mean 'mix'?\n"
            "s.yaml:4:19: error: unknown key 'crsh' in fault; did you mean 'crash'?\n"
            "s.yaml:5:10: error: unknown key 'eror_rate' in expect; did you mean 'error_rate'?\n");
}

TEST(ScenarioLoader, RejectsWrongTypes) {
  EXPECT_EQ(errors_of("topology: [shop.yaml]\nduration: 1m\nload: 10/s\n"),
            "s.yaml:1:11: error: expected a string, got a list\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: {m: 1}\nseed: -1\nload: [10/s]\nfaults: {at: 1m}\n"),
            "s.yaml:2:11: error: expected a duration with a unit like 250us, 5ms, 10s, 5m, 24h or 7d, got a mapping\n"
            "s.yaml:3:7: error: -1 is out of range; expected a whole number between 0 and 9007199254740991\n"
            "s.yaml:4:7: error: load profile must be a mapping, got a list; expected key: value pairs\n"
            "s.yaml:5:9: error: faults must be a list, got a mapping; expected [a, b] or '- item' lines\n");
}

TEST(ScenarioLoader, RejectsBadUnitsAndHugeNumbers) {
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1e30s\nload: {ramp: {from: 10, to: 1e30/s, over: 5 min}}\n"
                      "seed: 1e308\n"),
            "s.yaml:2:11: error: duration '1e30s' is out of range; expected a duration of at most 1e18s\n"
            "s.yaml:3:21: error: invalid rate '10'; expected a rate like 500/s, 30000/min or 1000/h\n"
            "s.yaml:3:29: error: rate '1e30/s' is out of range; expected a rate of at most 1e18/s\n"
            "s.yaml:3:43: error: invalid duration '5 min'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n"
            "s.yaml:4:7: error: 1e308 is out of range; expected a whole number between 0 and 9007199254740991\n");
}

// ---- load profiles -------------------------------------------------------------

TEST(ScenarioLoader, RejectsBadLoadProfiles) {
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1h\nload:\n  sequence:\n    - {constant: 10/s}\n"
                      "    - {for: 1m, constant: 1/s, ramp: {from: 1/s, to: 2/s, over: 1m}}\n"
                      "    - {for: 1m, mix: {read: 100%}}\n    - {for: 1m, ramp: {from: 1/s, to: 2/s}}\n"
                      "    - {for: 1m, sum: []}\n"),
            "s.yaml:5:7: error: sequence phase without 'for'; expected how long it lasts, like {for: 10m, constant: "
            "100/s}\n"
            "s.yaml:6:32: error: 'constant' and 'ramp' cannot be used together in load profile; expected exactly one "
            "of constant, ramp, step, spike, diurnal, trace, sum, sequence, stages\n"
            "s.yaml:7:7: error: load profile has none of constant, ramp, step, spike, diurnal, trace, sum, sequence, stages; "
            "expected exactly one\n"
            "s.yaml:8:23: error: missing key 'over' in ramp; expected how long the ramp takes, like over: 10m\n"
            "s.yaml:9:22: error: sum is empty; expected at least one profile\n");
}

TEST(ScenarioLoader, RejectsDeeplyNestedProfiles) {
  std::string load = "10/s";
  for (int i = 0; i < 20; ++i) load = "{sum: [" + load + "]}";
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1m\nload: " + load + "\n"),
            "s.yaml:3:126: error: load profile nested deeper than 16 levels; expected a flatter profile\n");
}

TEST(ScenarioLoader, RejectsMixWithUnknownClassOrBadSum) {
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1m\nload: {constant: 10/s, mix: {read: 50%, raed: 20%}}\n"),
            "s.yaml:3:29: error: mix shares sum to 70%; expected them to sum to 100%\n"
            "s.yaml:3:41: error: mix names unknown request class 'raed'; expected one of static, read, write, "
            "upload\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 1m\nload: {constant: 10/s, mix: {checkout: 100%}}\n"),
            "s.yaml:3:30: error: mix names unknown request class 'checkout'; expected one of static, read, write, "
            "upload\n");
}

// ---- faults --------------------------------------------------------------------

TEST(ScenarioLoader, RejectsFaultsOnUnknownTargets) {
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 1h
load: 10/s
faults:
  - {at: 1m, crash: ap}
  - {at: 1m, crash: payment}
  - {at: 1m, crash: {region: asia}}
  - {at: 1m, crash: {zone: eu-c}}
  - {at: 1m, partition: [app, dbb]}
  - {at: 1m, cpu_slowdown: {target: "app[2]", factor: 50%}}
  - {at: 1m, crash: "app[x]"}
  - {at: 1m, errors: {target: cdn.primary, ratio: 5%}}
)"),
            "s.yaml:5:21: error: unknown component 'ap'; did you mean 'app'?\n"
            "s.yaml:6:21: error: unknown component 'payment'; expected one of cdn, lb, app, worker, cache, db, audit, "
            "jobs, files\n"
            "s.yaml:7:30: error: unknown region 'asia'; expected one of eu, us\n"
            "s.yaml:8:28: error: unknown zone 'eu-c'; did you mean 'eu-a'?\n"
            "s.yaml:9:31: error: unknown component or region 'dbb'; did you mean 'db'?\n"
            "s.yaml:10:37: error: 'app' has 2 instance(s); expected an index from 0 to 1\n"
            "s.yaml:11:21: error: invalid target 'app[x]'; expected a component ('app'), an instance ('app[1]'), a "
            "database role ('db.primary') or {region: ...} / {zone: ...} / {host: ...}\n"
            "s.yaml:12:31: error: 'cdn.primary' names a role but 'cdn' is a cdn; expected roles on databases only\n");
}

TEST(ScenarioLoader, RejectsFaultsThatCannotApply) {
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 1h
load: 10/s
faults:
  - {at: 1m, crash: cdn}
  - {at: 1m, failover: audit}
  - {at: 1m, restore: audit}
  - {at: 1m, crash: audit.replica}
  - {at: 1m, flush: app}
  - {at: 1m, cpu_slowdown: {target: app, factor: 0%}}
  - {at: 1m, partition: [app, eu]}
  - {at: 1m, partition: [app, app]}
  - {at: 1m, partition: [app]}
  - {at: 1m, errors: {target: app, ratio: 150%}}
  - {at: 1m, crash: app, partition: [app, db]}
  - {crash: app}
)"),
            "s.yaml:5:21: error: 'cdn' is a CDN, which infrasim treats as always up; expected a component with "
            "instances\n"
            "s.yaml:6:24: error: failover of 'audit' needs a replica to promote; expected replicas >= 1\n"
            "s.yaml:7:23: error: restore of 'audit' needs backups; expected backup: {interval, size, restore_rate} "
            "in the topology\n"
            "s.yaml:8:21: error: 'audit' has no replicas; expected audit.primary\n"
            "s.yaml:9:21: error: flush needs a cache or CDN, but 'app' is a service\n"
            "s.yaml:10:50: error: cpu_slowdown factor 0 stops the CPU; expected a speed above 0, or a crash fault\n"
            "s.yaml:11:25: error: between mixes a component and a region; expected two components or two regions\n"
            "s.yaml:12:25: error: between names 'app' twice; expected two different ends\n"
            "s.yaml:13:25: error: between lists 1 name; expected two components or two regions, like [app, db]\n"
            "s.yaml:14:43: error: invalid ratio '150%'; expected a ratio between 0 and 1, like 70% or 0.7\n"
            "s.yaml:15:26: error: 'crash' and 'partition' cannot be used together in fault; expected exactly one of "
            "crash, partition, delay, loss, bandwidth, cpu_slowdown, flush, failover, restore, errors, chaos_monkey, hang, freeze, slow, flap, "
            "reshard\n"
            "s.yaml:16:5: error: fault without 'at'; expected when it happens, like at: 10m\n");
}

// A chaos monkey without mttr kills processes: only a restart policy brings them back, and shop.yaml's
// app has none. With mttr it loads, and `for:` is the window it strikes in.
TEST(ScenarioLoader, ChaosMonkeyWithoutMttrNeedsARestartPolicy) {
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 1h
load: 10/s
faults:
  - {chaos_monkey: {targets: [app], mtbf: 10m}}
)"),
            "s.yaml:5:31: error: chaos_monkey without mttr kills processes and 'app' has no restart policy to bring "
            "them back; expected mttr (how long a crash lasts, like mttr: 5m) or restart: on 'app'\n");
  Loaded l = load(R"(topology: shop.yaml
duration: 1h
load: 10/s
faults:
  - {at: 5m, for: 30m, chaos_monkey: {targets: [app], mtbf: 10m, mttr: 1m}}
)");
  ASSERT_EQ(l.scenario.faults.size(), 1u);
  ASSERT_TRUE(l.scenario.faults[0].mttr.has_value());
  EXPECT_DOUBLE_EQ(l.scenario.faults[0].mttr->mean, 60);
  EXPECT_DOUBLE_EQ(l.scenario.faults[0].length, 1800);
}

TEST(ScenarioLoader, RejectsImpossibleTimes) {
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 10m
warmup: 10m
window: 20m
load: 10/s
faults:
  - {at: 10m, crash: app}
  - {at: 1m, crash: app, for: 5m, every: 5m}
  - {at: 1m, crash: app, for: 0s}
)"),
            "s.yaml:3:9: error: warmup 10m is not shorter than the run (10m); expected warmup < duration\n"
            "s.yaml:4:9: error: metric window is longer than the run; expected window <= duration\n"
            "s.yaml:7:10: error: fault at 10m is not before the end of the run (10m); expected at < duration\n"
            "s.yaml:8:42: error: fault repeats every 5m but lasts 5m; expected for < every\n"
            "s.yaml:9:31: error: duration must be positive, got '0s'; expected a duration above 0\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 500d\nload: 10/s\n"),
            "s.yaml:2:11: error: duration 500d is above 400 days; expected a shorter run\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nduration: 0s\nload: 10/s\n"),
            "s.yaml:2:11: error: duration must be positive, got '0s'; expected a duration above 0\n");
  EXPECT_EQ(errors_of("topology: shop.yaml\nload: 10/s\n"),
            "s.yaml:1:1: error: missing key 'duration' in scenario; expected how long to simulate, like duration: "
            "30m\n");
}

// ---- autoscaling ----------------------------------------------------------------

TEST(ScenarioLoader, RejectsBadAutoscaling) {
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 1h
load: 10/s
autoscaling:
  ap: {hpa: {min: 1, max: 3, metrics: [{cpu: 70%}]}}
  payments: {hpa: {min: 1, max: 3, metrics: [{cpu: 70%}]}}
  cache: {hpa: {min: 1, max: 3, metrics: [{cpu: 70%}]}}
  app: {hpa: {min: 5, max: 3, metrics: [{cpu: 70%}]}}
  worker: {rules: {min: 4, max: 2}}
)"),
            "s.yaml:5:7: error: autoscaling names unknown component 'ap'; did you mean 'app'?\n"
            "s.yaml:6:13: error: autoscaling names unknown component 'payments'; expected one of cdn, lb, app, "
            "worker, cache, db, audit, jobs, files\n"
            "s.yaml:7:10: error: autoscaling 'cache' is a cache; expected a service\n"
            "s.yaml:8:20: error: min 5 is above max 3; expected min <= max\n"
            "s.yaml:9:19: error: rules has neither up nor down rules; expected at least one\n"
            "s.yaml:9:25: error: min 4 is above max 2; expected min <= max\n");
}

// ---- expectations ---------------------------------------------------------------

TEST(ScenarioLoader, RejectsBadExpectations) {
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 1h
load: 10/s
expect:
  latency_p99: fast
  error_rate: []
  throughput: {min: 10/s, class: reed}
  writes_lost: {max: 0, class: read}
  availability: {min: 99%, max: 100%}
  replication_lag_max: 2.5
  no_saturation: maybe
  latency_p100: 1s
  rto: [15m, 10m]
)"),
            "s.yaml:5:16: error: invalid duration 'fast'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n"
            "s.yaml:6:15: error: 'error_rate' has an empty list; expected at least one target\n"
            "s.yaml:7:34: error: unknown request class 'reed'; did you mean 'read'?\n"
            "s.yaml:8:32: error: 'writes_lost' cannot be restricted to a request class; expected it without class\n"
            "s.yaml:9:28: error: 'min' and 'max' cannot be used together in expectation 'availability'; expected "
            "exactly one of max, min, value\n"
            "s.yaml:10:24: error: invalid duration '2.5'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n"
            "s.yaml:11:18: error: invalid boolean 'maybe'; expected true or false\n"
            "s.yaml:12:3: error: invalid percentile 'latency_p100'; expected latency_pN with 0 < N < 100, like "
            "latency_p95 or latency_p99.9\n"
            "s.yaml:13:14: error: 'rto' is already expected (line 13); expected each metric once per class\n");
}

TEST(ScenarioLoader, ReadsEveryTargetOfAMetricAndAnyPercentile) {
  Loaded l = load(R"(topology: shop.yaml
duration: 1h
load: 10/s
expect:
  latency_p95: 300ms
  latency_p99.9: {max: 1s, class: read}
  rto: [15m, {class: write, max: 2m}]
  availability: {min: 99.9%, class: write}
)");
  const auto& e = l.scenario.expectations;
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].id(), "latency_p95");
  EXPECT_EQ(e[1].id(), "latency_p99.9:read");
  EXPECT_EQ(e[1].text, "latency_p99.9 <= 1s (class read)");
  EXPECT_EQ(e[2].id(), "rto");
  EXPECT_DOUBLE_EQ(e[2].value, 900);
  EXPECT_EQ(e[3].id(), "rto:write");
  EXPECT_DOUBLE_EQ(e[3].value, 120);
  EXPECT_EQ(e[3].pos.line, 7);
  EXPECT_EQ(e[4].id(), "availability:write");
  EXPECT_EQ(e[4].op, Expectation::Op::kGe);
}

TEST(ScenarioLoader, ReadsClassRtoTargetsAndTheExpectedFailure) {
  Loaded l = load(R"(topology: shop.yaml
duration: 1h
load: 10/s
expect:
  rpo: 5m
resilience:
  targets:
    instance: {rto: [15m, {class: write, max: 2m}], rpo: 5m}
    data: {rto: {max: 1h}, rpo: 1h}
expected_failure:
  reason: 'daily backups: up to a day of writes'
  fails: [rpo, resilience.data]
)");
  const Resilience& r = l.scenario.resilience;
  ASSERT_EQ(r.targets.size(), 2u);
  const RecoveryTarget& inst = r.targets.at("instance");
  EXPECT_DOUBLE_EQ(*inst.rto, 900);
  ASSERT_EQ(inst.class_rto.size(), 1u);
  EXPECT_EQ(inst.class_rto[0].first, "write");
  EXPECT_DOUBLE_EQ(inst.class_rto[0].second, 120);
  EXPECT_DOUBLE_EQ(*r.targets.at("data").rto, 3600);
  ASSERT_TRUE(l.scenario.expected_failure);
  EXPECT_EQ(l.scenario.expected_failure->reason, "daily backups: up to a day of writes");
  EXPECT_EQ(l.scenario.expected_failure->fails, (std::vector<std::string>{"rpo", "resilience.data"}));
  EXPECT_EQ(l.scenario.name_pos.line, 1);  // no name: the file's start
}

TEST(ScenarioLoader, RejectsBadExpectedFailuresAndClassTargets) {
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 1h
load: 10/s
expect: {rpo: 5m}
resilience:
  targets:
    zone: {rto: [15m, {max: 10m}, {class: wrte, max: 1m}, {class: write}]}
expected_failure:
  fails: [rpx, rpo, rpo, resilience.zone, resilience.region]
)"),
            "s.yaml:7:23: error: zone has two RTO targets for all traffic; expected one\n"
            "s.yaml:7:43: error: unknown request class 'wrte'; did you mean 'write'?\n"
            "s.yaml:7:59: error: missing key 'max' in zone RTO target; expected the longest acceptable RTO, like max: 2m\n"
            "s.yaml:9:3: error: missing key 'reason' in expected_failure; expected why the scenario fails on purpose, "
            "like reason: daily backups cannot meet RPO 5 min\n"
            "s.yaml:9:11: error: unknown check 'rpx'; did you mean 'rpo'?\n"
            "s.yaml:9:21: error: 'rpo' is listed twice; expected each check once\n"
            "s.yaml:9:43: error: unknown check 'resilience.region'; expected one of rpo, resilience.zone\n");
  EXPECT_EQ(errors_of(R"(topology: shop.yaml
duration: 1h
load: 10/s
expected_failure: {reason: '', fails: []}
)"),
            "s.yaml:4:28: error: reason is empty; expected why the scenario fails on purpose\n"
            "s.yaml:4:39: error: fails is empty; expected the checks that fail, like [rpo]\n");
}

// ---- all errors of a file ---------------------------------------------------------

TEST(ScenarioLoader, ReportsEveryErrorSorted) {
  EXPECT_EQ(errors_of(R"(expect: {error_rate: 1.5}
faults: [{at: 1m, crash: dbx}]
topology: shop.yaml
load: {constant: 10/s, mix: {read: 100%, nope: 0%}}
autoscaling: {app: {hpa: {min: 3, max: 2, metrics: [{cpu: 70%}]}}}
duration: 1h
colour: blue
)"),
            "s.yaml:1:22: error: invalid ratio '1.5'; expected a ratio between 0 and 1, like 70% or 0.7\n"
            "s.yaml:2:26: error: unknown component 'dbx'; did you mean 'db'?\n"
            "s.yaml:4:42: error: mix names unknown request class 'nope'; expected one of static, read, write, upload\n"
            "s.yaml:5:32: error: min 3 is above max 2; expected min <= max\n"
            "s.yaml:7:1: error: unknown key 'colour' in scenario; expected one of name, description, topology, "
            "duration, warmup, seed, window, load, faults, autoscaling, expect, resilience, expected_failure, slow, client_groups, virtual_users, alerts, operations\n");
}

// Topology --set overrides change the parsed tree in place: the topology's own errors
// keep their lines and columns (they were located in re-emitted YAML before).
TEST(ScenarioLoader, TopologyOverrideKeepsTopologyErrorLocations) {
  const std::string d = sim::testing::temp_dir("override-locations");
  sim::testing::write_file(d + "/t.yaml", R"(# a comment that a re-emitted tree would drop
name: t

components:
  app:
    kind: service
    replicas: 2
    colour: blue
requests:
  api: {share: 100%, path: [app]}
)");
  std::string error;
  auto o = parse_override("components.app.replicas=3", &error);
  ASSERT_TRUE(o);
  core::Diagnostics diags;
  EXPECT_FALSE(parse_scenario(d + "/s.yaml", "topology: t.yaml\nduration: 1m\nload: {constant: 1/s}\n", diags, "", {*o}));
  EXPECT_NE(diags.format_short().find("t.yaml:8:5: error: unknown key 'colour' in component 'app'"), std::string::npos)
      << diags.format_short();
}

}  // namespace
}  // namespace sim::scenario
