#include "sim/trace/trace.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <string_view>

#include "sim/core/calendar.h"
#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/trace/input.h"

namespace sim::trace {
namespace {

using core::Diagnostics;
using scenario::TraceSpec;

// Where a problem with the trace as a whole (its file, its window) is reported: at the trace's entry in the
// scenario when there is one, else at the trace file itself.
core::SourcePos where_of(const TraceSpec& spec) {
  if (!spec.pos.file.empty()) return spec.pos;
  return {spec.path, 0, 0};
}

// A duration for messages: "1m30s", or "3d4h (274620s)" where the short form rounds.
std::string span_text(double seconds) {
  std::string human = core::format_duration(seconds);
  auto back = core::parse_duration(human);
  if (back && std::fabs(*back - seconds) <= 1e-9 * std::max(1.0, seconds)) return human;
  return fmt::format("{} ({}s)", human, core::format_number(seconds, 15));
}

// Text from a file as shown in a message: at most 40 bytes, control and non-ASCII bytes as '?'.
std::string shown(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, 40)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c < 0x20 || c >= 0x7f ? '?' : ch);
  }
  if (text.size() > 40) out += "...";
  return out;
}

constexpr const char* kTimeForms = "unix seconds, or a date like 2014-04-10 00:04:00";

// ---- the window -----------------------------------------------------------------------------------------

struct Window {
  std::int64_t first = 0;
  std::int64_t count = -1;  // -1 = to the end of the trace
  std::int64_t end() const { return count < 0 ? INT64_MAX : first + count; }
};

// spec.start and spec.length as whole bins of `width` seconds.
std::optional<Window> window_of(const TraceSpec& spec, double width, const core::SourcePos& where, Diagnostics& diags) {
  auto whole_bins = [&](double seconds, const char* what) -> std::optional<std::int64_t> {
    double bins = seconds / width;
    double r = std::round(bins);
    if (!std::isfinite(bins) || bins < 0 || bins > 1e15 || std::fabs(bins - r) > 1e-9 * std::max(1.0, r)) {
      diags.error(where,
               fmt::format("trace {} {} is not a whole number of the trace's {} bins; expected a multiple of {}",
                           what, span_text(seconds), span_text(width), span_text(width)));
      return std::nullopt;
    }
    return static_cast<std::int64_t>(r);
  };
  auto first = whole_bins(spec.start, "start");
  auto count = whole_bins(spec.length, "length");
  if (!first || !count) return std::nullopt;
  return Window{*first, *count == 0 ? -1 : *count};
}

// At most this many bins in a window (400 MB of counts): the whole NASA per-second trace is 5 M. More means
// a bogus timestamp far from the others, or a window that should be shorter.
constexpr std::int64_t kMaxBins = 50'000'000;

// A bin index or count computed in double, rounded; capped at 1e18 (NaN too) before the conversion: far
// beyond kMaxBins, which is reported, and inside std::int64_t. Rows at 0 and 1e300 overflowed it, which is
// undefined (found by tests/fuzz).
std::int64_t capped_bins(double x) {
  constexpr std::int64_t kCap = 1'000'000'000'000'000'000;
  return x < static_cast<double>(kCap) ? std::llround(x) : kCap;
}

bool too_many_bins(const TraceSpec& spec, std::int64_t bins, double width, const core::SourcePos& where, Diagnostics& diags) {
  if (bins <= kMaxBins) return false;
  diags.error(where,
           fmt::format("trace window of '{}' spans {} bins of {}; expected at most {} (a shorter length, or check "
                       "the file for a stray timestamp)",
                       spec.path, bins, span_text(width), kMaxBins));
  return true;
}

// After reading: is the window inside the `available` bins of the trace?
bool window_fits(const TraceSpec& spec, const Window& w, std::int64_t available, double width, const core::SourcePos& where,
                 Diagnostics& diags) {
  double trace_len = static_cast<double>(available) * width;
  if (w.first >= available) {
    diags.error(where,
             fmt::format("trace window is empty: it starts at {} but trace '{}' is only {} long; expected start < {}",
                         span_text(spec.start), spec.path, span_text(trace_len), span_text(trace_len)));
    return false;
  }
  if (w.count >= 0 && w.end() > available) {
    diags.error(where,
             fmt::format("trace window ends at {} but trace '{}' is only {} long; expected start + length <= {}",
                         span_text(spec.start + spec.length), spec.path, span_text(trace_len), span_text(trace_len)));
    return false;
  }
  std::int64_t n_bins = (w.count < 0 ? available : w.end()) - w.first;
  return !too_many_bins(spec, n_bins, width, where, diags);
}

// The window's bins as they are read: kept (load) or only summed (check).
struct Sink {
  bool keep = false;
  TraceBins bins;
  double total = 0;
};

void warn_if_no_requests(const Sink& sink, const TraceSpec& spec, const core::SourcePos& where, Diagnostics& diags) {
  if (sink.total == 0) {
    diags.warning(where,
                  fmt::format("trace window of '{}' holds no requests; its replay adds no load", spec.path));
  }
}

// ---- per_second -----------------------------------------------------------------------------------------

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool scan_per_second(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  core::SourcePos where = where_of(spec);
  auto w = window_of(spec, 1.0, where, diags);
  if (!w) return false;
  Input in(diags);
  if (!in.open(spec.path, where)) return false;
  // The window may be far longer than the file (reported once it is read): reserving all of it threw
  // std::length_error / bad_alloc for `length: 1e14s` (found by tests/fuzz). A week at most up front.
  constexpr std::int64_t kReserveBins = 7 * 86400;
  if (sink.keep && w->count > 0) sink.bins.counts.reserve(static_cast<std::size_t>(std::min(w->count, kReserveBins)));
  sink.bins.bin_width = 1;

  constexpr std::uint64_t kMaxCount = 1'000'000'000'000ULL;  // far above any real per-second count
  std::vector<char> buf(1 << 20);
  std::int64_t index = 0;  // counts read so far
  int line = 1, col = 0;   // position of the current byte (col 1-based once a byte is read)
  bool in_token = false, bad = false;
  std::uint64_t value = 0;
  int tok_line = 0, tok_col = 0;
  std::string tok_text;
  bool done = false;

  // Called at the end of each token; false stops the scan (an error, or the window is complete).
  auto finish = [&]() -> bool {
    in_token = false;
    if (bad || value > kMaxCount) {
      // A CSV or a log read as per_second fails on its first line: say which setting to change.
      const char* hint = index == 0 && tok_text.find_first_of(",\t") != std::string::npos
                             ? "; for a CSV or a request log, set format: counts_csv or request_log"
                             : "";
      diags.error(in.name(), tok_line, tok_col,
                  bad ? fmt::format("expected a non-negative integer count of requests in one second, got '{}'{}",
                                    shown(tok_text), hint)
                      : fmt::format("count '{}' is too large; expected at most {} requests in one second",
                                    shown(tok_text), kMaxCount));
      return false;
    }
    if (index >= w->first) {
      if (index - w->first == kMaxBins && too_many_bins(spec, kMaxBins + 1, 1.0, where, diags)) return false;
      double c = static_cast<double>(value);
      sink.total += c;
      if (sink.keep) sink.bins.counts.push_back(c);
    }
    ++index;
    if (index >= w->end()) done = true;  // the rest of the file is not needed
    return !done;
  };

  for (;;) {
    std::ptrdiff_t got = in.read(buf.data(), buf.size());
    if (got < 0) return false;
    if (got == 0) break;
    for (std::ptrdiff_t i = 0; i < got; ++i) {
      auto c = static_cast<unsigned char>(buf[static_cast<std::size_t>(i)]);
      ++col;
      if (is_space(c)) {
        if (in_token && !finish()) {
          if (!done) return false;
          break;
        }
        if (c == '\n') {
          ++line;
          col = 0;
        }
        continue;
      }
      if (!in_token) {
        in_token = true;
        bad = false;
        value = 0;
        tok_line = line;
        tok_col = col;
        tok_text.clear();
      }
      if (tok_text.size() < 41) tok_text.push_back(static_cast<char>(c));
      if (c >= '0' && c <= '9') {
        if (value <= kMaxCount) value = value * 10 + (c - '0');
      } else {
        bad = true;
      }
    }
    if (done) break;
  }
  if (!done && in_token && !finish() && !done) return false;  // the last count, when no whitespace follows
  if (index == 0) {
    diags.error(in.name(), 0, 0, "trace holds no counts; expected whitespace-separated counts, one per second");
    return false;
  }
  if (!done && !window_fits(spec, *w, index, 1.0, where, diags)) return false;
  warn_if_no_requests(sink, spec, where, diags);
  return true;
}

