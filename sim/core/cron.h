#pragma once
// Cron schedules (scenario `operations: [{cron: "0 0 * * *", ...}]`; docs/operations.md "Cron jobs"):
// the five fields of crontab(5) — minute, hour, day of month, month, day of week — each `*`, a
// number, a range `a-b`, a list `a,b,c` of those, with a step `/n` after `*` or a range; months
// and days by number (1–12; 0–7, 0 and 7 are Sunday) or by their three-letter English names.
// As Vixie cron: when both day of month and day of week are restricted (neither starts with
// `*`), a day matches when either does.
//
// The run's clock: t = 0 is Monday, 1 January 2024, 00:00 (UTC), so `0 0 * * *` fires at
// t = 0, 24 h, 48 h, … and a diurnal load's `peak: 14h` is 14:00 the same day.

#include <bitset>
#include <optional>
#include <string>

namespace sim::core {

class CronSchedule {
 public:
  /// Parses `text`; on error returns nullopt and sets *error to what is wrong ("field 2 (hour): 24 is
  /// out of range 0-23").
  static std::optional<CronSchedule> parse(const std::string& text, std::string* error);
  /// The first firing time >= t (seconds since the run's start; whole minutes), or nullopt
  /// if there is none within 5 years (e.g. 30 February).
  std::optional<double> next(double t) const;
  /// Whether the minute starting at `minute` (minutes since the start) matches.
  bool matches(long long minute) const;

 private:
  std::bitset<60> minute_;
  std::bitset<24> hour_;
  std::bitset<32> dom_;    ///< 1..31
  std::bitset<13> month_;  ///< 1..12
  std::bitset<7> dow_;     ///< 0..6, Sunday = 0
  bool dom_star_ = false, dow_star_ = false;
};

}  // namespace sim::core
