#include "sim/import/kubernetes.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"

namespace sim::import {
namespace {

using core::Diagnostics;
using core::Reader;
using Kind = ImportNote::Kind;

constexpr std::size_t kMaxDocuments = 200;

// The position of `key` itself in mapping `m` (for notes about a field).
SourcePos key_pos(const Reader& r, const YAML::Node& m, const std::string& key) {
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return r.pos(it->first);
  }
  return r.pos(m);
}

YAML::Node child(const YAML::Node& n, const std::string& key) {
  if (!n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

struct Ctx {
  const Reader& r;
  std::vector<ImportNote>* notes;
  void note(Kind k, const SourcePos& p, std::string what, std::string detail) const {
    notes->push_back({k, p, std::move(what), std::move(detail)});
  }
  // Every key of `m` not in `used` is an ignored field, named by its path.
  void rest(const YAML::Node& m, const std::string& path, const std::set<std::string>& used,
            const std::string& why = "not modelled") const {
    if (!m.IsMap()) return;
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!it->first.IsScalar() || used.count(it->first.Scalar())) continue;
      note(Kind::kIgnored, r.pos(it->first), path + it->first.Scalar(), why);
    }
  }
  // A mapping with a fixed set of fields (the API's): an unknown one is an error with "did you mean".
  bool strict(const YAML::Node& m, const std::string& what, const std::vector<std::string>& fields) const {
    if (!r.is_map(m, what)) return false;
    bool ok = true;
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string& k = it->first.Scalar();
      if (std::find(fields.begin(), fields.end(), k) != fields.end()) continue;
      r.error(it->first, core::unknown_name({.noun = "field", .name = k, .in = what}, fields));
      ok = false;
    }
    return ok;
  }
};