// ---- text tables (counts_csv, request_log) -----------------------------------------------------------------

struct Field {
  std::string text;
  int column = 1;  // 1-based byte column of the field's start
};

// Splits a line on `delim`; a CSV field may be "quoted" ("" inside quotes is a quote).
void split_fields(const std::string& line, char delim, std::vector<Field>& out) {
  out.clear();
  std::size_t i = 0;
  for (;;) {
    Field f;
    f.column = static_cast<int>(i) + 1;
    if (delim == ',' && i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.text.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f.text.push_back(line[i++]);
      }
      while (i < line.size() && line[i] != delim) ++i;
    } else {
      std::size_t end = line.find(delim, i);
      if (end == std::string::npos) end = line.size();
      f.text = line.substr(i, end - i);
      i = end;
    }
    out.push_back(std::move(f));
    if (i >= line.size()) break;
    ++i;  // the delimiter
    if (i == line.size()) {
      out.push_back(Field{"", static_cast<int>(i) + 1});
      break;
    }
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A plain finite number filling the whole text.
std::optional<double> parse_plain_number(std::string_view s) {
  s = core::trim(s);
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string z(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(z.c_str(), &end);
  if (end != z.c_str() + z.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  // strtod also takes hex floats, "inf" and "nan": allow digits, sign, point and exponent only.
  for (char c : z) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
      return std::nullopt;
    }
  }
  return v;
}

// "YYYY-MM-DD HH:MM[:SS[.fff]]" (or with 'T', optional trailing 'Z'), taken as UTC: seconds since 1970.
std::optional<double> parse_date_time(std::string_view s) {
  s = core::trim(s);
  if (!s.empty() && s.back() == 'Z') s.remove_suffix(1);
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    if (pos + len > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 16 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':') {
    return std::nullopt;
  }
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2);
  if (!y || !mo || !d || !h || !mi) return std::nullopt;
  double sec = 0;
  if (s.size() > 16) {
    if (s[16] != ':') return std::nullopt;
    auto whole = num(17, 2);
    if (!whole) return std::nullopt;
    sec = *whole;
    if (s.size() > 19) {
      if (s[19] != '.' || s.size() == 20) return std::nullopt;
      auto frac = parse_plain_number(std::string("0") + std::string(s.substr(19)));
      if (!frac) return std::nullopt;
      sec += *frac;
    }
  }
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || sec >= 61) return std::nullopt;
  std::int64_t days = core::days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  return static_cast<double>(days) * 86400.0 + *h * 3600.0 + *mi * 60.0 + sec;
}

std::optional<double> parse_time(std::string_view s) {
  if (auto v = parse_plain_number(s)) return v;
  return parse_date_time(s);
}

// The header of a table: its delimiter and the columns used.
struct Table {
  char delim = ',';
  std::vector<std::string> names;  // lowercased, trimmed
  int header_line = 0;

  int find(std::initializer_list<const char*> wanted) const {
    for (const char* w : wanted) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == w) return static_cast<int>(i);
      }
    }
    return -1;
  }
  std::string list() const {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 12; ++i) out += (i ? ", " : "") + shown(names[i]);
    return names.size() > 12 ? out + ", ..." : out;
  }
};

