// Golden tests of the Kubernetes HPA port (model/hpa.h).
//
//   pods (phase, readiness, metrics) --> evaluate_hpa --> desired replicas
//                                          ^     |
//                            HpaHistory ---+     +--> recommendation / scale event recorded
//
// Most cases are ported from the controller's own table tests in
// kubernetes/kubernetes pkg/controller/podautoscaler (replica_calculator_test.go,
// horizontal_test.go); each names its upstream test. The expected numbers are
// upstream's, re-derived by hand in the comments. Upstream's test constants are
// kept where they matter: CPU initialization period 2m, initial readiness delay
// 10s (replica_calculator.go defaultTesting*), "hot" pods started now and "cool"
// ones 3m ago. Every case goes through evaluate_hpa, the code `infrasim autoscale`
// runs.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/model/hpa.h"
#include "sim/scenario/autoscale_state.h"

namespace sim::model {
namespace {

using scenario::HpaMetric;
using scenario::HpaPolicy;
using scenario::HpaRules;
using scenario::HpaSpec;
using Outcome = HpaMetricProposal::Outcome;

constexpr double kNow = 3600;         // long after the pods below started
constexpr double kHot = kNow;         // hotCPUCreationTime(): started now
constexpr double kCool = kNow - 180;  // coolCPUCreationTime(): started 3m ago

HpaMetric cpu(int percent) { return HpaMetric{HpaMetric::Type::kCpu, percent / 100.0}; }
HpaMetric memory(int percent) { return HpaMetric{HpaMetric::Type::kMemory, percent / 100.0}; }
HpaMetric rps(double per_second) { return HpaMetric{HpaMetric::Type::kRps, per_second}; }

// An HPA with upstream's testing constants and no behavior: block (upstream's testCase
// without scaleUpRules/scaleDownRules).
HpaSpec spec(int min, int max, std::vector<HpaMetric> metrics) {
  HpaSpec s;
  s.min = min;
  s.max = max;
  s.metrics = std::move(metrics);
  s.cpu_initialization_period = 120;
  s.initial_readiness_delay = 10;
  return s;
}

// The same with a behavior: block; rules left empty get the API defaults.
HpaSpec with_behavior(HpaSpec s, HpaRules up = {}, HpaRules down = {}) {
  s.behavior_given = true;
  s.scale_up = std::move(up);
  s.scale_down = std::move(down);
  return s;
}

// generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow) of horizontal_test.go.
HpaRules rules(int pods, double pods_period, int percent, double percent_period, double window,
               HpaRules::Select select = HpaRules::Select::kMax) {
  HpaRules r;
  r.stabilization = window;
  r.select = select;
  if (pods) r.policies.push_back(HpaPolicy{HpaPolicy::Type::kPods, pods, pods_period});
  if (percent) r.policies.push_back(HpaPolicy{HpaPolicy::Type::kPercent, percent, percent_period});
  return r;
}

// Pods as upstream writes them: CPU usage in millicores (reportedLevels) and requests in cores.
std::vector<PodSample> cpu_pods(const std::vector<long long>& milli, const std::vector<double>& requests = {}) {
  std::vector<PodSample> pods;
  for (std::size_t i = 0; i < milli.size(); ++i) {
    PodSample p;
    p.cpu_request = requests.empty() ? 1.0 : requests[i];
    p.cpu_utilization = static_cast<double>(milli[i]) / (p.cpu_request * 1000);
    pods.push_back(p);
  }
  return pods;
}

// Pods with a custom per-pod metric in milli-units (qps levels in upstream's tests).
std::vector<PodSample> rps_pods(const std::vector<long long>& milli) {
  std::vector<PodSample> pods;
  for (long long m : milli) {
    PodSample p;
    p.rps = static_cast<double>(m) / 1000;
    pods.push_back(p);
  }
  return pods;
}

// n more pods that exist but have no metrics (upstream: requests listed, levels missing).
void add_missing(std::vector<PodSample>* pods, int n) {
  for (int i = 0; i < n; ++i) {
    PodSample p;
    p.has_metrics = false;
    pods->push_back(p);
  }
}

// podReadiness false: never ready (the condition changed when the pod started).
void set_unready(std::vector<PodSample>* pods, std::initializer_list<int> which) {
  for (int i : which) (*pods)[static_cast<std::size_t>(i)].ready = false;
}

// podStartTime: a ready pod started at `t` became ready then.
void set_start(std::vector<PodSample>* pods, std::initializer_list<std::pair<int, double>> starts) {
  for (auto [i, t] : starts) {
    (*pods)[static_cast<std::size_t>(i)].start_time = t;
    (*pods)[static_cast<std::size_t>(i)].ready_transition_time = t;
  }
}

// A history as upstream's `recommendations: []timestampedRecommendation{}`: synced before, nothing kept.
HpaHistory synced() {
  HpaHistory h;
  h.initialized = true;
  return h;
}

HpaDecision sync(const HpaSpec& s, int current, const std::vector<PodSample>& pods, HpaHistory h = synced(),
                 double now = kNow) {
  return evaluate_hpa(s, now, current, pods, &h);
}

// The proposal of the only metric (upstream replica calculator tests call GetResourceReplicas directly).
HpaMetricProposal propose(const HpaSpec& s, int current, const std::vector<PodSample>& pods) {
  HpaDecision d = sync(s, current, pods);
  EXPECT_EQ(d.proposals.size(), 1u);
  return d.proposals.at(0);
}

// ---- replica calculator: one metric -------------------------------------------------------

TEST(HpaReplicaCalc, ScaleUp) {
  // TestReplicaCalcScaleUp (the issue's first case): floor(100 * 1500m / 3000m) = 50 %,
  // ratio 50/30 = 1.667, ceil(1.667 * 3) = 5.
  auto p = propose(spec(1, 100, {cpu(30)}), 3, cpu_pods({300, 500, 700}));
  EXPECT_EQ(p.outcome, Outcome::kScale);
  EXPECT_EQ(p.value, 50);
  EXPECT_EQ(p.replicas, 5);
}

TEST(HpaReplicaCalc, ScaleDown) {
  // TestReplicaCalcScaleDown (the issue's second case): 1400m / 5000m = 28 %, ratio 0.56,
  // ceil(0.56 * 5) = ceil(2.8) = 3.
  auto p = propose(spec(1, 100, {cpu(50)}), 5, cpu_pods({100, 300, 500, 250, 250}));
  EXPECT_EQ(p.value, 28);
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, Tolerance) {
  // TestReplicaCalcTolerance (the issue's third case): requests 0.9/1.0/1.1 cores,
  // 3060m / 3000m = 102 %, ratio 1.02 within 0.9..1.1: unchanged.
  auto p = propose(spec(1, 100, {cpu(100)}), 3, cpu_pods({1010, 1030, 1020}, {0.9, 1.0, 1.1}));
  EXPECT_EQ(p.value, 102);
  EXPECT_EQ(p.outcome, Outcome::kWithinTolerance);
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, ScaleUpUnreadyLessScale) {
  // TestReplicaCalcScaleUpUnreadyLessScale: pod 0 unready. Ready pods: 1200m / 2000m = 60 %,
  // ratio 2 > 1 with an unready pod: it counts as 0, (0 + 1200m) / 3000m = 40 %,
  // ratio 1.333, ceil(1.333 * 3) = 4 (not 6).
  auto pods = cpu_pods({300, 500, 700});
  set_unready(&pods, {0});
  auto p = propose(spec(1, 100, {cpu(30)}), 3, pods);
  EXPECT_EQ(p.value, 60);
  EXPECT_EQ(p.unready_pods, 1);
  EXPECT_EQ(p.replicas, 4);
}

TEST(HpaReplicaCalc, ScaleUpHotCpuLessScale) {
  // TestReplicaCalcScaleUpHotCpuLessScale: pod 0 started now, within the CPU
  // initialization period and without a full metric window since it became ready:
  // treated as unready, same arithmetic as above -> 4.
  auto pods = cpu_pods({300, 500, 700});
  set_start(&pods, {{0, kHot}, {1, kCool}, {2, kCool}});
  auto p = propose(spec(1, 100, {cpu(30)}), 3, pods);
  EXPECT_EQ(p.value, 60);
  EXPECT_EQ(p.replicas, 4);
}

TEST(HpaReplicaCalc, ScaleUpUnreadyNoScale) {
  // TestReplicaCalcScaleUpUnreadyNoScale: only pod 0 ready, 40 % -> ratio 1.333; with the two
  // unready pods at 0: 400m / 3000m = 13 %, ratio 0.433 < 1: the direction flips -> stay at 3.
  auto pods = cpu_pods({400, 500, 700});
  set_unready(&pods, {1, 2});
  auto p = propose(spec(1, 100, {cpu(30)}), 3, pods);
  EXPECT_EQ(p.value, 40);
  EXPECT_EQ(p.outcome, Outcome::kDirectionFlip);
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, ScaleHotCpuNoScale) {
  // TestReplicaCalcScaleHotCpuNoScale: pods 1 and 2 unready and started now: as above -> 3.
  auto pods = cpu_pods({400, 500, 700});
  set_start(&pods, {{0, kCool}, {1, kHot}, {2, kHot}});
  set_unready(&pods, {1, 2});
  auto p = propose(spec(1, 100, {cpu(30)}), 3, pods);
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, ScaleUpIgnoresFailedAndDeletedPods) {
  // TestReplicaCalcScaleUpIgnoresFailedPods / TestReplicaCalcScaleUpIgnoresDeletionPods: two
  // running pods at 500m and 700m, two failed (or being deleted) ones ignored entirely:
  // 60 %, ratio 2, ceil(2 * 2) = 4.
  auto pods = cpu_pods({500, 700, 0, 0});
  pods[2].phase = pods[3].phase = PodSample::Phase::kTerminating;
  pods[2].ready = pods[3].ready = false;
  auto p = propose(spec(1, 100, {cpu(30)}), 2, pods);
  EXPECT_EQ(p.value, 60);
  EXPECT_EQ(p.ignored_pods, 2);
  EXPECT_EQ(p.replicas, 4);
}

TEST(HpaReplicaCalc, ScaleUpCustomMetric) {
  // TestReplicaCalcScaleUpCM: qps 20, 10, 30 per pod, target 15: average 20000m,
  // ratio 1.333, ceil(4.0) = 4.
  auto p = propose(spec(1, 100, {rps(15)}), 3, rps_pods({20000, 10000, 30000}));
  EXPECT_EQ(p.value, 20000);
  EXPECT_EQ(p.replicas, 4);
}

TEST(HpaReplicaCalc, CustomMetricCountsUnreadyPods) {
  // TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: readiness matters only for CPU, so the
  // unready hot pod counts: (50 + 10 + 30) / 3 = 30 per pod, ratio 2, ceil(6) = 6.
  auto pods = rps_pods({50000, 10000, 30000});
  set_start(&pods, {{0, kCool}, {1, kCool}, {2, kHot}});
  set_unready(&pods, {2});
  auto p = propose(spec(1, 100, {rps(15)}), 3, pods);
  EXPECT_EQ(p.value, 30000);
  EXPECT_EQ(p.replicas, 6);

  // TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown: 95000m / 3 = 31666m (integer
  // division), ratio 2.111, ceil(6.33) = 7.
  auto pods2 = rps_pods({50000, 15000, 30000});
  set_start(&pods2, {{0, kHot}, {1, kCool}, {2, kHot}});
  set_unready(&pods2, {0, 2});
  auto p2 = propose(spec(1, 100, {rps(15)}), 3, pods2);
  EXPECT_EQ(p2.value, 31666);
  EXPECT_EQ(p2.replicas, 7);
}

TEST(HpaReplicaCalc, ScaleDownCustomMetric) {
  // TestReplicaCalcScaleDownCM: 12 qps per pod, target 20: ratio 0.6, ceil(0.6 * 5) = 3.
  auto p = propose(spec(1, 100, {rps(20)}), 5, rps_pods({12000, 12000, 12000, 12000, 12000}));
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, ToleranceCustomMetric) {
  // TestReplicaCalcToleranceCM: (20000 + 21000 + 21000) / 3 = 20666m, ratio 1.033: unchanged.
  auto p = propose(spec(1, 100, {rps(20)}), 3, rps_pods({20000, 21000, 21000}));
  EXPECT_EQ(p.value, 20666);
  EXPECT_EQ(p.outcome, Outcome::kWithinTolerance);
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, ScaleDownLeavesOutUnreadyPods) {
  // TestReplicaCalcScaleDownIncludeUnreadyPods: pods 3 and 4 unready are left out on a
  // scale-down: 900m / 3000m = 30 %, ratio 0.6, ceil(0.6 * 3) = 2.
  auto pods = cpu_pods({100, 300, 500, 250, 250});
  set_unready(&pods, {3, 4});
  auto p = propose(spec(1, 100, {cpu(50)}), 5, pods);
  EXPECT_EQ(p.value, 30);
  EXPECT_EQ(p.replicas, 2);

  // TestReplicaCalcScaleDownIgnoreHotCpuPods: the same two pods freshly started instead -> 2.
  auto hot = cpu_pods({100, 300, 500, 250, 250});
  set_start(&hot, {{0, kCool}, {1, kCool}, {2, kCool}, {3, kHot}, {4, kHot}});
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 5, hot).replicas, 2);
}

