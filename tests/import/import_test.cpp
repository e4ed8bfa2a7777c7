// Foreign files as inputs (sim/import/): nginx's syntax and upstreams, Kubernetes
// HPAs and Deployments, docker-compose services; `infrasim import` and `from:`.
//
//   nginx.conf ──┐
//   hpa.yaml ────┼─> infrasim import ─> topology.yaml ─> infrasim validate
//   compose.yml ─┘        (header: mapped / not modelled yet / ignored, file:line)
//
// The bad-input corpus tests/bad/import/NAME.<ext> + NAME.expected runs
// `infrasim import` and expects exit 2, nothing on stdout, and the first line
// of stderr equal to the expectation's.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "sim/import/compose.h"
#include "sim/import/kubernetes.h"
#include "sim/import/nginx.h"
#include "sim/scenario/alert_rules.h"
#include "sim/scenario/loader.h"
#include "sim/topology/loader.h"
#include "sim/topology/rate_limits.h"
#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;
using testing::repo_root;

std::optional<import::NginxUpstream> upstream(const std::string& text, const std::string& name,
                                              core::Diagnostics* d) {
  auto cfg = import::parse_nginx("t.conf", text, *d);
  if (!cfg) return std::nullopt;
  return import::nginx_upstream(*cfg, name, {}, *d);
}

TEST(NginxParser, ReadsDirectivesBlocksQuotesAndComments) {
  core::Diagnostics d;
  auto cfg = import::parse_nginx("t.conf",
                                 "# comment\nhttp {\n  add_header X \"a; b { c }\" always; # trailing\n"
                                 "  set $x '${host}\\'s';\n  location ~ ^/api${y}$ { return 200; }\n}\n",
                                 d);
  ASSERT_TRUE(cfg) << d.format();
  ASSERT_EQ(cfg->directives.size(), 1u);
  const auto& http = cfg->directives[0];
  EXPECT_EQ(http.name, "http");
  EXPECT_TRUE(http.block);
  ASSERT_EQ(http.children.size(), 3u);
  EXPECT_EQ(http.children[0].args, (std::vector<std::string>{"X", "a; b { c }", "always"}));
  EXPECT_EQ(http.children[0].pos.line, 3);
  EXPECT_EQ(http.children[0].pos.column, 3);
  EXPECT_EQ(http.children[1].args[1], "${host}'s");
  EXPECT_EQ(http.children[2].args, (std::vector<std::string>{"~", "^/api${y}$"}));
  EXPECT_EQ(http.children[2].children.at(0).name, "return");
}

TEST(NginxParser, ErrorsAreLocatedAndSayWhatWasExpected) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"a b\n", "t.conf:2:1: error: unexpected end of file after 'a' (line 1); expected ';' or '{'"},
      {";", "t.conf:1:1: error: unexpected ';'; expected a directive name before it"},
      {"a \"x\"y;", "t.conf:1:6: error: unexpected 'y' after a quoted string; expected a space, ';' or '{'"},
      {"a {\n b;\n", "t.conf:3:1: error: unexpected end of file; expected '}' to close 'a' opened at line 1"},
      {"a ${x;\n", "t.conf:1:3: error: unterminated variable '${'; expected '}' to close it on the same line"},
  };
  for (const Case& c : cases) {
    core::Diagnostics d;
    EXPECT_FALSE(import::parse_nginx("t.conf", c.text, d)) << c.text;
    EXPECT_EQ(d.format_short(), std::string(c.error) + "\n") << c.text;
  }
}

TEST(NginxParser, TimesFollowNginx) {
  EXPECT_EQ(import::parse_nginx_time("30s"), 30);
  EXPECT_EQ(import::parse_nginx_time("1m30s"), 90);
  EXPECT_EQ(import::parse_nginx_time("300"), 300);
  EXPECT_DOUBLE_EQ(*import::parse_nginx_time("500ms"), 0.5);
  EXPECT_EQ(import::parse_nginx_time("1h"), 3600);
  EXPECT_FALSE(import::parse_nginx_time("1m30"));
  EXPECT_FALSE(import::parse_nginx_time("soon"));
  EXPECT_FALSE(import::parse_nginx_time(""));
}

TEST(NginxUpstream, Seed001BackendAsTheSeedGivesIt) {
  // Weights 3 and 2 under least_conn; the backup lines repeat the primaries (no extra instance);
  // max_fails=3 fail_timeout=30s on both servers; proxy_read_timeout 300s and proxy_connect_timeout
  // 75s where `backend` is proxied; nginx's default retries; the per-IP limit_req keyed by client.
  core::Diagnostics d;
  auto u = import::load_nginx_upstream(repo_root() + "/topologies/cryptopulse/nginx.conf", "backend", {}, d);
  ASSERT_TRUE(u) << d.format();
  EXPECT_EQ(u->lb.flavor, topology::LbFlavor::kNginx);
  EXPECT_EQ(u->lb.algorithm, topology::LbAlgorithm::kLeastConn);
  EXPECT_EQ(u->instances, 2);
  EXPECT_EQ(u->lb.backup, 0);
  EXPECT_EQ(u->lb.weights, (std::vector<double>{3, 2}));
  ASSERT_TRUE(u->read_timeout);
  EXPECT_EQ(*u->read_timeout, 300);
  EXPECT_EQ(u->lb.read_timeout, 300);
  EXPECT_EQ(u->lb.connect_timeout, 75);
  EXPECT_EQ(u->lb.passive.kind, topology::PassiveHealth::Kind::kNginx);
  EXPECT_EQ(u->lb.passive.max_fails, 3);
  EXPECT_EQ(u->lb.passive.fail_timeout, 30);
  EXPECT_TRUE(u->lb.retry.on_error);  // nginx's default proxy_next_upstream error timeout
  EXPECT_TRUE(u->lb.retry.on_reset);  // nginx's `error` covers a connection broken after the request was sent
  EXPECT_TRUE(u->lb.retry.on_timeout);
  EXPECT_FALSE(u->lb.retry.on_5xx);
  EXPECT_EQ(u->lb.retry.tries, 0);
  ASSERT_EQ(u->lb.rate_limits.size(), 1u);  // limit_req zone=api burst=20 nodelay, per $binary_remote_addr
  EXPECT_EQ(u->lb.rate_limits[0].key, topology::RateLimit::Key::kClient);
  EXPECT_DOUBLE_EQ(u->lb.rate_limits[0].rate, 10);
  EXPECT_EQ(u->lb.rate_limits[0].burst, 20);
  EXPECT_TRUE(u->lb.rate_limits[0].nodelay);
  auto has = [&](topology::ImportNote::Kind k, int line, const std::string& needle) {
    return std::any_of(u->notes.begin(), u->notes.end(), [&](const topology::ImportNote& n) {
      return n.kind == k && n.pos.line == line && (n.what + " " + n.detail).find(needle) != std::string::npos;
    });
  };
  using K = topology::ImportNote::Kind;
  EXPECT_TRUE(has(K::kMapped, 9, "passive: {max_fails: 3, fail_timeout: 30s}"));
  EXPECT_TRUE(has(K::kMapped, 51, "{rate: 10/s, burst: 20, nodelay: true, key: client}"));  // limit_req zone=api
  EXPECT_TRUE(has(K::kMapped, 64, "connect_timeout: 1m15s"));            // proxy_connect_timeout 75s
  EXPECT_TRUE(has(K::kMapped, 54, "retry.on: [error, timeout]"));       // proxy_next_upstream's default
  EXPECT_TRUE(has(K::kIgnored, 14, "the same machine"));                // server backend:1337 backup
  EXPECT_TRUE(has(K::kIgnored, 22, "another upstream"));                // upstream frontend
  EXPECT_TRUE(has(K::kIgnored, 36, "TLS"));                             // ssl_certificate
  EXPECT_TRUE(has(K::kMapped, 63, "<backend>.timeout: 5m"));            // proxy_read_timeout 300s
  EXPECT_TRUE(has(K::kMapped, 63, "<lb>.read_timeout: 5m"));
}

