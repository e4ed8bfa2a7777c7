#include "sim/report/markdown.h"

#include <fmt/format.h>

#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/report/console.h"

namespace sim::report {

using core::format_duration;
using core::format_ratio;

namespace {

std::string reasons_text(const ReasonRows& rows) {
  std::string out;
  for (const auto& [reason, n] : rows) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", reason, n);
  return out.empty() ? "none" : out;
}

std::string duration_or(const std::optional<double>& v, const char* none) {
  return v ? format_duration(*v) : std::string(none);
}

}  // namespace

std::string cost_markdown(const model::CostEstimate& c) {
  std::string md = fmt::format("## Cost per month: {:.2f} {}\n\n", c.per_month, c.currency);
  md += fmt::format("This run's usage scaled to a month of {} hours, priced with `{}` ({}; prices of {}: {}).\n\n",
                    core::format_number(c.hours_per_month), c.pricing_file, c.pricing, c.date, c.source);
  md += fmt::format("| component | item | detail | quantity per month | unit price ({}) | per month ({}) |\n"
                    "|---|---|---|---|---|---|\n",
                    c.currency, c.currency);
  for (const auto& l : c.lines) {
    md += fmt::format("| {} | {} | {} | {} {} | {} | {:.2f} |\n", l.component.empty() ? "-" : l.component, l.item,
                      l.detail, core::format_number(l.quantity, 6), l.unit, core::format_number(l.unit_price, 6),
                      l.per_month);
  }
  md += fmt::format("| **total** | | | | | **{:.2f}** |\n\n", c.per_month);
  return md;
}

std::string alerts_markdown(const AlertsSection& al) {
  std::string md = fmt::format("## Alerts\n\nRules `{}`, evaluated by Prometheus every {} (`query_range`; `for:` per "
                               "label set). Time to detect: from the fault to the alert firing.\n\n",
                               al.rules_file, format_duration(al.step));
  if (!al.error.empty()) return md + fmt::format("Not evaluated: {}\n\n", al.error);
  md += "| alert | for | fault | time to detect | firings with no fault |\n|---|---|---|---|---|\n";
  for (const auto& x : al.rules) {
    if (x.faults.empty()) {
      md += fmt::format("| {} | {} | (no fault) | - | {} |\n", x.name, format_duration(x.hold), x.false_alarms);
    }
    for (const auto& f : x.faults) {
      md += fmt::format("| {} | {} | {} at {} | {} | {} |\n", x.name, format_duration(x.hold), f.fault,
                        format_duration(f.at), duration_or(f.time_to_detect, "**missed**"), x.false_alarms);
    }
  }
  md += "\n";
  for (const auto& x : al.rules) {
    for (const auto& f : x.firings) {
      md += fmt::format("- {} {}: pending {}, fired {}, {}; {}\n", x.name, f.labels, format_duration(f.pending_at),
                        format_duration(f.fired_at),
                        f.resolved_at ? "resolved " + format_duration(*f.resolved_at) : std::string("firing at the end"),
                        f.fault.empty() ? std::string("no fault") : f.fault);
    }
  }
  return md + "\n";
}

std::string run_markdown(const RunReport& rep, const scenario::Scenario& s) {
  const ScenarioInfo& sc = rep.scenario;
  const Totals& sum = rep.summary;
  std::string md;
  bool checks = !rep.expectations.empty() || !rep.resilience.empty();
  md += fmt::format("# {} — {}\n\n", sc.name, checks ? outcome_word(rep.outcome) : "no expectations");
  if (!sc.description.empty()) md += sc.description + "\n\n";
  md += fmt::format("Topology **{}** (`{}`), {} simulated (warmup {}), seed {}, metric window {}.\n\n", sc.topology,
                    sc.topology_file, format_duration(sc.duration), format_duration(sc.warmup), sc.seed,
                    format_duration(sc.window));
  if (rep.expected_failure) {
    md += fmt::format("**Declared to fail** ({}): {}. Outcome: **{}**{}.\n\n", core::join(rep.expected_failure->fails),
                      rep.expected_failure->reason, outcome_word(rep.outcome),
                      rep.outcome_detail.empty() ? "" : " — " + rep.outcome_detail);
  }

  md += "## Headline\n\n| metric | value |\n|---|---|\n";
  md += fmt::format("| requests generated | {} |\n", sum.generated);
  md += fmt::format("| completed / failed / in flight at end | {} / {} / {} |\n", sum.completed, sum.failed, sum.in_flight);
  md += fmt::format("| conservation (generated = completed + failed + in flight) | {} |\n",
                    sum.conservation.ok ? "ok" : "VIOLATED");
  md += fmt::format("| throughput (after warmup) | {} |\n", core::format_rate(sum.throughput));
  md += fmt::format("| error rate (after warmup) | {} |\n", format_ratio(sum.error_rate));
  md += fmt::format("| latency p50 / p90 / p95 / p99 / p99.9 | {} / {} / {} / {} / {} |\n",
                    format_duration(sum.latency.p50), format_duration(sum.latency.p90), format_duration(sum.latency.p95),
                    format_duration(sum.latency.p99), format_duration(sum.latency.p999));
  md += fmt::format("| failures by reason | {} |\n\n", reasons_text(sum.failures));

  if (!rep.expectations.empty()) {
    md += "## Expectations\n\n| expectation | expected | actual | verdict | why |\n|---|---|---|---|---|\n";
    for (const auto& e : rep.expectations) {
      md += fmt::format("| {} | {} | {} | {} | {} |\n", e.id(), e.expected, e.actual, e.pass ? "PASS" : "**FAIL**",
                        e.pass ? "" : e.reason);
    }
    md += "\n";
  }

  md += "## Request classes\n\nError rate after warmup; availability: share of windows at or above the recovery "
        "threshold; RTO: the worst fault's, on the class's own success ratio.\n\n"
        "| class | generated | completed | failed | error rate | availability | RTO | p50 | p95 | p99 | failures |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : rep.classes) {
    md += fmt::format("| {}{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.name, c.write ? " (writes)" : "",
                      c.generated, c.completed, c.failed, format_ratio(c.error_rate),
                      c.availability ? format_ratio(*c.availability) : "-",
                      c.unrecovered ? "not recovered" : duration_or(c.rto, "-"), format_duration(c.latency.p50),
                      format_duration(c.latency.p95), format_duration(c.latency.p99), reasons_text(c.failures));
  }
  md += "\n## Tiers\n\n| component | kind | instances | utilization | served | notes |\n|---|---|---|---|---|---|\n";
  for (const auto& c : rep.components) {
    std::string notes;
    if (c.kind == "cache") notes = fmt::format("hit ratio {}", format_ratio(c.hit_ratio));
    if (c.kind == "database") {
      notes = fmt::format("writes {}, connections max {}, refused {}, replication lag p99 {}", c.writes,
                          c.connections_max, c.connections_refused, format_duration(c.lag_p99));
    }
    if (c.kind == "queue") {
      notes = fmt::format("jobs {}, retried {}, dead letters {}, depth max {}", c.jobs_done, c.jobs_retried,
                          c.dead_letters, c.depth_max);
    }
    if (c.queue_full > 0) notes += fmt::format("{}queue_full {}", notes.empty() ? "" : ", ", c.queue_full);
    if (c.retries > 0 || c.ejections > 0) {
      notes += fmt::format("{}retries {}, ejections {}", notes.empty() ? "" : ", ", c.retries, c.ejections);
    }
    if (c.restarts) notes += (notes.empty() ? "" : ", ") + c.restarts->text();
    md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", c.name, c.kind, c.instances, format_ratio(c.utilization),
                      c.served, notes);
  }
  md += "\n";
  if (!rep.clients.empty()) {
    md += "## Clients\n\n| group | clients | generated | completed | failed | rate limited | most active client: "
          "generated / rate limited |\n|---|---|---|---|---|---|---|\n";
    for (const auto& g : rep.clients) {
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} / {} |\n", g.name, g.clients, g.generated, g.completed,
                        g.failed, g.rate_limited, g.top_client_generated, g.top_client_rate_limited);
    }
    md += "\n";
  }
  if (rep.cost) md += cost_markdown(*rep.cost);

  if (!rep.recovery.empty()) {
    md += "## Recovery\n\nMeasured: from the fault to the first window after which the success ratio stays at or above "
          + format_ratio(s.resilience.recovery_threshold) + " for " + format_duration(s.resilience.stabilization) +
          ". Predicted: from the configuration alone.\n\n";
    md += "| fault | at | class | RTO measured | RTO predicted | RTO per request class | RPO measured | RPO predicted | "
          "writes lost | prediction |\n|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& f : rep.recovery) {
      std::string per_class;
      for (const auto& c : f.classes) {
        per_class += fmt::format("{}{} {}", per_class.empty() ? "" : ", ", c.request_class, duration_or(c.rto, "not recovered"));
      }
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", f.fault, format_duration(f.time),
                        f.disruption, duration_or(f.rto, "not recovered"), duration_or(f.predicted_rto, "until it ends"),
                        per_class.empty() ? "-" : per_class, format_duration(f.rpo), duration_or(f.predicted_rpo, "none"),
                        f.writes_lost, f.prediction);
    }
    md += "\n";
    for (const auto& f : rep.recovery) {
      if (!f.why.empty()) md += fmt::format("- **{}** at {}: {}\n", f.fault, format_duration(f.time), f.why);
    }
    md += "\n";
  }
  if (!rep.resilience.empty()) {
    md += "## Resilience assessment\n\n| disruption | targets | worst measured | verdict | why |\n|---|---|---|---|---|\n";
    for (const auto& a : rep.resilience) {
      std::string v = a.verdict();
      md += fmt::format("| {} | {} | {} | {} | {} |\n", a.disruption, a.expected, a.detail,
                        v == "breached" ? "**breached**" : v, a.met ? "" : a.why);
    }
    md += "\n";
  }
  for (const auto& l : rep.data_losses) md += fmt::format("- data loss at {}: {}\n", format_duration(l.time), l.explanation);
  if (!rep.data_losses.empty()) md += "\n";
  if (!rep.autoscaling.empty()) {
    md += "## Autoscaling\n\n| service | range | peak | scale events | flaps | time to scale | at max with SLO breached | instance-hours |\n"
          "|---|---|---|---|---|---|---|---|\n";
    for (const auto& x : rep.autoscaling) {
      md += fmt::format("| {} | {}..{} | {} | {} | {} | {} | {} | {:.2f} |\n", x.component, x.min, x.max, x.peak_replicas,
                        x.scale_events, x.flaps,
                        x.unreached ? "target never reached" : duration_or(x.time_to_scale, "-"),
                        format_duration(x.saturated_seconds), x.instance_hours);
    }
    md += "\n";
  }
  if (rep.alerts) md += alerts_markdown(*rep.alerts);
  if (!rep.timeline.empty()) {
    md += "## Timeline\n\n| time | event | target | detail |\n|---|---|---|---|\n";
    std::size_t shown = 0;
    for (const auto& e : rep.timeline) {
      if (++shown > 200) {
        md += fmt::format("| … | {} more events in report.json | | |\n", rep.timeline.size() - 200);
        break;
      }
      md += fmt::format("| {} | {} | {} | {} |\n", format_duration(e.time), e.kind, e.target, e.detail);
    }
    md += "\n";
  }
  const Provenance& p = rep.provenance;
  if (!p.version.empty()) {
    md += "## Provenance\n\n";
    md += fmt::format("- infrasim {}; command: `{}`\n", p.version, p.command);
    md += fmt::format("- seed {} ({})\n", p.seed, p.seed_source);
    if (!p.topology_override.empty()) md += fmt::format("- topology replaced by `{}`\n", p.topology_override);
    for (const auto& o : p.overrides) md += fmt::format("- override `{}`\n", o);
    for (const auto& f : p.extra_faults) md += fmt::format("- added fault: {}\n", f);
    for (const auto& f : p.inputs) {
      md += fmt::format("- {} `{}`: {} bytes, sha256 `{}`\n", f.role, f.path, f.bytes, f.sha256.empty() ? "unreadable" : f.sha256);
    }
    md += "\n";
  }
  return md;
}

}  // namespace sim::report