TEST(HpaReplicaCalc, ScaleDownExcludeUnscheduledPods) {
  // TestReplicaCalcScaleDownExcludeUnscheduledPods: 4 pending pods are unready: 100m / 1000m
  // = 10 %, ratio 0.2, ceil(0.2 * 1) = 1.
  auto pods = cpu_pods({100, 0, 0, 0, 0});
  for (int i = 1; i < 5; ++i) {
    pods[static_cast<std::size_t>(i)].phase = PodSample::Phase::kPending;
    pods[static_cast<std::size_t>(i)].ready = false;
    pods[static_cast<std::size_t>(i)].has_metrics = false;
  }
  auto p = propose(spec(1, 100, {cpu(50)}), 5, pods);
  EXPECT_EQ(p.value, 10);
  EXPECT_EQ(p.replicas, 1);
}

TEST(HpaReplicaCalc, ScaleDownIgnoresFailedPods) {
  // TestReplicaCalcScaleDownIgnoresFailedPods: 5 running pods as in ScaleDown plus 2 failed: -> 3.
  auto pods = cpu_pods({100, 300, 500, 250, 250, 0, 0});
  pods[5].phase = pods[6].phase = PodSample::Phase::kTerminating;
  auto p = propose(spec(1, 100, {cpu(50)}), 5, pods);
  EXPECT_EQ(p.value, 28);
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, MissingMetrics) {
  // TestReplicaCalcMissingMetrics: 4 pods, 2 without metrics. (400 + 95)m / 2000m = 24 %,
  // ratio 0.24 < 1: missing pods count as 100 % of request: (400 + 95 + 1000 + 1000)m /
  // 4000m = 62 %, ratio 0.62, ceil(0.62 * 4) = ceil(2.48) = 3.
  auto pods = cpu_pods({400, 95});
  add_missing(&pods, 2);
  auto p = propose(spec(1, 100, {cpu(100)}), 4, pods);
  EXPECT_EQ(p.value, 24);
  EXPECT_EQ(p.missing_pods, 2);
  ASSERT_TRUE(p.recomputed_ratio);
  EXPECT_DOUBLE_EQ(*p.recomputed_ratio, 0.62);
  EXPECT_EQ(p.replicas, 3);
}

