#include "sim/import/compose.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <sstream>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"
#include "sim/import/kubernetes.h"

namespace sim::import {
namespace {

using core::Diagnostics;
using core::Reader;
using Kind = ImportNote::Kind;

YAML::Node child(const YAML::Node& n, const std::string& key) {
  if (!n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

SourcePos key_pos(const Reader& r, const YAML::Node& m, const std::string& key) {
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return r.pos(it->first);
  }
  return r.pos(m);
}

// Compose durations: "1m30s", "10s", "500ms" (Go's time.ParseDuration, as compose-spec says).
std::optional<double> duration(const Reader& r, const YAML::Node& n) {
  auto s = r.string(n, "a duration like 30s or 1m30s");
  if (!s) return std::nullopt;
  std::string expected;
  auto v = core::parse_duration(*s, &expected);
  if (!v) r.error(n, fmt::format("invalid duration '{}'; expected {}", *s, expected));
  return v;
}

// Compose byte values: "512m", "1g", "1.5GB", "2048k" (compose-spec: b, k, m, g, with optional b; powers of 1024).
std::optional<double> bytes(const std::string& text) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  double f = 1;
  if (t.ends_with("b") && t.size() > 1 && std::isalpha(static_cast<unsigned char>(t[t.size() - 2]))) t.pop_back();
  if (!t.empty()) {
    char u = t.back();
    if (u == 'k' || u == 'm' || u == 'g' || u == 't') {
      f = u == 'k' ? 1024.0 : u == 'm' ? 1048576.0 : u == 'g' ? 1073741824.0 : 1099511627776.0;
      t.pop_back();
    } else if (u == 'b') {
      t.pop_back();
    }
  }
  auto v = core::parse_number(t);
  if (!v || *v < 0 || *v > 1e12) return std::nullopt;
  return *v * f;
}

// "docker.io/library/Traefik:v2.10" -> "traefik": the image's name without registry, path or tag.
std::string image_base(const std::string& image) {
  std::string base = image;
  auto slash = base.rfind('/');
  if (slash != std::string::npos) base = base.substr(slash + 1);
  base = base.substr(0, base.find_first_of(":@"));
  std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return std::tolower(c); });
  return base;
}

std::string ignored_reason(const std::string& field) {
  if (field == "image" || field == "build") return "the image only suggests the component's kind";
  if (field == "ports" || field == "expose" || field == "networks" || field == "hostname" || field == "container_name")
    return "addresses and networks are not modelled";
  if (field == "volumes" || field == "tmpfs") return "storage volumes are not modelled";
  if (field == "environment" || field == "env_file" || field == "command" || field == "entrypoint" ||
      field == "labels" || field == "secrets" || field == "configs")
    return "the container's configuration is not modelled";
  return "not modelled";
}

