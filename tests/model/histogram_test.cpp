// The streaming histogram's error bound and the recorder's window bookkeeping.
#include <gtest/gtest.h>

#include <algorithm>
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
