// Same inputs and seed -> byte-identical report.json; another seed -> another run.
#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace sim {
namespace {

TEST(Determinism, SameSeedSameBytes) {
  std::string dir = testing::temp_dir("determinism");
  auto a = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--set", "scenario.duration=2m", "--out",
                                  dir + "/a", "-q"});
  auto b = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--set", "scenario.duration=2m", "--out",
                                  dir + "/b", "-q"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string ja = testing::read_file(dir + "/a/report.json");
  ASSERT_GT(ja.size(), 1000u);
  EXPECT_EQ(ja, testing::read_file(dir + "/b/report.json"));
  EXPECT_EQ(testing::read_file(dir + "/a/report.md"), testing::read_file(dir + "/b/report.md"));
}

TEST(Determinism, SeedFlagChangesTheRun) {
  std::string dir = testing::temp_dir("determinism-seed");
  auto a = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--set", "scenario.duration=2m", "--out",
                                  dir + "/a", "-q"});
  auto b = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--set", "scenario.duration=2m", "--seed",
                                  "7", "--out", dir + "/b", "-q"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string ja = testing::read_file(dir + "/a/report.json"), jb = testing::read_file(dir + "/b/report.json");
  EXPECT_NE(ja, jb);
  EXPECT_NE(jb.find("\"seed\": 7"), std::string::npos);
}

}  // namespace
}  // namespace sim
