#include "sim/engine/station.h"

#include <algorithm>

namespace sim::engine {

void Station::account(double now) {
  double dt = now - last_change_;
  if (dt > 0) {
    busy_integral_ += std::min(busy_, cores) * dt;
    queue_integral_ += static_cast<double>(queue_.size()) * dt;
    service_integral_ += static_cast<double>(holders_.size()) * dt;
    last_change_ = now;
  }
}

Station::Admit Station::admit(JobRef job, double now, std::uint32_t* slot) {
  account(now);
  if (static_cast<int>(holders_.size()) < max_workers) {
    *slot = static_cast<std::uint32_t>(holders_.size());
    holders_.push_back(job);
    ++wait_count_;  // served at once: no wait
    ++window_wait_count_;
    return Admit::kStart;
  }
  if (queue_limit > 0 && queue_.size() >= queue_limit) return Admit::kFull;
  queue_.emplace_back(job, now);
  queue_max_ = std::max<std::uint64_t>(queue_max_, queue_.size());
  return Admit::kQueued;
}

JobRef Station::release(std::uint32_t slot, double now) {
  account(now);
  JobRef moved = 0;
  if (slot + 1 < holders_.size()) {
    holders_[slot] = holders_.back();
    moved = holders_[slot];
  }
  holders_.pop_back();
  return moved;
}

std::optional<JobRef> Station::take_next(double now, std::uint32_t* slot) {
  if (queue_.empty() || static_cast<int>(holders_.size()) >= max_workers) return std::nullopt;
  account(now);
  auto [job, enqueued] = queue_.front();
  queue_.pop_front();
  wait_sum_ += now - enqueued;
  window_wait_sum_ += now - enqueued;
  ++wait_count_;
  ++window_wait_count_;
  *slot = static_cast<std::uint32_t>(holders_.size());
  holders_.push_back(job);
  return job;
}

void Station::cpu_started(double now) {
  account(now);
  ++busy_;
}

void Station::cpu_ended(double now, bool served) {
  account(now);
  if (busy_ > 0) --busy_;
  if (served) ++served_;
}

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
}

void Station::start(double now) {
  account(now);
  started = true;
  draining = false;
  up = true;
  up_since_ = now;
  ready = false;
  start_time = now;
}

Station::WindowSample Station::take_window(double now) {
  account(now);
  WindowSample w;
  double up_total = up_seconds(now);
  w.busy = busy_integral_ - snap_busy_;
  w.queue = queue_integral_ - snap_queue_;
  w.service = service_integral_ - snap_service_;
  w.up = up_total - snap_up_;
  w.wait_sum = window_wait_sum_;
  w.wait_count = window_wait_count_;
  snap_busy_ = busy_integral_;
  snap_queue_ = queue_integral_;
  snap_service_ = service_integral_;
  snap_up_ = up_total;
  window_wait_sum_ = 0;
  window_wait_count_ = 0;
  return w;
}

}  // namespace sim::engine
