#include "sim/model/hpa.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/source.h"
#include "sim/core/units.h"

namespace sim::model {
namespace {

using scenario::HpaMetric;
using scenario::HpaPolicy;
using scenario::HpaRules;
using scenario::HpaSpec;

// Larger proposals are clamped here instead of overflowing int (the controller uses int32).
constexpr double kMaxReplicas = 1e9;

bool is_resource(HpaMetric::Type t) { return t == HpaMetric::Type::kCpu || t == HpaMetric::Type::kMemory; }

const char* metric_key(HpaMetric::Type t) {
  switch (t) {
    case HpaMetric::Type::kCpu: return "cpu";
    case HpaMetric::Type::kMemory: return "memory";
    case HpaMetric::Type::kRps: return "rps";
    case HpaMetric::Type::kLatency: return "latency_p99";
    case HpaMetric::Type::kQueueLength: return "queue_length";
  }
  return "?";
}

// Tolerances.isWithin (horizontal.go since 1.33; before, |1 - ratio| <= tolerance, which
// differs only in the last bit at the band's edges).
bool within_tolerance(double ratio, double tolerance) {
  return (1.0 - tolerance) <= ratio && ratio <= (1.0 + tolerance);
}

// Quantities reach the controller as milli-values (resource.Quantity.MilliValue()).
// Clamped so that absurd inputs cannot overflow; sums are taken in 128 bits, as the
// controller falls back to big integers when an int64 sum would overflow.
long long to_milli(double v) {
  double x = v * 1000.0;
  if (!(x > -9e18)) x = -9e18;  // also NaN
  if (x > 9e18) x = 9e18;
  return std::llround(x);
}

__extension__ typedef __int128 Int128;

long long clamp_to_int64(Int128 v) {
  if (v > static_cast<Int128>(LLONG_MAX)) return LLONG_MAX;
  if (v < static_cast<Int128>(LLONG_MIN)) return LLONG_MIN;
  return static_cast<long long>(v);
}

int ceil_replicas(double x) { return static_cast<int>(std::min(std::ceil(x), kMaxReplicas)); }

// The value as written in the spec's unit: "55%", "12/s", "250ms", "3.5".
std::string value_text(HpaMetric::Type t, long long value) {
  double v = static_cast<double>(value) / 1000.0;
  switch (t) {
    case HpaMetric::Type::kCpu:
    case HpaMetric::Type::kMemory: return fmt::format("{}%", value);
    case HpaMetric::Type::kRps: return core::format_rate(v);
    case HpaMetric::Type::kLatency: return core::format_duration(v);
    case HpaMetric::Type::kQueueLength: return core::format_number(v, 6);
  }
  return "?";
}

std::string pods_text(int n, const char* what) { return fmt::format("{} {} pod{}", n, what, n == 1 ? "" : "s"); }

// groupPods: the controller's split of the pod list.
enum class Group { kReady, kUnready, kMissing, kIgnored };

Group group_pod(const HpaSpec& spec, const PodSample& pod, bool cpu, double now) {
  if (pod.phase == PodSample::Phase::kTerminating) return Group::kIgnored;
  if (pod.phase == PodSample::Phase::kPending) return Group::kUnready;
  if (!pod.has_metrics) return Group::kMissing;
  if (!cpu) return Group::kReady;  // memory and custom metrics do not look at readiness
  bool unready;
  if (pod.start_time + spec.cpu_initialization_period > now) {
    // Still initializing: the sample counts only if the pod is ready and a whole
    // metric window has passed since it became ready (CPU spikes during start-up).
    double metric_time = pod.metric_time.value_or(now);
    unready = !pod.ready || metric_time < pod.ready_transition_time + spec.metric_window;
  } else {
    // Later: an unready pod is left out only if it has never been ready.
    unready = !pod.ready && pod.start_time + spec.initial_readiness_delay > pod.ready_transition_time;
  }
  return unready ? Group::kUnready : Group::kReady;
}

struct PodValue {
  std::size_t pod;
  long long value;
};

struct Usage {
  bool ok = false;
  long long value = 0;  // utilization percent or average milli-value
  double ratio = 0;
};

// GetResourceUtilizationRatio / GetMetricUsageRatio: integer arithmetic as the controller does it.
Usage usage_ratio(bool resource, const std::vector<PodValue>& values, const std::vector<long long>& requests,
                  long long target) {
  Usage u;
  Int128 total = 0, requested = 0;
  for (const PodValue& v : values) {
    total += v.value;
    if (resource) requested += requests[v.pod];
  }
  if (resource) {
    if (requested <= 0) return u;
    u.value = clamp_to_int64((total * 100) / requested);
  } else {
    if (values.empty()) return u;
    u.value = clamp_to_int64(total / static_cast<Int128>(values.size()));
  }
  u.ok = true;
  u.ratio = static_cast<double>(u.value) / static_cast<double>(target);
  return u;
}

std::string ratio_text(double r) { return fmt::format("{:.3f}", r); }

// ---- behavior ------------------------------------------------------------

// getReplicasChangePerPeriod: events strictly younger than the period.
int change_in_period(double period, const std::vector<HpaScaleEvent>& events, double now) {
  double cutoff = now - period;
  int sum = 0;
  for (const HpaScaleEvent& e : events) {
    if (e.time > cutoff) sum += e.change;
  }
  return sum;
}

std::string policy_text(const HpaPolicy& p) {
  return p.type == HpaPolicy::Type::kPods ? fmt::format("{} pods per {}", p.value, core::format_duration(p.period))
                                          : fmt::format("{}% per {}", p.value, core::format_duration(p.period));
}

const char* select_text(HpaRules::Select s) {
  switch (s) {
    case HpaRules::Select::kMax: return "Max";
    case HpaRules::Select::kMin: return "Min";
    case HpaRules::Select::kDisabled: return "Disabled";
  }
  return "?";
}

long long clamp_int(long long v) { return std::clamp<long long>(v, INT_MIN, INT_MAX); }

// calculateScaleUpLimitWithScalingRules.
int scale_up_limit(const HpaRules& rules, int current, const HpaHistory& h, double now, std::string* detail) {
  if (rules.select == HpaRules::Select::kDisabled) {
    *detail = "scale-up disabled (select Disabled)";
    return current;
  }
  bool min_change = rules.select == HpaRules::Select::kMin;
  long long result = min_change ? INT_MAX : INT_MIN;
  std::vector<std::string> parts;
  for (const HpaPolicy& p : rules.policies) {
    int added = change_in_period(p.period, h.scale_up_events, now);
    int removed = change_in_period(p.period, h.scale_down_events, now);
    long long start = static_cast<long long>(current) - added + removed;
    long long proposed;
    if (p.type == HpaPolicy::Type::kPods) {
      proposed = start + p.value;
    } else {
      // Rounded up, or a small replica count could never grow.
      proposed =
          static_cast<long long>(std::ceil(static_cast<double>(start) * (1 + static_cast<double>(p.value) / 100)));
    }
    result = min_change ? std::min(result, proposed) : std::max(result, proposed);
    parts.push_back(fmt::format("{}: {} at period start -> {}", policy_text(p), start, proposed));
  }
  *detail = fmt::format("{} (select {})", core::join(parts, "; "), select_text(rules.select));
  return static_cast<int>(clamp_int(result));
}

// calculateScaleDownLimitWithBehaviors.
int scale_down_limit(const HpaRules& rules, int current, const HpaHistory& h, double now, std::string* detail) {
  if (rules.select == HpaRules::Select::kDisabled) {
    *detail = "scale-down disabled (select Disabled)";
    return current;
  }
  bool min_change = rules.select == HpaRules::Select::kMin;
  long long result = min_change ? INT_MIN : INT_MAX;
  std::vector<std::string> parts;
  for (const HpaPolicy& p : rules.policies) {
    int added = change_in_period(p.period, h.scale_up_events, now);
    int removed = change_in_period(p.period, h.scale_down_events, now);
    long long start = static_cast<long long>(current) - added + removed;
    long long proposed;
    if (p.type == HpaPolicy::Type::kPods) {
      proposed = start - p.value;
    } else {
      // Go's int32(float64) truncates toward zero, as the cast does.
      proposed = static_cast<long long>(static_cast<double>(start) * (1 - static_cast<double>(p.value) / 100));
    }
    result = min_change ? std::max(result, proposed) : std::min(result, proposed);
    parts.push_back(fmt::format("{}: {} at period start -> {}", policy_text(p), start, proposed));
  }
  *detail = fmt::format("{} (select {})", core::join(parts, "; "), select_text(rules.select));
  return static_cast<int>(clamp_int(result));
}

double longest_period(const HpaRules& rules) {
  double longest = 0;
  for (const HpaPolicy& p : rules.policies) longest = std::max(longest, p.period);
  return longest;
}

// storeScaleEvent: outdated events are marked and the last one's slot reused.
void store_event(std::vector<HpaScaleEvent>* events, double longest, double now, int change) {
  double cutoff = now - longest;
  bool found = false;
  std::size_t slot = 0;
  for (std::size_t i = 0; i < events->size(); ++i) {
    if ((*events)[i].time < cutoff) (*events)[i].outdated = true;
    if ((*events)[i].outdated) {
      found = true;
      slot = i;
    }
  }
  HpaScaleEvent e{now, change, false};
  if (found) {
    (*events)[slot] = e;
  } else {
    events->push_back(e);
  }
}

// stabilizeRecommendationWithBehaviors + convertDesiredReplicasWithBehaviorRate.
void normalize_with_behavior(const HpaSpec& spec, HpaHistory* h, HpaDecision* d) {
  HpaRules up = effective_scale_up(spec), down = effective_scale_down(spec);
  const double now = d->now;
  const int current = d->current, desired = d->metric_replicas;
  const double up_cutoff = now - *up.stabilization, down_cutoff = now - *down.stabilization;
  int up_rec = desired, down_rec = desired;
  bool found_old = false;
  std::size_t old_index = 0;
  for (std::size_t i = 0; i < h->recommendations.size(); ++i) {
    const HpaRecommendation& r = h->recommendations[i];
    if (r.time > up_cutoff) up_rec = std::min(r.replicas, up_rec);
    if (r.time > down_cutoff) down_rec = std::max(r.replicas, down_rec);
    if (r.time < up_cutoff && r.time < down_cutoff) {
      found_old = true;
      old_index = i;
    }
  }
  int rec = current;
  if (rec < up_rec) rec = up_rec;
  if (rec > down_rec) rec = down_rec;
  if (found_old) {
    h->recommendations[old_index] = HpaRecommendation{now, desired};
  } else {
    h->recommendations.push_back(HpaRecommendation{now, desired});
  }
  d->stabilized = rec;
  d->stabilization = rec == desired       ? "ReadyForNewScale"
                     : desired >= current ? "ScaleUpStabilized"
                                          : "ScaleDownStabilized";
  d->stabilization_detail = fmt::format(
      "lowest recommendation in the {} scale-up window {}, highest in the {} scale-down window {}: "
      "from {} toward {} -> {}",
      core::format_duration(*up.stabilization), up_rec, core::format_duration(*down.stabilization), down_rec, current,
      desired, rec);

  d->desired = rec;
  d->limit = HpaLimit::kDesiredWithinRange;
  if (rec > current) {
    std::string detail;
    int limit = scale_up_limit(up, current, *h, now, &detail);
    if (limit < current) limit = current;  // earlier scale-ups already used the period's budget
    d->rate_limit = limit;
    d->limit_detail = fmt::format("scale-up limit {}: {}", limit, detail);
    int max_allowed = spec.max;
    HpaLimit reason = HpaLimit::kTooManyReplicas;
    if (max_allowed > limit) {
      max_allowed = limit;
      reason = HpaLimit::kScaleUpLimit;
    }
    if (rec > max_allowed) {
      d->desired = max_allowed;
      d->limit = reason;
    }
  } else if (rec < current) {
    std::string detail;
    int limit = scale_down_limit(down, current, *h, now, &detail);
    if (limit > current) limit = current;
    d->rate_limit = limit;
    d->limit_detail = fmt::format("scale-down limit {}: {}", limit, detail);
    int min_allowed = spec.min;
    HpaLimit reason = HpaLimit::kTooFewReplicas;
    if (min_allowed < limit) {
      min_allowed = limit;
      reason = HpaLimit::kScaleDownLimit;
    }
    if (rec < min_allowed) {
      d->desired = min_allowed;
      d->limit = reason;
    }
  }
}

// normalizeDesiredReplicas (no behavior: block): stabilizeRecommendation + convertDesiredReplicasWithRules.
void normalize_legacy(const HpaSpec& spec, HpaHistory* h, HpaDecision* d) {
  const double now = d->now;
  const int current = d->current, desired = d->metric_replicas;
  const double window = spec.scale_down.stabilization.value_or(300);
  const double cutoff = now - window;
  int max_rec = desired;
  bool found_old = false;
  std::size_t old_index = 0;
  for (std::size_t i = 0; i < h->recommendations.size(); ++i) {
    const HpaRecommendation& r = h->recommendations[i];
    if (r.time < cutoff) {
      found_old = true;
      old_index = i;
    } else if (r.replicas > max_rec) {
      max_rec = r.replicas;
    }
  }
  if (found_old) {
    h->recommendations[old_index] = HpaRecommendation{now, desired};
  } else {
    h->recommendations.push_back(HpaRecommendation{now, desired});
  }
  d->stabilized = max_rec;
  d->stabilization = max_rec != desired ? "ScaleDownStabilized" : "ReadyForNewScale";
  d->stabilization_detail = fmt::format("highest recommendation in the {} window (no behavior: block): {} -> {}",
                                        core::format_duration(window), desired, max_rec);

  // Guards against a bogus metric spike (kubernetes issue #32304).
  int up_limit = static_cast<int>(std::max(2.0 * current, 4.0));
  int max_allowed = spec.max;
  HpaLimit reason = HpaLimit::kTooManyReplicas;
  if (max_allowed > up_limit) {
    max_allowed = up_limit;
    reason = HpaLimit::kScaleUpLimit;
  }
  d->desired = max_rec;
  d->limit = HpaLimit::kDesiredWithinRange;
  if (max_rec > current) {
    d->rate_limit = up_limit;
    d->limit_detail = fmt::format("scale-up limit max(2 x {}, 4) = {} (no behavior: block)", current, up_limit);
  }
  if (max_rec < spec.min) {
    d->desired = spec.min;
    d->limit = HpaLimit::kTooFewReplicas;
  } else if (max_rec > max_allowed) {
    d->desired = max_allowed;
    d->limit = reason;
  }
}

std::string summary(const HpaSpec& spec, const HpaDecision& d) {
  std::string change = d.desired > d.current   ? fmt::format("scale up {} -> {}", d.current, d.desired)
                       : d.desired < d.current ? fmt::format("scale down {} -> {}", d.current, d.desired)
                                               : fmt::format("no change at {}", d.current);
  switch (d.path) {
    case HpaDecision::Path::kDisabled:
      return "no change: scaling is disabled since the replica count of the target is zero";
    case HpaDecision::Path::kAboveMax: return fmt::format("{}: current replicas above max {}", change, spec.max);
    case HpaDecision::Path::kBelowMin: return fmt::format("{}: current replicas below min {}", change, spec.min);
    case HpaDecision::Path::kInvalidMetrics: {
      int invalid = 0;
      for (const auto& p : d.proposals) invalid += p.outcome == HpaMetricProposal::Outcome::kInvalid ? 1 : 0;
      return fmt::format("{}: {} of {} metrics invalid{}", change, invalid, d.proposals.size(),
                         invalid < static_cast<int>(d.proposals.size()) ? " and the others would scale down" : "");
    }
    case HpaDecision::Path::kNormal: break;
  }
  std::string out = fmt::format("{}: metrics ask for {}", change, d.metric_replicas);
  if (d.metric_index >= 0) out += fmt::format(" ({})", metric_key(d.proposals[d.metric_index].metric.type));
  if (d.stabilized != d.metric_replicas) out += fmt::format(", stabilized to {} ({})", d.stabilized, d.stabilization);
  if (d.limit != HpaLimit::kDesiredWithinRange)
    out += fmt::format(", limited to {} ({})", d.desired, hpa_limit_name(d.limit));
  return out;
}

}  // namespace

const char* hpa_limit_name(HpaLimit limit) {
  switch (limit) {
    case HpaLimit::kDesiredWithinRange: return "DesiredWithinRange";
    case HpaLimit::kScaleUpLimit: return "ScaleUpLimit";
    case HpaLimit::kScaleDownLimit: return "ScaleDownLimit";
    case HpaLimit::kTooManyReplicas: return "TooManyReplicas";
    case HpaLimit::kTooFewReplicas: return "TooFewReplicas";
  }
  return "?";
}

std::string hpa_metric_text(const HpaMetric& metric) {
  switch (metric.type) {
    case HpaMetric::Type::kCpu:
    case HpaMetric::Type::kMemory:
      return fmt::format("{} {}", metric_key(metric.type), core::format_ratio(metric.target));
    case HpaMetric::Type::kRps: return fmt::format("rps {}", core::format_rate(metric.target));
    case HpaMetric::Type::kLatency: return fmt::format("latency_p99 {}", core::format_duration(metric.target));
    case HpaMetric::Type::kQueueLength: return fmt::format("queue_length {}", core::format_number(metric.target, 6));
  }
  return "?";
}

HpaRules effective_scale_up(const HpaSpec& spec) {
  // pkg/apis/autoscaling/v2/defaults.go: defaultHPAScaleUpRules.
  HpaRules r = spec.scale_up;
  if (!r.stabilization) r.stabilization = 0;
  if (r.policies.empty()) {
    r.policies = {HpaPolicy{HpaPolicy::Type::kPods, 4, 15}, HpaPolicy{HpaPolicy::Type::kPercent, 100, 15}};
  }
  return r;
}

HpaRules effective_scale_down(const HpaSpec& spec) {
  // defaultHPAScaleDownRules; the window comes from the controller's
  // --horizontal-pod-autoscaler-downscale-stabilization (default 5m).
  HpaRules r = spec.scale_down;
  if (!r.stabilization) r.stabilization = 300;
  if (r.policies.empty()) r.policies = {HpaPolicy{HpaPolicy::Type::kPercent, 100, 15}};
  return r;
}

HpaMetricProposal compute_metric_replicas(const HpaSpec& spec, const HpaMetric& metric, double now, int current,
                                          const std::vector<PodSample>& pods) {
  HpaMetricProposal p;
  p.metric = metric;
  p.outcome = HpaMetricProposal::Outcome::kInvalid;
  p.replicas = current;
  const bool resource = is_resource(metric.type);
  const bool cpu = metric.type == HpaMetric::Type::kCpu;
  // AverageUtilization is a whole percent; AverageValue a quantity read in milli-units.
  p.target = resource ? std::llround(metric.target * 100) : to_milli(metric.target);
  if (p.target <= 0) {
    p.detail = fmt::format("invalid: target {} is 0 in the controller's units", hpa_metric_text(metric));
    return p;
  }
  if (pods.empty()) {
    p.detail = "invalid: no pods returned by selector while calculating replica count";
    return p;
  }

  auto value_of = [&](const PodSample& pod) -> long long {
    switch (metric.type) {
      case HpaMetric::Type::kCpu: return to_milli(pod.cpu_utilization * pod.cpu_request);
      case HpaMetric::Type::kMemory: return to_milli(pod.memory_utilization * pod.memory_request);
      case HpaMetric::Type::kRps: return to_milli(pod.rps);
      case HpaMetric::Type::kLatency: return to_milli(pod.latency_p99);
      case HpaMetric::Type::kQueueLength: return to_milli(pod.queue_length);
    }
    return 0;
  };

  std::vector<long long> requests(pods.size(), 0);
  std::vector<PodValue> values;
  std::vector<std::size_t> unready, missing;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    if (resource) {
      requests[i] = to_milli(cpu ? pods[i].cpu_request : pods[i].memory_request);
    }
    switch (group_pod(spec, pods[i], cpu, now)) {
      case Group::kReady: values.push_back({i, value_of(pods[i])}); break;
      case Group::kUnready: unready.push_back(i); break;
      case Group::kMissing: missing.push_back(i); break;
      case Group::kIgnored: ++p.ignored_pods; break;
    }
  }
  p.ready_pods = static_cast<int>(values.size());
  p.unready_pods = static_cast<int>(unready.size());
  p.missing_pods = static_cast<int>(missing.size());
  if (values.empty()) {
    p.detail = fmt::format("invalid: did not receive metrics for targeted pods (pods might be unready): {}, {}, {}",
                           pods_text(p.unready_pods, "unready"), pods_text(p.missing_pods, "missing"),
                           pods_text(p.ignored_pods, "terminating"));
    return p;
  }
  if (resource) {
    for (std::size_t i = 0; i < pods.size(); ++i) {
      if (requests[i] <= 0) {
        p.detail = fmt::format("invalid: missing request for {} in pod {}", metric_key(metric.type), i);
        return p;
      }
    }
  }