TEST(HpaReplicaCalc, MissingMetricsNoChange) {
  // TestReplicaCalcMissingMetricsNoChangeEq: 100 %, ratio exactly 1: missing pod not filled
  // in, recomputed ratio 1 -> 2.
  auto eq = cpu_pods({1000});
  add_missing(&eq, 1);
  EXPECT_EQ(propose(spec(1, 100, {cpu(100)}), 2, eq).replicas, 2);
  // TestReplicaCalcMissingMetricsNoChangeGt: 190 %, scale-up: missing pod at 0,
  // 1900m / 2000m = 95 %, ratio 0.95 within tolerance -> 2.
  auto gt = cpu_pods({1900});
  add_missing(&gt, 1);
  EXPECT_EQ(propose(spec(1, 100, {cpu(100)}), 2, gt).replicas, 2);
  // TestReplicaCalcMissingMetricsNoChangeLt: 60 %, scale-down: missing pod at 100 %,
  // 1600m / 2000m = 80 %, ratio 0.8, ceil(1.6) = 2 -> 2.
  auto lt = cpu_pods({600});
  add_missing(&lt, 1);
  EXPECT_EQ(propose(spec(1, 100, {cpu(100)}), 2, lt).replicas, 2);
}

TEST(HpaReplicaCalc, MissingMetricsWithUnreadyPods) {
  // TestReplicaCalcMissingMetricsUnreadyChange: pod 0 unready, pod 2 missing. Ready pod 1:
  // 45 %, ratio 0.9 (scale-down side): missing at 100 %: 1450m / 2000m = 72 %, ratio 1.44
  // flips the direction -> 3.
  auto a = cpu_pods({100, 450});
  add_missing(&a, 1);
  set_unready(&a, {0});
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 3, a).outcome, Outcome::kDirectionFlip);
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 3, a).replicas, 3);
  // TestReplicaCalcMissingMetricsHotCpuNoChange: the same with pod 0 hot instead -> 3.
  auto b = cpu_pods({100, 450});
  add_missing(&b, 1);
  set_start(&b, {{0, kHot}, {1, kCool}, {2, kCool}});
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 3, b).replicas, 3);
  // TestReplicaCalcMissingMetricsUnreadyScaleUp: pod 1 at 200 %, ratio 4: missing and
  // unready at 0: 2000m / 3000m = 66 %, ratio 1.32, ceil(3.96) = 4.
  auto c = cpu_pods({100, 2000});
  add_missing(&c, 1);
  set_unready(&c, {0});
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 3, c).replicas, 4);
  // TestReplicaCalcMissingMetricsHotCpuScaleUp: the same, pod 0 also hot -> 4.
  auto d = cpu_pods({100, 2000});
  add_missing(&d, 1);
  set_unready(&d, {0});
  set_start(&d, {{0, kHot}, {1, kCool}, {2, kCool}});
  d[0].ready = false;
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 3, d).replicas, 4);
  // TestReplicaCalcMissingMetricsUnreadyScaleDown: 4 pods, pod 0 unready, pod 3 missing.
  // 200m / 2000m = 10 %, ratio 0.2: unready left out, missing at 100 %:
  // 1200m / 3000m = 40 %, ratio 0.8, ceil(2.4) = 3.
  auto e = cpu_pods({100, 100, 100});
  add_missing(&e, 1);
  set_unready(&e, {0});
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 4, e).replicas, 3);
}

TEST(HpaReplicaCalc, DuringRollingUpdateWithMaxSurge) {
  // TestReplicaCalcDuringRollingUpdateWithMaxSurge: current 2, a surge pod without metrics:
  // 10 %, missing at 100 %: 1200m / 3000m = 40 %, ceil(0.4 * 3) = 2.
  auto pods = cpu_pods({100, 100});
  add_missing(&pods, 1);
  EXPECT_EQ(propose(spec(1, 100, {cpu(50)}), 2, pods).replicas, 2);
}

TEST(HpaReplicaCalc, NoUsableMetricsIsInvalid) {
  // TestReplicaCalcEmptyMetrics: no metrics at all -> an error; the controller keeps 4.
  std::vector<PodSample> pods;
  add_missing(&pods, 4);
  HpaDecision d = sync(spec(1, 10, {cpu(100)}), 4, pods);
  EXPECT_EQ(d.proposals.at(0).outcome, Outcome::kInvalid);
  EXPECT_EQ(d.path, HpaDecision::Path::kInvalidMetrics);
  EXPECT_EQ(d.desired, 4);
}