TEST(NginxUpstream, MethodsBackupsAndAGlobalLimit) {
  core::Diagnostics d;
  auto u = upstream(
      "limit_req_zone $server_name zone=all:1m rate=600r/m;\n"
      "upstream b { random two least_conn; server a:1; server c:1 weight=2; server d:1 backup; server e:1 down; }\n"
      "server { location / { limit_req zone=all burst=5 nodelay; proxy_pass http://b/x; proxy_read_timeout 2s; } }\n",
      "", &d);
  ASSERT_TRUE(u) << d.format();
  EXPECT_EQ(u->lb.algorithm, topology::LbAlgorithm::kPowerOfTwo);
  EXPECT_EQ(u->instances, 3);
  EXPECT_EQ(u->lb.backup, 1);
  EXPECT_EQ(u->lb.weights, (std::vector<double>{1, 2, 1}));
  ASSERT_EQ(u->lb.rate_limits.size(), 1u);
  EXPECT_DOUBLE_EQ(u->lb.rate_limits[0].rate, 10);
  EXPECT_EQ(u->lb.rate_limits[0].burst, 5);
  EXPECT_EQ(*u->read_timeout, 2);
  EXPECT_EQ(u->lb.passive.max_fails, 1);  // nginx's defaults max_fails=1 fail_timeout=10s
  EXPECT_EQ(u->lb.passive.fail_timeout, 10);
  core::Diagnostics d2;
  auto rr = upstream("upstream b { server a:1 weight=3; server c:1; }\n", "b", &d2);
  ASSERT_TRUE(rr) << d2.format();
  EXPECT_EQ(rr->lb.algorithm, topology::LbAlgorithm::kWeighted);  // nginx's default is weighted round robin
  core::Diagnostics d3;
  EXPECT_FALSE(upstream("upstream backend { server a:1; }\n", "backnd", &d3));
  EXPECT_NE(d3.format_short().find("unknown upstream 'backnd' in t.conf; did you mean 'backend'?"), std::string::npos);
}

// limit_req as ngx_http_limit_req_module documents it: every limit_req of the level applies; the
// key decides the buckets; without nodelay the excess waits (delay=N: beyond the first N).
TEST(NginxUpstream, LimitReqKeysDelaysAndSeveralLimits) {
  core::Diagnostics d;
  auto u = upstream(
      "limit_req_zone $binary_remote_addr zone=ip:10m rate=10r/s;\n"
      "limit_req_zone $server_name zone=all:1m rate=1200r/m;\n"
      "limit_req_zone $http_x_api_key zone=key:1m rate=5r/s;\n"
      "limit_req_zone $uri zone=url:1m rate=1r/s;\n"
      "upstream b { server a:1; }\n"
      "server { location / { limit_req zone=ip burst=12 delay=8; limit_req zone=all burst=40;\n"
      "  limit_req zone=key; limit_req zone=url nodelay; proxy_pass http://b; } }\n",
      "", &d);
  ASSERT_TRUE(u) << d.format();
  ASSERT_EQ(u->lb.rate_limits.size(), 3u);
  using Key = topology::RateLimit::Key;
  const auto& ip = u->lb.rate_limits[0];
  EXPECT_EQ(ip.key, Key::kClient);
  EXPECT_FALSE(ip.nodelay);
  EXPECT_EQ(ip.delay, 8);
  EXPECT_EQ(topology::rate_limit_text(ip), "{rate: 10/s, burst: 12, delay: 8, key: client}");
  const auto& all = u->lb.rate_limits[1];
  EXPECT_EQ(all.key, Key::kGlobal);
  EXPECT_DOUBLE_EQ(all.rate, 20);
  EXPECT_EQ(topology::rate_limit_text(all), "{rate: 20/s, burst: 40, nodelay: false}");  // nginx's default: delayed
  EXPECT_EQ(u->lb.rate_limits[2].key, Key::kClient);  // an API key header: per client
  EXPECT_EQ(u->lb.rate_limits[2].burst, 0);
  bool url_said = std::any_of(u->notes.begin(), u->notes.end(), [](const topology::ImportNote& n) {
    return n.kind == topology::ImportNote::Kind::kPending && n.detail.find("a bucket per value of $uri") != std::string::npos;
  });
  EXPECT_TRUE(url_said);
  core::Diagnostics both;
  EXPECT_FALSE(upstream("limit_req_zone $binary_remote_addr zone=ip:10m rate=10r/s;\nupstream b { server a:1; }\n"
                        "server { location / { limit_req zone=ip burst=5 delay=2 nodelay; proxy_pass http://b; } }\n",
                        "", &both));
  EXPECT_NE(both.format_short().find("t.conf:3:23: error: limit_req has both nodelay and delay=; expected one of them"),
            std::string::npos)
      << both.format_short();
}

