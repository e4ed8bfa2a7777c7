// `infrasim sweep` (grid x seeds in child processes), its located sweep-file
// errors, --emit-jobs and `infrasim merge`, which must give the same table.
//
//   clients -> cdn -> lb -> app x{2,3} -> cache -> db     (topologies/nextleveltraders.yaml)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/scenario/sweep.h"
#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

std::string sweep_text(const std::string& scenario) {
  return "name: tiny\nscenario: " + scenario +
         "\nseeds: 1\nset: {scenario.duration: 90s, scenario.warmup: 10s}\n"
         "grid:\n  components.app.replicas: [2, 3]\n";
}

TEST(SweepLoader, GridExpandsInOdometerOrder) {
  core::Diagnostics d;
  std::string file = testing::repo_root() + "/scenarios/sweeps/x.yaml";
  auto s = scenario::parse_sweep(file, "scenario: ../steady-state.yaml\nseeds: [1, 2]\ngrid:\n  a.b: [1, 2]\n  scenario.c: [x, y, z]\n", d);
  ASSERT_TRUE(s) << d.format();
  ASSERT_EQ(s->points.size(), 6u);
  EXPECT_EQ(s->points[0].name, "b=1, c=x");
  EXPECT_EQ(s->points[1].name, "b=1, c=y");
  EXPECT_EQ(s->points[5].name, "b=2, c=z");
  EXPECT_EQ(s->run_seeds(42), (std::vector<std::uint64_t>{1, 2}));
}

TEST(SweepLoader, ErrorsAreLocated) {
  std::string file = testing::repo_root() + "/scenarios/sweeps/bad.yaml";
  core::Diagnostics d;
  EXPECT_FALSE(scenario::parse_sweep(file, "scenario: ../steady-state.yaml\ngrid:\n  components.app.replicas: 3\n", d));
  EXPECT_NE(d.format_short().find("bad.yaml:3:28: error: parameter 'components.app.replicas' needs a non-empty list"),
            std::string::npos)
      << d.format();
  core::Diagnostics d2;
  EXPECT_FALSE(scenario::parse_sweep(file, "scenario: ../steady-state.yaml\ngird: {a: [1]}\n", d2));
  EXPECT_NE(d2.format_short().find("bad.yaml:2:1: error: unknown key 'gird'"), std::string::npos) << d2.format();
  core::Diagnostics d3;
  EXPECT_FALSE(scenario::parse_sweep(file, "scenario: ../nope.yaml\npoints: [{a.b: 1}]\n", d3));
  EXPECT_NE(d3.format_short().find("bad.yaml:1:11: error: cannot read scenario"), std::string::npos) << d3.format();
}

TEST(SweepCommand, BadSweepFileExitsTwoAndWritesNothing) {
  std::string dir = testing::temp_dir("sweep-bad");
  testing::write_file(dir + "/s.yaml", "scenario: " + testing::repo_root() +
                                           "/scenarios/steady-state.yaml\ngrid:\n  components.app.replicas: [0]\n");
  auto r = testing::run_infrasim({"sweep", dir + "/s.yaml", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("s.yaml:3:28: error: sweep point 'replicas=0' does not load"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/out"));
  fs::remove_all(dir);
}

TEST(SweepCommand, RunsTheGridAndMergeOfEmittedJobsGivesTheSameTable) {
  std::string dir = testing::temp_dir("sweep");
  testing::write_file(dir + "/tiny.yaml", sweep_text(testing::repo_root() + "/scenarios/steady-state.yaml"));
  auto r = testing::run_infrasim({"sweep", dir + "/tiny.yaml", "--out", dir + "/direct", "-j", "2", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string csv = testing::read_file(dir + "/direct/results.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')).rfind("run,point,components.app.replicas,seed,status,passed,throughput", 0), 0u)
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header + 2 runs
  auto results = nlohmann::json::parse(testing::read_file(dir + "/direct/results.json"));
  EXPECT_EQ(results["points"].size(), 2u);
  EXPECT_TRUE(fs::exists(dir + "/direct/summary.html"));

  // The same runs as a job list, run by a plain shell (as GNU parallel would), then merged.
  auto e = testing::run_infrasim({"sweep", dir + "/tiny.yaml", "--out", dir + "/cluster", "--emit-jobs", dir + "/jobs.txt"});
  ASSERT_EQ(e.exit_code, 0) << e.out << e.err;
  EXPECT_NE(testing::read_file(dir + "/jobs.txt.sbatch").find("#SBATCH --array=1-2"), std::string::npos);
  auto incomplete = testing::run_infrasim({"merge", dir + "/cluster"});
  EXPECT_EQ(incomplete.exit_code, 1) << "no run has been made yet";
  std::string cmd = "sh -c 'while read -r line; do sh -c \"$line\" >/dev/null || exit 1; done' < '" + dir + "/jobs.txt'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto m = testing::run_infrasim({"merge", dir + "/cluster"});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  EXPECT_EQ(testing::read_file(dir + "/cluster/results.csv"), csv);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim
