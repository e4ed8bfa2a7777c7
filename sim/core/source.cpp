#include "sim/core/source.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

#include "sim/core/diagnostics.h"
#include "sim/core/foreign_names.h"

namespace sim::core {

std::string resolve_path(const std::string& base_file, const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(base_file).parent_path() / p).lexically_normal().string();
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string suggested_name(const UnknownName& u, const std::vector<std::string>& known) {
  if (u.noun == "key") {
    if (ForeignName f = foreign_name(u.name, known); !f.key.empty()) return f.key;
  }
  return closest_match(u.name, known);
}

std::string unknown_name(const UnknownName& u, const std::vector<std::string>& known) {
  std::string head = fmt::format("{}unknown {} '{}'{}", u.prefix, u.noun, u.name,
                                 u.in.empty() ? std::string() : fmt::format(" in {}", u.in));
  if (known.empty()) return fmt::format("{}; {}", head, u.none);
  if (u.noun == "key") {  // minReplicas -> min: the name another tool gives the key
    if (ForeignName f = foreign_name(u.name, known); !f.key.empty()) {
      return fmt::format("{}; did you mean '{}'? ({} is {} here; docs/ecosystem.md)", head, f.key, f.source, f.key);
    }
  }
  std::string guess = closest_match(u.name, known);
  if (!guess.empty()) return fmt::format("{}; did you mean '{}'?", head, guess);
  std::vector<std::string> once;  // "regions: [a, a]" names a once
  for (const std::string& k : known) {
    if (std::find(once.begin(), once.end(), k) == once.end()) once.push_back(k);
  }
  return fmt::format("{}; expected one of {}", head, join(once));
}

}  // namespace sim::core