// Failure semantics as nginx documents them (ngx_http_upstream_module, ngx_http_proxy_module,
// ngx_core_module): proxy_next_upstream conditions, _tries, _timeout, max_fails=0, worker processes
// with and without a shared zone, slow_start.
TEST(NginxUpstream, RetriesPassiveHealthAndWorkers) {
  core::Diagnostics d;
  auto u = upstream(
      "worker_processes 4;\n"
      "upstream b { server a:1 max_fails=0; server c:1 max_fails=0; }\n"
      "server { location / { proxy_pass http://b; proxy_next_upstream error http_502 non_idempotent;\n"
      "  proxy_next_upstream_tries 2; proxy_next_upstream_timeout 3s; proxy_connect_timeout 500ms; } }\n",
      "b", &d);
  ASSERT_TRUE(u) << d.format();
  EXPECT_EQ(u->lb.passive.kind, topology::PassiveHealth::Kind::kOff);  // max_fails=0 turns the accounting off
  EXPECT_TRUE(u->lb.retry.on_error);
  EXPECT_FALSE(u->lb.retry.on_timeout);
  EXPECT_TRUE(u->lb.retry.on_5xx);
  EXPECT_TRUE(u->lb.retry.non_idempotent);
  EXPECT_EQ(u->lb.retry.tries, 2);
  EXPECT_EQ(u->lb.retry.timeout, 3);
  EXPECT_DOUBLE_EQ(u->lb.connect_timeout, 0.5);
  EXPECT_EQ(u->lb.read_timeout, 60);  // nginx's default
  EXPECT_EQ(u->lb.processes, 4);
  EXPECT_FALSE(u->lb.shared_state);  // no zone: each worker keeps its own view
  auto said = [&](topology::ImportNote::Kind k, const std::string& needle) {
    return std::any_of(u->notes.begin(), u->notes.end(), [&](const topology::ImportNote& n) {
      return n.kind == k && (n.what + " " + n.detail).find(needle) != std::string::npos;
    });
  };
  EXPECT_TRUE(said(topology::ImportNote::Kind::kPending, "http_502: infrasim's error answers have no status code"));

  core::Diagnostics d2;
  auto z = upstream("worker_processes 2;\nupstream b { zone b 64k; server a:1 slow_start=30s; server c:1 slow_start=30s; "
                    "server e:1 max_fails=5; }\nserver { location / { proxy_pass http://b; proxy_next_upstream off; } }\n",
                    "b", &d2);
  ASSERT_TRUE(z) << d2.format();
  EXPECT_TRUE(z->lb.shared_state);
  EXPECT_EQ(z->lb.processes, 2);
  EXPECT_FALSE(z->lb.retry.on_error || z->lb.retry.on_timeout || z->lb.retry.on_5xx);
  EXPECT_EQ(z->lb.slow_start, 0);  // not on every server: not written
  EXPECT_EQ(z->lb.passive.max_fails, 1);  // the first server's; the third's max_fails=5 is said
  auto zsaid = [&](topology::ImportNote::Kind k, const std::string& needle) {
    return std::any_of(z->notes.begin(), z->notes.end(), [&](const topology::ImportNote& n) {
      return n.kind == k && (n.what + " " + n.detail).find(needle) != std::string::npos;
    });
  };
  EXPECT_TRUE(zsaid(topology::ImportNote::Kind::kPending, "max_fails=5 fail_timeout=10s: infrasim has one passive"));
  EXPECT_TRUE(zsaid(topology::ImportNote::Kind::kPending, "one slow_start per load balancer"));

  core::Diagnostics d3;
  auto a = upstream("worker_processes auto;\nupstream b { server a:1 slow_start=1m; }\n", "b", &d3);
  ASSERT_TRUE(a) << d3.format();
  EXPECT_EQ(a->lb.processes, 1);
  EXPECT_EQ(a->lb.slow_start, 60);
}

TEST(Kubernetes, Seed000HpaIsTheHandWrittenBlock) {
  core::Diagnostics d;
  auto h = import::load_k8s_hpa(repo_root() + "/topologies/nextleveltraders/hpa.yaml", "", {}, d);
  ASSERT_TRUE(h) << d.format();
  EXPECT_EQ(h->name, "app-hpa");
  EXPECT_EQ(h->target, "nextleveltraders");
  EXPECT_EQ(h->spec.min, 3);
  EXPECT_EQ(h->spec.max, 10);
  ASSERT_EQ(h->spec.metrics.size(), 1u);
  EXPECT_EQ(h->spec.metrics[0].type, scenario::HpaMetric::Type::kCpu);
  EXPECT_DOUBLE_EQ(h->spec.metrics[0].target, 0.7);
  EXPECT_FALSE(h->spec.behavior_given);  // no behavior: the controller's older path, as the hand-written block
}