TEST(HpaReplicaCalc, ComputedToleranceAlgImplementation) {
  // TestReplicaCalcComputedToleranceAlgImplementation: 10 pods using 150m each of requests
  // that sum to 3000m (300m +/- jitter): utilization 50 %. requestedToUsed = 2;
  // target = 1 / (2 * (1 - 0.1)) + 0.01 = 0.5656 -> int32(56.56) = 56 %.
  // ratio 50/56 = 0.893 < 0.9: ceil(0.893 * 10) = ceil(8.93) = 9 (upstream: ceil(0.884 * 10)).
  std::vector<double> requests = {0.4, 0.2, 0.31, 0.29, 0.302, 0.298, 0.301, 0.299, 0.3, 0.3};
  std::vector<long long> used(10, 150);
  EXPECT_EQ(propose(spec(1, 1000, {cpu(56)}), 10, cpu_pods(used, requests)).replicas, 9);
  // target + 0.004 instead: int32(55.96) = 55 %, ratio 50/55 = 0.909 within tolerance -> 10.
  EXPECT_EQ(propose(spec(1, 1000, {cpu(55)}), 10, cpu_pods(used, requests)).replicas, 10);
}

TEST(HpaReplicaCalc, MemoryCountsUnreadyPods) {
  // Hand-computed (groupPods checks readiness only for CPU): 2 pods at 90 % of their memory
  // request, one never ready; target 60 %: both count, 90 %, ratio 1.5, ceil(1.5 * 2) = 3.
  // The same pods on CPU leave the unready one out on a scale-up: ratio 1.5 with it at 0:
  // 45 %, ratio 0.75 flips the direction -> 2.
  std::vector<PodSample> pods(2);
  for (auto& p : pods) p.memory_utilization = p.cpu_utilization = 0.9;
  pods[1].ready = false;
  EXPECT_EQ(propose(spec(1, 10, {memory(60)}), 2, pods).replicas, 3);
  EXPECT_EQ(propose(spec(1, 10, {cpu(60)}), 2, pods).replicas, 2);
}

TEST(HpaReplicaCalc, UnreadyAfterInitializationCountsIfOnceReady) {
  // Hand-computed from groupPods: after the CPU initialization period an unready pod is
  // left out only if it has never been ready (last transition within 10s of its start).
  // Two pods at 80 %, target 50 %; pod 1 went unready 1m after starting (it was ready):
  // it counts -> 80 %, ratio 1.6, ceil(3.2) = 4. If its last transition was 5s after start
  // (never ready), it is left out and counts 0 on the scale-up: 40 %, ratio 0.8 flips -> 2.
  std::vector<PodSample> pods(2);
  for (auto& p : pods) p.cpu_utilization = 0.8;
  pods[1].ready = false;
  pods[1].ready_transition_time = 60;
  EXPECT_EQ(propose(spec(1, 10, {cpu(50)}), 2, pods).replicas, 4);
  pods[1].ready_transition_time = 5;
  EXPECT_EQ(propose(spec(1, 10, {cpu(50)}), 2, pods).replicas, 2);
}

TEST(HpaReplicaCalc, HugeQuantitiesDoNotOverflow) {
  // Hand-computed: 1000 pods of 1 TiB memory request each using 5000 % of it. In milli-bytes
  // the sum is 1000 * 50 * 2^40 * 1000 = 5.5e19, beyond int64 (the controller falls back to
  // big integers there); utilization = 5000 %, target 80 %: ratio 62.5, ceil(62500) -> max 1000.
  std::vector<PodSample> pods(1000);
  for (auto& p : pods) {
    p.memory_request = 1099511627776.0;
    p.memory_utilization = 50;
  }
  HpaDecision d = sync(spec(1, 1000, {memory(80)}), 1000, pods);
  EXPECT_EQ(d.proposals[0].value, 5000);
  EXPECT_EQ(d.proposals[0].replicas, 62500);
  EXPECT_EQ(d.desired, 1000);
}

// ---- the controller: min/max, several metrics, older normalization ------------------------

TEST(HpaController, ScaleUp) {
  // TestScaleUp: min 2, max 6, as TestReplicaCalcScaleUp -> 5. No behavior: block, so the
  // cap is max(2 * 3, 4) = 6, not binding.
  HpaDecision d = sync(spec(2, 6, {cpu(30)}), 3, cpu_pods({300, 500, 700}));
  EXPECT_TRUE(d.legacy);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.limit, HpaLimit::kDesiredWithinRange);
}

TEST(HpaController, ScaleDown) {
  // TestScaleDown: min 2, max 6, recommendations [] -> 3.
  HpaDecision d = sync(spec(2, 6, {cpu(50)}), 5, cpu_pods({100, 300, 500, 250, 250}));
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.stabilization, "ReadyForNewScale");
}

TEST(HpaController, Tolerance) {
  // TestTolerance: as TestReplicaCalcTolerance, min 1, max 5 -> 3.
  HpaDecision d = sync(spec(1, 5, {cpu(100)}), 3, cpu_pods({1010, 1030, 1020}, {0.9, 1.0, 1.1}));
  EXPECT_EQ(d.desired, 3);
  EXPECT_FALSE(d.rescale());
}

TEST(HpaController, MinReplicas) {
  // TestMinReplicas: 115m / 3000m = 3 %, ratio 3/90 = 0.033, ceil(0.1) = 1 < min 2 -> 2.
  HpaDecision d = sync(spec(2, 5, {cpu(90)}), 3, cpu_pods({10, 95, 10}, {0.9, 1.0, 1.1}));
  EXPECT_EQ(d.metric_replicas, 1);
  EXPECT_EQ(d.desired, 2);
  EXPECT_EQ(d.limit, HpaLimit::kTooFewReplicas);
}

TEST(HpaController, CurrentOutsideMinMax) {
  // TestScaleUpRCImmediately: current 1 < min 2 -> 2 without looking at metrics.
  HpaDecision up = sync(spec(2, 6, {cpu(50)}), 1, cpu_pods({0, 0, 0, 0}));
  EXPECT_EQ(up.path, HpaDecision::Path::kBelowMin);
  EXPECT_EQ(up.desired, 2);
  EXPECT_TRUE(up.proposals.empty());
  // TestScaleDownRCImmediately: current 6 > max 5 -> 5.
  HpaDecision down = sync(spec(2, 5, {cpu(50)}), 6, cpu_pods({8000, 9500, 1000}, {0.9, 1.0, 1.1}));
  EXPECT_EQ(down.path, HpaDecision::Path::kAboveMax);
  EXPECT_EQ(down.desired, 5);
}

TEST(HpaController, MaxReplicas) {
  // TestScaleUpHotCpuNoScaleWouldScaleDown: qps 31666m average vs 15000m, ratio 2.111,
  // ceil(6.33) = 7 > max 6 -> 6 (TooManyReplicas; the 2x cap max(6, 4) = 6 is not below max).
  auto pods = rps_pods({50000, 15000, 30000});
  set_start(&pods, {{0, kHot}, {1, kCool}, {2, kHot}});
  HpaDecision d = sync(spec(2, 6, {rps(15)}), 3, pods);
  EXPECT_EQ(d.metric_replicas, 7);
  EXPECT_EQ(d.desired, 6);
  EXPECT_EQ(d.limit, HpaLimit::kTooManyReplicas);
}

