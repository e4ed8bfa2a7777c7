#include "sim/runs/batch.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/core/exit_status.h"
#include "sim/core/yaml_reader.h"
#include "sim/runs/child.h"
#include "sim/runs/output.h"
#include "sim/runs/progress.h"

namespace sim::runs {

namespace fs = std::filesystem;

RunOutcome classify(int exit_code, int signal, std::optional<report::RunReport> report, const std::string& read_error) {
  RunOutcome o;
  o.exit_code = exit_code;
  o.signal = signal;
  if (signal) {
    o.status = RunStatus::kCrashed;
    o.error = fmt::format("killed by signal {}", signal);
  } else if ((exit_code == core::kOk || exit_code == core::kChecksFailed) && report) {
    o.status = exit_code == core::kOk ? RunStatus::kPassed : RunStatus::kFailed;
    o.report = std::move(report);
  } else if (exit_code == core::kChecksFailed) {
    o.status = RunStatus::kStopped;
    o.error = "stopped by a limit (--max-wall, --max-events); no report";
  } else if (exit_code == core::kOk) {
    o.status = RunStatus::kCrashed;
    o.error = "exit status 0 without a report: " + read_error;
  } else if (exit_code == core::kBadInput) {
    o.status = RunStatus::kRejected;
    o.error = "exit status 2: the load far exceeds what the topology can serve; no report";
  } else {
    o.status = RunStatus::kCrashed;
    o.error = fmt::format("exit status {}", exit_code);
  }
  return o;
}

std::string describe(const RunOutcome& o) {
  switch (o.status) {
    case RunStatus::kPassed: return "passed";
    case RunStatus::kFailed: return "an expectation failed";
    case RunStatus::kStopped:
    case RunStatus::kRejected: return o.error;
    case RunStatus::kCrashed: return "crashed (" + o.error + ")";
  }
  return o.error;
}

int command_status(const std::vector<RunOutcome>& outcomes, int verdict) {
  bool crashed = std::any_of(outcomes.begin(), outcomes.end(),
                             [](const RunOutcome& o) { return o.status == RunStatus::kCrashed; });
  return crashed ? static_cast<int>(core::kInternal) : verdict;
}

// ---- request keys ---------------------------------------------------------------------------------------

namespace {

// FNV-1a, 64 bits: stable across builds and machines (std::hash is not).
std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string file_line(const char* what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return fmt::format("{} {} {:016x}\n", what, path, fnv1a(ss.str()));
}

// Traces can be gigabytes: their size and modification time stand for their content.
void trace_lines(const scenario::Profile& p, std::string* out) {
  if (p.kind == scenario::Profile::Kind::kTrace) {
    std::error_code ec;
    auto size = fs::file_size(p.trace.path, ec);
    auto time = fs::last_write_time(p.trace.path, ec).time_since_epoch().count();
    *out += fmt::format("trace {} {} {}\n", p.trace.path, ec ? 0 : size, ec ? 0 : time);
  }
  for (const auto& c : p.children) trace_lines(c, out);
}

}  // namespace

std::string request_key(const RunRequest& req) {
  core::Diagnostics diags;
  auto loaded = scenario::load_scenario(req.scenario_path, diags, req.topology_override, req.overrides);
  if (!loaded) return "";
  std::string d = "infrasim " INFRASIM_VERSION "\n";
  d += file_line("scenario", req.scenario_path);
  d += file_line("topology", loaded->scenario.topology_path);
  trace_lines(loaded->scenario.load, &d);
  for (const auto& o : req.overrides) d += fmt::format("set {} {}={}\n", o.topology ? "topology" : "scenario", o.path, o.value);
  d += req.seed ? fmt::format("seed {}\n", *req.seed) : "seed of the scenario\n";
  d += fmt::format("max_events {}\n", req.max_events);
  for (const auto& f : req.extra_faults) {
    d += fmt::format("fault {} at {:.17g} for {:.17g} on {} named {}\n", scenario::fault_kind_name(f.kind), f.at,
                     f.length, f.target.text(), f.name);
  }
  d += "suffix " + req.name_suffix + "\n";
  return fmt::format("{:016x}", fnv1a(d));
}

// ---- the ledger of complete runs ------------------------------------------------------------------------

namespace {

constexpr const char* kLedger = ".infrasim-runs";

struct Entry {
  std::string key;
  int exit_code = 0;
};

// "<key> <exit status> <run directory relative to the ledger's>" per line; a later line for the
// same directory wins; a torn last line (the process was killed while appending) is skipped.
std::map<std::string, Entry> read_ledger(const std::string& dir) {
  std::map<std::string, Entry> out;
  std::ifstream in(fs::path(dir) / kLedger);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    Entry e;
    std::string rel;
    if (!(ls >> e.key >> e.exit_code) || e.key.size() != 16) continue;
    std::getline(ls >> std::ws, rel);
    if (!rel.empty()) out[rel] = e;
  }
  return out;
}

std::string ledger_line(const std::string& rel, const Entry& e) {
  return fmt::format("{} {} {}\n", e.key, e.exit_code, rel);
}

// One line at the end of the file: an append of a few bytes is not torn by another writer.
void append_ledger(const std::string& dir, const std::string& rel, const Entry& e) {
  std::ofstream out(fs::path(dir) / kLedger, std::ios::app | std::ios::binary);
  out << ledger_line(rel, e);
}

}  // namespace

