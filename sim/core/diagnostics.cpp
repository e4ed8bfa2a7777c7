#include "sim/core/diagnostics.h"

#include <algorithm>
#include <fmt/format.h>
#include <tuple>

namespace sim::core {

void Diagnostics::add_source(const std::string& file, std::string text) {
  sources_[file] = std::move(text);
}

void Diagnostics::error(const std::string& file, int line, int column, std::string message) {
  items_.push_back({file, line, column, Severity::kError, std::move(message)});
}

void Diagnostics::warning(const std::string& file, int line, int column, std::string message) {
  items_.push_back({file, line, column, Severity::kWarning, std::move(message)});
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
// The 1-based `line` of `text`, or nullopt.
bool source_line(const std::string& text, int line, std::string* out) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string::npos) return false;
    ++start;
  }
  if (start > text.size()) return false;
  std::size_t end = text.find('\n', start);
  *out = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return true;
}
}  // namespace

std::string Diagnostics::format() const {
  std::string out;
  for (const Diagnostic& d : sorted()) {
    out += format_location(d);
    out += '\n';
    auto it = sources_.find(d.file);
    std::string line;
    if (d.line > 0 && it != sources_.end() && source_line(it->second, d.line, &line) && line.size() < 300) {
      // Non-printable bytes would garble the terminal; show them as '?'.
      for (char& c : line) {
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
      }
      out += "    " + line + "\n";
      if (d.column > 0) {
        std::string pad;
        for (int i = 0; i < d.column - 1 && i < static_cast<int>(line.size()); ++i) {
          pad += line[static_cast<std::size_t>(i)] == '\t' ? '\t' : ' ';
        }
        out += "    " + pad + "^\n";
      }
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
  return best_d <= limit ? best : std::string();
}

}  // namespace sim::core
