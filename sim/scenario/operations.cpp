#include "sim/scenario/operations.h"

#include <cstdlib>
#include <fmt/format.h>

#include "sim/core/cron.h"
#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"

namespace sim::scenario {

using core::MapView;
using core::Reader;
using core::set_if;

namespace {

// "25%" -> 0.25; nullopt when `text` is not a number followed by '%'.
std::optional<double> percent_of(const std::string& text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  const std::string num = text.substr(0, text.size() - 1);
  if (num.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size()) return std::nullopt;
  return v / 100;
}

// maxSurge / maxUnavailable: a count ("1") or a share of the replicas ("25%"), as Kubernetes' IntOrString.
std::optional<Deploy::Amount> read_amount(const Reader& r, const YAML::Node& n, std::string_view key) {
  if (n.IsScalar()) {
    const std::string& t = n.Scalar();
    if (auto p = percent_of(t)) {
      if (*p > 1) {
        r.error(n, fmt::format("{} {} is above 100%; expected at most 100% of the replicas", key, t));
        return std::nullopt;
      }
      return Deploy::Amount{*p, true};
    }
    if (!t.empty() && t.find_first_not_of("0123456789") == std::string::npos) {
      auto v = r.integer(n, 0, 100000);
      if (!v) return std::nullopt;
      return Deploy::Amount{static_cast<double>(*v), false};
    }
  }
  r.error(n, fmt::format("{} is {}; expected a count like 1 or a share of the replicas like 25%", key,
                         core::describe(n)));
  return std::nullopt;
}

// ECS percentages: minimumHealthyPercent 0..100 %, maximumPercent 100..200 % (the ranges infrasim accepts).
std::optional<double> read_percent(const Reader& r, const YAML::Node& n, double lo, double hi, std::string_view key) {
  std::optional<double> v = n.IsScalar() ? percent_of(n.Scalar()) : std::nullopt;
  if (!v) {
    r.error(n, fmt::format("{} is {}; expected a percentage like {}%", key, core::describe(n),
                           static_cast<int>(hi * 100)));
    return std::nullopt;
  }
  if (*v < lo - 1e-9 || *v > hi + 1e-9) {
    r.error(n, fmt::format("{} {} is out of range; expected between {}% and {}%", key, n.Scalar(),
                           static_cast<int>(lo * 100), static_cast<int>(hi * 100)));
    return std::nullopt;
  }
  return v;
}

// resize: the new size (cores, memory, instance_type) and how the instances take it (strategy).
void read_size(const Reader& r, const MapView& m, const topology::Topology* topo, Deploy* d) {
  Deploy::Size size;
  if (!m.has("cores") && !m.has("memory") && !m.has("instance_type")) {
    r.error(m.node(), "resize changes nothing; expected cores, memory or instance_type, like "
                      "{target: backend, cores: 4, memory: 8GiB}");
  }
  if (m.has("cores")) {
    if (auto c = r.integer(m.get("cores"), 1, 1024)) size.cores = static_cast<int>(*c);
  }
  if (m.has("memory")) {
    const YAML::Node mem = m.get("memory");
    if (mem.IsScalar() && !mem.Scalar().empty() && mem.Scalar().find_first_not_of("0123456789.") == std::string::npos) {
      r.error(mem, fmt::format("memory {} has no unit; expected a size like 8GiB or 8GB", mem.Scalar()));
    } else if (auto b = r.size(mem)) {
      if (*b <= 0) {
        r.error(mem, fmt::format("memory {} is not above 0; expected a size like 8GiB", mem.Scalar()));
      } else {
        size.memory = *b;
      }
    }
  }
  if (m.has("instance_type")) {
    const YAML::Node it = m.get("instance_type");
    if (auto type = r.string(it, "an instance type of the topology's pricing file, like fargate-2vcpu-4gb")) {
      size.instance_type = *type;
      if (topo && !topo->cost) {
        r.error(it, fmt::format("instance_type '{}' needs a priced topology; expected cost: {{pricing: ...}} in the "
                                "topology, or no instance_type",
                                *type));
      } else if (topo && !topo->cost->pricing.instances.contains(*type)) {
        std::vector<std::string> known;
        for (const auto& [name, price] : topo->cost->pricing.instances) known.push_back(name);
        r.error(it, core::unknown_name({.noun = "instance type", .name = *type}, known));
      } else if (const topology::Component* c = topo && m.get("target").IsScalar() ? topo->find(m.get("target").Scalar())
                                                                                     : nullptr) {
        if (!c->cost || c->cost->instance.empty()) {
          r.error(it, fmt::format("instance_type '{}' for '{}', which is not priced per instance; expected cost: "
                                  "{{instance: ...}} on the component, or no instance_type",
                                  *type, c->name));
        } else if (!topo->cost->pricing.instances.at(*type).price(c->cost->purchase)) {
          r.error(it, fmt::format("instance type '{}' has no {} price in the pricing file; expected a type with one "
                                  "(the component is bought {})",
                                  *type, topology::purchase_name(c->cost->purchase),
                                  topology::purchase_name(c->cost->purchase)));
        }
      }
    }
  }
  // A type whose pricing entry gives its cores prices the component by its size (docs/cost.md): a new
  // core count needs the type of that size, or the cost would stay the old size's.
  if (size.cores > 0 && !m.has("instance_type") && topo && topo->cost && m.get("target").IsScalar()) {
    const topology::Component* c = topo->find(m.get("target").Scalar());
    if (c && c->cost && !c->cost->instance.empty() && topo->cost->pricing.instances.contains(c->cost->instance)) {
      if (auto tc = topo->cost->pricing.instances.at(c->cost->instance).cores; tc && std::abs(*tc - size.cores) > 1e-9) {
        r.error(m.get("cores"), fmt::format("resize of '{}' to {} cores keeps its instance type '{}', priced for {} "
                                            "core{}; expected instance_type: the type of the new size",
                                            c->name, size.cores, c->cost->instance, core::format_number(*tc),
                                            *tc == 1 ? "" : "s"));
      }
    }
  }
  if (m.has("strategy")) {
    if (auto st = r.choice(m.get("strategy"), "resize strategy", {"rolling", "in_place", "all_at_once"})) {
      d->strategy = *st == "in_place"      ? Deploy::Strategy::kInPlace
                    : *st == "all_at_once" ? Deploy::Strategy::kAllAtOnce
                                           : Deploy::Strategy::kRolling;
    }
  }
  if (d->strategy != Deploy::Strategy::kRolling) {
    // The same instances restart: nothing starts beside them.
    const bool all = d->strategy == Deploy::Strategy::kAllAtOnce;
    d->max_surge = {0, false};
    if (all || !m.has("max_unavailable")) d->max_unavailable = all ? Deploy::Amount{1, true} : Deploy::Amount{1, false};
    if (!all && m.has("max_unavailable") && d->max_unavailable.value == 0) {
      r.error(m.get("max_unavailable"), "max_unavailable 0 with strategy: in_place: no instance could ever restart; "
                                        "expected 1 or more (how many restart at a time)");
    }
    for (const char* k : {"by", "max_surge", "max_unavailable", "minimum_healthy_percent", "maximum_percent"}) {
      if (m.has(k) && (all || std::string_view(k) != "max_unavailable")) {
        r.error(m.key_mark(k), fmt::format("'{}' does not go with strategy: {}; expected {}", k,
                                           all ? "all_at_once" : "in_place",
                                           all ? "no rollout keys (every instance restarts at once)"
                                               : "max_unavailable alone (how many restart at a time, default 1)"));
      }
    }
  }
  d->resize = size;
}

void read_deploy(const Reader& r, const YAML::Node& n, const topology::Topology* topo, Deploy* d, bool resize) {
  const char* what = resize ? "resize" : "deploy";
  YAML::Node target;
  if (n.IsScalar() && !resize) {
    target = n;
  } else {
    std::vector<std::string> keys = {"target", "by", "max_surge", "max_unavailable", "minimum_healthy_percent",
                                     "maximum_percent", "drain", "min_ready"};
    if (resize) keys.insert(keys.end(), {"cores", "memory", "instance_type", "strategy"});
    MapView m(r, n, what, keys);
    if (!m.ok()) return;
    target = m.require("target", resize ? "the service to resize, like target: backend"
                                        : "the service to deploy, like target: api");
    if (m.has("by")) {
      if (auto by = r.choice(m.get("by"), "deploy controller", {"kubernetes", "ecs"})) {
        d->by = *by == "ecs" ? Deploy::By::kEcs : Deploy::By::kKubernetes;
      }
    }
    const bool ecs = d->by == Deploy::By::kEcs;
    if (ecs) d->drain = 300;  // an ALB target group's deregistration delay
    for (const char* k : {"max_surge", "max_unavailable"}) {
      if (ecs && m.has(k)) {
        r.error(m.key_mark(k), fmt::format("'{}' is a Kubernetes key; expected minimum_healthy_percent and "
                                           "maximum_percent with by: ecs",
                                           k));
      }
    }
    for (const char* k : {"minimum_healthy_percent", "maximum_percent"}) {
      if (!ecs && m.has(k)) {
        r.error(m.key_mark(k), fmt::format("'{}' is an ECS key; expected by: ecs with it, or max_surge and "
                                           "max_unavailable (Kubernetes)",
                                           k));
      }
    }
    if (!ecs) {
      if (m.has("max_surge")) set_if(read_amount(r, m.get("max_surge"), "max_surge"), &d->max_surge);
      if (m.has("max_unavailable")) set_if(read_amount(r, m.get("max_unavailable"), "max_unavailable"), &d->max_unavailable);
      // Kubernetes' validation: maxUnavailable "may not be 0 when maxSurge is 0".
      if (m.has("max_surge") && m.has("max_unavailable") && d->max_surge.value == 0 &&
          d->max_unavailable.value == 0) {
        r.error(m.get("max_unavailable"), "max_surge and max_unavailable are both 0: nothing could ever be "
                                          "replaced; expected one of them above 0 (as Kubernetes requires)");
      }
    } else {
      if (m.has("minimum_healthy_percent")) {
        set_if(read_percent(r, m.get("minimum_healthy_percent"), 0, 1, "minimum_healthy_percent"), &d->minimum_healthy);
      }
      if (m.has("maximum_percent")) {
        set_if(read_percent(r, m.get("maximum_percent"), 1, 2, "maximum_percent"), &d->maximum);
      }
    }
    m.read("drain", &Reader::duration, &d->drain);
    m.read("min_ready", &Reader::duration, &d->min_ready);
    if (resize) read_size(r, m, topo, d);
  }
  if (!target.IsDefined()) return;
  auto name = r.identifier(target);
  if (!name) return;
  d->component = *name;
  if (!topo) return;
  const topology::Component* c = topo->find(*name);
  if (!c) {
    std::vector<std::string> known;
    for (const auto& comp : topo->components) known.push_back(comp.name);
    r.error(target, core::unknown_name({.noun = "component", .name = *name, .prefix = fmt::format("{} names ", what)},
                                       known));
    return;
  }
  if (c->kind != topology::Kind::kService) {
    r.error(target, fmt::format("{} target '{}' is a {}; expected a service ({})", what, *name,
                                topology::kind_name(c->kind),
                                resize ? "resizing other kinds is not modelled: a database's is a restart or a "
                                         "failover of its primary"
                                       : "its instances are replaced a few at a time"));
  } else if (resize && !c->hosts.empty()) {
    r.error(target, fmt::format("resize target '{}' runs on shared hosts (hosts:), whose cores are the hosts'; "
                                "expected a service with instances of its own",
                                *name));
  }
}

// cron: {schedule: "0 0 * * *", target: db, work: 20s, name: cleanup}
void read_cron(const Reader& r, const YAML::Node& n, const topology::Topology* topo, CronJob* j) {
  MapView m(r, n, "cron", {"schedule", "target", "work", "name"});
  if (!m.ok()) return;
  YAML::Node sched = m.require("schedule", "a cron schedule, like schedule: \"0 0 * * *\" (every day at 00:00)");
  if (sched.IsDefined()) {
    if (auto text = r.string(sched, "a cron schedule like \"0 0 * * *\"")) {
      std::string why;
      if (auto sc = core::CronSchedule::parse(*text, &why)) {
        if (sc->next(0)) {
          j->schedule = *text;
        } else {
          r.error(sched, fmt::format("cron schedule '{}' never matches (no such day in 5 years); expected a date "
                                     "that exists, like \"0 0 28 2 *\"",
                                     *text));
        }
      } else {
        r.error(sched, fmt::format("invalid cron schedule '{}': {}; expected minute hour day-of-month month "
                                   "day-of-week, like \"0 0 * * *\"",
                                   *text, why));
      }
    }
  }
  YAML::Node work = m.require("work", "the job's CPU time at full speed, like work: 20s");
  if (work.IsDefined()) set_if(r.positive_duration(work), &j->work);
  if (m.has("name")) set_if(r.identifier(m.get("name")), &j->name);
  YAML::Node target = m.require("target", "the component the job works on, like target: db");
  if (!target.IsDefined()) return;
  auto name = r.identifier(target);
  if (!name) return;
  j->component = *name;
  if (j->name.empty()) j->name = *name;
  if (!topo) return;
  const topology::Component* c = topo->find(*name);
  if (!c) {
    std::vector<std::string> known;
    for (const auto& comp : topo->components) known.push_back(comp.name);
    r.error(target, core::unknown_name({.noun = "component", .name = *name, .prefix = "cron names "}, known));
    return;
  }
  if (c->kind == topology::Kind::kCdn || c->kind == topology::Kind::kLoadBalancer) {
    r.error(target, fmt::format("cron target '{}' is a {}; expected a component that runs work: a service, "
                                "database, cache, queue or storage",
                                *name, topology::kind_name(c->kind)));
  }
}

// spot: {target: api, frequency: 10%} or {target: api, mtbf: 30d}, notice: 2m
void read_spot(const Reader& r, const YAML::Node& n, const topology::Topology* topo, Spot* sp) {
  MapView m(r, n, "spot", {"target", "frequency", "mtbf", "notice"});
  if (!m.ok()) return;
  std::string how = m.exactly_one_of({"frequency", "mtbf"}, false);
  if (how.empty() && !m.has("frequency") && !m.has("mtbf")) {
    r.error(n, "missing key 'frequency' in spot; expected AWS's frequency of interruption, like frequency: 10% "
               "(per month), or mtbf: 30d");
  } else if (how == "frequency") {
    if (auto f = r.ratio(m.get("frequency"))) {
      if (*f <= 0 || *f >= 1) {
        r.error(m.get("frequency"), fmt::format("frequency {} leaves no finite time between interruptions; "
                                                "expected a share above 0% and below 100%",
                                                m.get("frequency").Scalar()));
      } else {
        sp->mtbf = spot_mtbf(*f);
      }
    }
  } else if (how == "mtbf") {
    set_if(r.positive_duration(m.get("mtbf")), &sp->mtbf);
  }
  m.read("notice", &Reader::duration, &sp->notice);
  YAML::Node target = m.require("target", "the component on spot instances, like target: api");
  if (!target.IsDefined()) return;
  auto name = r.identifier(target);
  if (!name) return;
  sp->component = *name;
  if (!topo) return;
  const topology::Component* c = topo->find(*name);
  if (!c) {
    std::vector<std::string> known;
    for (const auto& comp : topo->components) known.push_back(comp.name);
    r.error(target, core::unknown_name({.noun = "component", .name = *name, .prefix = "spot names "}, known));
    return;
  }
  if (c->kind != topology::Kind::kService) {
    r.error(target, fmt::format("spot target '{}' is a {}; expected a service (its instances are replaced when "
                                "reclaimed)",
                                *name, topology::kind_name(c->kind)));
  }
}

}  // namespace

void read_operations(const Reader& r, const YAML::Node& n, const topology::Topology* topo, Scenario* s) {
  if (!r.is_seq(n, "operations")) return;
  for (const auto& item : n) {
    MapView im(r, item, "operation", {"at", "every", "deploy", "resize", "cron", "spot"});
    if (!im.ok()) continue;
    std::string kind = im.exactly_one_of({"deploy", "resize", "cron", "spot"}, true);
    if (kind.empty()) continue;
    if (kind == "spot") {
      for (const char* k : {"at", "every"}) {
        if (im.has(k)) {
          r.error(im.key_mark(k), fmt::format("'{}' does not go with spot: interruptions come at random; expected "
                                              "{{spot: {{target: api, frequency: 10%}}}}",
                                              k));
        }
      }
      Spot sp;
      sp.pos = r.pos(item);
      read_spot(r, im.get("spot"), topo, &sp);
      s->operations.spots.push_back(std::move(sp));
      continue;
    }
    if (kind == "cron") {
      for (const char* k : {"at", "every"}) {
        if (im.has(k)) {
          r.error(im.key_mark(k), fmt::format("'{}' does not go with cron: its schedule says when; expected "
                                              "{{cron: {{schedule: \"0 0 * * *\", target: db, work: 20s}}}}",
                                              k));
        }
      }
      CronJob j;
      j.pos = r.pos(item);
      read_cron(r, im.get("cron"), topo, &j);
      s->operations.crons.push_back(std::move(j));
      continue;
    }
    Deploy d;
    d.pos = r.pos(item);
    YAML::Node at = im.require("at", "when it starts, like at: 10m");
    if (at.IsDefined() && set_if(r.duration(at), &d.at) && s->duration > 0 && d.at >= s->duration) {
      r.error(at, fmt::format("{} at {} is not before the end of the run ({}); expected an earlier time", kind,
                              core::format_duration(d.at), core::format_duration(s->duration)));
    }
    if (kind == "resize" && im.has("every")) {
      r.error(im.key_mark("every"), "'every' does not go with resize: a resize happens once; expected one "
                                    "operation per resize, each with its own at:");
    }
    im.read("every", &Reader::positive_duration, &d.every);
    read_deploy(r, im.get(kind), topo, &d, kind == "resize");
    s->operations.deploys.push_back(std::move(d));
  }
}

}  // namespace sim::scenario
