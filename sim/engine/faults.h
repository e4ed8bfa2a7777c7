#pragma once
// Faults: the scenario's fault list expanded into a time-ordered schedule that
// one actor (FaultInjector) plays on the control host, and the network faults
// in force (NetworkFaults), which the request flow consults on every hop.
// Every fault and its effect goes into the run's timeline.
//
// What each fault does (the owner of the state it changes in brackets):
//   crash        instance / component / zone / region down, back after `for` [World::crash_station]
//   partition    no traffic between two components or regions: a crossing costs
//                a 3 s connect timeout, then fails as network [NetworkFaults]
//   delay        latency added on a link, optionally ramping up [NetworkFaults]
//   loss         a request crossing the link fails with the probability [NetworkFaults]
//   bandwidth    SimGrid link bandwidth limited (transfers slow down) [SimGrid links]
//   cpu_slowdown host pstates switched: CPU speed × factor [SimGrid host -> HostCpu]
//   cache_flush  a cache or CDN emptied [Cache / Cdn]
//   failover     planned switchover [Database]
//   restore      data lost, restored from the last backup [Database]
//   errors       a fraction of the component's answers fail [Station::error_ratio]
//   chaos_monkey random crashes with MTBF (during `for:`, if given), drawn up front from their own
//                stream; each lasts MTTR, or without it is a killed process its restart policy restarts

#include <cstdint>
#include <vector>

#include "sim/scenario/scenario.h"

namespace sim::engine {

class World;

struct LinkEffect {
  bool partitioned = false;
  double extra = 0;  ///< added one-way latency
  double loss = 0;   ///< probability that a request crossing it fails
};

class NetworkFaults {
 public:
  struct Fault {
    scenario::Fault::Kind kind;
    bool regions = false;  ///< between regions (else components)
    int a = -1, b = -1;    ///< region or component indices
    double value = 0;      ///< delay seconds, loss ratio
    double ramp = 0;
    double since = 0;
    std::uint64_t id = 0;
  };
  static constexpr double kConnectTimeout = 3;  ///< what crossing a partition costs before it fails

  bool empty() const { return faults_.empty(); }
  /// Faults on the same link compose: any partition cuts it, losses combine as
  /// independent drops, added delays sum (a ramping delay grows linearly).
  LinkEffect between_regions(int region_a, int region_b, double now) const;
  /// Between two stations: their regions' link and their components' link.
  LinkEffect between(int component_a, int region_a, int component_b, int region_b, double now) const;
  std::uint64_t add(Fault f);
  void remove(std::uint64_t id);

 private:
  std::vector<Fault> faults_;
  std::uint64_t next_id_ = 1;
};

class FaultInjector {
 public:
  explicit FaultInjector(World& world) : w_(world) {}
  /// Spawns the actor that plays the schedule (if the scenario has faults).
  void start();

 private:
  void play();
  World& w_;
};

}  // namespace sim::engine
