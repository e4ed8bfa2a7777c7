#include "sim/engine/queue.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/engine/world.h"

namespace sim::engine {

MessageQueue::MessageQueue(World& world, int component)
    : w_(world), component_(component), stations_(world.comp(component).stations) {
  const topology::QueueSpec& q = *w_.comp(component).spec->queue();
  const std::string& name = w_.comp(component).spec->name;
  // Consumers: stations 1..n, `concurrency` slots each.
  for (std::size_t k = 1; k < stations_.size(); ++k) {
    for (int j = 0; j < q.concurrency; ++j) {
      Slot s;
      s.station = stations_[k];
      s.rng = w_.streams.stream(fmt::format("consumer:{}:{}", name, slots_.size()));
      idle_.push_back(static_cast<int>(slots_.size()));
      slots_.push_back(std::move(s));
    }
  }
}

void MessageQueue::enqueue(Message m, bool front) {
  if (front) {
    messages_.push_front(m);
  } else {
    messages_.push_back(m);
  }
  depth_max_ = std::max<std::uint64_t>(depth_max_, messages_.size());
  window_depth_max_ = std::max<std::uint64_t>(window_depth_max_, messages_.size());
  dispatch();
}

void MessageQueue::publish() { enqueue(Message{w_.kernel.now(), 0}, false); }

// Idle consumers take messages, first idle first.
void MessageQueue::dispatch() {
  const topology::QueueSpec& q = *w_.comp(component_).spec->queue();
  std::size_t tries = idle_.size();
  while (!messages_.empty() && tries-- > 0) {
    int si = idle_.front();
    idle_.pop_front();
    Slot& slot = slots_[static_cast<std::size_t>(si)];
    Station& s = w_.st(slot.station);
    if (!s.up) {  // resumes when its host is back (instance_up)
      slot.idle = false;
      continue;
    }
    slot.idle = false;
    slot.current = messages_.front();
    messages_.pop_front();
    s.cpu_started(w_.kernel.now());
    s.cpu->start(q.service_time.sample(w_.rng_service), this, static_cast<std::uint64_t>(si));
  }
}

void MessageQueue::cpu_done(std::uint64_t token, bool ok) {
  const topology::QueueSpec& q = *w_.comp(component_).spec->queue();
  Slot& slot = slots_[token];
  Station& s = w_.st(slot.station);
  s.cpu_ended(w_.kernel.now(), ok);
  if (!ok) {
    // The consumer died with its host: the unacknowledged message goes back to the head of the queue.
    if (slot.current) {
      Message m = *slot.current;
      slot.current.reset();
      enqueue(m, true);  // another consumer may take it at once
    }
    return;  // the slot waits for its host (instance_up)
  }
  Message m = *slot.current;
  slot.current.reset();
  if (q.failure_ratio > 0 && slot.rng.bernoulli(q.failure_ratio)) {
    ++m.attempts;
    if (m.attempts > q.max_retries) {
      ++dead_letters_;  // dead-letter exchange
    } else {
      ++retried_;
      retry_line_.push_back(m);
      w_.kernel.at(w_.kernel.now() + q.retry_delay, this, 0);
    }
  } else {
    ++jobs_done_;
  }
  slot.idle = true;
  idle_.push_back(static_cast<int>(token));
  dispatch();
}

void MessageQueue::on_event(const Event&) {
  // A retried message is due (the delay is constant: FIFO).
  Message m = retry_line_.front();
  retry_line_.pop_front();
  enqueue(m, false);
}

void MessageQueue::instance_down(int, const std::string&) {
  // Consumers' work on the host was failed with it (cpu_done(false) requeued their messages).
}

void MessageQueue::instance_up(int station) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (slot.station == station && !slot.idle && !slot.current) {
      slot.idle = true;
      idle_.push_back(static_cast<int>(i));
    }
  }
  dispatch();
}

void MessageQueue::collect(model::ComponentStats& out) {
  out.jobs_done = jobs_done_;
  out.jobs_retried = retried_;
  out.dead_letters = dead_letters_;
  out.queue_depth_max = depth_max_;
}

double MessageQueue::window_extra() {
  double v = static_cast<double>(std::max<std::uint64_t>(window_depth_max_, messages_.size()));
  window_depth_max_ = messages_.size();
  return v;
}

}  // namespace sim::engine
