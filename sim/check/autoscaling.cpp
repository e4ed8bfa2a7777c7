#include "sim/check/autoscaling.h"

#include <algorithm>
#include <cmath>

namespace sim::check {

namespace {

// Times at which the load profile steps up (step, spike, ramp starts), in run time.
void load_increases(const scenario::Profile& p, double offset, std::vector<double>* out) {
  using K = scenario::Profile::Kind;
  switch (p.kind) {
    case K::kStep:
      if (p.to > p.from) out->push_back(offset + p.at);
      break;
    case K::kSpike:
      if (p.factor > 1) out->push_back(offset + p.at);
      break;
    case K::kRamp:
      if (p.to > p.from) out->push_back(offset + p.at);
      break;
    case K::kSum:
      for (const auto& c : p.children) load_increases(c, offset, out);
      break;
    case K::kSequence: {
      double start = offset;
      for (const auto& c : p.children) {
        out->push_back(start);
        load_increases(c, start, out);
        start += c.phase_length;
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

std::vector<ScalingSummary> summarize_scaling(const scenario::Scenario& s, const model::RunResult& r) {
  std::vector<ScalingSummary> out;
  std::optional<double> slo_p99, slo_errors;
  for (const auto& e : s.expectations) {
    if (e.metric == "latency_p99" && e.request_class.empty()) slo_p99 = e.value;
    if (e.metric == "error_rate" && e.request_class.empty()) slo_errors = e.value;
  }
  std::vector<double> increases;
  load_increases(s.load, 0, &increases);
  std::sort(increases.begin(), increases.end());

  for (const auto& a : s.autoscaling) {
    ScalingSummary sum;
    sum.component = a.component;
    sum.min = a.hpa() ? a.hpa()->min : a.rules()->min;
    sum.max = a.hpa() ? a.hpa()->max : a.rules()->max;
    const model::ComponentStats* comp = nullptr;
    for (const auto& c : r.components) {
      if (c.name == a.component) comp = &c;
    }
    std::vector<model::ScaleEvent> events;
    for (const auto& e : r.scale_events) {
      if (e.component == a.component) events.push_back(e);
    }
    sum.scale_events = static_cast<int>(events.size());
    for (std::size_t i = 1; i < events.size(); ++i) {
      bool up_prev = events[i - 1].to > events[i - 1].from, up_now = events[i].to > events[i].from;
      if (up_prev != up_now && events[i].time - events[i - 1].time < kFlapWindow) ++sum.flaps;
    }
    if (comp) {
      sum.instance_hours = comp->instance_hours;
      for (const auto& p : comp->series) sum.peak_replicas = std::max(sum.peak_replicas, p.desired);
      // Saturation: at max and breaching the SLO in the same window.
      for (std::size_t i = 0; i < comp->series.size() && i < r.windows.size(); ++i) {
        const auto& w = r.windows[i];
        bool at_max = comp->series[i].ready >= sum.max;
        bool breach = (slo_p99 && w.latency.count > 0 && w.latency.p99 > *slo_p99) ||
                      (slo_errors && w.completed + w.failed > 0 && 1.0 - w.success_ratio() > *slo_errors);
        if (at_max && breach) {
          ++sum.saturated_windows;
          sum.saturated_seconds += r.window;
        }
      }
      // Time to scale, per scale-up episode.
      std::size_t i = 0;
      while (i < events.size()) {
        if (events[i].to <= events[i].from) {
          ++i;
          continue;
        }
        double first = events[i].time;
        int target = events[i].to;
        std::size_t j = i + 1;
        while (j < events.size() && events[j].to > events[j].from && events[j].time - events[j - 1].time < 300) {
          target = events[j].to;
          ++j;
        }
        double start = first;
        for (double t : increases) {
          if (t <= first) start = t;
        }
        std::optional<double> reached;
        for (std::size_t k = 0; k < comp->series.size(); ++k) {
          double end = (static_cast<double>(k) + 1) * r.window;
          if (end < events[j - 1].time) continue;
          if (comp->series[k].ready >= target) {
            reached = end;
            break;
          }
        }
        if (!reached) {
          sum.unreached = true;
        } else if (!sum.time_to_scale || *reached - start > *sum.time_to_scale) {
          sum.time_to_scale = *reached - start;
        }
        i = j;
      }
    }
    out.push_back(sum);
  }
  return out;
}

}  // namespace sim::check
