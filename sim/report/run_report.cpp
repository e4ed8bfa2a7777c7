#include "sim/report/run_report.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"

namespace sim::report {

std::string RestartsRow::text() const { return model::RestartCounts{total, by_faults}.text(); }

// ---- building -------------------------------------------------------------------------------------------

namespace {

LatencyRow latency_row(const model::LatencyStats& l) {
  return {l.count, fixed(l.mean), fixed(l.p50), fixed(l.p90), fixed(l.p99), fixed(l.p999), fixed(l.max), fixed(l.p95)};
}

SaturationRow saturation_row(const check::Saturation& x) {
  return {x.component, x.instances, x.ready, fixed(x.busy), x.queue_full, fixed(x.offered), x.needed,
          fixed(x.from), fixed(x.to), x.text()};
}

ReasonRows reason_rows(const model::ReasonCounts& c) {
  ReasonRows out;
  for (int i = 0; i < model::kReasonCount; ++i) {
    if (auto n = c[static_cast<std::size_t>(i)]) out.emplace_back(model::reason_name(static_cast<model::FailReason>(i)), n);
  }
  return out;
}

std::optional<double> fixed_opt(const std::optional<double>& v) {
  return v ? std::optional<double>(fixed(*v)) : std::nullopt;
}

// Windows merged by `factor` so that at most kMaxSeriesPoints remain. Counts add
// up; latency percentiles of a merged point are the worst of its windows.
Json windows_json(const model::RunResult& r, std::size_t factor) {
  std::size_t n = r.windows.size();
  Json start = Json::array(), arrivals = Json::array(), completed = Json::array(), failed = Json::array(),
       p50 = Json::array(), p99 = Json::array(), success = Json::array(), mean = Json::array();
  std::vector<Json> reasons(static_cast<std::size_t>(model::kReasonCount), Json::array());
  for (std::size_t i = 0; i < n; i += factor) {
    std::uint64_t a = 0, c = 0, f = 0;
    double w50 = 0, w99 = 0, sum = 0;
    model::ReasonCounts rc{};
    for (std::size_t k = i; k < std::min(n, i + factor); ++k) {
      const auto& w = r.windows[k];
      a += w.arrivals;
      c += w.completed;
      f += w.failed;
      w50 = std::max(w50, w.latency.p50);
      w99 = std::max(w99, w.latency.p99);
      sum += w.latency.mean * static_cast<double>(w.latency.count);
      for (std::size_t q = 0; q < rc.size(); ++q) rc[q] += w.failures[q];
    }
    start.push_back(fixed(r.windows[i].start));
    arrivals.push_back(a);
    completed.push_back(c);
    failed.push_back(f);
    p50.push_back(fixed(w50));
    p99.push_back(fixed(w99));
    mean.push_back(fixed(c ? sum / static_cast<double>(c) : 0.0));
    success.push_back(fixed(c + f ? static_cast<double>(c) / static_cast<double>(c + f) : 1.0));
    for (std::size_t q = 0; q < rc.size(); ++q) reasons[q].push_back(rc[q]);
  }
  Json j;
  j["start"] = start;
  j["arrivals"] = arrivals;
  j["completed"] = completed;
  j["failed"] = failed;
  j["success_ratio"] = success;
  j["latency_p50"] = p50;
  j["latency_p99"] = p99;
  j["latency_mean"] = mean;  // of the requests completed in the window (batch means need it)
  Json by_reason = Json::object();
  for (std::size_t q = 0; q < reasons.size(); ++q) {
    bool any = false;
    for (const auto& v : reasons[q]) any = any || v.get<std::uint64_t>() > 0;
    if (any) by_reason[model::reason_name(static_cast<model::FailReason>(q))] = reasons[q];
  }
  j["failed_by_reason"] = by_reason;
  j["merged_windows"] = factor;
  return j;
}

Json component_series(const model::ComponentStats& c, std::size_t factor) {
  Json util = Json::array(), queue = Json::array(), ready = Json::array(), desired = Json::array(),
       extra = Json::array(), wait = Json::array(), waits = Json::array(), full = Json::array();
  const auto& s = c.series;
  for (std::size_t i = 0; i < s.size(); i += factor) {
    double u = 0, q = 0, x = 0, wsum = 0;
    std::uint64_t wn = 0, qf = 0;
    int rd = 0, de = 0;
    std::size_t m = 0;
    for (std::size_t k = i; k < std::min(s.size(), i + factor); ++k, ++m) {
      wsum += s[k].wait_mean * static_cast<double>(s[k].wait_count);
      wn += s[k].wait_count;
      qf += s[k].queue_full;
      u += s[k].utilization;
      q += s[k].queue_mean;
      x = std::max(x, s[k].extra);
      rd = s[k].ready;
      de = s[k].desired;
    }
    util.push_back(fixed(u / static_cast<double>(m)));
    queue.push_back(fixed(q / static_cast<double>(m)));
    ready.push_back(rd);
    desired.push_back(de);
    extra.push_back(fixed(x));
    wait.push_back(fixed(wn ? wsum / static_cast<double>(wn) : 0));
    waits.push_back(wn);
    full.push_back(qf);
  }
  Json j;
  j["utilization"] = util;
  j["queue_mean"] = queue;
  j["ready"] = ready;
  j["desired"] = desired;
  j["wait_mean"] = wait;
  j["wait_count"] = waits;
  j["queue_full"] = full;
  if (c.kind == "cache") j["hit_ratio"] = extra;
  if (c.kind == "database") j["replication_lag_max"] = extra;
  if (c.kind == "queue") j["depth"] = extra;
  return j;
}

}  // namespace

// The busiest shard (by its busiest instance) against the mean of the shards that served.
// Hot when it is at least 1.5 × the mean: a few heavy users (a skewed population) landed on it.
constexpr double kHotShard = 1.5;

HotShardRow hot_shard(const model::ComponentStats& c) {
  HotShardRow h;
  double sum = 0;
  int served = 0;
  const model::ShardStats* top = nullptr;
  for (const auto& sh : c.shards) {
    if (sh.queries == 0) continue;
    sum += sh.busiest_utilization;
    ++served;
    if (!top || sh.busiest_utilization > top->busiest_utilization) top = &sh;
  }
  if (!top) return h;
  double mean = sum / served;
  h.index = top->index;
  h.primary = top->primary;
  h.share = fixed(top->share);
  h.busiest_utilization = fixed(top->busiest_utilization);
  h.imbalance = fixed(mean > 0 ? top->busiest_utilization / mean : 1);
  h.hot = mean > 0 && top->busiest_utilization >= kHotShard * mean;
  h.finding = fmt::format("shard {} ({}) is {}: {} busy, {:.2f}x the mean shard ({}); it served {} of the queries "
                          "(an even spread over {} shards: {})",
                          h.index, h.primary, h.hot ? "hot" : "the busiest, within 1.5x the mean",
                          core::format_ratio(top->busiest_utilization), h.imbalance, core::format_ratio(mean),
                          core::format_ratio(top->share), served, core::format_ratio(1.0 / served));
  return h;
}

RunReport build_run_report(const scenario::Scenario& s, const topology::Topology& t, const model::RunResult& r,
                           const check::Assessment& a) {
  RunReport out;
  out.version = INFRASIM_VERSION;
  out.scenario = {s.name,   s.description,       s.file,           t.name,         s.topology_path,
                  r.seed,   fixed(r.duration),   fixed(r.warmup),  fixed(r.window)};
  Totals& sum = out.summary;
  sum.generated = r.generated;
  sum.completed = r.completed;
  sum.failed = r.failed;
  sum.in_flight = r.in_flight;
  sum.conservation = {r.conserved(), r.generated, r.completed + r.failed + r.in_flight};
  sum.throughput = fixed(r.throughput);
  sum.error_rate = fixed(r.error_rate);
  sum.latency = latency_row(r.latency);
  sum.failures = reason_rows(r.failures);

  for (const auto& v : a.verdicts) {
    ExpectationRow e;
    e.metric = v.expectation.metric;
    e.request_class = v.expectation.request_class;
    e.expected = v.expected_text;
    e.expected_value = fixed(v.expectation.value);
    e.actual = v.actual_text;
    e.actual_value = fixed_opt(v.actual);
    e.pass = v.pass;
    e.note = v.note;
    e.reason = v.reason;
    e.line = v.expectation.pos.line;
    out.expectations.push_back(std::move(e));
  }
  out.passed = a.passed();
  out.outcome = check::outcome_name(a.outcome);
  out.outcome_detail = a.outcome_detail;
  if (s.expected_failure) out.expected_failure = ExpectedFailureRow{s.expected_failure->reason, s.expected_failure->fails};

  bool class_windows = !r.windows.empty();
  for (const auto& w : r.windows) class_windows = class_windows && w.by_class.size() == r.classes.size();
  for (std::size_t ci = 0; ci < r.classes.size(); ++ci) {
    const auto& c = r.classes[ci];
    ClassRow row{c.name, c.generated, c.completed, c.failed, reason_rows(c.failures), latency_row(c.latency),
                 false, 0, std::nullopt, std::nullopt, false};
    const topology::RequestClass* rc = t.find_class(c.name);
    row.write = rc && rc->write;
    row.error_rate = fixed(check::class_error_rate(r, ci));
    if (class_windows) {
      row.availability = fixed(check::availability(r, s.resilience.recovery_threshold, static_cast<int>(ci)));
    }
    for (const auto& f : a.recovery.faults) {
      for (const auto& fc : f.classes) {
        if (fc.request_class != c.name) continue;
        if (!fc.rto) {
          row.unrecovered = true;
        } else if (!row.rto || *fc.rto > *row.rto) {
          row.rto = fixed(*fc.rto);
        }
      }
    }
    if (row.unrecovered) row.rto.reset();
    out.classes.push_back(std::move(row));
  }
  std::size_t factor = std::max<std::size_t>(1, (r.windows.size() + kMaxSeriesPoints - 1) / kMaxSeriesPoints);
  for (const auto& c : r.components) {
    ComponentRow x;
    x.name = c.name;
    x.kind = c.kind;
    x.instances = c.instances;
    x.utilization = fixed(c.utilization);
    x.served = c.served;
    x.queue_full = c.queue_full;
    x.wait_mean = fixed(c.wait_mean);
    x.instance_hours = fixed(c.instance_hours);
    x.lookups = c.cache_lookups;
    x.hit_ratio = fixed(c.cache_hit_ratio);
    x.writes = c.writes;
    x.connections_max = c.connections_max;
    x.connections_refused = c.connections_refused;
    x.lag_mean = fixed(c.replication_lag_mean);
    x.lag_p99 = fixed(c.replication_lag_p99);
    x.lag_max = fixed(c.replication_lag_max);
    x.jobs_done = c.jobs_done;
    x.jobs_retried = c.jobs_retried;
    x.dead_letters = c.dead_letters;
    x.depth_max = c.queue_depth_max;
    x.retries = c.retries;
    x.ejections = c.ejections;
    if (const model::RestartCounts n = c.restarts(); n.total > 0) x.restarts = RestartsRow{n.total, n.by_faults, n.unexplained()};
    for (const auto& i : c.instance_stats) {
      x.instances_stats.push_back({i.name, i.zone, fixed(i.utilization), i.served, fixed(i.queue_mean), i.queue_max,
                                   fixed(i.up_seconds)});
    }
    for (const auto& sh : c.shards) {
      x.shards.push_back({sh.index, sh.primary, sh.queries, fixed(sh.share), fixed(sh.utilization),
                          fixed(sh.busiest_utilization)});
    }
    if (!c.shards.empty()) {
      x.shards_final = c.shards_final;
      x.reshards = c.reshards;
      x.bytes_moved = fixed(c.bytes_moved);
      x.hot_shard = hot_shard(c);
    }
    if (const topology::Component* tc = t.find(c.name); tc && tc->cache()) {
      for (const auto& k : c.cache_classes) {
        x.cache_classes.push_back({k.name, fixed(k.predicted_hit_ratio),
                                   fixed(k.lookups ? static_cast<double>(k.hits) / static_cast<double>(k.lookups) : 0),
                                   k.lookups});
      }
      if (!tc->cache()->keys.empty()) x.evictions = fixed(c.cache_evictions);
      if (tc->cache()->persistence.given) x.cache_writes = c.cache_writes;
      if (tc->cache()->ha.mode != topology::CacheHa::Mode::kNone) x.failovers = c.failovers;
    }
    x.series = component_series(c, factor);
    out.components.push_back(std::move(x));
  }
  out.windows = windows_json(r, factor);
  for (const auto& e : r.timeline) out.timeline.push_back({fixed(e.time), e.kind, e.target, e.detail});
  for (const auto& f : a.recovery.faults) {
    RecoveryRow row{f.fault, fixed(f.time), f.predicted.disruption, fixed_opt(f.rto), fixed(f.rpo),
                    f.writes_lost, fixed_opt(f.predicted.rto), fixed_opt(f.predicted.rpo),
                    f.predicted.explanation, "", {}, std::nullopt};
    row.why = f.why;
    for (const auto& c : f.classes) row.classes.push_back({c.request_class, fixed_opt(c.rto)});
    if (f.saturation) row.saturation = saturation_row(*f.saturation);
    out.recovery.push_back(std::move(row));
  }
  for (const auto& c : a.recovery.assessment) {
    ResilienceRow row{c.disruption, fixed_opt(c.rto_target), fixed_opt(c.rpo_target), fixed_opt(c.worst_rto),
                      c.unrecovered, fixed(c.worst_rpo), c.met, c.exercised, c.detail, "", "", {}};
    row.expected = c.expected_text();
    row.why = c.why;
    for (const auto& x : c.classes) {
      row.classes.push_back({x.request_class, fixed(x.target), fixed_opt(x.worst_rto), x.unrecovered, x.met});
    }
    out.resilience.push_back(std::move(row));
  }
  for (const auto& l : r.data_losses) {
    out.data_losses.push_back({l.fault, fixed(l.time), l.writes_lost, fixed(l.rpo), l.explanation});
  }
  for (const auto& e : r.scale_events) out.scale_events.push_back({fixed(e.time), e.component, e.from, e.to, e.reason});
  for (const auto& x : a.scaling) {
    out.autoscaling.push_back({x.component, x.min, x.max, x.peak_replicas, x.scale_events, x.flaps,
                               fixed_opt(x.time_to_scale), x.unreached, x.saturated_windows,
                               fixed(x.saturated_seconds), fixed(x.instance_hours)});
  }
  out.clients = r.client_groups;
  if (auto c = model::estimate_cost(t, r)) {
    c->per_month = 0;
    for (auto& l : c->lines) {
      l.quantity = fixed(l.quantity);
      l.per_month = fixed(l.per_month);
      c->per_month += l.per_month;
    }
    c->per_month = fixed(c->per_month);
    out.cost = std::move(*c);
  }
  if (!s.alert_rules.empty()) {
    AlertsSection al;
    al.rules_file = s.alert_rules;
    al.step = fixed(r.window);
    if (a.alerts) {
      al.error = a.alerts->error;
      for (const auto& ev : a.alerts->rules) {
        AlertRuleRow row{ev.rule.name, ev.rule.expr, ev.rule.pos.file, ev.rule.pos.line, fixed(ev.rule.hold), {}, {}, 0};
        for (const auto& f : ev.firings) {
          const check::Incident* i = check::detected_incident(f.fired_at, a.incidents, check::kDetectGrace);
          row.firings.push_back({f.labels, fixed(f.pending_at), fixed(f.fired_at), fixed_opt(f.resolved_at),
                                 i ? i->fault : std::string(),
                                 i ? std::optional<double>(fixed(f.fired_at - i->start)) : std::nullopt});
          if (!i) ++row.false_alarms;
        }
        for (const auto& i : a.incidents) {
          AlertFaultRow fr{i.fault, fixed(i.start), std::nullopt};
          for (const auto& f : ev.firings) {
            if (check::detected_incident(f.fired_at, a.incidents, check::kDetectGrace) == &i) {
              fr.time_to_detect = fixed(f.fired_at - i.start);
              break;
            }
          }
          row.faults.push_back(std::move(fr));
        }
        al.rules.push_back(std::move(row));
      }
    } else {
      al.error = "not evaluated";
    }
    out.alerts = std::move(al);
  }
  return out;
}

// ---- writing --------------------------------------------------------------------------------------------

namespace {

Json opt_json(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

Json latency_json(const LatencyRow& l) {
  Json j;
  j["count"] = l.count;
  j["mean"] = l.mean;
  j["p50"] = l.p50;
  j["p90"] = l.p90;
  j["p95"] = l.p95;
  j["p99"] = l.p99;
  j["p999"] = l.p999;
  j["max"] = l.max;
  return j;
}

Json reasons_json(const ReasonRows& rows) {
  Json j = Json::object();
  for (const auto& [reason, n] : rows) j[reason] = n;
  return j;
}

Json totals_json(const Totals& s) {
  Json sum;
  sum["generated"] = s.generated;
  sum["completed"] = s.completed;
  sum["failed"] = s.failed;
  sum["in_flight"] = s.in_flight;
  sum["conservation"] = {{"ok", s.conservation.ok},
                         {"rule", "generated = completed + failed + in_flight"},
                         {"generated", s.conservation.generated},
                         {"completed_failed_in_flight", s.conservation.accounted}};
  sum["throughput"] = s.throughput;
  sum["error_rate"] = s.error_rate;
  sum["latency"] = latency_json(s.latency);
  sum["failures"] = reasons_json(s.failures);
  return sum;
}

Json component_json(const ComponentRow& c, bool with_series) {
  auto data_tier = [&c](Json& cj) {
    if (!c.shards.empty()) {
      Json sh = Json::array();
      for (const auto& s : c.shards) {
        sh.push_back({{"index", s.index},
                      {"primary", s.primary},
                      {"queries", s.queries},
                      {"share", s.share},
                      {"utilization", s.utilization},
                      {"busiest_utilization", s.busiest_utilization}});
      }
      cj["shards"] = sh;
      cj["shards_final"] = c.shards_final;
      cj["reshards"] = c.reshards;
      cj["bytes_moved"] = c.bytes_moved;
      if (c.hot_shard) {
        const HotShardRow& h = *c.hot_shard;
        cj["hot_shard"] = {{"index", h.index},
                           {"primary", h.primary},
                           {"share", h.share},
                           {"busiest_utilization", h.busiest_utilization},
                           {"imbalance", h.imbalance},
                           {"hot", h.hot},
                           {"finding", h.finding}};
      }
    }
    if (!c.cache_classes.empty()) {
      Json cl = Json::array();
      for (const auto& k : c.cache_classes) {
        cl.push_back({{"name", k.name}, {"predicted_hit_ratio", k.predicted_hit_ratio}, {"hit_ratio", k.hit_ratio},
                      {"lookups", k.lookups}});
      }
      cj["classes"] = cl;
    }
    if (c.evictions) cj["evictions"] = *c.evictions;
    if (c.cache_writes) cj["writes"] = *c.cache_writes;
    if (c.failovers) cj["failovers"] = *c.failovers;
  };
  Json cj;
  cj["name"] = c.name;
  cj["kind"] = c.kind;
  cj["instances"] = c.instances;
  cj["utilization"] = c.utilization;
  cj["served"] = c.served;
  cj["queue_full"] = c.queue_full;
  cj["wait_mean"] = c.wait_mean;
  cj["instance_hours"] = c.instance_hours;
  if (c.kind == "cache") {
    cj["lookups"] = c.lookups;
    cj["hit_ratio"] = c.hit_ratio;
  }
  if (c.kind == "database") {
    cj["writes"] = c.writes;
    cj["connections_max"] = c.connections_max;
    cj["connections_refused"] = c.connections_refused;
    cj["replication_lag"] = {{"mean", c.lag_mean}, {"p99", c.lag_p99}, {"max", c.lag_max}};
  }
  if (c.kind == "queue") {
    cj["jobs_done"] = c.jobs_done;
    cj["jobs_retried"] = c.jobs_retried;
    cj["dead_letters"] = c.dead_letters;
    cj["depth_max"] = c.depth_max;
  }
  if (c.kind == "load_balancer") {
    cj["retries"] = c.retries;      // attempts tried again (next upstream, same server)
    cj["ejections"] = c.ejections;  // backends set aside by passive health
  }
  data_tier(cj);
  if (c.restarts) {
    cj["restarts"] = {{"total", c.restarts->total}, {"by_faults", c.restarts->by_faults},
                      {"unexplained", c.restarts->unexplained}};
  }
  Json inst = Json::array();
  for (const auto& i : c.instances_stats) {
    inst.push_back({{"name", i.name},
                    {"zone", i.zone},
                    {"utilization", i.utilization},
                    {"served", i.served},
                    {"queue_mean", i.queue_mean},
                    {"queue_max", i.queue_max},
                    {"up_seconds", i.up_seconds}});
  }
  cj["instance_stats"] = inst;
  if (with_series) cj["series"] = c.series.is_null() ? Json::object() : c.series;
  return cj;
}

Json to_json(const RunReport& r, bool with_series) {
  Json j;
  j["infrasim"] = {{"version", r.version}, {"report_format", r.format}};
  j["scenario"] = to_json(r.scenario);
  j["provenance"] = to_json(r.provenance);
  j["summary"] = totals_json(r.summary);
  Json ex = Json::array();
  for (const auto& e : r.expectations) ex.push_back(to_json(e));
  j["expectations"] = ex;
  j["passed"] = r.passed;
  j["outcome"] = r.outcome;
  if (!r.outcome_detail.empty()) j["outcome_detail"] = r.outcome_detail;
  if (r.expected_failure) {
    j["expected_failure"] = {{"reason", r.expected_failure->reason}, {"fails", r.expected_failure->fails}};
  }
  Json classes = Json::array();
  for (const auto& c : r.classes) {
    Json cj;
    cj["name"] = c.name;
    cj["write"] = c.write;
    cj["generated"] = c.generated;
    cj["completed"] = c.completed;
    cj["failed"] = c.failed;
    cj["error_rate"] = c.error_rate;
    cj["availability"] = opt_json(c.availability);
    cj["rto"] = c.unrecovered ? Json("not recovered") : opt_json(c.rto);
    cj["failures"] = reasons_json(c.failures);
    cj["latency"] = latency_json(c.latency);
    classes.push_back(cj);
  }
  j["classes"] = classes;
  Json comps = Json::array();
  for (const auto& c : r.components) comps.push_back(component_json(c, with_series));
  j["components"] = comps;
  if (with_series) j["windows"] = r.windows.is_null() ? Json::object() : r.windows;
  Json tl = Json::array();
  for (const auto& e : r.timeline) {
    tl.push_back({{"time", e.time}, {"kind", e.kind}, {"target", e.target}, {"detail", e.detail}});
  }
  j["timeline"] = tl;
  Json recovery = Json::array();
  for (const auto& f : r.recovery) {
    recovery.push_back({{"fault", f.fault},
                        {"time", f.time},
                        {"disruption", f.disruption},
                        {"rto", opt_json(f.rto)},
                        {"rpo", f.rpo},
                        {"writes_lost", f.writes_lost},
                        {"predicted_rto", opt_json(f.predicted_rto)},
                        {"predicted_rpo", opt_json(f.predicted_rpo)},
                        {"prediction", f.prediction},
                        {"why", f.why}});
    Json cls = Json::array();
    for (const auto& c : f.classes) {
      cls.push_back({{"class", c.request_class}, {"rto", c.rto ? Json(*c.rto) : Json("not recovered")}});
    }
    recovery.back()["classes"] = cls;
    if (f.saturation) recovery.back()["saturation"] = to_json(*f.saturation);
  }
  j["recovery"] = recovery;
  Json resilience = Json::array();
  for (const auto& a : r.resilience) {
    resilience.push_back({{"disruption", a.disruption},
                          {"rto_target", opt_json(a.rto_target)},
                          {"rpo_target", opt_json(a.rpo_target)},
                          {"worst_rto", a.unrecovered ? Json("not recovered") : opt_json(a.worst_rto)},
                          {"worst_rpo", a.worst_rpo},
                          {"verdict", a.verdict()},
                          {"expected", a.expected},
                          {"detail", a.detail},
                          {"why", a.why}});
    Json cls = Json::array();
    for (const auto& c : a.classes) {
      cls.push_back({{"class", c.request_class},
                     {"rto_target", c.target},
                     {"worst_rto", c.unrecovered ? Json("not recovered") : opt_json(c.worst_rto)},
                     {"verdict", !a.exercised ? "not exercised" : c.met ? "met" : "breached"}});
    }
    resilience.back()["classes"] = cls;
  }
  j["resilience"] = resilience;
  Json losses = Json::array();
  for (const auto& l : r.data_losses) {
    losses.push_back({{"fault", l.fault},
                      {"time", l.time},
                      {"writes_lost", l.writes_lost},
                      {"rpo", l.rpo},
                      {"explanation", l.explanation}});
  }
  j["data_losses"] = losses;
  Json scale = Json::array();
  for (const auto& e : r.scale_events) {
    scale.push_back({{"time", e.time}, {"component", e.component}, {"from", e.from}, {"to", e.to}, {"reason", e.reason}});
  }
  j["scale_events"] = scale;
  Json scaling = Json::array();
  for (const auto& x : r.autoscaling) {
    scaling.push_back({{"component", x.component},
                       {"min", x.min},
                       {"max", x.max},
                       {"peak_replicas", x.peak_replicas},
                       {"scale_events", x.scale_events},
                       {"flaps", x.flaps},
                       {"time_to_scale", x.unreached ? Json("target never reached") : opt_json(x.time_to_scale)},
                       {"saturated_windows", x.saturated_windows},
                       {"saturated_seconds", x.saturated_seconds},
                       {"instance_hours", x.instance_hours}});
  }
  j["autoscaling"] = scaling;
  if (!r.clients.empty()) {  // only with scenario clients: other reports keep their bytes
    Json groups = Json::array();
    for (const auto& g : r.clients) {
      groups.push_back({{"name", g.name},
                        {"clients", g.clients},
                        {"generated", g.generated},
                        {"completed", g.completed},
                        {"failed", g.failed},
                        {"rate_limited", g.rate_limited},
                        {"top_client", {{"generated", g.top_client_generated},
                                        {"rate_limited", g.top_client_rate_limited}}}});
    }
    j["clients"] = groups;
  }
  if (r.cost) {  // only with a pricing file: reports of designs without one keep their bytes
    const model::CostEstimate& c = *r.cost;
    Json lines = Json::array();
    for (const auto& l : c.lines) {
      lines.push_back({{"component", l.component},
                       {"item", l.item},
                       {"detail", l.detail},
                       {"quantity", l.quantity},
                       {"unit", l.unit},
                       {"unit_price", l.unit_price},
                       {"per_month", l.per_month}});
    }
    j["cost"] = {{"pricing", c.pricing},      {"pricing_file", c.pricing_file},
                 {"currency", c.currency},    {"source", c.source},
                 {"date", c.date},            {"hours_per_month", c.hours_per_month},
                 {"per_month", c.per_month},  {"lines", lines}};
  }
  if (r.alerts) {
    Json al;
    al["rules_file"] = r.alerts->rules_file;
    al["step"] = r.alerts->step;
    al["evaluated_by"] = "prometheus query_range at every step; for: applied per label set";
    al["error"] = r.alerts->error;
    Json rules = Json::array();
    for (const auto& x : r.alerts->rules) {
      Json firings = Json::array();
      for (const auto& f : x.firings) {
        firings.push_back({{"labels", f.labels},
                           {"pending_at", f.pending_at},
                           {"fired_at", f.fired_at},
                           {"resolved_at", opt_json(f.resolved_at)},
                           {"fault", f.fault.empty() ? Json(nullptr) : Json(f.fault)},
                           {"time_to_detect", opt_json(f.time_to_detect)}});
      }
      Json faults = Json::array();
      for (const auto& f : x.faults) {
        faults.push_back({{"fault", f.fault}, {"at", f.at}, {"time_to_detect", opt_json(f.time_to_detect)}});
      }
      rules.push_back({{"alert", x.name},
                       {"expr", x.expr},
                       {"for", x.hold},
                       {"file", x.file},
                       {"line", x.line},
                       {"firings", firings},
                       {"faults", faults},
                       {"false_alarms", x.false_alarms}});
    }
    al["rules"] = rules;
    j["alerts"] = al;
  }
  return j;
}

}  // namespace

Json to_json(const ScenarioInfo& s) {
  Json sc;
  sc["name"] = s.name;
  sc["description"] = s.description;
  sc["file"] = s.file;
  sc["topology"] = s.topology;
  sc["topology_file"] = s.topology_file;
  sc["seed"] = s.seed;
  sc["duration"] = s.duration;
  sc["warmup"] = s.warmup;
  sc["window"] = s.window;
  return sc;
}

Json to_json(const ExpectationRow& e) {
  Json x;
  x["metric"] = e.metric;
  if (!e.request_class.empty()) x["class"] = e.request_class;
  if (!e.bound.empty()) x["bound"] = e.bound;
  x["expected"] = e.expected;
  x["expected_value"] = e.expected_value;
  if (e.runs_passed) x["runs_passed"] = *e.runs_passed;
  x["actual"] = e.actual;
  x["actual_value"] = opt_json(e.actual_value);
  if (e.mean) x["mean"] = *e.mean;
  if (e.ci_low) x["ci_low"] = *e.ci_low;
  if (e.ci_high) x["ci_high"] = *e.ci_high;
  x["verdict"] = e.pass ? "PASS" : "FAIL";
  if (!e.note.empty() || !e.bound.empty()) x["note"] = e.note;
  if (!e.reason.empty()) x["reason"] = e.reason;
  x["line"] = e.line;
  return x;
}

Json to_json(const Provenance& p) {
  Json j;
  j["version"] = p.version;
  j["command"] = p.command;
  j["seed"] = p.seed;
  j["seed_source"] = p.seed_source;
  if (!p.topology_override.empty()) j["topology_override"] = p.topology_override;
  j["overrides"] = p.overrides;
  j["extra_faults"] = p.extra_faults;
  Json inputs = Json::array();
  for (const auto& f : p.inputs) {
    inputs.push_back({{"role", f.role}, {"path", f.path}, {"sha256", f.sha256}, {"bytes", f.bytes}});
  }
  j["inputs"] = inputs;
  return j;
}

Json to_json(const SaturationRow& x) {
  return {{"component", x.component}, {"instances", x.instances}, {"ready", x.ready},
          {"busy", x.busy},           {"queue_full", x.queue_full}, {"offered", x.offered},
          {"needed", x.needed},       {"from", x.from},             {"to", x.to},
          {"text", x.text}};
}

Json to_json(const RunReport& r) { return to_json(r, true); }

// ---- reading --------------------------------------------------------------------------------------------

namespace {

// Field readers: the value when it has the right type, else the default (never throw).
std::string text(const Json& j, std::string_view key) {
  const Json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
double number(const Json& j, std::string_view key) {
  const Json& v = member(j, key);
  return v.is_number() ? v.get<double>() : 0.0;
}
std::optional<double> opt_number(const Json& j, std::string_view key) {
  const Json& v = member(j, key);
  return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
}
std::uint64_t count(const Json& j, std::string_view key) {
  const Json& v = member(j, key);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number() && v.get<double>() >= 0 && v.get<double>() < 1.8e19) {
    return static_cast<std::uint64_t>(std::llround(v.get<double>()));
  }
  return 0;
}
int integer(const Json& j, std::string_view key) {
  const Json& v = member(j, key);
  if (v.is_number_integer()) return static_cast<int>(std::clamp<std::int64_t>(v.get<std::int64_t>(), INT32_MIN, INT32_MAX));
  return 0;
}
bool boolean(const Json& j, std::string_view key, bool def) {
  const Json& v = member(j, key);
  return v.is_boolean() ? v.get<bool>() : def;
}
const Json& array(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::array();
  const Json& v = member(j, key);
  return v.is_array() ? v : kEmpty;
}

LatencyRow parse_latency(const Json& j) {
  return {count(j, "count"), number(j, "mean"), number(j, "p50"),  number(j, "p90"),
          number(j, "p99"),  number(j, "p999"), number(j, "max"),  number(j, "p95")};
}

std::vector<std::string> strings(const Json& j, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& v : array(j, key)) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

ReasonRows parse_reasons(const Json& j) {
  ReasonRows out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_number_unsigned()) out.emplace_back(it.key(), it.value().get<std::uint64_t>());
  }
  return out;
}

}  // namespace

