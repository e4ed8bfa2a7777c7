#include "sim/engine/station.h"

#include <algorithm>

namespace sim::engine {

std::vector<JobRef> Station::crash(double now) {
  account(now);
  up = false;
  up_seconds_ += now - up_since_;
  std::vector<JobRef> jobs;
  jobs.reserve(queue_.size() + holders_.size());
  for (const auto& [job, enqueued] : queue_) jobs.push_back(job);
  jobs.insert(jobs.end(), holders_.begin(), holders_.end());
  queue_.clear();
  holders_.clear();
  busy_ = 0;
  return jobs;
}

void Station::recover(double now, bool ready_at_once) {
  account(now);
  up = true;
  up_since_ = now;
  ready = ready_at_once;
  ++incarnation;
}

void Station::start(double now) {
  account(now);
  started = true;
  draining = false;
  up = true;
  up_since_ = now;
  ready = false;
  start_time = now;
  ++incarnation;
}

void Station::resize(double now, int new_cores, double new_capacity, double new_memory) {
  account(now);
  ready_cores_before_ = ready_core_seconds();
  ready_at_resize_ = ready_integral_;
  resized_since_snap_ = true;
  cores = new_cores;
  capacity = new_capacity;
  memory = new_memory;
}

void Station::set_instance_type(double now, const std::string& type) {
  up_by_type.emplace_back(instance_type, up_seconds_as_type(now));
  type_since_up_ = up_seconds(now);
  instance_type = type;
}

Station::WindowSample Station::take_window(double now) {
  account(now);
  WindowSample w;
  double up_total = up_seconds(now);
  w.busy = busy_integral_ - snap_busy_;
  w.queue = queue_integral_ - snap_queue_;
  w.service = service_integral_ - snap_service_;
  w.up = up_total - snap_up_;
  w.ready = ready_integral_ - snap_ready_;
  // Without a resize in the window: the same arithmetic as ready × capacity (the same digits as before resizes).
  w.ready_cores = resized_since_snap_ ? ready_core_seconds() - snap_ready_cores_ : w.ready * capacity;
  snap_ready_cores_ = ready_core_seconds();
  resized_since_snap_ = false;
  w.wait_sum = window_wait_sum_;
  w.wait_count = window_wait_count_;
  w.queue_full = window_queue_full_;
  window_queue_full_ = 0;
  snap_busy_ = busy_integral_;
  snap_queue_ = queue_integral_;
  snap_service_ = service_integral_;
  snap_up_ = up_total;
  snap_ready_ = ready_integral_;
  window_wait_sum_ = 0;
  window_wait_count_ = 0;
  return w;
}

}  // namespace sim::engine
