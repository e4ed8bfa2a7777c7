// infrasim compare SCENARIO --topology A.yaml --topology B.yaml | --variant NAME:path=value,...
// One scenario on several designs, each in its own child process (in parallel),
// then one comparison: compare.json / compare.md / compare.html and a table on stdout.
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "sim/cli/cli.h"
#include "sim/cli/options.h"
#include "sim/core/exit_status.h"
#include "sim/core/random.h"
#include "sim/report/compare.h"
#include "sim/report/html.h"
#include "sim/runs/batch.h"
#include "sim/runs/output.h"

namespace sim::cli {

namespace {

namespace fs = std::filesystem;

struct DesignSpec {
  std::string name;
  std::string topology;                    ///< "" = the scenario's own
  std::vector<scenario::Override> overrides;
  std::vector<std::string> override_text;
};

// "five:components.app.replicas=5,components.db.replicas=3"
std::optional<DesignSpec> parse_variant(const std::string& text, std::string* err) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) {
    *err = fmt::format("invalid --variant '{}'; expected NAME:path=value[,path=value...], like "
                       "five-apps:components.app.replicas=5",
                       text);
    return std::nullopt;
  }
  DesignSpec d;
  d.name = text.substr(0, colon);
  std::string rest = text.substr(colon + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t comma = rest.find(',', start);
    std::string item = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto ov = scenario::parse_override(item, err);
    if (!ov) {
      *err = fmt::format("--variant {}: {}", d.name, *err);
      return std::nullopt;
    }
    d.overrides.push_back(*ov);
    d.override_text.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return d;
}

// Design names become directory names: keep them simple and unique.
std::string dir_name(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
  return out.empty() || out[0] == '.' ? "design" + out : out;
}

}  // namespace