Provenance parse_provenance(const Json& p) {
  Provenance out;
  out.version = text(p, "version");
  out.command = text(p, "command");
  out.seed = count(p, "seed");
  out.seed_source = text(p, "seed_source");
  out.topology_override = text(p, "topology_override");
  out.overrides = strings(p, "overrides");
  out.extra_faults = strings(p, "extra_faults");
  for (const auto& f : array(p, "inputs")) {
    out.inputs.push_back({text(f, "role"), text(f, "path"), text(f, "sha256"), count(f, "bytes")});
  }
  return out;
}

ScenarioInfo parse_scenario_info(const Json& sc) {
  return {text(sc, "name"),    text(sc, "description"), text(sc, "file"),   text(sc, "topology"),
          text(sc, "topology_file"), count(sc, "seed"), number(sc, "duration"), number(sc, "warmup"),
          number(sc, "window")};
}

ExpectationRow parse_expectation(const Json& e) {
  ExpectationRow x;
  x.metric = text(e, "metric");
  x.request_class = text(e, "class");
  x.expected = text(e, "expected");
  x.expected_value = number(e, "expected_value");
  x.actual = text(e, "actual");
  x.actual_value = opt_number(e, "actual_value");
  x.pass = text(e, "verdict") == "PASS";
  x.note = text(e, "note");
  x.reason = text(e, "reason");
  x.line = integer(e, "line");
  x.bound = text(e, "bound");
  if (member(e, "runs_passed").is_number()) x.runs_passed = count(e, "runs_passed");
  x.mean = opt_number(e, "mean");
  x.ci_low = opt_number(e, "ci_low");
  x.ci_high = opt_number(e, "ci_high");
  return x;
}

