#include "sim/core/diagnostics.h"

#include <algorithm>
#include <fmt/format.h>
#include <tuple>

namespace sim::core {

void Diagnostics::add_source(const std::string& file, std::string text) {
  sources_[file] = std::move(text);
}

namespace {
// Messages quote user input ("unknown key '...'"): a control character there (a raw ESC, or a
// "\n" escape in a quoted YAML key) would garble the terminal or start a line that looks like
// another diagnostic. Shown as '?', as describe() and format() do; found by tests/fuzz.
std::string printable(std::string message) {
  for (std::size_t i = 0; i < message.size();) {
    std::size_t n = utf8_length_at(message, i);
    auto c = static_cast<unsigned char>(message[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f))) {
      message[i] = '?';
      n = 1;
    }
    i += n;
  }
  return message;
}
}  // namespace

void Diagnostics::error(const std::string& file, int line, int column, std::string message) {
  items_.push_back({file, line, column, Severity::kError, printable(std::move(message))});
}

void Diagnostics::warning(const std::string& file, int line, int column, std::string message) {
  items_.push_back({file, line, column, Severity::kWarning, printable(std::move(message))});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  auto key = [](const Diagnostic& d) { return std::tie(d.file, d.line, d.column, d.message); };
  std::stable_sort(out.begin(), out.end(), [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
            out.end());
  return out;
}

std::string format_location(const Diagnostic& d) {
  const char* sev = d.severity == Severity::kError ? "error" : "warning";
  if (d.line <= 0) return fmt::format("{}: {}: {}", d.file, sev, d.message);
  if (d.column <= 0) return fmt::format("{}:{}: {}: {}", d.file, d.line, sev, d.message);
  return fmt::format("{}:{}:{}: {}: {}", d.file, d.line, d.column, sev, d.message);
}

namespace {
// Where the last lookup ended: diagnostics come sorted by file and line, so each
// lookup goes on from there instead of rescanning the text (100k errors in a
// 100k-line file took 30 s that way).
struct LineCursor {
  const std::string* text = nullptr;
  int line = 1;
  std::size_t start = 0;
};

// The 1-based `line` of `text`, or false.
bool source_line(const std::string& text, int line, std::string* out, LineCursor* cursor) {
  if (cursor->text != &text || cursor->line > line) *cursor = {&text, 1, 0};
  std::size_t start = cursor->start;
  for (int i = cursor->line; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string::npos) {
      *cursor = {&text, 1, 0};
      return false;
    }
    ++start;
  }
  *cursor = {&text, line, start};
  if (start > text.size()) return false;
  std::size_t end = text.find('\n', start);
  *out = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return true;
}
}  // namespace

std::string Diagnostics::format() const {
  std::string out;
  LineCursor cursor;
  for (const Diagnostic& d : sorted()) {
    out += format_location(d);
    out += '\n';
    auto it = sources_.find(d.file);
    std::string line;
    if (d.line > 0 && it != sources_.end() && source_line(it->second, d.line, &line, &cursor) && line.size() < 300) {
      // Non-printable or non-UTF-8 bytes would garble the terminal; show them as '?'.
      // `pad` mirrors the line up to the column: a tab for a tab, one space per character.
      std::string shown, pad;
      auto column = static_cast<std::size_t>(std::max(d.column, 0));
      for (std::size_t i = 0; i < line.size();) {
        std::size_t n = utf8_length_at(line, i);
        char c = line[i];
        bool control = n == 1 && ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f);
        if (n == 0 || control) {
          shown += '?';
          n = 1;
        } else {
          shown.append(line, i, n);
        }
        if (i + 1 < column) pad += c == '\t' ? '\t' : ' ';
        i += n;
      }
      out += "    " + shown + "\n";
      if (d.column > 0) out += "    " + pad + "^\n";
    }
  }
  return out;
}

std::string Diagnostics::format_short() const {
  std::string out;
  for (const Diagnostic& d : sorted()) out += format_location(d) + "\n";
  return out;
}

void Diagnostics::merge(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  for (const auto& [file, text] : other.sources_) sources_.emplace(file, text);
}

std::size_t utf8_length_at(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  // Table 3-7 of the Unicode standard: the second byte's range depends on the first.
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c == 0xE0) {
    n = 3;
    lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    n = 3;
  } else if (c == 0xED) {
    n = 3;
    hi = 0x9F;  // no UTF-16 surrogates
  } else if (c == 0xF0) {
    n = 4;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    n = 4;
  } else if (c == 0xF4) {
    n = 4;
    hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return n;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const std::string& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Suggest only plausible typos: at most a third of the word wrong (min 1, max 3 edits).
  std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  bool rewrite = best_d >= std::max(word.size(), best.size());
  return best_d <= limit && !rewrite ? best : std::string();
}

}  // namespace sim::core