TEST(HpaController, MultipleMetricsTakeTheLargest) {
  // TestNoBackoffUpscaleCMNoBackoffCpu: CPU target 10 % with 20, 10 and 30 cores used of
  // 1-core requests: 2000 %, ratio 200 -> 600; qps 20/10/30 vs 15 -> 4. The largest (CPU)
  // wins and max 5 limits it -> 5.
  auto pods = cpu_pods({20000, 10000, 30000});
  for (std::size_t i = 0; i < 3; ++i) pods[i].rps = pods[i].cpu_utilization;
  HpaDecision d = sync(spec(1, 5, {cpu(10), rps(15)}), 3, pods);
  ASSERT_EQ(d.proposals.size(), 2u);
  EXPECT_EQ(d.proposals[0].replicas, 600);
  EXPECT_EQ(d.proposals[1].replicas, 4);
  EXPECT_EQ(d.metric_index, 0);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.limit, HpaLimit::kTooManyReplicas);

  // Hand-computed: here the custom metric is the larger one. CPU 60 % vs 50 %: ceil(1.2 * 4)
  // = 5; rps 30 vs 20: ceil(1.5 * 4) = 6 -> 6 (cap max(8, 4) = 8).
  std::vector<PodSample> four(4);
  for (auto& p : four) {
    p.cpu_utilization = 0.6;
    p.rps = 30;
  }
  HpaDecision e = sync(spec(1, 10, {cpu(50), rps(20)}), 4, four);
  EXPECT_EQ(e.proposals[0].replicas, 5);
  EXPECT_EQ(e.proposals[1].replicas, 6);
  EXPECT_EQ(e.desired, 6);
}

TEST(HpaController, OneMetricInvalid) {
  // TestScaleUpOneMetricInvalid: one metric fails, the other scales up -> the scale-up
  // happens. Here CPU fails because every pod is hot (unready for CPU) and qps still works:
  // 20/10/30 vs 10 -> ratio 2, ceil(6) = 6.
  auto pods = rps_pods({20000, 10000, 30000});
  set_start(&pods, {{0, kHot}, {1, kHot}, {2, kHot}});
  for (auto& p : pods) p.cpu_utilization = 0.5;
  HpaDecision up = sync(spec(1, 10, {cpu(50), rps(10)}), 3, pods);
  EXPECT_EQ(up.proposals[0].outcome, Outcome::kInvalid);
  EXPECT_EQ(up.path, HpaDecision::Path::kNormal);
  EXPECT_EQ(up.desired, 6);
  // TestScaleDownOneMetricInvalid: the working metric would scale down -> no change.
  // qps 3 per pod vs 10: ceil(0.3 * 3) = 1 < 3.
  for (auto& p : pods) p.rps = 3;
  HpaDecision down = sync(spec(1, 10, {cpu(50), rps(10)}), 3, pods);
  EXPECT_EQ(down.path, HpaDecision::Path::kInvalidMetrics);
  EXPECT_EQ(down.desired, 3);
}

TEST(HpaController, LegacyScaleUpCap) {
  // TestConvertDesiredReplicasWithRules "scaleUpLimit is the limit because scaleUpLimit <
  // maxReplicas": 3 pods at 333333m -> 33333 %, ratio 333.33, ceil(1000) = 1000; without a
  // behavior: block the cap is max(2 * 3, 4) = 6 -> 6 (ScaleUpLimit).
  HpaDecision d = sync(spec(1, 2000, {cpu(100)}), 3, cpu_pods({333333, 333333, 333333}));
  EXPECT_EQ(d.metric_replicas, 1000);
  EXPECT_EQ(d.desired, 6);
  EXPECT_EQ(d.limit, HpaLimit::kScaleUpLimit);
}

TEST(HpaController, LegacyStabilization) {
  // TestNormalizeDesiredReplicas "stabilize" (the issue's stabilization case): earlier
  // recommendations 4 (2m ago) and 5 (1m ago), new one 3 -> the highest, 5.
  HpaHistory h = synced();
  h.recommendations = {{kNow - 120, 4}, {kNow - 60, 5}};
  HpaDecision d = evaluate_hpa(spec(1, 10, {cpu(50)}), kNow, 5, cpu_pods({100, 300, 500, 250, 250}), &h);
  EXPECT_EQ(d.metric_replicas, 3);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.stabilization, "ScaleDownStabilized");
  EXPECT_EQ(h.recommendations.size(), 3u);  // expectedLogLength 3
  // "no stabilize - old recommendations": 10 (10m ago) and 9 (9m ago) are outside the 5m
  // window -> 3; the last old slot is reused: expectedLogLength 2.
  HpaHistory old = synced();
  old.recommendations = {{kNow - 600, 10}, {kNow - 540, 9}};
  HpaDecision e = evaluate_hpa(spec(1, 10, {cpu(50)}), kNow, 5, cpu_pods({100, 300, 500, 250, 250}), &old);
  EXPECT_EQ(e.desired, 3);
  EXPECT_EQ(old.recommendations.size(), 2u);
  EXPECT_EQ(old.recommendations[1].replicas, 3);
}

TEST(HpaController, StabilizeDownscale) {
  // TestStabilizeDownscale: 3 pods at 50m of 100m requests, target 100 %: 50 %, ratio 0.5,
  // ceil(1.5) = 2; recommendations 10 (10m ago, outside) and 4 (1m ago) -> 4 = current.
  HpaHistory h = synced();
  h.recommendations = {{kNow - 600, 10}, {kNow - 60, 4}};
  HpaDecision d = evaluate_hpa(spec(1, 5, {cpu(100)}), kNow, 4, cpu_pods({50, 50, 50}, {0.1, 0.1, 0.1}), &h);
  EXPECT_EQ(d.metric_replicas, 2);
  EXPECT_EQ(d.desired, 4);
  EXPECT_EQ(d.stabilization, "ScaleDownStabilized");
}

TEST(HpaController, FirstSyncNeverScalesDown) {
  // TestScaleDownStabilizeInitialSize: no recommendations yet (nil): the controller first
  // records the current 5, which then stabilizes the proposal 3 -> 5.
  HpaHistory h;  // not initialized
  HpaDecision d = evaluate_hpa(spec(2, 6, {cpu(50)}), kNow, 5, cpu_pods({100, 300, 500, 250, 250}), &h);
  EXPECT_EQ(d.metric_replicas, 3);
  EXPECT_EQ(d.desired, 5);
  EXPECT_TRUE(h.initialized);
  // The same with a behavior: block: the recorded 5 is in the 300s scale-down window -> 5.
  HpaHistory h2;
  EXPECT_EQ(
      evaluate_hpa(with_behavior(spec(2, 6, {cpu(50)})), kNow, 5, cpu_pods({100, 300, 500, 250, 250}), &h2).desired, 5);
}

// ---- behavior: stabilization windows and policies -----------------------------------------

