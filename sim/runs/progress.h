#pragma once
// Progress on stderr, drawn only when it is a terminal and --quiet is not set,
// so logs and CI output stay clean: one line for a batch of runs (every batch
// command, through runs/batch.h) and one for the simulated time of a single run.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace sim::runs {

class ProgressBar {
 public:
  /// `label` prefixes the line ("sweep", "compare"); `total` runs expected.
  /// REQUIRES: total > 0.
  ProgressBar(std::string label, std::size_t total, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// One more run finished (`failed`: its expectations failed or it crashed).
  void done(bool failed);
  /// Clears the line (also done by the destructor).
  void finish();

 private:
  void draw();
  std::string label_;
  std::size_t total_, done_ = 0, failed_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_;
};

/// The engine's progress callback for one run ("name [=====    ] 45%  2m of 5m"), or an
/// empty function when `enabled` is false or stderr is not a terminal.
std::function<void(double now, double duration)> run_progress(const std::string& name, bool enabled);

/// Erases the progress line.
void clear_progress_line();

}  // namespace sim::runs
