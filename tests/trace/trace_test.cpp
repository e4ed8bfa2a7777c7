// Reading traces into per-bin counts (model/trace.h), and replaying the three
// real traces of ../shared/traces with exact counts:
//
//   trace file ──> load_trace(window) ──> TraceBins ──> make_arrivals ──> arrivals
//        │                                                                   │
//        └── plain parsing in this test (independent) ──> expected counts ───┘ compared exactly
//
// Small hand-written files for formats and errors live in tests/data/traces/;
// archives (.tbz2) are built here with libbz2. The real-trace tests skip when
// ../shared/traces is absent.
#include <gtest/gtest.h>

#include <bzlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/model/arrivals.h"
#include "sim/trace/trace.h"
#include "tests/test_util.h"

namespace sim::model {
namespace {

using scenario::Profile;
using scenario::TraceSpec;
using trace::check_trace;
using trace::load_trace;
using trace::scaled_total;
using trace::TraceBins;
using sim::testing::repo_root;
using sim::testing::shared_dir;

std::string data_file(const std::string& name) { return repo_root() + "/tests/data/traces/" + name; }

TraceSpec make_spec(const std::string& path, TraceSpec::Format format, double start = 0, double length = 0) {
  TraceSpec s;
  s.path = path;
  s.path_as_written = path;
  s.format = format;
  s.start = start;
  s.length = length;
  s.pos = {"scenario.yaml", 7, 5};
  return s;
}

constexpr auto kPerSecond = TraceSpec::Format::kPerSecond;
constexpr auto kCountsCsv = TraceSpec::Format::kCountsCsv;
constexpr auto kRequestLog = TraceSpec::Format::kRequestLog;

// Loads and expects success, printing the diagnostics otherwise.
TraceBins load_ok(const TraceSpec& spec) {
  core::Diagnostics d;
  auto bins = load_trace(spec, d);
  EXPECT_TRUE(bins.has_value()) << d.format();
  EXPECT_FALSE(d.has_errors()) << d.format();
  return bins.value_or(TraceBins{});
}

// Loads and expects failure; returns the diagnostics' first lines. check_trace must agree.
std::string load_error(const TraceSpec& spec) {
  core::Diagnostics d, c;
  EXPECT_FALSE(load_trace(spec, d).has_value());
  EXPECT_FALSE(check_trace(spec, c));
  EXPECT_EQ(d.format_short(), c.format_short());
  return d.format_short();
}

// ---- formats --------------------------------------------------------------------------------------------

TEST(Trace, PerSecondWholeFileAndWindow) {
  TraceBins all = load_ok(make_spec(data_file("per_second.txt"), kPerSecond));
  EXPECT_EQ(all.counts, (std::vector<double>{3, 0, 2, 5, 1, 4, 0, 7}));
  EXPECT_EQ(all.bin_width, 1);
  EXPECT_FALSE(all.start_time.has_value());
  EXPECT_EQ(all.total(), 22);
  TraceBins w = load_ok(make_spec(data_file("per_second.txt"), kPerSecond, 2, 3));
  EXPECT_EQ(w.counts, (std::vector<double>{2, 5, 1}));
  TraceBins tail = load_ok(make_spec(data_file("per_second.txt"), kPerSecond, 7, 0));
  EXPECT_EQ(tail.counts, (std::vector<double>{7}));
  core::Diagnostics d;
  EXPECT_TRUE(check_trace(make_spec(data_file("per_second.txt"), kPerSecond, 2, 6), d)) << d.format();
}

TEST(Trace, CountsCsvUnixTimesWithAMissingRow) {
  // unix_ts is the time column (not the first one); the missing 00:02 row is a bin without requests.
  TraceBins all = load_ok(make_spec(data_file("counts_unix.csv"), kCountsCsv));
  EXPECT_EQ(all.bin_width, 60);
  EXPECT_EQ(all.counts, (std::vector<double>{42, 61, 0, 7, 0}));
  ASSERT_TRUE(all.start_time.has_value());
  EXPECT_EQ(*all.start_time, 804571200);
  TraceBins w = load_ok(make_spec(data_file("counts_unix.csv"), kCountsCsv, 60, 120));
  EXPECT_EQ(w.counts, (std::vector<double>{61, 0}));
  EXPECT_EQ(*w.start_time, 804571260);
}

TEST(Trace, CountsCsvDatesAndFractionalCounts) {
  // NAB style: "YYYY-MM-DD HH:MM:SS", float counts, CRLF line ends; a 10-minute step in a 5-minute series.
  TraceBins all = load_ok(make_spec(data_file("counts_dates.csv"), kCountsCsv));
  EXPECT_EQ(all.bin_width, 300);
  EXPECT_EQ(all.counts, (std::vector<double>{94, 56, 0, 2.5}));
  std::tm tm{};
  tm.tm_year = 2014 - 1900;
  tm.tm_mon = 3;
  tm.tm_mday = 10;
  tm.tm_min = 4;
  ASSERT_TRUE(all.start_time.has_value());
  EXPECT_EQ(*all.start_time, static_cast<double>(timegm(&tm)));
}

TEST(Trace, RequestLogBinsPerSecondFromTheEarliestTime) {
  // Times 1000, 1000, 1002, 1001.5 (out of order), 1005.
  TraceBins all = load_ok(make_spec(data_file("requests.tsv"), kRequestLog));
  EXPECT_EQ(all.counts, (std::vector<double>{2, 1, 1, 0, 0, 1}));
  EXPECT_EQ(*all.start_time, 1000);
  TraceBins w = load_ok(make_spec(data_file("requests.tsv"), kRequestLog, 1, 2));
  EXPECT_EQ(w.counts, (std::vector<double>{1, 1}));
  EXPECT_EQ(*w.start_time, 1001);
}

TEST(Trace, ScaledTotalRoundsTheScaledSum) {
  TraceBins b;
  b.counts = {1, 2, 3};
  EXPECT_EQ(scaled_total(b, 1), 6);
  EXPECT_EQ(scaled_total(b, 0.25), 2);   // 1.5 rounds away from zero
  EXPECT_EQ(scaled_total(b, 100), 600);
}

TEST(Trace, LongGapInTheWindowIsAWarning) {
  std::string dir = sim::testing::temp_dir("trace-gap");
  std::string path = dir + "/gap.csv";
  sim::testing::write_file(path, "unix_ts,requests\n0,1\n60,2\n7320,3\n7380,4\n");
  core::Diagnostics d;
  auto bins = load_trace(make_spec(path, kCountsCsv), d);
  ASSERT_TRUE(bins.has_value()) << d.format();
  EXPECT_EQ(bins->counts.size(), 124u);  // 120 bins without rows between 1m and 2h2m
  EXPECT_EQ(bins->total(), 10);
  EXPECT_EQ(d.format_short(), path + ":4: warning: no rows for 2h before this one; replayed as 2h without requests\n");
  std::filesystem::remove_all(dir);
}

// ---- errors ---------------------------------------------------------------------------------------------

TEST(Trace, MissingFileIsReportedAtTheScenario) {
  std::string path = data_file("nope.txt");
  EXPECT_EQ(load_error(make_spec(path, kPerSecond)),
            "scenario.yaml:7:5: error: cannot open trace '" + path + "': No such file or directory\n");
  TraceSpec bare = make_spec(path, kPerSecond);
  bare.pos = {};
  EXPECT_EQ(load_error(bare), path + ": error: cannot open trace '" + path + "': No such file or directory\n");
  EXPECT_EQ(load_error(make_spec(repo_root() + "/tests/data/traces", kPerSecond)),
            "scenario.yaml:7:5: error: cannot read trace '" + repo_root() +
                "/tests/data/traces': it is a directory; expected a file\n");
}

TEST(Trace, MalformedCountIsLocated) {
  std::string path = data_file("per_second_bad.txt");
  EXPECT_EQ(load_error(make_spec(path, kPerSecond)),
            path + ":2:3: error: expected a non-negative integer count of requests in one second, got 'x4'\n");
  // Only the window is read: a bad count after it is not looked at.
  core::Diagnostics d;
  EXPECT_TRUE(load_trace(make_spec(path, kPerSecond, 0, 2), d).has_value()) << d.format();
}

TEST(Trace, WindowOutsideTheTrace) {
  std::string path = data_file("per_second.txt");
  EXPECT_EQ(load_error(make_spec(path, kPerSecond, 6, 5)),
            "scenario.yaml:7:5: error: trace window ends at 11s but trace '" + path +
                "' is only 8s long; expected start + length <= 8s\n");
  EXPECT_EQ(load_error(make_spec(path, kPerSecond, 8, 0)),
            "scenario.yaml:7:5: error: trace window is empty: it starts at 8s but trace '" + path +
                "' is only 8s long; expected start < 8s\n");
  std::string csv = data_file("counts_unix.csv");
  EXPECT_EQ(load_error(make_spec(csv, kCountsCsv, 90, 0)),
            "scenario.yaml:7:5: error: trace start 1m30s is not a whole number of the trace's 1m bins; expected a "
            "multiple of 1m\n");
  EXPECT_EQ(load_error(make_spec(path, kPerSecond, 0.5, 0)),
            "scenario.yaml:7:5: error: trace start 500ms is not a whole number of the trace's 1s bins; expected a "
            "multiple of 1s\n");
}

TEST(Trace, WindowWithoutRequestsIsAWarning) {
  std::string path = data_file("per_second.txt");
  core::Diagnostics d;
  auto bins = load_trace(make_spec(path, kPerSecond, 6, 1), d);
  ASSERT_TRUE(bins.has_value());
  EXPECT_EQ(d.format_short(),
            "scenario.yaml:7:5: warning: trace window of '" + path + "' holds no requests; its replay adds no load\n");
}

TEST(Trace, CountsCsvErrors) {
  std::string p = data_file("counts_backwards.csv");
  EXPECT_EQ(load_error(make_spec(p, kCountsCsv)),
            p + ":4:1: error: time 1040 is not after the previous row's (1060); expected rows in increasing time "
                "order, one per bin\n");
  p = data_file("counts_off_grid.csv");
  EXPECT_EQ(load_error(make_spec(p, kCountsCsv)),
            p + ":3:1: error: time 1060 is off the trace's grid of 50s bins from the first row (1000); expected a "
                "multiple of 50s after it\n");
  p = data_file("counts_bad_count.csv");
  EXPECT_EQ(load_error(make_spec(p, kCountsCsv)),
            p + ":3:21: error: expected a non-negative request count in column 'value', got '-3'\n");
  p = data_file("counts_no_header.csv");
  EXPECT_EQ(load_error(make_spec(p, kCountsCsv)),
            p + ":1: error: first line looks like data ('42'); expected a header line first, like "
                "'timestamp,value'\n");
}

TEST(Trace, RequestLogErrors) {
  std::string p = data_file("requests_bad_time.tsv");
  EXPECT_EQ(load_error(make_spec(p, kRequestLog)),
            p + ":3:13: error: expected a time in column 'time' (unix seconds, or a date like 2014-04-10 00:04:00), "
                "got 'noon'\n");
  // A CSV read as per_second: the message says which setting to change.
  p = data_file("counts_dates.csv");
  EXPECT_EQ(load_error(make_spec(p, kPerSecond)),
            p + ":1:1: error: expected a non-negative integer count of requests in one second, got 'timestamp,value'; "
                "for a CSV or a request log, set format: counts_csv or request_log\n");
  p = data_file("requests_no_time.tsv");
  EXPECT_EQ(load_error(make_spec(p, kRequestLog)),
            p + ":1: error: header has no 'time' column (columns: host, logname, when, method); expected a header "
                "line naming a 'time' column, then one line per request\n");
}

TEST(Trace, StrayTimestampDoesNotAllocateBillionsOfBins) {
  std::string dir = sim::testing::temp_dir("trace-stray");
  std::string path = dir + "/stray.tsv";
  sim::testing::write_file(path, "host\ttime\na\t1000000000\nb\t1000000001\nc\t0\n");
  EXPECT_EQ(load_error(make_spec(path, kRequestLog)),
            "scenario.yaml:7:5: error: trace window of '" + path +
                "' spans 1000000002 bins of 1s; expected at most 50000000 (a shorter length, or check the file for a "
                "stray timestamp)\n");
  std::filesystem::remove_all(dir);
}

// ---- archives -------------------------------------------------------------------------------------------

// One tar entry (ustar header + data padded to 512 bytes).
std::string tar_entry(const std::string& name, char type, const std::string& body) {
  std::string h(512, '\0');
  std::memcpy(&h[0], name.data(), std::min<std::size_t>(name.size(), 99));
  std::snprintf(&h[100], 8, "%07o", 0644);
  std::snprintf(&h[108], 8, "%07o", 0);
  std::snprintf(&h[116], 8, "%07o", 0);
  std::snprintf(&h[124], 12, "%011lo", static_cast<unsigned long>(body.size()));
  std::snprintf(&h[136], 12, "%011o", 0);
  h[156] = type;
  std::memcpy(&h[257], "ustar", 6);
  std::memcpy(&h[263], "00", 2);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);
  std::string padded = body;
  padded.resize((body.size() + 511) / 512 * 512, '\0');
  return h + padded;
}

std::string bzip2(const std::string& data) {
  std::vector<char> out(data.size() + data.size() / 100 + 1024);
  auto len = static_cast<unsigned>(out.size());
  int rc = BZ2_bzBuffToBuffCompress(out.data(), &len, const_cast<char*>(data.data()),
                                    static_cast<unsigned>(data.size()), 1, 0, 0);
  EXPECT_EQ(rc, BZ_OK);
  return std::string(out.data(), len);
}

class TraceArchive : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = sim::testing::temp_dir("trace-archive"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::string p = dir_ + "/" + name;
    sim::testing::write_file(p, bytes);
    return p;
  }
  std::string dir_;
};

TEST_F(TraceArchive, ReadsTheFirstRegularFileInPlace) {
  // A pax header and a directory come first; the second file must be ignored.
  std::string tar = tar_entry("pax", 'x', "30 path=data/workload.txt\n") + tar_entry("data/", '5', "") +
                    tar_entry("data/workload.txt", '0', "3 0 2 5\n1 4 0 7") + tar_entry("other.txt", '0', "9 9") +
                    std::string(1024, '\0');
  std::string p = write("workload.tbz2", bzip2(tar));
  TraceBins all = load_ok(make_spec(p, kPerSecond));
  EXPECT_EQ(all.counts, (std::vector<double>{3, 0, 2, 5, 1, 4, 0, 7}));
  TraceBins w = load_ok(make_spec(p, kPerSecond, 3, 2));
  EXPECT_EQ(w.counts, (std::vector<double>{5, 1}));
}

TEST_F(TraceArchive, ErrorsInsideTheArchiveNameTheMember) {
  std::string p = write("bad.tbz2", bzip2(tar_entry("w.txt", '0', "1 2 zz 3") + std::string(1024, '\0')));
  EXPECT_EQ(load_error(make_spec(p, kPerSecond)),
            p + "(w.txt):1:5: error: expected a non-negative integer count of requests in one second, got 'zz'\n");
}

