#include "sim/runs/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/runs/child.h"

namespace sim::runs {

std::string progress_line(const std::string& label, double fraction, const std::string& what, double elapsed) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const std::size_t width = 30;
  std::size_t filled = static_cast<std::size_t>(static_cast<double>(width) * fraction);
  // The rate so far, carried to the end: a guess, but the one a person makes.
  std::string eta = fraction > 0 && fraction < 1 && elapsed >= 1
                        ? fmt::format(", about {} left", core::format_duration(std::round(elapsed / fraction - elapsed)))
                        : "";
  return fmt::format("{} [{}{}] {}, {} elapsed{}", label, std::string(filled, '='), std::string(width - filled, ' '), what,
                     core::format_duration(std::round(elapsed)), eta);
}

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
  std::string what = fmt::format("{}/{} runs{}", done_, total_, failed_ ? fmt::format(", {} failed", failed_) : "");
  std::string line = progress_line(label_, static_cast<double>(done_) / static_cast<double>(total_), what, elapsed);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

std::function<void(double, double)> run_progress(const std::string& name, bool enabled) {
  if (!enabled || !stderr_is_tty()) return {};
  auto start = std::chrono::steady_clock::now();
  return [name, start](double now, double duration) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double fraction = duration > 0 ? now / duration : 0;
    std::string what = fmt::format("{} of {} simulated", core::format_duration(std::round(now)),
                                   core::format_duration(duration));
    std::fprintf(stderr, "\r\033[K%s", progress_line(name, fraction, what, elapsed).c_str());
    std::fflush(stderr);
  };
}

void clear_progress_line() {
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace sim::runs