TEST(Kubernetes, BehaviorDeploymentAndProbes) {
  core::Diagnostics d;
  auto m = import::parse_kubernetes("k.yaml", R"(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 20
  metrics:
  - {type: Pods, pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}}
  behavior:
    scaleUp: {stabilizationWindowSeconds: 0, selectPolicy: Max, policies: [{type: Pods, value: 4, periodSeconds: 15}]}
    scaleDown: {policies: [{type: Percent, value: 10, periodSeconds: 60}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  strategy: {type: RollingUpdate}
  template:
    spec:
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone}]
      containers:
      - name: web
        image: shop/web:1
        resources: {requests: {cpu: 1500m, memory: 512Mi}, limits: {cpu: "2"}}
        readinessProbe: {httpGet: {path: /ready, port: 80}, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2, initialDelaySeconds: 20}
        livenessProbe: {httpGet: {path: /live, port: 80}}
)", d);
  ASSERT_TRUE(m) << d.format();
  ASSERT_EQ(m->hpas.size(), 1u);
  const auto& h = m->hpas[0].spec;
  EXPECT_EQ(h.min, 1);  // the API default
  EXPECT_EQ(h.metrics.at(0).type, scenario::HpaMetric::Type::kRps);
  EXPECT_EQ(h.metrics.at(0).target, 100);
  EXPECT_TRUE(h.behavior_given);
  EXPECT_EQ(*h.scale_up.stabilization, 0);
  ASSERT_EQ(h.scale_up.policies.size(), 1u);
  EXPECT_EQ(h.scale_up.policies[0].value, 4);
  EXPECT_EQ(h.scale_down.policies.at(0).type, scenario::HpaPolicy::Type::kPercent);
  ASSERT_EQ(m->deployments.size(), 1u);
  const auto& dep = m->deployments[0];
  EXPECT_EQ(dep.replicas, 4);
  EXPECT_EQ(*dep.cores, 2);  // 1500m rounded up to whole cores
  EXPECT_EQ(*dep.memory, 512.0 * 1024 * 1024);
  ASSERT_TRUE(dep.readiness);
  EXPECT_EQ(dep.readiness->interval, 5);
  EXPECT_EQ(dep.readiness->timeout, 2);
  EXPECT_EQ(dep.readiness->unhealthy_threshold, 2);
  EXPECT_EQ(dep.readiness->healthy_threshold, 1);
  EXPECT_EQ(*dep.boot_time, 20);
  EXPECT_TRUE(dep.spread_zones);
  auto pending = [&](const std::string& what) {
    return std::any_of(dep.notes.begin(), dep.notes.end(), [&](const auto& n) {
      return n.kind == topology::ImportNote::Kind::kPending && n.what.find(what) != std::string::npos;
    });
  };
  EXPECT_TRUE(pending("resources.limits"));
  // livenessProbe with every API default: period 10 s, timeout 1 s, failureThreshold 3, no delay.
  ASSERT_TRUE(dep.liveness);
  EXPECT_TRUE(dep.liveness->enabled);
  EXPECT_EQ(dep.liveness->period, 10);
  EXPECT_EQ(dep.liveness->timeout, 1);
  EXPECT_EQ(dep.liveness->failure_threshold, 3);
  EXPECT_EQ(dep.liveness->initial_delay, 0);
  auto mapped = [&](const std::string& what) -> std::string {
    for (const auto& n : dep.notes) {
      if (n.kind == topology::ImportNote::Kind::kMapped && n.what.find(what) != std::string::npos) return n.detail;
    }
    return "";
  };
  EXPECT_EQ(mapped("livenessProbe"), "liveness: {period: 10s, timeout: 1s, failure_threshold: 3, initial_delay: 0s}");
  // A rollout is a scenario operation: the note gives it with the Deployment's limits (the API's 25 % each).
  EXPECT_EQ(mapped("spec.strategy"), "a scenario deploys it with these limits: operations: [{at: ..., deploy: {target: "
                                     "<component>, max_surge: 25%, max_unavailable: 25%}}] (docs/operations.md)");
}

