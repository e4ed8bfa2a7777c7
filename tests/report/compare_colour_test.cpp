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

}  // namespace
}  // namespace sim::report
