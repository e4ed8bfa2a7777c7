#include "sim/topology/loader.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"
#include "sim/topology/pricing.h"
#include "sim/topology/rate_limits.h"
#include "sim/import/reference.h"

namespace sim::topology {
namespace {

using core::Diagnostics;
using core::MapView;
using core::Reader;
using core::set_if;

// Counts beyond these are typos, and would make a run explode.
constexpr long long kMaxInstances = 1000;
constexpr long long kMaxWorkers = 100000;
constexpr long long kMaxQueue = 10000000;

std::optional<HealthCheck> read_health_check(const Reader& r, const YAML::Node& n, const std::string& what,
                                             HealthCheck hc = HealthCheck{}) {
  MapView m(r, n, what, {"enabled", "interval", "timeout", "healthy_threshold", "unhealthy_threshold", "path"});
  if (!m.ok()) return std::nullopt;
  m.read("enabled", &Reader::boolean, &hc.enabled);
  m.read("interval", &Reader::positive_duration, &hc.interval);
  m.read("timeout", &Reader::positive_duration, &hc.timeout);
  m.read("healthy_threshold", &Reader::integer, &hc.healthy_threshold, 1, 100);
  m.read("unhealthy_threshold", &Reader::integer, &hc.unhealthy_threshold, 1, 100);
  // Also when one side is the default: "interval: 2s" alone keeps timeout 3s.
  if ((m.has("timeout") || m.has("interval")) && hc.timeout > hc.interval) {
    r.error(m.has("timeout") ? m.get("timeout") : m.get("interval"),
            fmt::format("health check timeout {}{} is longer than its interval {}{}; expected timeout <= interval",
                        core::format_duration(hc.timeout), m.has("timeout") ? "" : " (the default)",
                        core::format_duration(hc.interval), m.has("interval") ? "" : " (the default)"));
  }
  return hc;
}

// passive: off | {max_fails: 1, fail_timeout: 10s} (nginx) | {consecutive_errors: 5, ejection_time: 30s} (Envoy).
void read_passive(const Reader& r, const YAML::Node& n, PassiveHealth* p) {
  if (n.IsScalar()) {
    if (auto v = r.choice(n, "passive health", {"off"})) p->kind = PassiveHealth::Kind::kOff;
    return;
  }
  MapView m(r, n, "passive", {"max_fails", "fail_timeout", "consecutive_errors", "ejection_time"});
  if (!m.ok()) return;
  bool nginx = m.has("max_fails") || m.has("fail_timeout");
  bool envoy = m.has("consecutive_errors") || m.has("ejection_time");
  if (nginx && envoy) {
    r.error(n, "passive health mixes nginx's max_fails/fail_timeout with Envoy's consecutive_errors/ejection_time; "
               "expected one kind");
    return;
  }
  if (nginx) {
    p->kind = PassiveHealth::Kind::kNginx;
    if (m.has("max_fails")) {
      long long v = 1;
      m.read("max_fails", &Reader::integer, &v, 0, 1000);
      p->max_fails = static_cast<int>(v);
      if (v == 0) p->kind = PassiveHealth::Kind::kOff;  // nginx: max_fails=0 disables the accounting
    }
    m.read("fail_timeout", &Reader::positive_duration, &p->fail_timeout);
  } else if (envoy) {
    p->kind = PassiveHealth::Kind::kConsecutive;
    if (m.has("consecutive_errors")) {
      long long v = 5;
      m.read("consecutive_errors", &Reader::integer, &v, 1, 1000);
      p->max_fails = static_cast<int>(v);
    }
    m.read("ejection_time", &Reader::positive_duration, &p->fail_timeout);
  }
}

// retry: {on: [error, timeout], tries: 0, next_server: true, redispatch: false, delay: 0s, timeout: 0s, non_idempotent: false}
void read_lb_retry(const Reader& r, const YAML::Node& n, LbRetry* t) {
  if (n.IsScalar()) {
    if (r.choice(n, "retry", {"off"})) *t = LbRetry{};
    return;
  }
  MapView m(r, n, "retry", {"on", "tries", "next_server", "redispatch", "delay", "timeout", "non_idempotent"});
  if (!m.ok()) return;
  if (m.has("on") && r.is_seq(m.get("on"), "retry on")) {
    t->on_error = t->on_reset = t->on_connect_timeout = t->on_timeout = t->on_5xx = false;
    for (const auto& item : m.get("on")) {
      // nginx's names (proxy_next_upstream) and HAProxy's (retry-on conn-failure, empty-response).
      auto v = r.choice(item, "retry condition",
                        {"error", "connect_timeout", "timeout", "http_5xx", "conn_failure", "empty_response"});
      if (!v) continue;
      if (*v == "error") t->on_error = t->on_reset = true;
      if (*v == "conn_failure") t->on_error = t->on_connect_timeout = true;
      if (*v == "empty_response") t->on_reset = true;
      if (*v == "connect_timeout") t->on_connect_timeout = true;
      if (*v == "timeout") t->on_timeout = t->on_connect_timeout = true;
      if (*v == "http_5xx") t->on_5xx = true;
    }
  }
  if (m.has("tries")) {
    long long v = 1;
    m.read("tries", &Reader::integer, &v, 0, 1000);
    t->tries = static_cast<int>(v);
  }
  m.read("next_server", &Reader::boolean, &t->next_server);
  m.read("redispatch", &Reader::boolean, &t->redispatch);
  m.read("delay", &Reader::duration, &t->delay);
  m.read("timeout", &Reader::duration, &t->timeout);
  m.read("non_idempotent", &Reader::boolean, &t->non_idempotent);
}

// backoff: {exponential: {base: 100ms, multiplier: 2, max: 20s}} | {linear: {step: 50ms, max: 2s}} | {constant: 1s}
void read_backoff(const Reader& r, const YAML::Node& n, Backoff* b) {
  MapView m(r, n, "backoff", {"constant", "linear", "exponential"});
  if (!m.ok()) return;
  std::string kind = m.exactly_one_of({"constant", "linear", "exponential"}, true);
  if (kind.empty()) return;
  YAML::Node v = m.get(kind);
  if (kind == "constant") {
    b->kind = Backoff::Kind::kConstant;
    if (set_if(r.duration(v), &b->base)) b->max = std::max(b->max, b->base);
    return;
  }
  b->kind = kind == "linear" ? Backoff::Kind::kLinear : Backoff::Kind::kExponential;
  MapView bm(r, v, "backoff " + kind,
             kind == "linear" ? std::vector<std::string>{"step", "max"}
                              : std::vector<std::string>{"base", "multiplier", "max"});
  if (!bm.ok()) return;
  bm.read(kind == "linear" ? "step" : "base", &Reader::positive_duration, &b->base);
  bm.read("multiplier", &Reader::number, &b->multiplier, 1.0, 100.0);
  bm.read("max", &Reader::positive_duration, &b->max);
  if (b->max < b->base) {
    r.error(bm.has("max") ? bm.get("max") : v,
            fmt::format("backoff max {} is shorter than its first wait {}; expected max >= {}",
                        core::format_duration(b->max), core::format_duration(b->base),
                        kind == "linear" ? "step" : "base"));
  }
}

// retry: {attempts: 3, on: [error, timeout], backoff: {...}, jitter: full, budget: {ratio: 20%, min_per_second: 10, burst: 100}}
void read_retry_policy(const Reader& r, const YAML::Node& n, RetryPolicy* t) {
  if (n.IsScalar()) {
    if (r.choice(n, "retry", {"off"})) *t = RetryPolicy{};
    return;
  }
  MapView m(r, n, "retry", {"attempts", "on", "backoff", "jitter", "budget"});
  if (!m.ok()) return;
  m.read("attempts", &Reader::integer, &t->attempts, 1, 100);
  if (m.has("on") && r.is_seq(m.get("on"), "retry on")) {
    t->on_error = t->on_timeout = false;
    for (const auto& item : m.get("on")) {
      auto v = r.choice(item, "retry condition", {"error", "timeout"});
      if (!v) continue;
      if (*v == "error") t->on_error = true;
      if (*v == "timeout") t->on_timeout = true;
    }
    if (m.get("on").size() == 0) r.error(m.get("on"), "retry on nothing; expected [error], [timeout] or both");
  }
  if (m.has("backoff")) read_backoff(r, m.get("backoff"), &t->backoff);
  if (m.has("jitter")) {
    if (auto v = r.choice(m.get("jitter"), "jitter", {"none", "full", "equal", "decorrelated"})) {
      t->jitter = *v == "none" ? Jitter::kNone : *v == "full" ? Jitter::kFull : *v == "equal" ? Jitter::kEqual
                                                                                               : Jitter::kDecorrelated;
    }
  }
  if (m.has("budget")) {
    MapView bm(r, m.get("budget"), "retry budget", {"ratio", "min_per_second", "burst"});
    if (bm.ok()) {
      t->budget = true;
      bm.read("ratio", &Reader::ratio, &t->budget_ratio);
      bm.read("min_per_second", &Reader::number, &t->budget_min_per_second, 0.0, 1e9);
      t->budget_burst = std::max(1.0, 10 * t->budget_min_per_second);
      bm.read("burst", &Reader::number, &t->budget_burst, 1.0, 1e12);
      if (t->budget_ratio <= 0 && t->budget_min_per_second <= 0) {
        r.error(m.get("budget"), "a retry budget of ratio 0 and min_per_second 0 allows no retry; expected a "
                                 "positive ratio or min_per_second, or no retry");
      }
    }
  }
}

// breaker: {consecutive: 5, open: 60s, half_open_calls: 1} | {failure_rate: 50%, window: 100, min_calls: 100, open: 60s, half_open_calls: 10}
void read_breaker(const Reader& r, const YAML::Node& n, BreakerPolicy* b) {
  if (n.IsScalar()) {
    if (r.choice(n, "breaker", {"off"})) *b = BreakerPolicy{};
    return;
  }
  MapView m(r, n, "breaker", {"consecutive", "failure_rate", "window", "min_calls", "open", "half_open_calls"});
  if (!m.ok()) return;
  std::string kind = m.exactly_one_of({"consecutive", "failure_rate"}, true);
  if (kind.empty()) return;
  if (kind == "consecutive") {
    b->kind = BreakerPolicy::Kind::kConsecutive;
    b->half_open_calls = 1;  // Polly: one trial call
    m.read("consecutive", &Reader::integer, &b->consecutive, 1, 100000);
    for (const char* k : {"window", "min_calls"}) {
      if (m.has(k)) r.error(m.get(k), fmt::format("'{}' belongs to a failure_rate breaker; expected it only with failure_rate", k));
    }
  } else {
    b->kind = BreakerPolicy::Kind::kFailureRate;
    m.read("failure_rate", &Reader::ratio, &b->failure_rate);
    m.read("window", &Reader::integer, &b->window, 1, 100000);
    b->min_calls = b->window;
    m.read("min_calls", &Reader::integer, &b->min_calls, 1, 100000);
    if (b->failure_rate <= 0) r.error(m.get("failure_rate"), "failure_rate 0 opens on any call; expected a rate above 0");
    if (b->min_calls > b->window) {
      r.error(m.get("min_calls"), fmt::format("min_calls {} exceeds window {}; expected min_calls <= window",
                                              b->min_calls, b->window));
    }
  }
  m.read("open", &Reader::positive_duration, &b->open);
  m.read("half_open_calls", &Reader::integer, &b->half_open_calls, 1, 100000);
}

// calls: {cache: {timeout: 1s, retry: {...}, breaker: {...}}, db: {...}}
void read_call_policies(const Reader& r, const YAML::Node& n, std::map<std::string, CallPolicy>* out) {
  MapView m(r, n, "calls", {});
  if (!m.ok()) return;
  for (const std::string& k : m.keys()) {
    CallPolicy cp;
    cp.pos = r.pos(m.key_mark(k));
    MapView pm(r, m.get(k), fmt::format("calls to '{}'", k), {"timeout", "retry", "breaker"});
    if (!pm.ok()) continue;
    pm.read("timeout", &Reader::positive_duration, &cp.timeout);
    if (pm.has("retry")) read_retry_policy(r, pm.get("retry"), &cp.retry);
    if (pm.has("breaker")) read_breaker(r, pm.get("breaker"), &cp.breaker);
    (*out)[k] = cp;
  }
}

// "hit_ratio: 0.8" or "hit_ratio: {static: 95%, api_read: 0}".
void read_hit_ratios(const Reader& r, const YAML::Node& n, double* def, std::map<std::string, double>* per_class,
                     std::vector<std::pair<std::string, SourcePos>>* class_refs) {
  if (n.IsScalar()) {
    set_if(r.ratio(n), def);
    return;
  }
  MapView m(r, n, "hit_ratio", {});
  if (!m.ok()) return;
  for (const std::string& k : m.keys()) {
    auto v = r.ratio(m.get(k));
    if (!v) continue;
    if (k == "default") {
      *def = *v;
    } else {
      (*per_class)[k] = *v;
      class_refs->push_back({k, r.pos(m.key_mark(k))});
    }
  }
}

// A population's skew: "uniform" or {zipf: 1.1}; nullopt (reported) when neither.
std::optional<double> read_skew(const Reader& r, const YAML::Node& n) {
  constexpr const char* kExpected = "expected uniform or {zipf: s} with s in [0, 10], like {zipf: 1.1}";
  if (n.IsScalar()) {
    if (n.Scalar() == "uniform") return 0.0;
    r.error(n, fmt::format("unknown skew '{}'; {}", n.Scalar(), kExpected));
    return std::nullopt;
  }
  if (!n.IsMap()) {
    r.error(n, fmt::format("skew is {}; {}", core::describe(n), kExpected));
    return std::nullopt;
  }
  MapView m(r, n, "skew", {"zipf"});
  if (!m.ok()) return std::nullopt;
  YAML::Node z = m.require("zipf", "the Zipf exponent, like zipf: 1.1");
  if (!z.IsDefined()) return std::nullopt;
  return r.number(z, 0, 10);
}

// users: {count: 10000, skew: uniform}
void read_users(const Reader& r, const YAML::Node& n, Topology* t) {
  MapView m(r, n, "users", {"count", "skew"});
  if (!m.ok()) return;
  t->users.pos = r.pos(n);
  YAML::Node count = m.require("count", "the number of users, like count: 10000");
  if (count.IsDefined()) {
    if (auto c = r.integer(count, 1, 1000000000000LL)) t->users.count = static_cast<std::uint64_t>(*c);
  }
  if (m.has("skew")) set_if(read_skew(r, m.get("skew")), &t->users.zipf);
}

// cache keys: {api: {count: 100000, zipf: 0.9, size: 8KB, ttl: 5m}}
void read_cache_keys(const Reader& r, const YAML::Node& n, std::map<std::string, CacheKeys>* out,
                     std::vector<std::pair<std::string, SourcePos>>* class_refs) {
  MapView m(r, n, "keys", {});
  if (!m.ok()) return;
  for (const std::string& k : m.keys()) {
    MapView km(r, m.get(k), fmt::format("keys of '{}'", k), {"count", "per_user", "zipf", "size", "ttl"});
    if (!km.ok()) continue;
    CacheKeys ck;
    ck.pos = r.pos(m.key_mark(k));
    std::string how = km.exactly_one_of({"count", "per_user"}, false);
    if (how == "count") {
      if (auto c = r.integer(km.get("count"), 1, 1000000000000LL)) ck.count = static_cast<std::uint64_t>(*c);
    } else if (how == "per_user") {
      if (auto c = r.number(km.get("per_user"), 0, 1e6)) {
        if (*c <= 0) {
          r.error(km.get("per_user"), "per_user 0 leaves no keys; expected the keys per user, like per_user: 1");
        } else {
          ck.per_user = *c;
        }
      }
    } else if (!km.misspelled("count") && !km.misspelled("per_user")) {
      r.error(m.get(k), fmt::format("keys of '{}' has neither count nor per_user; expected the number of distinct keys, "
                                    "like count: 100000, or per_user: 1",
                                    k));
    }
    km.read("zipf", &Reader::number, &ck.zipf, 0.0, 10.0);
    if (km.has("size")) {
      if (auto sz = r.size(km.get("size"))) {
        if (*sz <= 0) {
          r.error(km.get("size"), "object size 0; expected the bytes of one cached object, like size: 2KB");
        } else {
          ck.size = *sz;
        }
      }
    }
    km.read("ttl", &Reader::duration, &ck.ttl);
    (*out)[k] = ck;
    class_refs->push_back({k, ck.pos});
  }
}

// ha: none | {sentinel: {down_after: 5s, quorum: 2, sentinels: 3}} | {cluster: {node_timeout: 15s}}
std::optional<CacheHa> read_cache_ha(const Reader& r, const YAML::Node& n) {
  CacheHa ha;
  ha.pos = r.pos(n);
  if (n.IsScalar() && n.Scalar() == "none") return ha;
  constexpr const char* kExpected = "expected none, {sentinel: {down_after: 5s}} or {cluster: {node_timeout: 15s}}";
  if (!n.IsMap()) {
    r.error(n, fmt::format("ha is {}; {}", core::describe(n), kExpected));
    return std::nullopt;
  }
  MapView m(r, n, "ha", {"sentinel", "cluster"});
  if (!m.ok()) return std::nullopt;
  std::string mode = m.exactly_one_of({"sentinel", "cluster"}, true);
  if (mode.empty()) return std::nullopt;
  YAML::Node v = m.get(mode);
  if (v.IsNull()) v = YAML::Node(YAML::NodeType::Map);  // "sentinel:" alone: the defaults
  if (mode == "sentinel") {
    ha.mode = CacheHa::Mode::kSentinel;
    MapView sm(r, v, "sentinel", {"down_after", "quorum", "sentinels"});
    if (!sm.ok()) return std::nullopt;
    sm.read("down_after", &Reader::positive_duration, &ha.down_after);
    sm.read("sentinels", &Reader::integer, &ha.sentinels, 1, 100);
    sm.read("quorum", &Reader::integer, &ha.quorum, 1, 100);
    if (ha.quorum > ha.sentinels) {
      r.error(sm.has("quorum") ? sm.get("quorum") : v,
              fmt::format("sentinel quorum {} is above the {} sentinels; expected quorum <= sentinels", ha.quorum,
                          ha.sentinels));
      return std::nullopt;
    }
  } else {
    ha.mode = CacheHa::Mode::kCluster;
    MapView cm(r, v, "cluster", {"node_timeout"});
    if (!cm.ok()) return std::nullopt;
    cm.read("node_timeout", &Reader::positive_duration, &ha.node_timeout);
  }
  return ha;
}

// persistence: none | {rdb: {every: 5m}} | {aof: {fsync: everysec}} | both, and load_rate.
std::optional<CachePersistence> read_persistence(const Reader& r, const YAML::Node& n) {
  CachePersistence p;
  p.pos = r.pos(n);
  p.given = true;
  if (n.IsScalar() && n.Scalar() == "none") return p;
  constexpr const char* kExpected = "expected none, {rdb: {every: 5m}} or {aof: {fsync: everysec}}";
  if (!n.IsMap()) {
    r.error(n, fmt::format("persistence is {}; {}", core::describe(n), kExpected));
    return std::nullopt;
  }
  MapView m(r, n, "persistence", {"rdb", "aof", "load_rate"});
  if (!m.ok()) return std::nullopt;
  if (!m.has("rdb") && !m.has("aof")) {
    r.error(n, fmt::format("persistence has neither rdb nor aof; {}", kExpected));
    return std::nullopt;
  }
  if (m.has("rdb")) {
    MapView rm(r, m.get("rdb"), "rdb", {"every"});
    if (!rm.ok()) return std::nullopt;
    YAML::Node every = rm.require("every", "the snapshot period, like every: 5m");
    if (!every.IsDefined() || !set_if(r.positive_duration(every), &p.rdb_every)) return std::nullopt;
  }
  if (m.has("aof")) {
    p.aof = true;
    YAML::Node a = m.get("aof");
    if (!a.IsNull()) {
      MapView am(r, a, "aof", {"fsync"});
      if (!am.ok()) return std::nullopt;
      if (am.has("fsync")) {
        auto f = r.choice(am.get("fsync"), "appendfsync", {"always", "everysec", "no"});
        if (!f) return std::nullopt;
        p.fsync = *f == "always" ? CachePersistence::Fsync::kAlways
                  : *f == "no"   ? CachePersistence::Fsync::kNo
                                 : CachePersistence::Fsync::kEverysec;
      }
    }
  }
  if (m.has("load_rate")) {
    auto rate = r.bandwidth(m.get("load_rate"));
    if (!rate) return std::nullopt;
    if (*rate <= 0) {
      r.error(m.get("load_rate"), "load_rate 0 would never load; expected a rate like 100MB/s");
      return std::nullopt;
    }
    p.load_rate = *rate;
  }
  return p;
}

const std::vector<std::string> kDistributionKeys = {"constant", "exponential", "lognormal", "uniform", "empirical"};

// "service_time: 5ms", "service_time: {exponential: {mean: 5ms}}" or a map class -> distribution.
void read_times(const Reader& r, const YAML::Node& n, ServiceTimes* out,
                std::vector<std::pair<std::string, SourcePos>>* class_refs, bool read_write_keys = false) {
  bool is_distribution = n.IsScalar();
  if (n.IsMap()) {
    // A key that is (nearly) a distribution's name makes it one: "exponentail: {mean: 5ms}"
    // is then reported as a typo, not as an unknown request class with an unknown key inside.
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it->first.IsScalar() && !core::closest_match(it->first.Scalar(), kDistributionKeys).empty()) {
        is_distribution = true;
      }
    }
  }
  if (is_distribution) {
    if (auto d = core::read_distribution(r, n)) (*out)["default"] = *d;
    return;
  }
  MapView m(r, n, "service times", {});
  if (!m.ok()) return;
  for (const std::string& k : m.keys()) {
    if (auto d = core::read_distribution(r, m.get(k))) {
      (*out)[k] = *d;
      bool generic = k == "default" || (read_write_keys && (k == "read" || k == "write"));
      if (!generic) class_refs->push_back({k, r.pos(m.key_mark(k))});
    }
  }
}

