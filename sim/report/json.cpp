#include "sim/report/json.h"

#include <algorithm>
#include <cmath>

#include "sim/check/autoscaling.h"
#include "sim/check/recovery.h"
#include "sim/scenario/metrics.h"

namespace sim::report {

double fixed(double x) {
  if (!std::isfinite(x)) return 0;
  double r = std::round(x * 1e6) / 1e6;
  return r == 0 ? 0.0 : r;  // no "-0"
}

namespace {

Json latency_json(const model::LatencyStats& l) {
  Json j;
  j["count"] = l.count;
  j["mean"] = fixed(l.mean);
  j["p50"] = fixed(l.p50);
  j["p90"] = fixed(l.p90);
  j["p99"] = fixed(l.p99);
  j["p999"] = fixed(l.p999);
  j["max"] = fixed(l.max);
  return j;
}

Json reasons_json(const model::ReasonCounts& c) {
  Json j = Json::object();
  for (int i = 0; i < model::kReasonCount; ++i) {
    if (c[static_cast<std::size_t>(i)]) j[model::reason_name(static_cast<model::FailReason>(i))] = c[static_cast<std::size_t>(i)];
  }
  return j;
}

// Windows merged by `factor` so that at most kMaxSeriesPoints remain. Counts add
// up; latency percentiles of a merged point are the worst of its windows.
Json windows_json(const model::RunResult& r, std::size_t* factor_out) {
  std::size_t n = r.windows.size();
  std::size_t factor = std::max<std::size_t>(1, (n + kMaxSeriesPoints - 1) / kMaxSeriesPoints);
  *factor_out = factor;
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
  return j;
}

Json component_series(const model::ComponentStats& c, std::size_t factor) {
  Json util = Json::array(), queue = Json::array(), ready = Json::array(), desired = Json::array(),
       extra = Json::array(), wait = Json::array(), waits = Json::array();
  const auto& s = c.series;
  for (std::size_t i = 0; i < s.size(); i += factor) {
    double u = 0, q = 0, x = 0, wsum = 0;
    std::uint64_t wn = 0;
    int rd = 0, de = 0;
    std::size_t m = 0;
    for (std::size_t k = i; k < std::min(s.size(), i + factor); ++k, ++m) {
      wsum += s[k].wait_mean * static_cast<double>(s[k].wait_count);
      wn += s[k].wait_count;
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
  }
  Json j;
  j["utilization"] = util;
  j["queue_mean"] = queue;
  j["ready"] = ready;
  j["desired"] = desired;
  j["wait_mean"] = wait;
  j["wait_count"] = waits;
  if (c.kind == "cache") j["hit_ratio"] = extra;
  if (c.kind == "database") j["replication_lag_max"] = extra;
  if (c.kind == "queue") j["depth"] = extra;
  return j;
}

}  // namespace

Json run_json(const scenario::Scenario& s, const topology::Topology& t, const model::RunResult& r,
              const std::vector<check::Verdict>& verdicts) {
  Json j;
  j["infrasim"] = {{"version", INFRASIM_VERSION}, {"report_format", 1}};
  Json sc;
  sc["name"] = s.name;
  sc["description"] = s.description;
  sc["file"] = s.file;
  sc["topology"] = t.name;
  sc["topology_file"] = s.topology_path;
  sc["seed"] = r.seed;
  sc["duration"] = fixed(r.duration);
  sc["warmup"] = fixed(r.warmup);
  sc["window"] = fixed(r.window);
  j["scenario"] = sc;

  Json sum;
  sum["generated"] = r.generated;
  sum["completed"] = r.completed;
  sum["failed"] = r.failed;
  sum["in_flight"] = r.in_flight;
  sum["conservation"] = {{"ok", r.conserved()},
                         {"rule", "generated = completed + failed + in_flight"},
                         {"generated", r.generated},
                         {"completed_failed_in_flight", r.completed + r.failed + r.in_flight}};
  sum["throughput"] = fixed(r.throughput);
  sum["error_rate"] = fixed(r.error_rate);
  sum["latency"] = latency_json(r.latency);
  sum["failures"] = reasons_json(r.failures);
  j["summary"] = sum;

  Json ex = Json::array();
  bool all = true;
  for (const auto& v : verdicts) {
    Json e;
    e["metric"] = v.expectation.metric;
    if (!v.expectation.request_class.empty()) e["class"] = v.expectation.request_class;
    e["expected"] = v.expected_text;
    e["expected_value"] = fixed(v.expectation.value);
    e["actual"] = v.actual_text;
    e["actual_value"] = v.actual ? Json(fixed(*v.actual)) : Json(nullptr);
    e["verdict"] = v.pass ? "PASS" : "FAIL";
    if (!v.note.empty()) e["note"] = v.note;
    e["line"] = v.expectation.pos.line;
    ex.push_back(e);
    all = all && v.pass;
  }
  j["expectations"] = ex;
  j["passed"] = all;

  Json classes = Json::array();
  for (const auto& c : r.classes) {
    Json cj;
    cj["name"] = c.name;
    cj["generated"] = c.generated;
    cj["completed"] = c.completed;
    cj["failed"] = c.failed;
    cj["failures"] = reasons_json(c.failures);
    cj["latency"] = latency_json(c.latency);
    classes.push_back(cj);
  }
  j["classes"] = classes;

  std::size_t factor = 1;
  Json windows = windows_json(r, &factor);
  Json comps = Json::array();
  for (const auto& c : r.components) {
    Json cj;
    cj["name"] = c.name;
    cj["kind"] = c.kind;
    cj["instances"] = c.instances;
    cj["utilization"] = fixed(c.utilization);
    cj["served"] = c.served;
    cj["wait_mean"] = fixed(c.wait_mean);
    cj["instance_hours"] = fixed(c.instance_hours);
    if (c.kind == "cache") {
      cj["lookups"] = c.cache_lookups;
      cj["hit_ratio"] = fixed(c.cache_hit_ratio);
    }
    if (c.kind == "database") {
      cj["writes"] = c.writes;
      cj["connections_max"] = c.connections_max;
      cj["connections_refused"] = c.connections_refused;
      cj["replication_lag"] = {{"mean", fixed(c.replication_lag_mean)},
                               {"p99", fixed(c.replication_lag_p99)},
                               {"max", fixed(c.replication_lag_max)}};
    }
    if (c.kind == "queue") {
      cj["jobs_done"] = c.jobs_done;
      cj["jobs_retried"] = c.jobs_retried;
      cj["dead_letters"] = c.dead_letters;
      cj["depth_max"] = c.queue_depth_max;
    }
    Json inst = Json::array();
    for (const auto& i : c.instance_stats) {
      inst.push_back({{"name", i.name},
                      {"zone", i.zone},
                      {"utilization", fixed(i.utilization)},
                      {"served", i.served},
                      {"queue_mean", fixed(i.queue_mean)},
                      {"queue_max", i.queue_max},
                      {"up_seconds", fixed(i.up_seconds)}});
    }
    cj["instance_stats"] = inst;
    cj["series"] = component_series(c, factor);
    comps.push_back(cj);
  }
  j["components"] = comps;
  windows["merged_windows"] = factor;
  j["windows"] = windows;

  Json tl = Json::array();
  for (const auto& e : r.timeline) {
    tl.push_back({{"time", fixed(e.time)}, {"kind", e.kind}, {"target", e.target}, {"detail", e.detail}});
  }
  j["timeline"] = tl;

  check::RecoverySummary rec = check::summarize_recovery(s, r, &t);
  auto opt = [](const std::optional<double>& v) { return v ? Json(fixed(*v)) : Json(nullptr); };
  Json recovery = Json::array();
  for (const auto& f : rec.faults) {
    recovery.push_back({{"fault", f.fault},
                        {"time", fixed(f.time)},
                        {"disruption", f.predicted.disruption},
                        {"rto", opt(f.rto)},
                        {"rpo", fixed(f.rpo)},
                        {"writes_lost", f.writes_lost},
                        {"predicted_rto", opt(f.predicted.rto)},
                        {"predicted_rpo", opt(f.predicted.rpo)},
                        {"prediction", f.predicted.explanation}});
  }
  j["recovery"] = recovery;
  Json resilience = Json::array();
  for (const auto& a : rec.assessment) {
    resilience.push_back({{"disruption", a.disruption},
                          {"rto_target", opt(a.rto_target)},
                          {"rpo_target", opt(a.rpo_target)},
                          {"worst_rto", a.unrecovered ? Json("not recovered") : opt(a.worst_rto)},
                          {"worst_rpo", fixed(a.worst_rpo)},
                          {"verdict", a.met ? "met" : "breached"},
                          {"detail", a.detail}});
  }
  j["resilience"] = resilience;
  Json losses = Json::array();
  for (const auto& l : r.data_losses) {
    losses.push_back({{"fault", l.fault},
                      {"time", fixed(l.time)},
                      {"writes_lost", l.writes_lost},
                      {"rpo", fixed(l.rpo)},
                      {"explanation", l.explanation}});
  }
  j["data_losses"] = losses;
  Json scale = Json::array();
  for (const auto& e : r.scale_events) {
    scale.push_back({{"time", fixed(e.time)}, {"component", e.component}, {"from", e.from}, {"to", e.to}, {"reason", e.reason}});
  }
  j["scale_events"] = scale;
  Json scaling = Json::array();
  for (const auto& x : check::summarize_scaling(s, r)) {
    scaling.push_back({{"component", x.component},
                       {"min", x.min},
                       {"max", x.max},
                       {"peak_replicas", x.peak_replicas},
                       {"scale_events", x.scale_events},
                       {"flaps", x.flaps},
                       {"time_to_scale", x.unreached ? Json("target never reached") : opt(x.time_to_scale)},
                       {"saturated_windows", x.saturated_windows},
                       {"saturated_seconds", fixed(x.saturated_seconds)},
                       {"instance_hours", fixed(x.instance_hours)}});
  }
  j["autoscaling"] = scaling;
  return j;
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

}  // namespace sim::report
