#include "sim/model/recorder.h"

#include <algorithm>
#include <cmath>

namespace sim::model {

LatencyStats summarize(const LogHistogram& h) {
  LatencyStats s;
  s.count = h.count();
  if (s.count == 0) return s;
  s.mean = h.mean();
  s.p50 = h.quantile(0.50);
  s.p90 = h.quantile(0.90);
  s.p95 = h.quantile(0.95);
  s.p99 = h.quantile(0.99);
  s.p999 = h.quantile(0.999);
  s.max = h.max();
  return s;
}

Recorder::Recorder(double window, double duration, double warmup, const std::vector<std::string>& class_names,
                   double horizon)
    : window_(window), duration_(duration), warmup_(warmup), horizon_(horizon) {
  total_windows_ = static_cast<std::size_t>(std::ceil(duration / window - 1e-9));
  if (total_windows_ == 0) total_windows_ = 1;
  classes_.resize(class_names.size());
  for (std::size_t i = 0; i < class_names.size(); ++i) classes_[i].name = class_names[i];
  class_hist_.resize(class_names.size());
}

Recorder::Open& Recorder::window_at(double t) {
  auto idx = static_cast<std::size_t>(std::max(0.0, std::floor(t / window_)));
  if (last_ && idx == last_idx_) return *last_;  // most records fall in the previous one's window
  idx = std::min(idx, total_windows_ - 1);
  if (idx < first_open_) {
    ++misplaced_;
    idx = first_open_;
  }
  while (first_open_ + open_.size() <= idx) {
    Open o;
    if (!spare_.empty()) {
      o = std::move(spare_.back());
      spare_.pop_back();
      o.hist.clear();
    }
    o.stats = WindowStats{};
    o.stats.start = static_cast<double>(first_open_ + open_.size()) * window_;
    o.stats.by_class.assign(classes_.size(), ClassCounts{});
    open_.push_back(std::move(o));
  }
  Open& w = open_[idx - first_open_];
  // Only a window strictly inside the run is cached (the last one also takes t >= duration).
  if (idx + 1 < total_windows_ && idx == static_cast<std::size_t>(std::max(0.0, std::floor(t / window_)))) {
    last_ = &w;
    last_idx_ = idx;
  }
  return w;
}

void Recorder::arrival(double t, int request_class) {
  ++generated_;
  ++classes_[static_cast<std::size_t>(request_class)].generated;
  WindowStats& w = window_at(t).stats;
  ++w.arrivals;
  ++w.by_class[static_cast<std::size_t>(request_class)].arrivals;
}

void Recorder::completion(double t, int request_class, double latency) {
  ++completed_;
  auto c = static_cast<std::size_t>(request_class);
  ++classes_[c].completed;
  Open& w = window_at(t);
  ++w.stats.completed;
  ++w.stats.by_class[c].completed;
  LogHistogram::Sample sample = LogHistogram::prepare(latency);  // one logarithm for the three histograms
  w.hist.add(sample);
  if (t >= warmup_) {
    ++measured_completed_;
    overall_.add(sample);
    class_hist_[c].add(sample);
  }
}

void Recorder::failure(double t, int request_class, FailReason reason) {
  ++failed_;
  auto c = static_cast<std::size_t>(request_class);
  auto r = static_cast<std::size_t>(reason);
  ++classes_[c].failed;
  ++classes_[c].failures[r];
  ++failures_[r];
  Open& w = window_at(t);
  ++w.stats.failed;
  ++w.stats.by_class[c].failed;
  ++w.stats.failures[r];
  if (t >= warmup_) ++measured_failed_;
}

void Recorder::close_front() {
  Open& o = open_.front();
  if (last_ == &o) last_ = nullptr;
  o.stats.latency = summarize(o.hist);
  for (std::size_t b = 0; b < kLatencyBucketBounds.size(); ++b) {
    o.stats.latency_at_most[b] = o.hist.count_at_most(kLatencyBucketBounds[b]);
  }
  o.stats.latency_sum = o.hist.sum();
  closed_.push_back(o.stats);
  spare_.push_back(std::move(o));
  open_.pop_front();
  ++first_open_;
}

void Recorder::advance(double now) {
  // Window i ends at (i+1)·window; it is final once now - horizon is past that.
  while (!open_.empty() && (static_cast<double>(first_open_) + 1) * window_ + horizon_ < now) close_front();
  // Windows nobody recorded into are closed empty, so the series has no holes.
  while (open_.empty() && first_open_ < total_windows_ &&
         (static_cast<double>(first_open_) + 1) * window_ + horizon_ < now) {
    WindowStats empty;
    empty.start = static_cast<double>(first_open_) * window_;
    empty.by_class.assign(classes_.size(), ClassCounts{});
    closed_.push_back(empty);
    ++first_open_;
  }
}

void Recorder::finish(RunResult* out) {
  // Close the open windows, then the ones nobody recorded into (without a histogram each).
  while (!open_.empty()) close_front();
  while (first_open_ < total_windows_) {
    WindowStats empty;
    empty.start = static_cast<double>(first_open_) * window_;
    empty.by_class.assign(classes_.size(), ClassCounts{});
    closed_.push_back(empty);
    ++first_open_;
  }
  out->windows = std::move(closed_);
  out->generated = generated_;
  out->completed = completed_;
  out->failed = failed_;
  out->failures = failures_;
  out->latency = summarize(overall_);
  out->measured_completed = measured_completed_;
  out->measured_failed = measured_failed_;
  double measured_time = duration_ - warmup_;
  out->throughput = measured_time > 0 ? static_cast<double>(measured_completed_) / measured_time : 0;
  std::uint64_t fin = measured_completed_ + measured_failed_;
  out->error_rate = fin ? static_cast<double>(measured_failed_) / static_cast<double>(fin) : 0;
  for (std::size_t i = 0; i < classes_.size(); ++i) classes_[i].latency = summarize(class_hist_[i]);
  out->classes = std::move(classes_);
}

}  // namespace sim::model