// Reads the header line (the first non-empty one); false after an error.
bool read_header(LineReader& lines, Input& in, Table& t, Diagnostics& diags, const char* example) {
  std::string line;
  while (lines.next(line)) {
    if (core::trim(line).empty()) continue;
    t.delim = (line.find('\t') != std::string::npos && line.find(',') == std::string::npos) ? '\t' : ',';
    std::vector<Field> fields;
    split_fields(line, t.delim, fields);
    for (const Field& f : fields) t.names.push_back(lower(core::trim(f.text)));
    t.header_line = lines.line();
    return true;
  }
  if (!lines.failed()) diags.error(in.name(), 0, 0, fmt::format("trace is empty; expected {}", example));
  return false;
}

// The field `col` of a data line, or an error naming what the column holds.
const Field* field_at(const std::vector<Field>& fields, int col, const Table& t, const std::string& file, int line,
                      Diagnostics& diags) {
  if (col < static_cast<int>(fields.size())) return &fields[static_cast<std::size_t>(col)];
  diags.error(file, line, 0,
              fmt::format("line has {} field(s); expected at least {} (column '{}' of the header on line {})",
                          fields.size(), col + 1, shown(t.names[static_cast<std::size_t>(col)]), t.header_line));
  return nullptr;
}

// ---- counts_csv -----------------------------------------------------------------------------------------

constexpr double kLongGap = 3600;  // a gap this long inside the window earns a warning

struct CsvColumns {
  int time = 0;
  int count = 0;
};

// One data row: false after an error (reported); `skip` for blank lines.
bool csv_row(const std::string& line, const Table& t, const CsvColumns& cols, const std::string& file, int line_no,
             std::vector<Field>& fields, double* time, double* count, bool* skip, Diagnostics& diags) {
  *skip = core::trim(line).empty();
  if (*skip) return true;
  split_fields(line, t.delim, fields);
  const Field* tf = field_at(fields, cols.time, t, file, line_no, diags);
  const Field* cf = tf ? field_at(fields, cols.count, t, file, line_no, diags) : nullptr;
  if (!tf || !cf) return false;
  auto tv = parse_time(tf->text);
  if (!tv) {
    diags.error(file, line_no, tf->column,
                fmt::format("expected a time in column '{}' ({}), got '{}'",
                            shown(t.names[static_cast<std::size_t>(cols.time)]), kTimeForms, shown(core::trim(tf->text))));
    return false;
  }
  auto cv = parse_plain_number(cf->text);
  if (!cv || *cv < 0) {
    diags.error(file, line_no, cf->column,
                fmt::format("expected a non-negative request count in column '{}', got '{}'",
                            shown(t.names[static_cast<std::size_t>(cols.count)]), shown(core::trim(cf->text))));
    return false;
  }
  *time = *tv;
  *count = *cv;
  return true;
}