TEST_F(TraceArchive, PlainAndMultiStreamBzip2) {
  std::string p = write("plain.bz2", bzip2("4 5 6"));
  EXPECT_EQ(load_ok(make_spec(p, kPerSecond)).counts, (std::vector<double>{4, 5, 6}));
  // Two concatenated streams (as pbzip2 writes) read as one text.
  std::string q = write("two.bz2", bzip2("1 2 ") + bzip2("3 4"));
  EXPECT_EQ(load_ok(make_spec(q, kPerSecond)).counts, (std::vector<double>{1, 2, 3, 4}));
}

TEST_F(TraceArchive, CorruptAndTruncatedArchives) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i % 97) + " ";
  std::string z = bzip2(tar_entry("w.txt", '0', text) + std::string(1024, '\0'));
  std::string flipped = z;
  flipped[z.size() / 2] = static_cast<char>(flipped[z.size() / 2] ^ 0x55);
  std::string p = write("flipped.tbz2", flipped);
  EXPECT_EQ(load_error(make_spec(p, kPerSecond)), p + ": error: corrupt bzip2 data (a block fails its checksum)\n");
  std::string q = write("cut.tbz2", z.substr(0, z.size() / 2));
  EXPECT_EQ(load_error(make_spec(q, kPerSecond)), q + ": error: bzip2 data ends early; the file is truncated\n");
  std::string r = write("dirs.tbz2", bzip2(tar_entry("a/", '5', "") + std::string(1024, '\0')));
  EXPECT_EQ(load_error(make_spec(r, kPerSecond)),
            r + ": error: archive holds no regular file; expected a tar with the trace as its first file\n");
}

