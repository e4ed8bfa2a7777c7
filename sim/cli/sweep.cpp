// infrasim sweep SWEEP.yaml: a grid or list of parameter values × seeds, one
// child process per run (-j N in parallel), then one results table
// (results.csv / results.json) and a summary (summary.md / summary.html).
// --emit-jobs FILE writes the same runs as a job list for GNU parallel and a
// Slurm array script instead of running them; `infrasim merge` then builds the
// same table from their outputs (sim/cli/merge.cpp).
#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/sweep_output.h"
#include "sim/core/exit_status.h"
#include "sim/report/run_report.h"
#include "sim/report/results.h"
#include "sim/runs/batch.h"
#include "sim/runs/output.h"
#include "sim/scenario/sweep.h"

namespace sim::cli {

namespace {

namespace fs = std::filesystem;

// Single-quoted for sh: 'it'\''s'.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string self_path() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("infrasim") : p.string();
}

}  // namespace

bool write_sweep_outputs(const std::string& out, const report::Json& plan,
                         const std::vector<std::optional<report::RunReport>>& reports, bool print) {
  report::Json results = report::results_json(plan, reports);
  std::string err = runs::write_files(out, {{"results.csv", report::results_csv(results)},
                                            {"summary.md", report::results_markdown(results)},
                                            {"summary.html", report::results_html(results)},
                                            {"results.json", report::dump(results)}});
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return false;
  }
  if (print) {
    std::fputs(report::results_console(results).c_str(), stdout);
    std::printf("results: %s/results.csv, %s/results.json, %s/summary.md, %s/summary.html\n", out.c_str(), out.c_str(),
                out.c_str(), out.c_str());
  }
  return true;
}

