#include "sim/capacity/plan.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"

namespace sim::capacity {

namespace {

using core::MapView;
using core::Reader;
using core::set_if;

constexpr double kMaxMonth = 1200;  // a century ahead is already beyond any plan
constexpr double kMaxCount = 1e15;  // users, bytes: well inside a double's exact integers

// A month written as a mapping key ("6:") or list item: a number from 0 to kMaxMonth.
std::optional<double> month_text(const Reader& r, const YAML::Mark& at, const std::string& text) {
  auto v = core::parse_number(text);
  if (!v || *v < 0 || *v > kMaxMonth) {
    r.error(at, fmt::format("invalid month '{}'; expected a number of months from now between 0 and {}", text,
                            core::format_number(kMaxMonth)));
    return std::nullopt;
  }
  return *v;
}

// A user count or a size, depending on what grows.
std::optional<double> amount(const Reader& r, const YAML::Node& n, bool bytes) {
  return bytes ? r.size(n) : r.number(n, 0, kMaxCount);
}

std::optional<Growth> read_growth(const Reader& r, const YAML::Node& n, const std::string& what, bool bytes) {
  MapView m(r, n, "growth of " + what, {"current", "yearly", "per_year", "points"});
  if (!m.ok()) return std::nullopt;
  std::size_t errors = r.diags().error_count();
  Growth g;
  g.pos = r.pos(n);
  std::string model = m.exactly_one_of({"yearly", "per_year", "points"}, true);
  if (model == "points") {
    g.model = Growth::Model::kPoints;
    if (m.has("current")) {
      r.error(m.key_mark("current"),
              fmt::format("'current' and 'points' cannot be used together in growth of {}; expected the value at "
                          "month 0 as a point, like points: {{0: ..., 12: ...}}",
                          what));
    }
    MapView pm(r, m.get("points"), "points", {});
    if (pm.ok()) {
      for (const std::string& k : pm.keys()) {
        auto month = month_text(r, pm.key_mark(k), k);
        auto v = amount(r, pm.get(k), bytes);
        if (!month || !v) continue;
        bool dup = std::any_of(g.points.begin(), g.points.end(), [&](const auto& p) { return p.first == *month; });
        if (dup) {
          r.error(pm.key_mark(k), fmt::format("month {} is listed twice in points; expected each month once",
                                              core::format_number(*month)));
          continue;
        }
        g.points.emplace_back(*month, *v);
      }
      if (pm.keys().empty()) {
        r.error(m.get("points"), "points is empty; expected at least one month: value pair, like {0: 10000}");
      }
      std::sort(g.points.begin(), g.points.end());
    }
  } else {
    YAML::Node cur = m.require("current", bytes ? "the data stored now, like current: 500GB"
                                                : "the number of users now, like current: 10000");
    if (cur.IsDefined()) {
      if (auto v = amount(r, cur, bytes)) g.current = *v;
    }
    if (model == "yearly") {
      g.model = Growth::Model::kCompound;
      if (auto f = r.factor(m.get("yearly"))) g.yearly = *f;
    } else if (model == "per_year") {
      g.model = Growth::Model::kLinear;
      if (auto v = amount(r, m.get("per_year"), bytes)) g.per_year = *v;
    }
  }
  if (r.diags().error_count() != errors || model.empty()) return std::nullopt;
  return g;
}

std::optional<double> positive_ratio(const Reader& r, const YAML::Node& n, std::string_view what) {
  auto v = r.ratio(n);
  if (v && *v <= 0) {
    r.error(n, fmt::format("{} must be above 0%, got {}; expected a utilization target like 70%", what,
                           core::describe(n)));
    return std::nullopt;
  }
  return v;
}

std::optional<Tier> read_tier(const Reader& r, const std::string& name, const YAML::Node& n) {
  MapView m(r, n, fmt::format("tier '{}'", name), {"component", "scale", "server", "carries", "min"});
  if (!m.ok()) return std::nullopt;
  std::size_t errors = r.diags().error_count();
  Tier t;
  t.name = name;
  t.pos = r.pos(n);
  if (m.has("component")) {
    if (auto c = r.identifier(m.get("component"))) t.component = *c;
    t.component_pos = r.pos(m.get("component"));
  }
  if (m.has("scale")) {
    if (auto s = r.choice(m.get("scale"), "scale", {"replicas", "cores", "both"})) {
      t.scale = *s == "cores" ? Scale::kCores : *s == "both" ? Scale::kBoth : Scale::kReplicas;
    }
  }
  if (m.has("server")) {
    MapView sm(r, m.get("server"), fmt::format("server of tier '{}'", name), {"cores", "memory", "disk"});
    if (sm.has("cores")) {
      if (auto v = r.number(sm.get("cores"), 0.001, 1e6)) {
        t.server.cores = *v;
        t.cores_given = true;
      }
    }
    auto positive_size = [&](const char* key, double* out, bool* given) {
      if (!sm.has(key)) return;
      auto v = r.size(sm.get(key));
      if (v && *v <= 0) {
        r.error(sm.get(key), fmt::format("server {} must be above 0, got {}; expected a size like 32GiB", key,
                                         core::describe(sm.get(key))));
      } else if (v) {
        *out = *v;
        if (given) *given = true;
      }
    };
    positive_size("memory", &t.server.memory, &t.memory_given);
    positive_size("disk", &t.server.disk, nullptr);
  }
  if (m.has("carries")) {
    MapView cm(r, m.get("carries"), fmt::format("carries of tier '{}'", name), {"cpu", "memory", "storage"});
    if (cm.has("cpu")) {
      if (auto v = r.ratio(cm.get("cpu"))) t.cpu_share = *v;
    }
    if (cm.has("memory")) {
      if (auto v = r.ratio(cm.get("memory"))) t.memory_share = *v;
    }
    if (cm.has("storage")) {
      if (auto v = r.ratio(cm.get("storage"))) t.storage_share = *v;
    }
  }
  if (m.has("min")) {
    if (auto v = r.integer(m.get("min"), 0, 1000000)) t.min = static_cast<int>(*v);
  }
  if (r.diags().error_count() != errors) return std::nullopt;
  return t;
}

// cache_memory: {component: cache, memory: {step: 1GiB}, hit_ratio: 80%, min: 1}
// db_shards:    {component: db, shards: {}, headroom: 70%, min: 2}
std::optional<Dimension> read_dimension(const Reader& r, const std::string& name, const YAML::Node& n) {
  MapView m(r, n, fmt::format("dimension '{}'", name), {"component", "memory", "shards", "hit_ratio", "headroom", "min"});
  if (!m.ok()) return std::nullopt;
  std::size_t errors = r.diags().error_count();
  Dimension d;
  d.name = name;
  d.pos = r.pos(n);
  YAML::Node c = m.require("component", "the component it sizes, like component: cache");
  if (c.IsDefined()) {
    if (auto id = r.identifier(c)) d.component = *id;
    d.component_pos = r.pos(c);
  }
  std::string kind = m.exactly_one_of({"memory", "shards"}, true);
  if (kind == "memory") {
    d.kind = Dimension::Kind::kMemory;
    YAML::Node v = m.get("memory");
    if (!v.IsNull()) {
      MapView mm(r, v, "memory", {"step"});
      if (mm.ok() && mm.has("step")) {
        auto step = r.size(mm.get("step"));
        if (step && *step <= 0) {
          r.error(mm.get("step"), "memory step 0; expected the memory added per step, like step: 1GiB");
        } else if (step) {
          d.step = *step;
        }
      }
    }
    if (m.has("hit_ratio")) {
      if (auto h = r.ratio(m.get("hit_ratio"))) d.hit_ratio = *h;
    }
    if (m.has("headroom")) r.error(m.get("headroom"), "headroom applies to shards; expected hit_ratio for memory");
  } else if (kind == "shards") {
    d.kind = Dimension::Kind::kShards;
    YAML::Node v = m.get("shards");
    if (!v.IsNull() && !(v.IsMap() && v.size() == 0)) {
      r.error(v, fmt::format("shards takes no settings, got {}; expected shards: {{}}", core::describe(v)));
    }
    if (m.has("headroom")) {
      if (auto h = positive_ratio(r, m.get("headroom"), "headroom")) d.headroom = *h;
    }
    if (m.has("hit_ratio")) r.error(m.get("hit_ratio"), "hit_ratio applies to memory; expected headroom for shards");
  }
  if (m.has("min")) {
    if (auto v = r.integer(m.get("min"), 1, 1000000)) d.min = static_cast<int>(*v);
  }
  if (r.diags().error_count() != errors) return std::nullopt;
  return d;
}

// Cross-checks that need the whole file: plan points list every tier, the plan
// and growth points cover the horizons, components need a scenario.
void check_whole(const Reader& r, const Plan& p) {
  core::Diagnostics& d = r.diags();
  std::vector<std::string> names;
  for (const auto& t : p.tiers) names.push_back(t.name);
  for (const auto& pt : p.plan) {
    for (const auto& t : p.tiers) {
      if (!pt.servers.count(t.name)) {
        d.error(pt.pos,
                 fmt::format("plan at month {} has no count for tier '{}'; expected a count for every tier ({})",
                             core::format_number(pt.month), t.name, core::join(names)));
      }
    }
  }
  if (p.horizons.empty()) return;
  double first = p.horizons.front(), last = p.horizons.back();
  if (!p.plan.empty() && p.plan.front().month > first) {
    d.error(p.plan.front().pos,
             fmt::format("the plan starts at month {}, after the first horizon (month {}); expected a plan entry "
                         "at month {} or earlier",
                         core::format_number(p.plan.front().month), core::format_number(first),
                         core::format_number(first)));
  }
  for (const Growth* g : {&p.users, &p.data}) {
    if (g->model != Growth::Model::kPoints || g->points.empty()) continue;
    const char* what = g == &p.users ? "users" : "data";
    if (g->points.front().first > first || g->points.back().first < last) {
      d.error(g->pos,
               fmt::format("growth points of {} cover months {} to {}, but the horizons run from {} to {}; expected "
                           "points at or beyond both ends",
                           what, core::format_number(g->points.front().first),
                           core::format_number(g->points.back().first), core::format_number(first),
                           core::format_number(last)));
    }
  }
  if (p.scenario_path.empty()) {
    for (const auto& dim : p.dimensions) {
      d.error(dim.component_pos, fmt::format("dimension '{}' is sized by simulation but the plan has no scenario; "
                                             "expected scenario: a scenario file whose topology has '{}'",
                                             dim.name, dim.component));
    }
    for (const auto& t : p.tiers) {
      if (!t.component.empty()) {
        d.error(t.component_pos,
                 fmt::format("tier '{}' names component '{}' but the plan has no scenario; expected scenario: a "
                             "scenario file whose topology has it",
                             t.name, t.component));
      }
    }
  } else if (p.requests_per_user <= 0) {
    d.error(p.scenario_pos,
             "a scenario is given but requests has no per_user rate; expected requests: {per_user: 0.01/s} to "
             "scale its load");
  }
}

}  // namespace

double Growth::at(double month) const {
  switch (model) {
    case Model::kNone:
      return 0;
    case Model::kCompound:
      return current * std::pow(yearly, month / 12.0);
    case Model::kLinear:
      return std::max(0.0, current + per_year * month / 12.0);
    case Model::kPoints: {
      if (points.empty()) return 0;
      if (month <= points.front().first) return points.front().second;
      if (month >= points.back().first) return points.back().second;
      for (std::size_t i = 1; i < points.size(); ++i) {
        if (month <= points[i].first) {
          const auto& [m0, v0] = points[i - 1];
          const auto& [m1, v1] = points[i];
          return v0 + (v1 - v0) * (month - m0) / (m1 - m0);
        }
      }
      return points.back().second;
    }
  }
  return 0;
}

const char* scale_name(Scale s) {
  switch (s) {
    case Scale::kReplicas: return "replicas";
    case Scale::kCores: return "cores";
    case Scale::kBoth: return "both";
  }
  return "replicas";
}

double Plan::peak_rate(double month) const { return users.at(month) * requests_per_user * peak_factor; }

double Plan::storage_at(double month) const {
  return std::max(users.at(month) * storage_per_user, data.at(month));
}

const PlanPoint* Plan::in_force(double month) const {
  const PlanPoint* out = nullptr;
  for (const auto& p : plan) {
    if (p.month <= month + 1e-9) out = &p;
  }
  return out;
}

std::vector<scenario::Override> Plan::overrides() const {
  std::vector<scenario::Override> out;
  std::string err;
  for (const auto& [path, value] : set) {
    if (auto o = scenario::parse_override(path + "=" + value, &err)) out.push_back(*o);
  }
  return out;
}

std::string Dimension::value_text(int units) const {
  if (kind == Kind::kMemory) return core::format_size(step * units);
  return std::to_string(units);
}

const Tier* Plan::find_tier(const std::string& n) const {
  for (const auto& t : tiers) {
    if (t.name == n) return &t;
  }
  return nullptr;
}

std::string Plan::date_of(double month) const {
  if (start_year == 0) return "";
  int idx = static_cast<int>(std::floor(month + 1e-9));
  int m0 = start_month - 1 + idx;
  return fmt::format("{:04d}-{:02d}", start_year + m0 / 12, m0 % 12 + 1);
}

std::optional<Plan> parse_plan(const std::string& file, const std::string& text, core::Diagnostics& diags) {
  auto root = core::parse_yaml(file, text, diags, "a capacity plan mapping");
  if (!root) return std::nullopt;
  Reader r(file, diags);
  MapView m(r, *root, "plan",
            {"name", "description", "start", "horizons", "growth", "per_user", "requests", "headroom", "tiers", "plan",
             "scenario", "set", "simulate", "dimensions"});
  if (!m.ok()) return std::nullopt;
  std::size_t errors = diags.error_count();
  Plan p;
  p.file = file;
  p.name = std::filesystem::path(file).stem().string();
  if (m.has("name")) {
    if (auto v = r.identifier(m.get("name"))) p.name = *v;
  }
  if (m.has("description")) {
    if (auto v = r.string(m.get("description"))) p.description = *v;
  }
  if (m.has("start")) {
    auto s = r.string(m.get("start"), "a month like 2025-01");
    int y = 0, mo = 0;
    char dash = 0, extra = 0;
    if (s && (std::sscanf(s->c_str(), "%4d%c%2d%c", &y, &dash, &mo, &extra) != 3 || dash != '-' || y < 1900 ||
              y > 9999 || mo < 1 || mo > 12 || s->size() != 7)) {
      r.error(m.get("start"), fmt::format("invalid start '{}'; expected a month like 2025-01", *s));
    } else if (s) {
      p.start_year = y;
      p.start_month = mo;
    }
  }

  YAML::Node hz = m.require("horizons", "the months to look at, like horizons: [now, 6, 12, 24]");
  if (hz.IsDefined() && r.is_seq(hz, "horizons")) {
    for (const auto& h : hz) {
      if (!r.is_scalar(h, "a horizon")) continue;
      std::optional<double> v = h.Scalar() == "now" ? std::optional<double>(0.0) : std::nullopt;
      if (!v) {
        auto n = core::parse_number(h.Scalar());
        if (n && *n >= 0 && *n <= kMaxMonth) {
          v = *n;
        } else {
          r.error(h, fmt::format("invalid horizon {}; expected now or a number of months from now between 0 and {}",
                                 core::describe(h), core::format_number(kMaxMonth)));
          continue;
        }
      }
      if (std::find(p.horizons.begin(), p.horizons.end(), *v) != p.horizons.end()) {
        r.error(h, fmt::format("horizon {} is listed twice; expected each month once", core::format_number(*v)));
        continue;
      }
      p.horizons.push_back(*v);
    }
    if (hz.size() == 0) r.error(hz, "horizons is empty; expected at least one month, like [now, 6, 12]");
    std::sort(p.horizons.begin(), p.horizons.end());
  }

  YAML::Node gr = m.require("growth", "how users (and data) grow, like growth: {users: {current: 10000, yearly: 2x}}");
  if (gr.IsDefined()) {
    MapView gm(r, gr, "growth", {"users", "data"});
    if (gm.ok()) {
      YAML::Node u = gm.require("users", "the user growth, like users: {current: 10000, yearly: 2.5x}");
      if (u.IsDefined()) {
        if (auto g = read_growth(r, u, "users", false)) p.users = *g;
      }
      if (gm.has("data")) {
        if (auto g = read_growth(r, gm.get("data"), "data", true)) p.data = *g;
      }
    }
  }

  if (m.has("per_user")) {
    MapView pm(r, m.get("per_user"), "per_user", {"cpu", "memory", "storage"});
    if (pm.has("cpu")) {
      if (auto v = r.number(pm.get("cpu"), 0, 1e6)) p.cpu_per_user = *v;
    }
    if (pm.has("memory")) {
      if (auto v = r.size(pm.get("memory"))) p.memory_per_user = *v;
    }
    if (pm.has("storage")) {
      if (auto v = r.size(pm.get("storage"))) p.storage_per_user = *v;
    }
  }
  if (m.has("requests")) {
    MapView rm(r, m.get("requests"), "requests", {"per_user", "peak_factor"});
    if (rm.ok()) {
      YAML::Node pu = rm.require("per_user", "requests per second per user on average, like per_user: 0.01/s");
      if (pu.IsDefined()) {
        if (auto v = r.rate(pu)) p.requests_per_user = *v;
      }
      if (rm.has("peak_factor")) {
        if (auto v = r.factor(rm.get("peak_factor"))) p.peak_factor = *v;
      }
    }
  }
  if (m.has("headroom")) {
    MapView hm(r, m.get("headroom"), "headroom", {"cpu", "memory", "storage"});
    if (hm.has("cpu")) {
      if (auto v = positive_ratio(r, hm.get("cpu"), "headroom cpu")) p.headroom_cpu = *v;
    }
    if (hm.has("memory")) {
      if (auto v = positive_ratio(r, hm.get("memory"), "headroom memory")) p.headroom_memory = *v;
    }
    if (hm.has("storage")) {
      if (auto v = positive_ratio(r, hm.get("storage"), "headroom storage")) p.headroom_storage = *v;
    }
  }

  YAML::Node tn = m.require("tiers", "the tiers to size, like tiers: {web: {component: app}}");
  bool tiers_ok = false;
  if (tn.IsDefined()) {
    MapView tm(r, tn, "tiers", {});
    if (tm.ok()) {
      tiers_ok = true;
      for (const std::string& k : tm.keys()) {
        if (k == "storage") {
          r.error(tm.key_mark(k), "tier name 'storage' is reserved for the plan's storage line; expected another name");
          tiers_ok = false;
          continue;
        }
        if (auto t = read_tier(r, k, tm.get(k))) {
          p.tiers.push_back(*t);
        } else {
          tiers_ok = false;
        }
      }
      if (tm.keys().empty()) {
        r.error(tn, "tiers is empty; expected at least one tier, like web: {component: app}");
        tiers_ok = false;
      }
    }
  }

  if (m.has("dimensions")) {
    MapView dm(r, m.get("dimensions"), "dimensions", {});
    if (dm.ok()) {
      for (const std::string& k : dm.keys()) {
        if (std::any_of(p.tiers.begin(), p.tiers.end(), [&](const Tier& t) { return t.name == k; })) {
          r.error(dm.key_mark(k), fmt::format("dimension '{}' has a tier's name; expected names used once", k));
          continue;
        }
        if (auto d = read_dimension(r, k, dm.get(k))) p.dimensions.push_back(*d);
      }
    }
  }

  if (m.has("plan")) {
    MapView pm(r, m.get("plan"), "plan", {});
    if (pm.ok()) {
      std::vector<std::string> allowed;
      for (const auto& t : p.tiers) allowed.push_back(t.name);
      allowed.push_back("storage");
      for (const std::string& k : pm.keys()) {
        auto month = month_text(r, pm.key_mark(k), k);
        if (!month) continue;
        PlanPoint pt;
        pt.month = *month;
        pt.pos = r.pos(pm.key_mark(k));
        std::string what = fmt::format("plan at month {}", core::format_number(*month));
        if (std::any_of(p.plan.begin(), p.plan.end(), [&](const PlanPoint& q) { return q.month == *month; })) {
          r.error(pm.key_mark(k), fmt::format("month {} is planned twice; expected each month once",
                                              core::format_number(*month)));
          continue;
        }
        // Unknown tier names are only reported when the tiers themselves were read.
        MapView vm(r, pm.get(k), what, tiers_ok ? allowed : std::vector<std::string>{});
        if (!vm.ok()) continue;
        for (const std::string& key : vm.keys()) {
          if (key == "storage") {
            if (auto v = r.size(vm.get(key))) pt.storage = *v;
          } else if (auto v = r.integer(vm.get(key), 0, 1000000)) {
            pt.servers[key] = static_cast<int>(*v);
          }
        }
        p.plan.push_back(pt);
      }
      std::sort(p.plan.begin(), p.plan.end(), [](const PlanPoint& a, const PlanPoint& b) { return a.month < b.month; });
    }
  }

  if (m.has("scenario")) {
    if (auto s = r.string(m.get("scenario"), "a scenario file, like scenario: ../steady-state.yaml")) {
      p.scenario_path = core::resolve_path(file, *s);
      p.scenario_pos = r.pos(m.get("scenario"));
    }
  }
  if (m.has("set")) {
    MapView sm(r, m.get("set"), "set", {});
    for (const std::string& k : sm.keys()) {
      std::string err;
      if (k.empty() || k.front() == '.' || k.back() == '.' || k.find("..") != std::string::npos ||
          !scenario::parse_override(k + "=x", &err)) {
        r.error(sm.key_mark(k), fmt::format("invalid path '{}'; expected a dotted path like components.app.replicas "
                                            "or scenario.duration",
                                            k));
        continue;
      }
      const YAML::Node v = sm.get(k);
      if (!v.IsScalar()) {
        r.error(v, fmt::format("expected a scalar value like 3, 400/s or async, got {}", core::describe(v)));
        continue;
      }
      p.set.emplace_back(k, v.Scalar());
    }
  }
  if (m.has("simulate")) {
    MapView sm(r, m.get("simulate"), "simulate", {"duration", "warmup", "seed", "max_servers"});
    if (sm.has("duration")) {
      if (auto v = r.positive_duration(sm.get("duration"))) p.simulate.duration = *v;
    }
    if (sm.has("warmup")) {
      if (auto v = r.duration(sm.get("warmup"))) p.simulate.warmup = *v;
    }
    if (sm.has("seed")) {
      if (auto v = r.integer(sm.get("seed"), 0, 9007199254740991LL)) p.simulate.seed = static_cast<std::uint64_t>(*v);
    }
    if (sm.has("max_servers")) {
      if (auto v = r.integer(sm.get("max_servers"), 1, 10000)) p.simulate.max_servers = static_cast<int>(*v);
    }
    if (p.simulate.warmup && p.simulate.duration > 0 && *p.simulate.warmup >= p.simulate.duration) {
      r.error(sm.get("warmup"), fmt::format("warmup {} is not shorter than duration {}; expected a shorter warmup",
                                            core::format_duration(*p.simulate.warmup),
                                            core::format_duration(p.simulate.duration)));
    }
  }
  if (diags.error_count() != errors) return std::nullopt;
  check_whole(r, p);
  if (diags.error_count() != errors) return std::nullopt;
  return p;
}

bool resolve_tiers(Plan& plan, const scenario::Loaded& loaded, core::Diagnostics& diags) {
  const topology::Topology& topo = loaded.topology;
  std::vector<std::string> names;
  for (const auto& c : topo.components) names.push_back(c.name);
  std::map<std::string, std::string> used;  // component -> tier
  bool ok = true;
  for (Tier& t : plan.tiers) {
    if (t.component.empty()) continue;
    const topology::Component* c = topo.find(t.component);
    if (!c) {
      std::string prefix = fmt::format("tier '{}' names ", t.name);
      diags.error(t.component_pos,
               core::unknown_name({.noun = "component", .name = t.component, .prefix = prefix}, names));
      ok = false;
      continue;
    }
    if (c->kind == topology::Kind::kCdn) {
      diags.error(t.component_pos,
               fmt::format("tier '{}' names component '{}', a cdn, which has no servers to size; expected a service, "
                           "load_balancer, cache, database, queue or storage",
                           t.name, t.component));
      ok = false;
      continue;
    }
    if (t.scale != Scale::kReplicas && !c->service()) {
      diags.error(t.component_pos,
               fmt::format("tier '{}' scales {}, but '{}' is a {}; expected a service for scale: {}", t.name,
                           scale_name(t.scale), t.component, topology::kind_name(c->kind), scale_name(t.scale)));
      ok = false;
      continue;
    }
    if (used.count(t.component)) {
      diags.error(t.component_pos,
               fmt::format("component '{}' is already sized by tier '{}'; expected one tier per component",
                           t.component, used[t.component]));
      ok = false;
      continue;
    }
    used[t.component] = t.name;
    // Server defaults from the component: a server of the tier is an instance of it.
    double cores = 0, memory = 0;
    if (const auto* s = c->service()) {
      cores = s->cores;
      memory = s->memory;
    } else if (const auto* d = c->database()) {
      cores = d->cores;
    } else if (const auto* k = c->cache()) {
      cores = k->cores;
    } else if (const auto* q = c->queue()) {
      cores = q->cores;
    } else if (const auto* st = c->storage()) {
      cores = st->cores;
    }
    if (t.scale == Scale::kCores) {
      // One unit is one core of the instance; its memory is shared by them.
      t.server.cores = 1;
      if (!t.memory_given && memory > 0 && c->service()) t.server.memory = memory / c->service()->cores;
    } else {
      if (!t.cores_given && cores > 0) t.server.cores = cores;
      if (!t.memory_given && memory > 0) t.server.memory = memory;
    }
    if (t.scale == Scale::kBoth) {
      t.up_instances = std::max(t.min, c->service()->replicas);
      t.up_base_cores = c->service()->cores;
    }
    for (const auto& a : loaded.scenario.autoscaling) {
      if (a.component == t.component) {
        diags.warning(t.component_pos.file, t.component_pos.line, t.component_pos.column,
                      fmt::format("the scenario autoscales '{}'; the search sets only its starting count, so its "
                                  "answer is the count to start with",
                                  t.component));
      }
    }
  }
  std::set<std::pair<std::string, int>> dims;
  for (const Dimension& d : plan.dimensions) {
    const topology::Component* c = topo.find(d.component);
    if (!c) {
      std::string prefix = fmt::format("dimension '{}' names ", d.name);
      diags.error(d.component_pos, core::unknown_name({.noun = "component", .name = d.component, .prefix = prefix}, names));
      ok = false;
      continue;
    }
    if (d.kind == Dimension::Kind::kMemory && (!c->cache() || c->cache()->keys.empty())) {
      diags.error(d.component_pos,
                  fmt::format("dimension '{}' sizes the memory of '{}', which {}; expected a cache whose hit ratio is "
                              "modelled from its keys (keys: and memory:)",
                              d.name, d.component, c->cache() ? "has no keys" : fmt::format("is a {}", topology::kind_name(c->kind))));
      ok = false;
      continue;
    }
    if (d.kind == Dimension::Kind::kShards && !c->database()) {
      diags.error(d.component_pos, fmt::format("dimension '{}' sizes the shards of '{}', a {}; expected a database",
                                               d.name, d.component, topology::kind_name(c->kind)));
      ok = false;
      continue;
    }
    if (d.kind == Dimension::Kind::kShards && topo.users.count == 0) {
      diags.error(d.component_pos, fmt::format("dimension '{}' sizes the shards of '{}' but the topology has no "
                                               "users; expected users: {{count: 10000}} (the shard key)",
                                               d.name, d.component));
      ok = false;
      continue;
    }
    if (!dims.insert({d.component, static_cast<int>(d.kind)}).second) {
      diags.error(d.component_pos, fmt::format("'{}' is already sized by another dimension of the same kind; expected "
                                               "one per component",
                                               d.component));
      ok = false;
    }
  }
  return ok;
}

std::optional<PlanInput> load_plan(const std::string& path, core::Diagnostics& diags) {
  auto text = core::read_text_file(path, diags);
  if (!text) return std::nullopt;
  auto plan = parse_plan(path, *text, diags);
  if (!plan) return std::nullopt;
  PlanInput in;
  in.plan = std::move(*plan);
  if (in.plan.scenario_path.empty()) return in;
  std::string why = core::unreadable_reason(in.plan.scenario_path);
  if (!why.empty()) {
    diags.error(in.plan.scenario_pos,
             fmt::format("cannot read scenario '{}': {}; expected a readable scenario file", in.plan.scenario_path,
                         why));
    return std::nullopt;
  }
  core::Diagnostics sdiags;
  auto loaded = scenario::load_scenario(in.plan.scenario_path, sdiags, "", in.plan.overrides());
  diags.merge(sdiags);
  if (!loaded) return std::nullopt;
  if (!resolve_tiers(in.plan, *loaded, diags)) return std::nullopt;
  in.scenario = std::move(*loaded);
  return in;
}

}  // namespace sim::capacity
