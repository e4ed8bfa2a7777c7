// Backoff waits against the AWS Architecture Blog's formulas ("Exponential Backoff And Jitter").
#include <gtest/gtest.h>

#include "sim/engine/resilience.h"

namespace sim::engine {
namespace {

using topology::Backoff;
using topology::Jitter;
using topology::RetryPolicy;

RetryPolicy policy(Backoff::Kind kind, double base, double max, Jitter j = Jitter::kNone) {
  RetryPolicy r;
  r.backoff.kind = kind;
  r.backoff.base = base;
  r.backoff.max = max;
  r.jitter = j;
  return r;
}

TEST(Backoff, ConstantLinearAndExponentialWithTheirCap) {
  core::Rng rng(1);
  RetryPolicy c = policy(Backoff::Kind::kConstant, 1, 1);
  EXPECT_DOUBLE_EQ(Resilience::wait(c, 1, 0, rng), 1);
  EXPECT_DOUBLE_EQ(Resilience::wait(c, 7, 0, rng), 1);
  // seed 000's ioredis retryStrategy: min(times * 50, 2000) ms
  RetryPolicy l = policy(Backoff::Kind::kLinear, 0.05, 2);
  for (int n = 1; n <= 60; ++n) EXPECT_DOUBLE_EQ(Resilience::wait(l, n, 0, rng), std::min(n * 0.05, 2.0)) << n;
  RetryPolicy e = policy(Backoff::Kind::kExponential, 0.1, 20);
  EXPECT_DOUBLE_EQ(Resilience::wait(e, 1, 0, rng), 0.1);
  EXPECT_DOUBLE_EQ(Resilience::wait(e, 2, 0, rng), 0.2);
  EXPECT_DOUBLE_EQ(Resilience::wait(e, 5, 0, rng), 1.6);
  EXPECT_DOUBLE_EQ(Resilience::wait(e, 30, 0, rng), 20);
}

TEST(Backoff, JittersStayInTheirRangesWithTheirMeans) {
  core::Rng rng(7);
  const double b = 0.1 * 8;  // exponential, retry 4: 800 ms
  for (Jitter j : {Jitter::kFull, Jitter::kEqual}) {
    RetryPolicy r = policy(Backoff::Kind::kExponential, 0.1, 20, j);
    double sum = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
      double w = Resilience::wait(r, 4, 0, rng);
      ASSERT_GE(w, j == Jitter::kFull ? 0 : b / 2);
      ASSERT_LE(w, b);
      sum += w;
    }
    // full: uniform(0, b), mean b/2; equal: b/2 + uniform(0, b/2), mean 3b/4
    EXPECT_NEAR(sum / n, j == Jitter::kFull ? b / 2 : 0.75 * b, 0.01 * b);
  }
  // decorrelated: min(cap, uniform(base, 3 * previous))
  RetryPolicy d = policy(Backoff::Kind::kExponential, 0.1, 2, Jitter::kDecorrelated);
  double prev = 0;
  for (int i = 0; i < 1000; ++i) {
    double w = Resilience::wait(d, i + 1, prev, rng);
    ASSERT_GE(w, 0.1);
    ASSERT_LE(w, std::min(2.0, 3 * std::max(prev, 0.1)));
    prev = w;
  }
}

TEST(Backoff, NoJitterDrawsNoRandomNumber) {
  // Determinism: a policy without jitter leaves the flow's random stream untouched.
  core::Rng a(3), b(3);
  Resilience::wait(policy(Backoff::Kind::kExponential, 0.1, 20), 3, 0, a);
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

}  // namespace
}  // namespace sim::engine
