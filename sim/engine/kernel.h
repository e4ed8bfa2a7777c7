#pragma once
// The request kernel: every per-request event (arrivals, load-balancer
// choices, station queues, CPU work, downstream calls, hop latencies, pool
// waits, deadlines) runs here, in plain C++, inside SimGrid's simulation —
// no actor, no SimGrid call and no allocation per request. SimGrid remains
// the simulation engine: it owns the clock, the platform, fault injection,
// every control loop (health checks, failover, autoscalers, boot timers,
// restores) and network transfers.
//
// Wake rule. The kernel is woken by one SimGrid kernel timer armed at the date
// of its next event. A wake at SimGrid date `now` processes
//   - every event dated <= now, and
//   - events dated after now ("ahead") while they are strictly before the
//     horizon: the earliest of SimGrid's other timers and every model's next
//     occurring event (actor sleeps, executions, transfers). When an activity
//     has completed at `now` (a model's finished or failed set is not empty),
//     an actor or callback is about to run at `now`: the horizon is `now`.
// So the kernel never runs ahead of anything SimGrid will do: nothing in
// SimGrid changes before the horizon, and state the kernel reads there (a
// host's speed or power state) is what SimGrid would say at that date.
// An event processed ahead may not change SimGrid (start a transfer or an
// execution): such work goes through at_simgrid_date(), which runs it at the
// event's date, before any later kernel event.
//
// Tie order at one date (documented in docs/DESIGN.md, tested in
// tests/engine/kernel_order_test): kernel events run in the order they were
// scheduled (time, then scheduling sequence) and all kernel events dated t run
// before the control actors that wake at t (SimGrid fires timers before it
// resumes actors whose sleep ended at t). What control actors and SimGrid
// callbacks do at t (a crash, a health check, a completion) comes after, and
// the events they schedule at t run after those. The debug mode
// WakeRule::kPerEvent (one wake per event, never ahead) follows the same
// order, so it gives byte-identical results.
//
// Control actors and SimGrid callbacks call enter() before touching kernel
// state at their date: it moves the kernel's clock to SimGrid's and asserts
// that the kernel has not run past it.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/event_queue.h"

#include <simgrid/forward.h>

namespace simgrid::kernel::timer {
class Timer;
}

namespace sim::engine {


/// What a SimGrid activity started by the kernel points at (Activity::set_data):
/// the engine's one on_completion handler dispatches on `kind`.
struct ActivityTag {
  enum class Kind { kCpuJob, kTransfer };
  Kind kind = Kind::kCpuJob;
};

class Kernel {
 public:
  /// Events dated `end` or later never run (the run stops there).
  Kernel(WakeRule mode, double end);

  /// The date of the event being processed; outside events, of the last enter().
  double now() const { return now_; }

  /// Schedules an event. REQUIRES: time >= now().
  void at(double time, EventSink* sink, std::uint32_t kind, std::uint32_t a = 0, std::uint64_t b = 0) {
    queue_.push(time > now_ ? time : now_, sink_id(sink), static_cast<std::uint16_t>(kind), a, b);
    if (!in_wake_) arm();
  }
  /// A FIFO lane for events scheduled in time order (EventQueue::add_lane).
  int add_lane() { return queue_.add_lane(); }
  /// Schedules an event in a lane. REQUIRES: time >= now() and >= the lane's last event.
  void at_lane(int lane, double time, EventSink* sink, std::uint32_t kind, std::uint32_t a = 0, std::uint64_t b = 0);

  /// From a control actor or a SimGrid callback, before it reads or changes kernel
  /// state: the kernel's clock becomes SimGrid's (asserted: the kernel is not past it).
  void enter();

  /// Runs work that changes SimGrid (starts a transfer or an execution) at the
  /// SimGrid date of the current event: now when the event runs at SimGrid's
  /// date, else at the start of the wake at that date, before any later event.
  void at_simgrid_date(std::function<void()> work);

  /// Keeps an ended SimGrid activity alive until SimGrid is surely done with it:
  /// an activity's owner may not drop it inside its own completion callback
  /// (SimGrid still uses the object after the callback returns). Dropped two
  /// wakes later.
  void retire(simgrid::s4u::ActivityPtr activity);

  /// Arms the first wake. Call once, before the simulation runs.
  void start();

  /// An event handler threw: the message, with the date (the run stops with exit 3).
  const std::string& failure() const { return failure_; }
  /// A SimGrid callback into the kernel threw: records it like an event handler's failure.
  void record_failure(const std::string& what);

  std::uint64_t events() const { return events_; }
  /// Pieces of work that changed SimGrid (executions and transfers started).
  std::uint64_t simgrid_work() const { return simgrid_work_; }
  std::uint64_t wakes() const { return wakes_; }
  std::uint64_t ahead() const { return ahead_; }
  std::size_t pending() const { return queue_.size(); }

 private:
  void wake();
  void arm();
  double horizon(double clock) const;
  void dispatch(const Event& e);
  std::uint16_t sink_id(EventSink* sink) {
    return sink->kernel_id_ >= 0 ? static_cast<std::uint16_t>(sink->kernel_id_) : add_sink(sink);
  }
  std::uint16_t add_sink(EventSink* sink);

  WakeRule mode_;
  double end_;
  double now_ = 0;
  EventQueue queue_;
  std::vector<EventSink*> sinks_;
  simgrid::kernel::timer::Timer* timer_ = nullptr;
  double armed_ = EventQueue::kNever;
  bool in_wake_ = false;
  double wake_clock_ = 0;  ///< SimGrid's clock during the current wake
  struct Deferred {
    double time;
    std::function<void()> work;
  };
  std::vector<Deferred> deferred_;
  std::vector<simgrid::s4u::ActivityPtr> retired_[2];
  bool touched_ = false;  ///< SimGrid was changed during this wake: recompute the horizon
  std::string failure_;
  std::uint64_t events_ = 0, wakes_ = 0, ahead_ = 0, simgrid_work_ = 0;
};

}  // namespace sim::engine
