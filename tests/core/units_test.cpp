// Unit parsing and formatting: every unit the YAML files accept.
#include <gtest/gtest.h>

#include "sim/core/units.h"

namespace sim::core {
namespace {

TEST(Units, Durations) {
  EXPECT_DOUBLE_EQ(*parse_duration("250us"), 250e-6);
  EXPECT_DOUBLE_EQ(*parse_duration("5ms"), 5e-3);
  EXPECT_DOUBLE_EQ(*parse_duration("10s"), 10);
  EXPECT_DOUBLE_EQ(*parse_duration("5m"), 300);
  EXPECT_DOUBLE_EQ(*parse_duration("24h"), 86400);
  EXPECT_DOUBLE_EQ(*parse_duration("7d"), 7 * 86400);
  EXPECT_DOUBLE_EQ(*parse_duration("1h30m"), 5400);
  EXPECT_DOUBLE_EQ(*parse_duration("1.5s"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_duration("0"), 0);
  EXPECT_DOUBLE_EQ(*parse_duration(" 2min "), 120);
}

TEST(Units, RejectsBadDurations) {
  std::string expected;
  EXPECT_FALSE(parse_duration("fast", &expected));
  EXPECT_EQ(expected, "a duration with a unit like 250us, 5ms, 10s, 5m, 24h or 7d");
  EXPECT_FALSE(parse_duration("10"));     // a bare number is ambiguous
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("5 parsecs"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("1e400s"));
  EXPECT_FALSE(parse_duration("nans"));
}

TEST(Units, Rates) {
  EXPECT_DOUBLE_EQ(*parse_rate("500/s"), 500);
  EXPECT_DOUBLE_EQ(*parse_rate("30000/min"), 500);
  EXPECT_DOUBLE_EQ(*parse_rate("1000/h"), 1000.0 / 3600);
  EXPECT_DOUBLE_EQ(*parse_rate("10r/s"), 10);
  EXPECT_DOUBLE_EQ(*parse_rate("60/m"), 1);
  EXPECT_FALSE(parse_rate("500"));
  EXPECT_FALSE(parse_rate("500/fortnight"));
  EXPECT_FALSE(parse_rate("-1/s"));
}

TEST(Units, Sizes) {
  EXPECT_DOUBLE_EQ(*parse_size("4GiB"), 4.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*parse_size("500GB"), 500e9);
  EXPECT_DOUBLE_EQ(*parse_size("512MB"), 512e6);
  EXPECT_DOUBLE_EQ(*parse_size("1TB"), 1e12);
  EXPECT_FALSE(parse_size("1024"));
  EXPECT_FALSE(parse_size("4 gigs"));
}

TEST(Units, Bandwidth) {
  EXPECT_DOUBLE_EQ(*parse_bandwidth("1Gbps"), 1.25e8);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("100Mbps"), 1.25e7);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("200MB/s"), 2e8);
  EXPECT_FALSE(parse_bandwidth("0Gbps"));
  EXPECT_FALSE(parse_bandwidth("fast"));
}

TEST(Units, RatiosAndFactors) {
  EXPECT_DOUBLE_EQ(*parse_ratio("70%"), 0.7);
  EXPECT_DOUBLE_EQ(*parse_ratio("0.7"), 0.7);
  EXPECT_DOUBLE_EQ(*parse_ratio("0"), 0);
  EXPECT_FALSE(parse_ratio("170%"));
  EXPECT_FALSE(parse_ratio("1.5"));
  EXPECT_FALSE(parse_ratio("-1%"));
  EXPECT_DOUBLE_EQ(*parse_factor("2.5x"), 2.5);
  EXPECT_DOUBLE_EQ(*parse_factor("250%"), 2.5);
  EXPECT_DOUBLE_EQ(*parse_factor("3"), 3);
  EXPECT_FALSE(parse_factor("0"));
}

TEST(Units, Formatting) {
  EXPECT_EQ(format_duration(15 * 60), "15m");
  EXPECT_EQ(format_duration(22 * 60), "22m");
  EXPECT_EQ(format_duration(108), "1m48s");
  EXPECT_EQ(format_duration(0.0125), "12.5ms");
  EXPECT_EQ(format_duration(250e-6), "250us");
  EXPECT_EQ(format_duration(4 * 3600 + 300), "4h5m");
  EXPECT_EQ(format_duration(2.5), "2.5s");
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_rate(500), "500/s");
  EXPECT_EQ(format_ratio(0.01), "1%");
  EXPECT_EQ(format_size(4.0 * 1024 * 1024 * 1024), "4GiB");
  EXPECT_EQ(format_bandwidth(1.25e8), "1Gbps");
}

}  // namespace
}  // namespace sim::core