std::optional<int> int_field(const Reader& r, const YAML::Node& n, long long lo, long long hi) {
  auto v = r.integer(n, lo, hi);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// ---- HorizontalPodAutoscaler ---------------------------------------------------------------------------

std::optional<scenario::HpaRules> read_rules(const Ctx& c, const YAML::Node& n, const std::string& path) {
  const Reader& r = c.r;
  if (!c.strict(n, path, {"stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"})) return std::nullopt;
  scenario::HpaRules rules;
  if (auto s = child(n, "stabilizationWindowSeconds"); s.IsDefined()) {
    if (auto v = int_field(r, s, 0, 3600)) {
      rules.stabilization = *v;
      c.note(Kind::kMapped, key_pos(r, n, "stabilizationWindowSeconds"), path + ".stabilizationWindowSeconds",
             fmt::format("stabilization: {}", core::format_duration(*v)));
    }
  }
  if (auto s = child(n, "selectPolicy"); s.IsDefined()) {
    if (auto v = r.choice(s, "selectPolicy", {"Max", "Min", "Disabled"})) {
      rules.select = *v == "Max" ? scenario::HpaRules::Select::kMax
                     : *v == "Min" ? scenario::HpaRules::Select::kMin
                                   : scenario::HpaRules::Select::kDisabled;
      std::string lower = *v;
      lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
      c.note(Kind::kMapped, key_pos(r, n, "selectPolicy"), path + ".selectPolicy", "select: " + lower);
    }
  }
  if (auto t = child(n, "tolerance"); t.IsDefined()) {
    c.note(Kind::kIgnored, key_pos(r, n, "tolerance"), path + ".tolerance",
           "per-direction tolerance (alpha in Kubernetes 1.33) is not modelled; the hpa's tolerance applies");
  }
  if (auto ps = child(n, "policies"); ps.IsDefined() && r.is_seq(ps, "policies")) {
    for (const auto& p : ps) {
      if (!c.strict(p, "a scaling policy", {"type", "value", "periodSeconds"})) continue;
      scenario::HpaPolicy pol;
      auto type = child(p, "type");
      auto value = child(p, "value");
      auto period = child(p, "periodSeconds");
      if (!type.IsDefined() || !value.IsDefined() || !period.IsDefined()) {
        r.error(p, "scaling policy needs type, value and periodSeconds; expected {type: Pods, value: 4, "
                   "periodSeconds: 15}");
        continue;
      }
      auto t = r.choice(type, "policy type", {"Pods", "Percent"});
      auto v = int_field(r, value, 1, 100000);
      auto s = int_field(r, period, 1, 1800);
      if (!t || !v || !s) continue;
      pol.type = *t == "Pods" ? scenario::HpaPolicy::Type::kPods : scenario::HpaPolicy::Type::kPercent;
      pol.value = *v;
      pol.period = *s;
      rules.policies.push_back(pol);
      c.note(Kind::kMapped, r.pos(p), fmt::format("{}.policies {{type: {}, value: {}, periodSeconds: {}}}", path, *t,
                                                      *v, *s),
             fmt::format("{{{}: {}, period: {}s}}", *t == "Pods" ? "pods" : "percent", *v, *s));
    }
  }
  return rules;
}

void read_metric(const Ctx& c, const YAML::Node& m, scenario::HpaSpec* h) {
  const Reader& r = c.r;
  if (!r.is_map(m, "a metric")) return;
  auto type = child(m, "type");
  if (!type.IsDefined()) {
    r.error(m, "metric without type; expected type: Resource, Pods, Object, External or ContainerResource");
    return;
  }
  auto t = r.choice(type, "metric type", {"Resource", "Pods", "Object", "External", "ContainerResource"});
  if (!t) return;
  if (*t == "Resource" || *t == "ContainerResource") {
    YAML::Node res = child(m, *t == "Resource" ? "resource" : "containerResource");
    if (!res.IsDefined() || !r.is_map(res, "resource")) {
      if (!res.IsDefined()) r.error(m, fmt::format("{} metric without its '{}' block; expected {{name: cpu, target: "
                                                   "{{type: Utilization, averageUtilization: 70}}}}",
                                                   *t, *t == "Resource" ? "resource" : "containerResource"));
      return;
    }
    auto name = r.string(child(res, "name"), "a resource name like cpu or memory");
    YAML::Node target = child(res, "target");
    if (!name || !target.IsDefined() || !r.is_map(target, "target")) {
      if (!target.IsDefined()) r.error(res, "resource metric without target; expected target: {type: Utilization, "
                                            "averageUtilization: 70}");
      return;
    }
    auto ttype = r.choice(child(target, "type"), "target type", {"Utilization", "AverageValue", "Value"});
    if (!ttype) return;
    if (*name != "cpu" && *name != "memory") {
      c.note(Kind::kIgnored, r.pos(m), fmt::format("metric {} {}", *t, *name),
             "only cpu and memory are modelled resources");
      return;
    }
    if (*ttype != "Utilization") {
      c.note(Kind::kPending, r.pos(m), fmt::format("metric {} {} {}", *t, *name, *ttype),
             "infrasim scales on utilization of the request; expected target type Utilization");
      return;
    }
    auto u = int_field(r, child(target, "averageUtilization"), 1, 1000);
    if (!u) return;
    scenario::HpaMetric metric;
    metric.type = *name == "cpu" ? scenario::HpaMetric::Type::kCpu : scenario::HpaMetric::Type::kMemory;
    metric.target = *u / 100.0;
    h->metrics.push_back(metric);
    c.note(Kind::kMapped, r.pos(m), fmt::format("metric {} {} averageUtilization {}", *t, *name, *u),
           fmt::format("metrics: [{{{}: {}%}}]{}", *name, *u,
                       *t == "ContainerResource" ? " (one container per pod: the pod's utilization)" : ""));
    return;
  }
  if (*t == "Pods") {
    YAML::Node pods = child(m, "pods");
    YAML::Node metric = child(pods, "metric");
    YAML::Node target = child(pods, "target");
    auto name = r.string(child(metric, "name"), "a metric name");
    if (!name) return;
    // A per-pod request rate is the one custom metric infrasim has (requests/s per instance).
    std::string lower = *name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    bool rps = lower.find("request") != std::string::npos &&
               (lower.find("second") != std::string::npos || lower.find("rps") != std::string::npos ||
                lower.find("rate") != std::string::npos);
    if (!rps) {
      c.note(Kind::kIgnored, r.pos(m), "metric Pods " + *name,
             "only a per-pod request rate (a name with requests per second) maps, to rps");
      return;
    }
    auto value = r.string(child(target, "averageValue"), "an averageValue like 100 or 500m");
    if (!value) return;
    auto v = parse_k8s_cpu(*value);  // the same quantity syntax: "100", "500m"
    if (!v || *v <= 0) {
      r.error(child(target, "averageValue"), fmt::format("invalid quantity '{}'; expected a Kubernetes quantity like "
                                                         "100 or 500m",
                                                         *value));
      return;
    }
    scenario::HpaMetric hm;
    hm.type = scenario::HpaMetric::Type::kRps;
    hm.target = *v;
    h->metrics.push_back(hm);
    c.note(Kind::kMapped, r.pos(m), fmt::format("metric Pods {} averageValue {}", *name, *value),
           fmt::format("metrics: [{{rps: {}}}]", core::format_rate(*v)));
    return;
  }
  c.note(Kind::kIgnored, r.pos(m), "metric " + *t, "Object and External metrics are not modelled");
}

std::optional<K8sHpa> read_hpa(const Reader& r, const YAML::Node& doc) {
  K8sHpa out;
  Ctx c{r, &out.notes};
  out.pos = r.pos(doc);
  std::string api = child(doc, "apiVersion").IsScalar() ? child(doc, "apiVersion").Scalar() : "";
  if (api != "autoscaling/v2" && api != "autoscaling/v2beta2") {
    r.error(child(doc, "apiVersion"), fmt::format("HorizontalPodAutoscaler {} is not read; expected apiVersion: "
                                                  "autoscaling/v2 (v1's targetCPUUtilizationPercentage is "
                                                  "metrics: [{{cpu: N%}}] in v2)",
                                                  api));
    return std::nullopt;
  }
  YAML::Node meta = child(doc, "metadata");
  if (auto n = child(meta, "name"); n.IsDefined()) {
    if (auto s = r.string(n)) out.name = *s;
  }
  c.rest(meta, "metadata.", {"name"}, "metadata is not modelled");
  YAML::Node spec = child(doc, "spec");
  if (!spec.IsDefined()) {
    r.error(doc, "HorizontalPodAutoscaler without spec; expected spec: {scaleTargetRef, minReplicas, maxReplicas, "
                 "metrics}");
    return std::nullopt;
  }
  if (!c.strict(spec, "HorizontalPodAutoscaler spec", {"scaleTargetRef", "minReplicas", "maxReplicas", "metrics",
                                                       "behavior"})) {
    return std::nullopt;
  }
  scenario::HpaSpec& h = out.spec;
  if (auto t = child(spec, "scaleTargetRef"); t.IsDefined()) {
    if (auto n = r.string(child(t, "name"), "the target's name")) {
      out.target = *n;
      c.note(Kind::kMapped, key_pos(r, spec, "scaleTargetRef"), "spec.scaleTargetRef",
             fmt::format("the component it scales ({} {})",
                         child(t, "kind").IsScalar() ? child(t, "kind").Scalar() : "", *n));
    }
  } else {
    r.error(spec, "spec without scaleTargetRef; expected scaleTargetRef: {kind: Deployment, name: app}");
  }
  // minReplicas defaults to 1 (the API); maxReplicas is required.
  h.min = 1;
  if (auto n = child(spec, "minReplicas"); n.IsDefined()) {
    if (auto v = int_field(r, n, 1, 1000)) {
      h.min = *v;
      c.note(Kind::kMapped, key_pos(r, spec, "minReplicas"), "spec.minReplicas", fmt::format("min: {}", *v));
    }
  } else {
    c.note(Kind::kMapped, out.pos, "spec.minReplicas (not set)", "min: 1 (the API default)");
  }
  if (auto n = child(spec, "maxReplicas"); n.IsDefined()) {
    if (auto v = int_field(r, n, 1, 1000)) {
      h.max = *v;
      c.note(Kind::kMapped, key_pos(r, spec, "maxReplicas"), "spec.maxReplicas", fmt::format("max: {}", *v));
      if (h.min > h.max) {
        r.error(n, fmt::format("maxReplicas {} is below minReplicas {}; expected minReplicas <= maxReplicas", h.max,
                               h.min));
      }
    }
  } else {
    r.error(spec, "spec without maxReplicas; expected maxReplicas: 10 (the API requires it)");
  }
  if (auto ms = child(spec, "metrics"); ms.IsDefined()) {
    if (r.is_seq(ms, "metrics")) {
      for (const auto& m : ms) read_metric(c, m, &h);
    }
  }
  if (h.metrics.empty()) {
    // The controller's default when no metric is given: 80 % CPU (pkg/controller/podautoscaler).
    h.metrics.push_back({scenario::HpaMetric::Type::kCpu, 0.8});
    c.note(Kind::kMapped, key_pos(r, spec, "metrics"), "spec.metrics (none usable)",
           "metrics: [{cpu: 80%}] (the controller's default)");
  }
  if (auto b = child(spec, "behavior"); b.IsDefined()) {
    h.behavior_given = true;
    if (c.strict(b, "behavior", {"scaleUp", "scaleDown"})) {
      c.note(Kind::kMapped, key_pos(r, spec, "behavior"), "spec.behavior", "behavior: (API defaults for what is not "
                                                                           "set)");
      if (auto up = child(b, "scaleUp"); up.IsDefined()) {
        if (auto rules = read_rules(c, up, "spec.behavior.scaleUp")) h.scale_up = *rules;
      }
      if (auto down = child(b, "scaleDown"); down.IsDefined()) {
        if (auto rules = read_rules(c, down, "spec.behavior.scaleDown")) h.scale_down = *rules;
      }
    }
  }
  c.rest(doc, "", {"apiVersion", "kind", "metadata", "spec"}, "status and other top-level fields are not read");
  return out;
}

// ---- Deployment ----------------------------------------------------------------------------------------

std::optional<topology::HealthCheck> read_probe(const Ctx& c, const YAML::Node& p, const std::string& path,
                                                std::optional<double>* initial_delay) {
  const Reader& r = c.r;
  if (!r.is_map(p, "probe")) return std::nullopt;
  topology::HealthCheck hc;
  // API defaults: periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3.
  hc.interval = 10;
  hc.timeout = 1;
  hc.healthy_threshold = 1;
  hc.unhealthy_threshold = 3;
  bool ok = true;
  auto field = [&](const char* key, long long lo, long long hi, auto set) {
    YAML::Node n = child(p, key);
    if (!n.IsDefined()) return;
    if (auto v = int_field(r, n, lo, hi)) {
      set(*v);
    } else {
      ok = false;
    }
  };
  field("periodSeconds", 1, 86400, [&](int v) { hc.interval = v; });
  field("timeoutSeconds", 1, 86400, [&](int v) { hc.timeout = v; });
  field("successThreshold", 1, 100, [&](int v) { hc.healthy_threshold = v; });
  field("failureThreshold", 1, 100, [&](int v) { hc.unhealthy_threshold = v; });
  field("initialDelaySeconds", 0, 86400, [&](int v) { *initial_delay = v; });
  if (!ok) return std::nullopt;
  if (hc.timeout > hc.interval) {
    r.error(child(p, "timeoutSeconds"),
            fmt::format("timeoutSeconds {} is longer than periodSeconds {}; infrasim's health checks expect timeout "
                        "<= interval",
                        hc.timeout, hc.interval));
    return std::nullopt;
  }
  std::set<std::string> used = {"periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold",
                                "initialDelaySeconds"};
  for (const char* handler : {"httpGet", "tcpSocket", "exec", "grpc"}) {
    if (child(p, handler).IsDefined()) {
      used.insert(handler);
      c.note(Kind::kIgnored, key_pos(r, p, handler), path + "." + handler,
             "the check's handler: a check passes while the instance is up, booted and reachable");
    }
  }
  c.rest(p, path + ".", used);
  return hc;
}

// The first container's livenessProbe as infrasim's liveness: (docs/operations.md "Liveness
// probes"): periodSeconds, timeoutSeconds, failureThreshold, initialDelaySeconds, with the API's
// defaults. successThreshold must be 1 for a liveness probe (API validation). A startupProbe
// disables liveness probes until it succeeds, and kills the container after failureThreshold
// failures: its whole allowance (initialDelaySeconds + failureThreshold × periodSeconds) is
// taken as the liveness probe's initial delay when longer — an instance that boots within it
// is not killed while booting, as on Kubernetes; one that boots later is killed by the liveness
// probe a few periods after the allowance, instead of at its end (said in the note).
void read_liveness(const Ctx& c, const YAML::Node& ct, const std::string& path,
                   std::optional<topology::LivenessSpec>* out) {
  const Reader& r = c.r;
  YAML::Node lp = child(ct, "livenessProbe"), sp = child(ct, "startupProbe");
  if (!lp.IsDefined()) {
    if (sp.IsDefined()) {
      c.note(Kind::kIgnored, key_pos(r, ct, "startupProbe"), path + ".startupProbe",
             "without a livenessProbe it only delays readiness, which boot_time models");
    }
    return;
  }
  std::optional<double> delay;
  auto hc = read_probe(c, lp, path + ".livenessProbe", &delay);
  if (!hc) return;
  if (hc->healthy_threshold != 1) {
    r.error(child(lp, "successThreshold"),
            fmt::format("successThreshold {} on a livenessProbe; expected 1 (the Kubernetes API requires 1 for "
                        "liveness and startup probes)",
                        hc->healthy_threshold));
    return;
  }
  topology::LivenessSpec l;
  l.enabled = true;
  l.period = hc->interval;
  l.timeout = hc->timeout;
  l.failure_threshold = hc->unhealthy_threshold;
  l.initial_delay = delay.value_or(0);
  std::string startup;
  if (sp.IsDefined()) {
    std::optional<double> sdelay;
    if (auto s = read_probe(c, sp, path + ".startupProbe", &sdelay)) {
      double allowance = sdelay.value_or(0) + s->unhealthy_threshold * s->interval;
      if (allowance > l.initial_delay) {
        l.initial_delay = allowance;
        startup = fmt::format("; initial_delay {}s from the startupProbe's allowance (initialDelaySeconds + "
                              "failureThreshold × periodSeconds): an instance still booting after it is killed by "
                              "the liveness probe, a few periods later than by the startup probe",
                              core::format_number(allowance));
      }
    }
  }
  *out = l;
  c.note(Kind::kMapped, key_pos(r, ct, "livenessProbe"), path + ".livenessProbe",
         fmt::format("liveness: {{period: {}s, timeout: {}s, failure_threshold: {}, initial_delay: {}s}}{}",
                     core::format_number(l.period), core::format_number(l.timeout), l.failure_threshold,
                     core::format_number(l.initial_delay), startup));
}

std::optional<K8sDeployment> read_deployment(const Reader& r, const YAML::Node& doc) {
  K8sDeployment out;
  Ctx c{r, &out.notes};
  out.pos = r.pos(doc);
  YAML::Node meta = child(doc, "metadata");
  if (auto n = child(meta, "name"); n.IsDefined()) {
    if (auto s = r.string(n)) out.name = *s;
  }
  c.rest(meta, "metadata.", {"name"}, "metadata is not modelled");
  YAML::Node spec = child(doc, "spec");
  if (!spec.IsDefined() || !r.is_map(spec, "spec")) {
    if (!spec.IsDefined()) r.error(doc, "Deployment without spec; expected spec: {replicas, template}");
    return std::nullopt;
  }
  if (auto n = child(spec, "replicas"); n.IsDefined()) {
    if (auto v = int_field(r, n, 0, 1000)) {
      if (*v == 0) {
        r.error(n, "replicas: 0; infrasim expects at least one instance (a scaled-to-zero Deployment has none to "
                   "simulate)");
      } else {
        out.replicas = *v;
        c.note(Kind::kMapped, key_pos(r, spec, "replicas"), "spec.replicas", fmt::format("replicas: {}", *v));
      }
    }
  } else {
    c.note(Kind::kMapped, out.pos, "spec.replicas (not set)", "replicas: 1 (the API default)");
  }
  std::set<std::string> spec_used = {"replicas", "template"};
  if (YAML::Node st = child(spec, "strategy"); st.IsDefined()) {
    spec_used.insert("strategy");
    // A rollout is something an operator does at a time: a scenario operation, not a topology key.
    YAML::Node ru = child(st, "rollingUpdate");
    auto amount = [&](const char* key) {
      YAML::Node v = child(ru, key);
      return v.IsScalar() ? v.Scalar() : std::string("25%");
    };
    std::string type = child(st, "type").IsScalar() ? child(st, "type").Scalar() : "RollingUpdate";
    c.note(Kind::kMapped, key_pos(r, spec, "strategy"), "spec.strategy",
           type == "Recreate"
               ? "Recreate, in a scenario: operations: [{at: ..., deploy: {target: <component>, max_surge: 0, "
                 "max_unavailable: 100%}}] (docs/operations.md)"
               : fmt::format("a scenario deploys it with these limits: operations: [{{at: ..., deploy: {{target: "
                             "<component>, max_surge: {}, max_unavailable: {}}}}}] (docs/operations.md)",
                             amount("maxSurge"), amount("maxUnavailable")));
  }
  c.rest(spec, "spec.", spec_used);
  YAML::Node pod = child(child(spec, "template"), "spec");
  if (!pod.IsDefined()) {
    r.error(spec, "Deployment without spec.template.spec; expected the pod template with its containers");
    return std::nullopt;
  }
  YAML::Node containers = child(pod, "containers");
  if (!containers.IsDefined() || !r.is_seq(containers, "containers") || containers.size() == 0) {
    if (!containers.IsDefined() || (containers.IsSequence() && containers.size() == 0)) {
      r.error(pod, "pod template without containers; expected containers: [{name, image, resources}]");
    }
    return std::nullopt;
  }
  double cpu = 0, mem = 0;
  bool any_cpu = false, any_mem = false;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    YAML::Node ct = containers[i];
    if (!r.is_map(ct, "container")) return std::nullopt;
    std::string cname = child(ct, "name").IsScalar() ? child(ct, "name").Scalar() : std::to_string(i);
    std::string path = fmt::format("spec.template.spec.containers[{}]", cname);
    std::set<std::string> used = {"name", "resources", "readinessProbe", "livenessProbe", "startupProbe"};
    YAML::Node res = child(ct, "resources");
    if (res.IsDefined()) {
      YAML::Node req = child(res, "requests");
      if (auto q = child(req, "cpu"); q.IsDefined()) {
        auto s = r.string(q, "a CPU quantity like 500m or 2");
        auto v = s ? parse_k8s_cpu(*s) : std::nullopt;
        if (s && !v) r.error(q, fmt::format("invalid CPU quantity '{}'; expected one like 500m or 2", *s));
        if (v) {
          cpu += *v;
          any_cpu = true;
        }
      }
      if (auto q = child(req, "memory"); q.IsDefined()) {
        auto s = r.string(q, "a memory quantity like 512Mi or 1Gi");
        auto v = s ? parse_k8s_memory(*s) : std::nullopt;
        if (s && !v) r.error(q, fmt::format("invalid memory quantity '{}'; expected one like 512Mi or 1Gi", *s));
        if (v) {
          mem += *v;
          any_mem = true;
        }
      }
      c.rest(req, path + ".resources.requests.", {"cpu", "memory"});
      if (child(res, "limits").IsDefined()) {
        c.note(Kind::kPending, key_pos(r, res, "limits"), path + ".resources.limits",
               "CPU throttling and OOM kills at the limit are not modelled (the request sizes the instance)");
      }
      c.rest(res, path + ".resources.", {"requests", "limits"});
    }
    if (i == 0) {
      if (auto p = child(ct, "readinessProbe"); p.IsDefined()) {
        out.readiness = read_probe(c, p, path + ".readinessProbe", &out.boot_time);
        if (out.readiness) {
          c.note(Kind::kMapped, key_pos(r, ct, "readinessProbe"), path + ".readinessProbe",
                 fmt::format("the load balancer's health_check: {{interval: {}s, timeout: {}s, healthy_threshold: {}, "
                             "unhealthy_threshold: {}}}{}",
                             out.readiness->interval, out.readiness->timeout, out.readiness->healthy_threshold,
                             out.readiness->unhealthy_threshold,
                             out.boot_time ? fmt::format("; boot_time: {}s (initialDelaySeconds)", *out.boot_time) : ""));
        }
      }
    } else if (child(ct, "readinessProbe").IsDefined()) {
      c.note(Kind::kIgnored, key_pos(r, ct, "readinessProbe"), path + ".readinessProbe",
             "only the first container's readiness probe is used");
    }
    if (i == 0) {
      read_liveness(c, ct, path, &out.liveness);
    } else {
      for (const char* probe : {"livenessProbe", "startupProbe"}) {
        if (child(ct, probe).IsDefined()) {
          c.note(Kind::kIgnored, key_pos(r, ct, probe), path + "." + probe,
                 "only the first container's probes are used");
        }
      }
    }
    c.rest(ct, path + ".", used);
  }
  if (any_cpu) {
    out.cores = std::max(1, static_cast<int>(std::ceil(cpu - 1e-9)));
    c.note(Kind::kMapped, r.pos(containers), "resources.requests.cpu",
           fmt::format("cores: {}{}", *out.cores,
                       std::fabs(cpu - *out.cores) > 1e-9
                           ? fmt::format(" (requests sum to {} cores; infrasim hosts have whole cores)",
                                         core::format_number(cpu))
                           : ""));
  }
  if (any_mem) {
    out.memory = mem;
    c.note(Kind::kMapped, r.pos(containers), "resources.requests.memory",
           fmt::format("memory: {}", core::format_size(mem)));
  }
  std::set<std::string> pod_used = {"containers"};
  if (auto tsc = child(pod, "topologySpreadConstraints"); tsc.IsDefined()) {
    pod_used.insert("topologySpreadConstraints");
    if (r.is_seq(tsc, "topologySpreadConstraints")) {
      for (const auto& item : tsc) {
        std::string key = child(item, "topologyKey").IsScalar() ? child(item, "topologyKey").Scalar() : "";
        if (key == "topology.kubernetes.io/zone" || key == "failure-domain.beta.kubernetes.io/zone") {
          out.spread_zones = true;
          c.note(Kind::kMapped, r.pos(item), "topologySpreadConstraints " + key,
                 "zones: every zone of the component's region, instances round-robin (maxSkew 1)");
        } else {
          c.note(Kind::kIgnored, r.pos(item), "topologySpreadConstraints " + key,
                 key == "kubernetes.io/hostname" ? "every instance has its own host already" : "not modelled");
        }
      }
    }
  }
  c.rest(pod, "spec.template.spec.", pod_used);
  c.rest(doc, "", {"apiVersion", "kind", "metadata", "spec"}, "status and other top-level fields are not read");
  return out;
}