struct Pending {
  // References checked once every component and class is known.
  std::vector<std::pair<std::string, SourcePos>> class_refs;  // hit ratio / service time keys
  std::vector<std::pair<std::string, SourcePos>> region_refs;
  std::vector<std::pair<std::string, SourcePos>> zone_refs;   // zone, with the component's region in region_of
  std::vector<std::pair<std::string, SourcePos>> component_refs;
  std::vector<std::pair<std::string, SourcePos>> host_refs;   // `host:` / `hosts:` of components
  std::map<std::string, SourcePos> cores_keys;                // components that set `cores` (not allowed on a shared host)
  std::map<std::string, SourcePos> cpus_keys;                 // where each `cpus` is written
  std::set<std::string> broken;  // components whose kind is unknown: skip rules that depend on it
  // `from:` references (sim/import/reference.h).
  std::set<std::string> spread_zones;                               // Kubernetes topologySpreadConstraints on zones
  std::map<std::string, std::pair<HealthCheck, SourcePos>> lb_health;  // backend -> the check of the LB in front
  std::set<std::string> own_health_check;                           // load balancers that write health_check
  std::vector<ImportNote> imported;
};

// restart: always | on-failure | unless-stopped | no (Docker's names; `never` is Kubernetes' `no`)
//   or {policy: always, by: docker | kubernetes, max_retries: 0, backoff: {initial, max, reset_after, immediate_first}}
void read_restart(const Reader& r, const YAML::Node& n, RestartSpec* out) {
  static const std::vector<std::string> kPolicies = {"no", "never", "always", "on-failure", "unless-stopped"};
  auto policy_of = [](const std::string& v) {
    if (v == "always") return RestartSpec::Policy::kAlways;
    if (v == "on-failure") return RestartSpec::Policy::kOnFailure;
    if (v == "unless-stopped") return RestartSpec::Policy::kUnlessStopped;
    return RestartSpec::Policy::kNo;
  };
  if (n.IsScalar()) {
    if (auto v = r.choice(n, "restart policy", kPolicies)) {
      *out = restart_defaults(*v == "never" ? RestartSpec::By::kKubernetes : RestartSpec::By::kDocker);
      out->policy = policy_of(*v);
    }
    return;
  }
  MapView m(r, n, "restart", {"policy", "by", "max_retries", "backoff"});
  if (!m.ok()) return;
  RestartSpec::By by = RestartSpec::By::kDocker;
  if (m.has("by")) {
    if (auto b = r.choice(m.get("by"), "restart supervisor", {"docker", "kubernetes"})) {
      by = *b == "kubernetes" ? RestartSpec::By::kKubernetes : RestartSpec::By::kDocker;
    }
  }
  RestartSpec spec = restart_defaults(by);
  YAML::Node policy = m.require("policy", "a restart policy, like policy: always");
  if (policy.IsDefined()) {
    if (auto v = r.choice(policy, "restart policy", kPolicies)) {
      spec.policy = policy_of(*v);
      if (by == RestartSpec::By::kKubernetes && *v == "unless-stopped") {
        r.error(policy, "Kubernetes has no restart policy 'unless-stopped'; expected always, on-failure or never");
      }
    }
  } else {
    spec.policy = RestartSpec::Policy::kAlways;  // reported; keep reading
  }
  if (m.has("max_retries")) {
    m.read("max_retries", &Reader::integer, &spec.max_retries, 0, 1000000);
    if (spec.policy != RestartSpec::Policy::kOnFailure) {
      r.error(m.get("max_retries"), fmt::format("max_retries applies to the on-failure policy (Docker's on-failure:N); "
                                                "expected it only with policy: on-failure, got policy: {}",
                                                restart_policy_name(spec.policy)));
    }
  }
  if (m.has("backoff")) {
    MapView b(r, m.get("backoff"), "restart backoff", {"initial", "max", "reset_after", "immediate_first"});
    if (b.ok()) {
      b.read("initial", &Reader::duration, &spec.initial);
      b.read("max", &Reader::duration, &spec.max);
      b.read("reset_after", &Reader::duration, &spec.reset_after);
      b.read("immediate_first", &Reader::boolean, &spec.immediate_first);
      if (spec.max < spec.initial) {
        r.error(b.has("max") ? b.get("max") : b.get("initial"),
                fmt::format("restart backoff max {} is below its initial delay {}; expected initial <= max",
                            core::format_duration(spec.max), core::format_duration(spec.initial)));
      }
    }
  }
  *out = spec;
}

