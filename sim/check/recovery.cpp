#include "sim/check/recovery.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <fmt/format.h>

#include "sim/core/source.h"
#include "sim/core/units.h"

namespace sim::check {

namespace {

using core::format_duration;
using core::format_ratio;
using scenario::Fault;

std::string hc_text(const topology::HealthCheck& hc) {
  return fmt::format("health checks every {} x {} failures + {} timeout = {}", format_duration(hc.interval),
                     hc.unhealthy_threshold, format_duration(hc.timeout), format_duration(hc.detection_time()));
}

// A load balancer's active checks against a dead backend: a refused connection fails each check
// at once (interval x unhealthy_threshold); a backend that answers nothing (lost silently, hung,
// frozen) fails a check only when it times out (+ timeout). The engine's checks do the same
// (load_balancer.cpp).
double lb_detection(const topology::HealthCheck& hc, bool silent) {
  return hc.interval * hc.unhealthy_threshold + (silent ? hc.timeout : 0.0);
}

std::string lb_hc_text(const topology::HealthCheck& hc, bool silent) {
  if (silent) {
    return fmt::format("health checks every {} x {} failures + {} timeout (it answers nothing) = {}",
                       format_duration(hc.interval), hc.unhealthy_threshold, format_duration(hc.timeout),
                       format_duration(lb_detection(hc, true)));
  }
  return fmt::format("health checks every {} x {} failures (a refused connection fails a check at once) = {}",
                     format_duration(hc.interval), hc.unhealthy_threshold, format_duration(lb_detection(hc, false)));
}

// Traefik's Docker provider takes a dead container out of the routes at its `die` event: a process
// dead on a live host is not sent another request. A host lost without a word sends no event.
bool told_of_death(const topology::LoadBalancerSpec& lb, bool silent) {
  return !silent && lb.discovery == topology::LoadBalancerSpec::Discovery::kDocker;
}

// The load balancer retries a refused request on another backend: clients do not see it.
bool retries_refused(const topology::LoadBalancerSpec& lb) {
  return lb.retry.on_error && lb.retry.tries != 1 && (lb.retry.next_server || lb.retry.redispatch);
}

}  // namespace

Prediction predict(const topology::Topology& t, const Fault& f) {
  Prediction p;
  p.disruption = !f.target.region.empty() ? "region" : !f.target.zone.empty() ? "zone" : "instance";
  // A hang or a freeze is, for recovery, a crash that answers nothing (no boot when it ends).
  const bool silent = f.silent || f.kind == Fault::Kind::kHang || f.kind == Fault::Kind::kFreeze;
  switch (f.kind) {
    case Fault::Kind::kRestore: {
      const topology::DatabaseSpec& db = *t.find(f.target.component)->database();
      p.disruption = "data";
      p.rto = db.backup.restore_time();
      p.rpo = db.backup.interval;
      p.explanation = fmt::format("restore {} at {} = {}; up to one backup interval ({}) of writes lost",
                                  core::format_size(db.backup.size), core::format_bandwidth(db.backup.restore_rate),
                                  format_duration(*p.rto), format_duration(db.backup.interval));
      return p;
    }
    case Fault::Kind::kHang:
    case Fault::Kind::kFreeze:
    case Fault::Kind::kCrash: {
      if (f.kind != Fault::Kind::kCrash) {
        // A database that stops answering: whether its failover notices is the engine's business.
        const topology::Component* c = f.target.component.empty() ? nullptr : t.find(f.target.component);
        if (c && c->database()) {
          p.explanation = f.length > 0 ? fmt::format("lasts {}", format_duration(f.length)) : "lasts until the end";
          if (f.length > 0) p.rto = f.length;
          return p;
        }
      }
      // A process that was only hung or frozen does not boot again.
      const double boot_factor = f.kind == Fault::Kind::kCrash ? 1.0 : 0.0;
      if (!f.target.region.empty() || !f.target.zone.empty() || !f.target.host.empty()) {
        // Component by component: instances are spread round-robin over the listed zones (or shared hosts).
        auto in_place = [&](const topology::Component& c, int i) {
          if (!f.target.host.empty()) {
            return !c.hosts.empty() && c.hosts[static_cast<std::size_t>(i) % c.hosts.size()] == f.target.host;
          }
          const std::string& zone = c.zones[static_cast<std::size_t>(i) % c.zones.size()];
          if (!f.target.zone.empty()) return zone == f.target.zone;
          const topology::Region* r = t.region_of_zone(zone);
          return r && r->name == f.target.region;
        };
        std::optional<double> worst = 0.0;
        std::vector<std::string> parts;
        for (const auto& c : t.components) {
          int n = c.instances();
          if (n == 0) continue;
          int hit = 0;
          for (int i = 0; i < n; ++i) hit += in_place(c, i) ? 1 : 0;
          if (hit == 0) continue;
          std::optional<double> rto;
          if (const topology::DatabaseSpec* db = c.database()) {
            bool primary_hit = in_place(c, 0);
            if (!primary_hit) {
              rto = 0.0;
            } else if (db->replicas > 0 && db->failover.fails_over() && hit < n) {
              rto = db->failover.worst_time();
              parts.push_back(fmt::format("{} fails over in {}", c.name, format_duration(*rto)));
              if (db->replication.mode == topology::ReplicationMode::kAsync) {
                p.rpo = std::max(p.rpo.value_or(0), db->replication.lag.quantile(0.99));
              } else {
                p.rpo = std::max(p.rpo.value_or(0), 0.0);
              }
            } else {
              rto = f.length > 0 ? std::optional<double>(f.length) : std::nullopt;
              parts.push_back(fmt::format("{} has no copy outside", c.name));
            }
          } else if (c.kind == topology::Kind::kCache) {
            rto = 0.0;  // lookups miss and the database serves them (below)
          } else if (hit == n) {
            double boot = c.service() ? c.service()->boot_time * boot_factor : 0.0;
            rto = f.length > 0 ? std::optional<double>(f.length + boot) : std::nullopt;
            parts.push_back(fmt::format("every instance of {} is in it", c.name));
          } else if (const topology::Component* lb = t.lb_in_front(c.name); lb && told_of_death(*lb->lb(), silent)) {
            rto = 0.0;
          } else if (lb && lb->lb()->health_check.enabled) {
            rto = lb_detection(lb->lb()->health_check, silent);
          } else {
            rto = 0.0;
          }
          if (!rto || !worst) {
            worst.reset();
          } else {
            worst = std::max(*worst, *rto);
          }
        }
        p.rto = worst;
        p.explanation = parts.empty() ? "every component has instances elsewhere; health checks move traffic" : "";
        for (std::size_t i = 0; i < parts.size(); ++i) p.explanation += (i ? "; " : "") + parts[i];
        if (!worst) p.explanation += f.length > 0 ? "" : "; nothing brings it back before the end";
        return p;
      }
      const topology::Component* c = t.find(f.target.component);
      const topology::DatabaseSpec* db = c->database();
      if (db && f.target.role.empty() && f.target.instance < 0 && db->replicas > 0) {
        // Every server of the database at once: no replica is left to promote.
        p.explanation = fmt::format("every instance of {} is down: no replica is left to promote", c->name);
        if (f.length > 0) {
          p.rto = f.length;
          p.explanation += fmt::format("; back after {}", format_duration(f.length));
        }
        return p;
      }
      if (db) {
        bool primary = f.target.role == "primary" || (f.target.role.empty() && (f.target.instance <= 0));
        if (primary && db->replicas > 0 && db->failover.fails_over()) {
          const topology::FailoverSpec& fo = db->failover;
          p.rto = fo.worst_time();
          p.explanation = fo.automatic ? fmt::format("{} + promotion {} + DNS TTL {} = {}", hc_text(fo.detection),
                                                     format_duration(fo.promote), format_duration(fo.dns_ttl),
                                                     format_duration(*p.rto))
                                       : fmt::format("an operator starts after {} and promotes {} later + DNS TTL {} = {}",
                                                     format_duration(fo.manual->detect), format_duration(fo.manual->act),
                                                     format_duration(fo.dns_ttl), format_duration(*p.rto));
          if (db->replication.mode == topology::ReplicationMode::kAsync) {
            p.rpo = db->replication.lag.quantile(0.99);
            p.explanation += fmt::format("; async replication: writes younger than the lag are lost (p99 {})",
                                         format_duration(*p.rpo));
          } else {
            p.rpo = 0;
            p.explanation += "; sync replication: no acknowledged write is lost";
          }
          return p;
        }
        if (primary) {
          p.explanation = db->replicas == 0 ? "a single database server: down until it restarts"
                                            : "no automatic failover: down until it restarts or is promoted by hand";
          if (f.length > 0) p.rto = f.length;
          return p;
        }
        p.rto = 0;
        p.explanation = "reads move to the other replicas (or the primary) at once";
        return p;
      }
      const topology::Component* lb = t.lb_in_front(c->name);
      bool whole = f.target.instance < 0;
      if (c->kind == topology::Kind::kCache) {
        // A cache that is down is a miss: the database behind it serves every lookup.
        p.rto = 0;
        p.explanation = whole ? "every lookup misses and is served by the database until the cache returns cold"
                              : "its keys become misses served by the database until it returns cold";
        return p;
      }
      if (whole || c->instances() == 1) {
        p.explanation = fmt::format("every instance of {} is down", c->name);
        if (f.length > 0) {
          double boot = c->service() ? c->service()->boot_time * boot_factor : 0.0;
          p.rto = f.length + boot;
          p.explanation += fmt::format(": back after {} + boot {}", format_duration(f.length), format_duration(boot));
        }
        return p;
      }
      if (lb && told_of_death(*lb->lb(), silent)) {
        p.rto = 0;
        p.explanation = fmt::format("{} drops it at Docker's die event (discovery: docker); it is routed again {}",
                                    lb->name,
                                    lb->lb()->health_check.enabled ? "when its healthcheck passes" : "when it starts");
      } else if (lb && !silent && retries_refused(*lb->lb())) {
        p.rto = 0;
        p.explanation = fmt::format("{} retries each refused request on another server (retry on error)", lb->name);
        if (lb->lb()->health_check.enabled) {
          p.explanation += fmt::format("; its {}", lb_hc_text(lb->lb()->health_check, false));
        }
      } else if (lb && lb->lb()->health_check.enabled) {
        p.rto = lb_detection(lb->lb()->health_check, silent);
        p.explanation = fmt::format("requests keep going to it until {} marks it down: {}", lb->name,
                                    lb_hc_text(lb->lb()->health_check, silent));
      } else if (c->kind == topology::Kind::kCache) {
        p.rto = 0;
        p.explanation = "its keys become misses served by the database until it returns cold";
      } else {
        p.explanation = "no health checks in front of it";
      }
      return p;
    }
    case Fault::Kind::kChaosMonkey: {
      // One crash of one instance at a time: the slowest target's way back, an upper bound (an
      // instance behind a balancer with others left is only missed until its checks notice).
      double worst = 0;
      std::string slowest;
      for (const scenario::Target& target : f.targets) {
        const topology::Component* c = t.find(target.component);
        if (!c) continue;
        const double boot = c->service() ? c->service()->boot_time : 0.0;
        const double back = f.mttr ? f.mttr->mean : (c->restart.immediate_first ? 0.0 : c->restart.initial);
        if (slowest.empty() || back + boot > worst) {
          worst = back + boot;
          slowest = c->name;
        }
      }
      p.rto = worst;
      p.explanation = fmt::format("each crash: {} + boot; the slowest target, {}: {}",
                                  f.mttr ? "its repair (mttr, mean " + format_duration(f.mttr->mean) + ")"
                                         : "its restart policy's first back-off",
                                  slowest, format_duration(worst));
      return p;
    }
    case Fault::Kind::kFailover: {
      const topology::DatabaseSpec& db = *t.find(f.target.component)->database();
      p.rto = db.failover.promote;
      p.rpo = 0;
      p.explanation = fmt::format("planned switchover: writes pause for the promotion ({})", format_duration(*p.rto));
      return p;
    }
    default:
      p.explanation = f.length > 0 ? fmt::format("lasts {}", format_duration(f.length)) : "lasts until the end";
      if (f.length > 0) p.rto = f.length;
      return p;
  }
}

std::optional<double> measure_rto(double fault_time, std::size_t windows, double window, double duration,
                                  double threshold, double hold, const std::function<double(std::size_t)>& ratio,
                                  std::optional<double>* dip_start, double dip_before) {
  auto start_of = [&](std::size_t i) { return static_cast<double>(i) * window; };
  // Windows overlapping [fault, end).
  std::size_t first = 0;
  while (first < windows && start_of(first) + window <= fault_time) ++first;
  std::optional<double> dip;
  // A window that holds the next strike is that strike's (the later fault is the likelier cause).
  for (std::size_t i = first; i < windows && start_of(i) + window <= dip_before + 1e-9; ++i) {
    if (ratio(i) < threshold) {
      dip = start_of(i);
      break;
    }
  }
  if (dip_start) *dip_start = dip;
  if (!dip) return 0.0;
  // The first window start after which every window within `hold` meets the threshold.
  for (std::size_t i = first; i < windows; ++i) {
    double start = start_of(i);
    if (start < *dip) continue;
    bool stable = true;
    std::size_t j = i;
    for (; j < windows && start_of(j) < start + hold; ++j) {
      if (ratio(j) < threshold) {
        stable = false;
        break;
      }
    }
    // The stabilization period must fit in the run.
    if (stable && start + hold <= duration + 1e-9) return std::max(0.0, start - fault_time);
    if (!stable) i = j;  // skip to the failing window
  }
  return std::nullopt;
}

double dip_horizon(const scenario::Fault* f, double at, double next) {
  constexpr double kWholeRun = std::numeric_limits<double>::infinity();
  double in_force = kWholeRun;
  if (f) {
    switch (f->kind) {
      case Fault::Kind::kChaosMonkey:
      case Fault::Kind::kCacheFlush:
      case Fault::Kind::kFailover:
      case Fault::Kind::kRestore: in_force = at; break;
      default: in_force = f->length > 0 ? at + f->length : kWholeRun; break;
    }
  }
  return std::max(in_force, next);
}

std::string ClassAssessment::expected_text() const {
  std::vector<std::string> parts;
  if (rto_target) parts.push_back("RTO <= " + format_duration(*rto_target));
  for (const auto& c : classes) parts.push_back(fmt::format("RTO <= {} (class {})", format_duration(c.target), c.request_class));
  if (rpo_target) parts.push_back("RPO <= " + format_duration(*rpo_target));
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out.empty() ? "no target" : out;
}

namespace {

// Window i's success ratio for request class c (1 when nothing of the class finished in it).
double class_ratio(const model::WindowStats& w, std::size_t c) {
  const model::ClassCounts& k = w.by_class[c];
  std::uint64_t n = k.completed + k.failed;
  return n == 0 ? 1.0 : static_cast<double>(k.completed) / static_cast<double>(n);
}

// What happened from a fault to `until`, as "detect db at 5m17s, promote db-2 at 5m47s". The engine
// names the fault only on its "fault" event, so these are every other event of the interval (crashes
// left out: a zone loss has one per instance).
std::string recovery_events(const model::RunResult& r, double from, double until) {
  std::vector<std::string> items;
  for (const auto& e : r.timeline) {
    if (e.kind == "fault" || e.kind == "crash" || e.time < from - 1e-9 || e.time > until + 1e-9) continue;
    items.push_back(fmt::format("{} {} at {}", e.kind, e.target, format_duration(e.time)));
  }
  // The first events say what broke, the last what brought it back: keep both ends of a long list.
  if (items.size() > 8) {
    std::size_t n = items.size();
    std::vector<std::string> kept(items.begin(), items.begin() + 4);
    kept.push_back(fmt::format("({} more)", n - 8));
    kept.insert(kept.end(), items.end() - 4, items.end());
    items = std::move(kept);
  }
  return core::join(items);
}

// Components left with no ready instance from `from` to the end of the run (nothing serves them).
std::string nothing_left(const model::RunResult& r, double from) {
  auto [first, last] = window_range(r, from, r.duration);
  std::vector<std::string> names;
  for (const auto& c : r.components) {
    if (c.series.size() < last || first >= last) continue;
    bool none = true;
    for (std::size_t i = first; i < last && none; ++i) none = c.series[i].ready == 0 && c.series[i].desired >= 0;
    if (none && c.instances > 0) names.push_back(c.name);
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

// Why fault `f` recovered when it did (or never did), from the windows and the timeline.
void explain_fault(const scenario::Scenario& s, const model::RunResult& r, FaultRecovery* f) {
  const std::string threshold = format_ratio(s.resilience.recovery_threshold);
  if (!f->dip_start) {
    f->why = fmt::format("no window fell below a success ratio of {}", threshold);
    return;
  }
  if (f->rto) {
    double back = f->time + *f->rto;
    std::string fails = failures_in(r, *f->dip_start, back);
    f->why = fmt::format("success ratio below {} from {}{}; at or above it again from {}", threshold,
                         format_duration(*f->dip_start), fails.empty() ? "" : " (" + fails + ")",
                         format_duration(back));
    std::string events = recovery_events(r, f->time, back);
    if (!events.empty()) f->why += ": " + events;
    // Longer than the configuration predicts: a tier that could not carry the load explains it.
    if (f->predicted.rto && *f->rto > *f->predicted.rto + r.window + 1e-9) {
      f->saturation = find_saturation(r, f->time + *f->predicted.rto, back, f->time);
      if (f->saturation) f->why += "; longer than predicted: " + f->saturation->text();
    }
    return;
  }
  std::string fails = failures_in(r, *f->dip_start, r.duration);
  f->why = fmt::format("never at or above a success ratio of {} for {} before the end of the run ({}); failing from {}{}",
                       threshold, format_duration(s.resilience.stabilization), format_duration(r.duration),
                       format_duration(*f->dip_start), fails.empty() ? "" : " (" + fails + ")");
  double from = std::max(*f->dip_start, f->time + f->predicted.rto.value_or(0.0));
  if (std::string gone = nothing_left(r, from); !gone.empty()) {
    f->why += fmt::format("; no instance of {} is ready until the end", gone);
  }
  f->saturation = find_saturation(r, from, r.duration, f->time);
  if (f->saturation) f->why += "; " + f->saturation->text();
  std::string events = recovery_events(r, f->time, r.duration);
  if (!events.empty()) f->why += "; timeline: " + events;
}

}  // namespace

RecoverySummary summarize_recovery(const scenario::Scenario& s, const model::RunResult& r,
                                   const topology::Topology* topo) {
  RecoverySummary out;
  const double threshold = s.resilience.recovery_threshold;
  const double hold = s.resilience.stabilization;
  const std::size_t n = r.windows.size();
  // Per-class series exist when every window has a count per class (hand-built runs may have none).
  bool per_class = !r.classes.empty() && n > 0;
  for (const auto& w : r.windows) per_class = per_class && w.by_class.size() == r.classes.size();
  // Fault times come from the timeline (faults may repeat, or be random). A dip that starts
  // after the same fault's next strike, once this strike is no longer in force, is the next
  // one's: a chaos monkey's quiet kill at 1h is not charged for another kill's outage at 5h.
  std::map<std::string, std::vector<double>> strikes;  // by fault name, in time order
  for (const auto& ev : r.timeline) {
    if (ev.kind == "fault") strikes[ev.fault].push_back(ev.time);
  }
  for (auto& [name, times] : strikes) std::sort(times.begin(), times.end());
  for (const auto& ev : r.timeline) {
    if (ev.kind != "fault") continue;
    FaultRecovery fr;
    fr.fault = ev.detail;
    fr.name = ev.fault;
    fr.time = ev.time;
    const Fault* spec = nullptr;
    for (const auto& f : s.faults) {
      if (f.name == ev.fault) spec = &f;
    }
    if (topo && spec) fr.predicted = predict(*topo, *spec);
    const std::vector<double>& same = strikes[ev.fault];
    auto later = std::upper_bound(same.begin(), same.end(), ev.time + 1e-9);
    const double before =
        dip_horizon(spec, ev.time, later == same.end() ? std::numeric_limits<double>::infinity() : *later);
    fr.rto = measure_rto(ev.time, n, r.window, r.duration, threshold, hold,
                         [&](std::size_t i) { return r.windows[i].success_ratio(); }, &fr.dip_start, before);
    if (per_class) {
      for (std::size_t c = 0; c < r.classes.size(); ++c) {
        ClassRecovery cr;
        cr.request_class = r.classes[c].name;
        cr.rto = measure_rto(ev.time, n, r.window, r.duration, threshold, hold,
                             [&](std::size_t i) { return class_ratio(r.windows[i], c); }, &cr.dip_start, before);
        fr.classes.push_back(cr);
      }
    }
    out.faults.push_back(fr);
  }
  for (const auto& loss : r.data_losses) {
    out.worst_rpo = std::max(out.worst_rpo, loss.rpo);
    out.writes_lost += loss.writes_lost;
    // A fault that strikes several times (a chaos monkey, `every:`): the loss is its latest
    // occurrence's at or before the loss (the first one's if none).
    FaultRecovery* owner = nullptr;
    for (auto& f : out.faults) {
      if (f.name != loss.fault) continue;
      if (!owner || (f.time <= loss.time + 1e-9 && f.time > owner->time)) owner = &f;
    }
    if (owner) {
      owner->rpo = std::max(owner->rpo, loss.rpo);
      owner->writes_lost += loss.writes_lost;
    }
  }
  for (auto& f : out.faults) {
    explain_fault(s, r, &f);
    if (!f.rto) {
      out.unrecovered = true;
    } else if (!out.worst_rto || *f.rto > *out.worst_rto) {
      out.worst_rto = f.rto;
    }
  }
  if (out.unrecovered) out.worst_rto.reset();
  // Resilience assessment: every disruption class with a target, judged on its worst fault.
  for (const auto& [cls, target] : s.resilience.targets) {
    ClassAssessment a;
    a.disruption = cls;
    a.rto_target = target.rto;
    a.rpo_target = target.rpo;
    for (const auto& [name, t] : target.class_rto) a.classes.push_back({name, t, std::nullopt, false, true});
    int count = 0;
    const FaultRecovery* worst = nullptr;  // the fault whose explanation a breach quotes
    for (const auto& f : out.faults) {
      if (f.predicted.disruption != cls) continue;
      ++count;
      if (!f.rto) {
        if (!a.unrecovered) worst = &f;
        a.unrecovered = true;
      } else if (!a.worst_rto || *f.rto > *a.worst_rto) {
        a.worst_rto = f.rto;
        if (!a.unrecovered) worst = &f;
      }
      a.worst_rpo = std::max(a.worst_rpo, f.rpo);
      for (auto& c : a.classes) {
        for (const auto& fc : f.classes) {
          if (fc.request_class != c.request_class) continue;
          if (!fc.rto) {
            c.unrecovered = true;
          } else if (!c.worst_rto || *fc.rto > *c.worst_rto) {
            c.worst_rto = fc.rto;
          }
        }
      }
    }
    a.exercised = count > 0;
    if (!a.exercised) {
      a.detail = fmt::format("not exercised: no {} fault in the scenario", cls);
      a.met = true;
      out.assessment.push_back(a);
      continue;
    }
    bool rto_ok = !target.rto || (!a.unrecovered && a.worst_rto && *a.worst_rto <= *target.rto + 1e-9);
    bool rpo_ok = !target.rpo || a.worst_rpo <= *target.rpo + 1e-9;
    bool classes_ok = true;
    for (auto& c : a.classes) {
      c.met = !c.unrecovered && c.worst_rto && *c.worst_rto <= c.target + 1e-9;
      classes_ok = classes_ok && c.met;
    }
    a.met = rto_ok && rpo_ok && classes_ok;
    a.detail = fmt::format("{} fault{}: worst RTO {}, worst RPO {}", count, count == 1 ? "" : "s",
                           a.unrecovered ? "not recovered" : format_duration(a.worst_rto.value_or(0)),
                           format_duration(a.worst_rpo));
    for (const auto& c : a.classes) {
      a.detail += fmt::format(", {} RTO {}", c.request_class,
                              c.unrecovered ? "not recovered" : c.worst_rto ? format_duration(*c.worst_rto) : "unknown");
    }
    if (!a.met) {
      std::vector<std::string> why;
      if ((!rto_ok || !classes_ok) && worst) why.push_back(worst->fault + ": " + worst->why);
      if (!rpo_ok) {
        for (const auto& loss : r.data_losses) {
          if (loss.rpo >= a.worst_rpo - 1e-9 && loss.rpo > 0) {
            why.push_back(fmt::format("RPO {}: {}", format_duration(loss.rpo), loss.explanation));
            break;
          }
        }
      }
      for (std::size_t i = 0; i < why.size(); ++i) a.why += (i ? "; " : "") + why[i];
    }
    out.assessment.push_back(a);
  }
  return out;
}

}  // namespace sim::check
