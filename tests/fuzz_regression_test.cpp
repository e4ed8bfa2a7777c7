// Regression tests for what the fuzzers (tests/fuzz/, scripts/fuzz) found in
// the input readers: one test per finding, in process, each with the smallest
// input that showed it. docs/hardening.md lists them. Inputs that `infrasim
// validate` reaches are also in the bad-input corpus (tests/bad/).
//
//   text / file --> loader --> diagnostics (never: hang, exception, UB, abort)
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/core/diagnostics.h"
#include "sim/core/yaml_reader.h"
#include "sim/trace/trace.h"
#include "sim/scenario/loader.h"
#include "sim/topology/loader.h"
#include "tests/test_util.h"

namespace sim::testing {
namespace {

using scenario::TraceSpec;

// yaml-cpp 0.7's LoadAll looped forever, allocating, on a document starting with ','.
TEST(FuzzRegression, StrayCommaIsASyntaxErrorNotAHang) {
  core::Diagnostics d;
  EXPECT_FALSE(core::parse_yaml("f.yaml", "# a comment\n, name: shop\n", d));
  EXPECT_EQ(d.format_short(), "f.yaml:2:1: error: YAML syntax error: unexpected ','; expected valid YAML\n");
  core::Diagnostics only;
  EXPECT_FALSE(core::parse_yaml("f.yaml", ",", only));
  EXPECT_EQ(only.error_count(), 1u);
}

TEST(FuzzRegression, DocumentsAreStillCounted) {
  core::Diagnostics d;
  EXPECT_FALSE(core::parse_yaml("f.yaml", "a: 1\n---\nb: 2\n---\nc: 3\n", d));
  EXPECT_EQ(d.format_short(), "f.yaml: error: file holds 3 YAML documents; expected one\n");
  core::Diagnostics second;
  EXPECT_FALSE(core::parse_yaml("f.yaml", "a: 1\n---\n, b\n", second));
  EXPECT_EQ(second.format_short(), "f.yaml:3:1: error: YAML syntax error: unexpected ','; expected valid YAML\n");
  core::Diagnostics one;
  auto root = core::parse_yaml("f.yaml", "a: [1, 2]\n", one);
  ASSERT_TRUE(root) << one.format();
  EXPECT_EQ((*root)["a"].size(), 2u);
}

// A control character in a key was copied into the message: "\n" in a quoted key
// split it into two lines (the second looking like anything), a raw ESC drove the terminal.
TEST(FuzzRegression, MessagesShowControlCharactersAsQuestionMarks) {
  core::Diagnostics d;
  EXPECT_FALSE(topology::parse_topology("t.yaml", "\"nam\\ne\": shop\nx\x1b[2Jy: 1\n", d));
  for (const core::Diagnostic& diag : d.all()) {
    EXPECT_EQ(diag.message.find_first_of("\n\x1b"), std::string::npos) << diag.message;
  }
  EXPECT_NE(d.format_short().find("unknown key 'nam?e' in topology; did you mean 'name'?"), std::string::npos)
      << d.format_short();
  EXPECT_NE(d.format_short().find("unknown key 'x?[2Jy' in topology"), std::string::npos) << d.format_short();
}

TEST(FuzzRegression, DiagnosticsKeepMessagesOnOneLine) {
  core::Diagnostics d;
  d.error("f", 1, 1, "a\nb\tc\x7f\xff");
  EXPECT_EQ(d.all().front().message, "a?b?c??");
  d.warning("f", 1, 1, "caf\xc3\xa9 \xe2\x86\x92 ok");  // UTF-8 is kept
  EXPECT_EQ(d.all().back().message, "caf\xc3\xa9 \xe2\x86\x92 ok");
}

// "--set duration=[" threw YAML::ParserException out of parse_scenario.
TEST(FuzzRegression, MalformedOverrideValueIsAnError) {
  std::string error;
  auto o = scenario::parse_override("scenario.duration=[", &error);
  ASSERT_TRUE(o) << error;
  const std::string file = repo_root() + "/tests/bad/fuzz.yaml";
  core::Diagnostics d;
  EXPECT_FALSE(scenario::parse_scenario(file, "topology: ok/topology.yaml\nduration: 1m\nload: {constant: 1/s}\n", d,
                                        "", {*o}));
  EXPECT_EQ(d.format_short(), file + ": error: --set duration: invalid value '[' (end of sequence flow not found); "
                                     "expected a YAML value, like 5, 10m or [a, b]\n");
}

// "window: 1e-300s" made the count of windows overflow a cast to long long (undefined behaviour).
TEST(FuzzRegression, TinyWindowIsReportedWithoutOverflow) {
  const std::string file = repo_root() + "/tests/bad/fuzz.yaml";
  core::Diagnostics d;
  EXPECT_FALSE(scenario::parse_scenario(
      file, "topology: ok/topology.yaml\nduration: 15m\nwindow: 1e-300s\nload: {constant: 1/s}\n", d));
  EXPECT_NE(d.format_short().find("error: 9e+302 windows of 1e-294us in 15m; expected at most 5000000 (raise window)"),
            std::string::npos)
      << d.format_short();
}

TraceSpec spec_for(const std::string& path, TraceSpec::Format format, double length = 0) {
  TraceSpec s;
  s.path = s.path_as_written = path;
  s.format = format;
  s.length = length;
  s.pos = {"scenario.yaml", 3, 5};
  return s;
}

// A per_second window far longer than the file reserved all of it up front: length 1e14s threw
// std::length_error / bad_alloc (ASan: allocation-size-too-big) instead of reporting the short trace.
TEST(FuzzRegression, HugeTraceWindowDoesNotReserveIt) {
  std::string path = temp_dir("fuzz_regression") + "/per_second.txt";
  write_file(path, "1 2 3\n");
  core::Diagnostics d;
  EXPECT_FALSE(trace::load_trace(spec_for(path, TraceSpec::Format::kPerSecond, 1e14), d));
  EXPECT_NE(d.format_short().find("scenario.yaml:3:5: error: trace window ends at "), std::string::npos)
      << d.format_short();
  EXPECT_NE(d.format_short().find("is only 3s long"), std::string::npos) << d.format_short();
}

// Times 0 and 1e300 overflowed the conversion of the trace's length in bins to std::int64_t.
TEST(FuzzRegression, FarApartTraceTimesAreTooManyBins) {
  std::string dir = temp_dir("fuzz_regression");
  write_file(dir + "/log.tsv", "time\n0\n1e300\n");
  write_file(dir + "/counts.csv", "timestamp,value\n0,1\n1,1\n1e300,1\n");
  write_file(dir + "/wide.csv", "timestamp,value\n-1e308,1\n1e308,1\n");
  for (auto [name, format] : {std::pair{"log.tsv", TraceSpec::Format::kRequestLog},
                              std::pair{"counts.csv", TraceSpec::Format::kCountsCsv},
                              std::pair{"wide.csv", TraceSpec::Format::kCountsCsv}}) {
    core::Diagnostics d;
    EXPECT_FALSE(trace::load_trace(spec_for(dir + "/" + name, format), d)) << name;
    EXPECT_NE(d.format_short().find("bins of"), std::string::npos) << name << ": " << d.format_short();
    EXPECT_NE(d.format_short().find("expected at most 50000000"), std::string::npos) << name << ": "
                                                                                     << d.format_short();
  }
  // A short window of such a log still loads: the far row is outside it.
  core::Diagnostics d;
  auto bins = trace::load_trace(spec_for(dir + "/log.tsv", TraceSpec::Format::kRequestLog, 2), d);
  ASSERT_TRUE(bins) << d.format();
  EXPECT_EQ(bins->counts, (std::vector<double>{1, 0}));
}

}  // namespace
}  // namespace sim::testing
