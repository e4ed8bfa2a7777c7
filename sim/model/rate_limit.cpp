#include "sim/model/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace sim::model {

std::optional<double> LeakyBucket::admit(double now, double rate, int burst, bool commit) {
  if (!commit) {
    LeakyBucket copy = *this;
    return copy.admit(now, rate, burst, true);
  }
  if (!started) {
    started = true;
    last = now;
    excess = 0;
    return 0.0;
  }
  // nginx: excess = excess − rate·ms/1000 + 1000 (in thousandths), then clamped at 0.
  double e = std::max(0.0, excess - rate * (now - last) + 1.0);
  if (e > static_cast<double>(burst) + 1e-9) return std::nullopt;  // `last` and `excess` unchanged
  excess = e;
  last = now;
  return e;
}

bool SlidingWindow::admit(double now, double window, int requests, bool commit) {
  if (!commit) {
    SlidingWindow copy = *this;
    return copy.admit(now, window, requests, true);
  }
  double index = std::floor(now / window);
  double window_start = index * window;
  if (!started || window_start > start) {
    // One window later the current count becomes the previous; more than one: both are old.
    previous = started && window_start - start < window * 1.5 ? current : 0;
    current = 0;
    start = window_start;
    started = true;
  }
  double f = (now - start) / window;
  double estimate = static_cast<double>(previous) * (1 - f) + static_cast<double>(current);
  if (estimate + 1e-9 >= static_cast<double>(requests)) return false;
  ++current;
  return true;
}

KeyedLimiter::KeyedLimiter(const topology::RateLimit& spec, std::size_t clients,
                           const std::vector<std::string>& classes)
    : spec_(spec) {
  applies_.assign(classes.size(), spec.classes.empty());
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (std::find(spec.classes.begin(), spec.classes.end(), classes[i]) != spec.classes.end()) applies_[i] = true;
  }
  anonymous_ = spec.key == topology::RateLimit::Key::kClient && clients == 0;
  std::size_t keys = 1;
  if (spec.key == topology::RateLimit::Key::kClient) keys = std::max<std::size_t>(1, clients);
  if (spec.key == topology::RateLimit::Key::kClass) keys = std::max<std::size_t>(1, classes.size());
  if (spec.window > 0) {
    windows_.assign(keys, SlidingWindow{});
  } else {
    buckets_.assign(keys, LeakyBucket{});
  }
}

std::optional<double> KeyedLimiter::admit(double now, std::uint32_t client, int cls, bool commit) {
  if (cls >= 0 && static_cast<std::size_t>(cls) < applies_.size() && !applies_[static_cast<std::size_t>(cls)]) {
    return 0.0;
  }
  if (anonymous_) return 0.0;
  std::size_t key = 0;
  if (spec_.key == topology::RateLimit::Key::kClient) key = client;
  if (spec_.key == topology::RateLimit::Key::kClass) key = static_cast<std::size_t>(std::max(cls, 0));
  if (spec_.window > 0) {
    if (key >= windows_.size()) key = 0;
    if (!windows_[key].admit(now, spec_.window, spec_.requests, commit)) return std::nullopt;
    return 0.0;
  }
  if (key >= buckets_.size()) key = 0;
  auto e = buckets_[key].admit(now, spec_.rate, spec_.burst, commit);
  if (!e) return std::nullopt;
  if (spec_.nodelay || *e <= static_cast<double>(spec_.delay)) return 0.0;
  return (*e - static_cast<double>(spec_.delay)) / spec_.rate;
}

}  // namespace sim::model
