#pragma once
// The registry of one run: who owns what. Included only by sim/engine/*.cpp.
//
//   Places, Platform     regions/zones; SimGrid hosts and links; the latency matrix (platform.h)
//   Kernel               the request kernel's clock and events (kernel.h)
//   stations             one Station (queue, workers, accounting) per instance
//   hosts, cpus, shares  one HostCpu per host (an instance's own, or a shared host's) and
//                        each station's CpuShare of it
//   Supervisor           restart policies and liveness probes (supervisor.h)
//   Operations           scheduled operations: rolling deployments (operations.h)
//   plans                the request classes compiled (plan.h)
//   RequestFlow          requests and jobs on their path (flow.h)
//   tiers                LoadBalancer, Database, Cache, Cdn, MessageQueue, Storage: each owns its
//                        state, its actors and its reaction to faults
//   Autoscaler, FaultInjector, NetworkFaults   control actors and the links' state
//   Resilience           callers' circuit breakers, retry budgets and backoff (resilience.h)
//   Recorder, RunResult  what the run measured
//
// The station lifecycle is here, because it tells several owners: a crash
// makes the station fail its own jobs (through the flow), fails the work on its
// host's CPU, tells its tier (instance_down) and every tier that keeps
// per-client state (client_down), then turns the SimGrid host off.
//
// Control actors run through spawn(): a simulated failure it did not handle
// ends the actor; any other exception is an internal error that stops the run
// (exit 3); kills (a host turned off) pass through.

#include <deque>
#include <functional>
#include <memory>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

#include "sim/core/random.h"
#include "sim/engine/autoscaler.h"
#include "sim/engine/cache.h"
#include "sim/engine/cpu.h"
#include "sim/engine/database.h"
#include "sim/engine/engine.h"
#include "sim/engine/faults.h"
#include "sim/engine/flow.h"
#include "sim/engine/kernel.h"
#include "sim/engine/load_balancer.h"
#include "sim/engine/plan.h"
#include "sim/engine/platform.h"
#include "sim/engine/queue.h"
#include "sim/engine/resilience.h"
#include "sim/engine/station.h"
#include "sim/engine/operations.h"
#include "sim/engine/supervisor.h"
#include "sim/model/recorder.h"
#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::engine {

namespace sg = simgrid::s4u;
using model::FailReason;

/// A component at run time: its stations and its tier owner (none for services and CDNs' hosts).
struct ComponentRt {
  const topology::Component* spec = nullptr;
  std::vector<int> stations;
  Tier* tier = nullptr;
  int rr = 0;  ///< round robin over its instances where no balancer chooses
  /// A resize's size (World::set_size): instances started from then on take its fields that
  /// are set (0, "": as built).
  scenario::Deploy::Size size;
};

class World final : public EventSink {
 public:
  World(const scenario::Scenario& scen, const topology::Topology& topo, const RunOptions& options);
  /// Builds the SimGrid platform and the per-host CPUs. REQUIRES: a live sg::Engine.
  void build_platform();
  /// Spawns the control actors and arms the kernel with the first arrival.
  void start(std::unique_ptr<model::ArrivalStream> arrivals);
  /// Closes the accounting at the end of the run and fills `result`.
  void collect();

  // ---- registry (constant after construction)
  const scenario::Scenario& scen;
  const topology::Topology& topo;
  const RunOptions& options;
  Places places;
  std::unique_ptr<Platform> platform;
  Kernel kernel;
  core::RngStreams streams;
  core::Rng rng_flow, rng_service;
  std::vector<ComponentRt> comps;
  std::vector<Station> stations;
  std::vector<HostSpec> hosts;                          ///< SimGrid hosts: shared hosts first, then one per station
  std::vector<std::vector<int>> host_stations;          ///< [host] the stations on it
  std::vector<std::unique_ptr<HostCpu>> cpus;           ///< [host]
  std::vector<std::unique_ptr<CpuShare>> shares;        ///< [station]
  Supervisor supervisor{*this};
  Operations operations{*this};
  std::vector<ClassPlan> plans;
  std::vector<int> class_lane;                          ///< [class] the deadline lane of its entry timeout
  std::vector<std::vector<Autoscaler*>> class_autoscalers;  ///< [class] autoscalers whose service it crosses
  std::vector<std::unique_ptr<Tier>> tiers;
  std::vector<Database*> databases;
  std::vector<LoadBalancer*> balancers;
  std::vector<std::unique_ptr<Autoscaler>> autoscalers;
  NetworkFaults net;
  FaultInjector faults{*this};
  Resilience resilience{*this};
  std::unique_ptr<RequestFlow> flow;
  std::unique_ptr<model::Recorder> recorder;
  model::RunResult result;

