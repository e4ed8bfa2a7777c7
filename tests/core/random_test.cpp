// Named random streams: independent of each other and stable across runs.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/core/distribution.h"
#include "sim/core/random.h"

namespace sim::core {
namespace {

TEST(Random, StreamsAreStableAndIndependent) {
  RngStreams a(42), b(42);
  Rng x = a.stream("arrivals");
  // Creating another stream in between must not shift "arrivals".
  Rng unrelated = b.stream("failures");
  (void)unrelated.next_u64();
  Rng y = b.stream("arrivals");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(x.next_u64(), y.next_u64());
  EXPECT_NE(a.stream_seed("arrivals"), a.stream_seed("failures"));
  EXPECT_NE(RngStreams(1).stream_seed("arrivals"), RngStreams(2).stream_seed("arrivals"));
}

TEST(Random, ExponentialMeanAndVariance) {
  Rng r(7);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    double v = r.exponential(2.0);
    sum += v;
    sum2 += v * v;
  }
  double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 2.0, 0.03);  // sd of the mean: 2/sqrt(n) = 0.0045
  EXPECT_NEAR(var, 4.0, 0.15);
}

TEST(Random, LognormalFromMeanAndP99) {
  Distribution d = Distribution::lognormal(0.020, 0.120);
  EXPECT_NEAR(d.quantile(0.99), 0.120, 1e-6);
  EXPECT_NEAR(std::exp(d.mu + d.sigma * d.sigma / 2), 0.020, 1e-12);
  Rng r(3);
  const int n = 400000;
  double sum = 0;
  int above = 0;
  for (int i = 0; i < n; ++i) {
    double v = d.sample(r);
    sum += v;
    above += v > 0.120;
  }
  EXPECT_NEAR(sum / n, 0.020, 0.0004);
  EXPECT_NEAR(static_cast<double>(above) / n, 0.01, 0.001);
}

TEST(Random, NormalQuantile) {
  EXPECT_NEAR(normal_quantile(0.5), 0, 1e-9);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(normal_quantile(0.99), 2.326347874, 1e-8);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306, 1e-8);
}

TEST(Random, EmpiricalQuantiles) {
  Distribution d = Distribution::empirical({0.004, 0.001, 0.003, 0.002});
  EXPECT_DOUBLE_EQ(d.mean, 0.0025);
  EXPECT_DOUBLE_EQ(d.quantile(0.25), 0.001);
  EXPECT_DOUBLE_EQ(d.quantile(0.5), 0.002);
  EXPECT_DOUBLE_EQ(d.quantile(0.99), 0.004);
}

}  // namespace
}  // namespace sim::core