// liveness: {period: 10s, timeout: 1s, failure_threshold: 3, initial_delay: 0s} (Kubernetes' defaults; {} = all defaults)
void read_liveness(const Reader& r, const YAML::Node& n, LivenessSpec* out) {
  MapView m(r, n, "liveness", {"period", "timeout", "failure_threshold", "initial_delay"});
  if (!m.ok()) return;
  LivenessSpec l;
  l.enabled = true;
  m.read("period", &Reader::positive_duration, &l.period);
  m.read("timeout", &Reader::positive_duration, &l.timeout);
  m.read("failure_threshold", &Reader::integer, &l.failure_threshold, 1, 1000);
  m.read("initial_delay", &Reader::duration, &l.initial_delay);
  if (l.timeout > l.period) {
    r.error(m.has("timeout") ? m.get("timeout") : m.get("period"),
            fmt::format("liveness timeout {}{} is longer than its period {}{}; expected timeout <= period",
                        core::format_duration(l.timeout), m.has("timeout") ? "" : " (the default)",
                        core::format_duration(l.period), m.has("period") ? "" : " (the default)"));
  }
  *out = l;
}

// hosts: {docker-host: {zone: z, cores: 8, description: ...}}
void read_hosts(const Reader& r, const YAML::Node& n, Topology* t, Pending* p) {
  MapView m(r, n, "hosts", {});
  if (!m.ok()) return;
  for (const std::string& k : m.keys()) {
    Host h;
    h.name = k;
    h.pos = r.pos(m.key_mark(k));
    YAML::Node key_node;  // the first one: later duplicates are reported by MapView
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == k) {
        key_node.reset(it->first);
        break;
      }
    }
    if (!r.identifier(key_node)) continue;
    MapView hm(r, m.get(k), fmt::format("host '{}'", k), {"zone", "cores", "sharing", "description"});
    if (!hm.ok()) continue;
    if (hm.has("zone")) {
      if (auto z = r.identifier(hm.get("zone"))) {
        h.zone = *z;
        p->zone_refs.push_back({*z, r.pos(hm.get("zone"))});
      }
    }
    hm.read("cores", &Reader::integer, &h.cores, 1, 1024);
    if (hm.has("sharing")) {
      if (auto v = r.choice(hm.get("sharing"), "CPU sharing", {"containers", "processes"})) h.share_by_process = *v == "processes";
    }
    hm.read("description", &Reader::string, &h.description, "a string");
    t->hosts.push_back(std::move(h));
  }
}

