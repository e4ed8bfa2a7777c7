#include "sim/runs/run_one.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <fmt/format.h>

#include "sim/check/expectations.h"
#include "sim/core/exit_status.h"
#include "sim/core/log.h"
#include "sim/core/sha256.h"
#include "sim/core/units.h"
#include "sim/engine/engine.h"
#include "sim/model/arrivals.h"
#include "sim/report/console.h"
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
  // A declared failure is about the scenario as written, not with another fault in it.
  if (!req.extra_faults.empty()) loaded->scenario.expected_failure.reset();
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
  return req.out_dir.empty() ? default_out(s.name) : req.out_dir;
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

// Trace files a load profile reads.
void trace_files(const scenario::Profile& p, std::vector<std::string>* out) {
  if (p.kind == scenario::Profile::Kind::kTrace &&
      std::find(out->begin(), out->end(), p.trace.path) == out->end()) {
    out->push_back(p.trace.path);
  }
  for (const auto& c : p.children) trace_files(c, out);
}

report::InputFile input_file(const std::string& role, const std::string& path) {
  report::InputFile f{role, path, "", 0};
  if (auto h = core::sha256_file(path)) {
    f.sha256 = h->first;
    f.bytes = h->second;
  }
  return f;
}

}  // namespace

report::Provenance provenance_of(const RunRequest& req, const scenario::Scenario& s) {
  report::Provenance p;
  p.version = INFRASIM_VERSION;
  p.command = req.command.empty() ? "infrasim run " + req.scenario_path : req.command;
  p.seed = s.seed;
  p.seed_source = !req.seed_source.empty() ? req.seed_source : req.seed ? "--seed" : "scenario";
  p.topology_override = req.topology_override;
  for (const auto& o : req.overrides) p.overrides.push_back((o.topology ? "" : "scenario.") + o.path + "=" + o.value);
  for (const auto& f : req.extra_faults) {
    p.extra_faults.push_back(fmt::format("{} {} at {}{}", scenario::fault_kind_name(f.kind), f.target.text(),
                                         core::format_duration(f.at),
                                         f.length > 0 ? " for " + core::format_duration(f.length) : ""));
  }
  p.inputs.push_back(input_file("scenario", req.scenario_path));
  p.inputs.push_back(input_file("topology", s.topology_path));
  std::vector<std::string> traces;
  trace_files(s.load, &traces);
  for (const auto& t : traces) p.inputs.push_back(input_file("trace", t));
  return p;
}

namespace {

// --log-level info: the run's timeline, each event at its simulated time; debug: every metric
// window; trace: every tier in every window. Written after the run, to stderr.
double g_log_time = 0;
void log_run(const model::RunResult& r) {
  auto log = core::logger("run");
  if (!log->should_log(spdlog::level::info)) return;
  core::set_sim_clock([] { return g_log_time; });
  for (const auto& e : r.timeline) {
    g_log_time = e.time;
    log->info("{} {}{}", e.kind, e.target, e.detail.empty() ? "" : ": " + e.detail);
  }
  if (log->should_log(spdlog::level::debug)) {
    for (std::size_t i = 0; i < r.windows.size(); ++i) {
      const model::WindowStats& w = r.windows[i];
      g_log_time = w.start;
      log->debug("window: arrivals {}, completed {}, failed {}, success ratio {}, p99 {}", w.arrivals, w.completed,
                 w.failed, core::format_ratio(w.success_ratio()), core::format_duration(w.latency.p99));
      if (!log->should_log(spdlog::level::trace)) continue;
      for (const auto& c : r.components) {
        if (i >= c.series.size()) continue;
        const model::ComponentPoint& p = c.series[i];
        log->trace("{}: {} ready of {}, {} busy, queue {:.1f}, queue_full {}", c.name, p.ready, p.desired,
                   core::format_ratio(p.utilization), p.queue_mean, p.queue_full);
      }
    }
  }
  core::set_sim_clock(nullptr);
}

std::string summary_text(const report::RunReport& rep, const model::EngineStats& stats, const std::string& dir) {
  std::string out = fmt::format("scenario {} (topology {}, seed {}): {} simulated in {:.1f}s ({:.0f} requests/s)\n",
                                rep.scenario.name, rep.scenario.topology, rep.scenario.seed,
                                core::format_duration(rep.scenario.duration), stats.wall_seconds,
                                stats.wall_seconds > 0 ? static_cast<double>(rep.summary.generated) / stats.wall_seconds
                                                       : 0.0);
  return out + report::run_console(rep, dir);
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
  log_run(r);
  // Alerting rules are evaluated by the real Prometheus before the run is judged (sim/prometheus/alerts.h).
  std::optional<check::AlertEvaluation> alerts;
  if (!s.alert_rules.empty()) alerts = prometheus::evaluate_alerts(s, r, req.start);
  check::Assessment assessment = check::assess(s, r, &t, alerts ? &*alerts : nullptr);
  report::RunReport rep = report::build_run_report(s, t, r, assessment);
  rep.provenance = provenance_of(req, s);
  if (!req.openmetrics.empty()) {  // `run` checked its folder before anything ran
    if (std::string om_err = write_file(req.openmetrics, report::openmetrics_text(r, req.start)); !om_err.empty()) {
      std::fprintf(stderr, "internal error: %s; the run finished but --openmetrics could not be written\n",
                   om_err.c_str());
      return core::kInternal;
    }
  }
  // report.json last: its presence means a complete run (merge, --resume); each file is atomic.
  std::string err = write_files(dir, {{"report.md", report::run_markdown(rep, s)},
                                      {"report.html", report::run_html(rep, report::topology_svg(t, &s) +
                                                                                report::topology_paths_html(t))},
                                      {"report.json", report::dump(report::to_json(rep))}});
  if (!err.empty()) {
    std::fprintf(stderr, "internal error: %s; the run finished but its reports are incomplete\n", err.c_str());
    return core::kInternal;
  }
  if (req.summary) {
    // One write: the summaries of runs in parallel children do not interleave line by line.
    std::string text = summary_text(rep, outcome.stats, dir);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
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
  // A scenario that fails exactly as it declares is what it asks for.
  return check::outcome_ok(assessment.outcome) ? core::kOk : core::kChecksFailed;
}

}  // namespace sim::runs