// ---- the real traces ------------------------------------------------------------------------------------

std::string traces_dir() { return shared_dir() + "/traces"; }

#define SKIP_WITHOUT(path)                                                                        \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "trace " << (path) << " is absent (see the " \
                                                      "traces README in ../shared); skipped"

// The rows of a small CSV/TSV split plainly, header dropped.
std::vector<std::vector<std::string>> plain_rows(const std::string& path, char delim) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::vector<std::string>> rows;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, delim)) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

// Counts arrivals per bin of `width` simulated seconds (and checks order and range).
std::vector<std::int64_t> replay_per_bin(const TraceSpec& spec, double width, std::size_t n_bins, double duration) {
  Profile p;
  p.kind = Profile::Kind::kTrace;
  p.trace = spec;
  core::Diagnostics d;
  auto s = make_arrivals(p, {0.6, 0.4}, {"read", "write"}, duration, core::Rng(11), d);
  EXPECT_TRUE(s) << d.format();
  std::vector<std::int64_t> per_bin(n_bins, 0);
  if (!s) return per_bin;
  double last = 0;
  while (auto a = s->next()) {
    EXPECT_GE(a->time, last);
    last = a->time;
    auto b = static_cast<std::size_t>(a->time / width);
    if (b < n_bins) {
      ++per_bin[b];
    } else {
      ADD_FAILURE() << "arrival at " << a->time << " after the window";
      break;
    }
  }
  return per_bin;
}

