// Keyed rate limits (model/rate_limit.h) and the client population
// (model/clients.h), against hand-computed counts.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "sim/model/clients.h"
#include "sim/model/rate_limit.h"

namespace sim::model {
namespace {

topology::RateLimit limit_req(double rate, int burst, topology::RateLimit::Key key) {
  topology::RateLimit l;
  l.rate = rate;
  l.burst = burst;
  l.key = key;
  return l;
}

// Three clients send evenly spaced requests for 100 s: A at 50/s, B at 5/s, C at 2/s.
// Returns the requests admitted per client.
std::array<int, 3> three_clients(KeyedLimiter& lim) {
  std::array<int, 3> admitted{};
  const double period[3] = {0.02, 0.2, 0.5};
  // Merge the three arrival sequences in time order (ties: A, B, C).
  std::array<int, 3> next{};
  for (;;) {
    int who = -1;
    double t = 1e18;
    for (int c = 0; c < 3; ++c) {
      double tc = next[c] * period[c];
      if (tc < 100 - 1e-9 && tc < t - 1e-12) {
        t = tc;
        who = c;
      }
    }
    if (who < 0) break;
    ++next[who];
    if (lim.admit(t, static_cast<std::uint32_t>(who), 0).has_value()) ++admitted[who];
  }
  return admitted;
}

TEST(KeyedLimiter, PerClientLimitStopsOnlyTheClientAboveItsRate) {
  // limit_req 10 r/s, burst 0, per address. A (50/s): the first request, then one per 0.1 s
  // (the excess is back to 0 after 1/rate): 100 s × 10 = 1000. B (5/s) and C (2/s) are below
  // the rate: every request passes, 500 and 200.
  KeyedLimiter lim(limit_req(10, 0, topology::RateLimit::Key::kClient), 3, {"r"});
  auto a = three_clients(lim);
  EXPECT_EQ(a[0], 1000);
  EXPECT_EQ(a[1], 500);
  EXPECT_EQ(a[2], 200);
}

TEST(KeyedLimiter, AGlobalLimitAtTheSameRateHurtsEveryone) {
  // One bucket for all: 57/s offered, 10/s pass in all — B and C now lose requests too.
  KeyedLimiter lim(limit_req(10, 0, topology::RateLimit::Key::kGlobal), 3, {"r"});
  auto a = three_clients(lim);
  EXPECT_NEAR(a[0] + a[1] + a[2], 1000, 1);
  EXPECT_LT(a[1], 500);
  EXPECT_LT(a[2], 200);
}

TEST(KeyedLimiter, DelayHoldsTheExcessAboveDelayAndRejectsAboveTheBurst) {
  // rate 1/s, burst 5, delay 2, seven requests at t = 0 (nginx ngx_http_limit_req_account):
  // excess 0, 1, 2 -> no delay; 3, 4, 5 -> (e − 2) / 1 s = 1, 2, 3 s; 6 > burst -> rejected.
  topology::RateLimit l = limit_req(1, 5, topology::RateLimit::Key::kGlobal);
  l.nodelay = false;
  l.delay = 2;
  KeyedLimiter lim(l, 0, {"r"});
  const double expected[] = {0, 0, 0, 1, 2, 3};
  for (double d : expected) {
    auto got = lim.admit(0, 0, 0);
    ASSERT_TRUE(got);
    EXPECT_DOUBLE_EQ(*got, d);
  }
  EXPECT_FALSE(lim.admit(0, 0, 0).has_value());
}

TEST(KeyedLimiter, ClassesFilterAndClassKeys) {
  topology::RateLimit l = limit_req(1, 0, topology::RateLimit::Key::kClass);
  l.classes = {"auth", "api"};
  KeyedLimiter lim(l, 0, {"static", "api", "auth"});
  EXPECT_TRUE(lim.admit(0, 0, 1).has_value());   // api: its own bucket
  EXPECT_TRUE(lim.admit(0, 0, 2).has_value());   // auth: its own bucket
  EXPECT_FALSE(lim.admit(0, 0, 1).has_value());  // api again at once: over
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(lim.admit(0, 0, 0).has_value());  // static: not limited
}

TEST(KeyedLimiter, SlidingWindowAllowsTheRequestsPerWindow) {
  // A WAF's 60 per minute, one client sending 2/s for 3 minutes. First window: the first
  // 60 requests (30 s) pass. Later windows see the previous one weighted by what is left
  // of it: 60·(1 − f) + current < 60 lets through about 60·f by the fraction f: 60 more
  // per window (± 1 at the edges).
  topology::RateLimit l;
  l.window = 60;
  l.requests = 60;
  l.key = topology::RateLimit::Key::kClient;
  KeyedLimiter lim(l, 1, {"r"});
  int first = 0, total = 0;
  for (int i = 0; i < 360; ++i) {
    double t = i * 0.5;
    if (lim.admit(t, 0, 0).has_value()) {
      ++total;
      if (t < 60) ++first;
    }
  }
  EXPECT_EQ(first, 60);
  EXPECT_GE(total, 178);
  EXPECT_LE(total, 181);
}

TEST(ClientPopulation, ZipfActivityWithinAGroup) {
  // Group "abuser" 1 client, 40 %; "users" 3 clients, 60 %, Zipf 1: 1/H3 = 6/11, 3/11, 2/11 of 60 %.
  ClientPopulation p({{"abuser", 1, 0.4, 0, {}}, {"users", 3, 0.6, 1.0, {}}});
  EXPECT_EQ(p.size(), 4u);
  EXPECT_DOUBLE_EQ(p.share_of(0), 0.4);
  EXPECT_NEAR(p.share_of(1), 0.6 * 6 / 11, 1e-12);
  EXPECT_NEAR(p.share_of(2), 0.6 * 3 / 11, 1e-12);
  EXPECT_NEAR(p.share_of(3), 0.6 * 2 / 11, 1e-12);
  EXPECT_EQ(p.draw(0.0), 0u);
  EXPECT_EQ(p.draw(0.3999), 0u);
  EXPECT_EQ(p.draw(0.4 + 0.6 * 0.5), 1u);    // within users: 0.5 < 6/11
  EXPECT_EQ(p.draw(0.4 + 0.6 * 0.6), 2u);    // 6/11 <= 0.6 < 9/11
  EXPECT_EQ(p.draw(0.4 + 0.6 * 0.95), 3u);
  // Drawn with evenly spread u, the counts follow the shares.
  std::array<int, 4> n{};
  const int draws = 110000;
  for (int i = 0; i < draws; ++i) ++n[p.draw((i + 0.5) / draws)];
  for (std::uint32_t c = 0; c < 4; ++c) EXPECT_NEAR(n[c], draws * p.share_of(c), 2) << c;
}

TEST(ClientPopulation, CountsPerGroupAndTopClient) {
  ClientPopulation p({{"abuser", 1, 0.5, 0, {}}, {"users", 10, 0.5, 0, {}}});
  p.count(0, ClientPopulation::Outcome::kGenerated);
  p.count(0, ClientPopulation::Outcome::kRateLimited);
  p.count(5, ClientPopulation::Outcome::kGenerated);
  p.count(5, ClientPopulation::Outcome::kCompleted);
  auto s = p.stats();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].rate_limited, 1u);
  EXPECT_EQ(s[0].failed, 1u);
  EXPECT_EQ(s[0].top_client_rate_limited, 1u);
  EXPECT_EQ(s[1].completed, 1u);
  EXPECT_EQ(s[1].top_client_generated, 0u);  // client 5 is not the group's first
}

}  // namespace
}  // namespace sim::model
