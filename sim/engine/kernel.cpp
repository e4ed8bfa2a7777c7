#include "sim/engine/kernel.h"

#include <algorithm>
#include <fmt/format.h>
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/kernel/resource/Model.hpp>
#include <simgrid/s4u.hpp>
#include <stdexcept>

namespace sim::engine {

namespace sg = simgrid::s4u;
using simgrid::kernel::timer::Timer;

Kernel::Kernel(WakeRule mode, double end) : mode_(mode), end_(end) {}

std::uint16_t Kernel::add_sink(EventSink* sink) {
  if (sinks_.size() >= 0xffff) throw std::logic_error("request kernel: more than 65535 event sinks");
  sink->kernel_id_ = static_cast<int>(sinks_.size());
  sinks_.push_back(sink);
  return static_cast<std::uint16_t>(sink->kernel_id_);
}

void Kernel::at_lane(int lane, double time, EventSink* sink, std::uint32_t kind, std::uint32_t a, std::uint64_t b) {
  queue_.push_lane(lane, std::max(time, now_), sink_id(sink), static_cast<std::uint16_t>(kind), a, b);
  if (!in_wake_) arm();
}

void Kernel::enter() {
  double clock = sg::Engine::get_clock();
  if (now_ > clock + 1e-9) {
    // The wake rule was broken: the kernel ran past a date SimGrid still had to act at.
    throw std::logic_error(fmt::format("request kernel ran ahead of SimGrid (kernel at {:.9f}s, SimGrid at {:.9f}s)",
                                       now_, clock));
  }
  now_ = clock;
}

void Kernel::at_simgrid_date(std::function<void()> work) {
  ++simgrid_work_;
  if (in_wake_ && now_ > wake_clock_) {
    deferred_.push_back({now_, std::move(work)});
    return;
  }
  work();
  touched_ = true;
}

void Kernel::start() { arm(); }

void Kernel::retire(simgrid::s4u::ActivityPtr activity) { retired_[0].push_back(std::move(activity)); }

void Kernel::record_failure(const std::string& what) {
  if (failure_.empty()) failure_ = fmt::format("{} (request kernel, simulated time {:.6f}s)", what, now_);
}

void Kernel::arm() {
  double next = queue_.next_time();
  if (!deferred_.empty()) next = std::min(next, deferred_.front().time);
  if (next >= end_) next = EventQueue::kNever;
  if (next == armed_) return;
  if (timer_) {
    timer_->remove();
    timer_ = nullptr;
  }
  armed_ = next;
  if (next == EventQueue::kNever) return;
  timer_ = Timer::set(next, [this] {
    timer_ = nullptr;
    armed_ = EventQueue::kNever;
    wake();
  });
}

double Kernel::horizon(double clock) const {
  double h = Timer::next();
  if (h < 0) h = EventQueue::kNever;
  for (auto* m : sg::Engine::get_instance()->get_all_models()) {
    // An activity ended at `clock`: its actor or callback runs at `clock`, after this wake.
    if (!m->get_finished_action_set()->empty() || !m->get_failed_action_set()->empty()) return clock;
    double d = m->next_occurring_event(clock);
    if (d >= 0) h = std::min(h, clock + d);
  }
  return h;
}

void Kernel::dispatch(const Event& e) {
  now_ = e.time;
  ++events_;
  sinks_[e.sink]->on_event(e);
}

void Kernel::wake() {
  ++wakes_;
  // Activities retired two wakes ago: SimGrid finished with them long since.
  retired_[1].clear();
  retired_[1].swap(retired_[0]);
  const double clock = sg::Engine::get_clock();
  in_wake_ = true;
  wake_clock_ = clock;
  now_ = std::max(now_, clock);
  try {
    // Work deferred by events processed ahead runs at its date, first.
    if (!deferred_.empty()) {
      std::vector<Deferred> due;
      due.swap(deferred_);
      std::size_t k = 0;
      for (; k < due.size() && due[k].time <= clock; ++k) {
        now_ = clock;
        due[k].work();
      }
      deferred_.assign(std::make_move_iterator(due.begin() + static_cast<std::ptrdiff_t>(k)),
                       std::make_move_iterator(due.end()));
      touched_ = true;
    }
    if (mode_ == WakeRule::kPerEvent) {
      int source;
      const Event* e = queue_.peek(&source);
      if (deferred_.empty() && e && e->time <= clock && e->time < end_) dispatch(queue_.take(source));
    } else {
      double h = deferred_.empty() ? horizon(clock) : clock;
      touched_ = false;
      int source;
      while (const Event* e = queue_.peek(&source)) {
        double t = e->time;
        if (t >= end_) break;
        if (t > clock) {
          if (t >= h || !deferred_.empty()) break;
          ++ahead_;
        }
        dispatch(queue_.take(source));
        if (touched_) {
          touched_ = false;
          h = horizon(clock);
        }
      }
    }
  } catch (const std::exception& ex) {
    if (failure_.empty()) failure_ = fmt::format("{} (request kernel, simulated time {:.6f}s)", ex.what(), now_);
    in_wake_ = false;
    return;  // no more wakes: the run loop stops the run
  }
  in_wake_ = false;
  // Between wakes the kernel's clock is SimGrid's (never behind it: events ran up to here).
  arm();
}

}  // namespace sim::engine
