#include "sim/check/lint.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>
#include <tuple>

#include "sim/core/units.h"
#include "sim/scenario/profile.h"

namespace sim::check {

using topology::Component;
using topology::Kind;
using topology::Topology;

namespace {

int max_replicas(const Component& c, const scenario::Scenario* scen) {
  int n = c.instances();
  if (!scen) return n;
  for (const auto& a : scen->autoscaling) {
    if (a.component != c.name) continue;
    n = std::max(n, a.hpa() ? a.hpa()->max : a.rules()->max);
  }
  return n;
}

// Services that call `db` directly: the nearest service before it on a path.
std::set<std::string> callers_of(const Topology& topo, const std::string& target) {
  std::set<std::string> out;
  for (const auto& rc : topo.requests) {
    std::string last_service;
    for (const auto& s : rc.path) {
      const Component* c = topo.find(s.component);
      if (!c) continue;
      if (s.component == target && !last_service.empty()) out.insert(last_service);
      if (c->kind == Kind::kService) last_service = c->name;
    }
  }
  return out;
}

std::string region_of(const Topology& topo, const std::string& comp) {
  const Component* c = topo.find(comp);
  return c ? c->region : "";
}

}  // namespace

std::vector<Finding> lint(const Topology& topo, const scenario::Scenario* scen) {
  std::vector<Finding> out;

  // db-connections
  for (const Component& c : topo.components) {
    const topology::DatabaseSpec* db = c.database();
    if (!db) continue;
    int total = 0;
    std::vector<std::string> parts;
    for (const std::string& caller : callers_of(topo, c.name)) {
      int n = max_replicas(*topo.find(caller), scen);
      total += n * db->pool.max;
      parts.push_back(fmt::format("{} x{}", caller, n));
    }
    if (total > db->max_connections) {
      std::string parts_text;
      for (std::size_t i = 0; i < parts.size(); ++i) parts_text += (i ? ", " : "") + parts[i];
      out.push_back({"db-connections",
                     fmt::format("database '{}' allows {} connections but its clients may open {} (pool max {} per "
                                 "instance; {} at max replicas); expected pool max x replicas <= max_connections",
                                 c.name, db->max_connections, total, db->pool.max, parts_text),
                     c.pos});
    }
  }

  // detection-rto
  if (scen) {
    std::optional<double> rto;
    for (const auto& e : scen->expectations) {
      if (e.metric == "rto") rto = e.value;
    }
    auto instance_rto = scen->resilience.targets.find("instance");
    std::optional<double> inst_rto = rto;
    if (instance_rto != scen->resilience.targets.end() && instance_rto->second.rto) inst_rto = instance_rto->second.rto;
    for (const Component& c : topo.components) {
      if (const topology::LoadBalancerSpec* lb = c.lb(); lb && inst_rto && lb->health_check.enabled) {
        double d = lb->health_check.detection_time();
        if (d > *inst_rto) {
          // With Docker's events a dead container is dropped at once: only a hung or lost one waits for the checks.
          const bool docker = lb->discovery == topology::LoadBalancerSpec::Discovery::kDocker;
          out.push_back({"detection-rto",
                         fmt::format("load balancer '{}' needs up to {} to detect a {} backend (interval {} x {} + "
                                     "timeout {}{}), above the RTO target {}; expected a shorter interval or threshold",
                                     c.name, core::format_duration(d), docker ? "hung or unreachable" : "dead",
                                     core::format_duration(lb->health_check.interval),
                                     lb->health_check.unhealthy_threshold,
                                     core::format_duration(lb->health_check.timeout),
                                     docker ? "; Docker's events report a dead one at once" : "",
                                     core::format_duration(*inst_rto)),
                         c.pos});
        }
      }
      if (const topology::DatabaseSpec* db = c.database(); db && rto && db->replicas > 0 && db->failover.fails_over()) {
        double d = db->failover.worst_time();
        if (d > *rto && db->failover.manual) {
          out.push_back({"detection-rto",
                         fmt::format("database '{}' is failed over by hand in up to {} (an operator starts after {}, "
                                     "promotes {} later, DNS TTL {}), above the RTO target {}",
                                     c.name, core::format_duration(d), core::format_duration(db->failover.manual->detect),
                                     core::format_duration(db->failover.manual->act),
                                     core::format_duration(db->failover.dns_ttl), core::format_duration(*rto)),
                         db->failover.manual->pos});
        } else if (d > *rto) {
          out.push_back({"detection-rto",
                         fmt::format("database '{}' fails over in up to {} (detection {} + promotion {} + DNS TTL {}), "
                                     "above the RTO target {}",
                                     c.name, core::format_duration(d),
                                     core::format_duration(db->failover.detection.detection_time()),
                                     core::format_duration(db->failover.promote),
                                     core::format_duration(db->failover.dns_ttl), core::format_duration(*rto)),
                         c.pos});
        }
      }
    }
  }

  // no-route: with explicit region links, only linked regions talk to each other.
  if (!topo.network.region_links.empty()) {
    std::set<std::pair<std::string, std::string>> linked;
    for (const auto& l : topo.network.region_links) {
      linked.insert({l.a, l.b});
      linked.insert({l.b, l.a});
    }
    std::set<std::pair<std::string, std::string>> reported;
    for (const auto& rc : topo.requests) {
      for (std::size_t i = 0; i + 1 < rc.path.size(); ++i) {
        std::string a = region_of(topo, rc.path[i].component), b = region_of(topo, rc.path[i + 1].component);
        if (a.empty() || b.empty() || a == b || linked.count({a, b})) continue;
        if (!reported.insert({rc.path[i].component, rc.path[i + 1].component}).second) continue;
        out.push_back({"no-route",
                       fmt::format("the path of '{}' goes from '{}' ({}) to '{}' ({}) but no region link connects {} "
                                   "and {}; expected a region_links entry between them",
                                   rc.name, rc.path[i].component, a, rc.path[i + 1].component, b, a, b),
                       rc.path[i + 1].pos});
      }
    }
  }

  // capacity: peak offered CPU seconds per second vs cores at max replicas.
  if (scen) {
    double peak = scenario::peak_rate(scen->load);
    if (peak > 0) {
      for (const Component& c : topo.components) {
        const topology::ServiceSpec* s = c.service();
        if (!s) continue;
        double demand = 0;  // core-seconds per second at the peak
        for (const auto& rc : topo.requests) {
          bool through = std::any_of(rc.path.begin(), rc.path.end(), [&](const auto& st) { return st.component == c.name; });
          if (!through) continue;
          auto it = s->service_time.find(rc.name);
          if (it == s->service_time.end()) it = s->service_time.find("default");
          if (it == s->service_time.end()) continue;
          double hit_before = 0;  // a CDN hit ends the path before the service
          const Component* first = topo.find(rc.path.front().component);
          if (first && first->cdn()) {
            auto h = first->cdn()->hit_ratio.find(rc.name);
            hit_before = h != first->cdn()->hit_ratio.end() ? h->second : first->cdn()->default_hit_ratio;
          }
          demand += peak * rc.share * (1 - hit_before) * it->second.mean;
        }
        int n = max_replicas(c, scen);
        double cores = static_cast<double>(n * s->cores);
        if (demand > cores) {
          out.push_back({"capacity",
                         fmt::format("service '{}' needs {:.1f} cores at the peak load of {} but has {} ({} x {} cores "
                                     "at max replicas): utilization {:.0f}%; expected more replicas or cores",
                                     c.name, demand, core::format_rate(peak), n * s->cores, n, s->cores,
                                     100 * demand / cores),
                         c.pos});
        }
      }
    }
  }

  // cache-failover: a Redis deployment that cannot promote a replica when a master fails.
  for (const Component& c : topo.components) {
    const topology::CacheSpec* cs = c.cache();
    if (!cs || cs->ha.mode == topology::CacheHa::Mode::kNone) continue;
    const bool cluster = cs->ha.mode == topology::CacheHa::Mode::kCluster;
    const char* kind = cluster ? "Redis Cluster" : "Redis Sentinel deployment";
    if (cluster && cs->nodes < 3) {
      // Redis Cluster specification: a replica is promoted with the votes of a majority of
      // all masters, and a master is flagged failed by a majority of them.
      int needed = cs->nodes / 2 + 1;
      out.push_back({"cache-failover",
                     fmt::format("cache '{}' is a Redis Cluster of {} master{}: when one fails, {} left cannot make the "
                                 "majority of {} a failover needs, so no replica is promoted; expected at least 3 "
                                 "masters (nodes: 3)",
                                 c.name, cs->nodes, cs->nodes == 1 ? "" : "s", cs->nodes - 1, needed),
                     cs->ha.pos.line > 0 ? cs->ha.pos : c.pos});
    }
    if (cs->replicas == 0) {
      out.push_back({"cache-failover",
                     fmt::format("cache '{}' is a {} without replicas: nothing can be promoted when a master fails, "
                                 "and its keys are misses until it restarts; expected replicas >= 1",
                                 c.name, kind),
                     cs->ha.pos.line > 0 ? cs->ha.pos : c.pos});
    }
    if (!cluster && cs->ha.sentinels < 3) {
      out.push_back({"cache-failover",
                     fmt::format("cache '{}' is watched by {} sentinel{}: one lost sentinel (or its host) stops "
                                 "failovers; expected at least 3 sentinels (Redis Sentinel documentation)",
                                 c.name, cs->ha.sentinels, cs->ha.sentinels == 1 ? "" : "s"),
                     cs->ha.pos.line > 0 ? cs->ha.pos : c.pos});
    }
  }

  // liveness-boot, workers-cores and timeout-order
  for (const Component& c : topo.components) {
    const topology::ServiceSpec* s = c.service();
    if (!s) continue;
    // A booting instance fails its liveness probes: the failure_threshold-th failure comes between
    // initial_delay + (threshold - 1) x period and one period later (the prober's ticks are not the
    // instance's), and each restart boots again: a crash loop (docs/operations.md, liveness probes).
    if (const topology::LivenessSpec& l = c.liveness; l.enabled) {
      const double kill = l.initial_delay + (l.failure_threshold - 1) * l.period;
      if (s->boot_time > kill) {
        out.push_back({"liveness-boot",
                       fmt::format("service '{}' boots in {} but its liveness probe can kill it after initial_delay "
                                   "{} + (failure_threshold {} - 1) x period {} = {}: every restart boots again (a "
                                   "crash loop); expected initial_delay >= boot_time",
                                   c.name, core::format_duration(s->boot_time), core::format_duration(l.initial_delay),
                                   l.failure_threshold, core::format_duration(l.period), core::format_duration(kill)),
                       c.pos});
      }
    }
    if (s->workers < s->cores) {
      out.push_back({"workers-cores",
                     fmt::format("service '{}' has {} workers for {} cores: at most {} cores can ever be busy; expected "
                                 "workers >= cores",
                                 c.name, s->workers, s->cores, s->workers),
                     c.pos});
    }
  }
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.pos.file, a.pos.line, a.pos.column, a.code) < std::tie(b.pos.file, b.pos.line, b.pos.column, b.code);
  });
  return out;
}

std::string format_finding(const Finding& f) {
  if (f.pos.line > 0) return fmt::format("{}:{}:{}: warning: {} [{}]", f.pos.file, f.pos.line, f.pos.column, f.message, f.code);
  return fmt::format("{}: warning: {} [{}]", f.pos.file, f.message, f.code);
}

}  // namespace sim::check
