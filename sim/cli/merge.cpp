// infrasim merge DIR...: the results table of runs made elsewhere — the job
// list of `infrasim sweep --emit-jobs` run under GNU parallel or Slurm, or
// copies of its output directory gathered from several machines.
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

#include "sim/cli/cli.h"
#include "sim/cli/sweep_output.h"
#include "sim/core/exit_status.h"
#include "sim/report/run_report.h"

namespace sim::cli {

namespace {

namespace fs = std::filesystem;

// Report directories below `dir` (itself included), sorted: for merging plain runs without a plan.
void find_reports(const fs::path& dir, std::vector<fs::path>* out) {
  std::error_code ec;
  if (fs::is_regular_file(dir / "report.json", ec)) out->push_back(dir);
  std::vector<fs::path> subs;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) subs.push_back(e.path());
  }
  std::sort(subs.begin(), subs.end());
  for (const auto& s : subs) find_reports(s, out);
}

}  // namespace

std::function<int()> add_merge(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::vector<std::string> dirs;
    std::string out;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("dirs", o->dirs, "sweep output directories (with sweep.json and runs/), or run directories")
      ->required();
  app.add_option("--out", o->out, "where results.* and summary.* go (default: the first directory with a sweep.json)");
  app.footer("With a sweep.json (written by infrasim sweep, also with --emit-jobs), each run is looked up as\n"
             "<dir>/runs/<i>/report.json in every DIR given, so outputs copied back from several machines merge.\n"
             "Without one, every report.json below the DIRs is a row.\n"
             "Exit status: 0 every run found, 1 some runs missing (listed), 2 bad input.");
  return [o, &global]() {
    (void)global;
    report::Json plan;
    std::string plan_dir;
    for (const std::string& d : o->dirs) {
      std::error_code ec;
      if (!fs::is_directory(d, ec)) {
        std::fprintf(stderr, "infrasim merge: %s: not a directory; expected a sweep or run output directory\n", d.c_str());
        return static_cast<int>(core::kBadInput);
      }
      if (!fs::exists(fs::path(d) / "sweep.json", ec)) continue;
      report::Json p = report::read_json_file((fs::path(d) / "sweep.json").string()).value_or(report::Json());
      if (p.is_null() || !p.contains("runs") || !p["runs"].is_array()) {
        std::fprintf(stderr, "infrasim merge: %s/sweep.json: not a sweep plan; expected the file infrasim sweep writes\n",
                     d.c_str());
        return static_cast<int>(core::kBadInput);
      }
      if (plan.is_null()) {
        plan = p;
        plan_dir = d;
      } else if (p["sweep"] != plan["sweep"] || p["runs"].size() != plan["runs"].size()) {
        std::fprintf(stderr, "infrasim merge: %s/sweep.json is a different sweep than %s/sweep.json; expected copies "
                             "of one sweep's output\n",
                     d.c_str(), plan_dir.c_str());
        return static_cast<int>(core::kBadInput);
      }
    }
    std::vector<std::optional<report::RunReport>> reports;
    if (!plan.is_null()) {
      std::size_t missing = 0;
      for (const auto& run : plan["runs"]) {
        std::optional<report::RunReport> found;
        for (const std::string& d : o->dirs) {
          found = report::read_run_report((fs::path(d) / report::member_text(run, "dir") / "report.json").string());
          if (found) break;
        }
        if (!found) {
          ++missing;
          std::fprintf(stderr, "infrasim merge: run %s (%s) is missing: no %s/report.json in %s\n",
                       run["index"].dump().c_str(), run["seed"].dump().c_str(), report::member_text(run, "dir").c_str(),
                       fmt::format("{}", fmt::join(o->dirs, ", ")).c_str());
        }
        reports.push_back(found);
      }
      std::string out = o->out.empty() ? plan_dir : o->out;
      std::error_code ec;
      fs::create_directories(out, ec);
      if (!write_sweep_outputs(out, plan, reports, true)) return static_cast<int>(core::kBadInput);
      return missing ? static_cast<int>(core::kChecksFailed) : static_cast<int>(core::kOk);
    }
    // No plan: every report below the directories is one run, its own point.
    std::vector<fs::path> dirs;
    for (const std::string& d : o->dirs) find_reports(d, &dirs);
    if (dirs.empty()) {
      std::fprintf(stderr, "infrasim merge: no sweep.json and no report.json under %s; expected infrasim output "
                           "directories\n",
                   fmt::format("{}", fmt::join(o->dirs, ", ")).c_str());
      return static_cast<int>(core::kBadInput);
    }
    plan = report::Json::object();
    plan["sweep"] = {{"name", "merged"}, {"description", ""}, {"file", ""}, {"scenario", ""}, {"mode", "runs"}};
    plan["parameters"] = report::Json::array();
    report::Json points = report::Json::array(), runs = report::Json::array();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      auto r = report::read_run_report((dirs[i] / "report.json").string());
      std::string name = dirs[i].lexically_normal().string();
      points.push_back({{"name", name}, {"values", report::Json::array()}});
      runs.push_back({{"index", i}, {"point", i}, {"seed", r ? report::Json(r->scenario.seed) : report::Json()}, {"dir", name}});
      reports.push_back(r);
    }
    plan["points"] = points;
    plan["runs"] = runs;
    std::string out = o->out.empty() ? (fs::path("reports") / "merged").string() : o->out;
    std::error_code ec;
    fs::create_directories(out, ec);
    if (!write_sweep_outputs(out, plan, reports, true)) return static_cast<int>(core::kBadInput);
    return static_cast<int>(core::kOk);
  };
}

}  // namespace sim::cli