// A startupProbe holds the liveness probe back for its whole allowance; successThreshold must be 1.
TEST(Kubernetes, LivenessAndStartupProbes) {
  auto deployment = [](const std::string& probes) {
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  strategy: {rollingUpdate: "
           "{maxSurge: 1, maxUnavailable: 0}}\n  template:\n    spec:\n      containers:\n      - name: web\n" +
           probes;
  };
  core::Diagnostics d;
  auto m = import::parse_kubernetes(
      "k.yaml",
      deployment("        livenessProbe: {periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 4, initialDelaySeconds: 10}\n"
                 "        startupProbe: {periodSeconds: 10, failureThreshold: 30}\n"),
      d);
  ASSERT_TRUE(m) << d.format();
  const auto& dep = m->deployments.at(0);
  ASSERT_TRUE(dep.liveness);
  EXPECT_EQ(dep.liveness->period, 5);
  EXPECT_EQ(dep.liveness->timeout, 2);
  EXPECT_EQ(dep.liveness->failure_threshold, 4);
  EXPECT_EQ(dep.liveness->initial_delay, 300);  // 0 + 30 × 10 s, longer than the liveness probe's own 10 s
  bool strategy = false;
  for (const auto& n : dep.notes) {
    strategy = strategy || n.detail.find("max_surge: 1, max_unavailable: 0") != std::string::npos;
  }
  EXPECT_TRUE(strategy);

  core::Diagnostics bad;
  EXPECT_FALSE(import::parse_kubernetes("k.yaml", deployment("        livenessProbe: {successThreshold: 2}\n"), bad));
  EXPECT_EQ(bad.format_short(), "k.yaml:10:43: error: successThreshold 2 on a livenessProbe; expected 1 (the Kubernetes "
                                "API requires 1 for liveness and startup probes)\n");
}

TEST(Compose, Seed004ServicesAsWritten) {
  core::Diagnostics d;
  auto text = testing::read_file(repo_root() + "/topologies/lifetimecircle/docker-compose.yml");
  auto f = import::parse_compose("c.yml", text, d);
  ASSERT_TRUE(f) << d.format();
  auto svc = [&](const std::string& n) -> const import::ComposeService& {
    return *std::find_if(f->services.begin(), f->services.end(), [&](const auto& s) { return s.name == n; });
  };
  EXPECT_EQ(svc("traefik").kind, topology::Kind::kLoadBalancer);
  EXPECT_EQ(svc("foundation").kind, topology::Kind::kService);
  EXPECT_EQ(svc("foundation").replicas, 2);
  EXPECT_EQ(*svc("foundation").cores, 2);
  EXPECT_EQ(*svc("foundation").memory, 1024.0 * 1024 * 1024);
  EXPECT_EQ(svc("foundation").healthcheck->interval, 30);
  EXPECT_EQ(svc("foundation").healthcheck->timeout, 10);
  EXPECT_EQ(svc("foundation").healthcheck->unhealthy_threshold, 3);
  EXPECT_EQ(*svc("foundation").start_period, 30);
  EXPECT_EQ(svc("postgres").kind, topology::Kind::kDatabase);
  EXPECT_EQ(svc("redis").kind, topology::Kind::kCache);
  EXPECT_EQ(svc("rabbitmq").kind, topology::Kind::kQueue);
  EXPECT_EQ(svc("minio").kind, topology::Kind::kStorage);
  EXPECT_FALSE(svc("prometheus").kind);  // monitoring: left out
  // restart: unless-stopped, with the Docker engine's back-off (100 ms doubling to 1 min, reset after 10 s).
  ASSERT_TRUE(svc("postgres").restart);
  EXPECT_EQ(svc("postgres").restart->policy, topology::RestartSpec::Policy::kUnlessStopped);
  EXPECT_EQ(svc("postgres").restart->by, topology::RestartSpec::By::kDocker);
  EXPECT_DOUBLE_EQ(svc("postgres").restart->initial, 0.1);
  EXPECT_DOUBLE_EQ(svc("postgres").restart->max, 60);
  EXPECT_TRUE(std::any_of(svc("postgres").notes.begin(), svc("postgres").notes.end(), [](const auto& n) {
    return n.kind == topology::ImportNote::Kind::kMapped && n.what.find("restart") != std::string::npos;
  }));
}

TEST(Compose, TraefikImageAndItsDockerProvider) {
  // The image names the product; --providers.docker (or =true) in the command is Traefik's Docker provider.
  core::Diagnostics d;
  auto f = import::parse_compose("c.yml", R"(services:
  edge:
    image: docker.io/library/traefik:v2.10
    command: ["--api.dashboard=true", "--providers.docker=true"]
  plain:
    image: traefik:v3
    command: --providers.file.directory=/etc/traefik --providers.docker=false
  word:
    image: traefik
    command: --providers.docker --entrypoints.web.address=:80
  proxy:
    image: haproxy:2.8
  caddy:
    image: caddy:2
)", d);
  ASSERT_TRUE(f) << d.format();
  EXPECT_EQ(f->services[0].flavor, topology::LbFlavor::kTraefik);
  EXPECT_TRUE(f->services[0].docker_provider);
  EXPECT_EQ(f->services[1].flavor, topology::LbFlavor::kTraefik);
  EXPECT_FALSE(f->services[1].docker_provider);
  EXPECT_TRUE(f->services[2].docker_provider);  // a command written as one string
  EXPECT_EQ(f->services[3].flavor, topology::LbFlavor::kHaproxy);
  EXPECT_EQ(f->services[4].flavor, topology::LbFlavor::kGeneric);  // caddy: no flavor of its own
  // What a `from:` gives: Traefik's defaults and discovery: docker.
  std::string dir = testing::temp_dir("compose-traefik");
  testing::write_file(dir + "/c.yml", "services:\n  edge: {image: 'traefik:v2.10', command: [--providers.docker]}\n");
  testing::write_file(dir + "/t.yaml", R"(name: t
components:
  edge: {kind: load_balancer, from: {compose: c.yml, service: edge}}
  app: {kind: service, service_time: 5ms}
requests:
  r: {share: 100%, path: [edge, app]}
)");
  core::Diagnostics td;
  auto t = topology::parse_topology(dir + "/t.yaml", testing::read_file(dir + "/t.yaml"), td);
  ASSERT_TRUE(t) << td.format();
  EXPECT_EQ(t->find("edge")->lb()->flavor, topology::LbFlavor::kTraefik);
  EXPECT_EQ(t->find("edge")->lb()->discovery, topology::LoadBalancerSpec::Discovery::kDocker);
  std::filesystem::remove_all(dir);
}

TEST(Compose, SwarmRestartPolicyAndTheEnginesRestart) {
  core::Diagnostics d;
  auto f = import::parse_compose("c.yml", R"(services:
  a:
    image: shop/a:1
    deploy: {restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}}
  b:
    image: shop/b:1
    deploy: {restart_policy: {}}
  c:
    image: shop/c:1
    restart: always
    deploy: {restart_policy: {condition: none}}
  d:
    image: shop/d:1
)", d);
  ASSERT_TRUE(f) << d.format();
  using P = topology::RestartSpec::Policy;
  const auto& a = *f->services[0].restart;
  EXPECT_EQ(a.policy, P::kOnFailure);
  EXPECT_EQ(a.initial, 5);  // a fixed delay: initial = max, nothing to reset
  EXPECT_EQ(a.max, 5);
  EXPECT_EQ(a.reset_after, 0);
  EXPECT_EQ(a.max_retries, 3);
  const auto& b = *f->services[1].restart;  // the compose spec's defaults: condition any, delay 0
  EXPECT_EQ(b.policy, P::kAlways);
  EXPECT_EQ(b.initial, 0);
  EXPECT_EQ(b.max_retries, 0);
  EXPECT_EQ(f->services[2].restart->policy, P::kAlways);  // the engine's restart: wins
  EXPECT_FALSE(f->services[3].restart);
  // The topology a `from:` gives: the restart policy, which a written restart: overrides.
  std::string dir = testing::temp_dir("compose-restart");
  testing::write_file(dir + "/c.yml", "services:\n  a: {image: shop/a:1, restart: on-failure}\n");
  testing::write_file(dir + "/t.yaml", R"(name: t
components:
  a: {kind: service, from: {compose: c.yml, service: a}, service_time: 5ms}
  b: {kind: service, from: {compose: c.yml, service: a}, service_time: 5ms, restart: always}
requests:
  r: {share: 100%, path: [a, b]}
)");
  core::Diagnostics td;
  auto t = topology::parse_topology(dir + "/t.yaml", testing::read_file(dir + "/t.yaml"), td);
  ASSERT_TRUE(t) << td.format();
  EXPECT_EQ(t->find("a")->restart.policy, P::kOnFailure);
  EXPECT_EQ(t->find("b")->restart.policy, P::kAlways);
  std::filesystem::remove_all(dir);
}

