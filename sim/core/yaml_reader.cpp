#include "sim/core/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "sim/core/units.h"

namespace sim::core {

std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diags, std::size_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    diags.error(path, 0, 0, "cannot read file: no such file; expected a readable file path");
    return std::nullopt;
  }
  if (fs::is_directory(st)) {
    diags.error(path, 0, 0, "is a directory; expected a file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(path, 0, 0, "cannot open file for reading; expected a readable file");
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      diags.error(path, 0, 0, fmt::format("file is larger than {}; expected a smaller input", format_size(static_cast<double>(max_bytes))));
      return std::nullopt;
    }
  }
  if (text.find('\0') != std::string::npos) {
    diags.error(path, 0, 0, "file contains NUL bytes; expected a text file");
    return std::nullopt;
  }
  return text;
}

std::optional<YAML::Node> parse_yaml(const std::string& file, const std::string& text, Diagnostics& diags,
                                     std::string_view expected_top) {
  diags.add_source(file, text);
  if (text.find('\0') != std::string::npos) {
    diags.error(file, 0, 0, "file contains NUL bytes; expected a text file");
    return std::nullopt;
  }
  YAML::Node root;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) {
      diags.error(file, 0, 0, fmt::format("file holds {} YAML documents; expected one", docs.size()));
      return std::nullopt;
    }
    if (!docs.empty()) root = docs.front();
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    int col = e.mark.is_null() ? 0 : e.mark.column + 1;
    diags.error(file, line, col, fmt::format("YAML syntax error: {}; expected valid YAML", e.msg));
    return std::nullopt;
  }
  if (!root.IsDefined() || root.IsNull()) {
    diags.error(file, 0, 0, fmt::format("file is empty; expected {}", expected_top));
    return std::nullopt;
  }
  return root;
}

int line_of(const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  std::string s = n.Scalar();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return "'" + s + "'";
}

void Reader::error(const YAML::Mark& at, std::string message) const {
  if (at.is_null()) {
    diags_->error(file_, 0, 0, std::move(message));
  } else {
    diags_->error(file_, at.line + 1, at.column + 1, std::move(message));
  }
}

void Reader::error(const YAML::Node& at, std::string message) const { error(at.Mark(), std::move(message)); }

void Reader::warning(const YAML::Node& at, std::string message) const {
  YAML::Mark m = at.Mark();
  if (m.is_null()) {
    diags_->warning(file_, 0, 0, std::move(message));
  } else {
    diags_->warning(file_, m.line + 1, m.column + 1, std::move(message));
  }
}

std::optional<std::string> Reader::scalar(const YAML::Node& n, std::string_view expected) const {
  if (!n.IsDefined() || n.IsNull() || !n.IsScalar()) {
    error(n, fmt::format("expected {}, got {}", expected, describe(n)));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::string> Reader::string(const YAML::Node& n, std::string_view what) const {
  auto s = scalar(n, what);
  if (s && s->size() > 4096) {
    error(n, fmt::format("string of {} characters is too long; expected at most 4096", s->size()));
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Reader::identifier(const YAML::Node& n) const {
  static constexpr std::string_view kExpected = "a name of letters, digits, '_' or '-'";
  auto s = scalar(n, kExpected);
  if (!s) return std::nullopt;
  bool ok = !s->empty() && s->size() <= 128 && std::isalnum(static_cast<unsigned char>((*s)[0]));
  for (char c : *s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok) {
    error(n, fmt::format("invalid name {}; expected {}", describe(n), kExpected));
    return std::nullopt;
  }
  return s;
}

std::optional<bool> Reader::boolean(const YAML::Node& n) const {
  auto s = scalar(n, "true or false");
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "yes" || *s == "on") return true;
  if (*s == "false" || *s == "no" || *s == "off") return false;
  error(n, fmt::format("invalid boolean {}; expected true or false", describe(n)));
  return std::nullopt;
}

std::optional<double> Reader::number(const YAML::Node& n, double min, double max) const {
  std::string expected = fmt::format("a number between {} and {}", format_number(min, 6), format_number(max, 6));
  auto s = scalar(n, expected);
  if (!s) return std::nullopt;
  auto v = parse_number(*s);
  if (!v) {
    error(n, fmt::format("invalid number {}; expected {}", describe(n), expected));
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    error(n, fmt::format("{} is out of range; expected {}", *s, expected));
    return std::nullopt;
  }
  return v;
}

std::optional<long long> Reader::integer(const YAML::Node& n, long long min, long long max) const {
  std::string expected = fmt::format("a whole number between {} and {}", min, max);
  auto s = scalar(n, expected);
  if (!s) return std::nullopt;
  auto v = parse_number(*s);
  if (!v || std::floor(*v) != *v) {
    error(n, fmt::format("invalid whole number {}; expected {}", describe(n), expected));
    return std::nullopt;
  }
  if (*v < static_cast<double>(min) || *v > static_cast<double>(max)) {
    error(n, fmt::format("{} is out of range; expected {}", *s, expected));
    return std::nullopt;
  }
  return static_cast<long long>(*v);
}

namespace {
using UnitParser = std::optional<double> (*)(std::string_view, std::string*);

std::optional<double> parse_with(const Reader& r, const YAML::Node& n, UnitParser parse, std::string_view noun) {
  std::string expected;
  parse("", &expected);  // fills the "expected" text
  if (!n.IsDefined() || n.IsNull() || !n.IsScalar()) {
    r.error(n, fmt::format("expected {}, got {}", expected, describe(n)));
    return std::nullopt;
  }
  auto v = parse(n.Scalar(), &expected);
  if (!v) r.error(n, fmt::format("invalid {} {}; expected {}", noun, describe(n), expected));
  return v;
}
}  // namespace

std::optional<double> Reader::duration(const YAML::Node& n) const { return parse_with(*this, n, parse_duration, "duration"); }

std::optional<double> Reader::positive_duration(const YAML::Node& n) const {
  auto v = duration(n);
  if (v && *v <= 0) {
    error(n, fmt::format("duration must be positive, got {}; expected a duration above 0", describe(n)));
    return std::nullopt;
  }
  return v;
}

std::optional<double> Reader::rate(const YAML::Node& n) const { return parse_with(*this, n, parse_rate, "rate"); }
std::optional<double> Reader::size(const YAML::Node& n) const { return parse_with(*this, n, parse_size, "size"); }
std::optional<double> Reader::bandwidth(const YAML::Node& n) const {
  return parse_with(*this, n, parse_bandwidth, "bandwidth");
}
std::optional<double> Reader::ratio(const YAML::Node& n) const { return parse_with(*this, n, parse_ratio, "ratio"); }
std::optional<double> Reader::factor(const YAML::Node& n) const { return parse_with(*this, n, parse_factor, "factor"); }

namespace {
std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  return out;
}
}  // namespace

std::optional<std::string> Reader::choice(const YAML::Node& n, std::string_view what,
                                          const std::vector<std::string>& choices) const {
  auto s = scalar(n, fmt::format("one of {}", join(choices)));
  if (!s) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  std::string guess = closest_match(*s, choices);
  if (!guess.empty()) {
    error(n, fmt::format("unknown {} '{}'; did you mean '{}'?", what, *s, guess));
  } else {
    error(n, fmt::format("unknown {} '{}'; expected one of {}", what, *s, join(choices)));
  }
  return std::nullopt;
}

bool Reader::is_map(const YAML::Node& n, std::string_view what) const {
  if (n.IsMap()) return true;
  error(n, fmt::format("{} must be a mapping, got {}; expected key: value pairs", what, describe(n)));
  return false;
}

bool Reader::is_seq(const YAML::Node& n, std::string_view what) const {
  if (n.IsSequence()) return true;
  error(n, fmt::format("{} must be a list, got {}; expected [a, b] or '- item' lines", what, describe(n)));
  return false;
}

bool Reader::is_scalar(const YAML::Node& n, std::string_view what) const {
  if (n.IsScalar()) return true;
  error(n, fmt::format("{} must be a single value, got {}", what, describe(n)));
  return false;
}

MapView::MapView(const Reader& reader, const YAML::Node& node, std::string what, std::vector<std::string> allowed)
    : reader_(&reader), node_(node), what_(std::move(what)) {
  if (!reader.is_map(node, what_)) return;
  ok_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node k = it->first;  // a copy: the iterator yields a temporary pair
    if (!k.IsScalar()) {
      reader.error(k, fmt::format("keys in {} must be plain names, got {}", what_, describe(k)));
      ok_ = false;
      continue;
    }
    const std::string& key = k.Scalar();
    if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) {
      reader.error(k, fmt::format("duplicate key '{}' in {}; expected each key once", key, what_));
      ok_ = false;
      continue;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string guess = closest_match(key, allowed);
      if (!guess.empty()) {
        reader.error(k, fmt::format("unknown key '{}' in {}; did you mean '{}'?", key, what_, guess));
      } else {
        reader.error(k, fmt::format("unknown key '{}' in {}; expected one of {}", key, what_, join(allowed)));
      }
      ok_ = false;
      continue;
    }
    keys_.push_back(key);
  }
}

bool MapView::has(std::string_view key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

YAML::Node MapView::get(std::string_view key) const {
  if (!has(key)) return YAML::Node(YAML::NodeType::Undefined);
  // Iterate instead of operator[] on a const node: it never inserts and keeps marks.
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapView::require(std::string_view key, std::string_view expected) const {
  if (!has(key)) {
    reader_->error(node_, fmt::format("missing key '{}' in {}; expected {}", key, what_, expected));
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return get(key);
}

std::string MapView::exactly_one_of(const std::vector<std::string>& keys, bool required) const {
  std::vector<std::string> present;
  for (const auto& k : keys) {
    if (has(k)) present.push_back(k);
  }
  if (present.size() == 1) return present.front();
  if (present.empty()) {
    if (required) {
      reader_->error(node_, fmt::format("{} needs one of {}; none given", what_, join(keys)));
    }
    return "";
  }
  reader_->error(get(present[1]).Mark().is_null() ? node_ : get(present[1]),
                 fmt::format("'{}' and '{}' cannot be used together in {}; expected exactly one of {}", present[0],
                             present[1], what_, join(keys)));
  return "";
}

}  // namespace sim::core
