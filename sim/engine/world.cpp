#include "sim/engine/world.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

#include "sim/core/log.h"
#include "sim/core/units.h"
#include "sim/engine/unwound_stack.h"

namespace sim::engine {

using topology::Kind;

namespace {

// Most stations for a component over the run: autoscaled services pre-create up to max.
int max_instances(const topology::Component& c, const scenario::Scenario& s) {
  int n = c.instances();
  if (c.kind == Kind::kQueue) n = 1 + c.queue()->consumers;  // broker + consumers
  if (c.kind == Kind::kDatabase) n = Database::max_shards(c, s) * (1 + c.database()->replicas);  // a reshard's new shards
  for (const auto& a : s.autoscaling) {
    if (a.component == c.name) n = std::max(n, a.hpa() ? a.hpa()->max : a.rules()->max);
  }
  // Replacements need somewhere to go: as many spare hosts as instances, continuing the
  // round robin over the zones (or shared hosts), so that each zone has spares.
  if (c.replace.enabled) n += c.instances();
  // A rolling deployment starts new instances before (or while) the old ones drain: as many
  // spares as instances cover ECS's maximumPercent 200 and any Kubernetes maxSurge up to 100 %.
  bool doubled = false;  // a deploy's surge and a spot replacement share the spares
  for (const auto& d : s.operations.deploys) doubled = doubled || d.component == c.name;
  for (const auto& sp : s.operations.spots) doubled = doubled || sp.component == c.name;
  if (doubled) n *= 2;
  return n;
}

// The most cores an instance of the component has over the run: its hosts are built that
// large (SimGrid fixes a host's cores) and use fewer until a resize (HostCpu::set_cores).
int largest_cores(const topology::Component& c, const scenario::Scenario& s, int cores) {
  for (const auto& d : s.operations.deploys) {
    if (d.component == c.name && d.resize) cores = std::max(cores, d.resize->cores);
  }
  return cores;
}

}  // namespace

World::World(const scenario::Scenario& s, const topology::Topology& t, const RunOptions& o)
    : scen(s),
      topo(t),
      options(o),
      places(t),
      kernel(o.wake, s.duration),
      streams(s.seed),
      rng_flow(streams.stream("flow")),
      rng_service(streams.stream("service-times")) {
  build_stations();
  machine_lost_.assign(hosts.size(), 0);
  build_tiers();
  build_plans();
  flow = std::make_unique<RequestFlow>(*this);
  flow->set_max_in_flight(o.max_in_flight ? o.max_in_flight : 2000000);
  std::vector<std::string> class_names;
  for (const auto& rc : t.requests) class_names.push_back(rc.name);
  // Records may come early by the longest client-side latency (an answer is
  // recorded when it is sent, at its arrival time at the client).
  recorder = std::make_unique<model::Recorder>(s.window, s.duration, s.warmup, class_names, 5.0);
  series_.assign(comps.size(), {});
  result.scenario = s.name;
  result.topology = t.name;
  result.seed = s.seed;
  result.duration = s.duration;
  result.warmup = s.warmup;
  result.window = s.window;
}

int World::component_index(const std::string& name) const {
  for (std::size_t i = 0; i < comps.size(); ++i) {
    if (comps[i].spec->name == name) return static_cast<int>(i);
  }
  return -1;
}

void World::build_stations() {
  comps.resize(topo.components.size());
  for (std::size_t ci = 0; ci < topo.components.size(); ++ci) {
    const topology::Component& c = topo.components[ci];
    ComponentRt& rt = comps[ci];
    rt.spec = &c;
    if (c.kind == Kind::kCdn) continue;
    int n = max_instances(c, scen);
    int initial = c.kind == Kind::kQueue ? n : c.instances();
    for (int i = 0; i < n; ++i) {
      Station s;
      s.component = static_cast<int>(ci);
      s.index = i;
      s.name = fmt::format("{}-{}", c.name, i);
      s.zone = places.zone_index(c.zones[static_cast<std::size_t>(i) % c.zones.size()]);
      s.cores = topo.instance_cores(c, i);
      s.capacity = c.cpus > 0 ? std::min<double>(c.cpus, s.cores) : s.cores;
      if (c.kind == Kind::kService) s.memory = c.service()->memory;
      s.started = i < initial;
      s.ready = s.started;
      s.up = s.started;
      s.pstates = {1.0};
      switch (c.kind) {
        case Kind::kService:
          s.max_workers = c.service()->workers;
          s.queue_limit = static_cast<std::size_t>(c.service()->queue_limit);
          break;
        case Kind::kCache: s.max_workers = c.cache()->cores; break;  // Redis: one command at a time per core
        case Kind::kDatabase: s.max_workers = c.database()->max_connections; break;
        case Kind::kQueue: s.max_workers = 1; break;  // the broker acknowledges one publish at a time
        case Kind::kStorage: s.max_workers = 4 * c.storage()->cores; break;
        case Kind::kLoadBalancer: s.max_workers = 0; break;  // a balancer forwards; it has no workers
        default: break;
      }
      rt.stations.push_back(static_cast<int>(stations.size()));
      stations.push_back(std::move(s));
    }
  }
  // Hosts: the shared ones first (topology `hosts:`), then one per station that has none.
  for (const topology::Host& h : topo.hosts) {
    // "host:" keeps its SimGrid name apart from the stations' ("app-0"), which ':' never is in.
    hosts.push_back({"host:" + h.name, places.zone_index(h.zone), h.cores, {1.0}});
    host_stations.emplace_back();
  }
  for (std::size_t si = 0; si < stations.size(); ++si) {
    Station& s = stations[si];
    const topology::Component& c = *comps[static_cast<std::size_t>(s.component)].spec;
    if (!c.hosts.empty()) {
      const std::string& name = c.hosts[static_cast<std::size_t>(s.index) % c.hosts.size()];
      s.machine = static_cast<int>(topo.find_host(name) - topo.hosts.data());
    } else {
      s.machine = static_cast<int>(hosts.size());
      hosts.push_back({s.name, s.zone, largest_cores(c, scen, s.cores), {1.0}});
      host_stations.emplace_back();
    }
    host_stations[static_cast<std::size_t>(s.machine)].push_back(static_cast<int>(si));
  }
  // Host speeds: full speed, then every cpu_slowdown factor aimed at a component on it
  // (every station on a host shares its pstate list: a slowdown slows the whole host).
  for (const auto& f : scen.faults) {
    double speed = f.kind == scenario::Fault::Kind::kCpuSlowdown ? f.value
                   : f.kind == scenario::Fault::Kind::kSlow && f.value > 1 ? 1.0 / f.value
                                                                             : 0;
    if (speed <= 0) continue;
    for (int si : comps[static_cast<std::size_t>(component_index(f.target.component))].stations) {
      auto& ps = hosts[static_cast<std::size_t>(st(si).machine)].pstates;
      if (std::find(ps.begin(), ps.end(), speed) == ps.end()) ps.push_back(speed);
    }
  }
  for (Station& s : stations) s.pstates = hosts[static_cast<std::size_t>(s.machine)].pstates;
}

void World::build_tiers() {
  for (std::size_t ci = 0; ci < comps.size(); ++ci) {
    int c = static_cast<int>(ci);
    std::unique_ptr<Tier> t;
    switch (comps[ci].spec->kind) {
      case Kind::kLoadBalancer: {
        auto lb = std::make_unique<LoadBalancer>(*this, c);
        balancers.push_back(lb.get());
        t = std::move(lb);
        break;
      }
      case Kind::kDatabase: {
        auto db = std::make_unique<Database>(*this, c);
        databases.push_back(db.get());
        t = std::move(db);
        break;
      }
      case Kind::kCache: t = std::make_unique<Cache>(*this, c); break;
      case Kind::kCdn: t = std::make_unique<Cdn>(*this, c); break;
      case Kind::kQueue: t = std::make_unique<MessageQueue>(*this, c); break;
      case Kind::kStorage: t = std::make_unique<Storage>(*this, c); break;
      case Kind::kService: break;
    }
    comps[ci].tier = t.get();
    if (t) tiers.push_back(std::move(t));
  }
  // Load balancers: their backend is the component after them on any path.
  for (const auto& rc : topo.requests) {
    for (std::size_t i = 0; i + 1 < rc.path.size(); ++i) {
      int lb = component_index(rc.path[i].component);
      if (comps[static_cast<std::size_t>(lb)].spec->kind != Kind::kLoadBalancer) continue;
      auto* balancer = static_cast<LoadBalancer*>(comps[static_cast<std::size_t>(lb)].tier);
      if (balancer->backend() < 0) balancer->set_backend(component_index(rc.path[i + 1].component));
    }
  }
  for (const auto& a : scen.autoscaling) autoscalers.push_back(std::make_unique<Autoscaler>(*this, a));
}

void World::build_plans() {
  std::map<double, int> lanes;  // entry timeout -> deadline lane
  class_autoscalers.assign(topo.requests.size(), {});
  for (std::size_t k = 0; k < topo.requests.size(); ++k) {
    const topology::RequestClass& rc = topo.requests[k];
    ClassPlan p;
    p.name = rc.name;
    p.index = static_cast<int>(k);
    p.write = rc.write;
    p.response_size = rc.response_size;
    LoadBalancer* pending_lb = nullptr;
    int pending_lb_ci = -1, entry_lb_ci = -1, cdn_ci = -1;
    // The calling service's policy for a call to `callee` (or to the balancer in front of it).
    auto policy_for = [&](const topology::Component& callee) {
      if (p.services.empty()) return -1;
      const topology::Component& caller = *comps[static_cast<std::size_t>(p.services.back())].spec;
      const auto& calls = caller.service()->calls;
      auto it = calls.find(callee.name);
      if (it == calls.end() && pending_lb_ci >= 0 && pending_lb) {
        it = calls.find(comps[static_cast<std::size_t>(pending_lb_ci)].spec->name);
      }
      return it == calls.end() ? -1 : resilience.add(&it->second, caller.name, it->first);
    };
    for (const auto& step : rc.path) {
      int ci = component_index(step.component);
      const topology::Component& c = *comps[static_cast<std::size_t>(ci)].spec;
      Tier* tier = comps[static_cast<std::size_t>(ci)].tier;
      switch (c.kind) {
        case Kind::kCdn:
          p.cdn = static_cast<Cdn*>(tier);
          cdn_ci = ci;
          break;
        case Kind::kLoadBalancer:
          pending_lb = static_cast<LoadBalancer*>(tier);
          pending_lb_ci = ci;
          break;
        case Kind::kService: {
          if (p.services.empty()) {
            p.entry = ci;
            p.entry_lb = pending_lb;
            entry_lb_ci = pending_lb_ci;
          } else {
            CallPlan call;
            call.kind = CallPlan::Kind::kService;
            call.component = ci;
            call.via_lb = pending_lb;
            call.demand = service_demand(*c.service(), rc.name);
            call.policy = policy_for(c);
            p.segments.back().push_back(call);
          }
          pending_lb = nullptr;
          p.services.push_back(ci);
          p.demand.push_back(service_demand(*c.service(), rc.name));
          p.segments.emplace_back();
          break;
        }
        default: {
          CallPlan call;
          call.component = ci;
          call.policy = policy_for(c);
          switch (c.kind) {
            case Kind::kCache: {
              const topology::CacheSpec& cs = *c.cache();
              call.kind = CallPlan::Kind::kCache;
              call.cache = static_cast<Cache*>(tier);
              call.demand = &cs.service_time;
              auto hr = cs.hit_ratio.find(rc.name);
              call.hit_ratio = hr != cs.hit_ratio.end() ? hr->second : cs.default_hit_ratio;
              break;
            }
            case Kind::kDatabase: {
              const topology::DatabaseSpec& db = *c.database();
              call.kind = CallPlan::Kind::kDatabase;
              call.db = static_cast<Database*>(tier);
              call.to_replica = step.role == "replica" ||
                                (step.role.empty() && !rc.write && db.replicas > 0 && db.reads_from_replicas);
              call.write = rc.write && !call.to_replica;
              call.demand = query_demand(db, rc.name, rc.write);
              break;
            }
            case Kind::kQueue: {
              call.kind = CallPlan::Kind::kQueue;
              call.queue = static_cast<MessageQueue*>(tier);
              publish_times_.push_back(core::Distribution::constant(c.queue()->publish_time));
              call.demand = &publish_times_.back();
              break;
            }
            default: {
              call.kind = CallPlan::Kind::kStorage;
              call.storage = static_cast<Storage*>(tier);
              call.demand = &c.storage()->service_time;
              break;
            }
          }
          p.segments.back().push_back(call);
          break;
        }
      }
    }
    // The client side: constant latencies per client region.
    const double client = topo.clients.latency;
    int entry_comp = p.entry_lb ? entry_lb_ci : p.entry;
    int home_region = places.zone_region[static_cast<std::size_t>(st(comps[static_cast<std::size_t>(entry_comp)].stations.front()).zone)];
    p.prefix.assign(places.regions.size(), Prefix{});
    for (std::size_t r = 0; r < places.regions.size(); ++r) {
      Prefix& x = p.prefix[r];
      int ri = static_cast<int>(r);
      // Clients reach the entry in their own region when it has an instance there.
      int entry_region = home_region;
      for (int si : comps[static_cast<std::size_t>(entry_comp)].stations) {
        if (region_of(si) == ri) entry_region = ri;
      }
      double to_edge = client, origin = 0, edge_proc = 0;
      if (p.cdn) {
        const topology::Component& cdn = *comps[static_cast<std::size_t>(cdn_ci)].spec;
        const topology::CdnSpec& cs = *cdn.cdn();
        int cdn_region = places.region_index(cdn.region);
        bool local = std::find(cs.edge_regions.begin(), cs.edge_regions.end(), places.regions[r]) != cs.edge_regions.end() ||
                     (cs.edge_regions.empty() && cdn_region == ri);
        int edge_region = local ? ri : cdn_region;
        if (!local) to_edge += platform_region_latency(ri, cdn_region);
        edge_proc = cs.edge_latency;
        // Origin fetch: a nearby point of presence within the region, else the region link.
        origin = edge_region == entry_region ? topo.network.inter_zone_latency : platform_region_latency(edge_region, entry_region);
        auto hr = cs.hit_ratio.find(p.name);
        x.hit_ratio = hr != cs.hit_ratio.end() ? hr->second : cs.default_hit_ratio;
        x.cdn_hit = 2 * to_edge + edge_proc;
      } else {
        to_edge += platform_region_latency(ri, entry_region);
      }
      double lb_proc = 0;
      if (p.entry_lb) lb_proc = comps[static_cast<std::size_t>(entry_comp)].spec->lb()->latency;
      x.to_entry = to_edge + edge_proc + origin + lb_proc;
      x.back = to_edge + origin;
    }
    // The deadline lane of the client's patience.
    double timeout = topo.clients.timeout > 0 ? topo.clients.timeout
                                              : comps[static_cast<std::size_t>(p.entry)].spec->service()->timeout;
    p.deadline = timeout;
    auto [it, inserted] = lanes.emplace(timeout, -1);
    if (inserted) it->second = kernel.add_lane();
    class_lane.push_back(it->second);
    plans.push_back(std::move(p));
    // Autoscalers whose service the class crosses hear its latencies.
    for (auto& a : autoscalers) {
      for (const auto& step : rc.path) {
        if (component_index(step.component) == a->component()) {
          class_autoscalers[k].push_back(a.get());
          break;
        }
      }
    }
  }
}

double World::platform_region_latency(int ra, int rb) const {
  if (ra == rb) return 0;
  const std::string& a = places.regions[static_cast<std::size_t>(ra)];
  const std::string& b = places.regions[static_cast<std::size_t>(rb)];
  for (const auto& l : topo.network.region_links) {
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return l.latency;
  }
  return topo.network.inter_region_latency;
}

void World::build_platform() {
  std::vector<StationPlace> where;
  for (const Station& s : stations) where.push_back({s.component, s.zone, s.machine});
  platform = std::make_unique<Platform>(topo, places, hosts, where);
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const topology::Host* shared = h < topo.hosts.size() ? &topo.hosts[h] : nullptr;
    auto sharing = shared && shared->share_by_process ? HostCpu::Sharing::kProcesses : HostCpu::Sharing::kContainers;
    cpus.push_back(std::make_unique<HostCpu>(kernel, platform->host_at(static_cast<int>(h)), options.cpu, sharing));
  }
  for (Station& s : stations) {
    HostCpu& cpu = *cpus[static_cast<std::size_t>(s.machine)];
    const topology::Component& c = *comps[static_cast<std::size_t>(s.component)].spec;
    if (s.cores < hosts[static_cast<std::size_t>(s.machine)].cores) cpu.set_cores(s.cores);  // resized later
    shares.push_back(std::make_unique<CpuShare>(cpu, cpu.add_group(c.cpus, &s)));
    s.cpu = shares.back().get();
  }
}