// The spec a `from:` reference gave (or the defaults), for the written keys to be read over.
template <typename S>
S start_from(const std::optional<import::FromResult>& from) {
  if (from) {
    if (const S* s = std::get_if<S>(&from->base.spec)) return *s;
  }
  return S{};
}

void read_component(const Reader& r, const std::string& name, const YAML::Node& n, Component* c, Pending* p) {
  c->name = name;
  c->pos = r.pos(n);
  p->broken.insert(name);  // until its kind is known
  std::string what = fmt::format("component '{}'", name);
  if (!r.is_map(n, what)) return;
  // Read the kind first: it decides which keys are allowed.
  YAML::Node kind_node(YAML::NodeType::Undefined);  // a default Node is a defined null
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "kind") kind_node.reset(it->second);
  }
  if (!kind_node.IsDefined()) {
    r.error(n, fmt::format("missing key 'kind' in {}; expected one of cdn, load_balancer, service, cache, database, "
                           "queue, storage",
                           what));
    return;
  }
  auto kind = r.choice(kind_node, "component kind",
                       {"cdn", "load_balancer", "service", "cache", "database", "queue", "storage"});
  if (!kind) return;
  p->broken.erase(name);
  std::vector<std::string> common = {"kind", "description", "region", "zone", "zones", "cost", "from"};
  // Keys of anything with instances (every kind but a CDN): placement on shared hosts and
  // what brings an instance back.
  const std::vector<std::string> instance_keys = {"host", "hosts", "cpus", "restart", "liveness", "replace"};
  std::optional<import::FromResult> from;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != "from") continue;
    if (auto ref = import::read_from(r, it->second)) {
      static const std::map<std::string, Kind> kKinds = {
          {"cdn", Kind::kCdn},     {"load_balancer", Kind::kLoadBalancer}, {"service", Kind::kService},
          {"cache", Kind::kCache}, {"database", Kind::kDatabase},          {"queue", Kind::kQueue},
          {"storage", Kind::kStorage}};
      from = import::component_from(*ref, kKinds.at(*kind), name, r.diags());
      if (from) {
        if (from->spread_zones) p->spread_zones.insert(name);
        if (from->lb_health) p->lb_health[name] = {*from->lb_health, ref->pos};
        p->imported.insert(p->imported.end(), from->notes.begin(), from->notes.end());
      }
    }
  }
  auto keys = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), common.begin(), common.end());
    if (*kind != "cdn") extra.insert(extra.end(), instance_keys.begin(), instance_keys.end());
    return extra;
  };
  auto read_common = [&](const MapView& m) {
    m.read("description", &Reader::string, &c->description, "a string");
    if (m.has("cost")) read_component_cost(r, m.get("cost"), c);
    if (m.has("region")) {
      if (auto reg = r.identifier(m.get("region"))) {
        c->region = *reg;
        p->region_refs.push_back({*reg, r.pos(m.get("region"))});
      }
    }
    std::string z = m.exactly_one_of({"zone", "zones"}, false);
    if (z == "zone") {
      if (auto zone = r.identifier(m.get("zone"))) {
        c->zones.push_back(*zone);
        p->zone_refs.push_back({*zone, r.pos(m.get("zone"))});
      }
    } else if (z == "zones" && r.is_seq(m.get("zones"), "zones")) {
      for (const auto& item : m.get("zones")) {
        if (auto zone = r.identifier(item)) {
          c->zones.push_back(*zone);
          p->zone_refs.push_back({*zone, r.pos(item)});
        }
      }
    }
    if (*kind == "cdn") return;
    std::string h = m.exactly_one_of({"host", "hosts"}, false);
    if (!h.empty() && !z.empty()) {
      r.error(m.key_mark(z), fmt::format("{} '{}' runs on shared hosts, which have their zones; expected {} or {}, not "
                                         "both",
                                         *kind, name, h, z));
    }
    if (h == "host") {
      if (auto host = r.identifier(m.get("host"))) {
        c->hosts.push_back(*host);
        p->host_refs.push_back({*host, r.pos(m.get("host"))});
      }
    } else if (h == "hosts" && r.is_seq(m.get("hosts"), "hosts")) {
      if (m.get("hosts").size() == 0) r.error(m.get("hosts"), "hosts is empty; expected at least one host name");
      for (const auto& item : m.get("hosts")) {
        if (auto host = r.identifier(item)) {
          c->hosts.push_back(*host);
          p->host_refs.push_back({*host, r.pos(item)});
        }
      }
    }
    if (m.has("cpus")) {
      if (auto v = r.number(m.get("cpus"), 0, 1024)) {
        if (*v <= 0) {
          r.error(m.get("cpus"), "cpus must be above 0; expected a number of cores like 0.5 or 2 (Docker's --cpus)");
        } else {
          c->cpus = *v;
          p->cpus_keys[name] = r.pos(m.get("cpus"));
        }
      }
    }
    if (m.has("cores")) p->cores_keys[name] = r.pos(m.key_mark("cores"));
    if (from) c->restart = from->base.restart;  // a compose file's restart:, unless written here
    if (from) c->liveness = from->base.liveness;  // a Deployment's livenessProbe, unless written here
    if (m.has("restart")) read_restart(r, m.get("restart"), &c->restart);
    if (m.has("liveness")) read_liveness(r, m.get("liveness"), &c->liveness);
    if (m.has("replace")) {
      // replace: true | false | {after: 5m40s}
      const YAML::Node& v = m.get("replace");
      if (v.IsMap()) {
        MapView rm(r, v, "replace", {"after"});
        if (rm.ok()) {
          c->replace.enabled = true;
          rm.read("after", &Reader::duration, &c->replace.after);
        }
      } else {
        m.read("replace", &Reader::boolean, &c->replace.enabled);
      }
      if (c->replace.enabled && *kind != "service") {
        r.error(m.key_mark("replace"),
                fmt::format("replace applies to services (a Deployment's stateless pods); a {} keeps state, and "
                            "Kubernetes does not move a StatefulSet's pod off a lost node by itself; expected it on "
                            "a service",
                            *kind));
      }
    }
    // A liveness kill needs something to restart the instance: Kubernetes' default policy is Always.
    if (c->liveness.enabled && !c->restart.enabled()) {
      c->restart = restart_defaults(RestartSpec::By::kKubernetes);
      c->restart.policy = RestartSpec::Policy::kAlways;
    }
  };

  if (*kind == "cdn") {
    c->kind = Kind::kCdn;
    c->spec = CdnSpec{};
    MapView m(r, n, what, keys({"edge_latency", "hit_ratio", "edge_regions"}));
    if (!m.ok()) return;
    read_common(m);
    auto s = start_from<CdnSpec>(from);
    m.read("edge_latency", &Reader::duration, &s.edge_latency);
    if (m.has("hit_ratio")) read_hit_ratios(r, m.get("hit_ratio"), &s.default_hit_ratio, &s.hit_ratio, &p->class_refs);
    if (m.has("edge_regions") && r.is_seq(m.get("edge_regions"), "edge_regions")) {
      for (const auto& item : m.get("edge_regions")) {
        if (auto reg = r.identifier(item)) {
          s.edge_regions.push_back(*reg);
          p->region_refs.push_back({*reg, r.pos(item)});
        }
      }
    }
    c->spec = s;
  } else if (*kind == "load_balancer") {
    c->kind = Kind::kLoadBalancer;
    c->spec = LoadBalancerSpec{};
    MapView m(r, n, what,
              keys({"flavor", "replicas", "algorithm", "latency", "health_check", "rate_limit", "weights", "backup",
                    "steering", "passive", "retry", "connect_timeout", "read_timeout", "slow_start", "processes",
                    "shared_state", "discovery"}));
    if (!m.ok()) return;
    read_common(m);
    // The product first: its defaults are what the other keys override. A `from:` file is a product
    // already (an nginx upstream is flavor nginx): its values are the base, and a different flavor
    // written beside it would silently discard them.
    const LoadBalancerSpec* imported = from ? std::get_if<LoadBalancerSpec>(&from->base.spec) : nullptr;
    LbFlavor flavor = imported ? imported->flavor : LbFlavor::kGeneric;
    if (m.has("flavor")) {
      static const std::vector<std::string> kFlavors = {"generic", "nginx", "haproxy", "alb", "envoy", "traefik"};
      if (auto f = r.choice(m.get("flavor"), "load balancer flavor", kFlavors)) {
        auto written = static_cast<LbFlavor>(std::find(kFlavors.begin(), kFlavors.end(), *f) - kFlavors.begin());
        if (imported && written != imported->flavor) {
          r.error(m.get("flavor"), fmt::format("flavor: {} contradicts the from: file, which describes {}; expected "
                                               "flavor: {} or no flavor (the file sets it)",
                                               *f, flavor_name(imported->flavor), flavor_name(imported->flavor)));
        }
        flavor = written;
      }
    }
    LoadBalancerSpec s = imported ? *imported : flavor_defaults(flavor);
    m.read("replicas", &Reader::integer, &s.replicas, 1, kMaxInstances);
    if (m.has("algorithm")) {
      static const std::vector<std::string> kAlgs = {"round_robin", "least_conn", "weighted", "random",
                                                     "power_of_two"};
      if (auto a = r.choice(m.get("algorithm"), "load balancing algorithm", kAlgs)) {
        auto i = std::find(kAlgs.begin(), kAlgs.end(), *a) - kAlgs.begin();
        s.algorithm = static_cast<LbAlgorithm>(i);
      }
    }
    m.read("latency", &Reader::duration, &s.latency);
    if (m.has("health_check")) {
      // A check written out is on, also for a product whose default has none (nginx open source).
      p->own_health_check.insert(name);
      topology::HealthCheck written = s.health_check;
      written.enabled = true;
      if (auto hc = read_health_check(r, m.get("health_check"), "health_check", written)) s.health_check = *hc;
    }
    if (m.has("rate_limit")) {  // written limits replace a from: file's
      s.rate_limits.clear();
      read_rate_limits(r, m.get("rate_limit"), &s.rate_limits);
    }
    if (m.has("weights") && r.is_seq(m.get("weights"), "weights")) {
      s.weights.clear();  // written weights replace a from: file's ([] for none: every instance alike)
      for (const auto& item : m.get("weights")) {
        if (auto w = r.number(item, 0, 1e6)) s.weights.push_back(*w);
      }
    }
    m.read("backup", &Reader::integer, &s.backup, 0, kMaxInstances);
    if (m.has("steering")) {
      if (auto st = r.choice(m.get("steering"), "steering", {"none", "region"})) s.steer_by_region = *st == "region";
    }
    if (m.has("passive")) read_passive(r, m.get("passive"), &s.passive);
    if (m.has("retry")) read_lb_retry(r, m.get("retry"), &s.retry);
    m.read("connect_timeout", &Reader::duration, &s.connect_timeout);
    m.read("read_timeout", &Reader::duration, &s.read_timeout);
    m.read("slow_start", &Reader::duration, &s.slow_start);
    m.read("processes", &Reader::integer, &s.processes, 1, 1024);
    m.read("shared_state", &Reader::boolean, &s.shared_state);
    if (m.has("discovery")) {
      if (auto d = r.choice(m.get("discovery"), "backend discovery", {"checks", "docker"})) {
        s.discovery = *d == "docker" ? LoadBalancerSpec::Discovery::kDocker : LoadBalancerSpec::Discovery::kChecks;
      }
    }
    c->spec = s;
  } else if (*kind == "service") {
    c->kind = Kind::kService;
    c->spec = ServiceSpec{};
    MapView m(r, n, what,
              keys({"replicas", "cores", "memory", "memory_base", "memory_per_request", "workers", "queue_limit",
                    "timeout", "boot_time", "service_time", "calls"}));
    if (!m.ok()) return;
    read_common(m);
    auto s = start_from<ServiceSpec>(from);
    m.read("replicas", &Reader::integer, &s.replicas, 1, kMaxInstances);
    m.read("cores", &Reader::integer, &s.cores, 1, 1024);
    m.read("memory", &Reader::size, &s.memory);
    m.read("memory_base", &Reader::size, &s.memory_base);
    m.read("memory_per_request", &Reader::size, &s.memory_per_request);
    m.read("workers", &Reader::integer, &s.workers, 1, kMaxWorkers);
    m.read("queue_limit", &Reader::integer, &s.queue_limit, 0, kMaxQueue);
    m.read("timeout", &Reader::positive_duration, &s.timeout);
    m.read("boot_time", &Reader::duration, &s.boot_time);
    if (m.has("calls")) read_call_policies(r, m.get("calls"), &s.calls);
    if (m.has("service_time")) {
      read_times(r, m.get("service_time"), &s.service_time, &p->class_refs);
    } else if (!m.misspelled("service_time")) {
      r.error(n, fmt::format("missing key 'service_time' in {}; expected the CPU time per request, like "
                             "service_time: {{exponential: {{mean: 20ms}}}}",
                             what));
    }
    if (s.memory > 0 && s.memory_base > s.memory) {
      r.error(m.get("memory_base"), fmt::format("memory_base {} exceeds memory {}; expected memory_base <= memory",
                                                core::format_size(s.memory_base), core::format_size(s.memory)));
    }
    c->spec = s;
  } else if (*kind == "cache") {
    c->kind = Kind::kCache;
    c->spec = CacheSpec{};
    MapView m(r, n, what,
              keys({"nodes", "replicas", "cores", "hit_ratio", "service_time", "warmup", "engine", "memory", "keys",
                    "ha", "persistence"}));
    if (!m.ok()) return;
    read_common(m);
    auto s = start_from<CacheSpec>(from);
    m.read("engine", &Reader::string, &s.engine, "a string");
    m.read("nodes", &Reader::integer, &s.nodes, 1, kMaxInstances);
    m.read("replicas", &Reader::integer, &s.replicas, 0, 16);
    if (s.nodes * (1 + s.replicas) > kMaxInstances) {
      r.error(m.get("replicas"), fmt::format("{} nodes with {} replicas each make {} instances; expected at most {}",
                                             s.nodes, s.replicas, s.nodes * (1 + s.replicas), kMaxInstances));
    }
    m.read("cores", &Reader::integer, &s.cores, 1, 1024);
    if (m.has("hit_ratio")) read_hit_ratios(r, m.get("hit_ratio"), &s.default_hit_ratio, &s.hit_ratio, &p->class_refs);
    if (m.has("service_time")) {
      if (auto d = core::read_distribution(r, m.get("service_time"))) s.service_time = *d;
    }
    m.read("warmup", &Reader::duration, &s.warmup);
    m.read("memory", &Reader::size, &s.memory);
    if (m.has("keys")) read_cache_keys(r, m.get("keys"), &s.keys, &p->class_refs);
    if (m.has("ha")) set_if(read_cache_ha(r, m.get("ha")), &s.ha);
    if (m.has("persistence")) set_if(read_persistence(r, m.get("persistence")), &s.persistence);
    if (!s.keys.empty() && s.memory <= 0 && !m.misspelled("memory")) {
      r.error(m.has("memory") ? m.get("memory") : m.get("keys"),
              fmt::format("cache '{}' models its hit ratio from keys but has no memory; expected the memory of a "
                          "node, like memory: 4GiB",
                          name));
    }
    for (const auto& [cls, k] : s.keys) {
      if (s.hit_ratio.count(cls)) {
        r.error(k.pos, fmt::format("request class '{}' has both a hit_ratio and keys in cache '{}'; expected one: "
                                   "keys model the hit ratio",
                                   cls, name));
      }
    }
    c->spec = s;
  } else if (*kind == "database") {
    c->kind = Kind::kDatabase;
    c->spec = DatabaseSpec{};
    MapView m(r, n, what,
              keys({"engine", "shards", "size", "replicas", "cores", "max_connections", "reads_from_replicas", "pool",
                    "query_time", "replication", "failover", "backup"}));
    if (!m.ok()) return;
    read_common(m);
    auto s = start_from<DatabaseSpec>(from);
    m.read("engine", &Reader::string, &s.engine, "a string");
    m.read("shards", &Reader::integer, &s.shards, 1, 1024);
    m.read("size", &Reader::size, &s.size);
    m.read("replicas", &Reader::integer, &s.replicas, 0, kMaxInstances);
    if (s.instances() > kMaxInstances) {
      r.error(m.has("shards") ? m.get("shards") : m.get("replicas"),
              fmt::format("{} shards with {} replicas each make {} instances; expected at most {}", s.shards,
                          s.replicas, s.instances(), kMaxInstances));
    }
    m.read("cores", &Reader::integer, &s.cores, 1, 1024);
    m.read("max_connections", &Reader::integer, &s.max_connections, 1, 1000000);
    m.read("reads_from_replicas", &Reader::boolean, &s.reads_from_replicas);
    if (m.has("pool")) {
      MapView pm(r, m.get("pool"), "pool", {"min", "max", "acquire_timeout"});
      if (pm.ok()) {
        pm.read("min", &Reader::integer, &s.pool.min, 0, 100000);
        pm.read("max", &Reader::integer, &s.pool.max, 1, 100000);
        pm.read("acquire_timeout", &Reader::positive_duration, &s.pool.acquire_timeout);
        if (s.pool.min > s.pool.max) {
          r.error(pm.get("min"), fmt::format("pool min {} is above pool max {}; expected min <= max", s.pool.min,
                                             s.pool.max));
        }
      }
    }
    if (m.has("query_time")) {
      read_times(r, m.get("query_time"), &s.query_time, &p->class_refs, /*read_write_keys=*/true);
    } else if (!m.misspelled("query_time")) {
      r.error(n, fmt::format("missing key 'query_time' in {}; expected the time per query, like "
                             "query_time: {{exponential: {{mean: 5ms}}}}",
                             what));
    }
    if (m.has("replication")) {
      MapView rm(r, m.get("replication"), "replication", {"mode", "lag"});
      if (rm.ok()) {
        if (rm.has("mode")) {
          if (auto mode = r.choice(rm.get("mode"), "replication mode", {"async", "sync"})) {
            s.replication.mode = *mode == "sync" ? ReplicationMode::kSync : ReplicationMode::kAsync;
          }
        }
        if (rm.has("lag")) {
          if (auto d = core::read_distribution(r, rm.get("lag"))) s.replication.lag = *d;
        }
      }
    }
    if (m.has("failover")) {
      MapView fm(r, m.get("failover"), "failover", {"automatic", "health_check", "promote", "dns_ttl", "operator"});
      if (fm.ok()) {
        fm.read("automatic", &Reader::boolean, &s.failover.automatic);
        if (fm.has("health_check")) {
          if (auto hc = read_health_check(r, fm.get("health_check"), "failover health_check")) s.failover.detection = *hc;
        }
        fm.read("promote", &Reader::duration, &s.failover.promote);
        fm.read("dns_ttl", &Reader::duration, &s.failover.dns_ttl);
        if (fm.has("operator")) {
          // failover: {automatic: false, operator: {detect: 5m, act: 15m}}: a person promotes the replica.
          const YAML::Node& on = fm.get("operator");
          MapView om(r, on, "failover operator", {"detect", "act"});
          if (om.ok()) {
            OperatorSpec op;
            op.pos = r.pos(on);
            YAML::Node d = om.require("detect", "the time until an operator starts the runbook, like detect: 5m");
            YAML::Node a = om.require("act", "the time the runbook takes until the replica is promoted, like act: 15m");
            om.read("detect", &Reader::duration, &op.detect);
            om.read("act", &Reader::duration, &op.act);
            if (d.IsDefined() && a.IsDefined()) s.failover.manual = op;
          }
          if (s.failover.automatic) {
            r.error(on, "failover operator is the manual failover; expected automatic: false with it (or no operator)");
          } else if (s.replicas == 0) {
            r.error(on, "failover operator promotes a replica, but the database has none; expected replicas: 1 or more");
          }
          for (const char* k : {"health_check", "promote"}) {
            if (fm.has(k)) {
              r.error(fm.get(k), fmt::format("{} applies to the automatic failover; with an operator, expected only "
                                             "detect and act (and dns_ttl)",
                                             k));
            }
          }
        }
      }
    }
    if (m.has("backup")) {
      MapView bm(r, m.get("backup"), "backup", {"interval", "size", "restore_rate"});
      if (bm.ok()) {
        bm.read("interval", &Reader::positive_duration, &s.backup.interval);
        bm.read("size", &Reader::size, &s.backup.size);
        bm.read("restore_rate", &Reader::bandwidth, &s.backup.restore_rate);
        if (bm.has("size") && !bm.has("restore_rate")) {
          r.error(m.get("backup"), "backup has a size but no restore_rate; expected a restore_rate like 200MB/s");
        }
      }
    }
    c->spec = s;
  } else if (*kind == "queue") {
    c->kind = Kind::kQueue;
    c->spec = QueueSpec{};
    MapView m(r, n, what,
              keys({"engine", "publish_time", "max_length", "consumers", "concurrency", "cores", "service_time",
                    "failure_ratio", "max_retries", "retry_delay"}));
    if (!m.ok()) return;
    read_common(m);
    auto s = start_from<QueueSpec>(from);
    m.read("engine", &Reader::string, &s.engine, "a string");
    m.read("publish_time", &Reader::duration, &s.publish_time);
    m.read("max_length", &Reader::integer, &s.max_length, 0, kMaxQueue);
    m.read("consumers", &Reader::integer, &s.consumers, 1, kMaxInstances);
    m.read("concurrency", &Reader::integer, &s.concurrency, 1, kMaxWorkers);
    m.read("cores", &Reader::integer, &s.cores, 1, 1024);
    if (m.has("service_time")) {
      if (auto d = core::read_distribution(r, m.get("service_time"))) s.service_time = *d;
    }
    m.read("failure_ratio", &Reader::ratio, &s.failure_ratio);
    m.read("max_retries", &Reader::integer, &s.max_retries, 0, 1000);
    m.read("retry_delay", &Reader::duration, &s.retry_delay);
    c->spec = s;
  } else {
    c->kind = Kind::kStorage;
    c->spec = StorageSpec{};
    MapView m(r, n, what, keys({"engine", "nodes", "cores", "service_time"}));
    if (!m.ok()) return;
    read_common(m);
    auto s = start_from<StorageSpec>(from);
    m.read("engine", &Reader::string, &s.engine, "a string");
    m.read("nodes", &Reader::integer, &s.nodes, 1, kMaxInstances);
    m.read("cores", &Reader::integer, &s.cores, 1, 1024);
    if (m.has("service_time")) {
      if (auto d = core::read_distribution(r, m.get("service_time"))) s.service_time = *d;
    }
    c->spec = s;
  }
}

void read_regions(const Reader& r, const YAML::Node& n, Topology* t) {
  if (n.IsSequence()) {
    for (const auto& item : n) {
      if (auto name = r.identifier(item)) t->regions.push_back({*name, {*name}, r.pos(item)});
    }
  } else {
    MapView m(r, n, "regions", {});
    if (!m.ok()) return;
    for (const std::string& k : m.keys()) {
      Region reg{k, {}, r.pos(m.key_mark(k))};
      YAML::Node v = m.get(k);
      if (!v.IsNull()) {
        MapView rm(r, v, fmt::format("region '{}'", k), {"zones"});
        if (rm.ok() && rm.has("zones") && r.is_seq(rm.get("zones"), "zones")) {
          for (const auto& z : rm.get("zones")) {
            if (auto zone = r.identifier(z)) reg.zones.push_back(*zone);
          }
        }
      }
      if (reg.zones.empty()) reg.zones.push_back(k);
      t->regions.push_back(std::move(reg));
    }
  }
  // Names must be unique across regions and zones: a fault or placement names either.
  std::set<std::string> seen;
  for (const Region& reg : t->regions) {
    if (!seen.insert(reg.name).second) r.error(reg.pos, fmt::format("region '{}' is defined twice; expected unique region names", reg.name));
    for (const std::string& z : reg.zones) {
      if (z != reg.name && !seen.insert(z).second) {
        r.error(reg.pos, fmt::format("zone '{}' is defined twice; expected unique zone names", z));
      }
    }
  }
}

std::optional<std::pair<std::string, std::string>> read_pair(const Reader& r, const YAML::Node& n, const char* what) {
  if (!r.is_seq(n, what)) return std::nullopt;
  if (n.size() != 2) {
    r.error(n, fmt::format("{} lists {} name{}; expected exactly two, like [fra1, lhr1]", what, n.size(),
                           n.size() == 1 ? "" : "s"));
    return std::nullopt;
  }
  auto a = r.identifier(n[0]);
  auto b = r.identifier(n[1]);
  if (!a || !b) return std::nullopt;
  return std::make_pair(*a, *b);
}

void read_network(const Reader& r, const YAML::Node& n, Topology* t, Pending* p) {
  MapView m(r, n, "network",
            {"intra_zone_latency", "inter_zone_latency", "inter_region_latency", "bandwidth", "region_links", "links"});
  if (!m.ok()) return;
  Network& net = t->network;
  m.read("intra_zone_latency", &Reader::duration, &net.intra_zone_latency);
  m.read("inter_zone_latency", &Reader::duration, &net.inter_zone_latency);
  m.read("inter_region_latency", &Reader::duration, &net.inter_region_latency);
  m.read("bandwidth", &Reader::bandwidth, &net.bandwidth);
  if (m.has("region_links") && r.is_seq(m.get("region_links"), "region_links")) {
    for (const auto& item : m.get("region_links")) {
      MapView lm(r, item, "region link", {"between", "latency", "bandwidth"});
      if (!lm.ok()) continue;
      RegionLink link;
      link.pos = r.pos(item);
      link.bandwidth = net.bandwidth;
      YAML::Node between = lm.require("between", "two region names, like between: [fra1, lhr1]");
      YAML::Node lat = lm.require("latency", "a one-way latency, like latency: 12ms");
      if (between.IsDefined()) {
        if (auto pair = read_pair(r, between, "between")) {
          link.a = pair->first;
          link.b = pair->second;
          p->region_refs.push_back({link.a, r.pos(between[0])});
          p->region_refs.push_back({link.b, r.pos(between[1])});
        }
      }
      if (lat.IsDefined()) set_if(r.duration(lat), &link.latency);
      lm.read("bandwidth", &Reader::bandwidth, &link.bandwidth);
      net.region_links.push_back(link);
    }
  }
  if (m.has("links") && r.is_seq(m.get("links"), "links")) {
    for (const auto& item : m.get("links")) {
      MapView lm(r, item, "link", {"between", "latency", "bandwidth"});
      if (!lm.ok()) continue;
      ComponentLink link;
      link.pos = r.pos(item);
      link.bandwidth = net.bandwidth;
      YAML::Node between = lm.require("between", "two component names, like between: [app, db]");
      if (between.IsDefined()) {
        if (auto pair = read_pair(r, between, "between")) {
          link.from = pair->first;
          link.to = pair->second;
          p->component_refs.push_back({link.from, r.pos(between[0])});
          p->component_refs.push_back({link.to, r.pos(between[1])});
        }
      }
      YAML::Node lat = lm.require("latency", "a one-way latency, like latency: 1ms");
      if (lat.IsDefined()) set_if(r.duration(lat), &link.latency);
      lm.read("bandwidth", &Reader::bandwidth, &link.bandwidth);
      net.links.push_back(link);
    }
  }
}

void read_clients(const Reader& r, const YAML::Node& n, Topology* t, Pending* p) {
  MapView m(r, n, "clients", {"latency", "regions", "timeout", "retry"});
  if (!m.ok()) return;
  m.read("latency", &Reader::duration, &t->clients.latency);
  m.read("timeout", &Reader::positive_duration, &t->clients.timeout);
  if (m.has("retry")) read_retry_policy(r, m.get("retry"), &t->clients.retry);
  if (m.has("regions")) {
    MapView rm(r, m.get("regions"), "clients regions", {});
    if (!rm.ok()) return;
    double sum = 0;
    bool all_shares = true;  // a sum over some of them would be a second, misleading error
    for (const std::string& k : rm.keys()) {
      if (auto v = r.ratio(rm.get(k))) {
        t->clients.regions[k] = *v;
        sum += *v;
        p->region_refs.push_back({k, r.pos(rm.key_mark(k))});
      } else {
        all_shares = false;
      }
    }
    if (all_shares && std::fabs(sum - 1.0) > 1e-6 && !rm.keys().empty()) {
      r.error(m.get("regions"), fmt::format("client region shares sum to {}; expected them to sum to 100%",
                                            core::format_ratio(sum)));
    }
  }
}

void read_requests(const Reader& r, const YAML::Node& n, Topology* t) {
  MapView m(r, n, "requests", {});
  if (!m.ok()) return;
  if (n.size() == 0) {  // not keys(): when every key is bad, that is reported already
    r.error(n, "no request classes; expected at least one, like api: {share: 100%, path: [lb, app]}");
    return;
  }
  double sum = 0;
  bool all_shares = true;
  for (const std::string& k : m.keys()) {
    YAML::Node v = m.get(k);
    std::string what = fmt::format("request class '{}'", k);
    MapView cm(r, v, what, {"share", "path", "write", "response_size", "description", "users"});
    if (!cm.ok()) {
      all_shares = false;
      continue;
    }
    RequestClass rc;
    rc.name = k;
    rc.pos = r.pos(v);
    YAML::Node share = cm.require("share", "the fraction of the load, like share: 30%");
    if (share.IsDefined()) {
      if (auto s = r.ratio(share)) {
        rc.share = *s;
        sum += *s;
      } else {
        all_shares = false;
      }
    } else {
      all_shares = false;
    }
    YAML::Node path = cm.require("path", "the components it passes, like path: [cdn, lb, app]");
    if (path.IsDefined() && r.is_seq(path, "path")) {
      if (path.size() == 0) r.error(path, "path is empty; expected at least one component");
      for (const auto& step : path) {
        auto s = r.string(step, "a component name");
        if (!s) continue;
        PathStep ps;
        ps.pos = r.pos(step);
        auto dot = s->find('.');
        ps.component = s->substr(0, dot);
        if (dot != std::string::npos) ps.role = s->substr(dot + 1);
        rc.path.push_back(ps);
      }
    }
    cm.read("write", &Reader::boolean, &rc.write);
    cm.read("response_size", &Reader::size, &rc.response_size);
    if (cm.has("users")) rc.user_zipf = read_skew(r, cm.get("users"));
    t->requests.push_back(std::move(rc));
  }
  if (all_shares && std::fabs(sum - 1.0) > 1e-6) {
    r.error(n, fmt::format("request shares sum to {}; expected them to sum to 100%", core::format_ratio(sum)));
  }
}

