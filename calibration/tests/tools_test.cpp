// Unit tests of the calibration tools' pieces: service-time specs and sampling,
// busy-work calibration (CPU demand, not wall time), the open-loop schedule
// (Poisson mean gap, count bounds, per-source streams) and the HTTP parsing.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <thread>

#include "calibration/src/busy.h"
#include "calibration/src/http.h"
#include "calibration/src/schedule.h"
#include "calibration/src/service_time.h"

namespace calib {
namespace {

TEST(CalibServiceTime, ParsesEverySpec) {
  std::string err;
  auto c = ServiceTime::parse("4ms", &err);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->kind(), ServiceTime::Kind::kConstant);
  EXPECT_DOUBLE_EQ(c->mean(), 0.004);
  auto e = ServiceTime::parse("exponential:250us", &err);
  ASSERT_TRUE(e) << err;
  EXPECT_DOUBLE_EQ(e->mean(), 0.00025);
  auto u = ServiceTime::parse("uniform:2ms:6ms", &err);
  ASSERT_TRUE(u) << err;
  EXPECT_DOUBLE_EQ(u->mean(), 0.004);
  EXPECT_DOUBLE_EQ(*parse_duration("1.5s"), 1.5);
}

TEST(CalibServiceTime, RejectsBadSpecsWithTheExpectedForm) {
  for (const char* bad : {"", "fast", "4", "exponential", "exponential:0ms", "exponential:-1ms", "uniform:6ms:2ms",
                          "uniform:2ms", "lognormal:4ms", "4 ms"}) {
    std::string err;
    EXPECT_FALSE(ServiceTime::parse(bad, &err)) << bad;
    EXPECT_EQ(err, std::string("invalid service time '") + bad +
                       "'; expected a duration (4ms), exponential:MEAN or uniform:MIN:MAX, with units us, ms or s");
  }
}

TEST(CalibServiceTime, ExponentialSampleMeanAndSpread) {
  std::string err;
  auto e = ServiceTime::parse("exponential:4ms", &err);
  std::mt19937_64 rng(7);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = e->sample(rng);
    ASSERT_GE(x, 0);
    sum += x;
    sum2 += x * x;
  }
  double mean = sum / n;
  double sd = std::sqrt(sum2 / n - mean * mean);
  // Standard error of the mean: 4ms / sqrt(200000) = 9 us; allow 4 standard errors.
  EXPECT_NEAR(mean, 0.004, 4 * 0.004 / std::sqrt(n));
  EXPECT_NEAR(sd, 0.004, 0.0001);  // an exponential's standard deviation equals its mean
}

TEST(CalibBusyWork, BurnsTheRequestedCpuTime) {
  for (double want : {0.0005, 0.005, 0.02}) {
    double before = thread_cpu_seconds();
    double used = burn_cpu(want);
    double measured = thread_cpu_seconds() - before;
    EXPECT_GE(used, want);
    EXPECT_LT(used, want + 0.0005) << "overshoot above half a millisecond";
    EXPECT_NEAR(measured, used, 0.0002);
  }
}

TEST(CalibBusyWork, IsCpuDemandNotWallTime) {
  // Two threads pinned nowhere but both busy: each still burns exactly its demand of
  // its own CPU time, however the scheduler interleaves them (wall time may stretch).
  double a = 0, b = 0;
  std::thread t1([&] { a = burn_cpu(0.03); });
  std::thread t2([&] { b = burn_cpu(0.03); });
  t1.join();
  t2.join();
  EXPECT_GE(a, 0.03);
  EXPECT_LT(a, 0.0305);
  EXPECT_GE(b, 0.03);
  EXPECT_LT(b, 0.0305);
}

TEST(CalibSchedule, PoissonMeanGapAndCount) {
  const double rate = 200, duration = 500;
  auto s = make_schedule({{"", rate}}, Arrivals::kPoisson, duration, 0, 11);
  // Count ~ Poisson(100000): sd 316; allow 5 sd.
  EXPECT_NEAR(static_cast<double>(s.size()), rate * duration, 5 * std::sqrt(rate * duration));
  double sum = 0, sum2 = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    double g = s[i].time - s[i - 1].time;
    ASSERT_GE(g, 0);
    sum += g;
    sum2 += g * g;
  }
  double n = static_cast<double>(s.size() - 1);
  double mean = sum / n, cv = std::sqrt(sum2 / n - mean * mean) / mean;
  EXPECT_NEAR(mean, 1 / rate, 5 * (1 / rate) / std::sqrt(n));
  EXPECT_NEAR(cv, 1.0, 0.02);  // exponential gaps: coefficient of variation 1
  EXPECT_GE(s.front().time, 0);
  EXPECT_LT(s.back().time, duration);
}

