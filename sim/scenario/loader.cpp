#include "sim/scenario/loader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <fmt/format.h>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"
#include "sim/import/reference.h"
#include "sim/scenario/alert_rules.h"
#include "sim/scenario/autoscale_state.h"
#include "sim/scenario/clients.h"
#include "sim/scenario/operations.h"
#include "sim/scenario/metrics.h"
#include "sim/topology/loader.h"

namespace sim::scenario {
namespace {

using core::Diagnostics;
using core::MapView;
using core::Reader;
using core::set_if;
using topology::Kind;
using topology::Topology;

constexpr int kMaxProfileDepth = 16;
constexpr int kMaxProfileParts = 10000;
// Closed-loop users: each is a state of the run (allocated once).
constexpr long long kMaxUsers = 100000;

// "unknown component 'dbx'; did you mean 'db'?" or "...; expected one of a, b, c",
// after `prefix` ("autoscaling names ").
std::string unknown_name(std::string_view prefix, std::string_view noun, const std::string& name,
                         const std::vector<std::string>& known) {
  return core::unknown_name({.noun = noun, .name = name, .prefix = prefix, .none = "the topology has none"}, known);
}

std::vector<std::string> component_names(const Topology& topo) {
  std::vector<std::string> out;
  for (const auto& c : topo.components) out.push_back(c.name);
  return out;
}

std::vector<std::string> class_names(const Topology& topo) {
  std::vector<std::string> out;
  for (const auto& c : topo.requests) out.push_back(c.name);
  return out;
}

// ---- load profiles -------------------------------------------------------

std::optional<Profile> read_profile(const Reader& r, const YAML::Node& n, const std::string& scenario_file, int depth,
                                    bool in_sequence, const Topology* topo, int* parts);

// `topo` (when it could be loaded) checks the class names, at their keys.
void read_mix(const Reader& r, const YAML::Node& n, std::map<std::string, double>* mix, const Topology* topo) {
  MapView m(r, n, "mix", {});
  if (!m.ok()) return;
  double sum = 0;
  std::set<std::string> reported;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (topo && it->first.IsScalar() && !topo->find_class(it->first.Scalar()) &&
        reported.insert(it->first.Scalar()).second) {
      r.error(it->first, unknown_name("mix names ", "request class", it->first.Scalar(), class_names(*topo)));
    }
  }
  bool all_shares = true;  // a sum over some of them would be a second, misleading error
  for (const std::string& k : m.keys()) {
    if (auto v = r.ratio(m.get(k))) {
      (*mix)[k] = *v;
      sum += *v;
    } else {
      all_shares = false;
    }
  }
  if (all_shares && !mix->empty() && std::fabs(sum - 1.0) > 1e-6) {
    r.error(n, fmt::format("mix shares sum to {}; expected them to sum to 100%", core::format_ratio(sum)));
  }
}

// `virtual_users:`: closed-loop users (scenario.h VirtualUsers; docs/clients.md).
std::optional<VirtualUsers> read_virtual_users(const Reader& r, const YAML::Node& n, const Topology* topo) {
  MapView m(r, n, "virtual_users", {"count", "stages", "think", "session", "pause", "mix"});
  if (!m.ok()) return std::nullopt;
  VirtualUsers u;
  u.pos = r.pos(n);
  m.read("count", &Reader::integer, &u.count, 0, kMaxUsers);
  if (m.has("stages") && r.is_seq(m.get("stages"), "stages")) {
    for (const auto& item : m.get("stages")) {
      MapView sm(r, item, "stage", {"duration", "target"});
      if (!sm.ok()) continue;
      VirtualUsers::Stage st;
      st.pos = r.pos(item);
      YAML::Node d = sm.require("duration", "how long the stage ramps, like duration: 1m");
      if (d.IsDefined()) set_if(r.duration(d), &st.duration);
      YAML::Node t = sm.require("target", "the users at the stage's end, like target: 100");
      if (t.IsDefined()) set_if(r.integer(t, 0, kMaxUsers), &st.target);
      u.stages.push_back(st);
    }
    if (m.get("stages").size() == 0) r.error(m.get("stages"), "empty stages; expected [{duration: 1m, target: 100}, ...]");
  }
  if (!m.has("count") && !m.has("stages") && !m.misspelled("count")) {
    r.error(n, "missing key 'count' in virtual_users; expected the number of users, like count: 100, or stages: "
               "[{duration: 1m, target: 100}]");
  }
  if (m.has("think")) set_if(core::read_distribution(r, m.get("think")), &u.think);
  m.read("session", &Reader::integer, &u.session, 1, 1000000);
  if (m.has("pause")) {
    set_if(core::read_distribution(r, m.get("pause")), &u.pause);
    if (!m.has("session")) r.error(m.get("pause"), "'pause' without 'session' in virtual_users; expected session: N "
                                                   "(requests per session) with a pause between sessions");
  }
  if (m.has("mix")) read_mix(r, m.get("mix"), &u.mix, topo);
  if (u.max_count() == 0 && (m.has("count") || m.has("stages"))) {
    r.error(n, "virtual_users never above 0; expected count or a stage target of at least 1");
  }
  return u;
}

std::optional<TraceSpec> read_trace(const Reader& r, const YAML::Node& n, const std::string& scenario_file) {
  MapView m(r, n, "trace", {"file", "format", "start", "length", "scale", "compress", "interpolate"});
  if (!m.ok()) return std::nullopt;
  TraceSpec t;
  t.pos = r.pos(n);
  YAML::Node file = m.require("file", "the trace's path, like file: ../../shared/traces/...");
  if (!file.IsDefined()) return std::nullopt;
  auto f = r.string(file);
  if (!f) return std::nullopt;
  t.path_as_written = *f;
  t.path = core::resolve_path(scenario_file, *f);
  // The trace is read by the engine; a missing one must stop the run here, located.
  std::string why = core::unreadable_reason(t.path);
  if (!why.empty()) {
    r.error(file, fmt::format("cannot read trace '{}': {}; expected a readable trace file", t.path, why));
    return std::nullopt;
  }
  if (m.has("format")) {
    if (auto fmt_name = r.choice(m.get("format"), "trace format", {"per_second", "counts_csv", "request_log"})) {
      t.format = *fmt_name == "per_second"   ? TraceSpec::Format::kPerSecond
                 : *fmt_name == "counts_csv" ? TraceSpec::Format::kCountsCsv
                                             : TraceSpec::Format::kRequestLog;
    }
  } else {
    // Guess from the extension; say so when it cannot be guessed.
    const std::string& p = t.path;
    if (p.ends_with(".csv")) {
      t.format = TraceSpec::Format::kCountsCsv;
    } else if (p.ends_with(".tsv") || p.ends_with(".log")) {
      t.format = TraceSpec::Format::kRequestLog;
    } else if (p.ends_with(".txt") || p.ends_with(".tbz2") || p.ends_with(".tar.bz2")) {
      t.format = TraceSpec::Format::kPerSecond;
    } else {
      r.error(file, fmt::format("cannot tell the format of trace '{}' from its name; expected format: per_second, "
                                "counts_csv or request_log",
                                *f));
    }
  }
  m.read("start", &Reader::duration, &t.start);
  m.read("length", &Reader::positive_duration, &t.length);
  m.read("scale", &Reader::factor, &t.scale);
  m.read("compress", &Reader::factor, &t.compress);
  m.read("interpolate", &Reader::boolean, &t.interpolate);
  return t;
}

const std::vector<std::string> kShapes = {"constant", "ramp", "step", "spike", "diurnal", "trace", "sum", "sequence",
                                          "stages"};

// `parts` counts the profiles read so far. YAML aliases let a 1 KB file name a tree of 10^8 of them
// ("sum: *a7", each level ten aliases of the one below): validate then ran for ever, eating memory
// (the billion laughs; found while writing tests/fuzz). Past kMaxProfileParts the profile is an error.
std::optional<Profile> read_profile(const Reader& r, const YAML::Node& n, const std::string& scenario_file, int depth,
                                    bool in_sequence, const Topology* topo, int* parts) {
  if (++*parts > kMaxProfileParts) {
    if (*parts == kMaxProfileParts + 1) {
      r.error(n, fmt::format("load profile has more than {} parts; expected a smaller profile (a YAML alias "
                             "repeats all it names)",
                             kMaxProfileParts));
    }
    return std::nullopt;
  }
  if (depth > kMaxProfileDepth) {
    r.error(n, fmt::format("load profile nested deeper than {} levels; expected a flatter profile", kMaxProfileDepth));
    return std::nullopt;
  }
  Profile p;
  p.pos = r.pos(n);
  if (n.IsScalar()) {  // "load: 500/s"
    auto rate = r.rate(n);
    if (!rate) return std::nullopt;
    p.kind = Profile::Kind::kConstant;
    p.rate = *rate;
    return p;
  }
  std::vector<std::string> allowed = kShapes;
  allowed.push_back("mix");
  allowed.push_back("startRate");  // k6 ramping-arrival-rate, beside stages
  allowed.push_back("timeUnit");
  if (in_sequence) allowed.push_back("for");
  MapView m(r, n, "load profile", allowed);
  if (!m.ok()) return std::nullopt;
  std::string shape = m.exactly_one_of(kShapes, true);
  if (m.has("mix")) read_mix(r, m.get("mix"), &p.mix, topo);
  if (in_sequence) {
    YAML::Node len = m.get("for");  // undefined when absent (a default YAML::Node() is a defined null)
    if (!len.IsDefined() && !m.misspelled("for")) {
      r.error(n, "sequence phase without 'for'; expected how long it lasts, like {for: 10m, constant: 100/s}");
    } else if (len.IsDefined()) {
      set_if(r.positive_duration(len), &p.phase_length);
    }
  }
  if (shape.empty()) return std::nullopt;
  for (const char* k6 : {"startRate", "timeUnit"}) {
    if (m.has(k6) && shape != "stages") {
      r.error(m.get(k6), fmt::format("{} belongs to k6 stages; expected it beside stages: [...]", k6));
      return std::nullopt;
    }
  }
  YAML::Node v = m.get(shape);
  auto need_rate = [&](const MapView& mv, const char* key, const char* example) -> double {
    YAML::Node x = mv.require(key, example);
    if (!x.IsDefined()) return 0;
    return r.rate(x).value_or(0);
  };
  if (shape == "constant") {
    p.kind = Profile::Kind::kConstant;
    set_if(r.rate(v), &p.rate);
  } else if (shape == "ramp") {
    p.kind = Profile::Kind::kRamp;
    MapView mv(r, v, "ramp", {"from", "to", "over", "at"});
    if (!mv.ok()) return std::nullopt;
    p.from = need_rate(mv, "from", "a start rate, like from: 100/s");
    p.to = need_rate(mv, "to", "an end rate, like to: 1000/s");
    YAML::Node over = mv.require("over", "how long the ramp takes, like over: 10m");
    if (over.IsDefined()) set_if(r.positive_duration(over), &p.over);
    mv.read("at", &Reader::duration, &p.at);
  } else if (shape == "step") {
    p.kind = Profile::Kind::kStep;
    MapView mv(r, v, "step", {"from", "to", "at"});
    if (!mv.ok()) return std::nullopt;
    p.from = need_rate(mv, "from", "the rate before the step, like from: 100/s");
    p.to = need_rate(mv, "to", "the rate after the step, like to: 500/s");
    YAML::Node at = mv.require("at", "when the step happens, like at: 5m");
    if (at.IsDefined()) set_if(r.duration(at), &p.at);
  } else if (shape == "spike") {
    p.kind = Profile::Kind::kSpike;
    MapView mv(r, v, "spike", {"base", "at", "factor", "for"});
    if (!mv.ok()) return std::nullopt;
    p.rate = need_rate(mv, "base", "the rate outside the spike, like base: 500/s");
    YAML::Node at = mv.require("at", "when the spike starts, like at: 10m");
    if (at.IsDefined()) set_if(r.duration(at), &p.at);
    YAML::Node factor = mv.require("factor", "the multiplier during the spike, like factor: 3");
    if (factor.IsDefined()) set_if(r.factor(factor), &p.factor);
    YAML::Node len = mv.require("for", "how long the spike lasts, like for: 2m");
    if (len.IsDefined()) set_if(r.positive_duration(len), &p.length);
  } else if (shape == "diurnal") {
    p.kind = Profile::Kind::kDiurnal;
    MapView mv(r, v, "diurnal", {"mean", "amplitude", "period", "peak"});
    if (!mv.ok()) return std::nullopt;
    p.mean = need_rate(mv, "mean", "the mean rate, like mean: 500/s");
    YAML::Node amp = mv.require("amplitude", "the relative swing, like amplitude: 50%");
    if (amp.IsDefined()) set_if(r.ratio(amp), &p.amplitude);
    mv.read("period", &Reader::positive_duration, &p.period);
    mv.read("peak", &Reader::duration, &p.peak);
  } else if (shape == "stages") {
    // k6's ramping-arrival-rate: each stage ramps linearly from the previous target (startRate at
    // first) to its own over its duration; targets are iterations (requests) per timeUnit (1s).
    p.kind = Profile::Kind::kSequence;
    double unit = 1;
    if (m.has("timeUnit") && !set_if(r.positive_duration(m.get("timeUnit")), &unit)) return std::nullopt;
    double prev = 0;
    if (m.has("startRate")) {
      auto start = r.number(m.get("startRate"), 0, 1e9);
      if (!start) return std::nullopt;
      prev = *start / unit;
    }
    if (!r.is_seq(v, "stages")) return std::nullopt;
    if (v.size() == 0) {
      r.error(v, "stages is empty; expected at least one stage, like stages: [{duration: 1m, target: 100}]");
      return std::nullopt;
    }
    bool ok = true;
    for (const auto& stage : v) {
      if (++*parts > kMaxProfileParts) {
        r.error(stage, fmt::format("load profile has more than {} parts; expected fewer stages", kMaxProfileParts));
        return std::nullopt;
      }
      MapView sm(r, stage, "stage", {"duration", "target"});
      if (!sm.ok()) {
        ok = false;
        continue;
      }
      YAML::Node d = sm.require("duration", "how long the stage ramps, like duration: 1m");
      YAML::Node tg = sm.require("target", "the rate at the stage's end in requests per timeUnit, like target: 100");
      if (!d.IsDefined() || !tg.IsDefined()) {
        ok = false;
        continue;
      }
      auto length = r.duration(d);
      auto target = r.number(tg, 0, 1e9);
      if (!length || !target) {
        ok = false;
        continue;
      }
      const double to = *target / unit;
      if (*length > 0) {  // a 0s stage jumps to its target
        Profile c;
        c.kind = Profile::Kind::kRamp;
        c.from = prev;
        c.to = to;
        c.over = *length;
        c.phase_length = *length;
        c.pos = r.pos(stage);
        p.children.push_back(std::move(c));
      }
      prev = to;
    }
    if (!ok) return std::nullopt;
    if (p.children.empty()) {
      r.error(v, "stages last 0s in all; expected at least one stage with a duration, like {duration: 1m, target: 100}");
      return std::nullopt;
    }
  } else if (shape == "trace") {
    p.kind = Profile::Kind::kTrace;
    auto t = read_trace(r, v, scenario_file);
    if (!t) return std::nullopt;
    p.trace = *t;
  } else {
    p.kind = shape == "sum" ? Profile::Kind::kSum : Profile::Kind::kSequence;
    if (!r.is_seq(v, shape)) return std::nullopt;
    if (v.size() == 0) {
      r.error(v, fmt::format("{} is empty; expected at least one profile", shape));
      return std::nullopt;
    }
    bool ok = true;
    for (const auto& child : v) {
      auto c = read_profile(r, child, scenario_file, depth + 1, p.kind == Profile::Kind::kSequence, topo, parts);
      if (c) {
        p.children.push_back(std::move(*c));
      } else {
        ok = false;
        if (*parts > kMaxProfileParts) break;
      }
    }
    if (!ok) return std::nullopt;
  }
  return p;
}

// Longest time a profile defines by itself (sequence phases, trace windows); 0 = unbounded.
double natural_length(const Profile& p) {
  switch (p.kind) {
    case Profile::Kind::kSequence: {
      double s = 0;
      for (const Profile& c : p.children) s += c.phase_length;
      return s;
    }
    case Profile::Kind::kTrace:
      return p.trace.length > 0 ? p.trace.length / p.trace.compress : 0;
    case Profile::Kind::kSum: {
      double s = 0;
      for (const Profile& c : p.children) s = std::max(s, natural_length(c));
      return s;
    }
    default:
      return 0;
  }
}

// ---- targets -------------------------------------------------------------

}  // namespace