// n pods whose CPU gives the proposal `desired` at target 100 %: each at desired/n cores.
std::vector<PodSample> pods_asking_for(int n, int desired) {
  return cpu_pods(std::vector<long long>(static_cast<std::size_t>(n), 1000LL * desired / n));
}

TEST(HpaBehavior, DefaultScaleUpPolicies) {
  // TestScalingWithRules "scaleUp with default behavior" (the issue's case): 10 -> 50 with
  // the API defaults, 4 pods or 100 % per 15s, Max: max(10 + 4, ceil(10 * 2)) = 20.
  HpaDecision d = sync(with_behavior(spec(1, 1000, {cpu(100)})), 10, pods_asking_for(10, 50));
  EXPECT_EQ(d.metric_replicas, 50);
  EXPECT_EQ(d.desired, 20);
  EXPECT_EQ(d.limit, HpaLimit::kScaleUpLimit);
}

TEST(HpaBehavior, ScaleDownPercentPolicyLargerThanPodPolicy) {
  // TestScalingWithRules "scaleDown with percent policy larger than pod policy" (the issue's
  // case): 20 pods or 1 % per 60s, Max, from 100 toward 2: pods -> 80, percent ->
  // trunc(100 * 0.99) = 99; Max = the biggest change -> 80.
  HpaDecision d =
      sync(with_behavior(spec(1, 1000, {cpu(100)}), {}, rules(20, 60, 1, 60, 300)), 100, pods_asking_for(100, 2));
  EXPECT_EQ(d.metric_replicas, 2);
  EXPECT_EQ(d.desired, 80);
  EXPECT_EQ(d.limit, HpaLimit::kScaleDownLimit);
  // "scaleDown with pod policy larger than percent policy": 2 pods or 1 % -> min(98, 99) = 98.
  HpaDecision e =
      sync(with_behavior(spec(1, 1000, {cpu(100)}), {}, rules(2, 60, 1, 60, 300)), 100, pods_asking_for(100, 2));
  EXPECT_EQ(e.desired, 98);
}

TEST(HpaBehavior, PoliciesCountPreviousEvents) {
  // generateEventsUniformDistribution([1, 5, 9], 120): events 100s, 60s and 20s ago.
  auto events = [](std::vector<int> changes, double period) {
    std::vector<HpaScaleEvent> out;
    double seg = period / static_cast<double>(changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) {
      out.push_back(HpaScaleEvent{kNow - (period - seg * static_cast<double>(i + 1) + seg / 2), changes[i], false});
    }
    return out;
  };
  // "scaleUp with pod policy and previous scale up events": 150 pods per 120s, 15 added in
  // the period: start 100 - 15 = 85 -> 235.
  HpaHistory h = synced();
  h.scale_up_events = events({1, 5, 9}, 120);
  HpaDecision a = evaluate_hpa(with_behavior(spec(1, 1000, {cpu(100)}), rules(150, 120, 0, 0, 0)), kNow, 100,
                               pods_asking_for(100, 500), &h);
  EXPECT_EQ(a.desired, 235);
  EXPECT_EQ(a.limit, HpaLimit::kScaleUpLimit);
  // "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent
  // scale up events": 5 pods per 120s: 85 + 5 = 90 < 100 -> stay at 100 (ScaleUpLimit).
  h = synced();
  h.scale_up_events = events({1, 5, 9}, 120);
  HpaDecision b = evaluate_hpa(with_behavior(spec(1, 1000, {cpu(100)}), rules(5, 120, 0, 0, 0)), kNow, 100,
                               pods_asking_for(100, 500), &h);
  EXPECT_EQ(b.desired, 100);
  EXPECT_EQ(b.limit, HpaLimit::kScaleUpLimit);
  // "scaleUp with percent policy and previous scale up and down events": +4 and -2 60s ago,
  // 300 % per 300s: start 6 - 4 + 2 = 4, ceil(4 * 4) = 16 (toward 24).
  h = synced();
  h.scale_up_events = events({4}, 120);
  h.scale_down_events = events({2}, 120);
  HpaDecision c = evaluate_hpa(with_behavior(spec(1, 1000, {cpu(100)}), rules(0, 0, 300, 300, 0)), kNow, 6,
                               pods_asking_for(6, 24), &h);
  EXPECT_EQ(c.metric_replicas, 24);
  EXPECT_EQ(c.desired, 16);
  // "scaleDown with percent policy limitation and previous events": 2 + 4 + 6 removed in
  // 120s, 50 % per 120s: trunc(112 * 0.5) = 56 (toward 0).
  h = synced();
  h.scale_down_events = events({2, 4, 6}, 120);
  HpaDecision d = evaluate_hpa(with_behavior(spec(1, 1000, {cpu(100)}), {}, rules(0, 0, 50, 120, 300)), kNow, 100,
                               pods_asking_for(100, 0), &h);
  EXPECT_EQ(d.metric_replicas, 0);
  EXPECT_EQ(d.desired, 56);
  EXPECT_EQ(d.limit, HpaLimit::kScaleDownLimit);
  // "scaleDown with previous events preventing further scale down": 30 removed, 10 % per
  // 120s: trunc(130 * 0.9) = 117 > 100 -> stay at 100 (ScaleDownLimit).
  h = synced();
  h.scale_down_events = events({10, 10, 10}, 120);
  HpaDecision e = evaluate_hpa(with_behavior(spec(1, 1000, {cpu(100)}), {}, rules(0, 0, 10, 120, 300)), kNow, 100,
                               pods_asking_for(100, 0), &h);
  EXPECT_EQ(e.desired, 100);
  EXPECT_EQ(e.limit, HpaLimit::kScaleDownLimit);
}

TEST(HpaBehavior, SelectMinAndDisabled) {
  // TestCalculateScaleUpLimitWithScalingRules: Min of 2 pods and 50 % per 60s from 1:
  // min(3, ceil(1.5) = 2) = 2 (toward 10).
  HpaDecision up = sync(with_behavior(spec(1, 100, {cpu(100)}), rules(2, 60, 50, 60, 300, HpaRules::Select::kMin)), 1,
                        pods_asking_for(1, 10));
  EXPECT_EQ(up.desired, 2);
  EXPECT_EQ(up.limit, HpaLimit::kScaleUpLimit);
  // TestCalculateScaleDownLimitWithBehaviors: Min from 5: max(5 - 2, trunc(2.5)) = 3.
  HpaDecision down =
      sync(with_behavior(spec(1, 100, {cpu(100)}), {}, rules(2, 60, 50, 60, 300, HpaRules::Select::kMin)), 5,
           pods_asking_for(5, 0));
  EXPECT_EQ(down.desired, 3);
  EXPECT_EQ(down.limit, HpaLimit::kScaleDownLimit);
  // Hand-computed: select Disabled returns the current count as the limit: 3 pods at 100 %
  // of a 50 % target ask for 6, scale-up disabled -> 3 (ScaleUpLimit); scale-down still works.
  HpaRules disabled;
  disabled.select = HpaRules::Select::kDisabled;
  HpaDecision off = sync(with_behavior(spec(1, 10, {cpu(50)}), disabled), 3, cpu_pods({1000, 1000, 1000}));
  EXPECT_EQ(off.metric_replicas, 6);
  EXPECT_EQ(off.desired, 3);
  EXPECT_EQ(off.limit, HpaLimit::kScaleUpLimit);
  HpaDecision still = sync(with_behavior(spec(1, 10, {cpu(50)}), disabled), 3, cpu_pods({100, 100, 100}));
  EXPECT_EQ(still.desired, 1);  // 10 %, ratio 0.2, ceil(0.6) = 1
}

