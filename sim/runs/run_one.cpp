#include "sim/runs/run_one.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <fmt/format.h>

#include "sim/check/expectations.h"
#include "sim/core/exit_status.h"
#include "sim/core/units.h"
#include "sim/engine/engine.h"
#include "sim/model/arrivals.h"
#include "sim/report/html.h"
#include "sim/report/markdown.h"
#include "sim/prometheus/alerts.h"
#include "sim/report/openmetrics.h"
#include "sim/report/run_report.h"
#include "sim/runs/output.h"
#include "sim/runs/progress.h"
#include "sim/scenario/profile.h"
#include "sim/scenario/selectors.h"

namespace sim::runs {

namespace fs = std::filesystem;

namespace {

// The scenario of `req` as it will run (seed, extra faults, name suffix applied),
// with its arrival stream: building it reads the traces, so a bad trace is bad input too.
std::optional<scenario::Loaded> load_request(const RunRequest& req, core::Diagnostics& diags,
                                             std::unique_ptr<model::ArrivalStream>* arrivals) {
  auto loaded = scenario::load_scenario(req.scenario_path, diags, req.topology_override, req.overrides);
  if (!loaded) return std::nullopt;
  if (req.seed) loaded->scenario.seed = *req.seed;
  for (const auto& f : req.extra_faults) loaded->scenario.faults.push_back(f);
  loaded->scenario.name += req.name_suffix;
  // Chaos Mesh selector modes choose their instances with the run's seed (scenario/selectors.h).
  scenario::apply_selectors(&loaded->scenario, loaded->topology, diags);
  const scenario::Scenario& s = loaded->scenario;
  core::Diagnostics adiags;
  *arrivals = model::make_arrivals(s.load, loaded->topology, s.duration,
                                   core::RngStreams(s.seed).stream("arrivals"), adiags);
  if (!*arrivals) {
    diags.merge(adiags);
    return std::nullopt;
  }
  return loaded;
}

}  // namespace

std::optional<scenario::Loaded> load_checked(const RunRequest& req, core::Diagnostics& diags) {
  std::unique_ptr<model::ArrivalStream> arrivals;
  return load_request(req, diags, &arrivals);
}

std::optional<std::vector<scenario::Loaded>> load_all(const std::vector<RunRequest>& reqs) {
  core::Diagnostics diags;
  std::vector<scenario::Loaded> loaded;
  for (const auto& r : reqs) {
    if (auto l = load_checked(r, diags)) loaded.push_back(std::move(*l));
  }
  if (diags.has_errors() || loaded.size() != reqs.size()) {
    std::fputs(diags.format().c_str(), stderr);
    return std::nullopt;
  }
  return loaded;
}

std::string report_dir(const RunRequest& req, const scenario::Scenario& s) {
  return req.out_dir.empty() ? (fs::path("reports") / s.name).string() : req.out_dir;
}

namespace {

// INFRASIM_TEST_RUN_HOOK (run_one.h): -1 when it does not apply to `dir`.
int test_hook(const std::string& dir) {
  const char* hook = std::getenv("INFRASIM_TEST_RUN_HOOK");
  if (!hook) return -1;
  std::string spec = hook;
  auto colon = spec.rfind(':');
  std::string text = spec.substr(0, colon), action = colon == std::string::npos ? "crash" : spec.substr(colon + 1);
  if (text.empty() || dir.find(text) == std::string::npos) return -1;
  if (action == "kill") std::raise(SIGKILL);
  if (action == "hang") {
    for (;;) pause();
  }
  std::fprintf(stderr, "internal error: injected crash (INFRASIM_TEST_RUN_HOOK) in %s\n", dir.c_str());
  return core::kInternal;
}

void print_summary(const report::RunReport& rep, const model::EngineStats& stats, const std::string& dir) {
  const report::Totals& sum = rep.summary;
  std::string reasons;
  for (const auto& [reason, n] : sum.failures) reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", reason, n);
  fmt::print("scenario {} (topology {}, seed {}): {} simulated in {:.1f}s ({:.0f} requests/s)\n", rep.scenario.name,
             rep.scenario.topology, rep.scenario.seed, core::format_duration(rep.scenario.duration), stats.wall_seconds,
             stats.wall_seconds > 0 ? static_cast<double>(sum.generated) / stats.wall_seconds : 0.0);
  fmt::print("  requests {}: completed {}, failed {}{}, in flight {}; conservation {}\n", sum.generated, sum.completed,
             sum.failed, reasons.empty() ? "" : " (" + reasons + ")", sum.in_flight,
             sum.conservation.ok ? "ok" : "VIOLATED");
  fmt::print("  throughput {}, error rate {}, latency p50 {} p99 {} p99.9 {}\n", core::format_rate(sum.throughput),
             core::format_ratio(sum.error_rate), core::format_duration(sum.latency.p50),
             core::format_duration(sum.latency.p99), core::format_duration(sum.latency.p999));
  if (rep.alerts) {
    const report::AlertsSection& al = *rep.alerts;
    fmt::print("  alerts: {} rule(s) from {}, evaluated by Prometheus every {}{}\n", al.rules.size(), al.rules_file,
               core::format_duration(al.step), al.error.empty() ? "" : "; not evaluated: " + al.error);
    for (const auto& x : al.rules) {
      std::string what;
      for (const auto& f : x.faults) {
        what += fmt::format("{}{} {}", what.empty() ? "" : ", ", f.fault,
                            f.time_to_detect ? "detected after " + core::format_duration(*f.time_to_detect)
                                             : std::string("missed"));
      }
      if (x.false_alarms) what += fmt::format("{}{} firing(s) with no fault", what.empty() ? "" : ", ", x.false_alarms);
      fmt::print("    {} (for {}): {}\n", x.name, core::format_duration(x.hold),
                 what.empty() ? (x.firings.empty() ? "never fired" : "fired") : what);
    }
  }
  for (const auto& e : rep.expectations) {
    fmt::print("  expected {} {}, actual {}: {}\n", e.metric, e.expected, e.actual, e.pass ? "PASS" : "FAIL");
  }
  fmt::print("  reports: {}/report.json, {}/report.md, {}/report.html\n", dir, dir, dir);
}

}  // namespace

int run_one(const RunRequest& req) {
  core::Diagnostics diags;
  std::unique_ptr<model::ArrivalStream> arrivals;  // built once: a trace is read (and decompressed) here only
  auto loaded = load_request(req, diags, &arrivals);
  if (!loaded) {
    std::fputs(diags.format().c_str(), stderr);
    return core::kBadInput;
  }
  const scenario::Scenario& s = loaded->scenario;
  const topology::Topology& t = loaded->topology;
  if (!diags.all().empty()) std::fputs(diags.format().c_str(), stderr);  // warnings
  // A long run is allowed, but say what it will cost.
  if (double peak = scenario::peak_rate(s.load); peak * s.duration > 5e8 && req.max_events == 0) {
    std::fprintf(stderr,
                 "%s: note: up to %.3g requests to simulate (about %s at 100k requests/s); --max-events or --max-wall "
                 "bound a run\n",
                 req.scenario_path.c_str(), peak * s.duration, core::format_duration(peak * s.duration / 1e5).c_str());
  }
  std::string dir = report_dir(req, s);
  if (std::string err = prepare_dir(dir); !err.empty()) {
    std::fprintf(stderr, "%s; expected a writable directory (--out)\n", err.c_str());
    return core::kBadInput;
  }
  if (int hooked = test_hook(dir); hooked >= 0) return hooked;
  engine::RunOptions opts;
  opts.max_wall_seconds = req.max_wall;
  opts.max_events = req.max_events;
  opts.cpu = req.cpu_model == "simgrid" ? engine::CpuMode::kSimGrid : engine::CpuMode::kKernel;
  opts.wake = req.wake == "per-event" ? engine::WakeRule::kPerEvent : engine::WakeRule::kBatched;
  opts.progress = run_progress(s.name, req.progress);
  engine::RunOutcome outcome;
  try {
    outcome = engine::run(s, t, std::move(arrivals), opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n  reproduce with: infrasim run %s --seed %llu\n", e.what(),
                 req.scenario_path.c_str(), static_cast<unsigned long long>(s.seed));
    return core::kInternal;
  }
  if (opts.progress) clear_progress_line();
  if (outcome.aborted) {
    std::fprintf(stderr, "%s: run stopped: %s; no report written\n", req.scenario_path.c_str(),
                 outcome.abort_reason.c_str());
    return outcome.abort_reason.find("--max-") != std::string::npos ? core::kChecksFailed : core::kBadInput;
  }
  const model::RunResult& r = outcome.result;
  // Alerting rules are evaluated by the real Prometheus before the run is judged (sim/prometheus/alerts.h).
  std::optional<check::AlertEvaluation> alerts;
  if (!s.alert_rules.empty()) alerts = prometheus::evaluate_alerts(s, r, req.start);
  check::Assessment assessment = check::assess(s, r, &t, alerts ? &*alerts : nullptr);
  report::RunReport rep = report::build_run_report(s, t, r, assessment);
  if (!req.openmetrics.empty()) {  // `run` checked its folder before anything ran
    if (std::string om_err = write_file(req.openmetrics, report::openmetrics_text(r, req.start)); !om_err.empty()) {
      std::fprintf(stderr, "internal error: %s; the run finished but --openmetrics could not be written\n",
                   om_err.c_str());
      return core::kInternal;
    }
  }
  // report.json last: its presence means a complete run (merge, --resume); each file is atomic.
  std::string err = write_files(dir, {{"report.md", report::run_markdown(rep, s)},
                                      {"report.html", report::run_html(rep, report::topology_svg(t) +
                                                                                report::topology_paths_html(t))},
                                      {"report.json", report::dump(report::to_json(rep))}});
  if (!err.empty()) {
    std::fprintf(stderr, "internal error: %s; the run finished but its reports are incomplete\n", err.c_str());
    return core::kInternal;
  }
  if (req.summary) print_summary(rep, outcome.stats, dir);
  if (req.stats) {
    const model::EngineStats& es = outcome.stats;
    const double n = r.generated ? static_cast<double>(r.generated) : 1.0;
    fmt::print("engine: {} requests, {} SimGrid activities ({:.2f} per request), {} actors, {} kernel events "
               "({:.2f} per request), {} kernel wakes, peak RSS {:.1f} MiB, wall {:.3f}s\n",
               r.generated, es.activities, static_cast<double>(es.activities) / n, es.actors, es.kernel_events,
               static_cast<double>(es.kernel_events) / n, es.kernel_wakes, static_cast<double>(es.peak_rss_kb) / 1024.0,
               es.wall_seconds);
  }
  if (!r.conserved()) {
    std::fprintf(stderr, "internal error: request conservation violated (%llu generated, %llu accounted)\n",
                 static_cast<unsigned long long>(r.generated),
                 static_cast<unsigned long long>(r.completed + r.failed + r.in_flight));
    return core::kInternal;
  }
  return assessment.passed() ? core::kOk : core::kChecksFailed;
}

}  // namespace sim::runs