bool scan_counts_csv(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  core::SourcePos where = where_of(spec);
  const char* kExample = "a header line, then rows of time and count, like 'timestamp,value'";
  Table t;
  CsvColumns cols;
  double t0 = 0, prev = 0, min_step = 0;
  std::int64_t rows = 0;
  std::string line;
  std::vector<Field> fields;

  // Pass 1: parse and order every row; the bin width is the smallest step between consecutive rows.
  {
    Input in(diags);
    if (!in.open(spec.path, where)) return false;
    LineReader lines(in);
    if (!read_header(lines, in, t, diags, kExample)) return false;
    if (t.names.size() < 2) {
      diags.error(in.name(), t.header_line, 0,
                  fmt::format("header has {} column(s); expected {}", t.names.size(), kExample));
      return false;
    }
    cols.time = t.find({"unix_ts", "unix_time", "epoch", "timestamp", "time"});
    if (cols.time < 0) cols.time = 0;
    cols.count = t.find({"requests", "count", "value"});
    if (cols.count < 0) cols.count = static_cast<int>(t.names.size()) - 1;
    if (cols.count == cols.time) cols.count = cols.time == 0 ? 1 : 0;
    // A header that parses as data means there is none: the first row would be lost silently.
    std::string header_count = t.names[static_cast<std::size_t>(cols.count)];
    if (parse_plain_number(header_count)) {
      diags.error(in.name(), t.header_line, 0,
                  fmt::format("first line looks like data ('{}'); expected a header line first, like "
                              "'timestamp,value'",
                              shown(header_count)));
      return false;
    }
    while (lines.next(line)) {
      double tv = 0, cv = 0;
      bool skip = false;
      if (!csv_row(line, t, cols, in.name(), lines.line(), fields, &tv, &cv, &skip, diags)) return false;
      if (skip) continue;
      if (rows == 0) {
        t0 = tv;
      } else {
        double step = tv - prev;
        if (step <= 0) {
          diags.error(in.name(), lines.line(), fields[static_cast<std::size_t>(cols.time)].column,
                      fmt::format("time {} is not after the previous row's ({}); expected rows in increasing time "
                                  "order, one per bin",
                                  core::format_number(tv, 15), core::format_number(prev, 15)));
          return false;
        }
        if (rows == 1 || step < min_step) min_step = step;
      }
      prev = tv;
      ++rows;
    }
    if (lines.failed()) return false;
    if (rows < 2) {
      diags.error(in.name(), 0, 0,
                  fmt::format("trace has {} data row(s); expected at least two, to tell the bin width", rows));
      return false;
    }
  }
  const double width = min_step;
  const std::int64_t available = capped_bins((prev - t0) / width) + 1;
  auto w = window_of(spec, width, where, diags);
  if (!w || !window_fits(spec, *w, available, width, where, diags)) return false;
  std::int64_t n_bins = (w->count < 0 ? available : w->end()) - w->first;
  sink.bins.bin_width = width;
  sink.bins.start_time = t0 + static_cast<double>(w->first) * width;
  if (sink.keep) sink.bins.counts.assign(static_cast<std::size_t>(n_bins), 0.0);

  // Pass 2: every row on the grid; the window's rows into their bins.
  Input in(diags);
  if (!in.open(spec.path, where)) return false;
  LineReader lines(in);
  Table again;
  if (!read_header(lines, in, again, diags, kExample)) return false;
  std::int64_t prev_bin = -1;
  while (lines.next(line)) {
    double tv = 0, cv = 0;
    bool skip = false;
    if (!csv_row(line, t, cols, in.name(), lines.line(), fields, &tv, &cv, &skip, diags)) return false;
    if (skip) continue;
    std::int64_t bin = capped_bins((tv - t0) / width);
    if (std::fabs(tv - (t0 + static_cast<double>(bin) * width)) > 1e-6 * width) {
      diags.error(in.name(), lines.line(), fields[static_cast<std::size_t>(cols.time)].column,
                  fmt::format("time {} is off the trace's grid of {} bins from the first row ({}); expected a "
                              "multiple of {} after it",
                              core::format_number(tv, 15), span_text(width), core::format_number(t0, 15),
                              span_text(width)));
      return false;
    }
    // Missing rows count as zero requests; say so when a long stretch of the window is missing.
    double gap = static_cast<double>(bin - prev_bin - 1) * width;
    if (prev_bin >= 0 && gap >= kLongGap && bin > w->first && prev_bin + 1 < w->end()) {
      diags.warning(in.name(), lines.line(), 0,
                    fmt::format("no rows for {} before this one; replayed as {} without requests", span_text(gap),
                                span_text(gap)));
    }
    prev_bin = bin;
    if (bin >= w->end()) break;
    if (bin >= w->first) {
      sink.total += cv;
      if (sink.keep) sink.bins.counts[static_cast<std::size_t>(bin - w->first)] = cv;
    }
  }
  if (lines.failed()) return false;
  warn_if_no_requests(sink, spec, where, diags);
  return true;
}

// ---- request_log ----------------------------------------------------------------------------------------

