#pragma once
// A progress bar for commands that run many children (compare, sweep, run
// --runs): drawn on stderr only when it is a terminal and --quiet is not set,
// so logs and CI output stay clean.

#include <chrono>
#include <cstddef>
#include <string>

namespace sim::cli {

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

}  // namespace sim::cli
