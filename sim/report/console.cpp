#include "sim/report/console.h"

#include <fmt/format.h>

#include "sim/core/source.h"
#include "sim/core/units.h"

namespace sim::report {

using core::format_duration;

std::string outcome_word(const std::string& outcome) {
  if (outcome == "pass") return "PASS";
  if (outcome == "expected failure") return "FAILED AS DECLARED";
  if (outcome == "unexpected pass") return "UNEXPECTED PASS";
  if (outcome == "failed otherwise") return "FAILED OTHERWISE";
  return "FAIL";
}

namespace {

std::string rto_text(const std::optional<double>& rto) { return rto ? format_duration(*rto) : "not recovered"; }

}  // namespace

std::string run_console(const RunReport& rep, const std::string& dir) {
  const Totals& sum = rep.summary;
  std::string reasons;
  for (const auto& [reason, n] : sum.failures) reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", reason, n);
  std::string out;
  out += fmt::format("  requests {}: completed {}, failed {}{}, in flight {}; conservation {}\n", sum.generated,
                     sum.completed, sum.failed, reasons.empty() ? "" : " (" + reasons + ")", sum.in_flight,
                     sum.conservation.ok ? "ok" : "VIOLATED");
  out += fmt::format("  throughput {}, error rate {}, latency p50 {} p95 {} p99 {} p99.9 {}\n",
                     core::format_rate(sum.throughput), core::format_ratio(sum.error_rate),
                     format_duration(sum.latency.p50), format_duration(sum.latency.p95),
                     format_duration(sum.latency.p99), format_duration(sum.latency.p999));
  if (rep.alerts) {
    const AlertsSection& al = *rep.alerts;
    out += fmt::format("  alerts: {} rule(s) from {}, evaluated by Prometheus every {}{}\n", al.rules.size(),
                       al.rules_file, format_duration(al.step), al.error.empty() ? "" : "; not evaluated: " + al.error);
    for (const auto& x : al.rules) {
      std::string what;
      for (const auto& f : x.faults) {
        what += fmt::format("{}{} {}", what.empty() ? "" : ", ", f.fault,
                            f.time_to_detect ? "detected after " + format_duration(*f.time_to_detect)
                                             : std::string("missed"));
      }
      if (x.false_alarms) what += fmt::format("{}{} firing(s) with no fault", what.empty() ? "" : ", ", x.false_alarms);
      out += fmt::format("    {} (for {}): {}\n", x.name, format_duration(x.hold),
                         what.empty() ? (x.firings.empty() ? "never fired" : "fired") : what);
    }
  }
  for (const auto& e : rep.expectations) {
    out += fmt::format("  expected {} {}, actual {}: {}\n", e.metric, e.expected, e.actual, e.pass ? "PASS" : "FAIL");
    if (!e.pass && !e.reason.empty()) out += fmt::format("    why: {}\n", e.reason);
  }
  for (const auto& f : rep.recovery) {
    std::string line = fmt::format("  recovery of {} at {}: RTO {}", f.fault, format_duration(f.time), rto_text(f.rto));
    if (f.predicted_rto) line += fmt::format(" (predicted {})", format_duration(*f.predicted_rto));
    for (const auto& c : rep.classes) {
      if (!c.write) continue;
      for (const auto& rc : f.classes) {
        if (rc.request_class == c.name) line += fmt::format(", writes ({}) {}", c.name, rto_text(rc.rto));
      }
    }
    if (f.writes_lost > 0) line += fmt::format(", RPO {} ({} writes lost)", format_duration(f.rpo), f.writes_lost);
    out += line + "\n";
    if (!f.why.empty()) out += fmt::format("    why: {}\n", f.why);
  }
  for (const auto& a : rep.resilience) {
    out += fmt::format("  resilience {}: {}; {}: {}\n", a.disruption, a.expected, a.detail,
                       a.verdict() == "breached" ? "BREACHED" : a.verdict());
    if (!a.met && !a.why.empty()) out += fmt::format("    why: {}\n", a.why);
  }
  if (rep.expected_failure) {
    out += fmt::format("  outcome: {}: declared to fail {} because {}{}\n", outcome_word(rep.outcome),
                       core::join(rep.expected_failure->fails), rep.expected_failure->reason,
                       rep.outcome_detail.empty() ? "" : "; " + rep.outcome_detail);
  }
  out += fmt::format("  reports: {}/report.json, {}/report.md, {}/report.html\n", dir, dir, dir);
  return out;
}

void Tally::add(const std::string& outcome) {
  if (outcome == "pass") {
    ++passed;
  } else if (outcome == "expected failure") {
    ++expected_failures;
  } else if (outcome == "unexpected pass" || outcome == "failed otherwise") {
    ++unexpected;
  } else {
    ++failed;
  }
}

std::string tally_line(const std::string& command, const std::string& unit, const Tally& t, int exit_code,
                       double wall_seconds) {
  std::string parts = fmt::format("{} passed", t.passed);
  if (t.expected_failures) parts += fmt::format(", {} failed as declared", t.expected_failures);
  parts += fmt::format(", {} failed", t.failed + t.unexpected);
  if (t.unexpected) parts += fmt::format(" ({} not as declared)", t.unexpected);
  parts += fmt::format(", {} error{}", t.errors, t.errors == 1 ? "" : "s");
  return fmt::format("infrasim {}: {} {}{}: {}; exit {} ({:.1f}s)\n", command, t.total(), unit,
                     t.total() == 1 ? "" : "s", parts, exit_code, wall_seconds);
}

}  // namespace sim::report