void World::set_place_lost(const scenario::Target& t, bool lost) {
  if (machine_lost_.size() != hosts.size()) machine_lost_.assign(hosts.size(), 0);
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    int zone = hosts[h].zone;
    bool in = (!t.host.empty() && h < topo.hosts.size() && topo.hosts[h].name == t.host) ||
              (!t.zone.empty() && places.zones[static_cast<std::size_t>(zone)] == t.zone) ||
              (!t.region.empty() &&
               places.regions[static_cast<std::size_t>(places.zone_region[static_cast<std::size_t>(zone)])] == t.region);
    if (in) machine_lost_[h] += lost ? 1 : -1;
  }
}

double World::boot_time(int si) const {
  const topology::Component& c = *comps[static_cast<std::size_t>(st(si).component)].spec;
  return c.kind == Kind::kService ? c.service()->boot_time : 0.0;
}

void World::start(std::unique_ptr<model::ArrivalStream> arrivals) {
  // A host none of whose stations is provisioned (autoscaling spares) starts off.
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const auto& on = host_stations[h];
    if (!on.empty() && std::none_of(on.begin(), on.end(), [this](int si) { return st(si).started; })) {
      platform->host_at(static_cast<int>(h))->turn_off();
    }
  }
  // SimGrid kills daemon actors once only daemons remain: the control actors are
  // daemons, so one ordinary actor lives until the end of the run.
  double end = scen.duration;
  spawn("keeper", platform->control(), [end] { sg::this_actor::sleep_until(end); });
  for (LoadBalancer* lb : balancers) lb->start();
  for (Database* db : databases) db->start();
  supervisor.start();
  operations.start();
  faults.start();
  for (auto& a : autoscalers) a->start();
  flow->start(std::move(arrivals));
  // The metric tick, one per window: windows are sampled and the recorder advanced at exact kernel dates.
  if (scen.window < scen.duration) kernel.at(scen.window, this, 0, 1);
  kernel.start();
}

