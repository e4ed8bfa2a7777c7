// The one progress line every command draws: the bar, what is done, the elapsed wall time and,
// once there is a rate to carry forward, what is left (hand-computed below).
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/runs/progress.h"
#include "tests/test_util.h"

namespace sim::runs {
namespace {

TEST(ProgressLine, OneFormatWithAnEstimateOfWhatIsLeft) {
  // 3 of 10 runs in 12 s: 30 x 0.3 = 9 marks; 12 s / 0.3 - 12 s = 28 s left.
  EXPECT_EQ(progress_line("sweep", 0.3, "3/10 runs, 1 failed", 12),
            "sweep [=========                     ] 3/10 runs, 1 failed, 12s elapsed, about 28s left");
  // One run: 2m of 8m simulated in 5 s: 5 s / 0.25 - 5 s = 15 s left.
  EXPECT_EQ(progress_line("steady-state", 0.25, "2m of 8m simulated", 5),
            "steady-state [=======                       ] 2m of 8m simulated, 5s elapsed, about 15s left");
  // No estimate before there is a rate (nothing done, or under a second), nor at the end.
  EXPECT_EQ(progress_line("run", 0, "0/4 runs", 3), "run [                              ] 0/4 runs, 3s elapsed");
  EXPECT_EQ(progress_line("run", 0.5, "2/4 runs", 0.4), "run [===============               ] 2/4 runs, 0s elapsed");
  EXPECT_EQ(progress_line("run", 1, "4/4 runs", 9), "run [==============================] 4/4 runs, 9s elapsed");
  // Out of range is clamped.
  EXPECT_EQ(progress_line("x", 1.5, "y", 2), "x [==============================] y, 2s elapsed");
}

TEST(LogLevel, InfoPrintsTheTimelineAtSimulatedTimesDebugTheWindows) {
  std::string dir = testing::temp_dir("log-level");
  auto info = testing::run_infrasim({"--log-level", "info", "run", "scenarios/db-primary-failover.yaml", "--out",
                                     dir + "/a", "-q", "--set", "scenario.duration=8m"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  // The crash at 5m (300 s), at its simulated time; no window lines at info.
  EXPECT_NE(info.err.find("[  300.000000] [run] info: crash db-0: crash db.primary"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("[run] info: promote db-2: "), std::string::npos) << info.err;
  EXPECT_EQ(info.err.find("debug: window"), std::string::npos) << info.err;
  auto debug = testing::run_infrasim({"--log-level", "debug", "run", "scenarios/db-primary-failover.yaml", "--out",
                                      dir + "/b", "-q", "--set", "scenario.duration=8m"});
  EXPECT_NE(debug.err.find("[  300.000000] [run] debug: window: arrivals "), std::string::npos) << debug.err;
  // The default (warn) prints none of it.
  auto quiet = testing::run_infrasim({"run", "scenarios/db-primary-failover.yaml", "--out", dir + "/c", "-q", "--set",
                                      "scenario.duration=8m"});
  EXPECT_EQ(quiet.err, "");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sim::runs
