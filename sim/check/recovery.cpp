#include "sim/check/recovery.h"

#include <algorithm>
#include <cmath>

namespace sim::check {

RecoverySummary summarize_recovery(const scenario::Scenario& s, const model::RunResult& r) {
  RecoverySummary out;
  const double threshold = s.resilience.recovery_threshold;
  const double hold = s.resilience.stabilization;
  // Fault times come from the timeline (faults may repeat, or be random).
  for (const auto& ev : r.timeline) {
    if (ev.kind != "fault") continue;
    FaultRecovery fr;
    fr.fault = ev.detail;
    fr.time = ev.time;
    // Windows overlapping [fault, end).
    std::size_t first = 0;
    while (first < r.windows.size() && r.windows[first].start + r.window <= ev.time) ++first;
    bool dipped = false;
    for (std::size_t i = first; i < r.windows.size(); ++i) {
      if (r.windows[i].success_ratio() < threshold) {
        dipped = true;
        fr.dip_start = r.windows[i].start;
        break;
      }
    }
    if (!dipped) {
      fr.rto = 0.0;
    } else {
      // The first window start after which every window within `hold` meets the threshold.
      for (std::size_t i = first; i < r.windows.size(); ++i) {
        double start = r.windows[i].start;
        if (start < *fr.dip_start) continue;
        bool stable = true;
        std::size_t j = i;
        for (; j < r.windows.size() && r.windows[j].start < start + hold; ++j) {
          if (r.windows[j].success_ratio() < threshold) {
            stable = false;
            break;
          }
        }
        // The stabilization period must fit in the run.
        if (stable && start + hold <= r.duration + 1e-9) {
          fr.rto = std::max(0.0, start - ev.time);
          break;
        }
        if (!stable) i = j;  // skip to the failing window
      }
    }
    out.faults.push_back(fr);
  }
  for (const auto& loss : r.data_losses) {
    out.worst_rpo = std::max(out.worst_rpo, loss.rpo);
    out.writes_lost += loss.writes_lost;
    for (auto& f : out.faults) {
      if (f.fault == loss.fault) {
        f.rpo = std::max(f.rpo, loss.rpo);
        f.writes_lost += loss.writes_lost;
      }
    }
  }
  for (const auto& f : out.faults) {
    if (!f.rto) {
      out.unrecovered = true;
    } else if (!out.worst_rto || *f.rto > *out.worst_rto) {
      out.worst_rto = f.rto;
    }
  }
  if (out.unrecovered) out.worst_rto.reset();
  return out;
}

}  // namespace sim::check