  const Usage u = usage_ratio(resource, values, requests, p.target);
  p.value = u.value;
  p.ratio = u.ratio;
  const std::string what = resource ? fmt::format("{} utilization", metric_key(metric.type))
                                    : fmt::format("{} average", metric_key(metric.type));
  std::string detail =
      fmt::format("{} {} on {} (target {}): ratio {}", what, value_text(metric.type, u.value),
                  pods_text(p.ready_pods, "ready"), value_text(metric.type, p.target), ratio_text(u.ratio));
  const double tol = spec.tolerance;
  const bool scale_up_with_unready = !unready.empty() && u.ratio > 1.0;
  if (!scale_up_with_unready && missing.empty()) {
    if (!unready.empty()) detail += fmt::format(" ({} left out)", pods_text(p.unready_pods, "unready"));
    if (within_tolerance(u.ratio, tol)) {
      p.outcome = HpaMetricProposal::Outcome::kWithinTolerance;
      p.replicas = current;
      p.detail = fmt::format("{}, within tolerance {}..{} -> {} (no change)", detail, core::format_number(1 - tol),
                             core::format_number(1 + tol), current);
      return p;
    }
    p.outcome = HpaMetricProposal::Outcome::kScale;
    p.replicas = ceil_replicas(u.ratio * static_cast<double>(p.ready_pods));
    p.detail = fmt::format("{} -> ceil({} x {}) = {}", detail, ratio_text(u.ratio), p.ready_pods, p.replicas);
    return p;
  }