void World::on_event(const Event& e) {
  // Tick number e.a, at e.a windows (no accumulated rounding).
  const double now = kernel.now();
  sample_window(window_start_, now);
  window_start_ = now;
  recorder->advance(now);
  double next = static_cast<double>(e.a + 1) * scen.window;
  if (next < scen.duration - 1e-9) kernel.at(next, this, 0, e.a + 1);
}

// ---- station lifecycle ---------------------------------------------------------------------

void World::crash_station(int si, const std::string& why, bool record, bool silent, bool lasts,
                          const std::string& fault) {
  Station& s = st(si);
  if (!s.up) return;
  if (s.frozen) s.cpu->thaw();  // a dead process is not stopped any more
  s.hung = s.frozen = false;
  s.silent = silent;
  // The station hands back its jobs: the flow fails them (calls answer their callers,
  // unless the host went silent: then callers wait for their timeouts).
  flow->abort(s.crash(kernel.now()), silent);
  // Work of other owners on its share of the host (queries from other stations' callers,
  // consumers) fails with it; other stations on a shared host go on.
  s.cpu->fail_all();
  if (Tier* t = comp(s.component).tier) t->instance_down(si, why);
  for (Database* db : databases) db->client_down(si);
  if (!silent) {  // a process dead on a live host: Docker tells the balancers that watch it
    for (LoadBalancer* lb : balancers) {
      if (lb->backend() == s.component) lb->container_died(s.index);
    }
  }
  // Its own host goes down with it; a shared host when it is lost (silent) and nothing on it runs.
  const auto& on = host_stations[static_cast<std::size_t>(s.machine)];
  if (on.size() == 1 ||
      (silent && std::none_of(on.begin(), on.end(), [this](int o) { return st(o).up; }))) {
    host_of(si)->turn_off();
  }
  if (record) timeline(kernel.now(), "crash", s.name, why);
  if (!stopping_) supervisor.instance_down(si, silent, lasts, fault, why);
}

