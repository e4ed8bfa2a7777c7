#include "sim/report/markdown.h"

#include <fmt/format.h>

#include "sim/check/autoscaling.h"
#include "sim/check/recovery.h"
#include "sim/core/units.h"

namespace sim::report {

using core::format_duration;
using core::format_ratio;

namespace {
std::string reasons_text(const model::ReasonCounts& c) {
  std::string out;
  for (int i = 0; i < model::kReasonCount; ++i) {
    if (!c[static_cast<std::size_t>(i)]) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", model::reason_name(static_cast<model::FailReason>(i)), c[static_cast<std::size_t>(i)]);
  }
  return out.empty() ? "none" : out;
}
}  // namespace

std::string run_markdown(const scenario::Scenario& s, const topology::Topology& t, const model::RunResult& r,
                         const std::vector<check::Verdict>& verdicts) {
  std::string md;
  bool passed = true;
  for (const auto& v : verdicts) passed = passed && v.pass;
  md += fmt::format("# {} — {}\n\n", s.name, verdicts.empty() ? "no expectations" : passed ? "PASS" : "FAIL");
  if (!s.description.empty()) md += s.description + "\n\n";
  md += fmt::format("Topology **{}** (`{}`), {} simulated (warmup {}), seed {}, metric window {}.\n\n", t.name,
                    s.topology_path, format_duration(r.duration), format_duration(r.warmup), r.seed,
                    format_duration(r.window));

  md += "## Headline\n\n| metric | value |\n|---|---|\n";
  md += fmt::format("| requests generated | {} |\n", r.generated);
  md += fmt::format("| completed / failed / in flight at end | {} / {} / {} |\n", r.completed, r.failed, r.in_flight);
  md += fmt::format("| conservation (generated = completed + failed + in flight) | {} |\n", r.conserved() ? "ok" : "VIOLATED");
  md += fmt::format("| throughput (after warmup) | {} |\n", core::format_rate(r.throughput));
  md += fmt::format("| error rate (after warmup) | {} |\n", format_ratio(r.error_rate));
  md += fmt::format("| latency p50 / p90 / p99 / p99.9 | {} / {} / {} / {} |\n", format_duration(r.latency.p50),
                    format_duration(r.latency.p90), format_duration(r.latency.p99), format_duration(r.latency.p999));
  md += fmt::format("| failures by reason | {} |\n\n", reasons_text(r.failures));

  if (!verdicts.empty()) {
    md += "## Expectations\n\n| expectation | expected | actual | verdict |\n|---|---|---|---|\n";
    for (const auto& v : verdicts) {
      md += fmt::format("| {} | {} | {} | {} |\n", v.expectation.metric, v.expected_text, v.actual_text,
                        v.pass ? "PASS" : "**FAIL**");
    }
    md += "\n";
  }

  md += "## Request classes\n\n| class | generated | completed | failed | p50 | p99 | failures |\n|---|---|---|---|---|---|---|\n";
  for (const auto& c : r.classes) {
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", c.name, c.generated, c.completed, c.failed,
                      format_duration(c.latency.p50), format_duration(c.latency.p99), reasons_text(c.failures));
  }
  md += "\n## Tiers\n\n| component | kind | instances | utilization | served | notes |\n|---|---|---|---|---|---|\n";
  for (const auto& c : r.components) {
    std::string notes;
    if (c.kind == "cache") notes = fmt::format("hit ratio {}", format_ratio(c.cache_hit_ratio));
    if (c.kind == "database") {
      notes = fmt::format("writes {}, connections max {}, refused {}, replication lag p99 {}", c.writes,
                          c.connections_max, c.connections_refused, format_duration(c.replication_lag_p99));
    }
    if (c.kind == "queue") {
      notes = fmt::format("jobs {}, retried {}, dead letters {}, depth max {}", c.jobs_done, c.jobs_retried,
                          c.dead_letters, c.queue_depth_max);
    }
    md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", c.name, c.kind, c.instances, format_ratio(c.utilization),
                      c.served, notes);
  }
  md += "\n";

  check::RecoverySummary rec = check::summarize_recovery(s, r, &t);
  if (!rec.faults.empty()) {
    auto opt = [](const std::optional<double>& v, const char* none) { return v ? format_duration(*v) : std::string(none); };
    md += "## Recovery\n\nMeasured: from the fault to the first window after which the success ratio stays at or above "
          + format_ratio(s.resilience.recovery_threshold) + " for " + format_duration(s.resilience.stabilization) +
          ". Predicted: from the configuration alone.\n\n";
    md += "| fault | at | class | RTO measured | RTO predicted | RPO measured | RPO predicted | writes lost | why |\n"
          "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& f : rec.faults) {
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", f.fault, format_duration(f.time),
                        f.predicted.disruption, f.rto ? format_duration(*f.rto) : "not recovered",
                        opt(f.predicted.rto, "until it ends"), format_duration(f.rpo), opt(f.predicted.rpo, "none"),
                        f.writes_lost, f.predicted.explanation);
    }
    md += "\n";
  }
  if (!rec.assessment.empty()) {
    md += "## Resilience assessment\n\n| disruption | RTO target | RPO target | worst measured | verdict |\n|---|---|---|---|---|\n";
    for (const auto& a : rec.assessment) {
      md += fmt::format("| {} | {} | {} | {} | {} |\n", a.disruption,
                        a.rto_target ? format_duration(*a.rto_target) : "-", a.rpo_target ? format_duration(*a.rpo_target) : "-",
                        a.detail, a.met ? "met" : "**breached**");
    }
    md += "\n";
  }
  for (const auto& l : r.data_losses) md += fmt::format("- data loss at {}: {}\n", format_duration(l.time), l.explanation);
  if (!r.data_losses.empty()) md += "\n";
  auto scaling = check::summarize_scaling(s, r);
  if (!scaling.empty()) {
    md += "## Autoscaling\n\n| service | range | peak | scale events | flaps | time to scale | at max with SLO breached | instance-hours |\n"
          "|---|---|---|---|---|---|---|---|\n";
    for (const auto& x : scaling) {
      md += fmt::format("| {} | {}..{} | {} | {} | {} | {} | {} | {:.2f} |\n", x.component, x.min, x.max, x.peak_replicas,
                        x.scale_events, x.flaps,
                        x.unreached ? "target never reached"
                                    : (x.time_to_scale ? format_duration(*x.time_to_scale) : std::string("-")),
                        format_duration(x.saturated_seconds), x.instance_hours);
    }
    md += "\n";
  }
  if (!r.timeline.empty()) {
    md += "## Timeline\n\n| time | event | target | detail |\n|---|---|---|---|\n";
    std::size_t shown = 0;
    for (const auto& e : r.timeline) {
      if (++shown > 200) {
        md += fmt::format("| … | {} more events in report.json | | |\n", r.timeline.size() - 200);
        break;
      }
      md += fmt::format("| {} | {} | {} | {} |\n", format_duration(e.time), e.kind, e.target, e.detail);
    }
    md += "\n";
  }
  return md;
}

}  // namespace sim::report
