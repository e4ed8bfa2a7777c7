#include "sim/report/json.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/core/yaml_reader.h"

namespace sim::report {

double fixed(double x) {
  if (!std::isfinite(x)) return 0;
  double r = std::round(x * 1e6) / 1e6;
  return r == 0 ? 0.0 : r;  // no "-0"
}

std::string dump(const Json& j) { return j.dump(1) + "\n"; }

const Json& member(const Json& j, std::string_view key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string member_text(const Json& j, std::string_view key) {
  const Json& v = member(j, key);
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

const Json& at_pointer(const Json& j, std::string_view pointer) {
  static const Json kNull;
  const Json* cur = &j;
  std::size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    std::size_t end = pointer.find('/', start);
    std::string_view key = pointer.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    cur = &member(*cur, key);
    if (cur->is_null() || end == std::string_view::npos) break;
    start = end + 1;
  }
  return *cur;
}

std::optional<Json> read_json_file(const std::string& path, std::string* error) {
  std::string why = core::unreadable_reason(path);
  std::ifstream in(path, std::ios::binary);
  if (!why.empty() || !in) {
    if (error) *error = "cannot read " + path + ": " + (why.empty() ? "permission denied" : why);
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // A child that died mid-write (before writes were atomic), or a half-copied cluster output.
    if (error) *error = path + " is not JSON (truncated or not written by infrasim)";
    return std::nullopt;
  }
  return j;
}

}  // namespace sim::report