bool scan_request_log(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  core::SourcePos where = where_of(spec);
  const char* kExample = "a header line naming a 'time' column, then one line per request";
  Table t;
  int time_col = -1;
  double min_t = 0, max_t = 0;
  std::int64_t rows = 0;
  std::string line;
  std::vector<Field> fields;

  // Reads one line's time; false after an error, `skip` for blank lines.
  auto row_time = [&](Input& in, LineReader& lines, double* out, bool* skip) -> bool {
    *skip = core::trim(line).empty();
    if (*skip) return true;
    split_fields(line, t.delim, fields);
    const Field* f = field_at(fields, time_col, t, in.name(), lines.line(), diags);
    if (!f) return false;
    auto v = parse_time(f->text);
    if (!v) {
      diags.error(in.name(), lines.line(), f->column,
                  fmt::format("expected a time in column '{}' ({}), got '{}'",
                              shown(t.names[static_cast<std::size_t>(time_col)]), kTimeForms, shown(core::trim(f->text))));
      return false;
    }
    *out = *v;
    return true;
  };

  // Pass 1: every line's time; the trace starts at the earliest second (log lines can be out of order).
  {
    Input in(diags);
    if (!in.open(spec.path, where)) return false;
    LineReader lines(in);
    if (!read_header(lines, in, t, diags, kExample)) return false;
    time_col = t.find({"time", "timestamp", "unix_ts"});
    if (time_col < 0) {
      diags.error(in.name(), t.header_line, 0,
                  fmt::format("header has no 'time' column (columns: {}); expected {}", t.list(), kExample));
      return false;
    }
    while (lines.next(line)) {
      double tv = 0;
      bool skip = false;
      if (!row_time(in, lines, &tv, &skip)) return false;
      if (skip) continue;
      if (rows == 0 || tv < min_t) min_t = tv;
      if (rows == 0 || tv > max_t) max_t = tv;
      ++rows;
    }
    if (lines.failed()) return false;
    if (rows == 0) {
      diags.error(in.name(), 0, 0, fmt::format("trace has a header but no requests; expected {}", kExample));
      return false;
    }
  }
  const double origin = std::floor(min_t);
  const std::int64_t available = capped_bins(std::floor(max_t) - origin) + 1;
  auto w = window_of(spec, 1.0, where, diags);
  if (!w || !window_fits(spec, *w, available, 1.0, where, diags)) return false;
  std::int64_t n_bins = (w->count < 0 ? available : w->end()) - w->first;
  sink.bins.bin_width = 1;
  sink.bins.start_time = origin + static_cast<double>(w->first);
  if (sink.keep) sink.bins.counts.assign(static_cast<std::size_t>(n_bins), 0.0);

  // Pass 2: count the window's requests per second (every line was checked in pass 1).
  Input in(diags);
  if (!in.open(spec.path, where)) return false;
  LineReader lines(in);
  Table again;
  if (!read_header(lines, in, again, diags, kExample)) return false;
  while (lines.next(line)) {
    double tv = 0;
    bool skip = false;
    if (!row_time(in, lines, &tv, &skip)) return false;
    if (skip) continue;
    double k = std::floor(tv) - origin - static_cast<double>(w->first);  // in range before it is converted
    if (k >= 0 && k < static_cast<double>(n_bins)) {
      auto bin = static_cast<std::int64_t>(k);
      sink.total += 1;
      if (sink.keep) sink.bins.counts[static_cast<std::size_t>(bin)] += 1;
    }
  }
  if (lines.failed()) return false;
  warn_if_no_requests(sink, spec, where, diags);
  return true;
}

bool scan(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  bool ok = false;
  switch (spec.format) {
    case TraceSpec::Format::kPerSecond: ok = scan_per_second(spec, sink, diags); break;
    case TraceSpec::Format::kCountsCsv: ok = scan_counts_csv(spec, sink, diags); break;
    case TraceSpec::Format::kRequestLog: ok = scan_request_log(spec, sink, diags); break;
  }
  return ok && diags.error_count() == errors_before;
}

}  // namespace

double TraceBins::total() const {
  double s = 0;
  for (double c : counts) s += c;
  return s;
}

std::optional<TraceBins> load_trace(const TraceSpec& spec, Diagnostics& diags) {
  Sink sink;
  sink.keep = true;
  if (!scan(spec, sink, diags)) return std::nullopt;
  return std::move(sink.bins);
}

bool check_trace(const TraceSpec& spec, Diagnostics& diags) {
  Sink sink;
  return scan(spec, sink, diags);
}

std::int64_t scaled_total(const TraceBins& bins, double scale) { return std::llround(scale * bins.total()); }

}  // namespace sim::trace
