#include "sim/import/importer.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>
#include <string_view>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"
#include "sim/import/compose.h"
#include "sim/import/kubernetes.h"
#include "sim/import/nginx.h"
#include "sim/topology/rate_limits.h"

namespace sim::import {
namespace {

using core::Diagnostics;
using topology::Kind;

struct Key {
  std::string key, value, comment;
};

struct Out {
  std::string name;
  Kind kind = Kind::kService;
  std::vector<Key> keys;
  void set(const std::string& k, const std::string& v, const std::string& comment) {
    for (auto& x : keys) {
      if (x.key == k) {
        x = {k, v, comment};
        return;
      }
    }
    keys.push_back({k, v, comment});
  }
  bool has(const std::string& k) const {
    return std::any_of(keys.begin(), keys.end(), [&](const Key& x) { return x.key == k; });
  }
};

std::string where(const SourcePos& p) {
  return p.line > 0 ? fmt::format("{}:{}", p.file, p.line) : p.file;
}

// A name infrasim accepts (letters, digits, '_', '-', '.'), from a foreign one.
std::string identifier(const std::string& s, const std::string& fallback) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.front()))) out.erase(out.begin());
  return out.empty() ? fallback : out.substr(0, 60);
}

std::string algorithm_name(topology::LbAlgorithm a) {
  switch (a) {
    case topology::LbAlgorithm::kRoundRobin: return "round_robin";
    case topology::LbAlgorithm::kLeastConn: return "least_conn";
    case topology::LbAlgorithm::kWeighted: return "weighted";
    case topology::LbAlgorithm::kRandom: return "random";
    case topology::LbAlgorithm::kPowerOfTwo: return "power_of_two";
  }
  return "round_robin";
}

std::string health_check_text(const topology::HealthCheck& hc) {
  return fmt::format("{{interval: {}, timeout: {}, healthy_threshold: {}, unhealthy_threshold: {}}}",
                     core::format_duration(hc.interval), core::format_duration(hc.timeout), hc.healthy_threshold,
                     hc.unhealthy_threshold);
}

// The retry keys that differ from `def` (nginx's defaults), as a flow mapping; "" when none do.
std::string retry_text(const topology::LbRetry& t, const topology::LbRetry& def) {
  if (!t.on_error && !t.on_timeout && !t.on_connect_timeout && !t.on_5xx && t.tries == 1 && !t.non_idempotent &&
      t.timeout == 0) {
    return "off";
  }
  std::vector<std::string> parts;
  if (t.on_error != def.on_error || t.on_timeout != def.on_timeout || t.on_5xx != def.on_5xx) {
    std::vector<std::string> on;
    if (t.on_error) on.push_back("error");
    if (t.on_timeout) on.push_back("timeout");
    if (t.on_5xx) on.push_back("http_5xx");
    parts.push_back(fmt::format("on: [{}]", fmt::join(on, ", ")));
  }
  if (t.tries != def.tries) parts.push_back(fmt::format("tries: {}", t.tries));
  if (t.timeout != def.timeout) parts.push_back("timeout: " + core::format_duration(t.timeout));
  if (t.non_idempotent != def.non_idempotent) parts.push_back("non_idempotent: true");
  return parts.empty() ? "" : fmt::format("{{{}}}", fmt::join(parts, ", "));
}

// The note's `<lb>` / `<backend>` placeholders, now that the components have names.
std::string placed(std::string s, const std::string& lb, const std::string& backend) {
  for (auto [ph, name] : {std::pair<std::string, std::string>{"<lb>", lb}, {"<backend>", backend}}) {
    for (auto i = s.find(ph); i != std::string::npos; i = s.find(ph, i + name.size())) s.replace(i, ph.size(), name);
  }
  return s;
}

class Importer {
 public:
  Importer(const ImportRequest& req, Diagnostics& diags) : req_(req), diags_(diags) {}