std::optional<ComposeService> read_service(const Reader& r, const std::string& name, const YAML::Node& s) {
  ComposeService out;
  out.name = name;
  out.pos = r.pos(s);
  if (!r.is_map(s, fmt::format("service '{}'", name))) return std::nullopt;
  auto note = [&](Kind k, const SourcePos& p, std::string what, std::string detail) {
    out.notes.push_back({k, p, std::move(what), std::move(detail)});
  };
  std::string path = "services." + name + ".";
  std::set<std::string> used = {"image", "deploy", "healthcheck", "restart", "depends_on"};
  if (auto img = child(s, "image"); img.IsDefined()) {
    if (auto v = r.string(img, "an image like postgres:16")) out.image = *v;
  }
  out.kind = kind_of_image(out.image.empty() ? name : out.image);
  note(out.kind ? Kind::kMapped : Kind::kIgnored, key_pos(r, s, out.image.empty() ? name : "image"),
       out.image.empty() ? path + " (no image)" : path + "image " + out.image,
       out.kind ? fmt::format("kind: {}", topology::kind_name(*out.kind))
                : "a monitoring service (Prometheus, Grafana...): left out of the topology");
  bool ok = true;
  if (out.kind == topology::Kind::kLoadBalancer) {
    out.flavor = flavor_of_image(out.image.empty() ? name : out.image);
    if (out.flavor != topology::LbFlavor::kGeneric) {
      note(Kind::kMapped, key_pos(r, s, out.image.empty() ? name : "image"), path + "image " + out.image,
           fmt::format("flavor: {}", topology::flavor_name(out.flavor)));
    }
  }
  // Traefik's Docker provider (`--providers.docker` or `--providers.docker=true` in its command):
  // the rest of the command is the container's configuration, not modelled.
  if (auto cmd = child(s, "command"); cmd.IsDefined() && out.flavor == topology::LbFlavor::kTraefik) {
    std::vector<std::string> args;
    if (cmd.IsSequence()) {
      for (const auto& a : cmd) {
        if (a.IsScalar()) args.push_back(a.Scalar());
      }
    } else if (cmd.IsScalar()) {
      std::istringstream words(cmd.Scalar());
      for (std::string w; words >> w;) args.push_back(w);
    }
    for (const std::string& a : args) {
      if (a == "--providers.docker" || a == "--providers.docker=true") out.docker_provider = true;
    }
    if (out.docker_provider) {
      used.insert("command");
      note(Kind::kMapped, key_pos(r, s, "command"), path + "command --providers.docker",
           "discovery: docker (a dead container leaves at its die event; the rest of the command is not modelled)");
    }
  }
  if (auto d = child(s, "deploy"); d.IsDefined()) {
    if (!r.is_map(d, "deploy")) return std::nullopt;
    if (auto n = child(d, "replicas"); n.IsDefined()) {
      if (auto v = r.integer(n, 1, 1000)) {
        out.replicas = static_cast<int>(*v);
        note(Kind::kMapped, key_pos(r, d, "replicas"), path + "deploy.replicas", fmt::format("replicas: {}", *v));
      } else {
        ok = false;
      }
    }
    YAML::Node res = child(d, "resources");
    if (auto lim = child(res, "limits"); lim.IsDefined()) {
      if (auto c = child(lim, "cpus"); c.IsDefined()) {
        auto t = r.string(c, "a CPU count like 0.5 or 2");
        auto v = t ? core::parse_number(*t) : std::nullopt;
        if (!v || *v <= 0 || *v > 1024) {
          if (t) r.error(c, fmt::format("invalid cpus '{}'; expected a CPU count above 0 like 0.5 or 2", *t));
          ok = false;
        } else {
          out.cores = std::max(1, static_cast<int>(std::ceil(*v - 1e-9)));
          note(Kind::kMapped, key_pos(r, lim, "cpus"), path + "deploy.resources.limits.cpus",
               fmt::format("cores: {}{}", *out.cores,
                           std::fabs(*v - *out.cores) > 1e-9 ? " (rounded up: infrasim hosts have whole cores)" : ""));
        }
      }
      if (auto m = child(lim, "memory"); m.IsDefined()) {
        auto t = r.string(m, "a size like 512m or 1g");
        auto v = t ? bytes(*t) : std::nullopt;
        if (!v) {
          if (t) r.error(m, fmt::format("invalid memory '{}'; expected a size like 512m or 1g", *t));
          ok = false;
        } else {
          out.memory = *v;
          note(Kind::kMapped, key_pos(r, lim, "memory"), path + "deploy.resources.limits.memory",
               fmt::format("memory: {}", core::format_size(*v)));
        }
      }
      for (auto it = lim.begin(); lim.IsMap() && it != lim.end(); ++it) {
        std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
        if (k != "cpus" && k != "memory") {
          note(Kind::kIgnored, r.pos(it->first), path + "deploy.resources.limits." + k, "not modelled");
        }
      }
    }
    if (child(res, "reservations").IsDefined()) {
      note(Kind::kIgnored, key_pos(r, res, "reservations"), path + "deploy.resources.reservations",
           "reservations only place containers; the limits size them");
    }
    for (auto it = d.begin(); it != d.end(); ++it) {
      std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
      if (k == "replicas" || k == "resources") continue;
      if (k == "restart_policy") {
        // Swarm's restart_policy: condition any (default) | on-failure | none, a fixed delay (default 0:
        // the compose spec), max_attempts (default unlimited); `window` is not modelled.
        const YAML::Node rp = it->second;
        if (!r.is_map(rp, "deploy.restart_policy")) return std::nullopt;
        topology::RestartSpec spec = topology::restart_defaults(topology::RestartSpec::By::kDocker);
        spec.policy = topology::RestartSpec::Policy::kAlways;
        std::string cond = "any";
        if (auto c = child(rp, "condition"); c.IsDefined()) {
          if (auto v = r.choice(c, "restart condition", {"none", "on-failure", "any"})) {
            cond = *v;
          } else {
            ok = false;
          }
        }
        if (cond == "none") spec.policy = topology::RestartSpec::Policy::kNo;
        if (cond == "on-failure") spec.policy = topology::RestartSpec::Policy::kOnFailure;
        spec.initial = spec.max = 0;
        if (auto dl = child(rp, "delay"); dl.IsDefined()) {
          if (auto v = duration(r, dl)) spec.initial = spec.max = *v; else ok = false;
        }
        spec.reset_after = 0;  // a fixed delay: nothing to reset
        std::string extra;
        if (auto ma = child(rp, "max_attempts"); ma.IsDefined()) {
          if (auto v = r.integer(ma, 0, 1000000)) {
            if (spec.policy == topology::RestartSpec::Policy::kOnFailure) {
              spec.max_retries = static_cast<int>(*v);
              extra = fmt::format(", max_retries: {}", *v);
            } else {
              note(Kind::kIgnored, key_pos(r, rp, "max_attempts"), path + "deploy.restart_policy.max_attempts",
                   "infrasim bounds restarts only under on-failure (Docker's on-failure:N)");
            }
          } else {
            ok = false;
          }
        }
        if (child(rp, "window").IsDefined()) {
          note(Kind::kIgnored, key_pos(r, rp, "window"), path + "deploy.restart_policy.window", "not modelled");
        }
        if (child(s, "restart").IsDefined()) {
          note(Kind::kIgnored, r.pos(it->first), path + "deploy.restart_policy",
               "the service's restart: (the Docker engine's) is the one used");
        } else {
          out.restart = spec;
          note(Kind::kMapped, r.pos(it->first), path + "deploy.restart_policy",
               fmt::format("restart: {{policy: {}, backoff: {{initial: {}, max: {}}}{}}}",
                           topology::restart_policy_name(spec.policy), core::format_duration(spec.initial),
                           core::format_duration(spec.max), extra));
        }
      } else if (k == "update_config" || k == "rollback_config") {
        note(Kind::kPending, r.pos(it->first), path + "deploy." + k,
             "rolling updates are not modelled yet (operations issue)");
      } else {
        note(Kind::kIgnored, r.pos(it->first), path + "deploy." + k, "not modelled");
      }
    }
  }
  if (auto h = child(s, "healthcheck"); h.IsDefined()) {
    if (!r.is_map(h, "healthcheck")) return std::nullopt;
    bool disabled = false;
    if (auto dis = child(h, "disable"); dis.IsDefined()) disabled = r.boolean(dis).value_or(false);
    if (!disabled) {
      // Docker's defaults: interval 30s, timeout 30s, retries 3, start_period 0 (Dockerfile HEALTHCHECK reference).
      topology::HealthCheck hc;
      hc.interval = 30;
      hc.timeout = 30;
      hc.healthy_threshold = 1;
      hc.unhealthy_threshold = 3;
      if (auto n = child(h, "interval"); n.IsDefined()) {
        if (auto v = duration(r, n)) hc.interval = *v; else ok = false;
      }
      if (auto n = child(h, "timeout"); n.IsDefined()) {
        if (auto v = duration(r, n)) hc.timeout = *v; else ok = false;
      }
      if (auto n = child(h, "retries"); n.IsDefined()) {
        if (auto v = r.integer(n, 1, 100)) hc.unhealthy_threshold = static_cast<int>(*v); else ok = false;
      }
      if (auto n = child(h, "start_period"); n.IsDefined()) {
        if (auto v = duration(r, n)) out.start_period = *v; else ok = false;
      }
      if (ok && hc.interval <= 0) {
        r.error(child(h, "interval"), "healthcheck interval 0; expected a duration above 0");
        ok = false;
      }
      if (ok && hc.timeout > hc.interval) {
        // Docker runs the next check only after the previous one ends; infrasim's checks expect timeout <= interval.
        hc.timeout = hc.interval;
        note(Kind::kMapped, key_pos(r, h, "timeout"), path + "healthcheck.timeout",
             fmt::format("timeout: {} (capped at the interval: a check cannot outlast its period)",
                         core::format_duration(hc.interval)));
      }
      if (ok) {
        out.healthcheck = hc;
        note(Kind::kMapped, key_pos(r, s, "healthcheck"), path + "healthcheck",
             fmt::format("health_check of the load balancer in front: {{interval: {}, timeout: {}, healthy_threshold: "
                         "1, unhealthy_threshold: {}}}{}",
                         core::format_duration(hc.interval), core::format_duration(hc.timeout), hc.unhealthy_threshold,
                         out.start_period ? fmt::format("; boot_time: {} (start_period)",
                                                        core::format_duration(*out.start_period))
                                          : ""));
      }
    }
    for (auto it = h.begin(); it != h.end(); ++it) {
      std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
      if (k == "test") {
        note(Kind::kIgnored, r.pos(it->first), path + "healthcheck.test",
             "the check's command: a check passes while the instance is up, booted and reachable");
      } else if (k == "start_interval" || (k == "disable" && disabled)) {
        note(Kind::kIgnored, r.pos(it->first), path + "healthcheck." + k, "not modelled");
      }
    }
  }
  if (auto rs = child(s, "restart"); rs.IsDefined()) {
    if (auto v = r.choice(rs, "restart policy", {"no", "always", "on-failure", "unless-stopped"})) {
      // The Docker engine's policy and back-off (100 ms doubling to 1 min, reset after 10 s up).
      topology::RestartSpec spec = topology::restart_defaults(topology::RestartSpec::By::kDocker);
      spec.policy = *v == "always"           ? topology::RestartSpec::Policy::kAlways
                    : *v == "on-failure"     ? topology::RestartSpec::Policy::kOnFailure
                    : *v == "unless-stopped" ? topology::RestartSpec::Policy::kUnlessStopped
                                             : topology::RestartSpec::Policy::kNo;
      out.restart = spec;
      note(Kind::kMapped, key_pos(r, s, "restart"), path + "restart",
           fmt::format("restart: {} (Docker's back-off: 100ms doubling to 1m)", *v));
    } else {
      ok = false;
    }
  }
  if (auto d = child(s, "depends_on"); d.IsDefined()) {
    // A list of names, or a mapping name -> {condition: service_started | service_healthy | ...}.
    if (d.IsSequence()) {
      for (const auto& item : d) {
        if (auto v = r.string(item, "a service name")) out.depends_on.push_back(*v);
      }
    } else if (d.IsMap()) {
      for (auto it = d.begin(); it != d.end(); ++it) {
        if (auto v = r.string(it->first, "a service name")) out.depends_on.push_back(*v);
      }
    } else {
      r.error(d, "depends_on is neither a list nor a mapping; expected depends_on: [db, cache]");
      ok = false;
    }
    note(Kind::kMapped, key_pos(r, s, "depends_on"), path + "depends_on",
         fmt::format("request paths: {} calls {} (start order and conditions are not modelled)", name,
                     fmt::join(out.depends_on, ", ")));
  }
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (!it->first.IsScalar() || used.count(it->first.Scalar())) continue;
    note(Kind::kIgnored, r.pos(it->first), path + it->first.Scalar(), ignored_reason(it->first.Scalar()));
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

std::optional<topology::Kind> kind_of_image(const std::string& image) {
  const std::string base = image_base(image);
  auto is = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (base == n || base.starts_with(std::string(n) + "-")) return true;
    }
    return false;
  };
  if (is({"prometheus", "grafana", "alertmanager", "node-exporter", "cadvisor", "loki", "promtail", "jaeger",
          "consul", "pushgateway", "blackbox-exporter"})) {
    return std::nullopt;
  }
  if (is({"traefik", "nginx", "haproxy", "envoy", "caddy", "kong"})) return topology::Kind::kLoadBalancer;
  if (is({"postgres", "postgresql", "mysql", "mariadb", "mongo", "mongodb", "cockroach", "timescaledb"}))
    return topology::Kind::kDatabase;
  if (is({"redis", "memcached", "valkey", "keydb", "dragonfly"})) return topology::Kind::kCache;
  if (is({"rabbitmq", "nats", "kafka", "activemq", "redpanda"})) return topology::Kind::kQueue;
  if (is({"minio", "seaweedfs", "localstack"})) return topology::Kind::kStorage;
  return topology::Kind::kService;
}