// ---- the driver -----------------------------------------------------------------------------------------

namespace {

// `dir` relative to `base`, both as the command wrote them ("out/" and "out/runs/0001" -> "runs/0001").
std::string relative_to(const std::string& dir, const std::string& base) {
  fs::path b = fs::path(base).lexically_normal();
  if (!b.empty() && b.filename().empty()) b = b.parent_path();
  return fs::path(dir).lexically_normal().lexically_relative(b).string();
}

}  // namespace

std::vector<RunOutcome> run_batch(const Batch& batch) {
  const std::size_t n = batch.runs.size();
  std::vector<RunOutcome> outcomes(n);
  bool ledger = !batch.ledger_dir.empty();
  std::map<std::string, Entry> entries = ledger ? read_ledger(batch.ledger_dir) : std::map<std::string, Entry>();
  std::vector<std::string> keys(n), rel(n);
  std::vector<std::size_t> todo;
  std::size_t reused = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const RunRequest& req = batch.runs[i];
    if (ledger) {
      keys[i] = request_key(req);
      rel[i] = relative_to(req.out_dir, batch.ledger_dir);
      auto it = entries.find(rel[i]);
      if (batch.resume && it != entries.end() && !keys[i].empty() && it->second.key == keys[i]) {
        int code = it->second.exit_code;
        std::optional<report::RunReport> rep;
        if (code == core::kOk || code == core::kChecksFailed) rep = report::read_run_report(req.out_dir + "/report.json");
        if (code == core::kBadInput || rep) {
          outcomes[i] = classify(code, 0, std::move(rep), "");
          outcomes[i].reused = true;
          ++reused;
          continue;
        }
      }
      entries.erase(rel[i]);  // run again below
    }
    // A report left by an earlier invocation must not pass for this run's.
    std::error_code ec;
    fs::remove(fs::path(req.out_dir) / "report.json", ec);
    todo.push_back(i);
  }
  if (reused > 0) std::fprintf(stderr, "resume: %zu of %zu runs reused, %zu to run\n", reused, n, todo.size());

  std::vector<std::function<int()>> jobs;
  for (std::size_t i : todo) {
    jobs.push_back([req = batch.runs[i], &batch]() { return batch.runner ? batch.runner(req) : run_one(req); });
  }
  ProgressBar bar(batch.label, std::max<std::size_t>(1, todo.size()), batch.progress && !todo.empty());
  run_children(jobs, batch.parallel, [&](std::size_t j, const ChildResult& r) {
    std::size_t i = todo[j];
    const RunRequest& req = batch.runs[i];
    std::string why;
    std::optional<report::RunReport> rep;
    if (!r.signal && (r.exit_code == core::kOk || r.exit_code == core::kChecksFailed)) {
      rep = report::read_run_report(req.out_dir + "/report.json", &why);
    }
    outcomes[i] = classify(r.exit_code, r.signal, std::move(rep), why);
    bar.done(outcomes[i].status != RunStatus::kPassed);
    // Complete runs, and loads the model rejects, give the same outcome when run again.
    if (ledger && !keys[i].empty() && (outcomes[i].complete() || outcomes[i].status == RunStatus::kRejected)) {
      Entry e{keys[i], r.exit_code};
      append_ledger(batch.ledger_dir, rel[i], e);
      entries[rel[i]] = e;
    }
  });
  bar.finish();
  if (ledger) {
    // Rewritten sorted: the same runs give the same file, whatever order they finished in.
    std::string text;
    for (const auto& [dir, e] : entries) text += ledger_line(dir, e);
    if (std::string err = write_file((fs::path(batch.ledger_dir) / kLedger).string(), text); !err.empty()) {
      std::fprintf(stderr, "warning: %s; --resume will run every run again\n", err.c_str());
    }
  }
  return outcomes;
}

}  // namespace sim::runs