TEST(TraceReal, NasaWeekFromTbz2MatchesThePerMinuteCsv) {
  std::string tbz2 = traces_dir() + "/nasa_http_per_second/workload.tbz2";
  std::string csv = traces_dir() + "/nasa_http_per_second/nasa_http_1995_per_minute.DERIVED.csv";
  SKIP_WITHOUT(tbz2);
  SKIP_WITHOUT(csv);
  // Per-second index i is 1995-07-01 00:00:01 EDT + i s, so CSV minute m (m >= 1, July) holds indices
  // 60m - 1 .. 60m + 58. The week Jul 2 00:00 - Jul 9 00:00 EDT is minutes 1440 .. 11519.
  const int first_minute = 1440, minutes = 7 * 1440;
  auto rows = plain_rows(csv, ',');
  ASSERT_GE(rows.size(), static_cast<std::size_t>(first_minute + minutes));
  ASSERT_EQ(rows[first_minute][0], "1995-07-02 00:00");
  std::vector<std::int64_t> per_minute;
  for (int m = first_minute; m < first_minute + minutes; ++m) per_minute.push_back(std::stoll(rows[m][2]));

  TraceSpec spec = make_spec(tbz2, kPerSecond, 60.0 * first_minute - 1, 60.0 * minutes);
  auto t0 = std::chrono::steady_clock::now();
  TraceBins week = load_ok(spec);
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ measure  ] one week (604800 bins) of the NASA per-second trace from the .tbz2 in %.3f s\n", load_s);
  ASSERT_EQ(week.counts.size(), 604800u);
  std::int64_t expected_total = 0;
  for (int j = 0; j < minutes; ++j) {
    double sum = 0;
    for (int s = 0; s < 60; ++s) sum += week.counts[static_cast<std::size_t>(60 * j + s)];
    ASSERT_EQ(sum, static_cast<double>(per_minute[static_cast<std::size_t>(j)])) << "minute " << rows[first_minute + j][0];
    expected_total += per_minute[static_cast<std::size_t>(j)];
  }
  EXPECT_EQ(week.total(), static_cast<double>(expected_total));

  // Replay at 3.7x the volume, a trace minute per simulated second: each simulated second gets
  // round(3.7 C_{j+1}) - round(3.7 C_j) requests, C_j = the CSV's requests before minute j of the week.
  spec.scale = 3.7;
  spec.compress = 60;
  auto got = replay_per_bin(spec, 1.0, minutes, 1e9);
  std::int64_t cum = 0, replayed = 0;
  for (int j = 0; j < minutes; ++j) {
    std::int64_t before = std::llround(3.7 * static_cast<double>(cum));
    cum += per_minute[static_cast<std::size_t>(j)];
    ASSERT_EQ(got[static_cast<std::size_t>(j)], std::llround(3.7 * static_cast<double>(cum)) - before) << "minute " << j;
    replayed += got[static_cast<std::size_t>(j)];
  }
  EXPECT_EQ(replayed, std::llround(3.7 * static_cast<double>(expected_total)));
}