  std::optional<std::string> run() {
    std::size_t errors_before = diags_.error_count();
    std::vector<NginxUpstream> nginx;
    std::vector<std::pair<std::string, K8sManifest>> k8s;
    std::vector<std::pair<std::string, ComposeFile>> compose;
    for (const std::string& f : req_.files) {
      auto text = core::read_text_file(f, diags_);
      if (!text) continue;
      std::string kind = foreign_kind(f, *text);
      if (kind == "nginx") {
        auto cfg = parse_nginx(f, *text, diags_);
        if (!cfg) continue;
        if (auto u = nginx_upstream(*cfg, req_.upstream, {}, diags_)) nginx.push_back(std::move(*u));
      } else if (kind == "kubernetes") {
        if (auto m = parse_kubernetes(f, *text, diags_)) k8s.emplace_back(f, std::move(*m));
      } else if (kind == "compose") {
        if (auto c = parse_compose(f, *text, diags_)) compose.emplace_back(f, std::move(*c));
      } else {
        diags_.add_source(f, *text);
        diags_.error(f, 0, 0, "cannot tell what this file is; expected an nginx configuration (.conf, with an "
                              "upstream block), a Kubernetes manifest (apiVersion and kind) or a docker-compose file "
                              "(services:)");
      }
    }
    if (diags_.error_count() > errors_before) return std::nullopt;
    if (nginx.size() > 1) {
      diags_.error(nginx[1].pos.file, nginx[1].pos.line, nginx[1].pos.column,
                   fmt::format("a second nginx upstream ('{}' after '{}'); expected one load balancer per import",
                               nginx[1].name, nginx[0].name));
      return std::nullopt;
    }
    for (auto& [f, c] : compose) add_compose(f, c);
    std::vector<const K8sDeployment*> deployments;
    std::vector<std::pair<std::string, const K8sHpa*>> hpas;
    for (auto& [f, m] : k8s) {
      for (const auto& d : m.deployments) deployments.push_back(&d);
      for (const auto& h : m.hpas) hpas.emplace_back(f, &h);
      take(m.notes);
    }
    for (const K8sDeployment* d : deployments) add_deployment(*d, nginx.empty() && deployments.size() == 1);
    if (!nginx.empty()) add_nginx(nginx.front(), deployments);
    for (const auto& [f, h] : hpas) add_hpa(f, *h);
    if (components_.empty()) {
      if (!hpas.empty()) return hpa_only();
      std::string f = req_.files.empty() ? "" : req_.files.front();
      diags_.error(f, 0, 0, "nothing to build a topology from; expected an nginx upstream, a Deployment or compose "
                            "services");
      return std::nullopt;
    }
    if (requests_.empty()) default_requests();
    return write();
  }

 private:
  void take(const std::vector<ImportNote>& notes, const std::string& lb = "", const std::string& backend = "") {
    for (ImportNote n : notes) {
      n.detail = placed(n.detail, lb, backend);
      notes_.push_back(std::move(n));
    }
  }