  // Fill in the pods the first pass left out, in the direction least likely to scale.
  std::vector<std::string> fills;
  if (!missing.empty()) {
    if (u.ratio < 1.0) {
      long long fallback = std::max<long long>(100, p.target);
      for (std::size_t i : missing) {
        values.push_back({i, resource ? clamp_to_int64(static_cast<Int128>(requests[i]) * fallback / 100) : p.target});
      }
      fills.push_back(fmt::format("{} at {} (scale-down)", pods_text(p.missing_pods, "missing"),
                                  resource ? fmt::format("{}%", fallback) : value_text(metric.type, p.target)));
    } else if (u.ratio > 1.0) {
      for (std::size_t i : missing) values.push_back({i, 0});
      fills.push_back(fmt::format("{} at 0 (scale-up)", pods_text(p.missing_pods, "missing")));
    }
  }
  if (scale_up_with_unready) {
    for (std::size_t i : unready) values.push_back({i, 0});
    fills.push_back(fmt::format("{} at 0 (scale-up)", pods_text(p.unready_pods, "unready")));
  } else if (!unready.empty()) {
    detail += fmt::format(" ({} left out)", pods_text(p.unready_pods, "unready"));
  }
  const Usage n = usage_ratio(resource, values, requests, p.target);
  p.recomputed_ratio = n.ratio;
  std::string joined = core::join(fills);
  if (!joined.empty()) {
    detail += fmt::format("; with {}: {} on {} pods, ratio {}", joined, value_text(metric.type, n.value), values.size(),
                          ratio_text(n.ratio));
  }
  if (within_tolerance(n.ratio, tol)) {
    p.outcome = HpaMetricProposal::Outcome::kWithinTolerance;
    p.replicas = current;
    p.detail = fmt::format("{}, within tolerance -> {} (no change)", detail, current);
    return p;
  }
  if ((u.ratio < 1.0 && n.ratio > 1.0) || (u.ratio > 1.0 && n.ratio < 1.0)) {
    p.outcome = HpaMetricProposal::Outcome::kDirectionFlip;
    p.replicas = current;
    p.detail = fmt::format("{}, which reverses the direction -> {} (no change)", detail, current);
    return p;
  }
  const int proposed = ceil_replicas(n.ratio * static_cast<double>(values.size()));
  if ((n.ratio < 1.0 && proposed > current) || (n.ratio > 1.0 && proposed < current)) {
    p.outcome = HpaMetricProposal::Outcome::kDirectionFlip;
    p.replicas = current;
    p.detail = fmt::format("{} -> ceil({} x {}) = {} is on the other side of {} -> {} (no change)", detail,
                           ratio_text(n.ratio), values.size(), proposed, current, current);
    return p;
  }
  p.outcome = HpaMetricProposal::Outcome::kScale;
  p.replicas = proposed;
  p.detail = fmt::format("{} -> ceil({} x {}) = {}", detail, ratio_text(n.ratio), values.size(), proposed);
  return p;
}

