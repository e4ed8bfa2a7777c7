#include "sim/cli/run_one.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "sim/check/expectations.h"
#include "sim/cli/child.h"
#include "sim/core/exit_status.h"
#include "sim/core/units.h"
#include "sim/engine/engine.h"
#include "sim/model/arrivals.h"
#include "sim/report/html.h"
#include "sim/report/json.h"
#include "sim/report/markdown.h"
#include "sim/prometheus/alerts.h"
#include "sim/report/openmetrics.h"
#include "sim/scenario/profile.h"

namespace sim::cli {

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

std::string report_dir(const RunRequest& req, const scenario::Scenario& s) {
  return req.out_dir.empty() ? (fs::path("reports") / s.name).string() : req.out_dir;
}

namespace {

bool write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

void print_summary(const scenario::Scenario& s, const topology::Topology& t, const model::RunResult& r,
                   const model::EngineStats& stats, const std::vector<check::Verdict>& verdicts,
                   const std::string& dir) {
  std::string reasons;
  for (int i = 0; i < model::kReasonCount; ++i) {
    auto n = r.failures[static_cast<std::size_t>(i)];
    if (n) reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", model::reason_name(static_cast<model::FailReason>(i)), n);
  }
  fmt::print("scenario {} (topology {}, seed {}): {} simulated in {:.1f}s ({:.0f} requests/s)\n", s.name, t.name,
             r.seed, core::format_duration(r.duration), stats.wall_seconds,
             stats.wall_seconds > 0 ? static_cast<double>(r.generated) / stats.wall_seconds : 0.0);
  fmt::print("  requests {}: completed {}, failed {}{}, in flight {}; conservation {}\n", r.generated, r.completed,
             r.failed, reasons.empty() ? "" : " (" + reasons + ")", r.in_flight, r.conserved() ? "ok" : "VIOLATED");
  fmt::print("  throughput {}, error rate {}, latency p50 {} p99 {} p99.9 {}\n", core::format_rate(r.throughput),
             core::format_ratio(r.error_rate), core::format_duration(r.latency.p50),
             core::format_duration(r.latency.p99), core::format_duration(r.latency.p999));
  for (const auto& v : verdicts) fmt::print("  {}\n", v.line());
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
  engine::RunOptions opts;
  opts.max_wall_seconds = req.max_wall;
  opts.max_events = req.max_events;
  if (req.progress && stderr_is_tty()) {
    opts.progress = [&](double now, double duration) {
      int pct = static_cast<int>(100 * now / duration);
      int bar = pct / 4;
      std::fprintf(stderr, "\r%s [%-25s] %3d%%  %s of %s", s.name.c_str(), std::string(static_cast<std::size_t>(bar), '=').c_str(), pct,
                   core::format_duration(now).c_str(), core::format_duration(duration).c_str());
      std::fflush(stderr);
    };
  }
  engine::RunOutcome outcome;
  try {
    outcome = engine::run(s, t, std::move(arrivals), opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n  reproduce with: infrasim run %s --seed %llu\n", e.what(),
                 req.scenario_path.c_str(), static_cast<unsigned long long>(s.seed));
    return core::kInternal;
  }
  if (opts.progress) std::fprintf(stderr, "\r\033[K");
  if (outcome.aborted) {
    std::fprintf(stderr, "%s: run stopped: %s; no report written\n", req.scenario_path.c_str(),
                 outcome.abort_reason.c_str());
    return outcome.abort_reason.find("--max-") != std::string::npos ? core::kChecksFailed : core::kBadInput;
  }
  const model::RunResult& r = outcome.result;
  std::vector<check::Verdict> verdicts = check::judge(s, r);
  std::string dir = report_dir(req, s);
  std::error_code ec;
  fs::create_directories(dir, ec);
  report::Json j = report::run_json(s, t, r, verdicts);
  if (ec || !write_file(fs::path(dir) / "report.json", report::dump(j)) ||
      !write_file(fs::path(dir) / "report.md", report::run_markdown(s, t, r, verdicts)) ||
      !write_file(fs::path(dir) / "report.html",
                  report::run_html(j, report::topology_svg(t) + report::topology_paths_html(t)))) {
    std::fprintf(stderr, "%s: cannot write reports; expected a writable directory\n", dir.c_str());
    return core::kBadInput;
  }
  if (!req.openmetrics.empty() && !write_file(req.openmetrics, report::openmetrics_text(r, req.start))) {
    std::fprintf(stderr, "%s: cannot write --openmetrics; expected a writable path\n", req.openmetrics.c_str());
    return core::kBadInput;
  }
  if (req.summary) print_summary(s, t, r, outcome.stats, verdicts, dir);
  if (req.stats) {
    const model::EngineStats& es = outcome.stats;
    fmt::print("engine: {} requests, {} SimGrid activities ({:.2f} per request), {} actors, peak RSS {:.1f} MiB, "
               "wall {:.3f}s\n",
               r.generated, es.activities,
               r.generated ? static_cast<double>(es.activities) / static_cast<double>(r.generated) : 0.0, es.actors,
               static_cast<double>(es.peak_rss_kb) / 1024.0, es.wall_seconds);
  }
  if (!r.conserved()) {
    std::fprintf(stderr, "internal error: request conservation violated (%llu generated, %llu accounted)\n",
                 static_cast<unsigned long long>(r.generated),
                 static_cast<unsigned long long>(r.completed + r.failed + r.in_flight));
    return core::kInternal;
  }
  bool pass = true;
  for (const auto& v : verdicts) pass = pass && v.pass;
  if (!s.alert_rules.empty()) {  // alerting rules, evaluated by the real Prometheus (sim/prometheus/alerts.h)
    bool alerts_pass = true;
    std::string text = prometheus::run_alerts(s, r, dir, req.start, &alerts_pass);
    if (req.summary) std::fputs(text.c_str(), stdout);
    pass = pass && alerts_pass;
  }
  return pass ? core::kOk : core::kChecksFailed;
}

}  // namespace sim::cli
