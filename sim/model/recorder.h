#pragma once
// Streams request outcomes into per-window and whole-run statistics with
// bounded memory. Outcomes may be recorded at times up to `horizon` seconds
// before or after the latest advance(): the engine records a CDN hit's
// completion when the request arrives, and a timed-out request at its
// deadline, which a periodic sweep finds slightly later. A window is closed
// (its percentiles computed and its histogram reused) once advance() has
// moved `horizon` past its end, so at most horizon/window + 2 windows are open.

#include <deque>
#include <string>
#include <vector>

#include "sim/model/histogram.h"
#include "sim/model/run_result.h"

namespace sim::model {

class Recorder {
 public:
  /// REQUIRES: window > 0, duration > 0, at least one class.
  Recorder(double window, double duration, double warmup, const std::vector<std::string>& class_names, double horizon);

  void arrival(double t, int request_class);
  void completion(double t, int request_class, double latency);
  void failure(double t, int request_class, FailReason reason);
  /// Closes the windows that can no longer receive records.
  void advance(double now);

  /// Closes everything and moves the results into `out` (windows, classes,
  /// headline latency/throughput/error rate, totals). Call once, at the end.
  void finish(RunResult* out);

  std::uint64_t generated() const { return generated_; }
  std::uint64_t finished() const { return completed_ + failed_; }
  /// Records that fell outside the open windows (a bug if not 0; reported by tests).
  std::uint64_t misplaced() const { return misplaced_; }

 private:
  struct Open {
    WindowStats stats;
    LogHistogram hist;
  };
  Open& window_at(double t);
  Open* last_ = nullptr;           ///< the window used last, while it is open
  std::size_t last_idx_ = 0;
  void close_front();

  double window_, duration_, warmup_, horizon_;
  std::size_t total_windows_;
  std::size_t first_open_ = 0;  ///< index of open_.front()
  std::deque<Open> open_;
  std::vector<Open> spare_;  ///< reused histograms
  std::vector<WindowStats> closed_;
  std::vector<ClassStats> classes_;
  std::vector<LogHistogram> class_hist_;
  LogHistogram overall_;
  std::uint64_t generated_ = 0, completed_ = 0, failed_ = 0, misplaced_ = 0;
  std::uint64_t measured_completed_ = 0, measured_failed_ = 0;
  ReasonCounts failures_{};
};

/// Fills LatencyStats from a histogram.
LatencyStats summarize(const LogHistogram& h);

}  // namespace sim::model
