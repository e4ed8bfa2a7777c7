// Reports that say how to make them again, and a batch that refuses to overwrite itself.
//
//   report.json's provenance: the command line without the options that never change a result
//   (--out, -q, -j), the seed and where it came from, every override, and the sha256 of the
//   scenario and topology files (sha256sum's digest); the same command with another --out writes a
//   byte-identical report.json.
//   Two scenarios with the same `name:` in one `run`: a located error at the second name, exit 2,
//   nothing written.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/core/sha256.h"
#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

TEST(Provenance, TheReportSaysHowToMakeItAgain) {
  std::string dir = testing::temp_dir("provenance");
  std::vector<std::string> args = {"run", "scenarios/steady-state.yaml", "--seed", "7", "--set",
                                   "scenario.duration=2m", "-q", "-j", "1", "--out"};
  auto a = testing::run_infrasim([&] { auto v = args; v.push_back(dir + "/a"); return v; }());
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  auto b = testing::run_infrasim([&] { auto v = args; v.push_back(dir + "/b"); return v; }());
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  std::string text = testing::read_file(dir + "/a/report.json");
  EXPECT_EQ(text, testing::read_file(dir + "/b/report.json"));
  auto p = nlohmann::json::parse(text)["provenance"];
  EXPECT_EQ(p["version"], INFRASIM_VERSION);
  EXPECT_EQ(p["command"], "infrasim run scenarios/steady-state.yaml --seed 7 --set scenario.duration=2m");
  EXPECT_EQ(p["seed"], 7);
  EXPECT_EQ(p["seed_source"], "--seed");
  EXPECT_EQ(p["overrides"], nlohmann::json::array({"scenario.duration=2m"}));
  ASSERT_EQ(p["inputs"].size(), 2u) << p.dump(1);
  EXPECT_EQ(p["inputs"][0]["role"], "scenario");
  EXPECT_EQ(p["inputs"][0]["path"], "scenarios/steady-state.yaml");
  std::string scenario_text = testing::read_file(testing::repo_root() + "/scenarios/steady-state.yaml");
  EXPECT_EQ(p["inputs"][0]["sha256"], core::sha256_hex(scenario_text));
  EXPECT_EQ(p["inputs"][0]["bytes"], scenario_text.size());
  EXPECT_EQ(p["inputs"][1]["role"], "topology");
  EXPECT_EQ(p["inputs"][1]["sha256"],
            core::sha256_hex(testing::read_file(testing::repo_root() + "/topologies/nextleveltraders.yaml")));
  // The people's reports show it too.
  EXPECT_NE(testing::read_file(dir + "/a/report.md").find("command: `infrasim run scenarios/steady-state.yaml --seed 7"),
            std::string::npos);
  EXPECT_NE(testing::read_file(dir + "/a/report.html").find("<h2>Provenance</h2>"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Provenance, EachReportOfABatchNamesItsOwnScenarioOnly) {
  std::string dir = testing::temp_dir("provenance-batch");
  std::string body = "topology: " + testing::repo_root() + "/tests/bad/ok/topology.yaml\nduration: 1m\nload: 10/s\n";
  testing::write_file(dir + "/a.yaml", "name: a\n" + body);
  testing::write_file(dir + "/b.yaml", "name: b\n" + body);
  auto r = testing::run_infrasim({"run", dir + "/a.yaml", dir + "/b.yaml", "--seed", "3", "--out", dir + "/out", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* n : {"a", "b"}) {
    auto p = nlohmann::json::parse(testing::read_file(dir + "/out/" + n + "/report.json"))["provenance"];
    EXPECT_EQ(p["command"], "infrasim run " + dir + "/" + n + ".yaml --seed 3") << p.dump(1);
  }
  fs::remove_all(dir);
}

TEST(Provenance, TwoScenariosWithOneNameAreRefusedBeforeAnythingRuns) {
  std::string dir = testing::temp_dir("same-name");
  std::string body = "topology: " + testing::repo_root() + "/tests/bad/ok/topology.yaml\nduration: 1m\nload: 10/s\n";
  testing::write_file(dir + "/a.yaml", "name: same\n" + body);
  testing::write_file(dir + "/b.yaml", "# the same name again\nname: same\n" + body);
  auto r = testing::run_infrasim({"run", dir + "/a.yaml", dir + "/b.yaml", "--out", dir + "/out", "-q"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(dir + "/b.yaml:2:7: error: scenario name 'same' is also the name of " + dir +
                       "/a.yaml: both runs would write " + dir + "/out/same; expected each scenario of one run to "
                       "have its own name"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir + "/out"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim
