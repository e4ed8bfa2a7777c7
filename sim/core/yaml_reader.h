#pragma once
// Located reading of hand-written YAML. yaml-cpp exceptions stop here: every
// problem becomes a Diagnostic at the node's position (yaml-cpp marks are
// 0-based; diagnostics are 1-based). Loaders are written as plain code over
// MapView, which knows its allowed keys, so unknown keys ("did you mean"),
// duplicates and missing keys are reported uniformly.

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "sim/core/diagnostics.h"

namespace sim::core {

/// Reads a whole file. Missing, unreadable, a directory, larger than `max_bytes`
/// or containing NUL bytes: a diagnostic on `path`, nullopt.
std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diags,
                                          std::size_t max_bytes = 64u << 20);

/// Parses `text` as one YAML document named `file`. Syntax errors become located
/// diagnostics; an empty document is an error ("file is empty; expected ...").
/// The text is registered with diags for source excerpts.
std::optional<YAML::Node> parse_yaml(const std::string& file, const std::string& text, Diagnostics& diags,
                                     std::string_view expected_top = "a mapping");

/// Converts scalars with located errors. All methods return nullopt after
/// reporting; none throws.
class Reader {
 public:
  Reader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(&diags) {}

  const std::string& file() const { return file_; }
  Diagnostics& diags() const { return *diags_; }

  void error(const YAML::Node& at, std::string message) const;
  void error(const YAML::Mark& at, std::string message) const;
  void warning(const YAML::Node& at, std::string message) const;

  std::optional<std::string> string(const YAML::Node& n, std::string_view what = "a string") const;
  /// A name made of letters, digits, '_', '-' and '.', starting with a letter or digit.
  std::optional<std::string> identifier(const YAML::Node& n) const;
  std::optional<bool> boolean(const YAML::Node& n) const;
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
  std::string file_;
  Diagnostics* diags_;
};

/// A mapping with a fixed set of allowed keys. On construction reports
/// unknown keys (with "did you mean"), duplicate keys and non-scalar keys.
class MapView {
 public:
  /// `what` names the mapping in messages ("component 'db'", "health_check").
  MapView(const Reader& reader, const YAML::Node& node, std::string what, std::vector<std::string> allowed);

  bool ok() const { return ok_; }
  bool has(std::string_view key) const;
  /// The value, or an undefined node when the key is absent.
  YAML::Node get(std::string_view key) const;
  /// The value; reports "missing key" at the mapping when absent.
  YAML::Node require(std::string_view key, std::string_view expected) const;
  /// Keys in file order.
  const std::vector<std::string>& keys() const { return keys_; }
  const YAML::Node& node() const { return node_; }
  const std::string& what() const { return what_; }
  /// Reports "'a' and 'b' cannot be used together" when more than one is present;
  /// returns the single present key, "" when none or several.
  std::string exactly_one_of(const std::vector<std::string>& keys, bool required) const;

 private:
  const Reader* reader_;
  YAML::Node node_;
  std::string what_;
  std::vector<std::string> keys_;
  bool ok_ = false;
};

/// 1-based line of a node (0 when it has no mark).
int line_of(const YAML::Node& n);
/// A short rendering of a scalar or of a node's kind, for "got ..." messages.
std::string describe(const YAML::Node& n);

}  // namespace sim::core
