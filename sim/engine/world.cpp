// Engine setup: compile the topology into stations, plans and a SimGrid platform.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <stdexcept>

#include "sim/core/log.h"
#include "sim/engine/world.h"

namespace sim::engine {

using topology::Kind;

int World::component_index(const std::string& name) const {
  for (std::size_t i = 0; i < comps.size(); ++i) {
    if (comps[i].spec->name == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

int instance_cores(const topology::Component& c) {
  switch (c.kind) {
    case Kind::kService: return c.service()->cores;
    case Kind::kCache: return c.cache()->cores;
    case Kind::kDatabase: return c.database()->cores;
    case Kind::kQueue: return c.queue()->cores;
    case Kind::kStorage: return c.storage()->cores;
    default: return 1;
  }
}

// Most stations for a component over the run: autoscaled services pre-create up to max.
int max_instances(const topology::Component& c, const scenario::Scenario& s) {
  int n = c.instances();
  if (c.kind == Kind::kQueue) n = 1 + c.queue()->consumers;  // broker + consumers
  for (const auto& a : s.autoscaling) {
    if (a.component == c.name) n = std::max(n, a.hpa() ? a.hpa()->max : a.rules()->max);
  }
  return n;
}

}  // namespace

void World::build(const scenario::Scenario& s, const topology::Topology& t) {
  scen = &s;
  topo = &t;
  streams = core::RngStreams(s.seed);
  rng_flow = streams.stream("flow");
  rng_service = streams.stream("service-times");
  rng_faults = streams.stream("faults");

  // Places.
  for (const auto& r : t.regions) {
    regions.push_back(r.name);
    for (const auto& z : r.zones) {
      zones.push_back(z);
      zone_region.push_back(static_cast<int>(regions.size()) - 1);
    }
  }
  region_share.assign(regions.size(), 0.0);
  if (t.clients.regions.empty()) {
    region_share[0] = 1.0;
  } else {
    for (const auto& [name, share] : t.clients.regions) {
      auto it = std::find(regions.begin(), regions.end(), name);
      region_share[static_cast<std::size_t>(it - regions.begin())] = share;
    }
  }

  // Components and their stations (one per instance, spares included).
  comps.resize(t.components.size());
  for (std::size_t ci = 0; ci < t.components.size(); ++ci) {
    const topology::Component& c = t.components[ci];
    ComponentRt& rt = comps[ci];
    rt.spec = &c;
    if (c.kind == Kind::kCdn) continue;
    int n = max_instances(c, s);
    int initial = c.kind == Kind::kQueue ? n : c.instances();
    for (int i = 0; i < n; ++i) {
      Station stn;
      stn.component = static_cast<int>(ci);
      stn.index = i;
      stn.name = fmt::format("{}-{}", c.name, i);
      const std::string& zone = c.zones[static_cast<std::size_t>(i) % c.zones.size()];
      stn.zone = static_cast<int>(std::find(zones.begin(), zones.end(), zone) - zones.begin());
      stn.cores = instance_cores(c);
      stn.started = i < initial;
      stn.ready = stn.started;
      stn.up = stn.started;
      switch (c.kind) {
        case Kind::kService:
          stn.max_workers = c.service()->workers;
          stn.queue_limit = static_cast<std::size_t>(c.service()->queue_limit);
          break;
        case Kind::kCache:
          stn.max_workers = c.cache()->cores;  // Redis: one command at a time per core
          break;
        case Kind::kDatabase:
          stn.max_workers = c.database()->max_connections;
          break;
        case Kind::kQueue:
          stn.max_workers = i == 0 ? 1 : c.queue()->concurrency;
          break;
        case Kind::kStorage:
          stn.max_workers = 4 * c.storage()->cores;
          break;
        case Kind::kLoadBalancer:
          stn.max_workers = 0;  // an LB forwards; it has no workers
          break;
        default:
          break;
      }
      rt.stations.push_back(static_cast<int>(stations.size()));
      stations.push_back(std::move(stn));
    }
    if (c.kind == Kind::kDatabase) rt.open_connections.assign(static_cast<std::size_t>(n), 0);
    if (c.kind == Kind::kQueue) {
      // Consumers: stations 1..n, `concurrency` slots each.
      for (std::size_t k = 1; k < rt.stations.size(); ++k) {
        for (int j = 0; j < c.queue()->concurrency; ++j) rt.slots.push_back({rt.stations[k], std::nullopt});
      }
    }
  }
  // Host speeds: full speed, then every cpu_slowdown factor aimed at the component.
  for (Station& stn : stations) stn.pstates = {1.0};
  for (const auto& f : s.faults) {
    if (f.kind != scenario::Fault::Kind::kCpuSlowdown) continue;
    for (int si : comps[static_cast<std::size_t>(component_index(f.target.component))].stations) {
      auto& ps = stations[static_cast<std::size_t>(si)].pstates;
      if (std::find(ps.begin(), ps.end(), f.value) == ps.end()) ps.push_back(f.value);
    }
  }

  // Load balancers: their backend is the component after them on any path.
  for (const auto& rc : t.requests) {
    for (std::size_t i = 0; i + 1 < rc.path.size(); ++i) {
      int lb = component_index(rc.path[i].component);
      if (comps[static_cast<std::size_t>(lb)].spec->kind == Kind::kLoadBalancer) {
        comps[static_cast<std::size_t>(lb)].backend = component_index(rc.path[i + 1].component);
      }
    }
  }
  for (std::size_t ci = 0; ci < comps.size(); ++ci) {
    ComponentRt& rt = comps[ci];
    if (rt.spec->kind != Kind::kLoadBalancer) continue;
    const topology::LoadBalancerSpec& lb = *rt.spec->lb();
    rt.balancer = std::make_unique<model::Balancer>(lb.algorithm, streams.stream("lb:" + rt.spec->name));
    if (lb.rate_limit) rt.limiter = std::make_unique<model::RateLimiter>(lb.rate_limit->rate, lb.rate_limit->burst);
    if (rt.backend >= 0) {
      const ComponentRt& be = comps[static_cast<std::size_t>(rt.backend)];
      std::size_t n = be.stations.size();
      rt.health.resize(n);
      rt.views.resize(n);
      int instances = be.spec->instances();
      for (std::size_t i = 0; i < n; ++i) {
        // Spares (autoscaling) start unhealthy: they must pass the checks after boot.
        rt.health[i].healthy = static_cast<int>(i) < instances;
        rt.views[i].weight = i < lb.weights.size() ? lb.weights[i] : 1.0;
        rt.views[i].backup = static_cast<int>(i) >= instances - lb.backup && static_cast<int>(i) < instances;
      }
    }
  }

  // Request plans.
  for (const auto& rc : t.requests) {
    ClassPlan p;
    p.name = rc.name;
    p.write = rc.write;
    p.response_size = rc.response_size;
    int pending_lb = -1;
    for (const auto& step : rc.path) {
      int ci = component_index(step.component);
      const topology::Component& c = *comps[static_cast<std::size_t>(ci)].spec;
      switch (c.kind) {
        case Kind::kCdn:
          p.cdn = ci;
          break;
        case Kind::kLoadBalancer:
          pending_lb = ci;
          break;
        case Kind::kService:
          if (p.services.empty()) {
            p.entry = ci;
            p.entry_lb = pending_lb;
          } else {
            Call call;
            call.kind = Call::Kind::kService;
            call.component = ci;
            call.via_lb = pending_lb;
            p.segments.back().push_back(call);
          }
          pending_lb = -1;
          p.services.push_back(ci);
          p.segments.emplace_back();
          break;
        default: {
          Call call;
          call.component = ci;
          call.kind = c.kind == Kind::kCache      ? Call::Kind::kCache
                      : c.kind == Kind::kDatabase ? Call::Kind::kDatabase
                      : c.kind == Kind::kQueue    ? Call::Kind::kQueue
                                                  : Call::Kind::kStorage;
          if (c.kind == Kind::kDatabase) {
            const topology::DatabaseSpec& db = *c.database();
            bool to_replica = step.role == "replica" ||
                              (step.role.empty() && !rc.write && db.replicas > 0 && db.reads_from_replicas);
            call.role = to_replica ? 1 : 0;
          }
          p.segments.back().push_back(call);
          break;
        }
      }
    }
    plans.push_back(std::move(p));
  }

  // Autoscalers.
  class_autoscalers.assign(t.requests.size(), {});
  for (const auto& a : s.autoscaling) {
    AutoscalerRt rt;
    rt.component = component_index(a.component);
    rt.spec = &a;
    const topology::ServiceSpec& svc = *comps[static_cast<std::size_t>(rt.component)].spec->service();
    rt.boot_time = a.boot_time.value_or(svc.boot_time);
    if (const scenario::HpaSpec* h = a.hpa()) {
      rt.hpa = std::make_unique<model::HpaController>(*h);
      rt.period = h->sync_period;
      rt.window = h->metric_window;
      rt.min = h->min;
      rt.max = h->max;
    } else {
      const scenario::ThresholdPolicy& p = *a.rules();
      rt.rules = std::make_unique<model::ThresholdScaler>(p);
      rt.period = p.evaluation_period;
      rt.window = p.evaluation_period;
      rt.min = p.min;
      rt.max = p.max;
    }
    int idx = static_cast<int>(autoscalers.size());
    for (std::size_t ci = 0; ci < t.requests.size(); ++ci) {
      for (const auto& step : t.requests[ci].path) {
        if (step.component == a.component) {
          class_autoscalers[ci].push_back(idx);
          break;
        }
      }
    }
    autoscalers.push_back(std::move(rt));
  }
  std::vector<std::string> class_names;
  for (const auto& rc : t.requests) class_names.push_back(rc.name);
  // Records may be late by the longest timeout sweep and early by the longest client-side latency.
  recorder = std::make_unique<model::Recorder>(s.window, s.duration, s.warmup, class_names, 5.0);
  result.scenario = s.name;
  result.topology = t.name;
  result.seed = s.seed;
  result.duration = s.duration;
  result.warmup = s.warmup;
  result.window = s.window;
}

double World::latency_zone(int za, int zb) const {
  const topology::Network& net = topo->network;
  if (za == zb) return net.intra_zone_latency;
  int ra = zone_region[static_cast<std::size_t>(za)], rb = zone_region[static_cast<std::size_t>(zb)];
  if (ra == rb) return net.inter_zone_latency;
  const std::string& a = regions[static_cast<std::size_t>(ra)];
  const std::string& b = regions[static_cast<std::size_t>(rb)];
  for (const auto& l : net.region_links) {
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return l.latency;
  }
  return net.inter_region_latency;
}

double World::latency(int a, int b) const {
  const Station& sa = stations[static_cast<std::size_t>(a)];
  const Station& sb = stations[static_cast<std::size_t>(b)];
  // An explicit component link overrides the zone latency.
  const std::string& ca = comps[static_cast<std::size_t>(sa.component)].spec->name;
  const std::string& cb = comps[static_cast<std::size_t>(sb.component)].spec->name;
  for (const auto& l : topo->network.links) {
    if ((l.from == ca && l.to == cb) || (l.from == cb && l.to == ca)) return l.latency;
  }
  return latency_zone(sa.zone, sb.zone);
}

// The SimGrid platform: a root zone with one zone per region; each region zone
// holds its instances' hosts, a gateway router, a NIC link per host (the
// network bandwidth) and one fabric link per zone pair (the latency). Region
// zones are joined by one link per region pair (latency, bandwidth). Requests
// read latencies from World::latency (the same numbers); bulk transfers
// (restores, large responses) are SimGrid communications over these routes.
void World::build_platform() {
  const topology::Network& net = topo->network;
  auto* root = sg::create_full_zone("world");
  std::vector<sg::NetZone*> region_zones;
  std::vector<simgrid::kernel::routing::NetPoint*> gateways;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    auto* z = sg::create_full_zone("region-" + regions[r]);
    z->set_parent(root);
    region_zones.push_back(z);
  }
  // Hosts, with the control host (generator, controllers) in the first region.
  std::vector<std::vector<int>> by_region(regions.size());
  for (std::size_t i = 0; i < stations.size(); ++i) {
    by_region[static_cast<std::size_t>(zone_region[static_cast<std::size_t>(stations[i].zone)])].push_back(static_cast<int>(i));
  }
  for (std::size_t r = 0; r < regions.size(); ++r) {
    sg::NetZone* z = region_zones[r];
    auto* gw = z->create_router("gw-" + regions[r]);
    gateways.push_back(gw);
    std::vector<sg::Host*> hosts;
    std::vector<int> host_zone;
    std::vector<const sg::Link*> nics;
    for (int si : by_region[r]) {
      Station& stn = st(si);
      // pstate 0 is full speed; one more per cpu_slowdown factor aimed at this component.
      std::vector<double> speeds;
      for (double f : stn.pstates) speeds.push_back(f * kFlopsPerSecond);
      stn.host = z->create_host(stn.name, speeds)->set_core_count(stn.cores)->seal();
      hosts.push_back(stn.host);
      host_zone.push_back(stn.zone);
      stn.nic = z->create_link(stn.name + "-nic", net.bandwidth)->set_latency(0)->seal();
      nics.push_back(stn.nic);
    }
    if (r == 0) {
      control_host = z->create_host("control", kFlopsPerSecond)->set_core_count(64)->seal();
      hosts.push_back(control_host);
      host_zone.push_back(-1);  // the control host is "everywhere" in its region: intra-zone latency
      nics.push_back(z->create_link("control-nic", net.bandwidth * 100)->set_latency(0)->seal());
    }
    // Backup stores: restores come over a link at the database's restore_rate.
    for (ComponentRt& c : comps) {
      const topology::DatabaseSpec* db = c.spec->database();
      if (!db || db->backup.restore_rate <= 0) continue;
      int region = zone_region[static_cast<std::size_t>(st(c.stations.front()).zone)];
      if (region != static_cast<int>(r)) continue;
      c.backup_store = z->create_host(c.spec->name + "-backup-store", kFlopsPerSecond)->seal();
      hosts.push_back(c.backup_store);
      host_zone.push_back(-1);
      nics.push_back(z->create_link(c.spec->name + "-backup-link", db->backup.restore_rate)->set_latency(0)->seal());
    }
    std::map<std::pair<int, int>, const sg::Link*> fabric;
    auto fabric_link = [&](int za, int zb) {
      auto key = std::minmax(za, zb);
      auto it = fabric.find(key);
      if (it != fabric.end()) return it->second;
      double lat = (za < 0 || zb < 0) ? net.intra_zone_latency : latency_zone(za, zb);
      std::string name = fmt::format("fabric-{}-{}", za < 0 ? "control" : zones[static_cast<std::size_t>(za)],
                                     zb < 0 ? "control" : zones[static_cast<std::size_t>(zb)]);
      const sg::Link* l = z->create_link(name, net.bandwidth)->set_latency(lat)->seal();
      fabric[key] = l;
      return l;
    };
    for (std::size_t a = 0; a < hosts.size(); ++a) {
      z->add_route(hosts[a]->get_netpoint(), gw, nullptr, nullptr, {sg::LinkInRoute(nics[a])}, true);
      for (std::size_t b = a + 1; b < hosts.size(); ++b) {
        const sg::Link* f = fabric_link(host_zone[a], host_zone[b]);
        z->add_route(hosts[a]->get_netpoint(), hosts[b]->get_netpoint(), nullptr, nullptr,
                     {sg::LinkInRoute(nics[a]), sg::LinkInRoute(f), sg::LinkInRoute(nics[b])}, true);
      }
    }
    z->seal();
  }
  for (std::size_t a = 0; a < regions.size(); ++a) {
    for (std::size_t b = a + 1; b < regions.size(); ++b) {
      double lat = net.inter_region_latency, bw = net.bandwidth;
      for (const auto& l : net.region_links) {
        if ((l.a == regions[a] && l.b == regions[b]) || (l.a == regions[b] && l.b == regions[a])) {
          lat = l.latency;
          bw = l.bandwidth;
        }
      }
      sg::Link* l = root->create_link(fmt::format("region-{}-{}", regions[a], regions[b]), bw)->set_latency(lat)->seal();
      region_links[{static_cast<int>(a), static_cast<int>(b)}] = l;
      root->add_route(region_zones[a]->get_netpoint(), region_zones[b]->get_netpoint(), gateways[a], gateways[b],
                      {sg::LinkInRoute(l)}, true);
    }
  }
  root->seal();
}

}  // namespace sim::engine
