// Load balancer choice and nginx limit_req, against counts worked out by hand.
#include <gtest/gtest.h>

#include <map>

#include "sim/model/balancer.h"

namespace sim::model {
namespace {

using topology::LbAlgorithm;

std::vector<BackendView> backends(int n) { return std::vector<BackendView>(static_cast<std::size_t>(n)); }

TEST(Balancer, RoundRobinExactCounts) {
  Balancer b(LbAlgorithm::kRoundRobin, core::Rng(1));
  auto v = backends(3);
  std::vector<int> seq;
  for (int i = 0; i < 7; ++i) seq.push_back(*b.choose(v));
  EXPECT_EQ(seq, (std::vector<int>{0, 1, 2, 0, 1, 2, 0}));
  // A backend marked down is skipped; the cycle continues over the others.
  v[1].eligible = false;
  seq.clear();
  for (int i = 0; i < 4; ++i) seq.push_back(*b.choose(v));
  EXPECT_EQ(seq, (std::vector<int>{2, 0, 2, 0}));
}

TEST(Balancer, SmoothWeightedRoundRobinLikeNginx) {
  // nginx's documented example: weights 5, 1, 1 give a a b a c a a (smooth, not aaaaa b c).
  Balancer b(LbAlgorithm::kWeighted, core::Rng(1));
  auto v = backends(3);
  v[0].weight = 5;
  std::string seq;
  for (int i = 0; i < 7; ++i) seq += static_cast<char>('a' + *b.choose(v));
  EXPECT_EQ(seq, "aabacaa");
  // Seed 001's nginx weights 3 and 2: exactly 3 of every 5.
  Balancer w(LbAlgorithm::kWeighted, core::Rng(1));
  auto two = backends(2);
  two[0].weight = 3;
  two[1].weight = 2;
  std::map<int, int> n;
  for (int i = 0; i < 500; ++i) ++n[*w.choose(two)];
  EXPECT_EQ(n[0], 300);
  EXPECT_EQ(n[1], 200);
}

TEST(Balancer, LeastConnPicksFewestAndRotatesTies) {
  Balancer b(LbAlgorithm::kLeastConn, core::Rng(1));
  auto v = backends(3);
  v[0].active = 5;
  v[1].active = 2;
  v[2].active = 2;
  EXPECT_EQ(*b.choose(v), 1);
  EXPECT_EQ(*b.choose(v), 2);  // tie: the next in turn
  v[2].active = 9;
  EXPECT_EQ(*b.choose(v), 1);
}

TEST(Balancer, BackupOnlyWhenPrimariesAreDown) {
  Balancer b(LbAlgorithm::kRoundRobin, core::Rng(1));
  auto v = backends(3);
  v[2].backup = true;
  for (int i = 0; i < 10; ++i) EXPECT_NE(*b.choose(v), 2);
  v[0].eligible = v[1].eligible = false;
  EXPECT_EQ(*b.choose(v), 2);
  v[2].eligible = false;
  EXPECT_FALSE(b.choose(v).has_value());  // 503
}

TEST(Balancer, PowerOfTwoNeverPicksTheBusiestOfThree) {
  Balancer b(LbAlgorithm::kPowerOfTwo, core::Rng(7));
  auto v = backends(3);
  v[0].active = 10;
  v[1].active = 1;
  v[2].active = 3;
  // Of any two distinct backends, the less busy one wins: backend 0 never can.
  for (int i = 0; i < 1000; ++i) EXPECT_NE(*b.choose(v), 0);
}

TEST(Balancer, RandomIsRoughlyUniform) {
  Balancer b(LbAlgorithm::kRandom, core::Rng(3));
  auto v = backends(4);
  std::map<int, int> n;
  for (int i = 0; i < 40000; ++i) ++n[*b.choose(v)];
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(n[i], 10000, 400);  // sd = sqrt(40000·0.25·0.75) ≈ 87
}

TEST(RateLimiter, NginxLimitReqBurstThenRate) {
  // "1000 requests per minute, burst 50" (seed 002): 51 pass at one instant, the rest are rejected.
  RateLimiter r(1000.0 / 60.0, 50);
  int passed = 0;
  for (int i = 0; i < 100; ++i) passed += r.admit(0.0);
  EXPECT_EQ(passed, 51);
  // One minute later the bucket has drained 1000 requests' worth: full burst again.
  passed = 0;
  for (int i = 0; i < 100; ++i) passed += r.admit(60.0);
  EXPECT_EQ(passed, 51);
}

TEST(RateLimiter, SteadyOverloadPassesExactlyTheRate) {
  // 10 r/s, burst 0, offered 100 r/s for 10 s: the first request at t=0 passes, then
  // one per 0.1 s: t = 0, 0.1, ..., 9.9 -> 100 accepted of 1000.
  RateLimiter r(10, 0);
  int passed = 0;
  for (int i = 0; i < 1000; ++i) passed += r.admit(i * 0.01);
  EXPECT_EQ(passed, 100);
}

TEST(CacheWarmup, HitRatioRisesWithTimeConstant) {
  EXPECT_DOUBLE_EQ(warming_hit_ratio(0.8, 60, 100, std::nullopt), 0.8);
  EXPECT_DOUBLE_EQ(warming_hit_ratio(0.8, 60, 100, 100.0), 0.0);
  EXPECT_NEAR(warming_hit_ratio(0.8, 60, 160, 100.0), 0.8 * (1 - std::exp(-1.0)), 1e-12);
  EXPECT_NEAR(warming_hit_ratio(0.8, 60, 400, 100.0), 0.8 * (1 - std::exp(-5.0)), 1e-12);
}

}  // namespace
}  // namespace sim::model