topology::LbFlavor flavor_of_image(const std::string& image) {
  const std::string base = image_base(image);
  static const std::pair<const char*, topology::LbFlavor> kProducts[] = {{"traefik", topology::LbFlavor::kTraefik},
                                                                         {"nginx", topology::LbFlavor::kNginx},
                                                                         {"haproxy", topology::LbFlavor::kHaproxy},
                                                                         {"envoy", topology::LbFlavor::kEnvoy}};
  for (const auto& [n, f] : kProducts) {
    if (base == n || base.starts_with(std::string(n) + "-")) return f;
  }
  return topology::LbFlavor::kGeneric;
}

bool looks_like_compose(const std::string& text) {
  return text.starts_with("services:") || text.find("\nservices:") != std::string::npos;
}

std::optional<ComposeFile> parse_compose(const std::string& file, const std::string& text, Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  auto root = core::parse_yaml(file, text, diags, "a compose file with services:");
  if (!root) return std::nullopt;
  Reader r(file, diags);
  if (!r.is_map(*root, "compose file")) return std::nullopt;
  ComposeFile out;
  YAML::Node services = child(*root, "services");
  if (!services.IsDefined()) {
    r.error(*root, "no services; expected a compose file with services: {name: {image: ...}}");
    return std::nullopt;
  }
  if (!r.is_map(services, "services")) return std::nullopt;
  if (services.size() > 1000) {
    r.error(services, "more than 1000 services; expected a smaller compose file");
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (auto it = services.begin(); it != services.end(); ++it) {
    auto name = r.identifier(it->first);
    if (!name) continue;
    if (std::find(names.begin(), names.end(), *name) != names.end()) {
      r.error(it->first, fmt::format("service '{}' is defined twice; expected unique names", *name));
      continue;
    }
    names.push_back(*name);
    if (auto s = read_service(r, *name, it->second)) out.services.push_back(std::move(*s));
  }
  // depends_on must name services of this file (docker compose refuses the file otherwise).
  for (auto it = services.begin(); it != services.end(); ++it) {
    YAML::Node d = child(it->second, "depends_on");
    if (!d.IsDefined()) continue;
    std::vector<YAML::Node> refs;
    if (d.IsSequence()) {
      for (const auto& item : d) refs.push_back(item);
    } else if (d.IsMap()) {
      for (auto jt = d.begin(); jt != d.end(); ++jt) refs.push_back(jt->first);
    }
    for (const auto& ref : refs) {
      if (!ref.IsScalar() || std::find(names.begin(), names.end(), ref.Scalar()) != names.end()) continue;
      r.error(ref, core::unknown_name({.noun = "service", .name = ref.Scalar(), .prefix = "depends_on names "}, names));
    }
  }
  for (auto it = root->begin(); it != root->end(); ++it) {
    std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
    if (k == "services") continue;
    out.notes.push_back({Kind::kIgnored, r.pos(it->first), k,
                         k == "version" ? "obsolete in the Compose Specification" : "not modelled"});
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return out;
}

std::optional<ComposeService> load_compose_service(const std::string& path, const std::string& name,
                                                   const SourcePos& ref, Diagnostics& diags) {
  std::string why = core::unreadable_reason(path);
  if (!why.empty() && ref.line > 0) {
    diags.error(ref,
                fmt::format("cannot read compose file '{}': {}; expected a readable file", path, why));
    return std::nullopt;
  }
  auto text = core::read_text_file(path, diags);
  if (!text) return std::nullopt;
  auto f = parse_compose(path, *text, diags);
  if (!f) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& s : f->services) {
    if (s.name == name) return s;
    names.push_back(s.name);
  }
  SourcePos at = ref.line > 0 ? ref : SourcePos{path, 0, 0};
  diags.error(at, core::unknown_name({.noun = "service", .name = name, .in = path}, names));
  return std::nullopt;
}

}  // namespace sim::import