  Out* find(const std::string& name) {
    for (auto& c : components_) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  std::string unique(const std::string& base) {
    std::string n = base;
    for (int i = 2; find(n); ++i) n = fmt::format("{}-{}", base, i);
    return n;
  }

  void service_defaults(Out& c) {
    if (!c.has("service_time")) c.set("service_time", "10ms", "chosen: the files give no CPU time per request");
  }

  // ---- nginx --------------------------------------------------------------------------------------------
  void add_nginx(const NginxUpstream& u, const std::vector<const K8sDeployment*>& deployments) {
    std::string backend_name = identifier(u.name, "app");
    Out* backend = nullptr;
    if (deployments.size() == 1) backend = find(identifier(deployments.front()->name, "app"));
    if (!backend) {
      for (auto& c : components_) {
        if (c.kind == Kind::kService && c.name == backend_name) backend = &c;
      }
    }
    std::string src = where(u.pos);
    if (!backend) {
      Out b;
      b.name = unique(backend_name);
      b.kind = Kind::kService;
      b.set("replicas", std::to_string(u.instances), src + ": the upstream's servers");
      components_.push_back(b);
      backend = &components_.back();
    } else {
      notes_.push_back({ImportNote::Kind::kMapped, u.pos, "servers of upstream " + u.name,
                        fmt::format("{} servers; the replicas of '{}' come from its own file", u.instances,
                                    backend->name)});
    }
    std::string bname = backend->name;
    if (u.read_timeout) backend->set("timeout", core::format_duration(*u.read_timeout), src + ": proxy_read_timeout");
    service_defaults(*backend);
    Out lb;
    lb.name = unique("lb");
    lb.kind = Kind::kLoadBalancer;
    lb.set("description", "nginx upstream " + u.name, "");
    // flavor: nginx gives nginx's defaults; the keys below are what the file changes (the header has each line).
    const topology::LoadBalancerSpec& s = u.lb;
    const topology::LoadBalancerSpec def = topology::flavor_defaults(topology::LbFlavor::kNginx);
    lb.set("flavor", "nginx", src + ": nginx's defaults where the file is silent");
    lb.set("algorithm", algorithm_name(s.algorithm), src);
    if (!s.weights.empty()) {
      std::string w;
      for (double x : s.weights) w += (w.empty() ? "" : ", ") + core::format_number(x);
      lb.set("weights", "[" + w + "]", src + ": server weight=");
    }
    if (s.backup > 0) lb.set("backup", std::to_string(s.backup), src + ": backup servers");
    if (s.passive.kind != def.passive.kind || s.passive.max_fails != def.passive.max_fails ||
        s.passive.fail_timeout != def.passive.fail_timeout) {
      lb.set("passive",
             s.passive.kind == topology::PassiveHealth::Kind::kOff
                 ? std::string("off")
                 : fmt::format("{{max_fails: {}, fail_timeout: {}}}", s.passive.max_fails,
                               core::format_duration(s.passive.fail_timeout)),
             src + ": server max_fails= fail_timeout=");
    }
    if (s.slow_start > 0) lb.set("slow_start", core::format_duration(s.slow_start), src + ": server slow_start=");
    if (s.connect_timeout != def.connect_timeout) {
      lb.set("connect_timeout", core::format_duration(s.connect_timeout), "proxy_connect_timeout");
    }
    if (s.read_timeout != def.read_timeout) {
      lb.set("read_timeout", core::format_duration(s.read_timeout), "proxy_read_timeout");
    }
    if (std::string r = retry_text(s.retry, def.retry); !r.empty()) lb.set("retry", r, "proxy_next_upstream");
    if (s.processes != def.processes) lb.set("processes", std::to_string(s.processes), "worker_processes");
    if (s.shared_state != def.shared_state) lb.set("shared_state", "false", "no zone in the upstream");
    if (!s.rate_limits.empty()) {  // every limit_req of the proxying level (nginx.cpp)
      std::string text;
      for (const auto& lim : s.rate_limits) text += (text.empty() ? "" : ", ") + topology::rate_limit_text(lim);
      lb.set("rate_limit", s.rate_limits.size() == 1 ? text : "[" + text + "]",
             where(s.rate_limits.front().pos) + ": limit_req");
    }
    if (health_check_for_lb_) lb.set("health_check", health_check_text(*health_check_for_lb_), health_src_);
    std::string lbname = lb.name;
    components_.insert(components_.begin(), lb);
    take(u.notes, lbname, bname);
    requests_.push_back({"default", {lbname, bname}});
  }

  // ---- Kubernetes ---------------------------------------------------------------------------------------
  void add_deployment(const K8sDeployment& d, bool own_lb) {
    Out c;
    c.name = unique(identifier(d.name, "app"));
    c.kind = Kind::kService;
    std::string src = where(d.pos);
    c.set("description", "Kubernetes Deployment " + d.name, "");
    c.set("replicas", std::to_string(d.replicas), src + ": spec.replicas");
    if (d.cores) c.set("cores", std::to_string(*d.cores), src + ": resources.requests.cpu");
    if (d.memory) c.set("memory", core::format_size(*d.memory), src + ": resources.requests.memory");
    if (d.boot_time) c.set("boot_time", core::format_duration(*d.boot_time), src + ": readinessProbe.initialDelaySeconds");
    if (d.liveness) {
      c.set("liveness",
            fmt::format("{{period: {}, timeout: {}, failure_threshold: {}, initial_delay: {}}}",
                        core::format_duration(d.liveness->period), core::format_duration(d.liveness->timeout),
                        d.liveness->failure_threshold, core::format_duration(d.liveness->initial_delay)),
            src + ": livenessProbe");
    }
    if (d.spread_zones) {
      zones_ = {"zone-a", "zone-b", "zone-c"};
      c.set("zones", "[zone-a, zone-b, zone-c]", src + ": topologySpreadConstraints on zones (zone names chosen)");
    }
    service_defaults(c);
    if (d.readiness) {
      health_check_for_lb_ = d.readiness;
      health_src_ = src + ": readinessProbe";
    }
    std::string name = c.name;
    components_.push_back(c);
    take(d.notes, "lb", name);
    if (own_lb) {
      Out lb;
      lb.name = unique("lb");
      lb.kind = Kind::kLoadBalancer;
      lb.set("description", "the Kubernetes Service in front of " + d.name, "chosen: a Deployment is reached through a "
                                                                            "Service");
      if (d.readiness) lb.set("health_check", health_check_text(*d.readiness), src + ": readinessProbe");
      components_.insert(components_.begin(), lb);
      requests_.push_back({"default", {lb.name, name}});
    }
  }

  void add_hpa(const std::string& file, const K8sHpa& h) {
    std::string target = identifier(h.target.empty() ? h.name : h.target, "app");
    if (!find(target)) {
      for (const auto& c : components_) {
        if (c.kind == Kind::kService) {
          target = c.name;
          break;
        }
      }
    }
    hpa_blocks_.push_back(fmt::format("    {}: {{from: {{kubernetes: {}{}}}}}   # {}", target, file,
                                      h.name.empty() ? "" : ", name: " + h.name, where(h.pos)));
    take(h.notes, "", target);
    notes_.push_back({ImportNote::Kind::kMapped, h.pos, "HorizontalPodAutoscaler " + h.name,
                      fmt::format("scenario: autoscaling: {{{}: {{from: {{kubernetes: {}}}}}}} (see the header)", target,
                                  file)});
  }

  std::optional<std::string> hpa_only() {
    std::string out = header();
    out += "# Only HorizontalPodAutoscalers were given: they belong in a scenario, which names a topology.\n";
    out += "autoscaling:\n";
    for (const auto& b : hpa_blocks_) out += b.substr(2) + "\n";
    return out;
  }

  // ---- compose ------------------------------------------------------------------------------------------
  void add_compose(const std::string& file, const ComposeFile& f) {
    take(f.notes);
    compose_file_ = file;
    std::map<std::string, const ComposeService*> by_name;
    for (const auto& s : f.services) by_name[s.name] = &s;
    for (const auto& s : f.services) {
      take(s.notes);
      if (!s.kind) continue;
      Out c;
      c.name = unique(identifier(s.name, "service"));
      c.kind = *s.kind;
      std::string src = where(s.pos);
      if (!s.image.empty()) c.set("description", "image " + s.image, "");
      switch (c.kind) {
        case Kind::kLoadBalancer:
        case Kind::kService:
          if (s.replicas != 1 || c.kind == Kind::kService) {
            c.set("replicas", std::to_string(s.replicas), src + (s.replicas != 1 ? ": deploy.replicas" : ": default 1"));
          }
          if (c.kind == Kind::kLoadBalancer && s.flavor != topology::LbFlavor::kGeneric) {
            c.set("flavor", topology::flavor_name(s.flavor), src + ": image");
          }
          if (c.kind == Kind::kLoadBalancer && s.docker_provider) {
            c.set("discovery", "docker", src + ": command --providers.docker");
          }
          if (c.kind == Kind::kService) {
            if (s.cores) c.set("cores", std::to_string(*s.cores), src + ": deploy.resources.limits.cpus");
            if (s.memory) c.set("memory", core::format_size(*s.memory), src + ": deploy.resources.limits.memory");
            if (s.start_period) {
              c.set("boot_time", core::format_duration(*s.start_period), src + ": healthcheck.start_period");
            }
            service_defaults(c);
          }
          break;
        case Kind::kCache:
        case Kind::kStorage:
          if (s.replicas != 1) c.set("nodes", std::to_string(s.replicas), src + ": deploy.replicas");
          if (s.cores) c.set("cores", std::to_string(*s.cores), src + ": deploy.resources.limits.cpus");
          break;
        case Kind::kDatabase:
          if (s.cores) c.set("cores", std::to_string(*s.cores), src + ": deploy.resources.limits.cpus");
          c.set("query_time", "{exponential: {mean: 5ms}}", "chosen: the files give no time per query");
          if (s.replicas != 1) {
            notes_.push_back({ImportNote::Kind::kIgnored, s.pos, "services." + s.name + ".deploy.replicas",
                              "replicas of a database container are independent servers, not a replica set: one "
                              "server modelled"});
          }
          break;
        case Kind::kQueue:
          if (s.cores) c.set("cores", std::to_string(*s.cores), src + ": deploy.resources.limits.cpus");
          break;
        case Kind::kCdn:
          break;
      }
      if (s.restart && s.restart->enabled()) {
        const topology::RestartSpec& rs = *s.restart;
        const topology::RestartSpec def = topology::restart_defaults(topology::RestartSpec::By::kDocker);
        std::string text = topology::restart_policy_name(rs.policy);
        if (rs.initial != def.initial || rs.max != def.max || rs.reset_after != def.reset_after || rs.max_retries) {
          text = fmt::format("{{policy: {}, backoff: {{initial: {}, max: {}, reset_after: {}}}{}}}", text,
                             core::format_duration(rs.initial), core::format_duration(rs.max),
                             core::format_duration(rs.reset_after),
                             rs.max_retries ? fmt::format(", max_retries: {}", rs.max_retries) : "");
        }
        c.set("restart", text, src + (rs.initial == def.initial ? ": restart" : ": deploy.restart_policy"));
      }
      std::string engine;
      std::string img = s.image.substr(0, s.image.find(':'));
      if (c.kind == Kind::kDatabase || c.kind == Kind::kQueue) engine = identifier(img.substr(img.rfind('/') + 1), "");
      if (c.kind == Kind::kDatabase && !engine.empty()) c.set("engine", engine, src + ": image");
      if (c.kind == Kind::kQueue && !engine.empty()) c.set("engine", engine, src + ": image");
      components_.push_back(c);
      compose_names_[s.name] = c.name;
    }
    // Health checks: a service's healthcheck is what the load balancer in front of it checks.
    // Request paths from depends_on: each entry point (a load balancer, else a service nothing depends on)
    // goes to the services it depends on, and each service to its data tiers: a cache before a database.
    std::set<std::string> depended;
    for (const auto& s : f.services) {
      for (const auto& d : s.depends_on) depended.insert(d);
    }
    auto kind_of = [&](const std::string& n) -> std::optional<Kind> {
      auto it = by_name.find(n);
      if (it == by_name.end()) return std::nullopt;
      return it->second->kind;
    };
    std::vector<const ComposeService*> entries;
    for (const auto& s : f.services) {
      if (!s.kind) continue;
      if (*s.kind == Kind::kLoadBalancer) entries.push_back(&s);
    }
    if (entries.empty()) {
      for (const auto& s : f.services) {
        if (s.kind == Kind::kService && !depended.count(s.name)) entries.push_back(&s);
      }
    }
    for (const ComposeService* e : entries) {
      std::vector<std::string> backends;
      if (*e->kind == Kind::kLoadBalancer) {
        for (const auto& d : e->depends_on) {
          if (kind_of(d) == Kind::kService) backends.push_back(d);
        }
        if (backends.empty()) {
          // A gateway that routes by labels: its backends are the services nothing else depends on.
          for (const auto& s : f.services) {
            if (s.kind == Kind::kService && !depended.count(s.name)) backends.push_back(s.name);
          }
          if (!backends.empty()) {
            notes_.push_back({ImportNote::Kind::kMapped, e->pos, "services." + e->name,
                              fmt::format("routes to {} (no depends_on: the services nothing depends on)",
                                          fmt::join(backends, ", "))});
          }
        }
        for (const auto& b : backends) {
          if (by_name[b]->healthcheck && !find(compose_names_[e->name])->has("health_check")) {
            find(compose_names_[e->name])
                ->set("health_check", health_check_text(*by_name[b]->healthcheck),
                      where(by_name[b]->pos) + ": " + b + "'s healthcheck");
          }
        }
        if (backends.size() > 1) {
          notes_.push_back({ImportNote::Kind::kPending, e->pos, "services." + e->name,
                            fmt::format("a load balancer in front of several services ({}): one backend per load "
                                        "balancer in infrasim; the first ('{}') is used",
                                        fmt::join(backends, ", "), backends.front())});
          backends.resize(1);
        }
      } else {
        backends.push_back(e->name);
      }
      for (const auto& b : backends) {
        std::vector<std::string> prefix;
        if (*e->kind == Kind::kLoadBalancer) prefix.push_back(compose_names_[e->name]);
        add_service_paths(b, prefix, by_name, 0);
      }
    }
  }

  void add_service_paths(const std::string& svc, std::vector<std::string> prefix,
                         std::map<std::string, const ComposeService*>& by_name, int depth) {
    if (depth > 8) return;
    const ComposeService* s = by_name[svc];
    prefix.push_back(compose_names_[svc]);
    std::vector<std::string> caches, dbs, others, services;
    for (const auto& d : s->depends_on) {
      auto it = by_name.find(d);
      if (it == by_name.end() || !it->second->kind) continue;
      Kind k = *it->second->kind;
      if (k == Kind::kCache) caches.push_back(d);
      else if (k == Kind::kDatabase) dbs.push_back(d);
      else if (k == Kind::kQueue || k == Kind::kStorage) others.push_back(d);
      else if (k == Kind::kService && std::find(prefix.begin(), prefix.end(), compose_names_[d]) == prefix.end())
        services.push_back(d);
    }
    std::vector<std::vector<std::string>> paths;
    for (std::size_t i = 0; i < dbs.size(); ++i) {
      auto p = prefix;
      if (i == 0 && !caches.empty()) p.push_back(compose_names_[caches.front()]);
      p.push_back(compose_names_[dbs[i]]);
      paths.push_back(p);
    }
    if (dbs.empty()) {
      for (const auto& c : caches) paths.push_back({prefix.begin(), prefix.end()}), paths.back().push_back(compose_names_[c]);
    } else {
      for (std::size_t i = 1; i < caches.size(); ++i) {
        paths.push_back(prefix);
        paths.back().push_back(compose_names_[caches[i]]);
      }
    }
    for (const auto& o : others) {
      paths.push_back(prefix);
      paths.back().push_back(compose_names_[o]);
    }
    for (const auto& sv : services) add_service_paths(sv, prefix, by_name, depth + 1);
    if (paths.empty() && services.empty()) paths.push_back(prefix);
    for (auto& p : paths) {
      std::string cls = identifier(p.back() == prefix.back() ? prefix.back() : "to_" + p.back(), "default");
      std::string base = cls;
      for (int i = 2; std::any_of(requests_.begin(), requests_.end(), [&](const auto& r) { return r.first == cls; }); ++i)
        cls = fmt::format("{}{}", base, i);
      requests_.push_back({cls, p});
    }
  }

  void default_requests() {
    // No paths known: every request to the first service, through the first load balancer.
    std::vector<std::string> path;
    for (const auto& c : components_) {
      if (c.kind == Kind::kLoadBalancer) {
        path.push_back(c.name);
        break;
      }
    }
    for (const auto& c : components_) {
      if (c.kind == Kind::kService) {
        path.push_back(c.name);
        break;
      }
    }
    if (!path.empty()) requests_.push_back({"default", path});
  }

  // ---- output -------------------------------------------------------------------------------------------
  std::string header() const {
    std::string out = fmt::format("# Generated by `{}`.\n", req_.command_line.empty() ? "infrasim import" : req_.command_line);
    out += "# Every value comes from the files named below (file:line), or says \"chosen:\" where they are silent.\n"
           "# Nothing is dropped silently: each directive or field is listed under mapped, not modelled yet, or "
           "ignored.\n";
    auto section = [&](ImportNote::Kind k, const char* title) {
      std::vector<const ImportNote*> items;
      for (const auto& n : notes_) {
        if (n.kind == k) items.push_back(&n);
      }
      if (items.empty()) return;
      out += fmt::format("#\n# {}:\n", title);
      for (const auto* n : items) {
        std::string line = fmt::format("#   {}:{}:{}: {} -> {}", n->pos.file, n->pos.line, n->pos.column, n->what,
                                       n->detail);
        for (char& c : line) {
          if (c == '\n' || c == '\r') c = ' ';
        }
        out += line + "\n";
      }
    };
    section(ImportNote::Kind::kMapped, "mapped");
    section(ImportNote::Kind::kPending, "not modelled yet (the value is read and shown here, not simulated)");
    section(ImportNote::Kind::kIgnored, "ignored");
    if (!hpa_blocks_.empty() && !components_.empty()) {
      out += "#\n# autoscaling belongs in a scenario (paths relative to where you run infrasim import):\n"
             "#   autoscaling:\n";
      for (const auto& b : hpa_blocks_) {  // each block starts with a space: "#" replaces it
        out += '#';
        out.append(std::string_view(b).substr(std::min<std::size_t>(1, b.size())));
        out += '\n';
      }
    }
    return out;
  }

  std::string write() const {
    std::string out = header();
    std::string name = req_.name;
    if (name.empty()) {
      name = identifier(components_.size() > 1 ? components_[1].name : components_.front().name, "imported");
    }
    out += fmt::format("name: {}\n", name);
    out += "description: imported from " + fmt::format("{}", fmt::join(req_.files, ", ")) + "\n";
    if (!zones_.empty()) {
      out += fmt::format("regions:\n  region: {{zones: [{}]}}   # chosen: names\n", fmt::join(zones_, ", "));
    }
    out += "components:\n";
    for (const auto& c : components_) {
      out += fmt::format("  {}:\n    kind: {}\n", c.name, topology::kind_name(c.kind));
      for (const auto& k : c.keys) {
        std::string value = k.value;
        bool needs_quotes = k.key == "description" && value.find_first_of(":#{}[],&*!|>'\"%@`") != std::string::npos;
        if (needs_quotes) {
          std::string q = "\"";
          for (char ch : value) q += (ch == '"' || ch == '\\') ? std::string("\\") + ch : std::string(1, ch);
          value = q + "\"";
        }
        std::string line = fmt::format("    {}: {}", k.key, value);
        if (!k.comment.empty()) line += fmt::format("{:<{}}# {}", "", line.size() < 44 ? 44 - line.size() : 1, k.comment);
        out += line + "\n";
      }
    }
    out += "requests:\n";
    std::size_t n = requests_.size();
    for (std::size_t i = 0; i < n; ++i) {
      // Integer percentages that sum to 100 exactly.
      std::size_t share = 100 / n + (i < 100 % n ? 1 : 0);
      out += fmt::format("  {}: {{share: {}%, path: [{}]}}{}\n", requests_[i].first, share,
                         fmt::join(requests_[i].second, ", "), n > 1 ? "   # chosen: equal shares" : "");
    }
    return out;
  }

  const ImportRequest& req_;
  Diagnostics& diags_;
  std::vector<Out> components_;
  std::vector<std::pair<std::string, std::vector<std::string>>> requests_;
  std::vector<ImportNote> notes_;
  std::vector<std::string> hpa_blocks_;
  std::vector<std::string> zones_;
  std::optional<topology::HealthCheck> health_check_for_lb_;
  std::string health_src_;
  std::string compose_file_;
  std::map<std::string, std::string> compose_names_;
};

}  // namespace

std::string foreign_kind(const std::string& path, const std::string& text) {
  if (path.ends_with(".conf") || path.ends_with("nginx.conf") || text.find("upstream ") != std::string::npos) {
    if (!looks_like_kubernetes(text) && !looks_like_compose(text)) return "nginx";
  }
  if (looks_like_kubernetes(text)) return "kubernetes";
  if (looks_like_compose(text)) return "compose";
  return "";
}

std::optional<std::string> import_topology(const ImportRequest& req, Diagnostics& diags) {
  return Importer(req, diags).run();
}

}  // namespace sim::import
