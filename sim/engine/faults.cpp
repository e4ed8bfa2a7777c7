// Fault injection: the scenario's faults expanded into a time-ordered schedule
// that one actor plays on the control host. Every fault and its effect goes
// into the run's timeline.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

using scenario::Fault;
using topology::Kind;

namespace {

struct Action {
  double time;
  int order;  ///< schedule order for equal times (deterministic)
  std::function<void()> run;
};

// Faults on the same link compose: any partition cuts it, losses combine as
// independent drops, added delays sum (a ramping delay grows linearly to its value).
void add_effect(const NetFault& f, double now, LinkEffect* e) {
  switch (f.kind) {
    case Fault::Kind::kPartition: e->partitioned = true; break;
    case Fault::Kind::kLoss: e->loss = 1 - (1 - e->loss) * (1 - f.value); break;
    case Fault::Kind::kDelay: e->extra += f.ramp > 0 ? f.value * std::min(1.0, (now - f.since) / f.ramp) : f.value; break;
    default: break;
  }
}

}  // namespace

LinkEffect World::region_effect(int ra, int rb, double now) const {
  LinkEffect e;
  for (const NetFault& f : net_faults) {
    if (!f.regions) continue;
    if (!((f.a == ra && f.b == rb) || (f.a == rb && f.b == ra))) continue;
    add_effect(f, now, &e);
  }
  return e;
}

LinkEffect World::link_effect(int a, int b, double now) const {
  const Station& sa = stations[static_cast<std::size_t>(a)];
  const Station& sb = stations[static_cast<std::size_t>(b)];
  LinkEffect e = region_effect(zone_region[static_cast<std::size_t>(sa.zone)], zone_region[static_cast<std::size_t>(sb.zone)], now);
  for (const NetFault& f : net_faults) {
    if (f.regions) continue;
    if (!((f.a == sa.component && f.b == sb.component) || (f.a == sb.component && f.b == sa.component))) continue;
    add_effect(f, now, &e);
  }
  return e;
}

