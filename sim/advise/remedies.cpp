#include "sim/advise/remedies.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/source.h"
#include "sim/core/units.h"

namespace sim::advise {

using core::format_duration;

std::string duration_value(double seconds) { return fmt::format("{}s", seconds); }

std::vector<std::string> breached_checks(const report::RunReport& baseline) { return baseline.failing(); }

namespace {

// The key that counts a component's instances, and the count it stands for.
std::string count_key(const topology::Component& c) {
  switch (c.kind) {
    case topology::Kind::kCache:
    case topology::Kind::kStorage: return "nodes";
    case topology::Kind::kQueue: return "consumers";
    default: return "replicas";
  }
}
int count_value(const topology::Component& c) {
  if (const auto* db = c.database()) return db->replicas;
  if (const auto* q = c.queue()) return q->consumers;
  return c.instances();
}

std::string hc_block(const topology::HealthCheck& hc, double interval, double timeout) {
  return fmt::format("{{interval: {}, timeout: {}, healthy_threshold: {}, unhealthy_threshold: {}}}",
                     duration_value(interval), duration_value(timeout), hc.healthy_threshold, hc.unhealthy_threshold);
}

std::string failover_block(const topology::FailoverSpec& fo, const std::string& hc, double dns_ttl) {
  return fmt::format("{{automatic: {}, health_check: {}, promote: {}, dns_ttl: {}}}", fo.automatic ? "true" : "false", hc,
                     duration_value(fo.promote), duration_value(dns_ttl));
}

struct Needs {
  bool rto = false;  ///< an RTO-like check failed (rto, availability, error rate, throughput, a target's RTO)
  bool rpo = false;  ///< an RPO-like check failed (rpo, writes_lost, a target's RPO)
  std::vector<std::string> rto_checks, rpo_checks;
  double rpo_target = 300;  ///< the tightest RPO asked for (default 5 min)
};

Needs needs_of(const report::RunReport& b) {
  Needs n;
  bool rpo_given = false;
  auto tighten = [&](double v) {
    n.rpo_target = rpo_given ? std::min(n.rpo_target, v) : v;
    rpo_given = true;
  };
  for (const auto& e : b.expectations) {
    if (e.metric == "rpo") tighten(e.expected_value);
    if (e.pass) continue;
    if (e.metric == "rpo" || e.metric == "writes_lost") {
      n.rpo = true;
      n.rpo_checks.push_back(e.id());
    } else if (e.metric == "rto" || e.metric == "availability" || e.metric == "error_rate" || e.metric == "throughput") {
      n.rto = true;
      n.rto_checks.push_back(e.id());
    }
  }
  for (const auto& a : b.resilience) {
    if (a.rpo_target) tighten(*a.rpo_target);
    if (a.met) continue;
    bool rto_bad = (a.rto_target && (a.unrecovered || !a.worst_rto || *a.worst_rto > *a.rto_target + 1e-9));
    for (const auto& c : a.classes) rto_bad = rto_bad || !c.met;
    bool rpo_bad = a.rpo_target && a.worst_rpo > *a.rpo_target + 1e-9;
    if (rto_bad) {
      n.rto = true;
      n.rto_checks.push_back(a.id());
    }
    if (rpo_bad) {
      n.rpo = true;
      n.rpo_checks.push_back(a.id());
    }
  }
  return n;
}

// Whether fault `f` takes down the primary of database `c` while a replica survives it.
bool fails_over(const topology::Topology& t, const scenario::Fault& f, const topology::Component& c) {
  const auto* db = c.database();
  if (!db || db->replicas == 0 || !db->failover.automatic) return false;
  const scenario::Target& x = f.target;
  if (!x.zone.empty() || !x.region.empty()) {
    auto in_place = [&](const std::string& zone) {
      if (!x.zone.empty()) return zone == x.zone;
      const topology::Region* r = t.region_of_zone(zone);
      return r && r->name == x.region;
    };
    if (!in_place(c.zones.front())) return false;
    for (int i = 1; i < c.instances(); ++i) {
      if (!in_place(c.zones[static_cast<std::size_t>(i) % c.zones.size()])) return true;
    }
    return false;
  }
  if (x.component != c.name) return false;
  return x.role == "primary" || (x.role.empty() && x.instance == 0);
}

}  // namespace

std::vector<Remedy> remedies_for(const scenario::Scenario& s, const topology::Topology& t,
                                 const report::RunReport& baseline) {
  std::vector<Remedy> out;
  Needs need = needs_of(baseline);
  auto add = [&](Remedy r) {
    for (const auto& x : out) {
      if (x.id == r.id) return;
    }
    out.push_back(std::move(r));
  };
  std::vector<std::string> all_checks = need.rto_checks;
  all_checks.insert(all_checks.end(), need.rpo_checks.begin(), need.rpo_checks.end());

  // One more replica of a tier the baseline saw saturated (and the count the saturation estimate needs).
  for (const auto& rec : baseline.recovery) {
    if (!rec.saturation) continue;
    const topology::Component* c = t.find(rec.saturation->component);
    if (!c || c->kind == topology::Kind::kCdn) continue;
    int n = count_value(*c);
    std::vector<int> counts = {n + 1};
    // `needed` counts instances; a database's count is its replicas (the primary is one more).
    int needed = rec.saturation->needed - (c->database() ? 1 : 0);
    if (needed > n + 1) counts.push_back(needed);
    for (int k : counts) {
      Remedy r;
      r.id = fmt::format("{}-{}-{}", c->name, count_key(*c), k);
      r.kind = k == n + 1 ? "one more replica" : "replicas for the load";
      r.change = fmt::format("{}: {} {} -> {}", c->name, count_key(*c), n, k);
      r.forms = {{fmt::format("components.{}.{}={}", c->name, count_key(*c), k)}};
      r.addresses = all_checks;
      r.instances_added = k - n;
      r.cost_note = fmt::format("{} more instance{} of {}", k - n, k - n == 1 ? "" : "s", c->name);
      add(r);
    }
  }
  for (const auto& f : s.faults) {
    if (f.kind == scenario::Fault::Kind::kRestore && need.rpo) {
      const topology::Component* c = t.find(f.target.component);
      const topology::DatabaseSpec* db = c ? c->database() : nullptr;
      if (db && db->backup.interval > need.rpo_target + 1e-9) {
        const topology::BackupSpec& b = db->backup;
        Remedy r;
        r.id = c->name + "-backup-interval";
        r.kind = "more frequent backups";
        r.change = fmt::format("{}: backups every {} -> {} (point-in-time recovery)", c->name,
                               format_duration(b.interval), format_duration(need.rpo_target));
        r.forms = {{fmt::format("components.{}.backup.interval={}", c->name, duration_value(need.rpo_target))},
                   {fmt::format("components.{}.backup={{interval: {}, size: {:.0f}B, restore_rate: {:.0f}B/s}}", c->name,
                                duration_value(need.rpo_target), b.size, b.restore_rate)}};
        r.addresses = need.rpo_checks;
        r.cost_note = fmt::format("{:.0f}x the backups (or archived write-ahead logs); their storage and I/O are not "
                                  "simulated",
                                  std::round(b.interval / need.rpo_target));
        // A fault right after a backup loses nothing: say what the worst case loses.
        double since = std::fmod(f.at, need.rpo_target);
        if (since < 0.05 * need.rpo_target) {
          r.cost_note += fmt::format("; the fault at {} falls {} after a backup, the worst case loses {} of writes "
                                     "(still within the target)",
                                     format_duration(f.at), format_duration(since), format_duration(need.rpo_target));
        }
        add(r);
      }
    }
    if (f.kind != scenario::Fault::Kind::kCrash) continue;
    // Database failovers: detection, DNS TTL, synchronous replication.
    for (const auto& c : t.components) {
      if (!fails_over(t, f, c)) continue;
      const topology::FailoverSpec& fo = c.database()->failover;
      const topology::HealthCheck& hc = fo.detection;
      if (need.rto && hc.interval > 1 + 1e-9) {
        double iv = std::max(1.0, hc.interval / 5), to = std::min(hc.timeout, iv);
        Remedy r;
        r.id = c.name + "-failover-checks";
        r.kind = "a shorter health-check interval";
        r.change = fmt::format("{}: failover health checks every {} -> {} (timeout {} -> {}); detection {} -> {}", c.name,
                               format_duration(hc.interval), format_duration(iv), format_duration(hc.timeout),
                               format_duration(to), format_duration(hc.detection_time()),
                               format_duration(iv * hc.unhealthy_threshold + to));
        r.forms = {{fmt::format("components.{}.failover.health_check.interval={}", c.name, duration_value(iv)),
                    fmt::format("components.{}.failover.health_check.timeout={}", c.name, duration_value(to))},
                   {fmt::format("components.{}.failover.health_check={}", c.name, hc_block(hc, iv, to))},
                   {fmt::format("components.{}.failover={}", c.name, failover_block(fo, hc_block(hc, iv, to), fo.dns_ttl))}};
        r.addresses = need.rto_checks;
        r.cost_note = fmt::format("{:.0f}x the health checks; a slow primary is declared dead sooner", hc.interval / iv);
        add(r);
      }
      if (need.rto && fo.dns_ttl > 5 + 1e-9) {
        Remedy r;
        r.id = c.name + "-dns-ttl";
        r.kind = "a lower DNS TTL";
        r.change = fmt::format("{}: DNS TTL {} -> 5s", c.name, format_duration(fo.dns_ttl));
        r.forms = {{fmt::format("components.{}.failover.dns_ttl=5s", c.name)},
                   {fmt::format("components.{}.failover={}", c.name,
                                failover_block(fo, hc_block(hc, hc.interval, hc.timeout), 5))}};
        r.addresses = need.rto_checks;
        r.cost_note = fmt::format("{:.0f}x the DNS lookups of the clients", fo.dns_ttl / 5);
        add(r);
      }
      if (need.rpo && c.database()->replication.mode == topology::ReplicationMode::kAsync) {
        Remedy r;
        r.id = c.name + "-sync-replication";
        r.kind = "synchronous replication";
        r.change = fmt::format("{}: replication async -> sync", c.name);
        r.forms = {{fmt::format("components.{}.replication.mode=sync", c.name)},
                   {fmt::format("components.{}.replication={{mode: sync}}", c.name)}};
        r.addresses = need.rpo_checks;
        r.cost_note = "every write waits for a standby's confirmation (measured: writes' p99)";
        add(r);
      }
    }
    // An instance behind a load balancer's health checks: faster detection.
    if (!f.target.component.empty() && f.target.instance >= 0 && need.rto) {
      const topology::Component* c = t.find(f.target.component);
      const topology::Component* lb = c ? t.lb_in_front(c->name) : nullptr;
      if (lb && lb->lb()->health_check.enabled && lb->lb()->health_check.interval > 1 + 1e-9) {
        const topology::HealthCheck& hc = lb->lb()->health_check;
        double iv = std::max(1.0, hc.interval / 5), to = std::min(hc.timeout, iv);
        Remedy r;
        r.id = lb->name + "-health-checks";
        r.kind = "a shorter health-check interval";
        r.change = fmt::format("{}: health checks every {} -> {} (timeout {} -> {}); detection {} -> {}", lb->name,
                               format_duration(hc.interval), format_duration(iv), format_duration(hc.timeout),
                               format_duration(to), format_duration(hc.detection_time()),
                               format_duration(iv * hc.unhealthy_threshold + to));
        r.forms = {{fmt::format("components.{}.health_check.interval={}", lb->name, duration_value(iv)),
                    fmt::format("components.{}.health_check.timeout={}", lb->name, duration_value(to))},
                   {fmt::format("components.{}.health_check={}", lb->name, hc_block(hc, iv, to))}};
        r.addresses = need.rto_checks;
        r.cost_note = fmt::format("{:.0f}x the health checks per backend", hc.interval / iv);
        add(r);
      }
    }
    // A zone loss that takes every instance of a component: spread it over its region's zones.
    if (!f.target.zone.empty() && need.rto) {
      for (const auto& c : t.components) {
        if (c.kind == topology::Kind::kCdn || c.instances() == 0) continue;
        bool all_in = true;
        for (int i = 0; i < c.instances(); ++i) {
          all_in = all_in && c.zones[static_cast<std::size_t>(i) % c.zones.size()] == f.target.zone;
        }
        const topology::Region* region = t.region_of_zone(f.target.zone);
        if (!all_in || !region || region->zones.size() < 2) continue;
        int n = count_value(c);
        int per_zone_min = static_cast<int>(region->zones.size()) - (c.database() ? 1 : 0);
        int k = std::max(n, per_zone_min);
        Remedy r;
        r.id = c.name + "-zones";
        r.kind = "spreading over zones";
        r.change = fmt::format("{}: zones [{}] -> [{}]{}", c.name, core::join(c.zones), core::join(region->zones),
                               k > n ? fmt::format(", {} {} -> {}", count_key(c), n, k) : "");
        std::vector<std::string> form = {fmt::format("components.{}.zones=[{}]", c.name, core::join(region->zones))};
        if (k > n) form.push_back(fmt::format("components.{}.{}={}", c.name, count_key(c), k));
        r.forms = {form};
        r.addresses = need.rto_checks;
        r.instances_added = k - n;
        r.cost_note = k > n ? fmt::format("{} more instance{} of {}; requests cross zones", k - n, k - n == 1 ? "" : "s", c.name)
                            : "requests cross zones";
        add(r);
      }
    }
  }
  if (need.rto) {
    Remedy r;
    r.id = "retry-budget";
    r.kind = "a retry budget";
    r.change = "not available yet: infrasim does not model client retries or retry budgets (the failure-semantics "
               "work adds them); not tried";
    r.addresses = need.rto_checks;
    r.available = false;
    add(r);
  }
  return out;
}

}  // namespace sim::advise
