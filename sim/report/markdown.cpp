#include "sim/report/markdown.h"

#include <fmt/format.h>

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

  check::RecoverySummary rec = check::summarize_recovery(s, r);
  if (!rec.faults.empty()) {
    md += "## Recovery\n\n| fault | at | measured RTO | RPO | writes lost |\n|---|---|---|---|---|\n";
    for (const auto& f : rec.faults) {
      md += fmt::format("| {} | {} | {} | {} | {} |\n", f.fault, format_duration(f.time),
                        f.rto ? format_duration(*f.rto) : "not recovered", format_duration(f.rpo), f.writes_lost);
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
