#pragma once
// Reasons: what a run's windows say about why a check failed, for the
// explanations every verdict carries (report.json, report.md, report.html,
// JUnit, stdout). Pure functions of a RunResult (and the topology for cores
// and names); check::assess calls them once.
//
// Saturation, the most common reason a fault "never recovers": the surviving
// instances of a tier cannot carry the load, their queues fill (queue_full)
// and the success ratio never returns above the recovery threshold. How many
// instances the tier would need comes from the load it carried before the
// fault: busy instances then (utilization × ready, per window), scaled by the
// arrivals now against then, at kTargetBusy.

#include <cstdint>
#include <optional>
#include <string>

#include "sim/model/run_result.h"
#include "sim/topology/topology.h"

namespace sim::check {

/// The utilization a tier is sized to when it is said how many instances it needs.
constexpr double kTargetBusy = 0.8;

/// A tier that could not carry its load in some windows.
struct Saturation {
  std::string component;
  int instances = 0;             ///< configured (desired) at the end of the windows
  int ready = 0;                 ///< instances left: the fewest ready at the end of a window
  double busy = 0;               ///< mean CPU utilization of its instances that were up
  std::uint64_t queue_full = 0;  ///< requests turned away by a full queue (queue_limit)
  double offered = 0;            ///< the load offered, in instances kept 100 % busy; 0 = unknown
  int needed = 0;                ///< instances that carry `offered` at kTargetBusy; 0 = unknown
  double from = 0, to = 0;       ///< the windows looked at
  /// "app saturated from 7m to 20m: 2 of 3 instances left at worst, 99.2% busy, 3901 requests turned
  /// away (queue_full); it needs 4 instances (the load is 2.9 instances' worth of CPU; 4 run it
  /// at 80 % busy)".
  std::string text() const;
};

/// The tier that saturated most in the windows overlapping [from, to): one that turned requests
/// away (queue_full) while at least 85 % busy, or ran at least 97 % busy; the one with the most
/// queue_full (then the busiest) wins. Its offered load is estimated from the windows after the
/// warmup that end by `baseline_end` (the fault's time); without them `offered` and `needed` stay 0.
std::optional<Saturation> find_saturation(const model::RunResult& r, double from, double to, double baseline_end);

/// "queue_full 3901, timeout 12": failures by reason in the windows overlapping [from, to), the
/// most frequent first; "" when none failed.
std::string failures_in(const model::RunResult& r, double from, double to);

/// The windows overlapping [from, to), as indices [first, last).
std::pair<std::size_t, std::size_t> window_range(const model::RunResult& r, double from, double to);

}  // namespace sim::check
