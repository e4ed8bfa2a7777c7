#include "sim/core/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "sim/core/units.h"

namespace sim::core {

std::string unreadable_reason(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found || path.empty()) return "no such file";
  if (ec) {
    std::string why = ec.message();  // "Permission denied", "Too many levels of symbolic links"
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return why;
  }
  if (fs::is_directory(st)) return "is a directory";
  // FIFOs and devices could block or never end.
  if (!fs::is_regular_file(st)) return "not a regular file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "permission denied";
  return "";
}

std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diags, std::size_t max_bytes) {
  std::string why = unreadable_reason(path);
  if (!why.empty()) {
    diags.error(path, 0, 0, fmt::format("cannot read file: {}; expected a readable file", why));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(path, 0, 0, "cannot read file: permission denied; expected a readable file");
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

namespace {
// Where each document of a stream starts; the parser's other events are not needed.
struct DocumentStarts : YAML::EventHandler {
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};
}  // namespace

std::optional<YAML::Node> parse_yaml(const std::string& file, const std::string& text, Diagnostics& diags,
                                     std::string_view expected_top) {
  diags.add_source(file, text);
  if (text.find('\0') != std::string::npos) {
    diags.error(file, 0, 0, "file contains NUL bytes; expected a text file");
    return std::nullopt;
  }
  // yaml-cpp passes stray bytes through into names and messages; stop at the first.
  for (std::size_t i = 0, line = 1, line_start = 0; i < text.size();) {
    std::size_t n = utf8_length_at(text, i);
    if (n == 0) {
      diags.error(file, static_cast<int>(line), static_cast<int>(i - line_start + 1),
                  fmt::format("invalid UTF-8 byte 0x{:02x}; expected UTF-8 text", static_cast<unsigned char>(text[i])));
      return std::nullopt;
    }
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
    i += n;
  }
  YAML::Node root;
  try {
    // Not YAML::LoadAll: in yaml-cpp 0.7 it loops forever, allocating, when a document starts with a
    // stray ',' (", name: shop"; jbeder/yaml-cpp#1040, fixed upstream by #1319; found by tests/fuzz).
    // Its parser then reports an empty document without consuming the token, again and again. Count
    // the documents with a parser of our own that stops when one starts where the previous one did.
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    std::size_t docs = 0;
    while (parser.HandleNextDocument(starts)) {
      ++docs;
      std::size_t n = starts.marks.size();
      if (n >= 2 && starts.marks[n - 1].pos == starts.marks[n - 2].pos) {
        const YAML::Mark& at = starts.marks.back();
        auto pos = static_cast<std::size_t>(std::max(at.pos, 0));
        std::size_t len = pos < text.size() ? std::max<std::size_t>(utf8_length_at(text, pos), 1) : 0;
        diags.error(file, at.line + 1, at.column + 1,
                    fmt::format("YAML syntax error: unexpected '{}'; expected valid YAML", text.substr(pos, len)));
        return std::nullopt;
      }
    }
    if (docs > 1) {
      diags.error(file, 0, 0, fmt::format("file holds {} YAML documents; expected one", docs));
      return std::nullopt;
    }
    if (docs == 1) root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard against a stack overflow; its message is just "bad file".
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    int col = e.mark.is_null() ? 0 : e.mark.column + 1;
    diags.error(file, line, col,
                fmt::format("YAML nested more than {} levels deep; expected a flatter document", e.depth() - 1));
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    int col = e.mark.is_null() ? 0 : e.mark.column + 1;
    // A tab in the indentation of the failing line is the likely cause, but yaml-cpp
    // often says only "illegal map value" somewhere after it: point at the tab.
    if (!e.mark.is_null()) {
      std::size_t start = 0;
      for (int i = 0; i < e.mark.line && start != std::string::npos; ++i) {
        start = text.find('\n', start);
        if (start != std::string::npos) ++start;
      }
      std::size_t end = start == std::string::npos ? start : text.find_first_not_of(" \t", start);
      std::size_t tab = start == std::string::npos ? start : text.find('\t', start);
      if (tab != std::string::npos && (end == std::string::npos || tab < end)) {
        diags.error(file, line, static_cast<int>(tab - start + 1),
                    "YAML syntax error: tab in indentation; expected spaces (YAML does not allow tabs there)");
        return std::nullopt;
      }
    }
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
  if (s.size() > 40) {
    // Cut at a character boundary, not inside a UTF-8 sequence.
    std::size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut) + "...";
  }
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return "'" + s + "'";
}

void Reader::error(const YAML::Mark& at, std::string message) const {
  if (at.is_null()) {
    diags_->error(file_, 0, 0, std::move(message));
  } else {
    diags_->error(file_, at.line + 1, at.column + 1, std::move(message));
  }
}

void Reader::error(const YAML::Node& at, std::string message) const { error(mark_of(at), std::move(message)); }

void Reader::error(const SourcePos& at, std::string message) const { diags_->error(at, std::move(message)); }

SourcePos Reader::pos(const YAML::Mark& at) const {
  if (at.is_null()) return {file_, 0, 0};
  return {file_, at.line + 1, at.column + 1};
}

SourcePos Reader::pos(const YAML::Node& n) const { return pos(mark_of(n)); }

YAML::Mark Reader::mark_of(const YAML::Node& n) const {
  if (n.IsDefined() && n.IsNull()) {
    auto [begin, end] = null_keys_->equal_range(n.Mark().pos);
    for (auto it = begin; it != end; ++it) {
      if (it->second.first.is(n)) return it->second.second;
    }
  }
  return n.Mark();
}

void Reader::remember_null_value(const YAML::Node& value, const YAML::Node& key) const {
  null_keys_->emplace(value.Mark().pos, std::make_pair(value, key.Mark()));
}

void Reader::warning(const YAML::Node& at, std::string message) const {
  YAML::Mark m = mark_of(at);
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

namespace {
// A number too large for parse_number ("1e308", "1e400"): out of range rather than malformed.
bool is_huge_number(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v, std::chars_format::general);
  if (ptr != end || s.empty()) return false;
  if (ec == std::errc::result_out_of_range) return true;
  return ec == std::errc() && std::isfinite(v);  // parse_number refused a finite number: too large
}
}  // namespace

std::optional<double> Reader::number(const YAML::Node& n, double min, double max) const {
  std::string expected = fmt::format("a number between {} and {}", format_number(min, 6), format_number(max, 6));
  auto s = scalar(n, expected);
  if (!s) return std::nullopt;
  auto v = parse_number(*s);
  if (!v && is_huge_number(*s)) {
    error(n, fmt::format("{} is out of range; expected {}", *s, expected));
    return std::nullopt;
  }
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
  if (!v && is_huge_number(*s)) {
    error(n, fmt::format("{} is out of range; expected {}", *s, expected));
    return std::nullopt;
  }
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
  std::string range = expected;
  auto v = parse(n.Scalar(), &range);
  if (!v && range != expected) {
    r.error(n, fmt::format("{} {} is out of range; expected {}", noun, describe(n), range));
  } else if (!v) {
    r.error(n, fmt::format("invalid {} {}; expected {}", noun, describe(n), expected));
  }
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

std::optional<std::string> Reader::choice(const YAML::Node& n, std::string_view what,
                                          const std::vector<std::string>& choices) const {
  auto s = scalar(n, fmt::format("one of {}", join(choices)));
  if (!s) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  error(n, unknown_name({.noun = what, .name = *s}, choices));
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
  // A mapping: bad keys below are reported and skipped, the good ones still read.
  ok_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node k = it->first;  // a copy: the iterator yields a temporary pair
    if (!k.IsScalar()) {
      reader.error(k, fmt::format("keys in {} must be plain names, got {}", what_, describe(k)));
      continue;
    }
    const std::string& key = k.Scalar();
    if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) {
      reader.error(k, fmt::format("duplicate key '{}' in {}; expected each key once", key, what_));
      continue;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      UnknownName u{.noun = "key", .name = key, .in = what_};
      reader.error(k, unknown_name(u, allowed));
      // A key offered in "did you mean" is not reported again as missing.
      if (std::string guess = suggested_name(u, allowed); !guess.empty()) suggested_.push_back(guess);
      continue;
    }
    if (it->second.IsNull()) reader.remember_null_value(it->second, k);
    keys_.push_back(key);
    key_marks_.push_back(k.Mark());
  }
}

bool MapView::misspelled(std::string_view key) const {
  return std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end();
}

bool MapView::has(std::string_view key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

YAML::Mark MapView::key_mark(std::string_view key) const {
  auto it = std::find(keys_.begin(), keys_.end(), key);
  if (it == keys_.end()) return YAML::Mark::null_mark();
  return key_marks_[static_cast<std::size_t>(it - keys_.begin())];
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
    // "did you mean 'key'?" was already said; "missing key" would repeat it.
    if (misspelled(key)) return YAML::Node(YAML::NodeType::Undefined);
    reader_->error(node_, fmt::format("missing key '{}' in {}; expected {}", key, what_, expected));
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return get(key);
}

std::string MapView::exactly_one_of(const std::vector<std::string>& keys, bool required) const {
  std::vector<std::string> present;  // in file order, so that the second one written is blamed
  for (const auto& k : keys_) {
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) present.push_back(k);
  }
  if (present.size() == 1) return present.front();
  if (present.empty()) {
    bool suggested = std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return misspelled(k); });
    if (required && !suggested) {
      reader_->error(node_, fmt::format("{} has none of {}; expected exactly one", what_, join(keys)));
    }
    return "";
  }
  // At the second key: "partition" in {crash: app, partition: [a, b]}.
  reader_->error(key_mark(present[1]),
                 fmt::format("'{}' and '{}' cannot be used together in {}; expected exactly one of {}", present[0],
                             present[1], what_, join(keys)));
  return "";
}

}  // namespace sim::core
