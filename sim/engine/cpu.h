#pragma once
// A SimGrid host's CPU as the request kernel runs it. Every piece of CPU work
// on a host — a service handling a request, a cache or broker serving a call,
// a database query, a queue consumer's job — goes through the host's HostCpu,
// so work of every kind shares the host as SimGrid's Cas01 model would share
// it (model::ProcessorSharing: rate = speed × min(1, cores / running)).
//
// The speed is read from the SimGrid host (its current pstate × availability)
// and re-read on Host::on_speed_change, so a CPU slowdown acts at once; a host
// turned off fails every job on it (the station's crash calls fail_all()).
//
// Shared hosts (topology `hosts:`): several stations (containers) run on one
// HostCpu, each through its CpuShare (a group). Their jobs share the host's
// cores by max-min fairness (water-filling) between the groups, each group
// capped by its `cpus` limit (Docker's CFS quota) and each job by one core:
//   kContainers  every busy group weighs the same (Docker: one cgroup per
//                container with equal cpu.weight; CFS shares the CPU between
//                busy cgroups, then among each one's threads);
//   kProcesses   a group weighs its running jobs (every thread competes alone:
//                processes without their own cgroups; SimGrid's Cas01).
// A group's jobs then share its allocation equally (one ProcessorSharing per
// group, re-rated at every change: O(groups) per change). A host with one
// station and no limit keeps the single ProcessorSharing of before.
//
// Two models, chosen per run (`infrasim run --cpu-model`):
//   kKernel   (default) the sharing is computed here, with kernel events.
//   kSimGrid  the verification mode: while a host runs no more jobs than cores
//             the kernel computes them (every job has its own core: the rate is
//             exact); as soon as one more arrives, every job on the host is
//             handed to SimGrid as an execution (Exec started by maestro,
//             completion through Activity::on_completion) until the host has
//             none left. Cas01 then shares the CPU: this is the differential
//             oracle of the kernel's arithmetic (tests/engine/differential).
//             Shared or capped hosts stay with the kernel (Cas01 has no groups);
//             their arithmetic is checked against closed forms (tests/behaviour/cases/shared-host-cpu-limits).
//             So do hosts using fewer cores than SimGrid built them with (set_cores: an
//             instance before a resize to its largest size), until they use them all.

#include <cstdint>
#include <deque>
#include <simgrid/s4u.hpp>
#include <vector>

#include "sim/engine/kernel.h"
#include "sim/engine/slab.h"
#include "sim/model/processor_sharing.h"

namespace sim::engine {


/// Owns work on a HostCpu and hears when it ends.
class CpuClient {
 public:
  /// The job ended: ok = its work is done; !ok = its host failed under it. Not
  /// called for a job the client cancelled.
  virtual void cpu_done(std::uint64_t token, bool ok) = 0;

 protected:
  ~CpuClient() = default;
};

class Station;

class HostCpu final : public EventSink {
 public:
  /// A running job, for cancel(). Valid until the job ends.
  struct Handle {
    std::uint32_t index = ~0u;
    std::uint32_t gen = 0;
  };
  /// How busy groups share the host (see the file comment).
  enum class Sharing { kContainers, kProcesses };
  static constexpr double kFlopsPerSecond = 1e9;  ///< one core at full speed: a demand in seconds is work

  HostCpu(Kernel& kernel, simgrid::s4u::Host* host, CpuMode model, Sharing sharing = Sharing::kContainers);

  /// A new group (a station on this host), limited to `cap` cores (0 = none); `station`
  /// hears its jobs' share of a core (Station::set_cpu_share) once the host is shared.
  /// REQUIRES: before any job starts.
  int add_group(double cap, Station* station);

  /// Starts `demand` seconds of work (at full speed of one core) for `client` in `group`.
  /// REQUIRES: the host is on.
  Handle start(int group, double demand, CpuClient* client, std::uint64_t token);
  /// Drops a running job without calling its client (its owner gave up on it).
  void cancel(Handle h);
  /// The host failed: every running job ends with cpu_done(token, false), in start order.
  void fail_all();
  /// One group's process died: its running jobs end with cpu_done(token, false), in start order.
  void fail_group(int group);
  /// Re-reads the host's speed (pstate, availability) from `now` on.
  void speed_changed();
  /// The cores its work may use from now on (a resized instance: its SimGrid host is built at
  /// its largest size, whose core count SimGrid fixes). REQUIRES: 1 <= cores <= the host's.
  void set_cores(int cores);
  /// A group's process is stopped (SIGSTOP): its work makes no progress until thaw().
  void freeze(int group);
  void thaw(int group);

