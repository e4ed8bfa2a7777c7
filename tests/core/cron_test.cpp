// Cron schedules (core/cron.h) against crontab(5) by hand. The run's clock starts on
// Monday, 1 January 2024, 00:00.
#include <gtest/gtest.h>

#include "sim/core/cron.h"

namespace sim::core {
namespace {

constexpr double kMin = 60, kHour = 3600, kDay = 86400;

CronSchedule parse(const std::string& text) {
  std::string error;
  auto s = CronSchedule::parse(text, &error);
  EXPECT_TRUE(s.has_value()) << text << ": " << error;
  return s.value_or(CronSchedule{});
}

std::string error_of(const std::string& text) {
  std::string error;
  EXPECT_FALSE(CronSchedule::parse(text, &error).has_value()) << text;
  return error;
}

TEST(Cron, DailyAtMidnightAsSeed000) {
  CronSchedule s = parse("0 0 * * *");  // seed 000's vercel.json: /api/cron/cleanup
  EXPECT_EQ(s.next(0), 0);
  EXPECT_EQ(s.next(1), kDay);
  EXPECT_EQ(s.next(kDay + 1), 2 * kDay);
}

TEST(Cron, StepsListsAndRanges) {
  CronSchedule every15 = parse("*/15 * * * *");
  EXPECT_EQ(every15.next(1), 15 * kMin);
  EXPECT_EQ(every15.next(50 * kMin), kHour);
  CronSchedule list = parse("5,35 9-17/4 * * *");  // 09:05, 09:35, 13:05, 13:35, 17:05, 17:35
  EXPECT_EQ(list.next(0), 9 * kHour + 5 * kMin);
  EXPECT_EQ(list.next(9 * kHour + 6 * kMin), 9 * kHour + 35 * kMin);
  EXPECT_EQ(list.next(9 * kHour + 36 * kMin), 13 * kHour + 5 * kMin);
  EXPECT_EQ(list.next(17 * kHour + 36 * kMin), kDay + 9 * kHour + 5 * kMin);
  CronSchedule offset = parse("5/20 * * * *");  // 5, 25, 45
  EXPECT_EQ(offset.next(26 * kMin), 45 * kMin);
}

TEST(Cron, DaysOfTheWeekAndNames) {
  // 2024-01-01 is a Monday: weekdays at 08:30 skip Saturday 6 and Sunday 7 January.
  CronSchedule weekdays = parse("30 8 * * mon-fri");
  EXPECT_EQ(weekdays.next(0), 8 * kHour + 30 * kMin);
  EXPECT_EQ(weekdays.next(4 * kDay + 9 * kHour), 7 * kDay + 8 * kHour + 30 * kMin);  // Fri after 08:30 -> Mon 8 Jan
  CronSchedule sunday = parse("0 3 * * 0");
  EXPECT_EQ(sunday.next(0), 6 * kDay + 3 * kHour);  // Sunday 7 January
  EXPECT_EQ(parse("0 3 * * 7").next(0), 6 * kDay + 3 * kHour);  // 7 is Sunday too
  EXPECT_EQ(parse("0 3 * * fri-sun").next(5 * kDay), 5 * kDay + 3 * kHour);  // Saturday 6 January
  // "0-7" is every day (Vixie cron; 7 is Sunday again, the range's end): Tuesday 2 January too.
  EXPECT_EQ(parse("0 3 * * 0-7").next(kDay), kDay + 3 * kHour);
  EXPECT_EQ(parse("0 3 * * 0-0").next(kDay), 6 * kDay + 3 * kHour);  // Sunday only
}

TEST(Cron, MonthsAndDaysOfTheMonth) {
  CronSchedule first = parse("0 0 1 * *");
  EXPECT_EQ(first.next(1), 31 * kDay);  // 1 February
  CronSchedule feb29 = parse("0 12 29 feb *");  // 2024 is a leap year: day 59 is 29 February
  EXPECT_EQ(feb29.next(0), 59 * kDay + 12 * kHour);
  CronSchedule never = parse("0 0 30 2 *");
  EXPECT_FALSE(never.next(0).has_value());
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // Vixie cron: "0 0 13 * 5" fires on every 13th and on every Friday. In January 2024 the
  // first Friday is the 5th (day 4), then the 12th (day 11), then Saturday the 13th (day 12).
  CronSchedule s = parse("0 0 13 * 5");
  EXPECT_EQ(s.next(0), 4 * kDay);
  EXPECT_EQ(s.next(4 * kDay + 1), 11 * kDay);
  EXPECT_EQ(s.next(11 * kDay + 1), 12 * kDay);
  // With a `*` day of week only the day of the month counts.
  EXPECT_EQ(parse("0 0 13 * *").next(0), 12 * kDay);
}

TEST(Cron, BadSchedulesSayWhat) {
  EXPECT_EQ(error_of("0 0 * *"), "4 fields, not 5");
  EXPECT_EQ(error_of("0 24 * * *"), "field 2 (hour): 24 is out of range 0-23");
  EXPECT_EQ(error_of("60 * * * *"), "field 1 (minute): 60 is out of range 0-59");
  EXPECT_EQ(error_of("0 0 0 * *"), "field 3 (day of month): 0 is out of range 1-31");
  EXPECT_EQ(error_of("0 0 * 13 *"), "field 4 (month): 13 is out of range 1-12");
  EXPECT_EQ(error_of("0 0 * * 8"), "field 5 (day of week): 8 is out of range 0-7");
  EXPECT_EQ(error_of("*/0 * * * *"), "field 1 (minute): a step of 0");
  EXPECT_EQ(error_of("0 17-9 * * *"), "field 2 (hour): the range 17-9 runs backwards");
  EXPECT_EQ(error_of("0 0 * * funday"), "field 5 (day of week): unknown name 'funday'");
  EXPECT_EQ(error_of("0 x * * *"), "field 2 (hour): 'x' is not a number");
  EXPECT_EQ(error_of("0 1,,2 * * *"), "field 2 (hour): an empty value");
}

}  // namespace
}  // namespace sim::core