void World::recover_station(int si, double boot) {
  Station& s = st(si);
  if (s.up) return;
  const double now = kernel.now();
  s.silent = false;
  s.hung = s.hang_fault;  // a blackhole in force outlives the process
  if (!host_of(si)->is_on()) {
    host_of(si)->turn_on();
    s.cpu->speed_changed();  // a host comes back at its current pstate
  }
  s.recover(now, boot <= 0);
  if (Tier* t = comp(s.component).tier) t->instance_up(si);
  for (LoadBalancer* lb : balancers) {
    if (lb->backend() == s.component) lb->container_started(s.index);
  }
  supervisor.instance_up(si);
  timeline(now, "recover", s.name, boot > 0 ? fmt::format("restarted; ready after {}", core::format_duration(boot)) : "restarted");
  if (boot > 0) {
    // Killed and restarted before it booted, the new process has its own boot timer.
    spawn(s.name + "-boot", platform->control(), [this, si, boot, inc = s.incarnation]() {
      sg::this_actor::sleep_for(boot);
      kernel.enter();
      if (st(si).up && st(si).incarnation == inc) mark_ready(si);
    });
  }
}

void World::end_crash(int si) {
  if (!st(si).started) return;  // replaced (or scaled in) meanwhile: it stays gone
  if (!supervisor.fault_ended(si)) recover_station(si, boot_time(si));
}