std::optional<Target> parse_target_text(const std::string& text) {
  static const std::regex kRe(R"(^([A-Za-z0-9][A-Za-z0-9_-]*)(?:\.(primary|replica))?(?:\[(\d{1,6})\])?$)");
  std::smatch m;
  if (!std::regex_match(text, m, kRe)) return std::nullopt;
  Target t;
  t.component = m[1];
  t.role = m[2];
  if (m[3].matched) t.instance = std::stoi(m[3]);
  return t;
}

namespace {

std::optional<Target> read_target(const Reader& r, const YAML::Node& n, const Topology& topo, bool allow_places) {
  static const std::string kExpected =
      "a component ('app'), an instance ('app[1]'), a database role ('db.primary') or {region: ...} / {zone: ...} / "
      "{host: ...}";
  if (n.IsMap() && allow_places) {
    MapView m(r, n, "target", {"region", "zone", "host"});
    if (!m.ok()) return std::nullopt;
    std::string which = m.exactly_one_of({"region", "zone", "host"}, true);
    if (which.empty()) return std::nullopt;
    auto name = r.identifier(m.get(which));
    if (!name) return std::nullopt;
    Target t;
    if (which == "region") {
      if (!topo.find_region(*name)) {
        std::vector<std::string> known;
        for (const auto& reg : topo.regions) known.push_back(reg.name);
        r.error(m.get(which), unknown_name("", "region", *name, known));
        return std::nullopt;
      }
      t.region = *name;
    } else if (which == "host") {
      if (!topo.find_host(*name)) {
        std::vector<std::string> known;
        for (const auto& h : topo.hosts) known.push_back(h.name);
        r.error(m.get(which), unknown_name("", "host", *name, known));
        return std::nullopt;
      }
      t.host = *name;
    } else {
      if (!topo.region_of_zone(*name)) {
        std::vector<std::string> known;
        for (const auto& reg : topo.regions) known.insert(known.end(), reg.zones.begin(), reg.zones.end());
        r.error(m.get(which), unknown_name("", "zone", *name, known));
        return std::nullopt;
      }
      t.zone = *name;
    }
    return t;
  }
  auto s = r.string(n, kExpected);
  if (!s) return std::nullopt;
  auto t = parse_target_text(*s);
  if (!t) {
    r.error(n, fmt::format("invalid target '{}'; expected {}", *s, kExpected));
    return std::nullopt;
  }
  const topology::Component* c = topo.find(t->component);
  if (!c) {
    r.error(n, unknown_name("", "component", t->component, component_names(topo)));
    return std::nullopt;
  }
  if (!t->role.empty() && c->kind != Kind::kDatabase) {
    r.error(n, fmt::format("'{}' names a role but '{}' is a {}; expected roles on databases only", *s, c->name,
                           topology::kind_name(c->kind)));
    return std::nullopt;
  }
  if (t->role == "replica" && c->database()->replicas == 0) {
    r.error(n, fmt::format("'{}' has no replicas; expected {}.primary", c->name, c->name));
    return std::nullopt;
  }
  // Per shard: a primary and its replicas.
  int count = t->role == "replica"   ? c->database()->shards * c->database()->replicas
              : t->role == "primary" ? c->database()->shards
                                     : c->instances();
  if (t->instance >= 0 && t->instance >= count) {
    r.error(n, fmt::format("'{}' has {} instance(s); expected an index from 0 to {}", c->name, count, count - 1));
    return std::nullopt;
  }
  if (c->kind == Kind::kCdn && t->instance >= 0) {
    r.error(n, fmt::format("CDN '{}' has no instances; expected the component name alone", c->name));
    return std::nullopt;
  }
  return t;
}

// [a, b] of two components or two regions.
std::optional<std::vector<std::string>> read_between(const Reader& r, const YAML::Node& n, const Topology& topo) {
  if (!r.is_seq(n, "between")) return std::nullopt;
  if (n.size() != 2) {
    r.error(n, fmt::format("between lists {} name{}; expected two components or two regions, like [app, db]", n.size(),
                           n.size() == 1 ? "" : "s"));
    return std::nullopt;
  }
  std::vector<std::string> out;
  int regions = 0, comps = 0;
  for (const auto& item : n) {
    auto name = r.identifier(item);
    if (!name) return std::nullopt;
    if (topo.find(*name)) {
      ++comps;
    } else if (topo.find_region(*name)) {
      ++regions;
    } else {
      std::vector<std::string> known = component_names(topo);
      for (const auto& reg : topo.regions) known.push_back(reg.name);
      r.error(item, unknown_name("", "component or region", *name, known));
      return std::nullopt;
    }
    out.push_back(*name);
  }
  if (regions && comps) {
    r.error(n, "between mixes a component and a region; expected two components or two regions");
    return std::nullopt;
  }
  if (out[0] == out[1]) {
    r.error(n, fmt::format("between names '{}' twice; expected two different ends", out[0]));
    return std::nullopt;
  }
  return out;
}

const std::vector<std::string> kFaultKinds = {"crash",  "partition", "delay",  "loss",   "bandwidth",
                                              "cpu_slowdown", "flush", "failover", "restore", "errors",
                                              "chaos_monkey", "hang", "freeze", "slow", "flap", "reshard"};

std::optional<Fault> read_fault(const Reader& r, const YAML::Node& n, const Topology& topo, double duration) {
  std::vector<std::string> allowed = kFaultKinds;
  for (const char* k : {"at", "for", "every", "name", "silent"}) allowed.push_back(k);
  MapView m(r, n, "fault", allowed);
  if (!m.ok()) return std::nullopt;
  Fault f;
  f.pos = r.pos(n);
  std::string kind = m.exactly_one_of(kFaultKinds, true);
  m.read("name", &Reader::string, &f.name, "a string");
  if (m.has("at")) {
    set_if(r.duration(m.get("at")), &f.at);
    if (duration > 0 && f.at >= duration) {
      r.error(m.get("at"), fmt::format("fault at {} is not before the end of the run ({}); expected at < duration",
                                       core::format_duration(f.at), core::format_duration(duration)));
    }
  } else if (kind != "chaos_monkey" && !m.misspelled("at")) {
    r.error(n, "fault without 'at'; expected when it happens, like at: 10m");
  }
  m.read("for", &Reader::positive_duration, &f.length);
  if (m.has("every")) {
    set_if(r.positive_duration(m.get("every")), &f.every);
    if (f.every > 0 && f.length >= f.every) {
      r.error(m.get("every"), fmt::format("fault repeats every {} but lasts {}; expected for < every",
                                          core::format_duration(f.every), core::format_duration(f.length)));
    }
  }
  if (kind.empty()) return std::nullopt;
  YAML::Node v = m.get(kind);
  bool ok = true;
  auto target_of = [&](const YAML::Node& node, bool places) {
    auto t = read_target(r, node, topo, places);
    if (t) {
      f.target = *t;
    } else {
      ok = false;
    }
  };
  auto component_kind = [&](std::initializer_list<Kind> kinds, const char* what) {
    const topology::Component* c = topo.find(f.target.component);
    if (!c) return;
    if (std::find(kinds.begin(), kinds.end(), c->kind) == kinds.end()) {
      r.error(v, fmt::format("{} needs {}, but '{}' is a {}", kind, what, c->name, topology::kind_name(c->kind)));
      ok = false;
    }
  };
  auto link_fault = [&](const char* value_key, const char* example) {
    // partition: [a, b]  or  delay: {between: [a, b], latency: 100ms, ramp: 1m}
    if (v.IsSequence() && !value_key) {
      if (auto b = read_between(r, v, topo)) {
        f.target.between = *b;
      } else {
        ok = false;
      }
      return;
    }
    std::vector<std::string> keys = {"between"};
    if (value_key) keys.push_back(value_key);
    if (f.kind == Fault::Kind::kDelay) keys.insert(keys.end(), {"ramp", "jitter", "correlation"});
    MapView lm(r, v, kind, keys);
    if (!lm.ok()) {
      ok = false;
      return;
    }
    YAML::Node b = lm.require("between", "two components or regions, like between: [app, db]");
    if (b.IsDefined()) {
      if (auto bb = read_between(r, b, topo)) {
        f.target.between = *bb;
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    if (value_key) {
      YAML::Node x = lm.require(value_key, example);
      if (!x.IsDefined()) {
        ok = false;
      } else if (f.kind == Fault::Kind::kDelay) {
        set_if(r.duration(x), &f.value);
      } else if (f.kind == Fault::Kind::kLoss) {
        set_if(r.ratio(x), &f.value);
      } else {
        set_if(r.bandwidth(x), &f.value);
      }
    }
    lm.read("ramp", &Reader::duration, &f.ramp);
    // Chaos Mesh's NetworkChaos delay: jitter and correlation (a percentage, "25" or 25%).
    if (lm.has("jitter") && !lm.read("jitter", &Reader::duration, &f.jitter)) ok = false;
    if (lm.has("correlation")) {
      YAML::Node c = lm.get("correlation");
      std::optional<double> corr;
      if (c.IsScalar() && core::parse_number(c.Scalar())) {
        corr = r.number(c, 0, 100);  // Chaos Mesh writes "25" for 25 %
        if (corr) *corr /= 100;
      } else {
        corr = r.ratio(c);
      }
      if (!corr) {
        ok = false;
      } else {
        f.correlation = *corr;
      }
    }
    if (ok && (f.jitter > 0 || f.correlation > 0)) {
      r.warning(lm.has("jitter") ? lm.get("jitter") : lm.get("correlation"),
                "jitter and correlation are read but not modelled yet: the delay added is the constant latency; "
                "expected a per-request delay distribution from a later engine");
    }
  };

  auto no_cdn = [&]() {
    if (ok && !f.target.component.empty() && topo.find(f.target.component)->kind == Kind::kCdn) {
      r.error(v, fmt::format("'{}' is a CDN, which infrasim treats as always up; expected a component with instances",
                             f.target.component));
      ok = false;
    }
  };
  if (m.has("silent") && kind != "crash") {
    r.error(m.get("silent"), fmt::format("silent applies to crash faults; a {} fault has no such setting", kind));
    ok = false;
  }
  if (kind == "crash") {
    f.kind = Fault::Kind::kCrash;
    if (v.IsMap() && !std::as_const(v)["region"] && !std::as_const(v)["zone"] && !std::as_const(v)["host"]) {
      // Chaos Mesh's selector: crash: {target: app, mode: fixed-percent, value: 50}
      MapView sm(r, v, "crash", {"target", "mode", "value"});
      if (!sm.ok()) return std::nullopt;
      YAML::Node t = sm.require("target", "the component, like target: app");
      if (!t.IsDefined()) return std::nullopt;
      target_of(t, false);
      if (!ok) return std::nullopt;
      if (sm.has("mode")) {
        auto mode = r.choice(sm.get("mode"), "mode", {"one", "all", "fixed", "fixed-percent", "random-max-percent"});
        if (!mode) return std::nullopt;
        f.select_mode = *mode;
        if (f.target.instance >= 0 || !f.target.role.empty()) {
          r.error(t, fmt::format("mode {} chooses among a component's instances; expected target: {} alone",
                                 *mode, f.target.component));
          return std::nullopt;
        }
        const bool valued = *mode != "one" && *mode != "all";
        if (valued && !sm.has("value")) {
          r.error(sm.get("mode"), fmt::format("mode {} needs value: {}", *mode,
                                              *mode == "fixed" ? "how many instances, like value: 2"
                                                               : "a percentage, like value: 50"));
          return std::nullopt;
        }
        if (!valued && sm.has("value")) {
          r.error(sm.get("value"), fmt::format("mode {} takes no value; expected fixed, fixed-percent or "
                                               "random-max-percent with value",
                                               *mode));
          return std::nullopt;
        }
        if (valued) {
          // Chaos Mesh writes value as a string of digits ("50"): an integer here too.
          const int count = topo.find(f.target.component)->instances();
          auto x = *mode == "fixed" ? r.integer(sm.get("value"), 1, 1000000) : r.integer(sm.get("value"), 1, 100);
          if (!x) return std::nullopt;
          if (*mode == "fixed" && *x > count) {
            r.warning(sm.get("value"), fmt::format("value {} is more than the {} instance(s) of '{}'; every instance is "
                                                   "chosen (as Chaos Mesh does)",
                                                   *x, count, f.target.component));
          }
          f.select_value = static_cast<int>(*x);
        }
      } else if (sm.has("value")) {
        r.error(sm.get("value"), "value without mode; expected mode: fixed, fixed-percent or random-max-percent");
        return std::nullopt;
      }
    } else {
      target_of(v, true);
    }
    no_cdn();
    f.silent = ok && f.target.lost_silently();
    m.read("silent", &Reader::boolean, &f.silent);
  } else if (kind == "hang" || kind == "freeze") {
    f.kind = kind == "hang" ? Fault::Kind::kHang : Fault::Kind::kFreeze;
    target_of(v, true);
    no_cdn();
  } else if (kind == "slow") {
    f.kind = Fault::Kind::kSlow;
    MapView sm(r, v, "slow", {"target", "factor", "network"});
    if (!sm.ok()) return std::nullopt;
    YAML::Node t = sm.require("target", "an instance or component, like target: app[1]");
    if (!t.IsDefined()) return std::nullopt;
    target_of(t, false);
    f.value = 1;
    sm.read("factor", &Reader::number, &f.value, 1.0, 1e6);
    sm.read("network", &Reader::number, &f.value2, 1.0, 1e6);
    if (!sm.has("factor") && !sm.has("network")) {
      r.error(v, "slow needs factor (service time x k) or network (hop latency x k); expected factor: 3 or network: 2");
      ok = false;
    }
    component_kind({Kind::kService, Kind::kCache, Kind::kDatabase, Kind::kStorage, Kind::kQueue}, "a component with hosts");
  } else if (kind == "flap") {
    f.kind = Fault::Kind::kFlap;
    MapView fm(r, v, "flap", {"target", "period", "down"});
    if (!fm.ok()) return std::nullopt;
    YAML::Node t = fm.require("target", "an instance or component, like target: app[1]");
    YAML::Node pe = fm.require("period", "how often it goes down, like period: 1m");
    YAML::Node dn = fm.require("down", "how long it stays down each time, like down: 10s");
    if (!t.IsDefined() || !pe.IsDefined() || !dn.IsDefined()) return std::nullopt;
    target_of(t, false);
    no_cdn();
    set_if(r.positive_duration(pe), &f.every);
    set_if(r.positive_duration(dn), &f.length);
    if (f.every > 0 && f.length >= f.every) {
      r.error(dn, fmt::format("flap is down {} of every {}; expected down < period", core::format_duration(f.length),
                              core::format_duration(f.every)));
      ok = false;
    }
    if (m.has("every")) {
      r.error(m.get("every"), "flap repeats by its own period; expected no every on a flap");
      ok = false;
    }
  } else if (kind == "partition") {
    f.kind = Fault::Kind::kPartition;
    link_fault(nullptr, nullptr);
  } else if (kind == "delay") {
    f.kind = Fault::Kind::kDelay;
    link_fault("latency", "the added latency, like latency: 100ms");
  } else if (kind == "loss") {
    f.kind = Fault::Kind::kLoss;
    link_fault("ratio", "the share of requests lost, like ratio: 5%");
  } else if (kind == "bandwidth") {
    f.kind = Fault::Kind::kBandwidth;
    link_fault("limit", "the bandwidth left, like limit: 10Mbps");
  } else if (kind == "cpu_slowdown") {
    f.kind = Fault::Kind::kCpuSlowdown;
    MapView cm(r, v, "cpu_slowdown", {"target", "factor"});
    if (!cm.ok()) return std::nullopt;
    YAML::Node t = cm.require("target", "an instance or component, like target: app[1]");
    YAML::Node fa = cm.require("factor", "the speed left, like factor: 50%");
    if (!t.IsDefined() || !fa.IsDefined()) return std::nullopt;
    target_of(t, false);
    if (auto x = r.ratio(fa)) {
      if (*x <= 0) {
        r.error(fa, "cpu_slowdown factor 0 stops the CPU; expected a speed above 0, or a crash fault");
        ok = false;
      }
      f.value = *x;
    } else {
      ok = false;
    }
    component_kind({Kind::kService, Kind::kCache, Kind::kDatabase, Kind::kStorage, Kind::kQueue}, "a component with hosts");
  } else if (kind == "flush") {
    f.kind = Fault::Kind::kCacheFlush;
    target_of(v, false);
    component_kind({Kind::kCache, Kind::kCdn}, "a cache or CDN");
  } else if (kind == "failover") {
    f.kind = Fault::Kind::kFailover;
    target_of(v, false);
    component_kind({Kind::kDatabase}, "a database");
    if (ok && topo.find(f.target.component)->database()->replicas == 0) {
      r.error(v, fmt::format("failover of '{}' needs a replica to promote; expected replicas >= 1", f.target.component));
      ok = false;
    }
  } else if (kind == "restore") {
    f.kind = Fault::Kind::kRestore;
    target_of(v, false);
    component_kind({Kind::kDatabase}, "a database");
    if (ok && topo.find(f.target.component)->database()->backup.interval <= 0) {
      r.error(v, fmt::format("restore of '{}' needs backups; expected backup: {{interval, size, restore_rate}} in "
                             "the topology",
                             f.target.component));
      ok = false;
    }
  } else if (kind == "errors") {
    f.kind = Fault::Kind::kErrors;
    MapView em(r, v, "errors", {"target", "ratio"});
    if (!em.ok()) return std::nullopt;
    YAML::Node t = em.require("target", "a component, like target: app");
    YAML::Node ra = em.require("ratio", "the share of responses that fail, like ratio: 10%");
    if (!t.IsDefined() || !ra.IsDefined()) return std::nullopt;
    target_of(t, false);
    set_if(r.ratio(ra), &f.value);
  } else if (kind == "reshard") {
    // reshard: {target: db, shards: 8, rate: 100MB/s, cpu: 1}
    f.kind = Fault::Kind::kReshard;
    MapView rm(r, v, "reshard", {"target", "shards", "rate", "cpu"});
    if (!rm.ok()) return std::nullopt;
    YAML::Node t = rm.require("target", "a database, like target: db");
    YAML::Node sh = rm.require("shards", "the new shard count, like shards: 8");
    if (!t.IsDefined() || !sh.IsDefined()) return std::nullopt;
    target_of(t, false);
    if (ok && (f.target.instance >= 0 || !f.target.role.empty())) {
      r.error(t, fmt::format("reshard moves a whole database; expected a component name, like target: {}",
                             f.target.component));
      ok = false;
    }
    component_kind({Kind::kDatabase}, "a database");
    if (auto x = r.integer(sh, 1, 1024)) {
      f.shards = static_cast<int>(*x);
    } else {
      ok = false;
    }
    rm.read("rate", &Reader::bandwidth, &f.rate);
    if (rm.has("rate") && f.rate <= 0) {
      r.error(rm.get("rate"), "reshard rate 0 would never finish; expected a rate like 100MB/s, or no rate");
      ok = false;
    }
    rm.read("cpu", &Reader::integer, &f.cpu, 0, 64);
    if (ok) {
      const topology::DatabaseSpec& db = *topo.find(f.target.component)->database();
      if (db.data_size() <= 0) {
        r.error(v, fmt::format("reshard of '{}' moves its data, but its size is unknown; expected size: 500GB on the "
                               "database",
                               f.target.component));
        ok = false;
      }
    }
    if (m.has("every") || m.has("for")) {
      r.error(m.has("every") ? m.get("every") : m.get("for"),
              "reshard happens once and lasts as long as its data takes to move; expected no 'for' or 'every'");
      ok = false;
    }
  } else {
    f.kind = Fault::Kind::kChaosMonkey;
    MapView cm(r, v, "chaos_monkey", {"targets", "mtbf", "mttr"});
    if (!cm.ok()) return std::nullopt;
    YAML::Node ts = cm.require("targets", "the components it may crash, like targets: [app, cache]");
    YAML::Node mtbf = cm.require("mtbf", "time between failures, like mtbf: {exponential: {mean: 2h}}");
    if (!ts.IsDefined() || !mtbf.IsDefined()) return std::nullopt;
    if (r.is_seq(ts, "targets")) {
      for (const auto& item : ts) {
        if (auto t = read_target(r, item, topo, false)) {
          // Without mttr a crash is a killed process: only a restart policy brings it back.
          const topology::Component* c = topo.find(t->component);
          if (!cm.has("mttr") && c && !c->restart.enabled()) {
            r.error(item, fmt::format("chaos_monkey without mttr kills processes and '{}' has no restart policy to "
                                      "bring them back; expected mttr (how long a crash lasts, like mttr: 5m) or "
                                      "restart: on '{}'",
                                      t->component, t->component));
            ok = false;
          }
          f.targets.push_back(*t);
        } else {
          ok = false;
        }
      }
      if (ts.size() == 0) {
        r.error(ts, "chaos_monkey has no targets; expected at least one component");
        ok = false;
      }
    } else {
      ok = false;
    }
    auto a = core::read_distribution(r, mtbf);
    if (!a) return std::nullopt;
    if (a->mean <= 0) {
      r.error(mtbf, "chaos_monkey mtbf has mean 0, which would fail forever; expected a positive time");
      ok = false;
    }
    f.mtbf = *a;
    if (cm.has("mttr")) {
      f.mttr = core::read_distribution(r, cm.get("mttr"));
      if (!f.mttr) return std::nullopt;
    }
  }
  if (!ok) return std::nullopt;
  if (f.kind == Fault::Kind::kFlap && m.has("for")) {
    double total = 0;
    set_if(r.positive_duration(m.get("for")), &total);
    f.until = f.at + total;
  }
  if (f.name.empty()) {
    f.name = fmt::format("{} {}", fault_kind_name(f.kind), f.kind == Fault::Kind::kChaosMonkey ? "" : f.target.text());
    if (!f.select_mode.empty()) {
      f.name += f.select_value ? fmt::format(" ({} {})", f.select_mode, f.select_value) : " (" + f.select_mode + ")";
    }
    while (!f.name.empty() && f.name.back() == ' ') f.name.pop_back();
  }
  return f;
}

// Re-shardings of one database, in time order: each changes the shard count, one at a time.
void check_reshards(const Reader& r, const Topology& topo, const std::vector<Fault>& faults) {
  std::vector<const Fault*> order;
  for (const Fault& f : faults) {
    if (f.kind == Fault::Kind::kReshard) order.push_back(&f);
  }
  std::stable_sort(order.begin(), order.end(), [](const Fault* a, const Fault* b) { return a->at < b->at; });
  std::map<std::string, int> shards;
  std::map<std::string, double> last;
  for (const Fault* f : order) {
    const std::string& db = f->target.component;
    auto [it, fresh] = shards.emplace(db, topo.find(db)->database()->shards);
    if (f->shards == it->second) {
      r.error(f->pos, fmt::format("reshard of '{}' to {} shards, which it already has at {}; expected another count",
                                  db, f->shards, core::format_duration(f->at)));
    }
    if (!fresh && last[db] == f->at) {
      r.error(f->pos, fmt::format("two reshards of '{}' at {}; expected one at a time", db, core::format_duration(f->at)));
    }
    it->second = f->shards;
    last[db] = f->at;
  }
}

// ---- autoscaling ---------------------------------------------------------

// read_hpa (the `hpa:` block) is shared with the autoscale state file: scenario/autoscale_state.h.

const std::vector<std::string> kRuleMetrics = {"cpu", "memory", "latency_p99", "rps", "queue_length"};

void read_rules(const Reader& r, const YAML::Node& n, std::vector<ThresholdRule>* out, const char* dir) {
  if (!r.is_seq(n, dir)) return;
  for (const auto& item : n) {
    std::string cmp = std::string(dir) == "up" ? "above" : "below";
    MapView m(r, item, fmt::format("{} rule", dir), {"metric", cmp, "for", "step"});
    if (!m.ok()) continue;
    ThresholdRule rule;
    rule.pos = r.pos(item);
    YAML::Node metric = m.require("metric", "cpu, memory, latency_p99, rps or queue_length");
    YAML::Node thr = m.require(cmp, fmt::format("the threshold, like {}: 70%", cmp));
    YAML::Node len = m.require("for", "how long it must hold, like for: 5m");
    if (!metric.IsDefined() || !thr.IsDefined() || !len.IsDefined()) continue;
    auto name = r.choice(metric, "rule metric", kRuleMetrics);
    if (!name) continue;
    rule.metric = *name;
    if (rule.metric == "cpu" || rule.metric == "memory") {
      set_if(r.ratio(thr), &rule.threshold);
    } else if (rule.metric == "latency_p99") {
      set_if(r.positive_duration(thr), &rule.threshold);
    } else if (rule.metric == "rps") {
      set_if(r.rate(thr), &rule.threshold);
    } else {
      set_if(r.number(thr, 0, 1e9), &rule.threshold);
    }
    set_if(r.duration(len), &rule.duration);
    if (m.has("step")) {
      if (auto s = r.integer(m.get("step"), 1, 1000)) rule.step = static_cast<int>(*s);
    }
    out->push_back(rule);
  }
}

std::optional<ThresholdPolicy> read_threshold(const Reader& r, const YAML::Node& n) {
  MapView m(r, n, "rules", {"min", "max", "up", "down", "cooldown", "evaluation_period"});
  if (!m.ok()) return std::nullopt;
  ThresholdPolicy p;
  YAML::Node mn = m.require("min", "the minimum instances, like min: 2");
  YAML::Node mx = m.require("max", "the maximum instances, like max: 10");
  if (mn.IsDefined()) set_if(r.integer(mn, 1, 1000), &p.min);
  if (mx.IsDefined()) set_if(r.integer(mx, 1, 1000), &p.max);
  if (m.has("up")) read_rules(r, m.get("up"), &p.up, "up");
  if (m.has("down")) read_rules(r, m.get("down"), &p.down, "down");
  if (!m.has("up") && !m.has("down") && !m.misspelled("up") && !m.misspelled("down")) {
    r.error(n, "rules has neither up nor down rules; expected at least one");
  }
  if (m.has("cooldown")) {
    MapView cm(r, m.get("cooldown"), "cooldown", {"up", "down"});
    if (cm.ok()) {
      cm.read("up", &Reader::duration, &p.cooldown_up);
      cm.read("down", &Reader::duration, &p.cooldown_down);
    }
  }
  m.read("evaluation_period", &Reader::positive_duration, &p.evaluation_period);
  if (p.min > p.max) r.error(mn, fmt::format("min {} is above max {}; expected min <= max", p.min, p.max));
  return p;
}

void read_autoscaling(const Reader& r, const YAML::Node& n, const Topology& topo, Scenario* s) {
  MapView m(r, n, "autoscaling", {});
  if (!m.ok()) return;
  for (const std::string& k : m.keys()) {
    YAML::Node v = m.get(k);
    const topology::Component* c = topo.find(k);
    if (!c) {
      r.error(v, unknown_name("autoscaling names ", "component", k, component_names(topo)));
      continue;
    }
    if (c->kind != Kind::kService) {
      r.error(v, fmt::format("autoscaling '{}' is a {}; expected a service", k, topology::kind_name(c->kind)));
      continue;
    }
    MapView am(r, v, fmt::format("autoscaling '{}'", k), {"hpa", "rules", "boot_time", "from"});
    if (!am.ok()) continue;
    Autoscaler a;
    a.component = k;
    a.pos = r.pos(v);
    std::string which = am.exactly_one_of({"hpa", "rules", "from"}, true);
    if (which.empty()) continue;
    if (which == "from") {  // a Kubernetes HorizontalPodAutoscaler as written (sim/import/reference.h)
      auto ref = import::read_from(r, am.get("from"));
      if (!ref) continue;
      auto h = import::hpa_from(*ref, r.diags(), nullptr);
      if (!h) continue;
      a.policy = *h;
    } else if (which == "hpa") {
      auto h = read_hpa(r, am.get("hpa"));
      if (!h) continue;
      a.policy = *h;
    } else {
      auto t = read_threshold(r, am.get("rules"));
      if (!t) continue;
      a.policy = *t;
    }
    if (am.has("boot_time")) {
      if (auto b = r.duration(am.get("boot_time"))) a.boot_time = *b;
    }
    int replicas = c->service()->replicas;
    int lo = a.hpa() ? a.hpa()->min : a.rules()->min;
    int hi = a.hpa() ? a.hpa()->max : a.rules()->max;
    if (lo <= hi && (replicas < lo || replicas > hi)) {  // min > max is an error already
      r.warning(v, fmt::format("'{}' starts with {} replicas, outside its autoscaling range {}..{}; it will be "
                               "clamped at the first evaluation",
                               k, replicas, lo, hi));
    }
    s->autoscaling.push_back(std::move(a));
  }
}

// ---- expectations --------------------------------------------------------

std::optional<double> read_metric_value(const Reader& r, const YAML::Node& n, Unit unit, std::string_view text) {
  switch (unit) {
    case Unit::kDuration: {
      std::string expected;
      auto v = core::parse_duration(text, &expected);
      if (!v) r.error(n, fmt::format("invalid duration '{}'; expected {}", text, expected));
      return v;
    }
    case Unit::kRatio: {
      std::string expected;
      auto v = core::parse_ratio(text, &expected);
      if (!v) r.error(n, fmt::format("invalid ratio '{}'; expected {}", text, expected));
      return v;
    }
    case Unit::kRate: {
      std::string expected;
      auto v = core::parse_rate(text, &expected);
      if (!v) r.error(n, fmt::format("invalid rate '{}'; expected {}", text, expected));
      return v;
    }
    case Unit::kCount: {
      auto v = core::parse_number(text);
      if (!v || *v < 0 || std::floor(*v) != *v) {
        r.error(n, fmt::format("invalid count '{}'; expected a whole number >= 0", text));
        return std::nullopt;
      }
      return v;
    }
    case Unit::kNumber: {
      auto v = core::parse_number(text);
      if (!v) r.error(n, fmt::format("invalid number '{}'; expected a number", text));
      return v;
    }
    case Unit::kBool: {
      if (text == "true") return 1.0;
      if (text == "false") return 0.0;
      r.error(n, fmt::format("invalid boolean '{}'; expected true or false", text));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

const char* target_example(Unit unit) {
  switch (unit) {
    case Unit::kDuration: return "<= 500ms";
    case Unit::kRatio: return "<= 1%";
    case Unit::kRate: return ">= 450/s";
    case Unit::kCount: return "<= 0";
    case Unit::kNumber: return "<= 100";
    case Unit::kBool: return "true";
  }
  return "<= 1";
}

// One target of `metric` ("500ms", "<= 500ms", {max: 500ms, class: api, bound: upper}) into *e.
// False (reported) when it cannot be read.
bool read_target(const Reader& r, const YAML::Node& v, const MetricInfo& info, const Topology& topo, Expectation* e) {
  const std::string k(info.name);
  e->metric = k;
  e->op = info.default_op;
  e->pos = r.pos(v);
  YAML::Node value_node = v;
  if (v.IsMap()) {
    MapView em(r, v, fmt::format("expectation '{}'", k), {"max", "min", "value", "class", "bound"});
    if (!em.ok()) return false;
    std::string which = em.exactly_one_of({"max", "min", "value"}, true);
    if (which.empty()) return false;
    e->op = which == "max" ? Expectation::Op::kLe : which == "min" ? Expectation::Op::kGe : info.default_op;
    // reset(), not '=': assigning to a YAML::Node writes through to the node it
    // refers to (here the expectation's mapping), which lost 'class' and 'bound'.
    value_node.reset(em.get(which));
    if (em.has("class")) {
      auto c = r.identifier(em.get("class"));
      if (!c) return false;
      if (!info.per_class) {
        r.error(em.get("class"), fmt::format("'{}' cannot be restricted to a request class; expected it without "
                                             "class",
                                             k));
        return false;
      }
      if (!topo.find_class(*c)) {
        r.error(em.get("class"), unknown_name("", "request class", *c, class_names(topo)));
        return false;
      }
      e->request_class = *c;
    }
    if (em.has("bound")) {
      if (auto b = r.choice(em.get("bound"), "bound", {"value", "mean", "upper", "lower"})) {
        e->bound = *b == "mean"    ? Expectation::Bound::kMean
                   : *b == "upper" ? Expectation::Bound::kUpper
                   : *b == "lower" ? Expectation::Bound::kLower
                                   : Expectation::Bound::kValue;
      }
    }
  }
  auto str = r.string(value_node, fmt::format("a target like '{}'", target_example(info.unit)));
  if (!str) return false;
  // An explicit comparison: "<= 500ms", "< 1%", ">= 450/s".
  std::string_view body = *str;
  auto strip = [&](std::string_view prefix, Expectation::Op op) {
    if (body.starts_with(prefix)) {
      body.remove_prefix(prefix.size());
      e->op = op;
      return true;
    }
    return false;
  };
  strip("<=", Expectation::Op::kLe) || strip(">=", Expectation::Op::kGe) || strip("==", Expectation::Op::kEq) ||
      strip("<", Expectation::Op::kLt) || strip(">", Expectation::Op::kGt);
  while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
  auto value = read_metric_value(r, value_node, info.unit, body);
  if (!value) return false;
  e->value = *value;
  e->text = fmt::format("{} {} {}", k, op_symbol(e->op), format_value(info.unit, e->value));
  if (!e->request_class.empty()) e->text += fmt::format(" (class {})", e->request_class);
  return true;
}

// alert: {name: X, fires_within: 2m} | {name: X, fires: false} | a list of them.
void read_alert_expectations(const Reader& r, const YAML::Node& n, Scenario* s) {
  std::vector<YAML::Node> items;
  if (n.IsSequence()) {
    for (const auto& i : n) items.push_back(i);
  } else {
    items.push_back(n);
  }
  if (s->alert_rules.empty()) {
    r.error(n, "expect names an alert but the scenario has no alerts: file; expected alerts: rules.yml (Prometheus "
               "alerting rules)");
    return;
  }
  for (const auto& item : items) {
    MapView m(r, item, "alert expectation", {"name", "fires_within", "fires"});
    if (!m.ok()) continue;
    AlertExpectation e;
    e.pos = r.pos(item);
    YAML::Node name = m.require("name", "the alerting rule's name, like name: HighErrorRate");
    if (!name.IsDefined()) continue;
    auto nm = r.string(name);
    if (!nm) continue;
    e.name = *nm;
    std::vector<std::string> known;
    for (const auto& rule : s->alert_rule_list) known.push_back(rule.name);
    if (!known.empty() && std::find(known.begin(), known.end(), e.name) == known.end()) {
      r.error(name, unknown_name("", "alert", e.name, known));
      continue;
    }
    std::string which = m.exactly_one_of({"fires_within", "fires"}, true);
    if (which == "fires_within") {
      auto d = r.positive_duration(m.get("fires_within"));
      if (!d) continue;
      e.fires_within = *d;
      e.text = fmt::format("{} fires within {} of each fault, and at no other time", e.name,
                           core::format_duration(*d));
    } else if (which == "fires") {
      auto b = r.boolean(m.get("fires"));
      if (!b) continue;
      if (*b) {
        r.error(m.get("fires"), "fires: true says nothing about when; expected fires_within: 2m or fires: false");
        continue;
      }
      e.never = true;
      e.text = fmt::format("{} never fires", e.name);
    } else {
      continue;
    }
    s->alert_expectations.push_back(std::move(e));
  }
}

// k6 thresholds (k6.io/docs/using-k6/thresholds): `http_req_duration: ["p(95)<500", "avg<200"]` (milliseconds),
// `http_req_failed: ["rate<0.01"]`, `http_reqs: ["count>1000"]`; each string (or {threshold: "...",
// abortOnFail: ...}) becomes the expectation on infrasim's metric.
const std::vector<std::string> kK6Metrics = {"http_req_duration", "http_req_failed", "http_reqs"};

void read_k6_thresholds(const Reader& r, const std::string& k6_metric, const YAML::Node& n, Scenario* s) {
  std::vector<YAML::Node> items;
  if (n.IsSequence()) {
    for (const auto& i : n) items.push_back(i);
  } else {
    items.push_back(n);
  }
  static const std::regex kThreshold(R"(^\s*(avg|min|max|med|count|rate|p\(([0-9]+(?:\.[0-9]+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(\S+)\s*$)");
  for (YAML::Node item : items) {
    if (item.IsMap()) {
      MapView tm(r, item, "k6 threshold", {"threshold", "abortOnFail", "delayAbortEval"});
      if (!tm.ok()) continue;
      for (const char* k : {"abortOnFail", "delayAbortEval"}) {
        if (tm.has(k)) r.warning(tm.get(k), fmt::format("{} stops a k6 test early; a simulation runs to its end, so it is ignored", k));
      }
      YAML::Node t = tm.require("threshold", "the k6 threshold, like threshold: 'p(95)<500'");
      if (!t.IsDefined()) continue;
      item.reset(t);
    }
    auto text = r.string(item, "a k6 threshold like 'p(95)<500'");
    if (!text) continue;
    std::smatch mt;
    if (!std::regex_match(*text, mt, kThreshold)) {
      r.error(item, fmt::format("invalid k6 threshold '{}'; expected AGGREGATION OPERATOR VALUE, like 'p(95)<500' or "
                                "'rate<0.01'",
                                *text));
      continue;
    }
    const std::string agg = mt[1], pct = mt[2], op = mt[3], num = mt[4];
    std::string metric;
    double scale = 1;
    std::string why;
    if (k6_metric == "http_req_duration") {
      scale = 1e-3;  // k6 durations are milliseconds
      static const std::map<std::string, std::string> kStats = {{"avg", "latency_mean"}, {"med", "latency_p50"},
                                                                {"max", "latency_max"},  {"50", "latency_p50"},
                                                                {"90", "latency_p90"},   {"95", "latency_p95"},
                                                                {"99", "latency_p99"},   {"99.9", "latency_p999"}};
      auto it = kStats.find(pct.empty() ? agg : pct);
      if (it != kStats.end()) {
        metric = it->second;
      } else if (!pct.empty() && find_metric("latency_p" + pct)) {
        metric = "latency_p" + pct;  // any other percentile, as k6 computes any p(N)
      }
      why = "expected avg, med, max or a percentile p(N) with 0 < N < 100";
    } else if (k6_metric == "http_req_failed") {
      if (agg == "rate") metric = "error_rate";
      why = "expected rate (the share of failed requests), like 'rate<0.01'";
    } else {
      if (agg == "count") metric = "generated";
      why = "expected count (requests sent); for completions per second use throughput: '>= 100/s'";
    }
    if (metric.empty()) {
      r.error(item, fmt::format("k6 threshold '{}' on {}: {} is not measured here; {}", *text, k6_metric,
                                pct.empty() ? agg : "p(" + pct + ")", why));
      continue;
    }
    const MetricInfo* info = find_metric(metric);
    Expectation e;
    e.metric = metric;
    e.pos = r.pos(item);
    if (op == "!=") {
      r.error(item, fmt::format("k6 threshold '{}': != has no counterpart; expected <, <=, >, >= or ==", *text));
      continue;
    }
    e.op = op == "<"    ? Expectation::Op::kLt
           : op == "<=" ? Expectation::Op::kLe
           : op == ">"  ? Expectation::Op::kGt
           : op == ">=" ? Expectation::Op::kGe
                        : Expectation::Op::kEq;
    auto value = core::parse_number(num);
    if (!value || !std::isfinite(*value) || *value < 0) {
      r.error(item, fmt::format("k6 threshold '{}': '{}' is not a number of 0 or more; expected a plain number like "
                                "500 (milliseconds for http_req_duration)",
                                *text, num));
      continue;
    }
    e.value = *value * scale;
    e.text = fmt::format("{} {} {} (k6 {}: {})", metric, op_symbol(e.op), format_value(info->unit, e.value), k6_metric,
                         *text);
    s->expectations.push_back(std::move(e));
  }
}

void read_expectations(const Reader& r, const YAML::Node& n, const Topology& topo, Scenario* s) {
  // Any percentile is a metric (latency_p95, latency_p99.9): the keys that look like one are
  // accepted here and judged below, so that a bad one gets its own message.
  std::vector<std::string> names = expectation_names();
  names.emplace_back("alert");
  names.insert(names.end(), kK6Metrics.begin(), kK6Metrics.end());
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it->first.IsScalar() && looks_like_percentile(it->first.Scalar()) &&
          std::find(names.begin(), names.end(), it->first.Scalar()) == names.end()) {
        names.push_back(it->first.Scalar());
      }
    }
  }
  MapView m(r, n, "expect", names);
  if (!m.ok() && !n.IsMap()) return;
  for (const std::string& k : m.keys()) {
    if (k == "alert") {
      read_alert_expectations(r, m.get(k), s);
      continue;
    }
    if (std::find(kK6Metrics.begin(), kK6Metrics.end(), k) != kK6Metrics.end()) {
      read_k6_thresholds(r, k, m.get(k), s);
      continue;
    }
    const MetricInfo* info = find_metric(k);
    YAML::Node v = m.get(k);
    if (!info) {
      r.error(m.key_mark(k), fmt::format("invalid percentile '{}'; expected {}", k, kPercentileForm));
      continue;
    }
    // A list gives the metric several targets: rto: [15m, {class: api_write, max: 2m}].
    std::vector<YAML::Node> items;
    if (v.IsSequence()) {
      if (v.size() == 0) r.error(v, fmt::format("'{}' has an empty list; expected at least one target", k));
      for (const auto& item : v) items.push_back(item);
    } else {
      items.push_back(v);
    }
    for (const YAML::Node& item : items) {
      Expectation e;
      if (!read_target(r, item, *info, topo, &e)) continue;
      for (const auto& other : s->expectations) {
        if (other.id() == e.id()) {
          r.error(item, fmt::format("'{}' is already expected{} (line {}); expected each metric once per class", k,
                                    e.request_class.empty() ? "" : " for class " + e.request_class, other.pos.line));
        }
      }
      s->expectations.push_back(std::move(e));
    }
  }
}

// An RTO target of a disruption class: a duration, {max: D, class: C}, or a list of those
// (rto: [15m, {class: api_write, max: 2m}]), the same forms as `expect: rto:`.
void read_rto_target(const Reader& r, const YAML::Node& n, const Topology* topo, const std::string& disruption,
                     RecoveryTarget* t) {
  std::vector<YAML::Node> items;
  if (n.IsSequence()) {
    if (n.size() == 0) r.error(n, "rto has an empty list; expected at least one target, like rto: 15m");
    for (const auto& item : n) items.push_back(item);
  } else {
    items.push_back(n);
  }
  for (const YAML::Node& item : items) {
    if (!item.IsMap()) {
      if (auto v = r.duration(item)) {
        if (t->rto) r.error(item, fmt::format("{} has two RTO targets for all traffic; expected one", disruption));
        t->rto = *v;
      }
      continue;
    }
    MapView im(r, item, fmt::format("{} RTO target", disruption), {"max", "class"});
    if (!im.ok()) continue;
    YAML::Node mx = im.require("max", "the longest acceptable RTO, like max: 2m");
    std::optional<double> v = mx.IsDefined() ? r.duration(mx) : std::nullopt;
    if (!im.has("class")) {
      if (v) {
        if (t->rto) r.error(item, fmt::format("{} has two RTO targets for all traffic; expected one", disruption));
        t->rto = *v;
      }
      continue;
    }
    auto c = r.identifier(im.get("class"));
    if (!c) continue;
    if (topo && !topo->find_class(*c)) {
      r.error(im.get("class"), unknown_name("", "request class", *c, class_names(*topo)));
      continue;
    }
    bool dup = false;
    for (const auto& [name, target] : t->class_rto) dup = dup || name == *c;
    if (dup) {
      r.error(im.get("class"), fmt::format("{} has two RTO targets for class {}; expected one", disruption, *c));
      continue;
    }
    if (v) t->class_rto.emplace_back(*c, *v);
  }
}

void read_resilience(const Reader& r, const YAML::Node& n, const Topology* topo, Scenario* s) {
  MapView m(r, n, "resilience", {"recovery_threshold", "stabilization", "targets"});
  if (!m.ok()) return;
  m.read("recovery_threshold", &Reader::ratio, &s->resilience.recovery_threshold);
  m.read("stabilization", &Reader::duration, &s->resilience.stabilization);
  if (m.has("targets")) {
    MapView tm(r, m.get("targets"), "targets", {"instance", "zone", "region", "data"});
    if (!tm.ok()) return;
    for (const std::string& k : tm.keys()) {
      MapView rm(r, tm.get(k), fmt::format("{} targets", k), {"rto", "rpo"});
      if (!rm.ok()) continue;
      RecoveryTarget t;
      t.pos = r.pos(tm.key_mark(k));
      if (rm.has("rto")) read_rto_target(r, rm.get("rto"), topo, k, &t);
      if (rm.has("rpo")) {
        if (auto v = r.duration(rm.get("rpo"))) t.rpo = *v;
      }
      s->resilience.targets[k] = t;
    }
  }
}

// expected_failure: {reason: ..., fails: [rpo, resilience.data]}. Every id must name a check of
// the scenario (an expectation's id or a resilience target), read after expect: and resilience:.
void read_expected_failure(const Reader& r, const YAML::Node& n, Scenario* s) {
  MapView m(r, n, "expected_failure", {"reason", "fails"});
  if (!m.ok()) return;
  ExpectedFailure x;
  x.pos = r.pos(n);
  YAML::Node reason = m.require("reason", "why the scenario fails on purpose, like reason: daily backups cannot "
                                          "meet RPO 5 min");
  if (reason.IsDefined()) {
    if (auto t = r.string(reason, "a sentence saying why it fails")) {
      if (t->empty()) {
        r.error(reason, "reason is empty; expected why the scenario fails on purpose");
      } else {
        x.reason = *t;
      }
    }
  }
  std::vector<std::string> known;
  for (const auto& e : s->expectations) known.push_back(e.id());
  for (const auto& [disruption, target] : s->resilience.targets) known.push_back("resilience." + disruption);
  if (!s->alert_expectations.empty()) known.push_back("alert");  // the alert expectations' verdicts (check/alerts.h)
  YAML::Node fails = m.require("fails", "the checks that fail, like fails: [rpo, resilience.data]");
  if (fails.IsDefined() && r.is_seq(fails, "fails")) {
    if (fails.size() == 0) r.error(fails, "fails is empty; expected the checks that fail, like [rpo]");
    for (const auto& item : fails) {
      auto id = r.string(item, "a check, like rpo or rto:api_write");
      if (!id) continue;
      if (std::find(known.begin(), known.end(), *id) == known.end()) {
        r.error(item, known.empty() ? fmt::format("'{}' is not a check of this scenario; expected an expectation "
                                                  "(expect:) or a resilience target to name",
                                                  *id)
                                    : unknown_name("", "check", *id, known));
        continue;
      }
      if (std::find(x.fails.begin(), x.fails.end(), *id) != x.fails.end()) {
        r.error(item, fmt::format("'{}' is listed twice; expected each check once", *id));
        continue;
      }
      x.fails.push_back(*id);
    }
  }
  if (!x.reason.empty() && !x.fails.empty()) s->expected_failure = std::move(x);
}

// ---- overrides -----------------------------------------------------------

bool apply_overrides(const Reader& r, YAML::Node root, const std::vector<Override>& overrides, bool topology) {
  bool ok = true;
  for (const Override& o : overrides) {
    if (o.topology != topology) continue;
    YAML::Node cur = root;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= o.path.size()) {
      std::size_t dot = o.path.find('.', start);
      parts.push_back(o.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    // Walk to the parent, then set the leaf; every step must exist except the last.
    std::vector<YAML::Node> chain = {root};
    bool found = true;
    for (std::size_t i = 0; i + 1 < parts.size() && found; ++i) {
      YAML::Node parent = chain.back();
      YAML::Node next;
      if (parent.IsSequence()) {
        auto idx = core::parse_number(parts[i]);
        if (!idx || *idx < 0 || static_cast<std::size_t>(*idx) >= parent.size()) {
          found = false;
          break;
        }
        next = parent[static_cast<std::size_t>(*idx)];
      } else if (parent.IsMap() && parent[parts[i]]) {
        next = parent[parts[i]];
      } else {
        found = false;
        break;
      }
      chain.push_back(next);
    }
    if (!found || !(chain.back().IsMap() || chain.back().IsSequence())) {
      r.diags().error(r.file(), 0, 0,
                      fmt::format("--set {}: no such key in {}; expected a path to an existing mapping, like "
                                  "components.app.replicas",
                                  o.path, r.file()));
      ok = false;
      continue;
    }
    YAML::Node parent = chain.back();
    // The value is YAML written on the command line: "--set duration=[" threw ParserException out of
    // the loader (found by tests/fuzz).
    YAML::Node value;
    try {
      value = YAML::Load(o.value.empty() ? "''" : o.value);
    } catch (const YAML::Exception& e) {
      r.diags().error(r.file(), 0, 0,
                      fmt::format("--set {}: invalid value '{}' ({}); expected a YAML value, like 5, 10m or [a, b]",
                                  o.path, o.value, e.msg));
      ok = false;
      continue;
    }
    if (parent.IsSequence()) {
      auto idx = core::parse_number(parts.back());
      if (!idx || *idx < 0 || static_cast<std::size_t>(*idx) >= parent.size()) {
        r.diags().error(r.file(), 0, 0, fmt::format("--set {}: no list item {}", o.path, parts.back()));
        ok = false;
        continue;
      }
      parent[static_cast<std::size_t>(*idx)] = value;
    } else {
      parent[parts.back()] = value;
    }
  }
  return ok;
}

}  // namespace

std::optional<Override> parse_override(const std::string& text, std::string* error) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    *error = fmt::format("invalid --set '{}'; expected path=value, like components.app.replicas=5", text);
    return std::nullopt;
  }
  Override o;
  o.path = text.substr(0, eq);
  o.value = text.substr(eq + 1);
  if (o.path.starts_with("scenario.")) {
    o.path = o.path.substr(9);
    o.topology = false;
  } else if (o.path.starts_with("topology.")) {
    o.path = o.path.substr(9);
  } else {
    static const std::set<std::string> kTopologyRoots = {"components", "requests", "network", "clients", "regions",
                                                         "hosts", "name", "description", "users", "cost"};
    std::string root = o.path.substr(0, o.path.find('.'));
    o.topology = kTopologyRoots.count(root) > 0;
  }
  return o;
}

std::optional<Loaded> parse_scenario(const std::string& file, const std::string& text, Diagnostics& diags,
                                     const std::string& topology_override, const std::vector<Override>& overrides) {
  std::size_t errors_before = diags.error_count();
  auto root = core::parse_yaml(file, text, diags, "a scenario mapping with topology, duration and load");
  if (!root) return std::nullopt;
  Reader r(file, diags);
  if (!apply_overrides(r, *root, overrides, false)) return std::nullopt;
  MapView m(r, *root, "scenario",
            {"name", "description", "topology", "duration", "warmup", "seed", "window", "load", "faults",
             "autoscaling", "expect", "resilience", "expected_failure", "slow", "client_groups", "virtual_users", "alerts", "operations"});
  if (!root->IsMap()) return std::nullopt;
  Loaded out;
  Scenario& s = out.scenario;
  s.file = file;
  s.name = std::filesystem::path(file).stem().string();
  m.read("name", &Reader::identifier, &s.name);
  s.name_pos = m.has("name") ? r.pos(m.get("name")) : SourcePos{file, 1, 1};
  m.read("description", &Reader::string, &s.description, "a string");

  // The topology first: faults and expectations refer to it.
  bool have_topology = false;
  if (!topology_override.empty()) {
    s.topology_path = topology_override;
  } else {
    YAML::Node t = m.require("topology", "the topology file, like topology: ../topologies/shop.yaml");
    if (t.IsDefined()) {
      if (auto path = r.string(t)) {
        s.topology_path = core::resolve_path(file, *path);
        s.topology_pos = r.pos(t);
      }
    }
  }
  if (!s.topology_path.empty()) {
    Diagnostics tdiags;
    auto ttext = core::read_text_file(s.topology_path, tdiags);
    std::optional<Topology> topo;
    if (ttext) {
      auto troot = core::parse_yaml(s.topology_path, *ttext, tdiags);
      if (troot) {
        // Overrides change the tree in place: every other node keeps its place in the file.
        Reader tr(s.topology_path, tdiags);
        if (apply_overrides(tr, *troot, overrides, true)) topo = topology::parse_topology(s.topology_path, *troot, tdiags);
      }
    }
    // A file that cannot be opened: point at the reference in the scenario. Anything
    // else (NUL bytes, too large, errors inside) is located in the topology file.
    std::string why = ttext ? "" : core::unreadable_reason(s.topology_path);
    if (!why.empty() && s.topology_pos.line > 0) {
      r.error(s.topology_pos, fmt::format("cannot read topology '{}': {}; expected a readable topology file",
                                              s.topology_path, why));
    } else {
      diags.merge(tdiags);
    }
    if (topo) {
      out.topology = std::move(*topo);
      have_topology = true;
    }
  }

  if (m.has("seed")) {
    if (auto v = r.integer(m.get("seed"), 0, 9007199254740991LL)) s.seed = static_cast<std::uint64_t>(*v);
  }
  m.read("window", &Reader::positive_duration, &s.window);
  m.read("warmup", &Reader::duration, &s.warmup);
  m.read("slow", &Reader::boolean, &s.slow);
  if (m.has("alerts")) {  // a Prometheus rules file; its syntax is checked by promtool when the run evaluates it
    if (auto path = r.string(m.get("alerts"), "a Prometheus rules file, like alerts: ../topologies/shop/alerts.yml")) {
      s.alert_rules = core::resolve_path(file, *path);
      s.alert_rules_pos = r.pos(m.get("alerts"));
      std::string why = core::unreadable_reason(s.alert_rules);
      if (!why.empty()) {
        r.error(m.get("alerts"), fmt::format("cannot read alert rules '{}': {}; expected a readable Prometheus rules "
                                             "file",
                                             s.alert_rules, why));
      } else if (auto rules_text = core::read_text_file(s.alert_rules, diags)) {
        if (auto rules = parse_alert_rules(s.alert_rules, *rules_text, diags)) s.alert_rule_list = std::move(*rules);
      }
    }
  }
  // Closed-loop virtual users may be the whole load: then `load:` is optional (no open-loop arrivals).
  YAML::Node load = m.has("virtual_users") && !m.has("load") ? YAML::Node(YAML::NodeType::Undefined)
                                                     : m.require("load", "the request rate, like load: {constant: 500/s}");
  bool load_ok = false;
  if (load.IsDefined()) {
    int parts = 0;
    if (auto p = read_profile(r, load, file, 0, false, have_topology ? &out.topology : nullptr, &parts)) {
      s.load = std::move(*p);
      load_ok = true;
    }
  }
  if (m.has("duration")) {
    set_if(r.positive_duration(m.get("duration")), &s.duration);
  } else if (load_ok && natural_length(s.load) > 0) {
    s.duration = natural_length(s.load);
  } else if ((load_ok || (!load.IsDefined() && m.has("virtual_users"))) && !m.misspelled("duration")) {
    r.error(*root, "missing key 'duration' in scenario; expected how long to simulate, like duration: 30m");
  }
  bool too_long = s.duration > 400 * 86400.0;
  if (too_long) {
    r.error(m.get("duration"), fmt::format("duration {} is above 400 days; expected a shorter run",
                                           core::format_duration(s.duration)));
  }
  if (s.warmup >= s.duration && s.duration > 0 && m.has("warmup")) {
    r.error(m.get("warmup"), fmt::format("warmup {} is not shorter than the run ({}); expected warmup < duration",
                                         core::format_duration(s.warmup), core::format_duration(s.duration)));
  }
  if (s.duration > 0 && s.window > s.duration && m.has("window")) {
    r.error(m.get("window"), "metric window is longer than the run; expected window <= duration");
  }
  if (s.duration > 0 && !too_long && s.duration / s.window > 5e6) {
    r.error(m.has("window") ? m.get("window") : *root,
            // Not a cast to long long: "window: 1e-300s" made it overflow (undefined; found by tests/fuzz).
            fmt::format("{} windows of {} in {}; expected at most 5000000 (raise window)",
                        core::format_number(std::floor(s.duration / s.window), 15), core::format_duration(s.window),
                        core::format_duration(s.duration)));
  }

  if (have_topology) {
    const Topology& topo = out.topology;
    if (m.has("faults") && r.is_seq(m.get("faults"), "faults")) {
      for (const auto& item : m.get("faults")) {
        if (auto f = read_fault(r, item, topo, s.duration)) s.faults.push_back(std::move(*f));
      }
      check_reshards(r, topo, s.faults);
    }
    if (m.has("autoscaling")) read_autoscaling(r, m.get("autoscaling"), topo, &s);
    if (m.has("expect")) read_expectations(r, m.get("expect"), topo, &s);
  }
  if (m.has("resilience")) read_resilience(r, m.get("resilience"), have_topology ? &out.topology : nullptr, &s);
  if (m.has("expected_failure") && have_topology) read_expected_failure(r, m.get("expected_failure"), &s);
  if (m.has("client_groups")) read_client_groups(r, m.get("client_groups"), &s);
  if (m.has("virtual_users")) s.virtual_users = read_virtual_users(r, m.get("virtual_users"), have_topology ? &out.topology : nullptr);
  if (m.has("operations")) read_operations(r, m.get("operations"), have_topology ? &out.topology : nullptr, &s);
  // An autoscaler counts every instance of its service as its own and drains what it scales in:
  // a rollout's or a spot replacement's instances would be scaled and drained under them.
  for (const auto& a : s.autoscaling) {
    for (const auto& d : s.operations.deploys) {
      if (d.component != a.component) continue;
      diags.error(d.pos, fmt::format("'{}' is autoscaled by this scenario; expected a deploy or resize of a service "
                                     "without autoscaling (the two are not combined in one run)",
                                     d.component));
    }
    for (const auto& sp : s.operations.spots) {
      if (sp.component != a.component) continue;
      diags.error(sp.pos, fmt::format("'{}' is autoscaled by this scenario; expected spot interruptions of a service "
                                      "without autoscaling (the two are not combined in one run)",
                                      sp.component));
    }
  }

  if (diags.error_count() > errors_before) return std::nullopt;
  return out;
}

std::optional<Loaded> load_scenario(const std::string& path, Diagnostics& diags, const std::string& topology_override,
                                    const std::vector<Override>& overrides) {
  auto text = core::read_text_file(path, diags);
  if (!text) return std::nullopt;
  return parse_scenario(path, *text, diags, topology_override, overrides);
}

}  // namespace sim::scenario
