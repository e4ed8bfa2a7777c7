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
// Two models, chosen per run (`infrasim run --cpu-model`):
//   kKernel   (default) the sharing is computed here, with kernel events.
//   kSimGrid  the verification mode: while a host runs no more jobs than cores
//             the kernel computes them (every job has its own core: the rate is
//             exact); as soon as one more arrives, every job on the host is
//             handed to SimGrid as an execution (Exec started by maestro,
//             completion through Activity::on_completion) until the host has
//             none left. Cas01 then shares the CPU: this is the differential
//             oracle of the kernel's arithmetic (tests/engine/differential).

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

class HostCpu final : public EventSink {
 public:
  /// A running job, for cancel(). Valid until the job ends.
  struct Handle {
    std::uint32_t index = ~0u;
    std::uint32_t gen = 0;
  };
  static constexpr double kFlopsPerSecond = 1e9;  ///< one core at full speed: a demand in seconds is work

  HostCpu(Kernel& kernel, simgrid::s4u::Host* host, CpuMode model);

  /// Starts `demand` seconds of work (at full speed of one core) for `client`.
  /// REQUIRES: the host is on.
  Handle start(double demand, CpuClient* client, std::uint64_t token);
  /// Drops a running job without calling its client (its owner gave up on it).
  void cancel(Handle h);
  /// The host failed: every running job ends with cpu_done(token, false), in start order.
  void fail_all();
  /// Re-reads the host's speed (pstate, availability) from `now` on.
  void speed_changed();
  /// The process on the host is stopped (SIGSTOP): its work makes no progress until thaw().
  void freeze();
  void thaw();

  int running() const { return running_; }
  simgrid::s4u::Host* host() const { return host_; }

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
    bool live = false;                   ///< running, and its client still wants it
    bool in_simgrid = false;             ///< an execution: the slot is freed by its completion callback
    model::ProcessorSharing::Slot slot = 0;
    simgrid::s4u::ExecPtr exec;          ///< when in SimGrid
  };
  double current_speed() const;
  void schedule();
  void finish(std::uint32_t index, bool ok);
  void to_simgrid(double now);
  void start_exec(std::uint32_t index, double flops);
  void exec_ended(Job& job, bool ok);
  void release(std::uint32_t index);

  Kernel& kernel_;
  simgrid::s4u::Host* host_;
  CpuMode model_;
  model::ProcessorSharing ps_;
  Slab<Job> jobs_;  ///< stable addresses: SimGrid executions point at their job
  std::vector<std::uint32_t> due_;              ///< scratch: jobs finishing at one event
  int running_ = 0;
  int in_simgrid_ = 0;
  bool frozen_ = false;
  // The one live completion event: rescheduled only when the next completion moves
  // earlier; an event that fires early (the set slowed down) finds nothing due and reschedules.
  double scheduled_ = model::ProcessorSharing::kNever;
  std::uint64_t live_event_ = 0, next_event_ = 0;
  std::uint64_t order_ = 0;
};

}  // namespace sim::engine
