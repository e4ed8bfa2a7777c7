#include "sim/core/cron.h"

#include <array>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <vector>

#include "sim/core/calendar.h"

namespace sim::core {

namespace {

struct Field {
  const char* name;
  int lo, hi;
  const char* const* names;  ///< lo-based names, or nullptr
};

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::optional<int> value(const std::string& s, const Field& f, std::string* error) {
  if (s.empty()) {
    *error = fmt::format("{}: an empty value", f.name);
    return std::nullopt;
  }
  if (f.names && std::isalpha(static_cast<unsigned char>(s[0]))) {
    std::string low;
    for (char c : s) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    int count = f.lo == 1 ? 12 : 7;
    for (int i = 0; i < count; ++i) {
      if (low == f.names[i]) return f.lo == 1 ? i + 1 : i;
    }
    *error = fmt::format("{}: unknown name '{}'", f.name, s);
    return std::nullopt;
  }
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || v > 1000) {
      *error = fmt::format("{}: '{}' is not a number", f.name, s);
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  int hi = f.hi == 6 ? 7 : f.hi;  // day of week: 7 is Sunday too
  if (v < f.lo || v > hi) {
    *error = fmt::format("{}: {} is out of range {}-{}", f.name, v, f.lo, hi);
    return std::nullopt;
  }
  return v == 7 && f.hi == 6 ? 0 : v;
}

// One field into `bits` (indexed by value). Returns false with *error set.
template <std::size_t N>
bool parse_field(const std::string& text, const Field& f, std::bitset<N>* bits, std::string* error) {
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int step = 1;
    std::size_t slash = item.find('/');
    std::string range = item.substr(0, slash);
    if (slash != std::string::npos) {
      Field steps{f.name, 1, 1000, nullptr};
      std::string s = item.substr(slash + 1);
      auto v = value(s, steps, error);
      if (!v) {
        if (error->find("out of range") != std::string::npos) *error = fmt::format("{}: a step of 0", f.name);
        return false;
      }
      step = *v;
    }
    int lo = f.lo, hi = f.hi;
    if (range == "*") {
      // every value
    } else {
      std::size_t dash = range.find('-', 1);
      auto a = value(range.substr(0, dash), f, error);
      if (!a) return false;
      lo = hi = *a;
      if (dash != std::string::npos) {
        auto b = value(range.substr(dash + 1), f, error);
        if (!b) return false;
        hi = *b;
        // "5-7", "fri-sun", "0-7": up to Sunday (7 reads as 0; a range ending there means the week's end)
        if (f.hi == 6 && hi == 0 && (*a > 0 || range.substr(dash + 1) == "7")) hi = 7;
        if (hi < lo) {
          *error = fmt::format("{}: the range {} runs backwards", f.name, range);
          return false;
        }
      } else if (slash != std::string::npos) {
        hi = f.hi;  // "5/15": from 5 to the end, as Vixie cron reads it
      }
    }
    for (int v = lo; v <= hi; v += step) bits->set(static_cast<std::size_t>(v == 7 && f.hi == 6 ? 0 : v));
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

struct Civil {
  int month, day, weekday;  ///< 1..12, 1..31, 0..6 (Sunday 0)
};

Civil civil_of_day(long long day) {  // day 0 = 2024-01-01
  const CivilDate c = civil_from_days(days_from_civil(2024, 1, 1) + day);
  return Civil{c.month, c.day, c.weekday};
}

}  // namespace

std::optional<CronSchedule> CronSchedule::parse(const std::string& text, std::string* error) {
  std::vector<std::string> fields;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) fields.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) fields.push_back(cur);
  if (fields.size() != 5) {
    *error = fmt::format("{} field{}, not 5", fields.size(), fields.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  CronSchedule s;
  static const std::array<Field, 5> kFields = {Field{"field 1 (minute)", 0, 59, nullptr},
                                               Field{"field 2 (hour)", 0, 23, nullptr},
                                               Field{"field 3 (day of month)", 1, 31, nullptr},
                                               Field{"field 4 (month)", 1, 12, kMonths},
                                               Field{"field 5 (day of week)", 0, 6, kDays}};
  if (!parse_field(fields[0], kFields[0], &s.minute_, error)) return std::nullopt;
  if (!parse_field(fields[1], kFields[1], &s.hour_, error)) return std::nullopt;
  if (!parse_field(fields[2], kFields[2], &s.dom_, error)) return std::nullopt;
  if (!parse_field(fields[3], kFields[3], &s.month_, error)) return std::nullopt;
  std::bitset<8> dow;
  if (!parse_field(fields[4], kFields[4], &dow, error)) return std::nullopt;
  for (int i = 0; i < 7; ++i) s.dow_[static_cast<std::size_t>(i)] = dow[static_cast<std::size_t>(i)];
  s.dom_star_ = fields[2][0] == '*';
  s.dow_star_ = fields[4][0] == '*';
  return s;
}

bool CronSchedule::matches(long long minute) const {
  long long day = minute / 1440;
  int in_day = static_cast<int>(minute % 1440);
  if (!minute_[static_cast<std::size_t>(in_day % 60)] || !hour_[static_cast<std::size_t>(in_day / 60)]) return false;
  Civil c = civil_of_day(day);
  if (!month_[static_cast<std::size_t>(c.month)]) return false;
  bool dom = dom_[static_cast<std::size_t>(c.day)], dow = dow_[static_cast<std::size_t>(c.weekday)];
  if (dom_star_ || dow_star_) return dom && dow;  // a `*` field matches every day: the other decides
  return dom || dow;
}

std::optional<double> CronSchedule::next(double t) const {
  long long m = static_cast<long long>(std::ceil(t / 60 - 1e-9));
  const long long limit = m + 5LL * 366 * 1440;
  while (m < limit) {
    long long day = m / 1440;
    Civil c = civil_of_day(day);
    bool day_ok = month_[static_cast<std::size_t>(c.month)];
    if (day_ok) {
      bool dom = dom_[static_cast<std::size_t>(c.day)], dow = dow_[static_cast<std::size_t>(c.weekday)];
      day_ok = (dom_star_ || dow_star_) ? (dom && dow) : (dom || dow);
    }
    if (!day_ok) {
      m = (day + 1) * 1440;
      continue;
    }
    if (matches(m)) return static_cast<double>(m) * 60;
    ++m;
  }
  return std::nullopt;
}

}  // namespace sim::core