// Start offsets of the documents: a line that is "---" (maybe followed by a space or comment) starts one.
std::vector<std::pair<std::size_t, std::size_t>> split_documents(const std::string& text) {
  std::vector<std::pair<std::size_t, std::size_t>> docs;
  std::size_t start = 0, line = 0;
  while (line <= text.size()) {
    std::size_t end = text.find('\n', line);
    if (end == std::string::npos) end = text.size();
    std::string_view l(text.data() + line, end - line);
    if (l.starts_with("---") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r' || l[3] == '#')) {
      docs.push_back({start, line});
      start = end + 1 > text.size() ? text.size() : end + 1;
    }
    if (end >= text.size()) break;
    line = end + 1;
  }
  docs.push_back({start, text.size()});
  return docs;
}

}  // namespace

std::optional<double> parse_k8s_cpu(const std::string& text) {
  if (text.empty() || text.size() > 30) return std::nullopt;
  std::string num = text;
  double f = 1;
  if (num.back() == 'm') {
    f = 1e-3;
    num.pop_back();
  }
  auto v = core::parse_number(num);
  if (!v || *v < 0 || !std::isfinite(*v) || *v > 1e9) return std::nullopt;
  return *v * f;
}

std::optional<double> parse_k8s_memory(const std::string& text) {
  // resource.Quantity suffixes: binary Ki Mi Gi Ti Pi Ei, decimal k M G T P E (and m, which no one uses for memory).
  static const std::pair<const char*, double> kSuffixes[] = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0},
      {"k", 1e3},     {"M", 1e6},        {"G", 1e9},           {"T", 1e12},             {"P", 1e15}};
  if (text.empty() || text.size() > 30) return std::nullopt;
  for (const auto& [suffix, f] : kSuffixes) {
    if (text.ends_with(suffix)) {
      auto v = core::parse_number(text.substr(0, text.size() - std::string_view(suffix).size()));
      if (!v || *v < 0 || *v > 1e6) return std::nullopt;
      return *v * f;
    }
  }
  auto v = core::parse_number(text);
  if (!v || *v < 0 || *v > 1e18) return std::nullopt;
  return *v;
}

