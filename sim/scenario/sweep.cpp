#include "sim/scenario/sweep.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

#include "sim/core/random.h"
#include "sim/core/yaml_reader.h"

namespace sim::scenario {

namespace {

using core::MapView;
using core::Reader;

constexpr std::size_t kMaxRuns = 100000;

// The last segment of a path, for generated point names: components.app.replicas -> replicas.
std::string short_name(const std::string& path) {
  auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

// A path as --set takes it; reports a malformed one at `at`.
bool check_path(const Reader& r, const YAML::Mark& at, const std::string& path) {
  std::string err;
  if (path.empty() || path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos ||
      path.find('=') != std::string::npos || !parse_override(path + "=x", &err)) {
    r.error(at, fmt::format("invalid parameter path '{}'; expected a dotted path like components.app.replicas or "
                            "scenario.duration",
                            path));
    return false;
  }
  return true;
}

std::optional<std::string> scalar_value(const Reader& r, const YAML::Node& n) {
  if (!n.IsScalar()) {
    r.error(n, fmt::format("expected a scalar value like 3, 400/s or async, got {}", core::describe(n)));
    return std::nullopt;
  }
  return n.Scalar();
}

}  // namespace

std::vector<Override> Sweep::overrides(const SweepPoint& p) const {
  std::vector<Override> out;
  std::string err;
  for (const auto& [path, value] : set) {
    if (auto o = parse_override(path + "=" + value, &err)) out.push_back(*o);
  }
  for (const auto& [path, value] : p.values) {
    if (value.empty() && path.empty()) continue;
    if (auto o = parse_override(path + "=" + value, &err)) out.push_back(*o);
  }
  return out;
}

std::vector<std::uint64_t> Sweep::run_seeds(std::uint64_t base) const {
  if (!seeds.empty()) return seeds;
  std::vector<std::uint64_t> out;
  for (int i = 0; i < seed_count; ++i) out.push_back(core::derive_run_seed(base, static_cast<std::uint64_t>(i)));
  return out;
}

std::optional<Sweep> parse_sweep(const std::string& file, const std::string& text, core::Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  auto root = core::parse_yaml(file, text, diags, "a sweep mapping with scenario and grid or points");
  if (!root) return std::nullopt;
  Reader r(file, diags);
  MapView m(r, *root, "sweep", {"name", "description", "scenario", "seeds", "set", "grid", "points"});
  if (!root->IsMap()) return std::nullopt;
  Sweep s;
  s.file = file;
  s.name = std::filesystem::path(file).stem().string();
  if (m.has("name")) {
    if (auto v = r.identifier(m.get("name"))) s.name = *v;
  }
  if (m.has("description")) {
    if (auto v = r.string(m.get("description"))) s.description = *v;
  }
  YAML::Node sc = m.require("scenario", "the scenario file, like scenario: ../steady-state.yaml");
  if (sc.IsDefined()) {
    if (auto p = r.string(sc)) {
      s.scenario_path = core::resolve_path(file, *p);
      s.scenario_pos = r.pos(sc);
      std::string why = core::unreadable_reason(s.scenario_path);
      if (!why.empty()) {
        r.error(sc, fmt::format("cannot read scenario '{}': {}; expected a readable scenario file", s.scenario_path, why));
      }
    }
  }
  if (m.has("seeds")) {
    YAML::Node n = m.get("seeds");
    if (n.IsSequence()) {
      if (n.size() == 0) r.error(n, "empty seed list; expected seeds like [1, 2, 3] or a count like 3");
      for (const auto& item : n) {
        if (auto v = r.integer(item, 0, 9007199254740991LL)) s.seeds.push_back(static_cast<std::uint64_t>(*v));
      }
    } else if (auto v = r.integer(n, 1, 100000)) {
      s.seed_count = static_cast<int>(*v);
    }
  }
  if (m.has("set")) {
    MapView sm(r, m.get("set"), "set", {});
    if (sm.ok()) {
      for (const std::string& k : sm.keys()) {
        YAML::Node v = sm.get(k);
        auto value = scalar_value(r, v);
        if (!check_path(r, sm.key_mark(k), k) || !value) continue;
        s.set.emplace_back(k, *value);
      }
    }
  }
  std::string which = m.exactly_one_of({"grid", "points"}, true);
  if (which == "grid") {
    s.grid = true;
    MapView gm(r, m.get("grid"), "grid", {});
    if (gm.ok()) {
      std::vector<std::vector<std::string>> values;
      std::vector<SourcePos> first_pos;
      for (const std::string& k : gm.keys()) {
        YAML::Node v = gm.get(k);
        if (!check_path(r, gm.key_mark(k), k)) continue;
        if (!v.IsSequence() || v.size() == 0) {
          r.error(v, fmt::format("parameter '{}' needs a non-empty list of values, like [2, 3, 4]; got {}", k,
                                 core::describe(v)));
          continue;
        }
        std::vector<std::string> vals;
        for (const auto& item : v) {
          if (auto x = scalar_value(r, item)) vals.push_back(*x);
        }
        s.parameters.push_back(k);
        values.push_back(vals);
        first_pos.push_back(r.pos(v));
      }
      if (gm.keys().empty()) r.error(m.get("grid"), "empty grid; expected parameters like components.app.replicas: [2, 3]");
      std::size_t total = 1;
      for (const auto& v : values) total *= std::max<std::size_t>(1, v.size());
      if (total * std::max<std::size_t>(1, s.seeds.empty() ? static_cast<std::size_t>(s.seed_count) : s.seeds.size()) >
          kMaxRuns) {
        r.error(m.get("grid"), fmt::format("the grid makes more than {} runs; expected a smaller grid or fewer seeds",
                                           kMaxRuns));
      } else if (!values.empty() && diags.error_count() == errors_before) {
        // Odometer order: the last parameter varies fastest.
        std::vector<std::size_t> idx(values.size(), 0);
        while (true) {
          SweepPoint p;
          std::vector<std::string> parts;
          for (std::size_t i = 0; i < values.size(); ++i) {
            p.values.emplace_back(s.parameters[i], values[i][idx[i]]);
            parts.push_back(fmt::format("{}={}", short_name(s.parameters[i]), values[i][idx[i]]));
          }
          p.name = fmt::format("{}", fmt::join(parts, ", "));
          p.pos = first_pos[0];
          s.points.push_back(p);
          bool done = true;
          for (std::size_t k = values.size(); k-- > 0;) {
            if (++idx[k] < values[k].size()) {
              done = false;
              break;
            }
            idx[k] = 0;  // wrapped: carry into the slower parameter
          }
          if (done) break;
        }
      }
    }
  } else if (which == "points") {
    s.grid = false;
    YAML::Node list = m.get("points");
    if (r.is_seq(list, "points")) {
      if (list.size() == 0) r.error(list, "empty point list; expected points like - {name: small, components.app.replicas: 2}");
      std::vector<std::vector<std::pair<std::string, std::string>>> raw;
      for (const auto& item : list) {
        MapView pm(r, item, "point", {});
        if (!pm.ok()) continue;
        SweepPoint p;
        p.pos = r.pos(item);
        std::vector<std::pair<std::string, std::string>> vals;
        for (const std::string& k : pm.keys()) {
          YAML::Node v = pm.get(k);
          if (k == "name") {
            if (auto n = r.string(v)) p.name = *n;
            continue;
          }
          auto value = scalar_value(r, v);
          if (!check_path(r, pm.key_mark(k), k) || !value) continue;
          vals.emplace_back(k, *value);
          if (std::find(s.parameters.begin(), s.parameters.end(), k) == s.parameters.end()) s.parameters.push_back(k);
        }
        if (vals.empty() && pm.keys().size() <= 1) {
          r.error(item, "point sets no parameter; expected at least one path: value, like components.app.replicas: 2");
        }
        raw.push_back(vals);
        s.points.push_back(p);
      }
      // Every point lists every parameter (value "" where it keeps the scenario's).
      for (std::size_t i = 0; i < s.points.size() && i < raw.size(); ++i) {
        std::vector<std::string> parts;
        for (const std::string& path : s.parameters) {
          std::string v;
          for (const auto& [k, x] : raw[i]) {
            if (k == path) v = x;
          }
          s.points[i].values.emplace_back(v.empty() ? "" : path, v);
          if (!v.empty()) parts.push_back(fmt::format("{}={}", short_name(path), v));
        }
        if (s.points[i].name.empty()) s.points[i].name = fmt::format("{}", fmt::join(parts, ", "));
      }
      std::size_t seeds = s.seeds.empty() ? static_cast<std::size_t>(s.seed_count) : s.seeds.size();
      if (s.points.size() * seeds > kMaxRuns) {
        r.error(list, fmt::format("the points make more than {} runs; expected fewer points or seeds", kMaxRuns));
      }
    }
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return s;
}

std::optional<Sweep> load_sweep(const std::string& path, core::Diagnostics& diags) {
  auto text = core::read_text_file(path, diags);
  if (!text) return std::nullopt;
  return parse_sweep(path, *text, diags);
}

}  // namespace sim::scenario