TEST(HpaBehavior, StabilizationWindows) {
  HpaHistory h = synced();
  // TestNormalizeDesiredReplicasWithBehavior "simple scale up stabilization": recommendations
  // 4 and 5, 300s scale-up window, from 1 toward 7: the lowest in the window, 4 (the default
  // policies allow max(1 + 4, 2) = 5).
  h.recommendations = {{kNow - 120, 4}, {kNow - 60, 5}};
  HpaDecision a =
      evaluate_hpa(with_behavior(spec(1, 100, {cpu(100)}), rules(0, 0, 0, 0, 300)), kNow, 1, pods_asking_for(1, 7), &h);
  EXPECT_EQ(a.desired, 4);
  EXPECT_EQ(a.stabilization, "ScaleUpStabilized");
  // "simple scale down stabilization": 180s scale-down window, from 100 toward 3 -> 5; the
  // stored recommendations become {4, 5, 3}.
  h = synced();
  h.recommendations = {{kNow - 120, 4}, {kNow - 60, 5}};
  HpaDecision b = evaluate_hpa(with_behavior(spec(1, 100, {cpu(100)}), {}, rules(0, 0, 0, 0, 180)), kNow, 100,
                               pods_asking_for(100, 3), &h);
  EXPECT_EQ(b.stabilized, 5);
  EXPECT_EQ(b.desired, 5);
  ASSERT_EQ(h.recommendations.size(), 3u);
  EXPECT_EQ(h.recommendations[2].replicas, 3);
  // "scale up and down stabilization, do not scale up when prenormalized rec goes down":
  // windows 300/300, {2 (100m ago), 3 (3m ago)}, current 2, proposal 1 -> 2.
  h = synced();
  h.recommendations = {{kNow - 6000, 2}, {kNow - 180, 3}};
  HpaDecision c = evaluate_hpa(with_behavior(spec(1, 100, {cpu(100)}), rules(0, 0, 0, 0, 300), rules(0, 0, 0, 0, 300)),
                               kNow, 2, pods_asking_for(2, 1), &h);
  EXPECT_EQ(c.desired, 2);
  // "... do not scale down when prenormalized rec goes up": {2, 1 (3m ago)}, proposal 3 -> 2.
  h = synced();
  h.recommendations = {{kNow - 6000, 2}, {kNow - 180, 1}};
  HpaDecision e = evaluate_hpa(with_behavior(spec(1, 100, {cpu(100)}), rules(0, 0, 0, 0, 300), rules(0, 0, 0, 0, 300)),
                               kNow, 2, pods_asking_for(2, 3), &h);
  EXPECT_EQ(e.desired, 2);
}

TEST(HpaBehavior, ScaleDownWithScalingRules) {
  // TestScaleDownWithScalingRules: only scale-up rules given (100 % per 15s, window 30s);
  // scale-down takes the defaults -> 5 toward 3 with nothing in the window -> 3.
  HpaDecision d =
      sync(with_behavior(spec(2, 6, {cpu(50)}), rules(0, 0, 100, 15, 30)), 5, cpu_pods({100, 300, 500, 250, 250}));
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.limit, HpaLimit::kDesiredWithinRange);
}

TEST(HpaBehavior, ScaleEventsAreStored) {
  // TestStoreScaleEvents "one outdated entry to be replaced with behavior": a +7 event 61s
  // ago is outdated for 60s policies; the new +5 takes its slot.
  HpaHistory h = synced();
  h.scale_up_events = {{kNow - 61, 7, false}};
  HpaSpec s = with_behavior(spec(1, 100, {cpu(100)}), rules(10, 60, 100, 60, 0));
  HpaDecision d = evaluate_hpa(s, kNow, 10, pods_asking_for(10, 15), &h);
  EXPECT_EQ(d.desired, 15);
  ASSERT_EQ(h.scale_up_events.size(), 1u);
  EXPECT_EQ(h.scale_up_events[0].change, 5);
  EXPECT_DOUBLE_EQ(h.scale_up_events[0].time, kNow);
  // Without a behavior: block nothing is stored ("empty entries with default behavior").
  HpaHistory none = synced();
  evaluate_hpa(spec(1, 100, {cpu(100)}), kNow, 10, pods_asking_for(10, 15), &none);
  EXPECT_TRUE(none.scale_up_events.empty());
}

// ---- one decision changed by each mechanism ------------------------------------------------

TEST(HpaDecisions, ToleranceBandChangesTheDecision) {
  // Hand-computed: 4 pods, target 50 %. At 550m each: 55 %, ratio 1.1, on the band's edge
  // (inclusive) -> no change. At 560m: 56 %, ratio 1.12 -> ceil(4.48) = 5.
  HpaSpec s = spec(1, 10, {cpu(50)});
  EXPECT_EQ(sync(s, 4, cpu_pods({550, 550, 550, 550})).desired, 4);
  EXPECT_EQ(sync(s, 4, cpu_pods({560, 560, 560, 560})).desired, 5);
  // The lower edge: 45 %, ratio 0.9 -> no change (inclusive); 35 %, ratio 0.7 -> ceil(2.8) = 3.
  EXPECT_EQ(sync(s, 4, cpu_pods({450, 450, 450, 450})).proposals[0].outcome, Outcome::kWithinTolerance);
  EXPECT_EQ(sync(s, 4, cpu_pods({350, 350, 350, 350})).desired, 3);
}

TEST(HpaDecisions, StabilizationWindowChangesTheDecision) {
  // Hand-computed, default behavior (scale-down window 300s): 5 pods at 28 % ask for 3.
  // Nothing remembered -> 3. A recommendation of 5 one minute ago -> 5. The same 5 exactly
  // 300s ago is outside the window (time > now - 300 is required) -> 3.
  HpaSpec s = with_behavior(spec(1, 10, {cpu(50)}));
  auto pods = cpu_pods({100, 300, 500, 250, 250});
  EXPECT_EQ(sync(s, 5, pods).desired, 3);
  HpaHistory recent = synced();
  recent.recommendations = {{kNow - 60, 5}};
  HpaDecision held = sync(s, 5, pods, recent);
  EXPECT_EQ(held.desired, 5);
  EXPECT_EQ(held.stabilization, "ScaleDownStabilized");
  HpaHistory edge = synced();
  edge.recommendations = {{kNow - 300, 5}};
  EXPECT_EQ(sync(s, 5, pods, edge).desired, 3);
}