std::optional<RunReport> parse_run_report(const Json& j, std::string* error) {
  if (!j.is_object() || !member(j, "scenario").is_object() || !member(j, "summary").is_object()) {
    if (error) *error = "not an infrasim report (no scenario and summary)";
    return std::nullopt;
  }
  RunReport r;
  r.version = text(member(j, "infrasim"), "version");
  r.format = member(member(j, "infrasim"), "report_format").is_number_integer() ? integer(member(j, "infrasim"), "report_format") : 1;
  r.scenario = parse_scenario_info(member(j, "scenario"));
  r.provenance = parse_provenance(member(j, "provenance"));
  const Json& sum = member(j, "summary");
  r.summary.generated = count(sum, "generated");
  r.summary.completed = count(sum, "completed");
  r.summary.failed = count(sum, "failed");
  r.summary.in_flight = count(sum, "in_flight");
  const Json& cons = member(sum, "conservation");
  r.summary.conservation = {boolean(cons, "ok", true), count(cons, "generated"), count(cons, "completed_failed_in_flight")};
  r.summary.throughput = number(sum, "throughput");
  r.summary.error_rate = number(sum, "error_rate");
  r.summary.latency = parse_latency(member(sum, "latency"));
  r.summary.failures = parse_reasons(member(sum, "failures"));
  for (const auto& e : array(j, "expectations")) r.expectations.push_back(parse_expectation(e));
  r.passed = boolean(j, "passed", std::all_of(r.expectations.begin(), r.expectations.end(),
                                              [](const ExpectationRow& e) { return e.pass; }));
  // A report without `outcome` (format 1) passed or failed.
  r.outcome = member(j, "outcome").is_string() ? text(j, "outcome") : (r.passed ? "pass" : "fail");
  r.outcome_detail = text(j, "outcome_detail");
  if (member(j, "expected_failure").is_object()) {
    r.expected_failure = ExpectedFailureRow{text(member(j, "expected_failure"), "reason"),
                                            strings(member(j, "expected_failure"), "fails")};
  }
  for (const auto& c : array(j, "classes")) {
    ClassRow row{text(c, "name"), count(c, "generated"), count(c, "completed"), count(c, "failed"),
                 parse_reasons(member(c, "failures")), parse_latency(member(c, "latency")),
                 false, 0, std::nullopt, std::nullopt, false};
    row.write = boolean(c, "write", false);
    row.error_rate = number(c, "error_rate");
    row.availability = opt_number(c, "availability");
    row.rto = opt_number(c, "rto");
    row.unrecovered = member(c, "rto").is_string();
    r.classes.push_back(std::move(row));
  }
  for (const auto& c : array(j, "components")) {
    ComponentRow x;
    x.name = text(c, "name");
    x.kind = text(c, "kind");
    x.instances = integer(c, "instances");
    x.utilization = number(c, "utilization");
    x.served = count(c, "served");
    x.queue_full = count(c, "queue_full");
    x.wait_mean = number(c, "wait_mean");
    x.instance_hours = number(c, "instance_hours");
    x.lookups = count(c, "lookups");
    x.hit_ratio = number(c, "hit_ratio");
    x.writes = count(c, "writes");
    x.connections_max = integer(c, "connections_max");
    x.connections_refused = count(c, "connections_refused");
    const Json& lag = member(c, "replication_lag");
    x.lag_mean = number(lag, "mean");
    x.lag_p99 = number(lag, "p99");
    x.lag_max = number(lag, "max");
    x.jobs_done = count(c, "jobs_done");
    x.jobs_retried = count(c, "jobs_retried");
    x.dead_letters = count(c, "dead_letters");
    x.depth_max = count(c, "depth_max");
    x.retries = count(c, "retries");
    x.ejections = count(c, "ejections");
    if (const Json& n = member(c, "restarts"); n.is_object()) {
      x.restarts = RestartsRow{integer(n, "total"), integer(n, "by_faults"), integer(n, "unexplained")};
    }
    for (const auto& i : array(c, "instance_stats")) {
      x.instances_stats.push_back({text(i, "name"), text(i, "zone"), number(i, "utilization"), count(i, "served"),
                                   number(i, "queue_mean"), count(i, "queue_max"), number(i, "up_seconds")});
    }
    for (const auto& sh : array(c, "shards")) {
      x.shards.push_back({integer(sh, "index"), text(sh, "primary"), count(sh, "queries"), number(sh, "share"),
                          number(sh, "utilization"), number(sh, "busiest_utilization")});
    }
    x.shards_final = integer(c, "shards_final");
    x.reshards = count(c, "reshards");
    x.bytes_moved = number(c, "bytes_moved");
    if (const Json& h = member(c, "hot_shard"); h.is_object()) {
      x.hot_shard = HotShardRow{integer(h, "index"), text(h, "primary"), number(h, "share"),
                                number(h, "busiest_utilization"), number(h, "imbalance"), boolean(h, "hot", false),
                                text(h, "finding")};
    }
    for (const auto& k : array(c, "classes")) {
      x.cache_classes.push_back({text(k, "name"), number(k, "predicted_hit_ratio"), number(k, "hit_ratio"), count(k, "lookups")});
    }
    if (member(c, "evictions").is_number()) x.evictions = number(c, "evictions");
    if (x.kind == "cache" && member(c, "writes").is_number()) x.cache_writes = count(c, "writes");
    if (member(c, "failovers").is_number()) x.failovers = count(c, "failovers");
    x.series = member(c, "series").is_object() ? member(c, "series") : Json::object();
    r.components.push_back(std::move(x));
  }
  r.windows = member(j, "windows").is_object() ? member(j, "windows") : Json::object();
  for (const auto& e : array(j, "timeline")) {
    r.timeline.push_back({number(e, "time"), text(e, "kind"), text(e, "target"), text(e, "detail")});
  }
  for (const auto& f : array(j, "recovery")) {
    RecoveryRow row{text(f, "fault"), number(f, "time"), text(f, "disruption"), opt_number(f, "rto"),
                    number(f, "rpo"), count(f, "writes_lost"), opt_number(f, "predicted_rto"),
                    opt_number(f, "predicted_rpo"), text(f, "prediction"), "", {}, std::nullopt};
    row.why = text(f, "why");
    for (const auto& c : array(f, "classes")) row.classes.push_back({text(c, "class"), opt_number(c, "rto")});
    if (const Json& x = member(f, "saturation"); x.is_object()) {
      row.saturation = SaturationRow{text(x, "component"), integer(x, "instances"), integer(x, "ready"),
                                     number(x, "busy"),    count(x, "queue_full"), number(x, "offered"),
                                     integer(x, "needed"), number(x, "from"),      number(x, "to"),
                                     text(x, "text")};
    }
    r.recovery.push_back(std::move(row));
  }
  for (const auto& a : array(j, "resilience")) {
    ResilienceRow row{text(a, "disruption"), opt_number(a, "rto_target"), opt_number(a, "rpo_target"),
                      opt_number(a, "worst_rto"), member(a, "worst_rto").is_string(), number(a, "worst_rpo"),
                      text(a, "verdict") != "breached", text(a, "verdict") != "not exercised", text(a, "detail"),
                      "", "", {}};
    row.expected = text(a, "expected");
    row.why = text(a, "why");
    for (const auto& c : array(a, "classes")) {
      row.classes.push_back({text(c, "class"), number(c, "rto_target"), opt_number(c, "worst_rto"),
                             member(c, "worst_rto").is_string(), text(c, "verdict") != "breached"});
    }
    r.resilience.push_back(std::move(row));
  }
  for (const auto& l : array(j, "data_losses")) {
    r.data_losses.push_back({text(l, "fault"), number(l, "time"), count(l, "writes_lost"), number(l, "rpo"),
                             text(l, "explanation")});
  }
  for (const auto& e : array(j, "scale_events")) {
    r.scale_events.push_back({number(e, "time"), text(e, "component"), integer(e, "from"), integer(e, "to"),
                              text(e, "reason")});
  }
  for (const auto& x : array(j, "autoscaling")) {
    r.autoscaling.push_back({text(x, "component"), integer(x, "min"), integer(x, "max"), integer(x, "peak_replicas"),
                             integer(x, "scale_events"), integer(x, "flaps"), opt_number(x, "time_to_scale"),
                             member(x, "time_to_scale").is_string(), integer(x, "saturated_windows"),
                             number(x, "saturated_seconds"), number(x, "instance_hours")});
  }
  for (const auto& g : array(j, "clients")) {
    model::ClientGroupStats x;
    x.name = text(g, "name");
    x.clients = integer(g, "clients");
    x.generated = count(g, "generated");
    x.completed = count(g, "completed");
    x.failed = count(g, "failed");
    x.rate_limited = count(g, "rate_limited");
    x.top_client_generated = count(member(g, "top_client"), "generated");
    x.top_client_rate_limited = count(member(g, "top_client"), "rate_limited");
    r.clients.push_back(std::move(x));
  }
  if (const Json& c = member(j, "cost"); c.is_object()) {
    model::CostEstimate e;
    e.pricing = text(c, "pricing");
    e.pricing_file = text(c, "pricing_file");
    e.currency = text(c, "currency");
    e.source = text(c, "source");
    e.date = text(c, "date");
    e.hours_per_month = number(c, "hours_per_month");
    e.per_month = number(c, "per_month");
    for (const auto& l : array(c, "lines")) {
      e.lines.push_back({text(l, "component"), text(l, "item"), text(l, "detail"), number(l, "quantity"),
                         text(l, "unit"), number(l, "unit_price"), number(l, "per_month")});
    }
    r.cost = std::move(e);
  }
  if (const Json& al = member(j, "alerts"); al.is_object()) {
    AlertsSection sec{text(al, "rules_file"), number(al, "step"), text(al, "error"), {}};
    for (const auto& x : array(al, "rules")) {
      AlertRuleRow row{text(x, "alert"), text(x, "expr"), text(x, "file"), integer(x, "line"), number(x, "for"),
                       {}, {}, integer(x, "false_alarms")};
      for (const auto& f : array(x, "firings")) {
        row.firings.push_back({text(f, "labels"), number(f, "pending_at"), number(f, "fired_at"),
                               opt_number(f, "resolved_at"), text(f, "fault"), opt_number(f, "time_to_detect")});
      }
      for (const auto& f : array(x, "faults")) {
        row.faults.push_back({text(f, "fault"), number(f, "at"), opt_number(f, "time_to_detect")});
      }
      sec.rules.push_back(std::move(row));
    }
    r.alerts = std::move(sec);
  }
  return r;
}

