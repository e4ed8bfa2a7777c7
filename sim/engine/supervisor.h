#pragma once
// The instance lifecycle's operators: what brings a crashed instance back and
// what kills one that stopped answering. One Supervisor per run (World owns it);
// World's station lifecycle tells it every crash and every fault's end, and it
// answers with World::recover_station after the policy's back-off.
//
//   restart policy (topology `restart:`)     Docker's no / always / on-failure / unless-stopped
//                                            with moby's back-off, or the kubelet's restartPolicy
//                                            with CrashLoopBackOff (topology::RestartSpec)
//   liveness probe (topology `liveness:`)    one prober actor per instance, Kubernetes'
//                                            livenessProbe: failure_threshold failed probes
//                                            in a row kill the instance
//
// Per instance:
//
//     crash (process died) ──back-off──> attempt ──> up, ready after boot_time
//                                          │ the crash's fault lasts (`for:`): the new
//                                          └ process dies at once; the back-off doubles
//     host lost (zone, region, host; silent) ── nothing until the host is back ──>
//                                          restarted at once if the policy restarts after a
//                                          host restart (Docker's daemon start: always,
//                                          unless-stopped; the kubelet: always, on-failure)
//
// Every restart — a policy's attempt (one that fails at start too: Docker's RestartCount
// counts it), a start when the host is back, a replacement — is attributed here to what
// brought the instance down: a scenario fault (crash, chaos monkey, flap, restore, host or
// zone loss; a liveness kill of an instance that a hang or freeze fault made unresponsive)
// explains it; anything else (a liveness probe killing an instance still booting: a crash
// loop) does not. collect() gives each instance's counts and, when it is not healthy at
// the run's end, why (check: healthy_at_end, unexplained_restarts).
//
// Without a policy (`restart` unset, the default) a crashed instance stays down
// until its fault ends, as before: the fault's end restarts it (after boot_time).
// Explicit `restart: no` means the product's "no": nothing restarts it, not even
// the fault's end. Autoscalers and rolling deployments start and stop instances
// through World::start_station / stop_station; a stopped instance is never
// restarted (docs/operations.md).

#include <cstdint>
#include <string>
#include <vector>

#include "sim/model/run_result.h"
#include "sim/topology/topology.h"

namespace sim::engine {

class World;

class Supervisor {
 public:
  explicit Supervisor(World& world) : w_(world) {}
  /// Spawns the liveness probers (one daemon actor per instance of a component with `liveness`).
  void start();

  /// World::crash_station: the station went down at the kernel's now. `host_lost`: its
  /// host went with it (a silent crash); `fault_lasts`: the fault that crashed it keeps
  /// it from running until fault_ended() (its `for:`); `fault`: the scenario fault that
  /// crashed it ("" for none: a liveness kill), `why`: the crash's words for people.
  void instance_down(int station, bool host_lost, bool fault_lasts, const std::string& fault, const std::string& why);
  /// A hang or freeze fault made the station unresponsive (a liveness kill it causes is the fault's).
  void stuck(int station, const std::string& fault);
  /// The station came back up (any cause): its run time counts from now (back-off reset).
  void instance_up(int station);
  /// The fault that crashed it is over. Returns true when the supervisor brings it back
  /// (or keeps it down: `restart: no`); false when the fault's end should restart it.
  bool fault_ended(int station);

  /// At the run's end: the station's restarts, those its faults caused, the others by cause, and
  /// why it is not healthy ("" when it is up, ready and taken in by every balancer in front of it).
  void collect(int station, model::InstanceStats& out) const;
  /// The delay before the k-th restart in a row (k >= 1) under `spec` (topology::RestartSpec).
  static double backoff(const topology::RestartSpec& spec, int k);

 private:
  struct State {
    int in_row = 0;          ///< restarts in a row since the back-off was last reset
    int restarts = 0;        ///< restarts made (attempts, starts after the host, replacements)
    int by_faults = 0;       ///< of them, those a scenario fault caused
    /// The others, by what brought the instance down, in the order first seen (count, first time).
    std::vector<std::pair<std::string, std::pair<int, double>>> unexplained;
    std::string fault;       ///< the scenario fault behind the current or last downtime ("" for none)
    std::string why;         ///< the crash's words
    std::string stuck_by;    ///< the hang or freeze fault that made it unresponsive
    double down_since = 0;
    std::string stays_down;  ///< set when nothing will bring it back: why
    int retries = 0;         ///< attempts under on-failure:N
    double up_since = 0;     ///< when the current process started
    bool fault_lasts = false;
    bool host_lost = false;
    std::uint64_t pending = 0;  ///< generation of the scheduled attempt (0: none)
  };
  const topology::RestartSpec& spec(int station) const;
  void schedule(int station, double delay, const std::string& why);
  /// A restart of the station now, attributed to what brought it down.
  void count_restart(int station);
  /// Kubernetes-style replacement of an instance lost with its host (topology `replace`).
  void replace_later(int station);
  void attempt(int station, std::uint64_t generation);
  void probe(int station);

  World& w_;
  std::vector<State> state_;
  std::uint64_t next_generation_ = 1;
};

}  // namespace sim::engine