// The seed topologies read the seeds' own files with from:, and get exactly the values they had
// when they were translated by hand (so no committed verdict moved).
TEST(FromReferences, SeedTopologiesKeepTheirHandTranslatedValues) {
  core::Diagnostics d;
  auto t0 = topology::parse_topology(repo_root() + "/topologies/nextleveltraders.yaml",
                                     testing::read_file(repo_root() + "/topologies/nextleveltraders.yaml"), d);
  ASSERT_TRUE(t0) << d.format();
  EXPECT_EQ(t0->find("lb")->lb()->algorithm, topology::LbAlgorithm::kLeastConn);
  EXPECT_TRUE(t0->find("lb")->lb()->weights.empty());
  EXPECT_EQ(t0->find("app")->service()->replicas, 3);
  EXPECT_EQ(t0->find("app")->service()->timeout, 10);  // written beside from: (vercel maxDuration), overriding
  EXPECT_FALSE(t0->imported.empty());

  auto t1 = topology::parse_topology(repo_root() + "/topologies/cryptopulse.yaml",
                                     testing::read_file(repo_root() + "/topologies/cryptopulse.yaml"), d);
  ASSERT_TRUE(t1) << d.format();
  EXPECT_EQ(t1->find("nginx")->lb()->algorithm, topology::LbAlgorithm::kLeastConn);
  EXPECT_EQ(t1->find("nginx")->lb()->weights, (std::vector<double>{3, 2}));
  EXPECT_EQ(t1->find("nginx")->lb()->backup, 0);
  // Written weights replace the file's ([]: every instance alike), as a written rate_limit does:
  // a capacity plan that adds backends drops the two machines' weights (scenarios/plans/seed-001.yaml).
  for (const auto& [written, expected] :
       std::vector<std::pair<std::string, std::vector<double>>>{{"[]", {}}, {"[1, 4]", {1, 4}}}) {
    std::string text = testing::read_file(repo_root() + "/topologies/cryptopulse.yaml");
    const std::string anchor = "    zones: [eu-a]\n    latency: 200us";
    ASSERT_NE(text.find(anchor), std::string::npos);
    text.replace(text.find(anchor), anchor.size(), "    weights: " + written + "\n" + anchor);
    core::Diagnostics wd;
    auto tw = topology::parse_topology(repo_root() + "/topologies/cryptopulse.yaml", text, wd);
    ASSERT_TRUE(tw) << wd.format();
    EXPECT_EQ(tw->find("nginx")->lb()->weights, expected) << written;
  }
  // The per-client limit_req, from the file and written again in the topology (key: client).
  ASSERT_EQ(t1->find("nginx")->lb()->rate_limits.size(), 1u);
  EXPECT_EQ(t1->find("nginx")->lb()->rate_limits[0].key, topology::RateLimit::Key::kClient);
  EXPECT_EQ(t1->find("nginx")->lb()->rate_limits[0].rate, 10);
  EXPECT_EQ(t1->find("nginx")->lb()->rate_limits[0].burst, 20);
  EXPECT_EQ(t1->find("nginx")->lb()->health_check.interval, 30);  // written beside from:
  EXPECT_EQ(t1->find("nginx")->lb()->flavor, topology::LbFlavor::kNginx);
  EXPECT_EQ(t1->find("nginx")->lb()->connect_timeout, 75);
  EXPECT_EQ(t1->find("nginx")->lb()->read_timeout, 300);
  EXPECT_EQ(t1->find("nginx")->lb()->passive.max_fails, 3);
  EXPECT_EQ(t1->find("nginx")->lb()->passive.fail_timeout, 30);
  EXPECT_EQ(t1->find("backend")->service()->replicas, 2);
  EXPECT_EQ(t1->find("backend")->service()->timeout, 300);

  auto t4 = topology::parse_topology(repo_root() + "/topologies/lifetimecircle-compose.yaml",
                                     testing::read_file(repo_root() + "/topologies/lifetimecircle-compose.yaml"), d);
  ASSERT_TRUE(t4) << d.format();
  const auto* f = t4->find("foundation")->service();
  EXPECT_EQ(f->replicas, 2);
  EXPECT_EQ(f->cores, 2);
  EXPECT_EQ(f->memory, 1024.0 * 1024 * 1024);
  EXPECT_EQ(f->boot_time, 30);
  const auto& hc = t4->find("traefik")->lb()->health_check;  // foundation's compose healthcheck
  EXPECT_EQ(hc.interval, 30);
  EXPECT_EQ(hc.timeout, 10);
  EXPECT_EQ(hc.healthy_threshold, 1);
  EXPECT_EQ(hc.unhealthy_threshold, 3);
  EXPECT_EQ(t4->find("postgres")->database()->cores, 2);
  EXPECT_EQ(t4->find("mongodb")->database()->cores, 1);
  EXPECT_EQ(t4->find("minio")->storage()->cores, 2);
  EXPECT_EQ(t4->find("rabbitmq")->queue()->cores, 1);
}

TEST(FromReferences, ScenarioHpaFromTheSeedsFile) {
  core::Diagnostics d;
  auto l = scenario::load_scenario(repo_root() + "/scenarios/autoscaling/ramp-hpa.yaml", d);
  ASSERT_TRUE(l) << d.format();
  const auto* h = l->scenario.autoscaling.at(0).hpa();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->min, 3);
  EXPECT_EQ(h->max, 10);
  EXPECT_DOUBLE_EQ(h->metrics.at(0).target, 0.7);
  EXPECT_FALSE(h->behavior_given);
}

// A Deployment's livenessProbe reaches the component through from:, with Kubernetes' Always; a
// liveness: written beside it wins.
TEST(FromReferences, DeploymentLivenessProbe) {
  std::string dir = testing::temp_dir("k8s-liveness");
  testing::write_file(dir + "/k.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        livenessProbe: {httpGet: {path: /live, port: 80}, periodSeconds: 5, failureThreshold: 2}
)");
  auto topo = [&](const std::string& extra) {
    testing::write_file(dir + "/t.yaml", "name: t\ncomponents:\n  web: {kind: service, from: {kubernetes: k.yaml, name: "
                                         "web}, service_time: 5ms" + extra + "}\nrequests:\n  r: {share: 100%, path: [web]}\n");
    core::Diagnostics td;
    auto t = topology::parse_topology(dir + "/t.yaml", testing::read_file(dir + "/t.yaml"), td);
    EXPECT_TRUE(t) << td.format();
    return t;
  };
  auto t = topo("");
  ASSERT_TRUE(t);
  const topology::Component& web = *t->find("web");
  EXPECT_TRUE(web.liveness.enabled);
  EXPECT_EQ(web.liveness.period, 5);
  EXPECT_EQ(web.liveness.failure_threshold, 2);
  EXPECT_EQ(web.restart.policy, topology::RestartSpec::Policy::kAlways);
  EXPECT_EQ(web.restart.by, topology::RestartSpec::By::kKubernetes);
  auto w = topo(", liveness: {period: 20s}");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->find("web")->liveness.period, 20);
  EXPECT_EQ(w->find("web")->liveness.failure_threshold, 3);  // the written block, with its own defaults
  std::filesystem::remove_all(dir);
}