std::function<int()> add_compare(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::string scenario;
    std::vector<std::string> topologies, variants, sets;
    std::string out;
    std::optional<std::uint64_t> seed;
    int seeds = 1;
    int jobs = 0;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("scenario", o->scenario, "the scenario every design runs")->required();
  app.add_option("--topology", o->topologies, "a design: the scenario on this topology file (repeatable)");
  app.add_option("--variant", o->variants,
                 "a design: the scenario's own topology with changes, NAME:path=value[,path=value...] "
                 "(repeatable; paths as for --set)");
  app.add_option("--set", o->sets, "a change applied to every design: components.app.replicas=5 or scenario.duration=5m")
      ->take_all();
  app.add_option("--seed", o->seed, "override the scenario's seed (the same for every design)");
  app.add_option("--out", o->out, "comparison directory (default out/compare-<scenario>/); a sub-directory per design");
  app.add_option("--seeds", o->seeds,
                 "run every design with N seeds (derived from the seed, the same N for every design); values are "
                 "means, and a difference counts only when Welch's t-test at 5% says it exceeds the seeds' spread "
                 "(default 1)")
      ->check(CLI::Range(1, 1000));
  app.add_option("-j,--jobs", o->jobs, "runs in parallel (default: all cores)");
  app.footer("Without --topology, the scenario as written is the first design ('baseline').\n"
             "Differences are against the first design. Exit status: 0 every design ran (verdicts are in the\n"
             "table), 2 bad input (nothing run or written) or a design's load the model cannot carry, 3 a run\n"
             "crashed.");
  return [o, &global]() {
    auto common = parse_sets(o->sets, "compare");
    if (!common) return static_cast<int>(core::kBadInput);
    std::string err;
    std::vector<DesignSpec> specs;
    if (o->topologies.empty()) specs.push_back({"baseline", "", {}, {}});
    for (const std::string& t : o->topologies) specs.push_back({fs::path(t).stem().string(), t, {}, {}});
    for (const std::string& v : o->variants) {
      auto d = parse_variant(v, &err);
      if (!d) {
        std::fprintf(stderr, "infrasim compare: %s\n", err.c_str());
        return static_cast<int>(core::kBadInput);
      }
      specs.push_back(*d);
    }
    if (specs.size() < 2) {
      std::fprintf(stderr, "infrasim compare: one design only; expected two or more (--topology A --topology B, "
                           "or --variant NAME:path=value)\n");
      return static_cast<int>(core::kBadInput);
    }
    std::set<std::string> used;
    for (auto& d : specs) {
      std::string base = dir_name(d.name), name = base;
      for (int k = 2; used.count(name); ++k) name = fmt::format("{}-{}", base, k);
      used.insert(name);
      d.name = name;
    }
    // Every design is loaded (and so checked) before anything runs.
    runs::Batch batch;
    batch.label = "compare";
    batch.parallel = o->jobs;
    batch.progress = !global.quiet;
    for (const auto& d : specs) {
      runs::RunRequest r;
      r.scenario_path = o->scenario;
      r.topology_override = d.topology;
      r.overrides = *common;
      r.overrides.insert(r.overrides.end(), d.overrides.begin(), d.overrides.end());
      r.seed = o->seed;
      r.command = provenance_command(global.argv);
      r.summary = false;
      r.progress = false;
      batch.runs.push_back(r);
    }
    auto all = runs::load_all(batch.runs);
    if (!all) return static_cast<int>(core::kBadInput);
    const std::vector<scenario::Loaded>& loaded = *all;
    const std::size_t n_seeds = static_cast<std::size_t>(o->seeds);
    if (n_seeds > 1) {
      // N runs per design, seed k derived from the scenario's (or --seed) like run --runs: every design sees
      // the same N seeds. Run (design i, seed k) is batch.runs[i * N + k].
      std::vector<runs::RunRequest> seeded;
      for (std::size_t i = 0; i < batch.runs.size(); ++i) {
        std::uint64_t base = o->seed.value_or(loaded[i].scenario.seed);
        for (std::size_t k = 0; k < n_seeds; ++k) {
          runs::RunRequest r = batch.runs[i];
          r.seed = core::derive_run_seed(base, k);
          r.seed_source = fmt::format("seed {} of compare --seeds {}, derived from seed {}", k, n_seeds, base);
          seeded.push_back(r);
        }
      }
      batch.runs = seeded;
    }
    std::string out = o->out.empty() ? runs::default_out("compare-" + loaded[0].scenario.name) : o->out;
    runs::DirLock lock(out);
    if (!lock.ok()) {
      std::fprintf(stderr, "infrasim compare: %s\n", lock.error().c_str());
      return static_cast<int>(core::kBadInput);
    }
    // One seed: <out>/<design>/; several: <out>/<design>/seed-K/.
    auto run_dir = [&](std::size_t i, std::size_t k) {
      return n_seeds > 1 ? fmt::format("{}/seed-{}", specs[i].name, k) : specs[i].name;
    };
    for (std::size_t i = 0; i < specs.size(); ++i) {
      for (std::size_t k = 0; k < n_seeds; ++k) batch.runs[i * n_seeds + k].out_dir = (fs::path(out) / run_dir(i, k)).string();
    }
    std::vector<runs::RunOutcome> outcomes = runs::run_batch(batch);
    std::vector<report::Design> designs;
    int verdict = core::kOk;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const runs::RunOutcome& first = outcomes[i * n_seeds];
      report::Design d;
      d.name = specs[i].name;
      d.topology = loaded[i].scenario.topology_path;
      d.overrides = o->sets;
      d.overrides.insert(d.overrides.end(), specs[i].override_text.begin(), specs[i].override_text.end());
      d.dir = run_dir(i, 0);
      d.exit_code = first.exit_code;
      d.report = first.report;
      d.error = first.error;
      d.diagram = report::topology_svg(loaded[i].topology) + report::topology_paths_html(loaded[i].topology);
      for (std::size_t k = 0; k < n_seeds; ++k) {
        const runs::RunOutcome& oc = outcomes[i * n_seeds + k];
        if (n_seeds > 1 && oc.report) d.seeds.push_back(*oc.report);
        if (!oc.complete()) {
          std::fprintf(stderr, "infrasim compare: design %s%s: %s\n", d.name.c_str(),
                       n_seeds > 1 ? fmt::format(" seed {}", k).c_str() : "", runs::describe(oc).c_str());
          // A design whose load the model cannot carry is bad input for the comparison.
          if (oc.status == runs::RunStatus::kRejected) verdict = core::kBadInput;
        }
      }
      designs.push_back(std::move(d));
    }
    report::Json cmp = report::compare_json(designs);
    err = runs::write_files(out, {{"compare.md", report::compare_markdown(cmp)},
                                  {"compare.html", report::compare_html(cmp, designs)},
                                  {"compare.json", report::dump(cmp)}});
    if (!err.empty()) {
      std::fprintf(stderr, "infrasim compare: %s\n", err.c_str());
      return static_cast<int>(core::kInternal);
    }
    std::fputs(report::compare_console(cmp).c_str(), stdout);
    std::printf("reports: %s/compare.md, %s/compare.html, %s/compare.json\n", out.c_str(), out.c_str(), out.c_str());
    return runs::command_status(outcomes, verdict);
  };
}

}  // namespace sim::cli