  int running() const { return running_; }
  int running(int group) const { return groups_[static_cast<std::size_t>(group)].running; }
  simgrid::s4u::Host* host() const { return host_; }
  /// Whether groups share the host by water-filling (several groups, or a cpus limit).
  bool shared() const { return shared_; }

  void on_event(const Event& e) override;
  /// Activity::on_completion for an execution a HostCpu handed to SimGrid (its tag is a kCpuJob).
  static void on_activity_completion(const simgrid::s4u::Activity& activity, ActivityTag* tag);

 private:
  struct Job : ActivityTag {
    HostCpu* owner = nullptr;            ///< for the SimGrid completion callback
    std::uint32_t index = 0;
    CpuClient* client = nullptr;
    std::uint64_t token = 0;
    std::uint32_t gen = 0;
    std::uint64_t order = 0;             ///< start order (fail_all reports in it)
    int group = 0;
    bool live = false;                   ///< running, and its client still wants it
    bool in_simgrid = false;             ///< an execution: the slot is freed by its completion callback
    model::ProcessorSharing::Slot slot = 0;
    simgrid::s4u::ExecPtr exec;          ///< when in SimGrid
  };
  struct Group {
    model::ProcessorSharing ps;
    double cap = 0;                      ///< cores (0 = no limit)
    Station* station = nullptr;
    int running = 0;
    bool frozen = false;
  };
  double current_speed() const;
  double next_completion() const;
  /// Shared hosts: every group's per-job rate from `now` on (water-filling), told to its station.
  void rerate(double now);
  void schedule();
  void finish(std::uint32_t index, bool ok);
  void fail_where(bool all, int group);
  void to_simgrid(double now);
  void start_exec(std::uint32_t index, double flops);
  void exec_ended(Job& job, bool ok);
  void release(std::uint32_t index);

  Kernel& kernel_;
  simgrid::s4u::Host* host_;
  CpuMode model_;
  Sharing sharing_;
  int cores_ = 1;                       ///< usable: the host's, or fewer (set_cores)
  bool shared_ = false;
  bool handoff_ = false;                ///< --cpu-model simgrid hands contended work to Cas01 (see the file comment)
  std::vector<Group> groups_;
  Slab<Job> jobs_;  ///< stable addresses: SimGrid executions point at their job
  std::vector<std::uint32_t> due_;              ///< scratch: jobs finishing at one event
  std::vector<int> order_scratch_;              ///< scratch: groups by demand per weight
  int running_ = 0;
  int in_simgrid_ = 0;
  // The one live completion event: rescheduled only when the next completion moves
  // earlier; an event that fires early (the set slowed down) finds nothing due and reschedules.
  double scheduled_ = model::ProcessorSharing::kNever;
  std::uint64_t live_event_ = 0, next_event_ = 0;
  std::uint64_t order_ = 0;
};

/// A station's share of its host's CPU (one group of a HostCpu): what the flow, the
/// queues and the databases start their work on. On a host of its own it is the host.
class CpuShare {
 public:
  CpuShare(HostCpu& cpu, int group) : cpu_(&cpu), group_(group) {}
  HostCpu::Handle start(double demand, CpuClient* client, std::uint64_t token) {
    return cpu_->start(group_, demand, client, token);
  }
  void cancel(HostCpu::Handle h) { cpu_->cancel(h); }
  /// Its process died: its own work fails (other stations on the host go on).
  void fail_all() { cpu_->fail_group(group_); }
  void speed_changed() { cpu_->speed_changed(); }
  void set_cores(int cores) { cpu_->set_cores(cores); }
  void freeze() { cpu_->freeze(group_); }
  void thaw() { cpu_->thaw(group_); }
  int running() const { return cpu_->running(group_); }
  HostCpu& host_cpu() const { return *cpu_; }
  simgrid::s4u::Host* host() const { return cpu_->host(); }

 private:
  HostCpu* cpu_;
  int group_;
};

}  // namespace sim::engine
