#pragma once
// Scheduled operations of a run (scenario `operations:`; docs/operations.md): rolling
// deployments, cron jobs and spot interruptions. One Operations per run (World owns it); a control actor per deploy wakes at
// its time (and every `every`), then the rollout moves on when a new instance becomes
// available (World::mark_ready and a balancer's health_up tell it) — never on a poll, so the
// capacity dip and the rollout's length are exact.
//
// A rollout of service S with N instances up (started, not draining) at its start:
//
//   old = those N; new = none
//   reconcile (model::rollout_settle, Kubernetes' or ECS's limits):
//     start spare instances (booting: ready after boot_time; available once every balancer in
//       front of them has them healthy — their health checks are the readiness gate — and
//       min_ready after that)
//     drain old instances: no new requests at once (the balancers skip them); stopped when
//       they hold nothing, checked every second, or at `drain` (what is left is cut off)
//   until no old instance is left and N new ones are available: "deployed".
//
// World::build_stations gives a deploy target twice its instances: a rollout never runs
// out of spares (ECS's maximumPercent 200 starts N at once). An autoscaler on the same
// service would count the rollout's instances as its own: the two are not combined.
//
// A resize (`resize:`; docs/operations.md "Vertical scaling") is a rollout whose new instances
// take a new size (World::set_size at its start; World::start_station applies it). Its
// strategy `rolling` is the rollout above; `in_place` and `all_at_once` have no surge and
// restart the old instances themselves: an old one drained and stopped is started again
// (instance_stopped), so it counts as new from then on.

#include <cstdint>
#include <vector>

#include "sim/engine/cpu.h"

#include "sim/model/rollout.h"
#include "sim/scenario/scenario.h"

namespace sim::engine {

class World;

class Operations final : public CpuClient {
 public:
  explicit Operations(World& world) : w_(world) {}
  /// Spawns one control actor per deploy.
  void start();
  /// World::mark_ready: a station became ready (booted); a rollout of its component may go on.
  void instance_ready(int station);
  /// A drained station was stopped: an in-place resize restarts it.
  void instance_stopped(int station);
  /// A cron job's work ended (ok), or its instance failed under it.
  void cpu_done(std::uint64_t token, bool ok) override;

 private:
  struct Rollout {
    const scenario::Deploy* spec = nullptr;
    int component = -1;
    int desired = 0;
    model::RolloutLimits limits;
    std::vector<int> old_set, fresh;
    std::vector<int> armed;  ///< new instances with a min_ready wake scheduled
    bool active = false;
    bool busy = false, again = false;  ///< reconcile() in progress; another pass asked for
    double began = 0;
  };
  void run(Rollout& r);
  void begin(Rollout& r);
  void reconcile(Rollout& r);
  bool reconcile_once(Rollout& r);  ///< true when it started or drained something
  bool available(const Rollout& r, int station) const;
  /// The instances to start now, at most `n`: spares (rolling), or old ones stopped (in place).
  std::vector<int> to_start(Rollout& r, int n);
  void drain(Rollout& r, int station);
  void run_cron(std::size_t job);
  void run_spot(std::size_t spot);
  void stop_when_drained(int station, double grace, const char* why);
  World& w_;
  std::vector<Rollout> rollouts_;  ///< one per deploy (a repeating one reuses it)
  std::vector<double> cron_started_;  ///< per cron job: when its running work started (-1: none)
};

}  // namespace sim::engine
