#include "sim/runs/progress.h"

#include <cstdio>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/runs/child.h"

namespace sim::runs {

ProgressBar::ProgressBar(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)), total_(total == 0 ? 1 : total), enabled_(enabled && stderr_is_tty()),
      start_(std::chrono::steady_clock::now()) {
  if (enabled_) draw();
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::done(bool failed) {
  ++done_;
  failed_ += failed ? 1 : 0;
  if (enabled_) draw();
}

void ProgressBar::finish() {
  if (enabled_ && !finished_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
  finished_ = true;
}

void ProgressBar::draw() {
  // Wall-clock time is for the terminal only; it never reaches a report.
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::size_t width = 30, filled = width * done_ / total_;
  std::string eta = done_ > 0 && done_ < total_
                        ? fmt::format(", about {:.0f}s left", elapsed / static_cast<double>(done_) *
                                                                  static_cast<double>(total_ - done_))
                        : "";
  std::fprintf(stderr, "\r\033[K%s [%s%s] %zu/%zu runs%s, %.0fs%s", label_.c_str(), std::string(filled, '=').c_str(),
               std::string(width - filled, ' ').c_str(), done_, total_,
               failed_ ? fmt::format(", {} failed", failed_).c_str() : "", elapsed, eta.c_str());
  std::fflush(stderr);
}

std::function<void(double, double)> run_progress(const std::string& name, bool enabled) {
  if (!enabled || !stderr_is_tty()) return {};
  return [name](double now, double duration) {
    int pct = static_cast<int>(100 * now / duration);
    int bar = pct / 4;
    std::fprintf(stderr, "\r%s [%-25s] %3d%%  %s of %s", name.c_str(), std::string(static_cast<std::size_t>(bar), '=').c_str(),
                 pct, core::format_duration(now).c_str(), core::format_duration(duration).c_str());
    std::fflush(stderr);
  };
}

void clear_progress_line() {
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace sim::runs
