#include "sim/check/explain.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <vector>

#include "sim/core/units.h"

namespace sim::check {

using core::format_duration;
using core::format_ratio;

std::pair<std::size_t, std::size_t> window_range(const model::RunResult& r, double from, double to) {
  std::size_t first = 0, last = 0;
  const std::size_t n = r.windows.size();
  while (first < n && r.windows[first].start + r.window <= from + 1e-9) ++first;
  last = first;
  while (last < n && r.windows[last].start < to - 1e-9) ++last;
  return {first, last};
}

std::string failures_in(const model::RunResult& r, double from, double to) {
  auto [first, last] = window_range(r, from, to);
  model::ReasonCounts sum{};
  for (std::size_t i = first; i < last; ++i) {
    for (std::size_t q = 0; q < sum.size(); ++q) sum[q] += r.windows[i].failures[q];
  }
  std::vector<std::pair<std::uint64_t, std::size_t>> order;
  for (std::size_t q = 0; q < sum.size(); ++q) {
    if (sum[q] > 0) order.emplace_back(sum[q], q);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (const auto& [n, q] : order) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", model::reason_name(static_cast<model::FailReason>(q)), n);
  }
  return out;
}

std::string Saturation::text() const {
  // `ready` is the fewest at the end of a window: "left" when some were lost, else all of them.
  std::string out = ready < instances
                        ? fmt::format("{} saturated from {} to {}: {} of {} instance{} left at worst, {} busy", component,
                                      format_duration(from), format_duration(to), ready, instances,
                                      instances == 1 ? "" : "s", format_ratio(busy))
                        : fmt::format("{} saturated from {} to {}: all {} instance{} ready, {} busy", component,
                                      format_duration(from), format_duration(to), instances,
                                      instances == 1 ? "" : "s", format_ratio(busy));
  if (queue_full > 0) {
    out += fmt::format(", {} request{} turned away (queue_full)", queue_full, queue_full == 1 ? "" : "s");
  }
  if (needed > 0) {
    out += fmt::format("; it needs {} instances (the load is {:.1f} instances' worth of CPU; {} run it at {} busy)",
                       needed, offered, needed, format_ratio(kTargetBusy));
  } else {
    out += fmt::format("; it needs more than {} instance{}", ready, ready == 1 ? "" : "s");
  }
  return out;
}

std::optional<Saturation> find_saturation(const model::RunResult& r, double from, double to, double baseline_end) {
  auto [first, last] = window_range(r, from, to);
  if (first >= last) return std::nullopt;
  // Arrivals per window, before the fault (after warmup) and in the windows looked at.
  auto [b0, b1] = window_range(r, r.warmup, baseline_end);
  while (b1 > b0 && r.windows[b1 - 1].start + r.window > baseline_end + 1e-9) --b1;  // whole windows only
  double arrivals_before = 0, arrivals_now = 0;
  for (std::size_t i = b0; i < b1; ++i) arrivals_before += static_cast<double>(r.windows[i].arrivals);
  for (std::size_t i = first; i < last; ++i) arrivals_now += static_cast<double>(r.windows[i].arrivals);
  std::size_t nb = b1 > b0 ? b1 - b0 : 0;
  double load_scale = nb > 0 && arrivals_before > 0
                          ? (arrivals_now / static_cast<double>(last - first)) / (arrivals_before / static_cast<double>(nb))
                          : 0;
  std::optional<Saturation> best;
  for (const auto& c : r.components) {
    if (c.series.size() < last) continue;
    Saturation s;
    s.component = c.name;
    s.from = r.windows[first].start;
    s.to = std::min(r.duration, r.windows[last - 1].start + r.window);
    s.ready = INT32_MAX;
    double busy = 0;
    for (std::size_t i = first; i < last; ++i) {
      const model::ComponentPoint& p = c.series[i];
      busy += p.utilization;
      s.queue_full += p.queue_full;
      s.ready = std::min(s.ready, p.ready);
      s.instances = p.desired;
    }
    s.busy = busy / static_cast<double>(last - first);
    bool saturated = (s.queue_full > 0 && s.busy >= 0.85) || s.busy >= 0.97;
    if (!saturated) continue;
    if (nb > 0 && load_scale > 0) {
      double before = 0;
      for (std::size_t i = b0; i < b1; ++i) before += c.series[i].utilization * c.series[i].ready;
      s.offered = before / static_cast<double>(nb) * load_scale;
      s.needed = static_cast<int>(std::ceil(s.offered / kTargetBusy - 1e-9));
      // It saturated with `ready` instances: an estimate that says they suffice is wrong (the load
      // changed in a way arrivals do not show): say only that it needs more.
      if (s.needed <= s.ready) s.needed = 0, s.offered = 0;
    }
    if (!best || s.queue_full > best->queue_full || (s.queue_full == best->queue_full && s.busy > best->busy)) {
      best = s;
    }
  }
  return best;
}

}  // namespace sim::check
