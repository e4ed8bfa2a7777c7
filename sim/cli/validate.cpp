// infrasim validate FILE...: parse, check, and print the graph analysis.
#include <cstdio>
#include <fmt/format.h>

#include "sim/check/lint.h"
#include "sim/cli/cli.h"
#include "sim/cli/input.h"
#include "sim/core/exit_status.h"
#include "sim/topology/graph.h"

namespace sim::cli {

namespace {

void print_analysis(const topology::Topology& topo, const scenario::Scenario* scen, std::vector<check::Finding>* all) {
  // What `from:` references took from nginx, Kubernetes and compose files, and what they left out.
  if (!topo.imported.empty()) {
    static const char* kTitles[] = {"mapped", "not modelled yet", "ignored"};
    fmt::print("  imported:\n");
    for (int k = 0; k < 3; ++k) {
      for (const auto& n : topo.imported) {
        if (static_cast<int>(n.kind) != k) continue;
        fmt::print("    {}: {}:{}:{}: {} -> {}\n", kTitles[k], n.pos.file, n.pos.line, n.pos.column, n.what, n.detail);
      }
    }
  }
  topology::GraphAnalysis g = topology::analyze_graph(topo);
  fmt::print("  paths:\n");
  for (const auto& p : g.paths) fmt::print("    {:<14} {}\n", p.request_class, p.text);
  if (g.single_points_of_failure.empty()) {
    fmt::print("  single points of failure: none\n");
  } else {
    fmt::print("  single points of failure:\n");
    for (const auto& s : g.single_points_of_failure) fmt::print("    {:<14} {}\n", s.component, s.reason);
  }
  std::vector<check::Finding> findings = check::lint(topo, scen);
  if (findings.empty()) {
    fmt::print("  findings: none\n");
  } else {
    fmt::print("  findings:\n");
    for (const auto& f : findings) fmt::print("    {}\n", check::format_finding(f));
  }
  all->insert(all->end(), findings.begin(), findings.end());
}

}  // namespace

std::function<int()> add_validate(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::vector<std::string> files;
  };
  auto opts = std::make_shared<Opts>();
  app.add_option("files", opts->files, "topology, scenario (or capacity plan) files")->required();
  app.footer(
      "Exit status: 0 when every file is valid and has no findings, 1 when there are findings\n"
      "(single points of failure are reported but are not findings), 2 on malformed input.");
  return [opts, &global]() {
    (void)global;
    int worst = core::kOk;
    std::vector<check::Finding> all;
    for (const std::string& f : opts->files) {
      core::Diagnostics diags;
      InputFile in = load_input(f, diags);
      if (diags.has_errors() || in.kind == InputKind::kUnknown) {
        std::fputs(diags.format().c_str(), stderr);
        worst = core::kBadInput;
        continue;
      }
      if (!diags.all().empty()) std::fputs(diags.format().c_str(), stderr);  // warnings
      if (in.kind == InputKind::kTopology) {
        fmt::print("{}: topology '{}' ({} components, {} request classes)\n", f, in.topology->name,
                   in.topology->components.size(), in.topology->requests.size());
        print_analysis(*in.topology, nullptr, &all);
      } else if (in.kind == InputKind::kScenario) {
        fmt::print("{}: scenario '{}' on topology '{}' ({})\n", f, in.scenario->scenario.name,
                   in.scenario->topology.name, in.scenario->scenario.topology_path);
        print_analysis(in.scenario->topology, &in.scenario->scenario, &all);
      } else {
        fmt::print("{}: {}\n", f, in.summary);
      }
    }
    if (worst == core::kBadInput) return static_cast<int>(core::kBadInput);
    return all.empty() ? static_cast<int>(core::kOk) : static_cast<int>(core::kChecksFailed);
  };
}

}  // namespace sim::cli