HpaDecision evaluate_hpa(const HpaSpec& spec, double now, int current, const std::vector<PodSample>& pods,
                         HpaHistory* history) {
  assert(history != nullptr && "evaluate_hpa needs a history to read and update");
  assert(current >= 0 && spec.min <= spec.max && "evaluate_hpa: invalid replica counts");
  HpaDecision d;
  d.now = now;
  d.current = current;
  d.desired = current;
  d.stabilized = current;
  d.legacy = !spec.behavior_given;
  if (!history->initialized) {
    history->recommendations.assign(1, HpaRecommendation{now, current});
    history->initialized = true;
  }

  if (current == 0 && spec.min != 0) {
    d.path = HpaDecision::Path::kDisabled;
  } else if (current > spec.max) {
    d.path = HpaDecision::Path::kAboveMax;
    d.desired = spec.max;
    d.limit = HpaLimit::kTooManyReplicas;
  } else if (current < spec.min) {
    d.path = HpaDecision::Path::kBelowMin;
    d.desired = spec.min;
    d.limit = HpaLimit::kTooFewReplicas;
  } else {
    // An HPA without metrics gets the API default: 80 % CPU.
    std::vector<HpaMetric> metrics = spec.metrics;
    if (metrics.empty()) metrics.push_back(HpaMetric{HpaMetric::Type::kCpu, 0.8});
    int replicas = 0, invalid = 0;
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      d.proposals.push_back(compute_metric_replicas(spec, metrics[i], now, current, pods));
      const HpaMetricProposal& p = d.proposals.back();
      if (p.outcome == HpaMetricProposal::Outcome::kInvalid) {
        ++invalid;
      } else if (replicas == 0 || p.replicas > replicas) {
        replicas = p.replicas;
        d.metric_index = static_cast<int>(i);
      }
    }
    // Scaling down on the metrics that still work could be wrong; scaling up is safe.
    if (invalid >= static_cast<int>(metrics.size()) || (invalid > 0 && replicas < current)) {
      d.path = HpaDecision::Path::kInvalidMetrics;
      d.reason = summary(spec, d);
      return d;
    }
    d.metric_replicas = replicas;
    if (d.legacy) {
      normalize_legacy(spec, history, &d);
    } else {
      normalize_with_behavior(spec, history, &d);
    }
  }

  if (d.rescale() && spec.behavior_given) {
    if (d.desired > current) {
      store_event(&history->scale_up_events, longest_period(effective_scale_up(spec)), now, d.desired - current);
    } else {
      store_event(&history->scale_down_events, longest_period(effective_scale_down(spec)), now, current - d.desired);
    }
  }
  d.reason = summary(spec, d);
  return d;
}