TEST(TraceReal, NasaRequestLogMatchesThePerSecondTrace) {
  std::string tsv = traces_dir() + "/nasa_http_19950801_requests/nasa_19950801.tsv";
  std::string tbz2 = traces_dir() + "/nasa_http_per_second/workload.tbz2";
  SKIP_WITHOUT(tsv);
  // Independent: the `time` column (the third) of every line, counted per second.
  std::map<long long, std::int64_t> per_second;
  std::int64_t lines = 0;
  for (const auto& row : plain_rows(tsv, '\t')) {
    ++per_second[std::stoll(row.at(2))];
    ++lines;
  }
  const long long first = per_second.begin()->first, last = per_second.rbegin()->first;
  TraceBins log = load_ok(make_spec(tsv, kRequestLog));
  ASSERT_EQ(log.counts.size(), static_cast<std::size_t>(last - first + 1));
  EXPECT_EQ(*log.start_time, static_cast<double>(first));
  EXPECT_EQ(log.total(), static_cast<double>(lines));
  for (long long t = first; t <= last; ++t) {
    auto it = per_second.find(t);
    ASSERT_EQ(log.counts[static_cast<std::size_t>(t - first)], it == per_second.end() ? 0.0 : double(it->second));
  }

  // A window: three hours in, one hour long.
  TraceBins hour = load_ok(make_spec(tsv, kRequestLog, 3 * 3600, 3600));
  std::int64_t in_hour = 0;
  for (const auto& [t, n] : per_second) {
    if (t >= first + 3 * 3600 && t < first + 4 * 3600) in_hour += n;
  }
  EXPECT_EQ(hour.total(), static_cast<double>(in_hour));
  TraceSpec half = make_spec(tsv, kRequestLog);
  half.scale = 0.5;
  auto got = replay_per_bin(half, 1.0, log.counts.size(), 1e9);
  std::int64_t replayed = 0;
  for (auto n : got) replayed += n;
  EXPECT_EQ(replayed, std::llround(0.5 * static_cast<double>(lines)));

  // The traces README: Aug 1 02:00-14:52 EDT per-second counts equal this log exactly. Index i >= 2381544
  // of workload.txt is 1995-08-01 00:00:01 EDT (unix 807249601) + (i - 2381544) s.
  SKIP_WITHOUT(tbz2);
  TraceBins sec = load_ok(make_spec(tbz2, kPerSecond, 2381544.0 + static_cast<double>(first - 807249601),
                                    static_cast<double>(log.counts.size())));
  EXPECT_EQ(sec.counts, log.counts);
}

TEST(TraceReal, NabElbWindowsAndInterpolatedReplay) {
  std::string csv = traces_dir() + "/nab_elb_request_count/elb_request_count_8c0756.csv";
  SKIP_WITHOUT(csv);
  // Independent: timegm of each timestamp, values summed; a missing 5-minute row is a bin without requests.
  auto rows = plain_rows(csv, ',');
  auto when = [](const std::string& ts) {
    std::tm tm{};
    std::sscanf(ts.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                &tm.tm_sec);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<long long>(timegm(&tm));
  };
  const long long t0 = when(rows.front()[0]);
  const auto n_bins = static_cast<std::size_t>((when(rows.back()[0]) - t0) / 300 + 1);
  std::vector<double> bins(n_bins, 0.0);
  double total = 0;
  for (const auto& r : rows) {
    bins[static_cast<std::size_t>((when(r[0]) - t0) / 300)] = std::stod(r[1]);
    total += std::stod(r[1]);
  }
  TraceBins all = load_ok(make_spec(csv, kCountsCsv));
  EXPECT_EQ(all.bin_width, 300);
  EXPECT_EQ(all.counts, bins);
  EXPECT_EQ(all.total(), total);

  // A two-day window one day in, summed by comparing the timestamps as text.
  TraceBins two_days = load_ok(make_spec(csv, kCountsCsv, 86400, 2 * 86400));
  double in_window = 0;
  for (const auto& r : rows) {
    if (r[0] >= "2014-04-11 00:04:00" && r[0] < "2014-04-13 00:04:00") in_window += std::stod(r[1]);
  }
  EXPECT_EQ(rows.front()[0], "2014-04-10 00:04:00");
  EXPECT_EQ(two_days.total(), in_window);
  EXPECT_EQ(two_days.counts.size(), 576u);

  // Interpolated replay at 2.5x, compressed 300x (a bin per simulated second): still exact per bin.
  TraceSpec spec = make_spec(csv, kCountsCsv);
  spec.scale = 2.5;
  spec.compress = 300;
  spec.interpolate = true;
  auto got = replay_per_bin(spec, 1.0, n_bins, 1e9);
  double cum = 0;
  std::int64_t replayed = 0;
  for (std::size_t i = 0; i < n_bins; ++i) {
    std::int64_t before = std::llround(2.5 * cum);
    cum += bins[i];
    ASSERT_EQ(got[i], std::llround(2.5 * cum) - before) << "bin " << i;
    replayed += got[i];
  }
  EXPECT_EQ(replayed, std::llround(2.5 * total));
}

}  // namespace
}  // namespace sim::model
