// AWS's frequency of interruption -> an instance's MTBF (scenario.h spot_mtbf), by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/scenario/scenario.h"

namespace sim::scenario {
namespace {

TEST(SpotMtbf, FromTheMonthlyFrequencyOfInterruption) {
  const double day = 86400;
  // P(reclaimed within 30 days) = 1 − exp(−30 d / MTBF) = f.
  EXPECT_NEAR(spot_mtbf(0.05) / day, 30 / 0.0512933, 1e-3);  // Spot Instance Advisor's "<5%" band's top: 584.9 d
  EXPECT_NEAR(spot_mtbf(0.20) / day, 30 / 0.2231436, 1e-3);  // ">20%": 134.4 d
  for (double f : {0.01, 0.1, 0.5}) EXPECT_NEAR(1 - std::exp(-30 * day / spot_mtbf(f)), f, 1e-12);
}

}  // namespace
}  // namespace sim::scenario
