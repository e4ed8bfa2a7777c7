#pragma once
// Scaling-rule checks on a run, per autoscaled service (pure):
//
//   scale events   every change of the replica count
//   flaps          direction reversals: a scale event opposite to the previous one
//                  less than kFlapWindow (10 min) after it
//   time to scale  per scale-up episode (scale-ups less than 5 min apart): from the
//                  load increase that caused it (the latest step/spike/ramp start of
//                  the load profile before the first scale-up; else that scale-up) to
//                  the end of the first window in which as many instances are ready as
//                  the episode finally asked for; the worst episode counts
//   saturation     windows at max replicas while the SLO is breached (window p99 above
//                  the latency_p99 expectation, or window error ratio above error_rate)
//   instance-hours the service's instances' up time, in hours (cost)

#include <optional>
#include <string>
#include <vector>

#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"

namespace sim::check {

constexpr double kFlapWindow = 600;

struct ScalingSummary {
  std::string component;
  int min = 0, max = 0;
  int scale_events = 0;
  int flaps = 0;
  std::optional<double> time_to_scale;  ///< nullopt: never scaled up, or never reached the target
  bool unreached = false;               ///< a scale-up target was never reached
  int saturated_windows = 0;
  double saturated_seconds = 0;
  double instance_hours = 0;
  int peak_replicas = 0;
};

std::vector<ScalingSummary> summarize_scaling(const scenario::Scenario& s, const model::RunResult& r);

}  // namespace sim::check
