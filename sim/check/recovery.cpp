#include "sim/check/recovery.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"

namespace sim::check {

namespace {

using core::format_duration;
using scenario::Fault;

std::string hc_text(const topology::HealthCheck& hc) {
  return fmt::format("health checks every {} x {} failures + {} timeout = {}", format_duration(hc.interval),
                     hc.unhealthy_threshold, format_duration(hc.timeout), format_duration(hc.detection_time()));
}

// The load balancer whose health checks watch `component`, if any.
const topology::Component* lb_in_front(const topology::Topology& t, const std::string& component) {
  for (const auto& rc : t.requests) {
    for (std::size_t i = 0; i + 1 < rc.path.size(); ++i) {
      if (rc.path[i + 1].component != component) continue;
      const topology::Component* c = t.find(rc.path[i].component);
      if (c && c->lb()) return c;
    }
  }
  return nullptr;
}

}  // namespace

Prediction predict(const topology::Topology& t, const Fault& f) {
  Prediction p;
  p.disruption = !f.target.region.empty() ? "region" : !f.target.zone.empty() ? "zone" : "instance";
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
    case Fault::Kind::kCrash: {
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
            double boot = c.service() ? c.service()->boot_time : 0.0;
            rto = f.length > 0 ? std::optional<double>(f.length + boot) : std::nullopt;
            parts.push_back(fmt::format("every instance of {} is in it", c.name));
          } else if (const topology::Component* lb = lb_in_front(t, c.name); lb && lb->lb()->health_check.enabled) {
            rto = lb->lb()->health_check.detection_time();
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
      const topology::Component* lb = lb_in_front(t, c->name);
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
          p.rto = f.length + (c->service() ? c->service()->boot_time : 0.0);
          p.explanation += fmt::format(": back after {} + boot {}", format_duration(f.length),
                                       format_duration(c->service() ? c->service()->boot_time : 0.0));
        }
        return p;
      }
      if (lb && lb->lb()->health_check.enabled) {
        p.rto = lb->lb()->health_check.detection_time();
        p.explanation = fmt::format("requests keep going to it until {} marks it down: {}", lb->name,
                                    hc_text(lb->lb()->health_check));
      } else if (c->kind == topology::Kind::kCache) {
        p.rto = 0;
        p.explanation = "its keys become misses served by the database until it returns cold";
      } else {
        p.explanation = "no health checks in front of it";
      }
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

RecoverySummary summarize_recovery(const scenario::Scenario& s, const model::RunResult& r,
                                   const topology::Topology* topo) {
  RecoverySummary out;
  const double threshold = s.resilience.recovery_threshold;
  const double hold = s.resilience.stabilization;
  // Fault times come from the timeline (faults may repeat, or be random).
  for (const auto& ev : r.timeline) {
    if (ev.kind != "fault") continue;
    FaultRecovery fr;
    fr.fault = ev.detail;
    fr.name = ev.fault;
    fr.time = ev.time;
    if (topo) {
      for (const auto& f : s.faults) {
        if (f.name == ev.fault) fr.predicted = predict(*topo, f);
      }
    }
    // Windows overlapping [fault, end).
    std::size_t first = 0;
    while (first < r.windows.size() && r.windows[first].start + r.window <= ev.time) ++first;
    bool dipped = false;
    for (std::size_t i = first; i < r.windows.size(); ++i) {
      if (r.windows[i].success_ratio() < threshold) {
        dipped = true;
        fr.dip_start = r.windows[i].start;
        break;
      }
    }
    if (!dipped) {
      fr.rto = 0.0;
    } else {
      // The first window start after which every window within `hold` meets the threshold.
      for (std::size_t i = first; i < r.windows.size(); ++i) {
        double start = r.windows[i].start;
        if (start < *fr.dip_start) continue;
        bool stable = true;
        std::size_t j = i;
        for (; j < r.windows.size() && r.windows[j].start < start + hold; ++j) {
          if (r.windows[j].success_ratio() < threshold) {
            stable = false;
            break;
          }
        }
        // The stabilization period must fit in the run.
        if (stable && start + hold <= r.duration + 1e-9) {
          fr.rto = std::max(0.0, start - ev.time);
          break;
        }
        if (!stable) i = j;  // skip to the failing window
      }
    }
    out.faults.push_back(fr);
  }
  for (const auto& loss : r.data_losses) {
    out.worst_rpo = std::max(out.worst_rpo, loss.rpo);
    out.writes_lost += loss.writes_lost;
    for (auto& f : out.faults) {
      if (f.name == loss.fault) {
        f.rpo = std::max(f.rpo, loss.rpo);
        f.writes_lost += loss.writes_lost;
      }
    }
  }
  for (const auto& f : out.faults) {
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
    int n = 0;
    for (const auto& f : out.faults) {
      if (f.predicted.disruption != cls) continue;
      ++n;
      if (!f.rto) {
        a.unrecovered = true;
      } else if (!a.worst_rto || *f.rto > *a.worst_rto) {
        a.worst_rto = f.rto;
      }
      a.worst_rpo = std::max(a.worst_rpo, f.rpo);
    }
    if (n == 0) {
      a.detail = "no fault of this class in the scenario";
      a.met = true;
    } else {
      bool rto_ok = !target.rto || (!a.unrecovered && a.worst_rto && *a.worst_rto <= *target.rto + 1e-9);
      bool rpo_ok = !target.rpo || a.worst_rpo <= *target.rpo + 1e-9;
      a.met = rto_ok && rpo_ok;
      a.detail = fmt::format("{} fault(s): worst RTO {}, worst RPO {}", n,
                             a.unrecovered ? "not recovered" : format_duration(a.worst_rto.value_or(0)),
                             format_duration(a.worst_rpo));
    }
    out.assessment.push_back(a);
  }
  return out;
}

}  // namespace sim::check
