#pragma once
// The proleptic Gregorian calendar, one copy for every reader and writer of dates
// (trace timestamps, OpenMetrics timestamps, cron schedules).
//
// Howard Hinnant's algorithms, "chrono-Compatible Low-Level Date Algorithms"
// (https://howardhinnant.github.io/date_algorithms.html): exact for every year,
// negative ones included, without tables.

#include <cstdint>

namespace sim::core {

/// Days since 1970-01-01 of year `y`, month `m` (1..12), day `d` (1..31).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                  // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;   // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;             // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  std::int64_t year;
  int month;    ///< 1..12
  int day;      ///< 1..31
  int weekday;  ///< 0..6, Sunday 0
};

/// The date `days` after 1970-01-01 (a Thursday).
constexpr CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilDate c{};
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<std::int64_t>(yoe) + era * 400 + (c.month <= 2);
  c.weekday = static_cast<int>((days % 7 + 7 + 4) % 7);
  return c;
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2024, 1, 1) == 19723);
static_assert(civil_from_days(19723).weekday == 1);  // 2024-01-01 was a Monday
static_assert(civil_from_days(days_from_civil(2000, 2, 29)).day == 29);

}  // namespace sim::core
