#pragma once
// Runs a small topology + scenario through the real CLI (a child process: one
// SimGrid simulation per process) and returns the parsed report.json.
//
//   Sim s = simulate(topology_yaml, scenario_yaml);   // scenario without a topology: line
//   s.exit_code, s.report["summary"]...
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_util.h"

namespace sim::testing {

struct Sim {
  int exit_code = -1;
  std::string out, err;
  nlohmann::json report;
  /// Events of `kind` (and target, if given) in the timeline, in order.
  std::vector<nlohmann::json> events(const std::string& kind, const std::string& target = "") const {
    std::vector<nlohmann::json> v;
    for (const auto& e : report["timeline"]) {
      if (e["kind"] == kind && (target.empty() || e["target"] == target)) v.push_back(e);
    }
    return v;
  }
  const nlohmann::json& component(const std::string& name) const {
    for (const auto& c : report["components"]) {
      if (c["name"] == name) return c;
    }
    static const nlohmann::json kNull;
    return kNull;
  }
  std::uint64_t failures(const std::string& reason) const {
    const auto& f = report["summary"]["failures"];
    return f.contains(reason) ? f[reason].get<std::uint64_t>() : 0;
  }
};

inline Sim simulate(const std::string& topology, const std::string& scenario,
                    const std::vector<std::string>& extra_args = {}) {
  std::string dir = temp_dir("sim");
  write_file(dir + "/topology.yaml", topology);
  write_file(dir + "/scenario.yaml", "topology: topology.yaml\n" + scenario);
  std::vector<std::string> args = {"run", dir + "/scenario.yaml", "--out", dir + "/out", "-q"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  RunOutput r = run_infrasim(args);
  Sim s;
  s.exit_code = r.exit_code;
  s.out = r.out;
  s.err = r.err;
  std::string json = read_file(dir + "/out/report.json");
  if (!json.empty()) s.report = nlohmann::json::parse(json);
  return s;
}

}  // namespace sim::testing