TEST(FromReferences, ForeignNamesGetDidYouMean) {
  core::Diagnostics d;
  std::string dir = repo_root() + "/scenarios/autoscaling/";
  EXPECT_FALSE(scenario::parse_scenario(dir + "x.yaml",
                                        "topology: ../../topologies/nextleveltraders.yaml\nduration: 1m\nload: 10/s\n"
                                        "autoscaling:\n  app: {hpa: {minReplicas: 3, maxReplicas: 10, metrics: [{cpu: 70%}]}}\n",
                                        d));
  std::string s = d.format_short();
  EXPECT_NE(s.find("unknown key 'minReplicas' in hpa; did you mean 'min'? (Kubernetes's minReplicas is min here; "
                   "docs/ecosystem.md)"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("missing key 'min'"), std::string::npos) << s;
}

// ---- infrasim import ------------------------------------------------------------------------------------

TEST(ImportCommand, EachSeedExampleImportsValidatesAndIsDeterministic) {
  std::string dir = testing::temp_dir("import");
  const std::vector<std::vector<std::string>> examples = {
      {"topologies/nextleveltraders/nginx.conf"},
      {"topologies/cryptopulse/nginx.conf", "--upstream", "backend"},
      {"topologies/lifetimecircle/docker-compose.yml"},
      {"topologies/nextleveltraders/nginx.conf", "topologies/nextleveltraders/hpa.yaml"},
  };
  int i = 0;
  for (const auto& args : examples) {
    std::vector<std::string> cmd = {"import"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    auto r = testing::run_infrasim(cmd);
    ASSERT_EQ(r.exit_code, 0) << args[0] << "\n" << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("# mapped:"), std::string::npos) << r.out;
    auto again = testing::run_infrasim(cmd);
    EXPECT_EQ(again.out, r.out) << "import is not deterministic for " << args[0];
    std::string out = dir + "/t" + std::to_string(i++) + ".yaml";
    testing::write_file(out, r.out);
    auto v = testing::run_infrasim({"validate", out});
    EXPECT_TRUE(v.exit_code == 0 || v.exit_code == 1) << v.err << "\n" << r.out;
  }
  // Seed 001: what was not modelled is said with its line, not dropped.
  auto c = testing::run_infrasim({"import", "topologies/cryptopulse/nginx.conf", "--upstream", "backend"});
  EXPECT_NE(c.out.find("topologies/cryptopulse/nginx.conf:51:5: limit_req zone=api burst=20 nodelay -> "
                       "components.lb.rate_limit: {rate: 10/s, burst: 20, nodelay: true, key: client} (a bucket per "
                       "value of $binary_remote_addr: per client)"),
            std::string::npos)
      << c.out;
  EXPECT_NE(c.out.find("topologies/cryptopulse/nginx.conf:29:1: limit_req_zone $binary_remote_addr zone=auth:10m "
                       "rate=5r/s -> not modelled"),
            std::string::npos);  // defined, used by no location
  EXPECT_NE(c.out.find("weights: [3, 2]"), std::string::npos);
  EXPECT_NE(c.out.find("timeout: 5m"), std::string::npos);
  // Seed 000: the HPA goes to the scenario block in the header.
  auto h = testing::run_infrasim({"import", "topologies/nextleveltraders/nginx.conf", "topologies/nextleveltraders/hpa.yaml"});
  EXPECT_NE(h.out.find("{from: {kubernetes: topologies/nextleveltraders/hpa.yaml, name: app-hpa}}"), std::string::npos)
      << h.out;
  fs::remove_all(dir);
}

// Every load balancer value the engine reads.
void expect_same_lb(const topology::LoadBalancerSpec& got, const topology::LoadBalancerSpec& want,
                    const std::string& what) {
  EXPECT_EQ(got.flavor, want.flavor) << what;
  EXPECT_EQ(got.algorithm, want.algorithm) << what;
  EXPECT_EQ(got.weights, want.weights) << what;
  EXPECT_EQ(got.backup, want.backup) << what;
  EXPECT_EQ(got.health_check.enabled, want.health_check.enabled) << what;
  EXPECT_EQ(got.passive.kind, want.passive.kind) << what;
  EXPECT_EQ(got.passive.max_fails, want.passive.max_fails) << what;
  EXPECT_EQ(got.passive.fail_timeout, want.passive.fail_timeout) << what;
  EXPECT_EQ(got.connect_timeout, want.connect_timeout) << what;
  EXPECT_EQ(got.read_timeout, want.read_timeout) << what;
  EXPECT_EQ(got.slow_start, want.slow_start) << what;
  EXPECT_EQ(got.processes, want.processes) << what;
  EXPECT_EQ(got.shared_state, want.shared_state) << what;
  EXPECT_EQ(got.retry.on_error, want.retry.on_error) << what;
  EXPECT_EQ(got.retry.on_reset, want.retry.on_reset) << what;
  EXPECT_EQ(got.retry.on_timeout, want.retry.on_timeout) << what;
  EXPECT_EQ(got.retry.on_connect_timeout, want.retry.on_connect_timeout) << what;
  EXPECT_EQ(got.retry.on_5xx, want.retry.on_5xx) << what;
  EXPECT_EQ(got.retry.tries, want.retry.tries) << what;
  EXPECT_EQ(got.retry.timeout, want.retry.timeout) << what;
  EXPECT_EQ(got.retry.non_idempotent, want.retry.non_idempotent) << what;
  EXPECT_EQ(got.rate_limits.size(), want.rate_limits.size()) << what;
  for (std::size_t i = 0; i < std::min(got.rate_limits.size(), want.rate_limits.size()); ++i) {
    EXPECT_EQ(got.rate_limits[i].rate, want.rate_limits[i].rate) << what;
    EXPECT_EQ(got.rate_limits[i].burst, want.rate_limits[i].burst) << what;
  }
}

TEST(ImportCommand, RoundTripMatchesTheFromReference) {
  // import -> topology -> the same load balancer and backend values as from: gives.
  auto r = testing::run_infrasim({"import", "topologies/cryptopulse/nginx.conf", "--upstream", "backend"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  core::Diagnostics d;
  auto t = topology::parse_topology("imported.yaml", r.out, d);
  ASSERT_TRUE(t) << d.format();
  const auto* lb = t->find("lb")->lb();
  EXPECT_EQ(lb->algorithm, topology::LbAlgorithm::kLeastConn);
  EXPECT_EQ(lb->weights, (std::vector<double>{3, 2}));
  // Every value the engine reads is the one from: gives (the written topology says flavor: nginx and
  // only what the file changes).
  core::Diagnostics dref;
  auto ref = import::load_nginx_upstream(repo_root() + "/topologies/cryptopulse/nginx.conf", "backend", {}, dref);
  ASSERT_TRUE(ref) << dref.format();
  expect_same_lb(*lb, ref->lb, "seed 001");
  EXPECT_EQ(t->find("backend")->service()->replicas, 2);
  EXPECT_EQ(t->find("backend")->service()->timeout, 300);
  auto c = testing::run_infrasim({"import", "topologies/lifetimecircle/docker-compose.yml", "-o",
                                  testing::temp_dir("rt") + "/compose.yaml"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  auto cr = testing::run_infrasim({"import", "topologies/lifetimecircle/docker-compose.yml"});
  core::Diagnostics d2;
  auto t4 = topology::parse_topology("imported.yaml", cr.out, d2);
  ASSERT_TRUE(t4) << d2.format() << cr.out;
  EXPECT_EQ(t4->find("foundation")->service()->replicas, 2);
  EXPECT_EQ(t4->find("foundation")->restart.policy, topology::RestartSpec::Policy::kUnlessStopped);
  EXPECT_EQ(t4->find("traefik")->lb()->health_check.timeout, 10);
  EXPECT_FALSE(t4->find("prometheus"));
  EXPECT_GE(t4->requests.size(), 4u);  // foundation's depends_on: cache + db, queue, mongodb, minio
}

TEST(ImportCommand, RoundTripOfNginxFailureSemantics) {
  // Retries, tries, timeouts, passive off, workers without a zone, a global limit, slow_start:
  // everything the writer has to spell out over flavor: nginx's defaults.
  std::string dir = testing::temp_dir("rt-nginx");
  const char* confs[] = {
      "worker_processes 4;\n"
      "limit_req_zone $server_name zone=all:1m rate=600r/m;\n"
      "upstream b { server a:1 max_fails=0 slow_start=20s; server c:1 max_fails=0 slow_start=20s; }\n"
      "server { location / { proxy_pass http://b; limit_req zone=all burst=5 nodelay;\n"
      "  proxy_next_upstream error http_502 http_503 http_504 http_500 non_idempotent; proxy_next_upstream_tries 2;\n"
      "  proxy_next_upstream_timeout 3s; proxy_connect_timeout 500ms; proxy_read_timeout 2m; } }\n",
      "upstream b { zone b 64k; random; server a:1 weight=2 max_fails=2 fail_timeout=5s; server c:1 max_fails=2 "
      "fail_timeout=5s; server d:1 backup max_fails=2 fail_timeout=5s; }\n"
      "server { location / { proxy_pass http://b; proxy_next_upstream off; } }\n",
  };
  int i = 0;
  for (const char* conf : confs) {
    std::string f = dir + "/n" + std::to_string(i++) + ".conf";
    testing::write_file(f, conf);
    auto r = testing::run_infrasim({"import", f});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    core::Diagnostics d;
    auto t = topology::parse_topology(dir + "/imported.yaml", r.out, d);
    ASSERT_TRUE(t) << d.format() << r.out;
    core::Diagnostics dref;
    auto ref = import::load_nginx_upstream(f, "", {}, dref);
    ASSERT_TRUE(ref) << dref.format();
    expect_same_lb(*t->find("lb")->lb(), ref->lb, conf);
  }
  fs::remove_all(dir);
}

std::vector<std::string> bad_corpus() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(repo_root() + "/tests/bad/import")) {
    if (e.path().extension() == ".expected") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BadImport : public ::testing::TestWithParam<std::string> {};

TEST_P(BadImport, ExitsTwoWithTheExpectedMessage) {
  std::string input;
  for (const auto& e : fs::directory_iterator(repo_root() + "/tests/bad/import")) {
    if (e.path().stem() == GetParam() && e.path().extension() != ".expected") {
      input = "tests/bad/import/" + e.path().filename().string();
    }
  }
  ASSERT_FALSE(input.empty()) << GetParam() << " has no input file";
  std::string expected = testing::read_file(repo_root() + "/tests/bad/import/" + GetParam() + ".expected");
  expected = expected.substr(0, expected.find('\n'));
  std::string out = testing::temp_dir("bad-import") + "/out.yaml";
  auto r = testing::run_infrasim({"import", input, "-o", out});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(out)) << "bad input must write nothing";
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), expected) << r.err;
}

std::string bad_name(const ::testing::TestParamInfo<std::string>& p) {
  std::string s = p.param;
  for (char& c : s) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadImport, ::testing::ValuesIn(bad_corpus()), bad_name);

TEST(AlertRules, ReadsAlertingRulesWithLocatedErrors) {
  core::Diagnostics d;
  auto rules = scenario::parse_alert_rules("r.yml",
                                           "groups:\n- name: g\n  rules:\n  - record: x\n    expr: up\n"
                                           "  - alert: A\n    expr: up == 0\n    for: 1m30s\n",
                                           d);
  ASSERT_TRUE(rules) << d.format();
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].name, "A");
  EXPECT_EQ((*rules)[0].hold, 90);
  EXPECT_EQ((*rules)[0].pos.line, 6);
  core::Diagnostics d2;
  EXPECT_FALSE(scenario::parse_alert_rules("r.yml", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: soon\n", d2));
  EXPECT_EQ(d2.format_short(),
            "r.yml:6:10: error: invalid duration 'soon'; expected a Prometheus duration like 30s, 1m or 1h30m\n");
  // Found by the fuzzer: an empty alert name or expression was accepted.
  core::Diagnostics d3;
  EXPECT_FALSE(scenario::parse_alert_rules("r.yml", "groups:\n- name: g\n  rules:\n  - alert: ''\n    expr: up\n", d3));
  EXPECT_EQ(d3.format_short(), "r.yml:4:12: error: empty alert name; expected a name like alert: HighErrorRate\n");
  core::Diagnostics d4;
  EXPECT_FALSE(scenario::parse_alert_rules("r.yml", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: ' '\n", d4));
  EXPECT_EQ(d4.format_short(),
            "r.yml:5:11: error: empty expression; expected a PromQL expression, like expr: up == 0\n");
}

}  // namespace
}  // namespace sim
