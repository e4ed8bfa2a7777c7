#include "sim/check/alerts.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

#include "sim/check/expectations.h"
#include "sim/core/source.h"
#include "sim/core/units.h"

namespace sim::check {
namespace {

std::string fmt_time(double t) { return core::format_duration(std::round(t * 1000) / 1000); }

}  // namespace

std::vector<Incident> incidents(const scenario::Scenario& s, const model::RunResult& r) {
  std::vector<Incident> out;
  std::vector<std::string> targets;  // parallel to out: what the fault event named
  std::vector<bool> open;
  for (const auto& e : r.timeline) {
    if (e.kind == "fault") {
      out.push_back({e.fault.empty() ? e.target : e.fault, e.time, r.duration});
      targets.push_back(e.target);
      open.push_back(true);
      // A fault with `for:` ends after it (a crash's restart is logged per instance, not per fault).
      for (const auto& f : s.faults) {
        if (f.name == out.back().fault && f.length > 0) out.back().end = std::min(r.duration, e.time + f.length);
      }
    } else if (e.kind == "recover") {
      // The latest open incident of this fault, or of this target (chaos monkey victims, link faults).
      for (std::size_t i = out.size(); i-- > 0;) {
        if (!open[i] || !(e.fault.empty() ? targets[i] == e.target : out[i].fault == e.fault)) continue;
        out[i].end = e.time;
        open[i] = false;
        break;
      }
    }
  }
  return out;
}

const Incident* detected_incident(double fired_at, const std::vector<Incident>& incs, double grace) {
  for (const auto& i : incs) {
    if (fired_at >= i.start && fired_at <= i.end + grace) return &i;
  }
  return nullptr;
}

std::vector<Verdict> judge_alerts(const scenario::Scenario& s, const AlertEvaluation* eval,
                                  const std::vector<Incident>& incs) {
  std::vector<Verdict> out;
  for (const auto& e : s.alert_expectations) {
    Verdict v;
    v.expectation.metric = "alert";
    v.expectation.text = e.text;
    v.expectation.pos = e.pos;
    v.expected_text = e.text;
    const RuleEvaluation* o = nullptr;
    if (eval && eval->error.empty()) {
      for (const auto& x : eval->rules) {
        if (x.rule.name == e.name) o = &x;
      }
    }
    if (!o) {
      v.note = !eval ? "the alerting rules were not evaluated"
               : !eval->error.empty() ? "alerts not evaluated: " + eval->error
                                      : "no alerting rule " + e.name + " was evaluated";
      v.actual_text = "not measured (" + v.note + ")";
      out.push_back(std::move(v));
      continue;
    }
    if (e.never) {
      v.pass = o->firings.empty();
      v.actual = o->firings.empty() ? 0.0 : static_cast<double>(o->firings.size());
      v.actual_text = o->firings.empty() ? std::string("never fired")
                                         : fmt::format("fired at {}", fmt_time(o->firings.front().fired_at));
      out.push_back(std::move(v));
      continue;
    }
    const double within = *e.fires_within;
    std::vector<std::string> parts;
    bool pass = !incs.empty();
    std::optional<double> worst;  // the slowest detection
    for (const auto& i : incs) {
      std::optional<double> ttd;
      for (const auto& f : o->firings) {
        if (f.fired_at >= i.start && f.fired_at <= i.end + within) {
          ttd = f.fired_at - i.start;
          break;
        }
      }
      if (!ttd || *ttd > within + 1e-9) pass = false;
      if (ttd) worst = std::max(worst.value_or(0), *ttd);
      if (!ttd) parts.push_back(fmt::format("missed {}", i.fault));
    }
    for (const auto& f : o->firings) {
      if (!detected_incident(f.fired_at, incs, within)) {
        pass = false;
        parts.push_back(fmt::format("fired at {} with no fault", fmt_time(f.fired_at)));
      }
    }
    v.actual = worst;
    if (incs.empty()) {
      v.note = "no fault in the scenario";
      v.actual_text = parts.empty() ? v.note : v.note + " (" + core::join(parts, "; ") + ")";
    } else if (!worst) {
      v.actual_text = core::join(parts, "; ");
    } else {
      v.actual_text = fmt_time(*worst);
      if (!parts.empty()) v.actual_text += " (" + core::join(parts, "; ") + ")";
    }
    v.pass = pass;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace sim::check
