// The streaming histogram's error bound and the recorder's window bookkeeping.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "sim/core/random.h"
#include "sim/model/histogram.h"
#include "sim/model/recorder.h"

namespace sim::model {
namespace {

TEST(LogHistogram, QuantilesWithinRelativeError) {
  core::Rng rng(5);
  LogHistogram h;
  std::vector<double> xs;
  for (int i = 0; i < 100000; ++i) {
    double v = rng.lognormal(std::log(0.02), 1.0);
    xs.push_back(v);
    h.add(v);
  }
  std::sort(xs.begin(), xs.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double exact = xs[static_cast<std::size_t>(std::ceil(q * static_cast<double>(xs.size()))) - 1];
    EXPECT_NEAR(h.quantile(q), exact, exact * LogHistogram::kRelativeError * 1.0001) << "q=" << q;
  }
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_DOUBLE_EQ(h.max(), xs.back());
}

TEST(LogHistogram, MemoryDoesNotGrow) {
  // The size is fixed at compile time: millions of samples change nothing.
  static_assert(sizeof(LogHistogram) < 16 * 1024);
  LogHistogram h;
  for (int i = 0; i < 3000000; ++i) h.add(1e-3 * (1 + i % 1000));
  EXPECT_EQ(h.count(), 3000000u);
}

TEST(LogHistogram, CountAtMostAgreesWithTheSortedValuesAwayFromTheBound) {
  // Against the exact count of a lognormal sample: every value farther than the relative error
  // from `le` is on the right side of it.
  core::Rng rng(7);
  LogHistogram h;
  std::vector<double> xs;
  for (int i = 0; i < 20000; ++i) {
    double v = rng.lognormal(std::log(0.05), 1.2);
    xs.push_back(v);
    h.add(v);
  }
  for (double le : kLatencyBucketBounds) {
    const double e = 2 * LogHistogram::kRelativeError;
    auto below = std::count_if(xs.begin(), xs.end(), [&](double x) { return x <= le * (1 - e); });
    auto at_most = std::count_if(xs.begin(), xs.end(), [&](double x) { return x <= le * (1 + e); });
    EXPECT_GE(h.count_at_most(le), static_cast<std::uint64_t>(below)) << "le=" << le;
    EXPECT_LE(h.count_at_most(le), static_cast<std::uint64_t>(at_most)) << "le=" << le;
  }
  EXPECT_EQ(h.count_at_most(1e-9), 0u);
  EXPECT_EQ(h.count_at_most(1e9), h.count());
}

TEST(Recorder, WindowsCarryHistogramBuckets) {
  Recorder r(10, 20, 0, {"a"}, 0);
  for (double latency : {0.001, 0.004, 0.02, 0.3, 3.0, 30.0}) r.completion(1, 0, latency);
  r.completion(15, 0, 0.007);
  r.advance(20);
  RunResult out;
  r.finish(&out);
  ASSERT_EQ(out.windows.size(), 2u);
  const auto& w = out.windows[0];
  // Bounds 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10: per window, not cumulative over windows.
  EXPECT_EQ(w.latency_at_most, (std::array<std::uint64_t, 11>{2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5}));
  EXPECT_DOUBLE_EQ(w.latency_sum, 0.001 + 0.004 + 0.02 + 0.3 + 3.0 + 30.0);
  EXPECT_EQ(out.windows[1].latency_at_most[0], 0u);
  EXPECT_EQ(out.windows[1].latency_at_most[1], 1u);
}

TEST(Recorder, WindowsAcceptLateAndEarlyRecords) {
  Recorder r(10, 60, 0, {"a", "b"}, 5);
  r.arrival(1, 0);
  r.completion(12, 0, 11);  // recorded early (in the future)
  r.advance(12);
  r.failure(9, 1, FailReason::kTimeout);  // late, within the horizon
  r.arrival(25, 1);
  r.advance(60);
  RunResult out;
  r.finish(&out);
  ASSERT_EQ(out.windows.size(), 6u);
  EXPECT_EQ(out.windows[0].arrivals, 1u);
  EXPECT_EQ(out.windows[0].failed, 1u);
  EXPECT_EQ(out.windows[1].completed, 1u);
  EXPECT_EQ(out.windows[2].arrivals, 1u);
  EXPECT_EQ(out.windows[5].start, 50);
  EXPECT_EQ(r.misplaced(), 0u);
  EXPECT_EQ(out.classes[1].name, "b");
  EXPECT_EQ(out.classes[1].failures[static_cast<std::size_t>(FailReason::kTimeout)], 1u);
}

}  // namespace
}  // namespace sim::model
