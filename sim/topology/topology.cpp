#include "sim/topology/topology.h"

#include <algorithm>

namespace sim::topology {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kCdn: return "cdn";
    case Kind::kLoadBalancer: return "load_balancer";
    case Kind::kService: return "service";
    case Kind::kCache: return "cache";
    case Kind::kDatabase: return "database";
    case Kind::kQueue: return "queue";
    case Kind::kStorage: return "storage";
  }
  return "?";
}

const char* flavor_name(LbFlavor f) {
  switch (f) {
    case LbFlavor::kGeneric: return "generic";
    case LbFlavor::kNginx: return "nginx";
    case LbFlavor::kHaproxy: return "haproxy";
    case LbFlavor::kAlb: return "alb";
    case LbFlavor::kEnvoy: return "envoy";
    case LbFlavor::kTraefik: return "traefik";
  }
  return "?";
}

LoadBalancerSpec flavor_defaults(LbFlavor f) {
  LoadBalancerSpec s;
  s.flavor = f;
  switch (f) {
    case LbFlavor::kGeneric:
      break;  // infrasim's first model: active checks 5s/3s/2/3, nothing passive, no retries
    case LbFlavor::kNginx:
      // nginx open source: no active checks; server max_fails=1 fail_timeout=10s;
      // proxy_next_upstream error timeout, _tries 0, _timeout 0; proxy_connect_timeout
      // and proxy_read_timeout 60s (ngx_http_upstream_module, ngx_http_proxy_module).
      s.health_check.enabled = false;
      s.passive = {PassiveHealth::Kind::kNginx, 1, 10};
      s.retry.on_error = s.retry.on_reset = s.retry.on_timeout = s.retry.on_connect_timeout = true;
      s.retry.tries = 0;
      s.connect_timeout = 60;
      s.read_timeout = 60;
      break;
    case LbFlavor::kHaproxy:
      // HAProxy: `check` with inter 2s fall 3 rise 2 (the check times out after inter);
      // retries 3 on a connection failure (retry-on conn-failure: not after the request was
      // sent, when it answers 502), on the same server,
      // after a turn-around of min(timeout connect, 1s); no redispatch; Debian's default
      // haproxy.cfg: timeout connect 5s, timeout server 50s.
      s.health_check = HealthCheck{true, 2, 2, 2, 3};
      s.retry.on_error = true;
      s.retry.on_connect_timeout = true;
      s.retry.tries = 4;
      s.retry.next_server = false;
      s.retry.delay = 1;
      s.connect_timeout = 5;
      s.read_timeout = 50;
      break;
    case LbFlavor::kAlb:
      // AWS Application Load Balancer: HTTP target group checks every 30s, timeout 5s,
      // healthy 5, unhealthy 2; no retries; a 10s connection timeout to targets, the
      // 60s idle timeout.
      s.health_check = HealthCheck{true, 30, 5, 5, 2};
      s.connect_timeout = 10;
      s.read_timeout = 60;
      break;
    case LbFlavor::kEnvoy:
      // Envoy: no active checks unless configured; outlier detection consecutive_5xx 5,
      // base_ejection_time 30s; no retry policy by default; cluster connect_timeout 5s,
      // route timeout 15s.
      s.health_check.enabled = false;
      s.passive = {PassiveHealth::Kind::kConsecutive, 5, 30};
      s.connect_timeout = 5;
      s.read_timeout = 15;
      break;
    case LbFlavor::kTraefik:
      // Traefik: no health check unless configured, no retries (the retry middleware is
      // opt-in); dialTimeout 30s, responseHeaderTimeout 0 (none).
      s.health_check.enabled = false;
      s.connect_timeout = 30;
      break;
  }
  return s;
}

int Component::instances() const {
  switch (kind) {
    case Kind::kCdn: return 0;
    case Kind::kLoadBalancer: return lb() ? lb()->replicas : 0;
    case Kind::kService: return service() ? service()->replicas : 0;
    case Kind::kCache: return cache() ? cache()->instances() : 0;
    case Kind::kDatabase: return database() ? database()->instances() : 0;
    case Kind::kQueue: return 1;
    case Kind::kStorage: return storage() ? storage()->nodes : 0;
  }
  return 0;
}

const Component* Topology::find(const std::string& n) const {
  auto it = std::find_if(components.begin(), components.end(), [&](const Component& c) { return c.name == n; });
  return it == components.end() ? nullptr : &*it;
}

Component* Topology::find(const std::string& n) {
  auto it = std::find_if(components.begin(), components.end(), [&](const Component& c) { return c.name == n; });
  return it == components.end() ? nullptr : &*it;
}

const RequestClass* Topology::find_class(const std::string& n) const {
  auto it = std::find_if(requests.begin(), requests.end(), [&](const RequestClass& c) { return c.name == n; });
  return it == requests.end() ? nullptr : &*it;
}

const Region* Topology::find_region(const std::string& n) const {
  auto it = std::find_if(regions.begin(), regions.end(), [&](const Region& r) { return r.name == n; });
  return it == regions.end() ? nullptr : &*it;
}

const Host* Topology::find_host(const std::string& n) const {
  auto it = std::find_if(hosts.begin(), hosts.end(), [&](const Host& h) { return h.name == n; });
  return it == hosts.end() ? nullptr : &*it;
}

// Docker: moby's daemon/restartmanager/restartmanager.go (defaultTimeout 100 ms, doubled,
// maxRestartTimeout 1 min, reset when the container ran >= 10 s). Kubernetes: the kubelet
// restarts at once, then waits 10 s, 20 s, 40 s, ... capped at 5 min, and resets the
// back-off after 10 min of running (kubernetes.io, "Pod Lifecycle", container restarts).
RestartSpec restart_defaults(RestartSpec::By by) {
  RestartSpec r;
  r.by = by;
  if (by == RestartSpec::By::kKubernetes) {
    r.initial = 10;
    r.max = 300;
    r.immediate_first = true;
    r.reset_after = 600;
  }
  return r;
}

int Topology::instance_cores(const Component& c, int i) const {
  if (!c.hosts.empty()) {
    const Host* h = find_host(c.hosts[static_cast<std::size_t>(i) % c.hosts.size()]);
    return h ? h->cores : 1;
  }
  switch (c.kind) {
    case Kind::kService: return c.service()->cores;
    case Kind::kCache: return c.cache()->cores;
    case Kind::kDatabase: return c.database()->cores;
    case Kind::kQueue: return c.queue()->cores;
    case Kind::kStorage: return c.storage()->cores;
    default: return 1;
  }
}

const char* restart_policy_name(RestartSpec::Policy p) {
  switch (p) {
    case RestartSpec::Policy::kUnset: return "unset";
    case RestartSpec::Policy::kNo: return "no";
    case RestartSpec::Policy::kAlways: return "always";
    case RestartSpec::Policy::kOnFailure: return "on-failure";
    case RestartSpec::Policy::kUnlessStopped: return "unless-stopped";
  }
  return "?";
}

const Component* Topology::lb_in_front(const std::string& component) const {
  for (const auto& rc : requests) {
    for (std::size_t i = 0; i + 1 < rc.path.size(); ++i) {
      if (rc.path[i + 1].component != component) continue;
      const Component* c = find(rc.path[i].component);
      if (c && c->lb()) return c;
    }
  }
  return nullptr;
}

const Region* Topology::region_of_zone(const std::string& zone) const {
  for (const Region& r : regions) {
    if (std::find(r.zones.begin(), r.zones.end(), zone) != r.zones.end()) return &r;
  }
  return nullptr;
}

}  // namespace sim::topology