TEST(CalibSchedule, FixedRateIsEvenlySpaced) {
  auto s = make_schedule({{"", 100}}, Arrivals::kFixed, 2.0, 0, 3);
  ASSERT_EQ(s.size(), 200u);
  EXPECT_LT(s.front().time, 0.01);
  for (std::size_t i = 1; i < s.size(); ++i) EXPECT_NEAR(s[i].time - s[i - 1].time, 0.01, 1e-9);
}

TEST(CalibSchedule, MaxRequestsKeepsTheEarliest) {
  auto all = make_schedule({{"", 100}}, Arrivals::kPoisson, 10, 0, 5);
  auto capped = make_schedule({{"", 100}}, Arrivals::kPoisson, 10, 50, 5);
  ASSERT_EQ(capped.size(), 50u);
  for (std::size_t i = 0; i < capped.size(); ++i) EXPECT_EQ(capped[i].time, all[i].time);
  EXPECT_TRUE(make_schedule({{"", 100}}, Arrivals::kPoisson, 0, 0, 5).empty());
}

TEST(CalibSchedule, SourcesAreMergedAndIndependent) {
  std::vector<Source> two = {{"127.0.0.2", 40}, {"127.0.0.3", 5}};
  auto s = make_schedule(two, Arrivals::kPoisson, 200, 0, 9);
  std::map<int, int> per;
  for (std::size_t i = 0; i < s.size(); ++i) {
    ++per[s[i].source];
    if (i > 0) {
      ASSERT_LE(s[i - 1].time, s[i].time);
    }
  }
  EXPECT_NEAR(per[0], 8000, 5 * std::sqrt(8000));
  EXPECT_NEAR(per[1], 1000, 5 * std::sqrt(1000));
  // Adding a third source leaves the first two sources' arrivals unchanged.
  std::vector<Source> three = two;
  three.push_back({"127.0.0.4", 10});
  auto s3 = make_schedule(three, Arrivals::kPoisson, 200, 0, 9);
  std::vector<double> first_a, first_b;
  for (const auto& a : s) {
    if (a.source == 0) first_a.push_back(a.time);
  }
  for (const auto& a : s3) {
    if (a.source == 0) first_b.push_back(a.time);
  }
  EXPECT_EQ(first_a, first_b);
}

TEST(CalibHttp, ParsesRequestHeads) {
  bool bad = false;
  EXPECT_FALSE(parse_request("GET /work HTTP/1.1\r\nHost: x\r\n", &bad));
  EXPECT_FALSE(bad);
  auto r = parse_request("GET /work HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET", &bad);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/work");
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(r->length, 50u);  // 20 + 9 + 19 + 2 bytes: the next request starts after it
  // nginx's default upstream protocol is HTTP/1.0 without keep-alive.
  r = parse_request("GET /work HTTP/1.0\r\nHost: backend\r\n\r\n", &bad);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->keep_alive);
  r = parse_request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", &bad);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->keep_alive);
  EXPECT_FALSE(parse_request("NONSENSE\r\n\r\n", &bad));
  EXPECT_TRUE(bad);
  EXPECT_FALSE(parse_request("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", &bad));
  EXPECT_TRUE(bad);
}

TEST(CalibHttp, RoundTripsAResponse) {
  std::string text = make_response(200, "OK", "b1", "done\n", false);
  bool bad = false;
  auto h = parse_response(text, &bad);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->backend, "b1");
  EXPECT_TRUE(h->has_content_length);
  EXPECT_EQ(h->content_length, 5u);
  EXPECT_EQ(h->head_length + h->content_length, text.size());
  h = parse_response("HTTP/1.1 503 Service Temporarily Unavailable\r\nServer: nginx\r\n\r\n", &bad);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 503);
  EXPECT_FALSE(h->has_content_length);
  EXPECT_FALSE(parse_response("garbage\r\n\r\n", &bad));
  EXPECT_TRUE(bad);
}

}  // namespace
}  // namespace calib
