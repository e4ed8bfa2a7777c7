#pragma once
// Located diagnostics for user input: every error in a file is collected,
// sorted by position and printed GCC-style, with the source line and a caret:
//
//   scenarios/x.yaml:9:12: error: bad duration 'fast'; expected a number with a unit like 250ms or 5m
//       duration: fast
//                 ^
//
// Loaders never throw for bad input: they append here and return nullopt.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/source.h"

namespace sim::core {

enum class Severity { kError, kWarning };

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 = the whole file (unreadable, empty)
  int column = 0;  // 1-based; 0 = the whole line
  Severity severity = Severity::kError;
  std::string message;  // lowercase, no final period: "what is wrong; what was expected";
                        // one line: error()/warning() show control characters and non-UTF-8 bytes as '?'
};

/// Collects diagnostics from one or several files.
class Diagnostics {
 public:
  /// Records the text of `file` so that format() can show the offending line.
  void add_source(const std::string& file, std::string text);

  void error(const std::string& file, int line, int column, std::string message);
  void warning(const std::string& file, int line, int column, std::string message);
  /// At a position kept while reading (core/source.h).
  void error(const SourcePos& at, std::string message) { error(at.file, at.line, at.column, std::move(message)); }
  void warning(const SourcePos& at, std::string message) { warning(at.file, at.line, at.column, std::move(message)); }

  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& all() const { return items_; }

  /// Sorted by (file, line, column, message), duplicates removed.
  std::vector<Diagnostic> sorted() const;

  /// One block per diagnostic: "file:line:col: error: message" + source line + caret.
  /// Columns count bytes (as yaml-cpp marks do); the caret is placed under the
  /// character, keeping tabs and counting a UTF-8 character once. Control
  /// characters and bytes that are not UTF-8 are shown as '?'; lines longer than
  /// 300 bytes are not shown.
  std::string format() const;

  /// Only the first lines ("file:line:col: error: message"), one per diagnostic.
  std::string format_short() const;

  /// Appends another collection (sources included).
  void merge(const Diagnostics& other);

 private:
  std::vector<Diagnostic> items_;
  std::map<std::string, std::string> sources_;
};

/// "file:line:col: error: message" without the source excerpt.
std::string format_location(const Diagnostic& d);

/// Length in bytes of the valid UTF-8 sequence starting at s[i] (1 for ASCII),
/// 0 when s[i] does not start one (stray byte, overlong form, surrogate, truncated).
/// REQUIRES: i < s.size().
std::size_t utf8_length_at(std::string_view s, std::size_t i);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` (the first of equally close ones), or "" when
/// none is close enough: at most a third of the word's characters wrong (1..3
/// edits), and not a complete rewrite ('x' does not suggest 'r').
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace sim::core
