#include "sim/check/expectations.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/check/explain.h"
#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/model/cost.h"

namespace sim::check {

using core::format_duration;

using scenario::Measure;
using scenario::MetricInfo;

std::string Verdict::line() const {
  return fmt::format("expected {} {}, actual {}: {}", expectation.metric, expected_text, actual_text,
                     pass ? "PASS" : "FAIL");
}

bool Assessment::passed() const { return failing().empty(); }

std::vector<std::string> Assessment::failing() const {
  std::vector<std::string> out;
  for (const auto& v : verdicts) {
    if (!v.pass) out.push_back(v.expectation.id());
  }
  for (const auto& c : recovery.assessment) {
    if (!c.met) out.push_back(c.id());
  }
  return out;
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kExpectedFailure: return "expected failure";
    case Outcome::kUnexpectedPass: return "unexpected pass";
    case Outcome::kOtherFailure: return "failed otherwise";
  }
  return "fail";
}

Outcome outcome_from_name(const std::string& name) {
  for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kExpectedFailure, Outcome::kUnexpectedPass,
                    Outcome::kOtherFailure}) {
    if (name == outcome_name(o)) return o;
  }
  return Outcome::kFail;
}

bool outcome_ok(Outcome o) { return o == Outcome::kPass || o == Outcome::kExpectedFailure; }

Outcome outcome_of(const std::vector<std::string>& failing, const std::optional<scenario::ExpectedFailure>& declared) {
  if (!declared) return failing.empty() ? Outcome::kPass : Outcome::kFail;
  if (failing.empty()) return Outcome::kUnexpectedPass;
  std::vector<std::string> a = failing, b = declared->fails;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b ? Outcome::kExpectedFailure : Outcome::kOtherFailure;
}

std::string outcome_detail(Outcome o, const std::vector<std::string>& failing,
                           const std::optional<scenario::ExpectedFailure>& declared) {
  if (!declared || (o != Outcome::kUnexpectedPass && o != Outcome::kOtherFailure)) return "";
  std::vector<std::string> passed, extra;
  for (const auto& id : declared->fails) {
    if (std::find(failing.begin(), failing.end(), id) == failing.end()) passed.push_back(id);
  }
  for (const auto& id : failing) {
    if (std::find(declared->fails.begin(), declared->fails.end(), id) == declared->fails.end()) extra.push_back(id);
  }
  std::vector<std::string> parts;
  if (!passed.empty()) parts.push_back(core::join(passed) + " passed");
  if (!extra.empty()) parts.push_back(core::join(extra) + " failed");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + fmt::format(" (declared to fail: {})", core::join(declared->fails));
}

bool compare(const scenario::Expectation& e, double actual) {
  // A relative tolerance of 1e-9 keeps "== 0" and boundary values stable under rounding.
  double eps = 1e-9 * std::max(1.0, std::fabs(e.value));
  switch (e.op) {
    case scenario::Expectation::Op::kLe: return actual <= e.value + eps;
    case scenario::Expectation::Op::kLt: return actual < e.value - eps;
    case scenario::Expectation::Op::kGe: return actual >= e.value - eps;
    case scenario::Expectation::Op::kGt: return actual > e.value + eps;
    case scenario::Expectation::Op::kEq: return std::fabs(actual - e.value) <= eps;
  }
  return false;
}

double class_error_rate(const model::RunResult& r, std::size_t c) {
  std::uint64_t done = 0, failed = 0;
  bool windows = !r.windows.empty();
  for (const auto& w : r.windows) windows = windows && w.by_class.size() > c;
  if (windows) {
    for (const auto& w : r.windows) {
      if (w.start + 1e-9 < r.warmup) continue;
      done += w.by_class[c].completed;
      failed += w.by_class[c].failed;
    }
  } else if (c < r.classes.size()) {
    done = r.classes[c].completed;
    failed = r.classes[c].failed;
  }
  return done + failed ? static_cast<double>(failed) / static_cast<double>(done + failed) : 0.0;
}

