// Fault injection: the scenario's faults expanded into a time-ordered schedule
// that one actor plays on the control host.
#include <algorithm>
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

}  // namespace

void World::fault_injector() {
  std::vector<Action> schedule;
  int order = 0;
  const double duration = scen->duration;

  // The stations a crash hits, resolved when it happens (a database's primary moves).
  auto stations_of = [this](const scenario::Target& t) {
    std::vector<int> out;
    if (!t.region.empty() || !t.zone.empty()) {
      for (std::size_t i = 0; i < stations.size(); ++i) {
        const Station& s = stations[i];
        bool in_zone = !t.zone.empty() && zones[static_cast<std::size_t>(s.zone)] == t.zone;
        bool in_region = !t.region.empty() && regions[static_cast<std::size_t>(zone_region[static_cast<std::size_t>(s.zone)])] == t.region;
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

  for (const Fault& f : scen->faults) {
    if (f.kind != Fault::Kind::kCrash) continue;  // other kinds: see the chaos issue
    for (double at = f.at; at < duration; at += f.every) {
      auto hit = std::make_shared<std::vector<int>>();
      std::string name = f.name;
      scenario::Target target = f.target;
      schedule.push_back({at, order++, [this, hit, name, target, stations_of]() {
                            double now = sg::Engine::get_clock();
                            *hit = stations_of(target);
                            timeline(now, "fault", target.text(), name);
                            for (int si : *hit) crash_station(si, now, name);
                          }});
      if (f.length > 0 && at + f.length < duration) {
        schedule.push_back({at + f.length, order++, [this, hit, name, boot_of]() {
                              double now = sg::Engine::get_clock();
                              for (int si : *hit) recover_station(si, now, boot_of(si));
                            }});
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
