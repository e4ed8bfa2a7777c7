#pragma once
// Located reading of hand-written YAML. yaml-cpp exceptions stop here: every
// problem becomes a Diagnostic at the node's position (yaml-cpp marks are
// 0-based; diagnostics are 1-based). Loaders are written as plain code over
// MapView, which knows its allowed keys, so unknown keys ("did you mean"),
// duplicates and missing keys are reported uniformly.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "sim/core/diagnostics.h"
#include "sim/core/source.h"

namespace sim::core {

/// Why `path` cannot be read as a regular file: "no such file", "is a directory",
/// "not a regular file" or "permission denied"; "" when it can be read.
std::string unreadable_reason(const std::string& path);

/// Reads a whole file. Missing, unreadable, a directory or another non-regular
/// file, larger than `max_bytes` or containing NUL bytes: a diagnostic on `path`
/// ("cannot read file: <reason>; expected ..."), nullopt.
std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diags,
                                          std::size_t max_bytes = 64u << 20);

/// Parses `text` as one YAML document named `file`. Syntax errors become located
/// diagnostics (yaml-cpp's 0-based marks + 1), as do bytes that are not UTF-8
/// and nesting deeper than yaml-cpp's limit; an empty document (or one holding
/// only comments) is an error ("file is empty; expected ..."). The text is
/// registered with diags for source excerpts.
std::optional<YAML::Node> parse_yaml(const std::string& file, const std::string& text, Diagnostics& diags,
                                     std::string_view expected_top = "a mapping");

/// Converts scalars with located errors. All methods return nullopt after
/// reporting; none throws. Copies share their state.
class Reader {
 public:
  Reader(std::string file, Diagnostics& diags)
      : file_(std::move(file)), diags_(&diags), null_keys_(std::make_shared<NullKeys>()) {}

  const std::string& file() const { return file_; }
  Diagnostics& diags() const { return *diags_; }

  void error(const YAML::Node& at, std::string message) const;
  void error(const YAML::Mark& at, std::string message) const;
  /// At a position kept from an earlier read (cross-references checked once the whole file is read).
  void error(const SourcePos& at, std::string message) const;
  void warning(const YAML::Node& at, std::string message) const;
  /// Where `n` (or `at`) is written in this file: mark_of() made 1-based; line 0 when there is no mark.
  SourcePos pos(const YAML::Node& n) const;
  SourcePos pos(const YAML::Mark& at) const;
  /// Where to report a problem with `n`: its own mark, except for a mapping value
  /// left empty ("name:"), whose yaml-cpp mark is the next token (often on the next
  /// line): then the mark of its key.
  YAML::Mark mark_of(const YAML::Node& n) const;
  /// Records that `value` is the (null) value of `key`; done by MapView.
  void remember_null_value(const YAML::Node& value, const YAML::Node& key) const;

  std::optional<std::string> string(const YAML::Node& n, std::string_view what = "a string") const;
  /// A name made of letters, digits, '_', '-' and '.', starting with a letter or digit.
  std::optional<std::string> identifier(const YAML::Node& n) const;
  std::optional<bool> boolean(const YAML::Node& n) const;
  /// A plain number in [min, max]; a huge one ("1e308") is "out of range", not "invalid".
  std::optional<double> number(const YAML::Node& n, double min, double max) const;
  std::optional<long long> integer(const YAML::Node& n, long long min, long long max) const;
  std::optional<double> duration(const YAML::Node& n) const;
  /// A duration > 0.
  std::optional<double> positive_duration(const YAML::Node& n) const;
  std::optional<double> rate(const YAML::Node& n) const;
  std::optional<double> size(const YAML::Node& n) const;
  std::optional<double> bandwidth(const YAML::Node& n) const;
  std::optional<double> ratio(const YAML::Node& n) const;
  std::optional<double> factor(const YAML::Node& n) const;
  /// One of `choices`; otherwise "unknown <what> 'x'; expected one of a, b, c" (+ did you mean).
  std::optional<std::string> choice(const YAML::Node& n, std::string_view what,
                                    const std::vector<std::string>& choices) const;