  // ---- lookups
  Station& st(int i) { return stations[static_cast<std::size_t>(i)]; }
  const Station& st(int i) const { return stations[static_cast<std::size_t>(i)]; }
  ComponentRt& comp(int i) { return comps[static_cast<std::size_t>(i)]; }
  int component_index(const std::string& name) const;
  int region_of(int station) const { return places.zone_region[static_cast<std::size_t>(st(station).zone)]; }
  /// One-way latency between two stations (a `slow` fault on either multiplies it).
  double latency(int a, int b) const {
    double f = std::max(st(a).net_factor, st(b).net_factor);
    return f == 1 ? platform->latency(a, b) : f * platform->latency(a, b);
  }
  sg::Host* host_of(int station) const { return platform->host(station); }
  /// Whether the station has its host to itself (its process and its host are one).
  bool own_host(int station) const {
    return host_stations[static_cast<std::size_t>(st(station).machine)].size() == 1;
  }
  /// Round robin over a component's instances: the first from its rotation that `usable`
  /// accepts, or -1; the rotation goes on after the one chosen.
  template <class Usable>
  int rotate(int component, Usable usable) {
    ComponentRt& c = comp(component);
    const std::size_t n = c.stations.size();
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t idx = (static_cast<std::size_t>(c.rr) + k) % n;
      if (usable(static_cast<int>(idx), c.stations[idx])) {
        c.rr = static_cast<int>(idx) + 1;
        return c.stations[idx];
      }
    }
    return -1;
  }

  // ---- station lifecycle (kernel's now; from control actors after Kernel::enter)
  /// The station goes down. `silent`: its host is lost without a word (a zone or
  /// region outage): connections to it get no answer and in-flight calls never
  /// return — callers find out by their timeouts; otherwise its process died on a
  /// live host, which refuses connections and resets them.
  /// `lasts`: its cause lasts until end_crash() (a fault's `for:`, a restore): a restart
  /// policy's attempts fail until then; false: a one-off crash (a kill) that a restart
  /// policy repairs at its first attempt. On a shared host only the station's process dies,
  /// unless `silent` (the host is lost; it goes off once every station on it is down).
  /// `fault`: the scenario fault that crashed it, which its restarts are attributed to ("" for
  /// none: a liveness kill, a scale-in; Supervisor).
  void crash_station(int station, const std::string& why, bool record = true, bool silent = false, bool lasts = true,
                     const std::string& fault = {});
  /// A hang (blackhole): the instance runs but nothing reaches it or leaves it until `unhang`.
  void hang_station(int station, const std::string& why);
  void unhang_station(int station);
  /// A freeze (SIGSTOP): it accepts connections but runs nothing until `thaw`.
  void freeze_station(int station, const std::string& why);
  void thaw_station(int station);
  /// Back up; ready after `boot` (a service's boot_time), at once when 0.
  void recover_station(int station, double boot);
  /// The fault that crashed the station is over (its `for:`): the restart policy decides
  /// (Supervisor::fault_ended); without one it comes back now, ready after its boot time.
  void end_crash(int station);
  /// Its boot time (a service's boot_time; 0 for the other kinds).
  double boot_time(int station) const;
  /// A zone, region or shared host is lost (crashed) or back: no replacement goes there meanwhile.
  void set_place_lost(const scenario::Target& place, bool lost);
  /// Whether the station's host is in a lost place.
  /// The first balancer in front of the station's component whose health checks do not count it
  /// in (nullptr: every one takes it in) — a rollout's readiness gate, `healthy_at_end`.
  const LoadBalancer* balancer_holding_out(int station) const {
    for (const LoadBalancer* lb : balancers) {
      if (lb->backend() == st(station).component && !lb->healthy(st(station).index)) return lb;
    }
    return nullptr;
  }
  bool host_lost(int station) const { return machine_lost_[static_cast<std::size_t>(st(station).machine)] > 0; }
  /// An autoscaler provisions a spare: up now, ready after `boot`, then health checks.
  void start_station(int station, double boot);
  /// An autoscaler removes an instance (after draining).
  void stop_station(int station);
  /// A resize (Operations): every instance of the component started from now on (start_station)
  /// takes the fields of `size` that are set; those running keep theirs until they restart.
  void set_size(int component, const scenario::Deploy::Size& size);
  void mark_ready(int station);

  // ---- reporting
  void timeline(double t, std::string kind, std::string target, std::string detail, std::string fault = {});

  // ---- actors
  sg::ActorPtr spawn(const std::string& name, sg::Host* host, std::function<void()> body);
  std::string internal_error;
  std::string abort_reason;
  std::uint64_t unhandled_failures = 0;
  std::uint64_t actors = 0;

  /// The periodic tick (kernel event): windows sampled at their end, the recorder advanced.
  void on_event(const Event& e) override;

 private:
  void build_stations();
  void build_tiers();
  void build_plans();
  void sample_window(double start, double now);
  std::vector<std::pair<std::string, double>> hours_by_type(const ComponentRt& c, double end) const;
  double platform_region_latency(int region_a, int region_b) const;  ///< before the platform exists
  std::deque<core::Distribution> publish_times_;            ///< queues' constant publish demand, for the plans
  std::vector<std::vector<model::ComponentPoint>> series_;  ///< [component][window]
  double window_start_ = 0;
  bool stopping_ = false;  ///< stop_station is crashing it: not a failure, nothing restarts it
  std::vector<int> machine_lost_;  ///< [host] lost places it is in (zone, region, itself)
};

}  // namespace sim::engine