std::vector<PodSample> pod_samples(const scenario::AutoscaleState& state) {
  std::vector<PodSample> out;
  for (const scenario::AutoscalePod& p : state.pods) {
    PodSample s;
    s.phase = p.phase == scenario::AutoscalePod::Phase::kPending   ? PodSample::Phase::kPending
              : p.phase == scenario::AutoscalePod::Phase::kRunning ? PodSample::Phase::kRunning
                                                                   : PodSample::Phase::kTerminating;
    s.ready = p.ready;
    s.start_time = p.started;
    s.ready_transition_time = p.ready_changed.value_or(p.started);
    s.has_metrics = !p.metrics_missing;
    s.metric_time = p.metrics_at;
    s.cpu_request = p.cpu_request;
    s.memory_request = p.memory_request;
    s.cpu_utilization = p.cpu;
    s.memory_utilization = p.memory;
    s.rps = p.rps;
    s.latency_p99 = p.latency_p99;
    s.queue_length = p.queue_length;
    out.insert(out.end(), static_cast<std::size_t>(p.count), s);
  }
  return out;
}

HpaHistory hpa_history(const scenario::AutoscaleState& state) {
  HpaHistory h;
  h.initialized = state.has_recommendations;
  for (const auto& r : state.recommendations) h.recommendations.push_back(HpaRecommendation{r.at, r.replicas});
  for (const auto& e : state.scale_events) {
    if (e.change > 0) h.scale_up_events.push_back(HpaScaleEvent{e.at, e.change, false});
    if (e.change < 0) h.scale_down_events.push_back(HpaScaleEvent{e.at, -e.change, false});
  }
  return h;
}