double availability(const model::RunResult& r, double threshold, int request_class) {
  std::size_t n = 0, good = 0;
  for (const auto& w : r.windows) {
    if (w.start + r.window <= r.warmup) continue;
    ++n;
    double ratio = w.success_ratio();
    if (request_class >= 0 && static_cast<std::size_t>(request_class) < w.by_class.size()) {
      const model::ClassCounts& k = w.by_class[static_cast<std::size_t>(request_class)];
      std::uint64_t fin = k.completed + k.failed;
      ratio = fin == 0 ? 1.0 : static_cast<double>(k.completed) / static_cast<double>(fin);
    }
    good += ratio >= threshold ? 1 : 0;
  }
  return n ? static_cast<double>(good) / static_cast<double>(n) : 1.0;
}

namespace {

const model::ClassStats* find_class(const model::RunResult& r, const std::string& name) {
  for (const auto& c : r.classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// A latency statistic: the fixed ones from LatencyStats, any other percentile from the histogram.
std::optional<double> latency_stat(const model::LatencyStats& l, const model::LogHistogram& h, const MetricInfo& m,
                                   std::string* note) {
  switch (m.latency) {
    case scenario::LatencyStat::kMean: return l.mean;
    case scenario::LatencyStat::kP50: return l.p50;
    case scenario::LatencyStat::kP90: return l.p90;
    case scenario::LatencyStat::kP95: return l.p95;
    case scenario::LatencyStat::kP99: return l.p99;
    case scenario::LatencyStat::kP999: return l.p999;
    case scenario::LatencyStat::kMax: return l.max;
    case scenario::LatencyStat::kQuantile:
      if (h.count() == 0) {
        *note = "this run kept no latency histogram";
        return std::nullopt;
      }
      return h.quantile(m.quantile);
  }
  return l.max;
}

std::optional<std::size_t> class_index(const model::RunResult& r, const std::string& name) {
  for (std::size_t i = 0; i < r.classes.size(); ++i) {
    if (r.classes[i].name == name) return i;
  }
  return std::nullopt;
}

bool has_class_windows(const model::RunResult& r) {
  if (r.windows.empty() || r.classes.empty()) return false;
  for (const auto& w : r.windows) {
    if (w.by_class.size() != r.classes.size()) return false;
  }
  return true;
}

}  // namespace

std::optional<double> measure(const scenario::Scenario& s, const model::RunResult& r, const Assessment& a,
                              const MetricInfo& metric, const std::string& request_class, std::string* note) {
  const model::ClassStats* cls = request_class.empty() ? nullptr : find_class(r, request_class);
  auto worst_over_scaling = [&](auto field) -> std::optional<double> {
    if (a.scaling.empty()) {
      *note = "the scenario has no autoscaling";
      return std::nullopt;
    }
    double v = 0;
    for (const auto& x : a.scaling) v = std::max(v, field(x));
    return v;
  };
  switch (metric.measure) {
    case Measure::kLatency: {
      const model::LatencyStats& l = cls ? cls->latency : r.latency;
      if (l.count == 0) {
        *note = "no request completed after warmup";
        return std::nullopt;
      }
      return latency_stat(l, cls ? cls->histogram : r.histogram, metric, note);
    }
    case Measure::kErrorRate:
      if (cls) return class_error_rate(r, *class_index(r, request_class));
      return r.error_rate;
    case Measure::kThroughput:
      if (cls) return static_cast<double>(cls->latency.count) / std::max(1e-9, r.duration - r.warmup);
      return r.throughput;
    case Measure::kGenerated: return static_cast<double>(cls ? cls->generated : r.generated);
    case Measure::kCompleted: return static_cast<double>(cls ? cls->completed : r.completed);
    case Measure::kFailed: return static_cast<double>(cls ? cls->failed : r.failed);
    case Measure::kAvailability:
      if (!request_class.empty()) {
        if (!has_class_windows(r)) {
          *note = "this run has no per-class windows";
          return std::nullopt;
        }
        return availability(r, s.resilience.recovery_threshold, static_cast<int>(*class_index(r, request_class)));
      }
      return availability(r, s.resilience.recovery_threshold);
    case Measure::kRto:
      if (!request_class.empty()) {
        // The class's worst fault, on its own success ratio.
        std::optional<double> worst;
        bool any = false;
        for (const auto& f : a.recovery.faults) {
          for (const auto& c : f.classes) {
            if (c.request_class != request_class) continue;
            any = true;
            if (!c.rto) {
              *note = "not recovered before the end of the run";
              return std::nullopt;
            }
            worst = std::max(worst.value_or(0.0), *c.rto);
          }
        }
        if (a.recovery.faults.empty()) {
          *note = "no fault in the scenario";
          return 0.0;
        }
        if (!any) {
          *note = "this run has no per-class windows";
          return std::nullopt;
        }
        return worst;
      }
      if (a.recovery.unrecovered) {
        *note = "not recovered before the end of the run";
        return std::nullopt;
      }
      if (!a.recovery.worst_rto) {
        *note = "no fault in the scenario";
        return 0.0;
      }
      return a.recovery.worst_rto;
    case Measure::kRpo: return a.recovery.worst_rpo;
    case Measure::kWritesLost: return static_cast<double>(a.recovery.writes_lost);
    case Measure::kFlaps:
      return worst_over_scaling([](const ScalingSummary& x) { return static_cast<double>(x.flaps); });
    case Measure::kTimeToScale: {
      for (const auto& x : a.scaling) {
        if (x.unreached) {
          *note = x.component + " never reached its scale-up target";
          return std::nullopt;
        }
      }
      return worst_over_scaling([](const ScalingSummary& x) { return x.time_to_scale.value_or(0); });
    }
    case Measure::kSaturation: {
      auto saturated = worst_over_scaling([](const ScalingSummary& x) { return static_cast<double>(x.saturated_windows); });
      if (!saturated) return std::nullopt;
      return *saturated == 0 ? 1.0 : 0.0;
    }
    case Measure::kInstanceHours: {
      // The cost of the autoscaled services; without autoscaling, of every component.
      double v = 0;
      if (a.scaling.empty()) {
        for (const auto& c : r.components) v += c.instance_hours;
      } else {
        for (const auto& x : a.scaling) v += x.instance_hours;
      }
      return v;
    }
    case Measure::kReplicationLagMax: {
      double v = 0;
      for (const auto& c : r.components) v = std::max(v, c.replication_lag_max);
      return v;
    }
    case Measure::kDeadLetters: {
      double v = 0;
      for (const auto& c : r.components) v += static_cast<double>(c.dead_letters);
      return v;
    }
    case Measure::kCostPerMonth:
      if (!a.cost_per_month) *note = "the topology names no pricing file (cost: {pricing: FILE})";
      return a.cost_per_month;
    case Measure::kQueueDepthMax: {
      double v = 0;
      for (const auto& c : r.components) v = std::max(v, static_cast<double>(c.queue_depth_max));
      return v;
    }
    case Measure::kHealthyAtEnd:
      for (const auto& c : r.components) {
        for (const auto& i : c.instance_stats) {
          if (!i.unhealthy.empty()) return 0.0;
        }
      }
      return 1.0;
    case Measure::kUnexplainedRestarts: {
      double v = 0;
      for (const auto& c : r.components) v += c.restarts().unexplained();
      return v;
    }
  }
  *note = "unknown metric";
  return std::nullopt;
}

namespace {

// Window p99s above `limit`: "in 42 of 140 windows (from 8m to 18m15s)".
std::string windows_above(const model::RunResult& r, double limit) {
  std::size_t n = 0, above = 0;
  double first = -1, last = -1;
  for (const auto& w : r.windows) {
    if (w.start + r.window <= r.warmup || w.latency.count == 0) continue;
    ++n;
    if (w.latency.p99 > limit) {
      ++above;
      if (first < 0) first = w.start;
      last = w.start + r.window;
    }
  }
  if (above == 0) return "";
  return fmt::format("window p99 above {} in {} of {} windows (from {} to {})", format_duration(limit), above, n,
                     format_duration(first), format_duration(std::min(last, r.duration)));
}

// The tier that queued most: "app: mean queue wait 1.2s".
std::string queueing_tier(const model::RunResult& r) {
  const model::ComponentStats* worst = nullptr;
  for (const auto& c : r.components) {
    if (!worst || c.wait_mean > worst->wait_mean) worst = &c;
  }
  if (!worst || worst->wait_mean < 1e-3) return "";
  double peak = 0;
  for (const auto& p : worst->series) peak = std::max(peak, p.utilization);
  return fmt::format("{} queued most: mean wait in queue {}, busiest window {} busy", worst->name,
                     format_duration(worst->wait_mean), core::format_ratio(peak));
}

// The faults of the run: "crash db.primary at 5m (RTO 1m50s)".
std::string faults_text(const Assessment& a) {
  std::string out;
  for (const auto& f : a.recovery.faults) {
    out += fmt::format("{}{} at {} (RTO {})", out.empty() ? "" : ", ", f.fault, format_duration(f.time),
                       f.rto ? format_duration(*f.rto) : "not recovered");
  }
  return out;
}

// Why a failed verdict failed, from the run. Joins the non-empty parts with "; ".
std::string reason_for(const scenario::Scenario& s, const model::RunResult& r, const Assessment& a, const Verdict& v,
                       const MetricInfo& m) {
  std::vector<std::string> parts;
  const std::string& cls = v.expectation.request_class;
  double first_fault = r.duration;
  for (const auto& f : a.recovery.faults) first_fault = std::min(first_fault, f.time);
  switch (m.measure) {
    case Measure::kRto: {
      // The worst fault (for the class, on its own success ratio): one never recovered, else the longest.
      auto rto_of = [&](const FaultRecovery& f) {
        if (cls.empty()) return f.rto;
        for (const auto& c : f.classes) {
          if (c.request_class == cls) return c.rto;
        }
        return f.rto;
      };
      const FaultRecovery* worst = nullptr;
      for (const auto& f : a.recovery.faults) {
        auto rto = rto_of(f);
        auto wr = worst ? rto_of(*worst) : std::optional<double>();
        if (!worst || (wr && (!rto || *rto > *wr))) worst = &f;
      }
      if (worst) parts.push_back(worst->fault + ": " + worst->why);
      break;
    }
    case Measure::kRpo:
    case Measure::kWritesLost:
      for (const auto& loss : r.data_losses) {
        if (loss.writes_lost > 0) {
          parts.push_back(fmt::format("{} at {}: {}", loss.fault, format_duration(loss.time), loss.explanation));
        }
      }
      break;
    case Measure::kErrorRate:
    case Measure::kThroughput:
    case Measure::kAvailability:
    case Measure::kFailed: {
      if (!cls.empty()) {
        for (const auto& c : r.classes) {
          if (c.name != cls) continue;
          std::string reasons;
          for (int q = 0; q < model::kReasonCount; ++q) {
            if (auto n = c.failures[static_cast<std::size_t>(q)]) {
              reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ",
                                     model::reason_name(static_cast<model::FailReason>(q)), n);
            }
          }
          if (!reasons.empty()) parts.push_back(fmt::format("{} failed: {}", cls, reasons));
        }
      } else if (std::string f = failures_in(r, r.warmup, r.duration); !f.empty()) {
        parts.push_back("failed: " + f);
      }
      if (std::string f = faults_text(a); !f.empty()) parts.push_back("faults: " + f);
      double from = std::max(r.warmup, 0.0);
      if (auto sat = find_saturation(r, from, r.duration, first_fault)) parts.push_back(sat->text());
      break;
    }
    case Measure::kLatency: {
      if (std::string w = windows_above(r, v.expectation.value); !w.empty() && cls.empty()) parts.push_back(w);
      if (std::string q = queueing_tier(r); !q.empty()) parts.push_back(q);
      if (auto sat = find_saturation(r, r.warmup, r.duration, first_fault)) parts.push_back(sat->text());
      break;
    }
    case Measure::kTimeToScale:
    case Measure::kSaturation:
    case Measure::kFlaps:
      for (const auto& x : a.scaling) {
        parts.push_back(fmt::format("{}: {} scale events, {} flaps, peak {} of max {}, {} at max with the SLO breached, "
                                    "time to scale {}",
                                    x.component, x.scale_events, x.flaps, x.peak_replicas, x.max,
                                    format_duration(x.saturated_seconds),
                                    x.unreached         ? "target never reached"
                                    : x.time_to_scale ? format_duration(*x.time_to_scale)
                                                        : "-"));
      }
      break;
    case Measure::kHealthyAtEnd: {
      // Every instance that is not: "foundation-1: down since 3h2m (chaos): a restart is due after its back-off".
      std::vector<std::string> sick;
      for (const auto& c : r.components) {
        for (const auto& i : c.instance_stats) {
          if (!i.unhealthy.empty()) sick.push_back(i.name + ": " + i.unhealthy);
        }
      }
      constexpr std::size_t kShown = 8;
      for (std::size_t k = 0; k < std::min(sick.size(), kShown); ++k) parts.push_back(sick[k]);
      if (sick.size() > kShown) parts.push_back(fmt::format("and {} more instances", sick.size() - kShown));
      break;
    }
    case Measure::kUnexplainedRestarts:
      // Per component, then per instance and cause: "foundation: 7 restarts, 1 caused by faults, 6 not
      // (foundation-0: killed by its liveness probe while booting x6 from 40s)".
      for (const auto& c : r.components) {
        const model::RestartCounts n = c.restarts();
        if (n.unexplained() == 0) continue;
        std::string causes;
        for (const auto& i : c.instance_stats) {
          for (const auto& u : i.unexplained) {
            causes += fmt::format("{}{}: {} x{} from {}", causes.empty() ? "" : ", ", i.name, u.why, u.count,
                                  format_duration(u.first));
          }
        }
        parts.push_back(fmt::format("{}: {} ({})", c.name, n.text(), causes));
      }
      break;
    default: break;
  }
  (void)s;
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

}  // namespace

Assessment assess(const scenario::Scenario& s, const model::RunResult& r, const topology::Topology* t,
                  const AlertEvaluation* alerts) {
  Assessment a;
  a.recovery = summarize_recovery(s, r, t);
  a.scaling = summarize_scaling(s, r);
  if (t) {
    if (auto c = model::estimate_cost(*t, r)) a.cost_per_month = c->per_month;
  }
  for (const auto& e : s.expectations) {
    Verdict v;
    v.expectation = e;
    const MetricInfo* info = scenario::find_metric(e.metric);
    if (!info) {  // the loader only accepts registered metrics
      v.actual_text = "not measured (unknown metric)";
      a.verdicts.push_back(std::move(v));
      continue;
    }
    v.expected_text = fmt::format("{} {}", scenario::op_symbol(e.op), scenario::format_value(info->unit, e.value));
    if (!e.request_class.empty()) v.expected_text += fmt::format(" (class {})", e.request_class);
    v.actual = measure(s, r, a, *info, e.request_class, &v.note);
    if (v.actual) {
      v.actual_text = scenario::format_value(info->unit, *v.actual);
      v.pass = compare(e, *v.actual);
    } else {
      v.actual_text = "not measured (" + v.note + ")";
    }
    if (!v.pass) v.reason = reason_for(s, r, a, v, *info);
    a.verdicts.push_back(std::move(v));
  }
  if (!s.alert_rules.empty()) {
    a.incidents = incidents(s, r);
    if (alerts) a.alerts = *alerts;
    for (Verdict& v : judge_alerts(s, alerts, a.incidents)) a.verdicts.push_back(std::move(v));
  }
  std::vector<std::string> failing = a.failing();
  a.outcome = outcome_of(failing, s.expected_failure);
  a.outcome_detail = outcome_detail(a.outcome, failing, s.expected_failure);
  return a;
}

}  // namespace sim::check
