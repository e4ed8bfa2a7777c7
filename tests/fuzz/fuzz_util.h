#pragma once
// Shared by the libFuzzer targets in tests/fuzz/: the invariants every loader
// must keep on any input, checked after each parse. A broken invariant prints
// what was expected and aborts, which libFuzzer records as a crash with its
// reproducer (scripts/fuzz saves it under build-fuzz/crashes/).
//
// The invariants (STYLE.md section 4, "Errors and bad YAML"):
//   - a loader that returns a value reported no error; one that returns
//     nullopt reported at least one;
//   - every diagnostic names a file, has a non-empty one-line message of
//     printable UTF-8, and a position inside the text it points into: line 0
//     (the whole file) or 1..number of lines, column 0 or 1..line length + 1,
//     and no column without a line;
//   - format() and format_short() work on the result, and format_short()
//     prints exactly one line per (deduplicated) diagnostic.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/diagnostics.h"

namespace sim::fuzz {

/// Prints `what` and `detail` to stderr and aborts: a finding for libFuzzer.
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = "") {
  std::fprintf(stderr, "\n*** fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) std::fprintf(stderr, "%.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

#define FUZZ_CHECK(cond, detail)                                                \
  do {                                                                          \
    if (!(cond)) ::sim::fuzz::fail("FUZZ_CHECK(" #cond ") at " __FILE__, (detail)); \
  } while (0)

/// Number of lines of `text` as diagnostics count them (1-based, a final line
/// without '\n' counts, an empty text has one empty line).
inline int line_count(std::string_view text) {
  int n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

/// Length in bytes of the 1-based `line` of `text` (without its '\n').
inline std::size_t line_length(std::string_view text, int line) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return 0;
    ++start;
  }
  std::size_t end = text.find('\n', start);
  return (end == std::string_view::npos ? text.size() : end) - start;
}

/// A message a terminal shows as one line: valid UTF-8, no control characters.
inline bool printable_one_line(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = core::utf8_length_at(s, i);
    if (n == 0) return false;
    auto c = static_cast<unsigned char>(s[i]);
    if (n == 1 && (c < 0x20 || c == 0x7f)) return false;
    i += n;
  }
  return true;
}

/// Checks every diagnostic in `diags`. `texts` maps a file name to the text the
/// loader was given under that name: positions in those files are checked
/// against it (others only for sign and consistency).
inline void check_diagnostics(const core::Diagnostics& diags, const std::map<std::string, std::string_view>& texts) {
  for (const core::Diagnostic& d : diags.all()) {
    std::string where = core::format_location(d);
    FUZZ_CHECK(!d.file.empty(), where);
    FUZZ_CHECK(!d.message.empty(), where);
    FUZZ_CHECK(printable_one_line(d.message), where);
    FUZZ_CHECK(d.line >= 0 && d.column >= 0, where);
    FUZZ_CHECK(d.line > 0 || d.column == 0, where);
    auto it = texts.find(d.file);
    if (it == texts.end() || d.line == 0) continue;
    FUZZ_CHECK(d.line <= line_count(it->second), where);
    if (d.column > 0) FUZZ_CHECK(static_cast<std::size_t>(d.column) <= line_length(it->second, d.line) + 1, where);
  }
  std::string shown = diags.format();
  std::string brief = diags.format_short();
  std::size_t lines = 0;
  for (char c : brief) lines += c == '\n';
  FUZZ_CHECK(lines == diags.sorted().size(), brief);
  FUZZ_CHECK(diags.all().empty() || !shown.empty(), "format() is empty");
}

/// A loader's result agrees with its diagnostics: a value without errors, nullopt with at least one.
template <typename T>
void check_result(const std::optional<T>& result, const core::Diagnostics& diags) {
  if (result) {
    FUZZ_CHECK(!diags.has_errors(), "a value was returned with errors:\n" + diags.format_short());
  } else {
    FUZZ_CHECK(diags.has_errors(), "nullopt was returned without an error:\n" + diags.format_short());
  }
}

}  // namespace sim::fuzz