std::function<int()> add_sweep(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::string file, out, emit;
    int jobs = 0;
    bool resume = false;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("sweep", o->file, "the sweep file (format: docs/reports.md, example: scenarios/sweeps/)")->required();
  app.add_option("--out", o->out, "output directory (default reports/sweep-<name>/); run i goes to runs/<i>/");
  app.add_option("-j,--jobs", o->jobs, "runs in parallel (default: all cores)");
  app.add_option("--emit-jobs", o->emit,
                 "do not run: write FILE (one command per run, for GNU parallel) and FILE.sbatch (a Slurm array "
                 "script); combine their outputs with infrasim merge");
  app.add_flag("--resume", o->resume,
               "reuse every complete run of an interrupted sweep in --out (same request, same input files); run the rest");
  app.footer("Exit status: 0 every run wrote its report (verdicts are in the table), 2 bad input (nothing run or\n"
             "written) or a point whose load the model cannot carry, 3 a run crashed.");
  return [o, &global]() {
    core::Diagnostics diags;
    auto sweep = scenario::load_sweep(o->file, diags);
    if (!sweep) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    // Every point must load before anything runs.
    std::uint64_t base_seed = 0;
    for (std::size_t p = 0; p < sweep->points.size(); ++p) {
      runs::RunRequest r;
      r.scenario_path = sweep->scenario_path;
      r.overrides = sweep->overrides(sweep->points[p]);
      core::Diagnostics pd;
      auto l = runs::load_checked(r, pd);
      if (!l) {
        const auto& pos = sweep->points[p].pos;
        diags.error(pos.file, pos.line, pos.column,
                    fmt::format("sweep point '{}' does not load: {}", sweep->points[p].name,
                                pd.all().empty() ? std::string("unknown error") : pd.sorted().front().message));
        diags.merge(pd);
      } else if (p == 0) {
        base_seed = l->scenario.seed;
      }
    }
    if (diags.has_errors()) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    std::vector<std::uint64_t> seeds = sweep->run_seeds(base_seed);
    std::string out = o->out.empty() ? (fs::path("reports") / ("sweep-" + sweep->name)).string() : o->out;
    std::size_t total = sweep->points.size() * seeds.size();
    int digits = std::max<int>(4, static_cast<int>(std::to_string(total - 1).size()));

    report::Json plan;
    plan["infrasim"] = {{"version", INFRASIM_VERSION}, {"report_format", 1}};
    plan["sweep"] = {{"name", sweep->name},
                     {"description", sweep->description},
                     {"file", sweep->file},
                     {"scenario", sweep->scenario_path},
                     {"mode", sweep->grid ? "grid" : "points"}};
    report::Json set = report::Json::array();
    for (const auto& [k, v] : sweep->set) set.push_back(k + "=" + v);
    plan["set"] = set;
    plan["parameters"] = sweep->parameters;
    report::Json points = report::Json::array();
    for (const auto& p : sweep->points) {
      report::Json vals = report::Json::array();
      for (const auto& [k, v] : p.values) vals.push_back(v);
      points.push_back({{"name", p.name}, {"values", vals}});
    }
    plan["points"] = points;
    plan["seeds"] = seeds;
    report::Json run_rows = report::Json::array();
    std::vector<runs::RunRequest> reqs;
    for (std::size_t p = 0; p < sweep->points.size(); ++p) {
      for (std::uint64_t seed : seeds) {
        std::size_t i = run_rows.size();
        std::string rel = fmt::format("runs/{:0{}}", i, digits);
        report::Json args = report::Json::array();
        for (const auto& ov : sweep->overrides(sweep->points[p])) {
          args.push_back((ov.topology ? "" : std::string("scenario.")) + ov.path + "=" + ov.value);
        }
        run_rows.push_back({{"index", i}, {"point", p}, {"seed", seed}, {"dir", rel}, {"set", args}});
        runs::RunRequest r;
        r.scenario_path = sweep->scenario_path;
        r.overrides = sweep->overrides(sweep->points[p]);
        r.seed = seed;
        r.out_dir = (fs::path(out) / rel).string();
        r.summary = false;
        r.progress = false;
        reqs.push_back(r);
      }
    }
    plan["runs"] = run_rows;
    runs::DirLock lock(out);
    if (!lock.ok()) {
      std::fprintf(stderr, "infrasim sweep: %s\n", lock.error().c_str());
      return static_cast<int>(core::kBadInput);
    }
    if (std::string err = runs::write_file((fs::path(out) / "sweep.json").string(), report::dump(plan)); !err.empty()) {
      std::fprintf(stderr, "infrasim sweep: %s\n", err.c_str());
      return static_cast<int>(core::kBadInput);
    }

    if (!o->emit.empty()) {
      // Absolute paths: the jobs run from any directory, on any machine that sees the same filesystem.
      std::string bin = self_path();
      std::string scenario_abs = fs::absolute(sweep->scenario_path).lexically_normal().string();
      std::string jobs_text;
      for (std::size_t i = 0; i < reqs.size(); ++i) {
        std::string line = shell_quote(bin) + " run " + shell_quote(scenario_abs);
        line += " --seed " + std::to_string(*reqs[i].seed);
        for (const auto& a : run_rows[i]["set"]) line += " --set " + shell_quote(a.get<std::string>());
        line += " --out " + shell_quote(fs::absolute(reqs[i].out_dir).lexically_normal().string()) + " -q";
        // Exit 1 means "an expectation failed": the run itself worked.
        jobs_text += line + " || test $? -eq 1\n";
      }
      std::string jobs_abs = fs::absolute(o->emit).lexically_normal().string();
      std::string sbatch = fmt::format(
          "#!/bin/bash\n"
          "# Slurm array job for sweep {}: task i runs line i of the job list (the same commands GNU parallel runs).\n"
          "#   sbatch {}\n"
          "# then: infrasim merge {}\n"
          "#SBATCH --job-name=infrasim-{}\n"
          "#SBATCH --array=1-{}\n"
          "#SBATCH --cpus-per-task=1\n"
          "#SBATCH --output={}/slurm-%A_%a.log\n"
          "set -euo pipefail\n"
          "line=$(sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" {})\n"
          "eval \"$line\"\n",
          sweep->name, shell_quote(jobs_abs + ".sbatch"), shell_quote(fs::absolute(out).lexically_normal().string()),
          sweep->name, reqs.size(), fs::absolute(out).lexically_normal().string(), shell_quote(jobs_abs));
      for (const auto& [path, text] : {std::pair{o->emit, jobs_text}, std::pair{o->emit + ".sbatch", sbatch}}) {
        if (std::string err = runs::write_file(path, text); !err.empty()) {
          std::fprintf(stderr, "infrasim sweep: %s; expected a writable path for --emit-jobs\n", err.c_str());
          return static_cast<int>(core::kBadInput);
        }
      }
      std::printf("sweep %s: %zu runs written to %s (GNU parallel) and %s.sbatch (Slurm array)\n"
                  "  parallel --jobs 4 < %s          # or: parallel --sshlogin host1,host2 --workdir . < %s\n"
                  "  sbatch %s.sbatch\n"
                  "then: infrasim merge %s\n",
                  sweep->name.c_str(), reqs.size(), o->emit.c_str(), o->emit.c_str(), o->emit.c_str(), o->emit.c_str(),
                  o->emit.c_str(), out.c_str());
      return static_cast<int>(core::kOk);
    }

    runs::Batch batch;
    batch.label = "sweep " + sweep->name;
    batch.runs = reqs;
    batch.parallel = o->jobs;
    batch.progress = !global.quiet;
    batch.ledger_dir = (fs::path(out) / "runs").string();
    batch.resume = o->resume;
    std::vector<runs::RunOutcome> outcomes = runs::run_batch(batch);
    int verdict = core::kOk;
    std::vector<std::optional<report::RunReport>> reports;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      reports.push_back(outcomes[i].report);
      if (!outcomes[i].complete()) {
        std::fprintf(stderr, "sweep %s: run %zu: %s\n", sweep->name.c_str(), i, runs::describe(outcomes[i]).c_str());
        if (outcomes[i].status == runs::RunStatus::kRejected) verdict = core::kBadInput;
      }
    }
    if (!write_sweep_outputs(out, plan, reports, true)) return static_cast<int>(core::kInternal);
    return runs::command_status(outcomes, verdict);
  };
}

}  // namespace sim::cli
