#include "sim/import/reference.h"

#include <filesystem>
#include <fmt/format.h>

#include "sim/import/compose.h"
#include "sim/import/kubernetes.h"
#include "sim/import/nginx.h"

namespace sim::import {
namespace {

using topology::Kind;

std::nullopt_t wrong_kind(const FromRef& ref, Kind kind, const char* can, core::Diagnostics& diags) {
  diags.error(ref.pos,
              fmt::format("{} {} reference cannot describe a {}; expected it on {}", ref.format == "nginx" ? "an" : "a",
                          ref.format, topology::kind_name(kind), can));
  return std::nullopt;
}

}  // namespace

std::optional<FromRef> read_from(const core::Reader& r, const YAML::Node& n) {
  core::MapView m(r, n, "from", {"nginx", "kubernetes", "compose", "upstream", "name", "service"});
  if (!m.ok()) return std::nullopt;
  std::string which = m.exactly_one_of({"nginx", "kubernetes", "compose"}, true);
  if (which.empty()) return std::nullopt;
  FromRef ref;
  ref.format = which;
  ref.pos = r.pos(n);
  auto path = r.string(m.get(which), "a file path");
  if (!path) return std::nullopt;
  ref.path = core::resolve_path(r.file(), *path);
  const char* name_key = which == "nginx" ? "upstream" : which == "kubernetes" ? "name" : "service";
  for (const char* k : {"upstream", "name", "service"}) {
    if (m.has(k) && std::string(k) != name_key) {
      r.error(m.get(k), fmt::format("'{}' does not apply to {} {} reference; expected {}", k,
                                    which == "nginx" ? "an" : "a", which, name_key));
      return std::nullopt;
    }
  }
  if (m.has(name_key)) {
    auto name = r.string(m.get(name_key));
    if (!name) return std::nullopt;
    ref.name = *name;
  } else if (which == "compose") {
    r.error(n, "compose reference without service; expected from: {compose: docker-compose.yml, service: NAME}");
    return std::nullopt;
  }
  return ref;
}

std::optional<FromResult> component_from(const FromRef& ref, Kind kind, const std::string& component,
                                         core::Diagnostics& diags) {
  FromResult out;
  out.base.name = component;
  out.base.kind = kind;
  auto where = [](const SourcePos& p) { return fmt::format("{}:{}", p.file, p.line); };
  auto mapped = [&](const SourcePos& p, std::string what, std::string detail) {
    out.notes.push_back({ImportNote::Kind::kMapped, p, std::move(what), std::move(detail)});
  };
  auto fill = [&](const std::vector<ImportNote>& notes, const std::string& lb, const std::string& backend) {
    for (ImportNote n : notes) {
      for (auto [ph, name] : {std::pair<std::string, std::string>{"<lb>", lb}, {"<backend>", backend}}) {
        for (auto i = n.detail.find(ph); i != std::string::npos; i = n.detail.find(ph, i + name.size())) {
          n.detail.replace(i, ph.size(), name);
        }
      }
      out.notes.push_back(std::move(n));
    }
  };
  if (ref.format == "nginx") {
    if (kind != Kind::kLoadBalancer && kind != Kind::kService) {
      return wrong_kind(ref, kind, "a load_balancer (its balancing) or a service (its servers)", diags);
    }
    auto u = load_nginx_upstream(ref.path, ref.name, ref.pos, diags);
    if (!u) return std::nullopt;
    if (kind == Kind::kLoadBalancer) {
      out.base.spec = u->lb;  // flavor nginx, with what the file sets
      // The backend's own notes (servers, timeouts) belong to the service that references the upstream.
      std::vector<ImportNote> lb_notes;
      for (const auto& n : u->notes) {
        if (n.detail.find("<backend>") == std::string::npos) lb_notes.push_back(n);
      }
      fill(lb_notes, component, "the backend");
    } else {
      topology::ServiceSpec s;
      s.replicas = u->instances;
      if (u->read_timeout) s.timeout = *u->read_timeout;
      out.base.spec = s;
      for (const auto& n : u->notes) {
        if (n.detail.find("<backend>") != std::string::npos) fill({n}, "the load balancer", component);
      }
    }
    return out;
  }
  if (ref.format == "kubernetes") {
    if (kind != Kind::kService) return wrong_kind(ref, kind, "a service (a Deployment)", diags);
    auto d = load_k8s_deployment(ref.path, ref.name, ref.pos, diags);
    if (!d) return std::nullopt;
    topology::ServiceSpec s;
    s.replicas = d->replicas;
    if (d->cores) s.cores = *d->cores;
    if (d->memory) s.memory = *d->memory;
    if (d->boot_time) s.boot_time = *d->boot_time;
    out.base.spec = s;
    if (d->liveness) out.base.liveness = *d->liveness;  // its restart: Kubernetes' Always (the loader's default)
    out.spread_zones = d->spread_zones;
    out.lb_health = d->readiness;
    fill(d->notes, "the load balancer in front", component);
    return out;
  }
  // compose
  if (kind == Kind::kCdn) return wrong_kind(ref, kind, "any component but a CDN", diags);
  auto svc = load_compose_service(ref.path, ref.name, ref.pos, diags);
  if (!svc) return std::nullopt;
  if (!svc->kind) {
    diags.error(ref.pos,
                fmt::format("compose service '{}' ({}) is a monitoring service; expected a service infrasim models",
                            svc->name, svc->image));
    return std::nullopt;
  }
  if (*svc->kind != kind) {
    mapped(svc->pos, "services." + svc->name + ".image " + svc->image,
           fmt::format("its image suggests a {}; the topology says {}", topology::kind_name(*svc->kind),
                       topology::kind_name(kind)));
  }
  switch (kind) {
    case Kind::kService: {
      topology::ServiceSpec s;
      s.replicas = svc->replicas;
      if (svc->cores) s.cores = *svc->cores;
      if (svc->memory) s.memory = *svc->memory;
      if (svc->start_period) s.boot_time = *svc->start_period;
      out.base.spec = s;
      out.lb_health = svc->healthcheck;
      break;
    }
    case Kind::kLoadBalancer: {
      topology::LoadBalancerSpec s = topology::flavor_defaults(svc->flavor);  // the product its image names
      s.replicas = svc->replicas;
      if (svc->docker_provider) s.discovery = topology::LoadBalancerSpec::Discovery::kDocker;
      out.base.spec = s;
      break;
    }
    case Kind::kCache: {
      topology::CacheSpec s;
      s.nodes = svc->replicas;
      if (svc->cores) s.cores = *svc->cores;
      out.base.spec = s;
      break;
    }
    case Kind::kDatabase: {
      topology::DatabaseSpec s;
      if (svc->cores) s.cores = *svc->cores;
      out.base.spec = s;
      break;
    }
    case Kind::kQueue: {
      topology::QueueSpec s;
      if (svc->cores) s.cores = *svc->cores;
      out.base.spec = s;
      break;
    }
    case Kind::kStorage: {
      topology::StorageSpec s;
      s.nodes = svc->replicas;
      if (svc->cores) s.cores = *svc->cores;
      out.base.spec = s;
      break;
    }
    case Kind::kCdn:
      break;
  }
  if (svc->restart) out.base.restart = *svc->restart;
  std::string w = where(svc->pos);
  for (ImportNote n : svc->notes) {
    // The compose notes were written for `infrasim import`; here the component is named.
    if (n.kind == ImportNote::Kind::kMapped && n.what.find(".healthcheck") != std::string::npos && kind != Kind::kService) {
      n.kind = ImportNote::Kind::kIgnored;
      n.detail = "a health check only matters for a service behind a load balancer";
    }
    if (n.kind == ImportNote::Kind::kMapped && n.what.find("deploy.replicas") != std::string::npos &&
        kind == Kind::kDatabase) {
      n.kind = ImportNote::Kind::kIgnored;
      n.detail = "replicas of a database container are independent servers, not a replica set";
    }
    if (n.kind == ImportNote::Kind::kMapped && n.what.find("depends_on") != std::string::npos) {
      n.kind = ImportNote::Kind::kIgnored;
      n.detail = "the topology's request paths say who calls whom";
    }
    out.notes.push_back(std::move(n));
  }
  (void)w;
  return out;
}

std::optional<scenario::HpaSpec> hpa_from(const FromRef& ref, core::Diagnostics& diags,
                                          std::vector<topology::ImportNote>* notes) {
  if (ref.format != "kubernetes") {
    diags.error(ref.pos,
                fmt::format("an autoscaler cannot come from a {} file; expected from: {{kubernetes: hpa.yaml}}",
                            ref.format));
    return std::nullopt;
  }
  auto h = load_k8s_hpa(ref.path, ref.name, ref.pos, diags);
  if (!h) return std::nullopt;
  if (notes) notes->insert(notes->end(), h->notes.begin(), h->notes.end());
  return h->spec;
}

}  // namespace sim::import