void World::hang_station(int si, const std::string& why) {
  Station& s = st(si);
  if (!s.up || s.hung) return;
  s.hung = s.hang_fault = true;
  supervisor.stuck(si, why);
  timeline(kernel.now(), "hang", s.name, why + ": unreachable (packets dropped), still running");
}

void World::unhang_station(int si) {
  Station& s = st(si);
  s.hang_fault = false;
  if (!s.hung) return;
  s.hung = false;
  timeline(kernel.now(), "recover", s.name, "reachable again");
  flow->release_held(si);
}

void World::freeze_station(int si, const std::string& why) {
  Station& s = st(si);
  if (!s.up || s.frozen) return;
  s.frozen = true;
  s.cpu->freeze();
  supervisor.stuck(si, why);
  timeline(kernel.now(), "freeze", s.name, why + ": stopped (accepts connections, runs nothing)");
}

void World::thaw_station(int si) {
  Station& s = st(si);
  if (!s.frozen) return;
  s.frozen = false;
  s.cpu->thaw();
  timeline(kernel.now(), "recover", s.name, "running again");
  flow->release_held(si);
}

void World::mark_ready(int si) {
  Station& s = st(si);
  s.account(kernel.now());  // the time until now was spent booting (Station::ready_seconds)
  s.ready = true;
  s.ready_time = kernel.now();
  timeline(kernel.now(), "ready", s.name, "booted");
  for (LoadBalancer* lb : balancers) {
    if (lb->backend() == s.component) lb->backend_ready(s.index);
  }
  operations.instance_ready(si);
}

// A component resized to another instance type: its instance-hours per type, the topology's first.
std::vector<std::pair<std::string, double>> World::hours_by_type(const ComponentRt& c, double end) const {
  std::vector<std::pair<std::string, double>> out;
  auto add = [&](const std::string& type, double seconds) {
    const std::string& name = type.empty() && c.spec->cost ? c.spec->cost->instance : type;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& x) { return x.first == name; });
    if (it == out.end()) it = out.insert(out.end(), {name, 0.0});
    it->second += seconds / 3600.0;
  };
  add("", 0);
  for (int si : c.stations) {
    const Station& s = st(si);
    for (const auto& [type, seconds] : s.up_by_type) add(type, seconds);
    add(s.instance_type, s.up_seconds_as_type(end));
  }
  return out;
}

void World::set_size(int ci, const scenario::Deploy::Size& size) {
  scenario::Deploy::Size& z = comp(ci).size;
  if (size.cores > 0) z.cores = size.cores;
  if (size.memory > 0) z.memory = size.memory;
  if (!size.instance_type.empty()) z.instance_type = size.instance_type;
}

void World::start_station(int si, double boot) {
  Station& s = st(si);
  if (!host_of(si)->is_on()) host_of(si)->turn_on();
  if (const scenario::Deploy::Size& z = comp(s.component).size; z.cores > 0 || z.memory > 0) {
    const int cores = z.cores > 0 ? z.cores : s.cores;
    const double limit = comp(s.component).spec->cpus;
    if (cores != s.cores || (z.memory > 0 && z.memory != s.memory)) {
      s.resize(kernel.now(), cores, limit > 0 ? std::min<double>(limit, cores) : cores, z.memory > 0 ? z.memory : s.memory);
      s.cpu->set_cores(cores);
    }
  }
  if (const std::string& type = comp(s.component).size.instance_type; !type.empty() && type != s.instance_type) {
    s.set_instance_type(kernel.now(), type);
  }
  s.cpu->speed_changed();
  s.start(kernel.now());
  supervisor.instance_up(si);
  if (Tier* t = comp(s.component).tier) t->instance_up(si);
  for (LoadBalancer* lb : balancers) {
    if (lb->backend() == s.component) {
      lb->backend_started(s.index);
      lb->container_started(s.index);
    }
  }
  spawn(s.name + "-boot", platform->control(), [this, si, boot, inc = s.incarnation]() {
    if (boot > 0) sg::this_actor::sleep_for(boot);
    kernel.enter();
    if (st(si).up && st(si).started && st(si).incarnation == inc) mark_ready(si);
  });
}

void World::stop_station(int si) {
  Station& s = st(si);
  // Whatever is still in it after the grace period is cut off.
  stopping_ = true;
  if (s.up) crash_station(si, "scaled in", /*record=*/false);
  stopping_ = false;
  s.started = false;
  s.draining = false;
  s.ready = false;
}

void World::timeline(double t, std::string kind, std::string target, std::string detail, std::string fault) {
  result.timeline.push_back({t, std::move(kind), std::move(target), std::move(detail), std::move(fault)});
}

sg::ActorPtr World::spawn(const std::string& name, sg::Host* host, std::function<void()> body) {
  ++actors;
  return sg::Actor::create(name, host, [this, name, body = std::move(body)]() {
    try {
      body();
    } catch (const simgrid::Exception& e) {
      forget_unwound_frames();
      // A simulated failure nobody handled (a peer vanished mid-transfer): the actor ends, the run goes on.
      ++unhandled_failures;
      core::logger("engine")->debug("actor {} ended by a simulated failure: {}", name, e.what());
    } catch (const std::exception& e) {
      forget_unwound_frames();
      if (internal_error.empty()) {
        internal_error = fmt::format("{} (actor {}, simulated time {:.6f}s)", e.what(), name, sg::Engine::get_clock());
      }
    }
  });
}