std::optional<RunReport> read_run_report(const std::string& path, std::string* error) {
  std::string why;
  auto j = read_json_file(path, &why);
  if (!j) {
    if (error) *error = why;
    return std::nullopt;
  }
  auto r = parse_run_report(*j, &why);
  if (!r && error) *error = path + ": " + why;
  return r;
}

// ---- reading values -------------------------------------------------------------------------------------

std::optional<double> RunReport::value(const scenario::MetricInfo& metric) const {
  if (!metric.pointer.empty()) {
    Json doc = to_json(*this, false);  // named: at_pointer returns a reference into it
    const Json& v = at_pointer(doc, metric.pointer);
    if (v.is_number()) return v.get<double>();
    return std::nullopt;
  }
  if (const ExpectationRow* e = expectation(std::string(metric.name))) return e->actual_value;
  return std::nullopt;
}

std::vector<std::string> RunReport::failing() const {
  std::vector<std::string> out;
  for (const auto& e : expectations) {
    if (!e.pass) out.push_back(e.id());
  }
  for (const auto& a : resilience) {
    if (!a.met) out.push_back(a.id());
  }
  return out;
}

const ExpectationRow* RunReport::expectation(const std::string& metric, const std::string& request_class) const {
  for (const auto& e : expectations) {
    if (e.metric == metric && e.request_class == request_class) return &e;
  }
  return nullptr;
}

Json RunReport::chart_json() const {
  Json j;
  j["scenario"] = to_json(scenario);
  Json ex = Json::array();
  for (const auto& e : expectations) ex.push_back(to_json(e));
  j["expectations"] = ex;
  Json full = to_json(*this, false);
  j["timeline"] = full["timeline"];
  j["scale_events"] = full["scale_events"];
  Json w;
  for (const char* key : {"start", "arrivals", "completed", "failed", "latency_p50", "latency_p99", "merged_windows"}) {
    if (!member(windows, key).is_null()) w[key] = member(windows, key);
  }
  j["windows"] = w;
  return j;
}

}  // namespace sim::report