HpaDecision evaluate_autoscale_state(const scenario::AutoscaleState& state, HpaHistory* history_after) {
  HpaHistory h = hpa_history(state);
  HpaDecision d = evaluate_hpa(state.hpa, state.now, state.replicas, pod_samples(state), &h);
  if (history_after) *history_after = std::move(h);
  return d;
}

std::string format_hpa_decision(const HpaSpec& spec, const HpaDecision& d) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("now {}: {} replicas (min {}, max {}), {}", core::format_duration(d.now), d.current,
                              spec.min, spec.max,
                              d.legacy ? "no behavior: block (older normalization)" : "behavior: policies in force"));
  switch (d.path) {
    case HpaDecision::Path::kDisabled: lines.push_back("scaling disabled: the target has 0 replicas"); break;
    case HpaDecision::Path::kAboveMax:
      lines.push_back(fmt::format("current {} is above max {}: metrics not consulted", d.current, spec.max));
      break;
    case HpaDecision::Path::kBelowMin:
      lines.push_back(fmt::format("current {} is below min {}: metrics not consulted", d.current, spec.min));
      break;
    case HpaDecision::Path::kNormal:
    case HpaDecision::Path::kInvalidMetrics:
      for (const HpaMetricProposal& p : d.proposals) {
        lines.push_back(fmt::format("metric {}: {}", hpa_metric_text(p.metric), p.detail));
      }
      break;
  }
  if (d.path == HpaDecision::Path::kInvalidMetrics) {
    lines.push_back(
        "no change: the controller does not scale when every metric is invalid, or when some are and "
        "the rest would scale down");
  }
  if (d.path == HpaDecision::Path::kNormal) {
    lines.push_back(fmt::format("proposal: {} ({}, the largest of {} metric{})", d.metric_replicas,
                                d.metric_index >= 0 ? metric_key(d.proposals[d.metric_index].metric.type) : "-",
                                d.proposals.size(), d.proposals.size() == 1 ? "" : "s"));
    lines.push_back(fmt::format("stabilization: {} ({})", d.stabilization_detail, d.stabilization));
    if (!d.limit_detail.empty()) lines.push_back(fmt::format("rate: {}", d.limit_detail));
  }
  std::string limit = hpa_limit_name(d.limit);
  if (d.limit == HpaLimit::kTooManyReplicas) limit += fmt::format(", max {}", spec.max);
  if (d.limit == HpaLimit::kTooFewReplicas) limit += fmt::format(", min {}", spec.min);
  if (d.limit == HpaLimit::kScaleUpLimit || d.limit == HpaLimit::kScaleDownLimit) {
    limit += fmt::format(", {}", *d.rate_limit);
  }
  lines.push_back(fmt::format("limit: {}", limit));
  std::string change = d.desired > d.current   ? fmt::format("scale up from {}", d.current)
                       : d.desired < d.current ? fmt::format("scale down from {}", d.current)
                                               : "no change";
  lines.push_back(fmt::format("desired: {} ({})", d.desired, change));
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

}  // namespace sim::model
