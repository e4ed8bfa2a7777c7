// infrasim advise SCENARIO: measured recommendations. The scenario runs as
// written; for each target it breaches, the standard remedies that apply
// (sim/advise/remedies.h) run as variants in parallel children, and the table
// ranks those that meet the targets by what they cost.
#include <filesystem>
#include <fmt/format.h>

#include "sim/advise/advice.h"
#include "sim/cli/cli.h"
#include "sim/cli/options.h"
#include "sim/core/exit_status.h"
#include "sim/report/html.h"
#include "sim/runs/batch.h"
#include "sim/runs/output.h"

namespace sim::cli {

namespace fs = std::filesystem;

std::function<int()> add_advise(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::string scenario, out;
    std::vector<std::string> sets;
    std::optional<std::uint64_t> seed;
    int jobs = 0;
    bool resume = false;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("scenario", o->scenario, "the scenario whose breached targets to remedy")->required();
  app.add_option("--set", o->sets, "a change applied to every run (the scenario as written included)")->take_all();
  app.add_option("--seed", o->seed, "override the scenario's seed (the same for every run)");
  app.add_option("--out", o->out, "output directory (default out/<scenario>-advice/); baseline/ and one directory per remedy");
  app.add_option("-j,--jobs", o->jobs, "runs in parallel (default: all cores)");
  app.add_flag("--resume", o->resume, "reuse the complete runs of an interrupted advise in --out; run the rest");
  app.footer("Writes advice.md, advice.json and advice.html. Remedies tried: one more replica, spreading over zones,\n"
             "synchronous replication, a shorter health-check interval, a lower DNS TTL, more frequent backups\n"
             "(a retry budget is listed as not available yet). Exit status: 0 when the scenario meets its targets\n"
             "or a remedy meets every breached one, 1 when none does, 2 bad input, 3 a run crashed.");
  return [o, &global]() {
    auto overrides = parse_sets(o->sets, "advise");
    if (!overrides) return static_cast<int>(core::kBadInput);
    runs::RunRequest base;
    base.scenario_path = o->scenario;
    base.overrides = *overrides;
    base.seed = o->seed;
    base.summary = false;
    base.progress = false;
    base.command = provenance_command(global.argv);
    core::Diagnostics diags;
    auto loaded = runs::load_checked(base, diags);
    if (!loaded) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    const scenario::Scenario& s = loaded->scenario;
    std::string out = o->out.empty() ? runs::default_out(s.name + "-advice") : o->out;
    runs::DirLock lock(out);
    if (!lock.ok()) {
      std::fprintf(stderr, "infrasim advise: %s\n", lock.error().c_str());
      return static_cast<int>(core::kBadInput);
    }
    // 1. The scenario as written.
    runs::Batch first;
    first.label = "advise " + s.name + " (as written)";
    first.parallel = o->jobs;
    first.progress = !global.quiet;
    first.ledger_dir = out;
    first.resume = o->resume;
    base.out_dir = (fs::path(out) / "baseline").string();
    first.runs.push_back(base);
    std::vector<runs::RunOutcome> all = runs::run_batch(first);
    const runs::RunOutcome b = all[0];  // a copy: `all` grows below
    if (!b.complete()) std::fprintf(stderr, "infrasim advise: %s as written: %s\n", o->scenario.c_str(), runs::describe(b).c_str());

    // 2. The remedies of what it breached, each as a variant.
    std::vector<advise::Trial> trials;
    runs::Batch second;
    second.label = "advise " + s.name;
    second.parallel = o->jobs;
    second.progress = !global.quiet;
    second.ledger_dir = out;
    second.resume = o->resume;
    std::vector<std::size_t> run_of;  // trial index of each run in `second`
    if (b.report) {
      for (const advise::Remedy& m : advise::remedies_for(s, loaded->topology, *b.report)) {
        advise::Trial t;
        t.remedy = m;
        if (!m.available) {
          trials.push_back(t);
          continue;
        }
        std::string why;
        for (const auto& form : m.forms) {
          runs::RunRequest r = base;
          std::vector<std::string> texts;
          bool parsed = true;
          for (const auto& text : form) {
            std::string err;
            auto ov = scenario::parse_override(text, &err);
            if (!ov) {
              parsed = false;
              why = err;
              break;
            }
            r.overrides.push_back(*ov);
            texts.push_back(text);
          }
          if (!parsed) continue;
          core::Diagnostics d;
          if (!runs::load_checked(r, d)) {
            if (why.empty()) why = d.format_short();
            continue;
          }
          t.overrides = texts;
          t.dir = m.id;
          r.out_dir = (fs::path(out) / m.id).string();
          run_of.push_back(trials.size());
          second.runs.push_back(r);
          break;
        }
        if (t.overrides.empty()) t.error = "none of its changes apply to these files: " + why;
        trials.push_back(t);
      }
    }
    std::vector<runs::RunOutcome> outcomes = second.runs.empty() ? std::vector<runs::RunOutcome>{} : runs::run_batch(second);
    for (std::size_t k = 0; k < outcomes.size(); ++k) {
      advise::Trial& t = trials[run_of[k]];
      t.report = outcomes[k].report;
      if (!outcomes[k].complete()) t.error = runs::describe(outcomes[k]);
      all.push_back(outcomes[k]);
    }
    advise::Advice advice = advise::make_advice(s.name, "baseline", b.report, b.complete() ? "" : runs::describe(b),
                                                std::move(trials));
    std::string diagram = report::topology_svg(loaded->topology) + report::topology_paths_html(loaded->topology);
    std::string err = runs::write_files(out, {{"advice.md", advise::advice_markdown(advice)},
                                              {"advice.html", advise::advice_html(advice, diagram)},
                                              {"advice.json", report::dump(advise::advice_json(advice))}});
    if (!err.empty()) {
      std::fprintf(stderr, "infrasim advise: %s\n", err.c_str());
      return static_cast<int>(core::kInternal);
    }
    std::string text = advise::advice_console(advice, out);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return runs::command_status(all, advice.solved() ? static_cast<int>(core::kOk) : static_cast<int>(core::kChecksFailed));
  };
}

}  // namespace sim::cli