  bool is_map(const YAML::Node& n, std::string_view what) const;
  bool is_seq(const YAML::Node& n, std::string_view what) const;
  bool is_scalar(const YAML::Node& n, std::string_view what) const;

 private:
  std::optional<std::string> scalar(const YAML::Node& n, std::string_view expected) const;
  // By the value's own mark position: each empty value sits before a different token.
  using NullKeys = std::unordered_multimap<int, std::pair<YAML::Node, YAML::Mark>>;
  std::string file_;
  Diagnostics* diags_;
  std::shared_ptr<NullKeys> null_keys_;  // empty mapping values -> their key's mark
};

/// Stores the value of `v` into *out (converted to U) when there is one; true when it did.
/// The usual end of a read: `set_if(r.duration(node), &spec.timeout)`.
template <typename T, typename U>
bool set_if(const std::optional<T>& v, U* out) {
  if (!v) return false;
  *out = static_cast<U>(*v);
  return true;
}

/// A mapping with a fixed set of allowed keys. On construction reports
/// unknown keys (with "did you mean"), duplicate keys and non-scalar keys;
/// those keys are then skipped, so that the caller goes on reading the valid
/// ones and every error of a file is reported. A key that was suggested for a
/// misspelled one ("replicaz" -> "replicas") is not reported again as missing
/// by require() or exactly_one_of().
class MapView {
 public:
  /// `what` names the mapping in messages ("component 'db'", "health_check").
  /// An empty `allowed` accepts any key (maps of names).
  MapView(const Reader& reader, const YAML::Node& node, std::string what, std::vector<std::string> allowed);

  /// The node is a mapping (reported otherwise). Bad keys do not make it false.
  bool ok() const { return ok_; }
  /// Whether an unknown key in this mapping was probably meant to be `key`.
  bool misspelled(std::string_view key) const;
  bool has(std::string_view key) const;
  /// The value, or an undefined node when the key is absent.
  YAML::Node get(std::string_view key) const;
  /// The value; reports "missing key" at the mapping when absent.
  YAML::Node require(std::string_view key, std::string_view expected) const;
  /// Where `key` is written (for errors about the key itself, not its value);
  /// a null mark when absent.
  YAML::Mark key_mark(std::string_view key) const;
  /// Reads an optional key into a field: when `key` is present, converts its value
  /// with the Reader method `convert` (extra arguments after `out`, e.g. the range
  /// of Reader::integer) and stores it into *out. Absent or invalid (reported by
  /// `convert`): *out keeps its default. True when a value was stored.
  ///   m.read("interval", &Reader::positive_duration, &hc.interval);
  ///   m.read("replicas", &Reader::integer, &spec.replicas, 1, kMaxInstances);
  template <typename T, typename U, typename... Params, typename... Args>
  bool read(std::string_view key, std::optional<T> (Reader::*convert)(const YAML::Node&, Params...) const, U* out,
            Args&&... args) const {
    if (!has(key)) return false;
    return set_if((reader_->*convert)(get(key), std::forward<Args>(args)...), out);
  }

  /// Keys in file order.
  const std::vector<std::string>& keys() const { return keys_; }
  const YAML::Node& node() const { return node_; }
  const std::string& what() const { return what_; }
  /// Reports "'a' and 'b' cannot be used together" (in file order, at b) when more than one is present;
  /// returns the single present key, "" when none or several.
  std::string exactly_one_of(const std::vector<std::string>& keys, bool required) const;

 private:
  const Reader* reader_;
  YAML::Node node_;
  std::string what_;
  std::vector<std::string> keys_;
  std::vector<YAML::Mark> key_marks_;   // parallel to keys_
  std::vector<std::string> suggested_;  // keys offered in "did you mean"
  bool ok_ = false;
};

/// 1-based line of a node (0 when it has no mark).
int line_of(const YAML::Node& n);
/// A short rendering of a scalar or of a node's kind, for "got ..." messages;
/// control characters are shown as '?'.
std::string describe(const YAML::Node& n);

}  // namespace sim::core