bool looks_like_kubernetes(const std::string& text) {
  return text.find("apiVersion:") != std::string::npos && text.find("kind:") != std::string::npos;
}

std::optional<K8sManifest> parse_kubernetes(const std::string& file, const std::string& text, Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  K8sManifest out;
  auto docs = split_documents(text);
  if (docs.size() > kMaxDocuments) {
    diags.add_source(file, text);
    diags.error(file, 0, 0, fmt::format("{} documents; expected at most {}", docs.size(), kMaxDocuments));
    return std::nullopt;
  }
  Reader r(file, diags);
  bool any = false;
  for (const auto& [begin, end] : docs) {
    // Blank out the other documents so that marks keep their lines and columns in the whole file.
    std::string doc_text;
    doc_text.reserve(end);
    for (std::size_t i = 0; i < begin; ++i) doc_text += text[i] == '\n' ? '\n' : ' ';
    doc_text.append(text, begin, end - begin);
    bool blank = doc_text.find_first_not_of(" \t\r\n") == std::string::npos;
    // A document of comments only is no object either.
    if (!blank) {
      bool only_comments = true;
      std::size_t i = begin;
      while (i < end) {
        std::size_t e = std::min(text.find('\n', i), end);
        std::string_view l(text.data() + i, e - i);
        auto first = l.find_first_not_of(" \t\r");
        if (first != std::string_view::npos && l[first] != '#') only_comments = false;
        i = e + 1;
      }
      blank = only_comments;
    }
    if (blank) continue;
    Diagnostics d;
    auto root = core::parse_yaml(file, doc_text, d, "a Kubernetes object with apiVersion and kind");
    diags.merge(d);
    diags.add_source(file, text);
    if (!root) continue;
    any = true;
    if (!root->IsMap()) {
      r.error(*root, fmt::format("expected a Kubernetes object (a mapping with apiVersion and kind), got {}",
                                 core::describe(*root)));
      continue;
    }
    YAML::Node kind = child(*root, "kind");
    if (!kind.IsDefined() || !child(*root, "apiVersion").IsDefined()) {
      r.error(*root, "not a Kubernetes object; expected apiVersion and kind at the top");
      continue;
    }
    auto k = r.string(kind, "a kind like Deployment");
    if (!k) continue;
    if (*k == "HorizontalPodAutoscaler") {
      if (auto h = read_hpa(r, *root)) out.hpas.push_back(std::move(*h));
    } else if (*k == "Deployment" || *k == "StatefulSet") {
      if (auto dep = read_deployment(r, *root)) {
        if (*k == "StatefulSet") {
          dep->notes.push_back({Kind::kIgnored, r.pos(kind), "kind StatefulSet",
                                "read as a Deployment: stable identities and volumes are not modelled"});
        }
        out.deployments.push_back(std::move(*dep));
      }
    } else {
      YAML::Node meta = child(*root, "metadata");
      std::string name = child(meta, "name").IsScalar() ? child(meta, "name").Scalar() : "";
      out.notes.push_back({Kind::kIgnored, r.pos(*root), fmt::format("{} {}", *k, name),
                           "only HorizontalPodAutoscaler and Deployment are read"});
    }
  }
  if (!any && diags.error_count() == errors_before) {
    diags.add_source(file, text);
    diags.error(file, 0, 0, "file is empty; expected a Kubernetes manifest with apiVersion and kind");
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return out;
}

namespace {

template <typename T>
std::optional<T> pick(const std::vector<T>& items, const std::string& name, const char* kind, const std::string& path,
                      const SourcePos& ref, Diagnostics& diags) {
  SourcePos at = ref.line > 0 ? ref : SourcePos{path, 0, 0};
  std::vector<std::string> names;
  for (const auto& i : items) names.push_back(i.name);
  if (name.empty()) {
    if (items.size() == 1) return items.front();
    diags.error(at,
                items.empty() ? fmt::format("{} has no {}; expected one", path, kind)
                              : fmt::format("{} has {} {}s ({}); expected the one to use to be named, like name: {}",
                                            path, items.size(), kind, fmt::join(names, ", "), names.front()));
    return std::nullopt;
  }
  for (const auto& i : items) {
    if (i.name == name) return i;
  }
  diags.error(at,
              core::unknown_name({.noun = kind, .name = name, .in = path, .none = "it has none"}, names));
  return std::nullopt;
}

std::optional<K8sManifest> load(const std::string& path, const SourcePos& ref, Diagnostics& diags) {
  std::string why = core::unreadable_reason(path);
  if (!why.empty() && ref.line > 0) {
    diags.error(ref,
                fmt::format("cannot read Kubernetes manifest '{}': {}; expected a readable file", path, why));
    return std::nullopt;
  }
  auto text = core::read_text_file(path, diags);
  if (!text) return std::nullopt;
  return parse_kubernetes(path, *text, diags);
}

}  // namespace

std::optional<K8sHpa> load_k8s_hpa(const std::string& path, const std::string& name, const SourcePos& ref,
                                   Diagnostics& diags) {
  auto m = load(path, ref, diags);
  if (!m) return std::nullopt;
  return pick(m->hpas, name, "HorizontalPodAutoscaler", path, ref, diags);
}

std::optional<K8sDeployment> load_k8s_deployment(const std::string& path, const std::string& name,
                                                 const SourcePos& ref, Diagnostics& diags) {
  auto m = load(path, ref, diags);
  if (!m) return std::nullopt;
  return pick(m->deployments, name, "Deployment", path, ref, diags);
}

}  // namespace sim::import