// Cross-references and rules that need the whole file.
void check(const Reader& r, Topology* t, const Pending& p) {
  // Regions: default one region named "default" when none are given.
  if (t->regions.empty()) t->regions.push_back({"default", {"default"}, {r.file(), 0, 0}});
  std::vector<std::string> region_names, zone_names, component_names, class_names;
  for (const Region& reg : t->regions) {
    region_names.push_back(reg.name);
    zone_names.insert(zone_names.end(), reg.zones.begin(), reg.zones.end());
  }
  for (const Component& c : t->components) component_names.push_back(c.name);
  for (const RequestClass& rc : t->requests) class_names.push_back(rc.name);

  auto check_ref = [&](const std::pair<std::string, SourcePos>& ref, const std::vector<std::string>& all,
                       const char* noun) {
    // Nothing known: the section itself is missing or broken, which is reported already.
    if (all.empty() || std::find(all.begin(), all.end(), ref.first) != all.end()) return;
    r.error(ref.second, core::unknown_name({.noun = noun, .name = ref.first}, all));
  };
  for (const auto& ref : p.region_refs) check_ref(ref, region_names, "region");
  for (const auto& ref : p.zone_refs) check_ref(ref, zone_names, "zone");
  for (const auto& ref : p.component_refs) check_ref(ref, component_names, "component");
  for (const auto& ref : p.class_refs) check_ref(ref, class_names, "request class");

  // Shared hosts: a host without a zone is in the first region's first zone; a component on
  // hosts is in their zones (instance i on hosts[i % n], in zones[i % n]).
  std::vector<std::string> host_names;
  for (Host& h : t->hosts) {
    host_names.push_back(h.name);
    if (h.zone.empty()) h.zone = t->regions.front().zones.front();
  }
  for (const auto& ref : p.host_refs) {
    if (std::find(host_names.begin(), host_names.end(), ref.first) != host_names.end()) continue;
    r.error(ref.second, core::unknown_name({.noun = "host", .name = ref.first,
                                            .none = "the topology has no hosts: section (expected a shared host "
                                                    "defined under hosts:, like hosts: {box: {cores: 8}})"},
                                           host_names));
  }
  for (Component& c : t->components) {
    if (c.hosts.empty()) continue;
    bool known = true;
    int cores = 1024;
    for (const std::string& hn : c.hosts) {
      const Host* h = t->find_host(hn);
      if (!h) {
        known = false;
        continue;
      }
      cores = std::min(cores, h->cores);
    }
    if (!known) continue;
    c.zones.clear();
    for (const std::string& hn : c.hosts) c.zones.push_back(t->find_host(hn)->zone);
    if (auto it = p.cores_keys.find(c.name); it != p.cores_keys.end()) {
      r.error(it->second, fmt::format("component '{}' runs on shared host '{}', whose cores it shares; expected no "
                                      "cores here (set the host's cores, and cpus: to limit one instance)",
                                      c.name, c.hosts.front()));
    }
    if (c.cpus > cores) {
      r.error(p.cpus_keys.at(c.name), fmt::format("cpus {} is more than the {} core{} of host '{}'; expected at most {}",
                                                  c.cpus, cores, cores == 1 ? "" : "s", c.hosts.front(), cores));
    }
  }

  for (const Component& c : t->components) {
    if (!c.hosts.empty() || c.cpus <= 0 || p.broken.count(c.name)) continue;
    int cores = t->instance_cores(c, 0);
    if (c.cpus > cores) {
      r.error(p.cpus_keys.at(c.name), fmt::format("cpus {} is more than the {} core{} of each instance of '{}'; "
                                                  "expected at most {}",
                                                  c.cpus, cores, cores == 1 ? "" : "s", c.name, cores));
    }
  }

  // Placement defaults and consistency.
  for (Component& c : t->components) {
    if (c.region.empty()) {
      c.region = c.zones.empty() ? t->regions.front().name
                                 : (t->region_of_zone(c.zones.front()) ? t->region_of_zone(c.zones.front())->name
                                                                       : t->regions.front().name);
    }
    const Region* reg = t->find_region(c.region);
    if (!reg) continue;
    // Zones may span regions (a multi-region deployment); the first zone, where
    // instance 0 (a database's primary) runs, must be in the component's region.
    if (!c.zones.empty()) {
      const Region* zr = t->region_of_zone(c.zones.front());
      if (zr && zr->name != reg->name) {
        r.error(c.pos, fmt::format("component '{}' is in region '{}' but its first zone '{}' belongs to region "
                                       "'{}'; expected its first zone in its own region (later zones may be elsewhere)",
                                       c.name, reg->name, c.zones.front(), zr->name));
      }
    }
    if (c.zones.empty() && p.spread_zones.count(c.name)) c.zones = reg->zones;  // topologySpreadConstraints
    if (c.zones.empty()) c.zones.push_back(reg->zones.front());
  }

  // Paths.
  for (const RequestClass& rc : t->requests) {
    const Component* prev = nullptr;
    for (std::size_t i = 0; i < rc.path.size(); ++i) {
      const PathStep& step = rc.path[i];
      const Component* c = t->find(step.component);
      if (!c) {
        check_ref({step.component, step.pos}, component_names, "component");
        prev = nullptr;
        continue;
      }
      if (p.broken.count(c->name)) {
        prev = nullptr;
        continue;
      }
      if (!step.role.empty()) {
        if (c->kind != Kind::kDatabase) {
          r.error(step.pos, fmt::format("'{}' has a role but '{}' is a {}; roles (.primary, .replica) apply to "
                                            "databases only",
                                            step.text(), c->name, kind_name(c->kind)));
        } else if (step.role != "primary" && step.role != "replica") {
          r.error(step.pos, fmt::format("unknown database role '{}'; expected primary or replica", step.role));
        } else if (step.role == "replica" && c->database()->replicas == 0) {
          r.error(step.pos, fmt::format("'{}' reads from a replica but database '{}' has no replicas; expected "
                                            "replicas >= 1 or {}.primary",
                                            step.text(), c->name, c->name));
        } else if (step.role == "replica" && rc.write) {
          r.error(step.pos, fmt::format("write class '{}' goes to '{}'; expected writes to go to {}.primary",
                                            rc.name, step.text(), c->name));
        }
      }
      if (c->kind == Kind::kCdn && i != 0) {
        r.error(step.pos, fmt::format("CDN '{}' is at position {} of the path; expected a CDN only first",
                                          c->name, i + 1));
      }
      if (prev && prev->kind == Kind::kLoadBalancer && c->kind == Kind::kLoadBalancer) {
        r.error(step.pos, fmt::format("load balancer '{}' follows load balancer '{}'; expected a backend after a "
                                          "load balancer",
                                          c->name, prev->name));
      }
      if ((c->kind == Kind::kCache || c->kind == Kind::kDatabase || c->kind == Kind::kQueue ||
           c->kind == Kind::kStorage) &&
          i > 0) {
        // Data tiers are called by a service; they never call onwards themselves.
        bool has_caller = false;
        for (std::size_t j = 0; j < i; ++j) {
          const Component* before = t->find(rc.path[j].component);
          if (before && before->kind == Kind::kService) has_caller = true;
        }
        if (!has_caller) {
          r.error(step.pos, fmt::format("{} '{}' has no service before it in the path of '{}'; expected a "
                                            "service that calls it, like [lb, app, {}]",
                                            kind_name(c->kind), c->name, rc.name, c->name));
        }
      }
      if (std::count_if(rc.path.begin(), rc.path.end(), [&](const PathStep& s) { return s.component == c->name; }) > 1 &&
          &step == &*std::find_if(rc.path.begin(), rc.path.end(),
                                  [&](const PathStep& s) { return s.component == c->name; })) {
        r.error(step.pos, fmt::format("component '{}' appears twice in the path of '{}'; expected each at most "
                                          "once (no loops)",
                                          c->name, rc.name));
      }
      if (i + 1 == rc.path.size() && c->kind == Kind::kLoadBalancer) {
        r.error(step.pos, fmt::format("path of '{}' ends at load balancer '{}'; expected a backend after it",
                                          rc.name, c->name));
      }
      // Service times must cover every class that reaches the component.
      auto needs_time = [&](const ServiceTimes& times, const char* key) {
        if (times.count(rc.name) || times.count("default")) return;
        if (c->kind == Kind::kDatabase && times.count(rc.write ? "write" : "read")) return;
        r.error(step.pos, fmt::format("{} '{}' has no {} for request class '{}'; expected {}: {{{}: ...}} or a "
                                          "default",
                                          kind_name(c->kind), c->name, key, rc.name, key, rc.name));
      };
      if (const ServiceSpec* s = c->service(); s && !s->service_time.empty()) needs_time(s->service_time, "service_time");
      if (const DatabaseSpec* d = c->database(); d && !d->query_time.empty()) needs_time(d->query_time, "query_time");
      prev = c;
    }
  }

  // The shard key is a user id: sharded databases need a user population.
  for (const Component& c : t->components) {
    const DatabaseSpec* db = c.database();
    if (!db || db->shards <= 1 || t->users.count > 0) continue;
    r.error(c.pos, fmt::format("database '{}' has {} shards but the topology has no users; expected users: {{count: "
                               "10000}} (a user's data lives on shard hash(user) % shards)",
                               c.name, db->shards));
  }
  for (const Component& c : t->components) {
    const CacheSpec* cs = c.cache();
    if (!cs) continue;
    for (const auto& [cls, k] : cs->keys) {
      const RequestClass* rc = t->find_class(cls);
      if (!rc) continue;  // reported as an unknown class
      bool reaches = std::any_of(rc->path.begin(), rc->path.end(), [&](const PathStep& s) { return s.component == c.name; });
      if (!reaches) {
        r.error(k.pos, fmt::format("cache '{}' has keys for request class '{}', whose path does not reach it; expected "
                                   "keys only for classes that look it up",
                                   c.name, cls));
      }
    }
    if (t->users.count > 0) continue;
    for (const auto& [cls, k] : cs->keys) {
      if (k.per_user > 0) {
        r.error(k.pos, fmt::format("keys of '{}' in cache '{}' count per user but the topology has no users; expected "
                                   "users: {{count: 10000}} at the top level, or count: instead of per_user:",
                                   cls, c.name));
      }
    }
  }
  for (const RequestClass& rc : t->requests) {
    if (rc.user_zipf && t->users.count == 0) {
      r.error(rc.pos, fmt::format("request class '{}' sets its users' skew but the topology has no users; expected "
                                  "users: {{count: 10000}} at the top level",
                                  rc.name));
    }
  }

  // A service's `calls:` name what it calls: a component after it on a path, up to and
  // including the next service (a load balancer in between may be named instead).
  for (const Component& c : t->components) {
    const ServiceSpec* svc = c.service();
    if (!svc || svc->calls.empty() || p.broken.count(c.name)) continue;
    std::set<std::string> callees;
    for (const RequestClass& rc : t->requests) {
      for (std::size_t i = 0; i < rc.path.size(); ++i) {
        if (rc.path[i].component != c.name) continue;
        for (std::size_t k = i + 1; k < rc.path.size(); ++k) {
          callees.insert(rc.path[k].component);
          const Component* next = t->find(rc.path[k].component);
          if (next && next->kind == Kind::kService) break;
        }
      }
    }
    for (const auto& [name, cp] : svc->calls) {
      if (callees.count(name)) continue;
      std::string list;
      for (const std::string& x : callees) list += (list.empty() ? "" : ", ") + x;
      r.error(cp.pos, fmt::format("service '{}' has a calls policy for '{}', which no request path has it call; "
                                  "expected one of: {}",
                                  c.name, name, list.empty() ? "(it calls nothing)" : list));
    }
  }

  // Load balancer weights must match the backend's instance count.
  for (Component& c : t->components) {
    const LoadBalancerSpec* lb = c.lb();
    if (!lb || p.broken.count(c.name)) continue;
    std::set<std::string> backends;
    for (const RequestClass& rc : t->requests) {
      for (std::size_t i = 0; i + 1 < rc.path.size(); ++i) {
        if (rc.path[i].component == c.name) backends.insert(rc.path[i + 1].component);
      }
    }
    for (const std::string& b : backends) {
      const Component* bc = t->find(b);
      if (!bc || p.broken.count(b)) continue;
      if (!lb->weights.empty() && static_cast<int>(lb->weights.size()) != bc->instances()) {
        r.error(c.pos, fmt::format("load balancer '{}' has {} weights but backend '{}' has {} instances; expected "
                                       "one weight per instance",
                                       c.name, lb->weights.size(), b, bc->instances()));
      }
      if (lb->backup >= bc->instances() && lb->backup > 0) {
        r.error(c.pos, fmt::format("load balancer '{}' marks {} of the {} instances of '{}' as backup; expected "
                                       "at least one primary",
                                       c.name, lb->backup, bc->instances(), b));
      }
    }
    // A backend's readiness probe or compose healthcheck is what the load balancer in front checks,
    // unless the load balancer writes its own health_check.
    if (!p.own_health_check.count(c.name)) {
      for (const std::string& b : backends) {
        auto it = p.lb_health.find(b);
        if (it == p.lb_health.end()) continue;
        std::get<LoadBalancerSpec>(c.spec).health_check = it->second.first;
        t->imported.push_back({ImportNote::Kind::kMapped, it->second.second, b + "'s health check",
                               fmt::format("components.{}.health_check (the load balancer in front)", c.name)});
        break;
      }
    }
    if (lb->algorithm == LbAlgorithm::kWeighted && lb->weights.empty()) {
      r.error(c.pos, fmt::format("load balancer '{}' uses weighted but has no weights; expected weights: [3, 2, ...]",
                                     c.name));
    }
  }
}

}  // namespace

std::optional<Topology> parse_topology(const std::string& file, const std::string& text, Diagnostics& diags) {
  auto root = core::parse_yaml(file, text, diags, "a topology mapping with name, components and requests");
  if (!root) return std::nullopt;
  return parse_topology(file, *root, diags);
}

std::optional<Topology> parse_topology(const std::string& file, const YAML::Node& root_node, Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  const YAML::Node* root = &root_node;
  Reader r(file, diags);
  MapView m(r, *root, "topology",
            {"name", "description", "regions", "network", "clients", "hosts", "users", "components", "requests", "cost"});
  if (!m.ok() && !root->IsMap()) return std::nullopt;
  Topology t;
  t.file = file;
  Pending p;
  YAML::Node name = m.require("name", "a name, like name: shop");
  if (name.IsDefined()) set_if(r.identifier(name), &t.name);
  m.read("description", &Reader::string, &t.description, "a string");
  if (m.has("regions")) read_regions(r, m.get("regions"), &t);
  if (m.has("network")) read_network(r, m.get("network"), &t, &p);
  if (m.has("clients")) read_clients(r, m.get("clients"), &t, &p);
  if (m.has("hosts")) read_hosts(r, m.get("hosts"), &t, &p);
  if (m.has("users")) read_users(r, m.get("users"), &t);
  YAML::Node comps = m.require("components", "a mapping of components, like components: {app: {kind: service, ...}}");
  if (comps.IsDefined()) {
    MapView cm(r, comps, "components", {});
    if (cm.ok()) {
      if (comps.size() == 0) r.error(comps, "no components; expected at least one");
      for (const std::string& k : cm.keys()) {
        YAML::Node key_node;  // the first one: later duplicates are reported by MapView
        for (auto it = comps.begin(); it != comps.end(); ++it) {
          if (it->first.IsScalar() && it->first.Scalar() == k) {
            key_node.reset(it->first);
            break;
          }
        }
        if (!r.identifier(key_node)) continue;
        Component c;
        read_component(r, k, cm.get(k), &c, &p);
        t.components.push_back(std::move(c));
      }
    }
  }
  YAML::Node reqs = m.require("requests", "request classes, like requests: {api: {share: 100%, path: [lb, app]}}");
  if (reqs.IsDefined()) read_requests(r, reqs, &t);
  if (m.has("cost")) read_topology_cost(r, m.get("cost"), &t);
  t.imported = p.imported;
  check(r, &t, p);
  if (!m.has("cost") || t.cost) check_costs(r, &t);  // a broken cost: block is reported already
  check_rate_limits(r, t);
  if (diags.error_count() > errors_before) return std::nullopt;
  return t;
}


}  // namespace sim::topology
