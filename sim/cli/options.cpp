#include "sim/cli/options.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

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

namespace {

// A shell word: quoted when it holds anything but [A-Za-z0-9_./:=,@%+-].
std::string shell_word(const std::string& w) {
  bool plain = !w.empty();
  for (char c : w) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./:=,@%+-").find(c) !=
                                                                          std::string_view::npos);
  }
  if (plain) return w;
  std::string out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string provenance_command(const std::vector<std::string>& argv, const std::vector<std::string>& others) {
  static const std::vector<std::string> kWithValue = {"--out", "-j", "--jobs", "--junit", "--summary", "--log-level",
                                                      "--max-wall", "--cpu-model", "--wake"};
  static const std::vector<std::string> kFlags = {"-q", "--quiet", "--resume", "--stats"};
  auto in = [](const std::vector<std::string>& list, const std::string& a) {
    return std::find(list.begin(), list.end(), a) != list.end();
  };
  std::string out = "infrasim";
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string name = a.substr(0, a.find('='));
    if (in(kFlags, a) || in(others, a)) continue;
    if (a.size() > 2 && a.starts_with("-j") && !a.starts_with("--")) continue;  // -j4
    if (in(kWithValue, name)) {
      if (name == a) ++i;  // the value is the next word
      continue;
    }
    out += " " + shell_word(a);
  }
  return out;
}

}  // namespace sim::cli