TEST(HpaDecisions, PolicyLimitChangesTheDecision) {
  // TestScalingWithRules "scaleUp with spec MaxReplicas limitation with large pod policy":
  // 100 pods per 60s lets 10 -> 50 through (DesiredWithinRange) where the defaults stop at 20.
  HpaDecision free =
      sync(with_behavior(spec(1, 1000, {cpu(100)}), rules(100, 60, 0, 0, 0)), 10, pods_asking_for(10, 50));
  EXPECT_EQ(free.desired, 50);
  EXPECT_EQ(free.limit, HpaLimit::kDesiredWithinRange);
  // "scaleUp with pod policy limitation": 30 pods per 60s -> 40.
  HpaDecision capped =
      sync(with_behavior(spec(1, 1000, {cpu(100)}), rules(30, 60, 0, 0, 0)), 10, pods_asking_for(10, 50));
  EXPECT_EQ(capped.desired, 40);
  // "scaleUp with percent policy limitation": 200 % per 60s -> ceil(10 * 3) = 30.
  HpaDecision percent =
      sync(with_behavior(spec(1, 1000, {cpu(100)}), rules(0, 0, 200, 60, 0)), 10, pods_asking_for(10, 50));
  EXPECT_EQ(percent.desired, 30);
  EXPECT_EQ(percent.limit, HpaLimit::kScaleUpLimit);
}

// ---- a step in load, synced every 15s (the pure half of the timeline check) ---------------

TEST(HpaTimeline, StepInLoad) {
  // Two pods of 1 core each serve a CPU demand of 1 core that doubles to 2 cores at t=60s;
  // the demand is split evenly over the ready pods and every metric sample is the
  // utilization at the sync (no averaging, so the table below can be computed by hand).
  // HPA: min 2, max 10, CPU 50 %, tolerance 0.1, CPU initialization 5m, metric window 60s,
  // scale-up policy 1 pod per 60s. A new pod starts at the decision and is ready 40s later.
  //
  //   t    ready  proposal                                               desired
  //   0    2      1c/2 = 50 %, ratio 1.0 (first sync)                      2
  //  15-45 2      same                                                     2
  //  60    2      2c/2 = 100 %, ratio 2, ceil(4) = 4; 1 pod/60s: 2+1      3  (ScaleUpLimit)
  //  75    2      p3 unready at 0: 2000m/3000m = 66 %, 1.32, ceil(3.96)=4; 3  (+1 at 60 in period: 2+1)
  //  90    2      same                                                     3
  // 105    3      p3 ready at 100 but its metric window ends at 160: left out;
  //               p1,p2 667m: 66 %, 1.32; p3 at 0: 1334m/3000m = 44 %, 0.88 flips  3
  // 120-150 3     same (the event at 60 leaves the period at 120)         3
  // 165    3      p3 counts: 2001m/3000m = 66 %, 1.32, ceil(3.96) = 4; 3+1 allowed  4
  // 180,195 3     p4 unready at 0: 2001m/4000m = 50 %, ratio 1.0          4
  // 210-255 4     p4 ready at 205, left out until 265: p1-p3 500m: 50 %   4
  // 270-300 4     all four at 50 %                                         4
  struct Row {
    double t;
    int ready, desired;
  };
  const std::vector<Row> expected = {
      {0, 2, 2},   {15, 2, 2},  {30, 2, 2},  {45, 2, 2},  {60, 2, 3},  {75, 2, 3},  {90, 2, 3},
      {105, 3, 3}, {120, 3, 3}, {135, 3, 3}, {150, 3, 3}, {165, 3, 4}, {180, 3, 4}, {195, 3, 4},
      {210, 4, 4}, {225, 4, 4}, {240, 4, 4}, {255, 4, 4}, {270, 4, 4}, {285, 4, 4}, {300, 4, 4},
  };
  HpaSpec s;
  s.min = 2;
  s.max = 10;
  s.metrics = {cpu(50)};
  s.behavior_given = true;
  s.scale_up.policies = {HpaPolicy{HpaPolicy::Type::kPods, 1, 60}};
  HpaController hpa(s);

  struct Pod {
    double start, ready_at;
  };
  std::vector<Pod> pods = {{-1000, -1000}, {-1000, -1000}};
  const double boot = 40;
  for (const Row& row : expected) {
    const double t = row.t;
    const double demand = t < 60 ? 1.0 : 2.0;
    int ready = 0;
    for (const Pod& p : pods) ready += t >= p.ready_at ? 1 : 0;
    std::vector<PodSample> samples;
    for (const Pod& p : pods) {
      PodSample x;
      x.start_time = p.start;
      x.ready = t >= p.ready_at;
      x.ready_transition_time = x.ready ? p.ready_at : p.start;
      x.cpu_utilization = x.ready ? demand / ready : 0;
      samples.push_back(x);
    }
    HpaDecision d = hpa.evaluate(t, static_cast<int>(pods.size()), samples);
    EXPECT_EQ(ready, row.ready) << "t=" << t;
    EXPECT_EQ(d.desired, row.desired) << "t=" << t << ": " << d.reason;
    while (static_cast<int>(pods.size()) < d.desired) pods.push_back({t, t + boot});
    while (static_cast<int>(pods.size()) > d.desired) pods.pop_back();
  }
  // The two scale-ups were remembered as +1 events (the first one reused as outdated).
  ASSERT_FALSE(hpa.history().scale_up_events.empty());
  EXPECT_DOUBLE_EQ(hpa.history().scale_up_events.back().time, 165);
}

// ---- the state files of `infrasim autoscale` ----------------------------------------------

TEST(HpaStateFile, EvaluatesLikeTheController) {
  // The issue's policy case written as a state file: 100 pods at 2 % of a 100 % target ask
  // for ceil(0.02 * 100) = 2; 20 pods or 1 % per 60s (Max) -> 80.
  core::Diagnostics diags;
  auto state = scenario::parse_autoscale_state("state.yaml", R"(
hpa:
  min: 1
  max: 1000
  metrics: [{cpu: 100%}]
  behavior:
    scale_down:
      stabilization: 5m
      policies: [{pods: 20, period: 60s}, {percent: 1, period: 60s}]
now: 1h
replicas: 100
pods:
  - {count: 100, cpu: 2%}
recommendations: []
)",
                                               diags);
  ASSERT_TRUE(state) << diags.format();
  HpaHistory after;
  HpaDecision d = evaluate_autoscale_state(*state, &after);
  EXPECT_EQ(d.metric_replicas, 2);
  EXPECT_EQ(d.desired, 80);
  ASSERT_EQ(after.scale_down_events.size(), 1u);
  EXPECT_EQ(after.scale_down_events[0].change, 20);
}

}  // namespace
}  // namespace sim::model
