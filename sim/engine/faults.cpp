#include "sim/engine/faults.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <memory>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

using scenario::Fault;
using topology::Kind;

// ---- network faults in force ------------------------------------------------------------------

namespace {

void add_effect(const NetworkFaults::Fault& f, double now, LinkEffect* e) {
  switch (f.kind) {
    case Fault::Kind::kPartition: e->partitioned = true; break;
    case Fault::Kind::kLoss: e->loss = 1 - (1 - e->loss) * (1 - f.value); break;
    case Fault::Kind::kDelay: e->extra += f.ramp > 0 ? f.value * std::min(1.0, (now - f.since) / f.ramp) : f.value; break;
    default: break;
  }
}

}  // namespace

LinkEffect NetworkFaults::between_regions(int ra, int rb, double now) const {
  LinkEffect e;
  for (const Fault& f : faults_) {
    if (!f.regions) continue;
    if (!((f.a == ra && f.b == rb) || (f.a == rb && f.b == ra))) continue;
    add_effect(f, now, &e);
  }
  return e;
}

LinkEffect NetworkFaults::between(int ca, int ra, int cb, int rb, double now) const {
  LinkEffect e = between_regions(ra, rb, now);
  for (const Fault& f : faults_) {
    if (f.regions) continue;
    if (!((f.a == ca && f.b == cb) || (f.a == cb && f.b == ca))) continue;
    add_effect(f, now, &e);
  }
  return e;
}

std::uint64_t NetworkFaults::add(Fault f) {
  f.id = next_id_++;
  faults_.push_back(f);
  return f.id;
}

void NetworkFaults::remove(std::uint64_t id) {
  faults_.erase(std::remove_if(faults_.begin(), faults_.end(), [&](const Fault& f) { return f.id == id; }), faults_.end());
}

// ---- the injector ------------------------------------------------------------------------------

void FaultInjector::start() {
  if (w_.scen.faults.empty()) return;
  w_.spawn("faults", w_.platform->control(), [this] { play(); })->daemonize();
}

namespace {
struct Action {
  double time;
  int order;  ///< schedule order for equal times (deterministic)
  std::function<void()> run;
};
}  // namespace

void FaultInjector::play() {
  World& w = w_;
  std::vector<Action> schedule;
  int order = 0;
  const double duration = w.scen.duration;

  // The stations a fault hits, resolved when it happens (a database's primary moves).
  auto stations_of = [&w](const scenario::Target& t) {
    std::vector<int> out;
    if (!t.host.empty()) {  // a shared host: every instance on it
      for (std::size_t h = 0; h < w.topo.hosts.size(); ++h) {
        if (w.topo.hosts[h].name != t.host) continue;
        for (int si : w.host_stations[h]) {
          if (w.st(si).started) out.push_back(si);
        }
      }
      return out;
    }
    if (!t.region.empty() || !t.zone.empty()) {
      for (std::size_t i = 0; i < w.stations.size(); ++i) {
        const Station& s = w.stations[i];
        bool in_zone = !t.zone.empty() && w.places.zones[static_cast<std::size_t>(s.zone)] == t.zone;
        bool in_region = !t.region.empty() && w.places.regions[static_cast<std::size_t>(w.region_of(static_cast<int>(i)))] == t.region;
        if ((in_zone || in_region) && s.started) out.push_back(static_cast<int>(i));
      }
      return out;
    }
    int ci = w.component_index(t.component);
    ComponentRt& c = w.comp(ci);
    const Database* db = dynamic_cast<const Database*>(c.tier);
    if (db && !t.role.empty()) return db->stations_with_role(t.role, t.instance);  // every shard's, or the instance-th
    if (t.instance >= 0) {
      out.push_back(c.stations[static_cast<std::size_t>(t.instance)]);
    } else {
      for (int si : c.stations) {
        if (w.st(si).started) out.push_back(si);
      }
    }
    return out;
  };
  auto add = [&](double at, std::function<void()> fn) {
    if (at < duration) schedule.push_back({at, order++, std::move(fn)});
  };
  // Resolves a `between` pair to region or component indices.
  auto net_fault = [&w](const Fault& f, double now) {
    NetworkFaults::Fault n;
    n.kind = f.kind;
    n.value = f.value;
    n.ramp = f.ramp;
    n.since = now;
    int ra = w.places.region_index(f.target.between[0]);
    if (ra >= 0) {
      n.regions = true;
      n.a = ra;
      n.b = w.places.region_index(f.target.between[1]);
    } else {
      n.a = w.component_index(f.target.between[0]);
      n.b = w.component_index(f.target.between[1]);
    }
    return n;
  };

  for (const Fault& f : w.scen.faults) {
    const std::string name = f.name;
    if (f.kind == Fault::Kind::kChaosMonkey) {
      // Random crashes: per target, failures after mtbf, repairs after mttr, all drawn up front.
      // Without mttr a crash is a process killed once (lasts 0): its restart policy brings it back.
      // With `for:` it strikes only in [at, at + for).
      core::Rng rng = w.streams.stream("chaos:" + name);
      const bool lasts = f.mttr.has_value();
      const double stop = f.length > 0 ? std::min(duration, f.at + f.length) : duration;
      for (const scenario::Target& target : f.targets) {
        double t = f.at + f.mtbf.sample(rng);
        while (t < stop) {
          double repair = lasts ? std::max(1e-3, f.mttr->sample(rng)) : 0;
          auto victim = std::make_shared<int>(-1);
          std::uint64_t pick = rng.next_u64();
          add(t, [&w, victim, pick, target, name, stations_of, lasts]() {
            std::vector<int> up;
            for (int si : stations_of(target)) {
              if (w.st(si).up) up.push_back(si);
            }
            if (up.empty()) return;
            *victim = up[pick % up.size()];
            w.timeline(w.kernel.now(), "fault", w.st(*victim).name, name + ": chaos monkey", name);
            w.crash_station(*victim, name, true, false, lasts, name);
          });
          if (lasts) {
            add(t + repair, [&w, victim]() {
              if (*victim >= 0) w.end_crash(*victim);
            });
          }
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
          add(at, [&w, hit, name, f, stations_of]() {
            *hit = stations_of(f.target);
            w.timeline(w.kernel.now(), "fault", f.target.text(), f.silent ? name + " (silent: no refusals, callers time out)" : name, name);
            // A lost zone, region or shared host: replacements go elsewhere while it lasts.
            if (f.target.lost_silently()) w.set_place_lost(f.target, true);
            // Without `for:` nothing keeps it down: a restart policy brings it back at its first attempt.
            for (int si : *hit) w.crash_station(si, name, true, f.silent, /*lasts=*/f.length > 0, name);
          });
          if (until > 0) {
            add(until, [&w, hit, f]() {
              if (f.target.lost_silently()) w.set_place_lost(f.target, false);
              for (int si : *hit) w.end_crash(si);
            });
          }
          break;
        case Fault::Kind::kPartition:
        case Fault::Kind::kDelay:
        case Fault::Kind::kLoss: {
          auto id = std::make_shared<std::uint64_t>(0);
          add(at, [&w, id, name, f, net_fault]() {
            double now = w.kernel.now();
            *id = w.net.add(net_fault(f, now));
            std::string what = f.kind == Fault::Kind::kPartition ? "no traffic"
                               : f.kind == Fault::Kind::kDelay
                                   ? fmt::format("+{} one way{}", core::format_duration(f.value),
                                                 f.ramp > 0 ? " (ramping over " + core::format_duration(f.ramp) + ")" : "")
                                   : fmt::format("{} of requests lost", core::format_ratio(f.value));
            w.timeline(now, "fault", f.target.text(), fmt::format("{}: {}", name, what), name);
          });
          if (until > 0) {
            add(until, [&w, id, f]() {
              w.net.remove(*id);
              w.timeline(w.kernel.now(), "recover", f.target.text(), "link restored");
            });
          }
          break;
        }
        case Fault::Kind::kBandwidth: {
          auto saved = std::make_shared<std::vector<std::pair<sg::Link*, double>>>();
          add(at, [&w, saved, name, f, net_fault]() {
            NetworkFaults::Fault n = net_fault(f, w.kernel.now());
            std::vector<sg::Link*> links;
            if (n.regions) {
              if (sg::Link* l = w.platform->region_link(n.a, n.b)) links.push_back(l);
            } else {
              for (int ci : {n.a, n.b}) {
                for (int si : w.comp(ci).stations) links.push_back(w.platform->nic(si));
              }
            }
            for (sg::Link* l : links) {
              saved->emplace_back(l, l->get_bandwidth());
              l->set_bandwidth(f.value);
            }
            w.timeline(w.kernel.now(), "fault", f.target.text(),
                       fmt::format("{}: bandwidth limited to {}", name, core::format_bandwidth(f.value)), name);
          });
          if (until > 0) {
            add(until, [&w, saved, f]() {
              for (auto& [l, bw] : *saved) l->set_bandwidth(bw);
              w.timeline(w.kernel.now(), "recover", f.target.text(), "bandwidth restored");
            });
          }
          break;
        }
        case Fault::Kind::kCpuSlowdown:
          add(at, [&w, hit, name, f, stations_of]() {
            *hit = stations_of(f.target);
            for (int si : *hit) {
              const auto& ps = w.st(si).pstates;
              auto it = std::find(ps.begin(), ps.end(), f.value);
              w.host_of(si)->set_pstate(static_cast<unsigned long>(it - ps.begin()));
              w.st(si).cpu->speed_changed();
            }
            w.timeline(w.kernel.now(), "fault", f.target.text(), fmt::format("{}: CPU at {} speed", name, core::format_ratio(f.value)), name);
          });
          if (until > 0) {
            add(until, [&w, hit, f]() {
              for (int si : *hit) {
                w.host_of(si)->set_pstate(0);
                w.st(si).cpu->speed_changed();
              }
              w.timeline(w.kernel.now(), "recover", f.target.text(), "CPU back to full speed");
            });
          }
          break;
        case Fault::Kind::kCacheFlush:
          add(at, [&w, name, f]() {
            Tier* t = w.comp(w.component_index(f.target.component)).tier;
            if (auto* cdn = dynamic_cast<Cdn*>(t)) cdn->flush();
            if (auto* cache = dynamic_cast<Cache*>(t)) cache->flush();
            w.timeline(w.kernel.now(), "fault", f.target.text(), name + ": emptied; the hit ratio warms up again", name);
          });
          break;
        case Fault::Kind::kFailover:
          add(at, [&w, name, f]() {
            w.timeline(w.kernel.now(), "fault", f.target.text(), name + ": planned switchover", name);
            static_cast<Database*>(w.comp(w.component_index(f.target.component)).tier)->switchover(name);
          });
          break;
        case Fault::Kind::kRestore:
          add(at, [&w, name, f]() {
            w.timeline(w.kernel.now(), "fault", f.target.text(), name + ": data lost, restore from backup", name);
            static_cast<Database*>(w.comp(w.component_index(f.target.component)).tier)->restore_from_backup(name);
          });
          break;
        case Fault::Kind::kErrors:
          add(at, [&w, name, f]() {
            for (int si : w.comp(w.component_index(f.target.component)).stations) {
              if (f.target.instance < 0 || w.st(si).index == f.target.instance) w.st(si).error_ratio = f.value;
            }
            w.timeline(w.kernel.now(), "fault", f.target.text(), fmt::format("{}: {} of responses fail", name, core::format_ratio(f.value)), name);
          });
          if (until > 0) {
            add(until, [&w, f]() {
              for (int si : w.comp(w.component_index(f.target.component)).stations) w.st(si).error_ratio = 0;
              w.timeline(w.kernel.now(), "recover", f.target.text(), "errors stopped");
            });
          }
          break;
        case Fault::Kind::kHang:
        case Fault::Kind::kFreeze: {
          bool hang = f.kind == Fault::Kind::kHang;
          add(at, [&w, hit, name, f, stations_of, hang]() {
            *hit = stations_of(f.target);
            w.timeline(w.kernel.now(), "fault", f.target.text(), name, name);
            for (int si : *hit) {
              if (hang) {
                w.hang_station(si, name);
              } else {
                w.freeze_station(si, name);
              }
            }
          });
          if (until > 0) {
            add(until, [&w, hit, hang]() {
              for (int si : *hit) {
                if (hang) {
                  w.unhang_station(si);
                } else {
                  w.thaw_station(si);
                }
              }
            });
          }
          break;
        }
        case Fault::Kind::kSlow:
          add(at, [&w, hit, name, f, stations_of]() {
            *hit = stations_of(f.target);
            for (int si : *hit) {
              Station& s = w.st(si);
              if (f.value > 1) {
                auto it = std::find(s.pstates.begin(), s.pstates.end(), 1.0 / f.value);
                w.host_of(si)->set_pstate(static_cast<unsigned long>(it - s.pstates.begin()));
                s.cpu->speed_changed();
              }
              s.net_factor = f.value2;
            }
            w.timeline(w.kernel.now(), "fault", f.target.text(),
                       fmt::format("{}: service time x {}, hop latency x {}", name, f.value, f.value2), name);
          });
          if (until > 0) {
            add(until, [&w, hit, f]() {
              for (int si : *hit) {
                w.host_of(si)->set_pstate(0);
                w.st(si).cpu->speed_changed();
                w.st(si).net_factor = 1;
              }
              w.timeline(w.kernel.now(), "recover", f.target.text(), "back to normal speed");
            });
          }
          break;
        case Fault::Kind::kFlap: {
          // Down for `length` every `every` (a process that crashes and is restarted), until `until`.
          double stop = f.until > 0 ? std::min(f.until, duration) : duration;
          for (double t = f.at; t < stop; t += f.every) {
            auto down = std::make_shared<std::vector<int>>();
            add(t, [&w, down, name, f, stations_of]() {
              *down = stations_of(f.target);
              w.timeline(w.kernel.now(), "fault", f.target.text(), name + ": down", name);
              for (int si : *down) w.crash_station(si, name, true, false, true, name);
            });
            add(t + f.length, [&w, down]() {
              for (int si : *down) w.end_crash(si);
            });
          }
          break;
        }
        case Fault::Kind::kReshard:
          add(at, [&w, &f]() {
            w.timeline(w.kernel.now(), "fault", f.target.text(), fmt::format("{}: to {} shards", f.name, f.shards), f.name);
            static_cast<Database*>(w.comp(w.component_index(f.target.component)).tier)->reshard(f);
          });
          break;
        case Fault::Kind::kChaosMonkey:
          break;
      }
      if (f.kind == Fault::Kind::kFlap || f.every <= 0) break;
    }
  }
  std::stable_sort(schedule.begin(), schedule.end(), [](const Action& a, const Action& b) {
    return a.time < b.time || (a.time == b.time && a.order < b.order);
  });
  for (const Action& a : schedule) {
    if (a.time > sg::Engine::get_clock()) sg::this_actor::sleep_until(a.time);
    w.kernel.enter();
    a.run();
  }
}

}  // namespace sim::engine
