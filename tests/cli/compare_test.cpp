// `infrasim compare`: one scenario on several designs, each in its own child.
//
//   clients -> cdn -> lb -> app x2 | x3 | x5 -> cache -> db     (topologies/nextleveltraders.yaml)
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

TEST(CompareCommand, VariantsSideBySideWithDifferences) {
  std::string dir = testing::temp_dir("compare");
  auto r = testing::run_infrasim({"compare", "scenarios/steady-state.yaml", "--variant", "two:components.app.replicas=2",
                                  "--set", "scenario.duration=2m", "--set", "scenario.load.constant=700/s", "--out", dir,
                                  "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto cmp = nlohmann::json::parse(testing::read_file(dir + "/compare.json"));
  ASSERT_EQ(cmp["designs"].size(), 2u);
  EXPECT_EQ(cmp["designs"][0]["name"], "baseline");
  EXPECT_EQ(cmp["designs"][1]["name"], "two");
  EXPECT_EQ(cmp["metrics"][0]["name"], "throughput");
  EXPECT_TRUE(cmp["metrics"][0]["difference"][1].contains("relative"));
  for (const char* f : {"compare.md", "compare.html", "baseline/report.json", "two/report.html"}) {
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  }
  // The console table: one line per metric, a column per design.
  EXPECT_NE(r.out.find("latency p99"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("baseline"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

TEST(CompareCommand, BadDesignStopsBeforeAnythingRuns) {
  std::string dir = testing::temp_dir("compare-bad");
  auto r = testing::run_infrasim({"compare", "scenarios/steady-state.yaml", "--topology", "topologies/nope.yaml",
                                  "--topology", "topologies/nextleveltraders.yaml", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("topologies/nope.yaml"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/out"));
  auto one = testing::run_infrasim({"compare", "scenarios/steady-state.yaml", "--topology", "topologies/nextleveltraders.yaml"});
  EXPECT_EQ(one.exit_code, 2);
  auto bad_variant = testing::run_infrasim({"compare", "scenarios/steady-state.yaml", "--variant", "nocolon"});
  EXPECT_EQ(bad_variant.exit_code, 2);
  EXPECT_NE(bad_variant.err.find("expected NAME:path=value"), std::string::npos) << bad_variant.err;
  fs::remove_all(dir);
}

TEST(CompareCommand, SeedsRunEveryDesignSeveralTimes) {
  std::string dir = testing::temp_dir("compare-seeds");
  auto r = testing::run_infrasim({"compare", "scenarios/steady-state.yaml", "--variant", "two:components.app.replicas=2",
                                  "--set", "scenario.duration=2m", "--seeds", "2", "--out", dir, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto cmp = nlohmann::json::parse(testing::read_file(dir + "/compare.json"));
  EXPECT_EQ(cmp["seeds"], 2);
  EXPECT_EQ(cmp["designs"][0]["dir"], "baseline/seed-0");
  EXPECT_EQ(cmp["metrics"][0]["samples"][1].size(), 2u);
  EXPECT_TRUE(cmp["metrics"][0]["difference"][1].contains("significant")) << cmp["metrics"][0].dump();
  for (const char* f : {"baseline/seed-0/report.json", "baseline/seed-1/report.json", "two/seed-1/report.json"}) {
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  }
  // The two seeds differ (derived like run --runs), and both designs ran the same two.
  auto s0 = nlohmann::json::parse(testing::read_file(dir + "/baseline/seed-0/report.json"));
  auto s1 = nlohmann::json::parse(testing::read_file(dir + "/baseline/seed-1/report.json"));
  auto t1 = nlohmann::json::parse(testing::read_file(dir + "/two/seed-1/report.json"));
  EXPECT_NE(s0["scenario"]["seed"], s1["scenario"]["seed"]);
  EXPECT_EQ(s1["scenario"]["seed"], t1["scenario"]["seed"]);
  EXPECT_NE(r.out.find("2 seeds each"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("at seed 0, 2/2 seeds pass"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

TEST(CompareCommand, BadSeedsCountIsBadInput) {
  for (const char* n : {"0", "-1", "many", "1001"}) {
    std::string dir = testing::temp_dir("compare-bad-seeds");
    auto r = testing::run_infrasim({"compare", "scenarios/steady-state.yaml", "--variant", "two:components.app.replicas=2",
                                    "--seeds", n, "--out", dir + "/out"});
    EXPECT_EQ(r.exit_code, 2) << n << r.out << r.err;
    EXPECT_NE(r.err.find("--seeds"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/out")) << n;
  }
}

}  // namespace
}  // namespace sim