void World::fault_injector() {
  std::vector<Action> schedule;
  int order = 0;
  const double duration = scen->duration;

  // The stations a fault hits, resolved when it happens (a database's primary moves).
  auto stations_of = [this](const scenario::Target& t) {
    std::vector<int> out;
    if (!t.region.empty() || !t.zone.empty()) {
      for (std::size_t i = 0; i < stations.size(); ++i) {
        const Station& s = stations[i];
        bool in_zone = !t.zone.empty() && zones[static_cast<std::size_t>(s.zone)] == t.zone;
        bool in_region = !t.region.empty() &&
                         regions[static_cast<std::size_t>(zone_region[static_cast<std::size_t>(s.zone)])] == t.region;
        if ((in_zone || in_region) && s.started) out.push_back(static_cast<int>(i));
      }
      return out;
    }
    int ci = component_index(t.component);
    ComponentRt& c = comp(ci);
    if (t.role == "primary") {
      out.push_back(c.stations[static_cast<std::size_t>(c.primary)]);
    } else if (t.role == "replica") {
      std::vector<int> replicas;
      for (std::size_t i = 0; i < c.stations.size(); ++i) {
        if (static_cast<int>(i) != c.primary) replicas.push_back(c.stations[i]);
      }
      if (t.instance >= 0) {
        if (t.instance < static_cast<int>(replicas.size())) out.push_back(replicas[static_cast<std::size_t>(t.instance)]);
      } else {
        out = replicas;
      }
    } else if (t.instance >= 0) {
      out.push_back(c.stations[static_cast<std::size_t>(t.instance)]);
    } else {
      for (int si : c.stations) {
        if (st(si).started) out.push_back(si);
      }
    }
    return out;
  };
  auto boot_of = [this](int si) {
    const topology::Component& c = *comp(st(si).component).spec;
    return c.kind == Kind::kService ? c.service()->boot_time : 0.0;
  };
  auto add = [&](double at, std::function<void()> fn) {
    if (at < duration) schedule.push_back({at, order++, std::move(fn)});
  };
  // Resolves a `between` pair to region or component indices.
  auto net_fault = [this](const Fault& f, double now) {
    NetFault n;
    n.kind = f.kind;
    n.value = f.value;
    n.ramp = f.ramp;
    n.since = now;
    n.id = next_net_fault++;
    auto ra = std::find(regions.begin(), regions.end(), f.target.between[0]);
    if (ra != regions.end()) {
      n.regions = true;
      n.a = static_cast<int>(ra - regions.begin());
      n.b = static_cast<int>(std::find(regions.begin(), regions.end(), f.target.between[1]) - regions.begin());
    } else {
      n.a = component_index(f.target.between[0]);
      n.b = component_index(f.target.between[1]);
    }
    return n;
  };

  for (const Fault& f : scen->faults) {
    const std::string name = f.name;
    if (f.kind == Fault::Kind::kChaosMonkey) {
      // Random crashes: per target, failures after mtbf, repairs after mttr, all drawn up front.
      core::Rng rng = streams.stream("chaos:" + name);
      for (const scenario::Target& target : f.targets) {
        double t = f.at + f.mtbf.sample(rng);
        while (t < duration) {
          double repair = std::max(1e-3, f.mttr.sample(rng));
          auto victim = std::make_shared<int>(-1);
          std::uint64_t pick = rng.next_u64();
          add(t, [this, victim, pick, target, name, stations_of]() {
            double now = sg::Engine::get_clock();
            std::vector<int> up;
            for (int si : stations_of(target)) {
              if (st(si).up) up.push_back(si);
            }
            if (up.empty()) return;
            *victim = up[pick % up.size()];
            timeline(now, "fault", st(*victim).name, name + ": chaos monkey", name);
            crash_station(*victim, now, name);
          });
          add(t + repair, [this, victim, boot_of]() {
            if (*victim >= 0) recover_station(*victim, sg::Engine::get_clock(), boot_of(*victim));
          });
          t += repair + f.mtbf.sample(rng);
        }
      }
      continue;
    }
    for (double at = f.at; at < duration; at += f.every) {
      double until = f.length > 0 ? at + f.length : -1;
      auto hit = std::make_shared<std::vector<int>>();
      switch (f.kind) {
        case Fault::Kind::kCrash:
          add(at, [this, hit, name, f, stations_of]() {
            double now = sg::Engine::get_clock();
            *hit = stations_of(f.target);
            timeline(now, "fault", f.target.text(), name, name);
            for (int si : *hit) crash_station(si, now, name);
          });
          if (until > 0) {
            add(until, [this, hit, boot_of]() {
              double now = sg::Engine::get_clock();
              for (int si : *hit) recover_station(si, now, boot_of(si));
            });
          }
          break;
        case Fault::Kind::kPartition:
        case Fault::Kind::kDelay:
        case Fault::Kind::kLoss: {
          auto id = std::make_shared<std::uint64_t>(0);
          add(at, [this, id, name, f, net_fault]() {
            double now = sg::Engine::get_clock();
            NetFault n = net_fault(f, now);
            *id = n.id;
            net_faults.push_back(n);
            std::string what = f.kind == Fault::Kind::kPartition ? "no traffic"
                               : f.kind == Fault::Kind::kDelay
                                   ? fmt::format("+{} one way{}", core::format_duration(f.value),
                                                 f.ramp > 0 ? " (ramping over " + core::format_duration(f.ramp) + ")" : "")
                                   : fmt::format("{} of requests lost", core::format_ratio(f.value));
            timeline(now, "fault", f.target.text(), fmt::format("{}: {}", name, what), name);
          });
          if (until > 0) {
            add(until, [this, id, f]() {
              net_faults.erase(std::remove_if(net_faults.begin(), net_faults.end(),
                                              [&](const NetFault& n) { return n.id == *id; }),
                               net_faults.end());
              timeline(sg::Engine::get_clock(), "recover", f.target.text(), "link restored");
            });
          }
          break;
        }
        case Fault::Kind::kBandwidth: {
          auto saved = std::make_shared<std::vector<std::pair<sg::Link*, double>>>();
          add(at, [this, saved, name, f, net_fault]() {
            double now = sg::Engine::get_clock();
            NetFault n = net_fault(f, now);
            std::vector<sg::Link*> links;
            if (n.regions) {
              auto it = region_links.find({std::min(n.a, n.b), std::max(n.a, n.b)});
              if (it != region_links.end()) links.push_back(it->second);
            } else {
              for (int ci : {n.a, n.b}) {
                for (int si : comp(ci).stations) links.push_back(st(si).nic);
              }
            }
            for (sg::Link* l : links) {
              saved->emplace_back(l, l->get_bandwidth());
              l->set_bandwidth(f.value);
            }
            timeline(now, "fault", f.target.text(), fmt::format("{}: bandwidth limited to {}", name, core::format_bandwidth(f.value)), name);
          });
          if (until > 0) {
            add(until, [this, saved, f]() {
              for (auto& [l, bw] : *saved) l->set_bandwidth(bw);
              timeline(sg::Engine::get_clock(), "recover", f.target.text(), "bandwidth restored");
            });
          }
          break;
        }
        case Fault::Kind::kCpuSlowdown:
          add(at, [this, hit, name, f, stations_of]() {
            double now = sg::Engine::get_clock();
            *hit = stations_of(f.target);
            for (int si : *hit) {
              Station& s = st(si);
              auto it = std::find(s.pstates.begin(), s.pstates.end(), f.value);
              s.host->set_pstate(static_cast<unsigned long>(it - s.pstates.begin()));
            }
            timeline(now, "fault", f.target.text(), fmt::format("{}: CPU at {} speed", name, core::format_ratio(f.value)), name);
          });
          if (until > 0) {
            add(until, [this, hit, f]() {
              for (int si : *hit) st(si).host->set_pstate(0);
              timeline(sg::Engine::get_clock(), "recover", f.target.text(), "CPU back to full speed");
            });
          }
          break;
        case Fault::Kind::kCacheFlush:
          add(at, [this, name, f]() {
            double now = sg::Engine::get_clock();
            ComponentRt& c = comp(component_index(f.target.component));
            if (c.spec->kind == Kind::kCdn) {
              c.cdn_cold_since = now;
            } else {
              for (int si : c.stations) st(si).cold_since = now;
            }
            timeline(now, "fault", f.target.text(), name + ": emptied; the hit ratio warms up again", name);
          });
          break;
        case Fault::Kind::kFailover:
          add(at, [this, name, f]() {
            double now = sg::Engine::get_clock();
            int db = component_index(f.target.component);
            ComponentRt& c = comp(db);
            timeline(now, "fault", f.target.text(), name + ": planned switchover", name);
            c.primary_available = false;
            double promote_time = c.spec->database()->failover.promote;
            spawn("switchover", control_host, [this, db, promote_time]() {
              sg::this_actor::sleep_for(promote_time);
              double t = sg::Engine::get_clock();
              promote(db, t, true, "planned switchover, replicas caught up first: no data lost");
              comp(db).primary_available = true;
            });
          });
          break;
        case Fault::Kind::kRestore:
          add(at, [this, name, f]() {
            double now = sg::Engine::get_clock();
            timeline(now, "fault", f.target.text(), name + ": data lost, restore from backup", name);
            restore_from_backup(component_index(f.target.component), now, name);
          });
          break;
        case Fault::Kind::kErrors:
          add(at, [this, name, f]() {
            double now = sg::Engine::get_clock();
            for (int si : comp(component_index(f.target.component)).stations) {
              if (f.target.instance < 0 || st(si).index == f.target.instance) st(si).error_ratio = f.value;
            }
            timeline(now, "fault", f.target.text(), fmt::format("{}: {} of responses fail", name, core::format_ratio(f.value)), name);
          });
          if (until > 0) {
            add(until, [this, f]() {
              for (int si : comp(component_index(f.target.component)).stations) st(si).error_ratio = 0;
              timeline(sg::Engine::get_clock(), "recover", f.target.text(), "errors stopped");
            });
          }
          break;
        case Fault::Kind::kChaosMonkey:
          break;
      }
      if (f.every <= 0) break;
    }
  }
  std::stable_sort(schedule.begin(), schedule.end(), [](const Action& a, const Action& b) {
    return a.time < b.time || (a.time == b.time && a.order < b.order);
  });
  for (const Action& a : schedule) {
    if (a.time > sg::Engine::get_clock()) sg::this_actor::sleep_until(a.time);
    a.run();
  }
}

}  // namespace sim::engine
