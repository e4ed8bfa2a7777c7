#include "sim/cli/options.h"

#include <cstdio>
#include <string>

namespace sim::cli {

std::optional<std::vector<scenario::Override>> parse_sets(const std::vector<std::string>& sets,
                                                          std::string_view command) {
  std::vector<scenario::Override> out;
  for (const std::string& text : sets) {
    std::string err;
    auto ov = scenario::parse_override(text, &err);
    if (!ov) {
      std::fprintf(stderr, "infrasim %s: %s\n", std::string(command).c_str(), err.c_str());
      return std::nullopt;
    }
    out.push_back(*ov);
  }
  return out;
}

}  // namespace sim::cli