// ---- metrics --------------------------------------------------------------------------------

void World::sample_window(double window_start, double now) {
  double len = now - window_start;
  for (std::size_t ci = 0; ci < comps.size(); ++ci) {
    ComponentRt& c = comps[ci];
    model::ComponentPoint p;
    double busy = 0, capacity = 0, wait_sum = 0;
    for (int si : c.stations) {
      Station& s = st(si);
      Station::WindowSample w = s.take_window(now);
      busy += w.busy;
      capacity += w.ready_cores;  // over ready instances: booting ones serve nothing
      p.queue_mean += w.queue / len;
      p.in_service += w.service / len;
      p.ready += (s.up && s.ready && s.started) ? 1 : 0;
      p.desired += s.started ? 1 : 0;
      wait_sum += w.wait_sum;
      p.wait_count += w.wait_count;
      p.queue_full += w.queue_full;
    }
    p.utilization = capacity > 0 ? busy / capacity : 0;
    p.wait_mean = p.wait_count ? wait_sum / static_cast<double>(p.wait_count) : 0;
    if (c.tier) p.extra = c.tier->window_extra();
    series_[ci].push_back(p);
  }
}

void World::collect() {
  const double end = scen.duration;
  if (window_start_ < end - 1e-9) sample_window(window_start_, end);
  for (std::size_t ci = 0; ci < comps.size(); ++ci) {
    ComponentRt& c = comps[ci];
    if (c.spec->kind == Kind::kCdn) continue;
    model::ComponentStats cs;
    cs.name = c.spec->name;
    cs.kind = topology::kind_name(c.spec->kind);
    cs.instances = c.spec->instances();
    double busy = 0, capacity = 0, up_total = 0, wsum = 0;
    std::uint64_t wcount = 0;
    for (int si : c.stations) {
      Station& s = st(si);
      s.account(end);
      double up = s.up_seconds(end);
      model::InstanceStats is;
      is.name = s.name;
      is.zone = places.zones[static_cast<std::size_t>(s.zone)];
      is.up_seconds = up;
      const double ready_cores = s.ready_core_seconds();
      is.utilization = ready_cores > 0 ? s.busy_integral() / ready_cores : 0;
      is.served = s.served();
      is.queue_mean = end > 0 ? s.queue_integral() / end : 0;
      is.queue_max = s.queue_max();
      supervisor.collect(si, is);
      busy += s.busy_integral();
      capacity += ready_cores;
      up_total += up;
      wsum += s.wait_sum();
      wcount += s.wait_count();
      cs.served += s.served();
      cs.queue_full += s.queue_full();
      cs.instance_stats.push_back(std::move(is));
    }
    cs.utilization = capacity > 0 ? busy / capacity : 0;
    cs.wait_mean = wcount ? wsum / static_cast<double>(wcount) : 0;
    cs.instance_hours = up_total / 3600.0;
    if (!c.size.instance_type.empty()) cs.instance_hours_by_type = hours_by_type(c, end);
    cs.series = std::move(series_[ci]);
    if (c.tier) c.tier->collect(cs);
    result.components.push_back(std::move(cs));
  }
  recorder->finish(&result);
  result.in_flight = flow->in_flight();
  result.client_groups = flow->client_groups();
  std::stable_sort(result.timeline.begin(), result.timeline.end(),
                   [](const model::TimelineEvent& a, const model::TimelineEvent& b) { return a.time < b.time; });
}

}  // namespace sim::engine
