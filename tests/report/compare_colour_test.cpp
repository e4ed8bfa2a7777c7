// compare colours a difference only when a reader can see it: two designs whose error rates differ
// by 1e-7 (both print "0%") and whose throughputs differ by 0.0025 % (400.70/s and 400.71/s) are
// "=", uncoloured; a p99 of 107 ms against 200 ms is worse (+93ms, +86.9%), in red.
#include <gtest/gtest.h>

#include "sim/report/compare.h"

namespace sim::report {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CompareColours, OnlyDifferencesAReaderCanSee) {
  auto design = [](const std::string& name, double throughput, double error_rate, double p99) {
    Design d;
    d.name = name;
    RunReport r;
    r.scenario.name = "s";
    r.summary.throughput = throughput;
    r.summary.error_rate = error_rate;
    r.summary.latency.p99 = p99;
    r.summary.latency.count = 100;
    d.report = r;
    return d;
  };
  std::vector<Design> designs = {design("a", 400.70, 0, 0.107), design("b", 400.71, 1e-7, 0.2)};
  Json cmp = compare_json(designs);
  std::string html = compare_html(cmp, designs);
  EXPECT_EQ(count(html, "num better"), 0u) << html;
  EXPECT_EQ(count(html, "num worse"), 1u) << html;
  EXPECT_NE(html.find("200ms <span class=\"muted\">(+93ms, +86.9%)</span>"), std::string::npos) << html;
  std::string md = compare_markdown(cmp);
  EXPECT_EQ(md.find("-0.0%"), std::string::npos) << md;
  EXPECT_EQ(md.find("+0.0%"), std::string::npos) << md;
}

TEST(CompareColours, WelchTestByHand) {
  // {1,2,3} against {4,5,6}: means 2 and 5, variances 1, se = sqrt(1/3 + 1/3) = 0.8165, t = 3.674;
  // Welch df = (2/3)^2 / (2 × (1/3)^2 / 2) = 4, t(0.975, 4) = 2.776 < 3.674: they differ.
  EXPECT_TRUE(welch_differs({1, 2, 3}, {4, 5, 6}));
  // {1,2,3} against {2,3,4}: t = 1 / 0.8165 = 1.225 < 2.776: within the noise.
  EXPECT_FALSE(welch_differs({1, 2, 3}, {2, 3, 4}));
  // No spread: they differ exactly when the means do.
  EXPECT_FALSE(welch_differs({1, 1}, {1, 1}));
  EXPECT_TRUE(welch_differs({1, 1}, {2, 2}));
  // One side without spread: df = n − 1 of the other; {0,0,0} against {1,2,3}: t = 2 / 0.577 = 3.46 < t(0.975, 2) = 4.30.
  EXPECT_FALSE(welch_differs({0, 0, 0}, {1, 2, 3}));
  EXPECT_TRUE(welch_differs({0, 0, 0}, {4, 5, 6}));  // t = 5 / 0.577 = 8.66 > 4.30
}

TEST(CompareColours, WithSeedsOnlyDifferencesBeyondTheNoise) {
  // Three seeds per design. p99: {100, 110, 120} ms against {105, 115, 125} ms: +5 ms on means of 110 and 115
  // with s = 10 ms each, t = 5 / 8.165 = 0.61: within the noise, not coloured. Throughput: {400, 401, 402}/s
  // against {450, 451, 452}/s: t = 50 / 0.816 = 61: beyond it, coloured better.
  auto report = [](double throughput, double p99) {
    RunReport r;
    r.scenario.name = std::string("s");  // a move: GCC 12 warns falsely (-Wrestrict, PR105329) on assigning a literal here
    r.summary.throughput = throughput;
    r.summary.latency.p99 = p99;
    r.summary.latency.count = 100;
    return r;
  };
  auto design = [&](const std::string& name, std::vector<double> tput, std::vector<double> p99) {
    Design d;
    d.name = name;
    for (std::size_t k = 0; k < tput.size(); ++k) d.seeds.push_back(report(tput[k], p99[k]));
    d.report = d.seeds[0];
    return d;
  };
  std::vector<Design> designs = {design("a", {400, 401, 402}, {0.100, 0.110, 0.120}),
                                 design("b", {450, 451, 452}, {0.105, 0.115, 0.125})};
  Json cmp = compare_json(designs);
  EXPECT_EQ(cmp["seeds"], 3);
  const Json* tput = nullptr;
  const Json* p99 = nullptr;
  for (const auto& m : cmp["metrics"]) {
    if (m["name"] == "throughput") tput = &m;
    if (m["name"] == "latency_p99") p99 = &m;
  }
  ASSERT_TRUE(tput && p99);
  EXPECT_DOUBLE_EQ((*p99)["values"][1].get<double>(), 0.115);
  EXPECT_EQ((*p99)["samples"][0].size(), 3u);
  EXPECT_FALSE((*p99)["difference"][1]["significant"].get<bool>());
  EXPECT_TRUE((*tput)["difference"][1]["significant"].get<bool>());
  std::string html = compare_html(cmp, designs);
  EXPECT_EQ(count(html, "num worse"), 0u) << html;
  EXPECT_EQ(count(html, "num better"), 1u) << html;
  EXPECT_NE(html.find("115ms <span class=\"muted\">(+5ms, +4.5%, within noise)</span>"), std::string::npos) << html;
  std::string md = compare_markdown(cmp);
  EXPECT_NE(md.find("3 seeds per design"), std::string::npos) << md;
  EXPECT_NE(md.find("within noise"), std::string::npos) << md;
}

}  // namespace
}  // namespace sim::report
