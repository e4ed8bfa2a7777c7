#include "sim/scenario/autoscale_state.h"

#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"

namespace sim::scenario {
namespace {

using core::MapView;
using core::Reader;
using core::set_if;

std::optional<HpaRules> read_hpa_rules(const Reader& r, const YAML::Node& n, const char* what) {
  MapView m(r, n, what, {"stabilization", "select", "policies"});
  if (!m.ok()) return std::nullopt;
  HpaRules rules;
  if (m.has("stabilization")) {
    if (auto s = r.duration(m.get("stabilization"))) {
      if (*s > 3600) {
        r.error(m.get("stabilization"), "stabilization window above 1h; expected 0s to 1h (the Kubernetes limit)");
      }
      rules.stabilization = *s;
    }
  }
  if (m.has("select")) {
    if (auto s = r.choice(m.get("select"), "select policy", {"max", "min", "disabled"})) {
      rules.select = *s == "max"   ? HpaRules::Select::kMax
                     : *s == "min" ? HpaRules::Select::kMin
                                   : HpaRules::Select::kDisabled;
    }
  }
  if (m.has("policies") && r.is_seq(m.get("policies"), "policies")) {
    for (const auto& item : m.get("policies")) {
      MapView pm(r, item, "policy", {"pods", "percent", "period"});
      if (!pm.ok()) continue;
      HpaPolicy pol;
      std::string which = pm.exactly_one_of({"pods", "percent"}, true);
      if (which.empty()) continue;
      if (auto v = r.integer(pm.get(which), 1, 100000)) pol.value = static_cast<int>(*v);
      pol.type = which == "pods" ? HpaPolicy::Type::kPods : HpaPolicy::Type::kPercent;
      YAML::Node per = pm.require("period", "the policy's period, like period: 60s");
      if (per.IsDefined()) {
        if (auto v = r.positive_duration(per)) {
          if (*v > 1800) r.error(per, "policy period above 30m; expected 1s to 30m (the Kubernetes limit)");
          pol.period = *v;
        }
      }
      rules.policies.push_back(pol);
    }
  }
  return rules;
}

// "250%", "70%" or a fraction like 0.7; utilization of a request may exceed 100 %.
std::optional<double> read_utilization(const Reader& r, const YAML::Node& n) {
  const char* expected = "a utilization like 70% or 0.7 (0% to 10000%)";
  auto s = r.string(n, expected);
  if (!s) return std::nullopt;
  std::string text = *s;
  bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  auto v = core::parse_number(text);
  if (!v) {
    r.error(n, fmt::format("invalid utilization {}; expected {}", core::describe(n), expected));
    return std::nullopt;
  }
  double f = percent ? *v / 100 : *v;
  if (f < 0 || f > 100) {
    r.error(n, fmt::format("utilization {} is out of range; expected {}", *s, expected));
    return std::nullopt;
  }
  return f;
}

std::optional<AutoscalePod> read_pod(const Reader& r, const YAML::Node& n) {
  MapView m(r, n, "pod",
            {"count", "phase", "ready", "started", "ready_changed", "metrics_missing", "metrics_at", "cpu_request",
             "memory_request", "cpu", "memory", "rps", "latency_p99", "queue_length"});
  if (!m.ok()) return std::nullopt;
  AutoscalePod p;
  p.pos = r.pos(n);
  if (m.has("count")) set_if(r.integer(m.get("count"), 1, 100000), &p.count);
  if (m.has("phase")) {
    if (auto s = r.choice(m.get("phase"), "pod phase", {"pending", "running", "terminating"})) {
      p.phase = *s == "pending"   ? AutoscalePod::Phase::kPending
                : *s == "running" ? AutoscalePod::Phase::kRunning
                                  : AutoscalePod::Phase::kTerminating;
    }
  }
  m.read("ready", &Reader::boolean, &p.ready);
  m.read("started", &Reader::duration, &p.started);
  if (m.has("ready_changed")) {
    if (auto v = r.duration(m.get("ready_changed"))) {
      if (*v < p.started) {
        r.error(m.get("ready_changed"), fmt::format("ready_changed {} is before the pod started ({}); expected a time "
                                                    "at or after started",
                                                    core::format_duration(*v), core::format_duration(p.started)));
      }
      p.ready_changed = *v;
    }
  }
  m.read("metrics_missing", &Reader::boolean, &p.metrics_missing);
  if (m.has("metrics_at")) {
    if (auto v = r.duration(m.get("metrics_at"))) p.metrics_at = *v;
  }
  if (m.has("cpu_request")) set_if(r.number(m.get("cpu_request"), 0.001, 1e6), &p.cpu_request);
  if (m.has("memory_request")) {
    if (auto v = r.size(m.get("memory_request"))) {
      if (*v <= 0 || *v > 1099511627776.0) {
        r.error(m.get("memory_request"),
                fmt::format("memory_request {} is out of range; expected a size above 0 and up to 1TiB, like 512MiB",
                            core::describe(m.get("memory_request"))));
      } else {
        p.memory_request = *v;
      }
    }
  }
  if (m.has("cpu")) set_if(read_utilization(r, m.get("cpu")), &p.cpu);
  if (m.has("memory")) set_if(read_utilization(r, m.get("memory")), &p.memory);
  m.read("rps", &Reader::rate, &p.rps);
  if (m.has("latency_p99")) set_if(r.duration(m.get("latency_p99")), &p.latency_p99);
  if (m.has("queue_length")) set_if(r.number(m.get("queue_length"), 0, 1e9), &p.queue_length);
  if (p.metrics_missing) {
    for (const char* k : {"cpu", "memory", "rps", "latency_p99", "queue_length", "metrics_at"}) {
      if (m.has(k)) {
        r.error(m.get(k), fmt::format("'{}' given for a pod with metrics_missing: true; expected no metric values", k));
      }
    }
  }
  return p;
}

}  // namespace

std::optional<HpaSpec> read_hpa(const Reader& r, const YAML::Node& n) {
  MapView m(r, n, "hpa",
            {"min", "max", "metrics", "sync_period", "tolerance", "cpu_initialization_period",
             "initial_readiness_delay", "metric_window", "behavior"});
  if (!m.ok()) return std::nullopt;
  HpaSpec h;
  YAML::Node mn = m.require("min", "the minimum replicas, like min: 3");
  YAML::Node mx = m.require("max", "the maximum replicas, like max: 10");
  if (mn.IsDefined()) set_if(r.integer(mn, 1, 1000), &h.min);
  if (mx.IsDefined()) set_if(r.integer(mx, 1, 1000), &h.max);
  YAML::Node metrics = m.require("metrics", "what to scale on, like metrics: [{cpu: 70%}]");
  if (metrics.IsDefined() && r.is_seq(metrics, "metrics")) {
    for (const auto& item : metrics) {
      MapView mm(r, item, "metric", {"cpu", "memory", "rps", "latency_p99", "queue_length"});
      if (!mm.ok()) continue;
      std::string which = mm.exactly_one_of({"cpu", "memory", "rps", "latency_p99", "queue_length"}, true);
      if (which.empty()) continue;
      HpaMetric metric;
      YAML::Node v = mm.get(which);
      bool read = false;
      if (which == "cpu" || which == "memory") {
        metric.type = which == "cpu" ? HpaMetric::Type::kCpu : HpaMetric::Type::kMemory;
        // Utilization targets may exceed 100 % in Kubernetes (of the request); accept 1%..1000%.
        if (auto f = r.factor(v)) {
          read = true;
          metric.target = *f;
          if (*f > 10) {
            r.error(v, "utilization target above 1000%; expected a percentage like 70%");
          } else if (std::fabs(*f * 100 - std::round(*f * 100)) > 1e-9) {
            // averageUtilization is an int32 percentage in the API.
            r.error(v, fmt::format("utilization target {} is not a whole percentage; expected one like 70% "
                                   "(Kubernetes takes whole percents)",
                                   core::describe(v)));
          }
        }
      } else {
        if (which == "rps") {
          metric.type = HpaMetric::Type::kRps;
          set_if(r.rate(v), &metric.target);
        } else if (which == "latency_p99") {
          metric.type = HpaMetric::Type::kLatency;
          set_if(r.positive_duration(v), &metric.target);
        } else {
          metric.type = HpaMetric::Type::kQueueLength;
          set_if(r.number(v, 0.001, 1e9), &metric.target);
        }
        read = metric.target > 0;
        // averageValue is a quantity the controller reads in milli-units.
        if (read && std::llround(metric.target * 1000) < 1) {
          r.error(v, fmt::format("metric target {} is below 0.001 (the controller's milli-unit resolution); "
                                 "expected a larger target",
                                 core::describe(v)));
        }
      }
      if (read && metric.target <= 0) {
        r.error(v, "metric target must be above 0; expected a positive target");
      }
      h.metrics.push_back(metric);
    }
    if (metrics.size() == 0) r.error(metrics, "no metrics; expected at least one, like [{cpu: 70%}]");
  }
  m.read("sync_period", &Reader::positive_duration, &h.sync_period);
  m.read("tolerance", &Reader::ratio, &h.tolerance);
  if (m.has("cpu_initialization_period"))
    set_if(r.duration(m.get("cpu_initialization_period")), &h.cpu_initialization_period);
  if (m.has("initial_readiness_delay"))
    set_if(r.duration(m.get("initial_readiness_delay")), &h.initial_readiness_delay);
  m.read("metric_window", &Reader::positive_duration, &h.metric_window);
  if (m.has("behavior")) {
    h.behavior_given = true;
    // An empty `behavior:` means "the API defaults", as in Kubernetes.
    if (!m.get("behavior").IsNull()) {
      MapView bm(r, m.get("behavior"), "behavior", {"scale_up", "scale_down"});
      if (bm.ok()) {
        if (bm.has("scale_up")) set_if(read_hpa_rules(r, bm.get("scale_up"), "scale_up"), &h.scale_up);
        if (bm.has("scale_down")) set_if(read_hpa_rules(r, bm.get("scale_down"), "scale_down"), &h.scale_down);
      }
    }
  }
  if (h.min > h.max) r.error(mn, fmt::format("min {} is above max {}; expected min <= max", h.min, h.max));
  return h;
}

std::optional<AutoscaleState> parse_autoscale_state(const std::string& file, const std::string& text,
                                                    core::Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  auto root = core::parse_yaml(file, text, diags, "an autoscale state (hpa:, now:, replicas:, pods:)");
  if (!root) return std::nullopt;
  Reader r(file, diags);
  MapView m(r, *root, "autoscale state",
            {"description", "hpa", "now", "replicas", "pods", "recommendations", "scale_events"});
  if (!m.ok()) return std::nullopt;
  AutoscaleState s;
  s.file = file;
  m.read("description", &Reader::string, &s.description, "a string");
  YAML::Node hpa = m.require("hpa", "the HPA spec, like hpa: {min: 2, max: 10, metrics: [{cpu: 70%}]}");
  YAML::Node now = m.require("now", "the time of the sync, like now: 10m");
  YAML::Node replicas = m.require("replicas", "the current replica count, like replicas: 3");
  YAML::Node pods = m.require("pods", "the pods and their metrics, like pods: [{cpu: 50%}, {cpu: 70%}]");
  if (hpa.IsDefined()) set_if(read_hpa(r, hpa), &s.hpa);
  if (now.IsDefined()) set_if(r.duration(now), &s.now);
  if (replicas.IsDefined()) set_if(r.integer(replicas, 0, 100000), &s.replicas);
  if (pods.IsDefined() && r.is_seq(pods, "pods")) {
    long long total = 0;
    for (const auto& item : pods) {
      auto p = read_pod(r, item);
      if (!p) continue;
      total += p->count;
      if (p->metrics_at && *p->metrics_at > s.now) {
        r.error(item["metrics_at"], fmt::format("metrics_at {} is after now ({}); expected a time at or before now",
                                                core::format_duration(*p->metrics_at), core::format_duration(s.now)));
      }
      if (p->started > s.now) {
        r.error(item["started"], fmt::format("started {} is after now ({}); expected a time at or before now",
                                             core::format_duration(p->started), core::format_duration(s.now)));
      }
      s.pods.push_back(*p);
    }
    if (total > 100000) r.error(pods, fmt::format("{} pods; expected at most 100000", total));
  }
  if (m.has("recommendations")) {
    s.has_recommendations = true;
    YAML::Node recs = m.get("recommendations");
    if (!recs.IsNull() && r.is_seq(recs, "recommendations")) {
      for (const auto& item : recs) {
        MapView rm(r, item, "recommendation", {"at", "replicas"});
        if (!rm.ok()) continue;
        YAML::Node at = rm.require("at", "when it was made, like at: 9m45s");
        YAML::Node n = rm.require("replicas", "the recommended count, like replicas: 4");
        AutoscaleState::Recommendation rec;
        bool ok = at.IsDefined() && n.IsDefined();
        if (at.IsDefined()) {
          auto v = r.duration(at);
          ok = ok && v;
          if (v) rec.at = *v;
          if (v && *v > s.now) {
            r.error(at, fmt::format("recommendation at {} is after now ({}); expected a time at or before now",
                                    core::format_duration(*v), core::format_duration(s.now)));
          }
        }
        if (n.IsDefined()) {
          auto v = r.integer(n, 0, 100000);
          ok = ok && v;
          if (v) rec.replicas = static_cast<int>(*v);
        }
        if (ok) s.recommendations.push_back(rec);
      }
    }
  }
  if (m.has("scale_events")) {
    YAML::Node events = m.get("scale_events");
    if (!events.IsNull() && r.is_seq(events, "scale_events")) {
      for (const auto& item : events) {
        MapView em(r, item, "scale event", {"at", "change"});
        if (!em.ok()) continue;
        YAML::Node at = em.require("at", "when it happened, like at: 9m45s");
        YAML::Node change = em.require("change", "replicas added (+) or removed (-), like change: +2");
        AutoscaleState::Event e;
        bool ok = at.IsDefined() && change.IsDefined();
        if (at.IsDefined()) {
          auto v = r.duration(at);
          ok = ok && v;
          if (v) e.at = *v;
          if (v && *v > s.now) {
            r.error(at, fmt::format("scale event at {} is after now ({}); expected a time at or before now",
                                    core::format_duration(*v), core::format_duration(s.now)));
          }
        }
        if (change.IsDefined()) {
          auto v = r.integer(change, -100000, 100000);
          if (v && *v == 0) {
            r.error(change, "change is 0; expected replicas added (like +2) or removed (like -1)");
            v.reset();
          }
          ok = ok && v;
          if (v) e.change = static_cast<int>(*v);
        }
        if (ok) s.scale_events.push_back(e);
      }
    }
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return s;
}

std::optional<AutoscaleState> load_autoscale_state(const std::string& path, core::Diagnostics& diags) {
  auto text = core::read_text_file(path, diags);
  if (!text) return std::nullopt;
  return parse_autoscale_state(path, *text, diags);
}

}  // namespace sim::scenario
