#include "sim/capacity/report.h"

#include "sim/report/html.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"

namespace sim::capacity {

namespace {

using report::Json;
using report::fixed;
using core::format_duration;
using core::format_number;
using core::format_rate;
using core::format_ratio;

std::string count(double x) { return format_count(x); }

std::string month_label(double m) { return m == 0 ? "now" : fmt::format("month {}", format_number(m, 4)); }

std::string growth_text(const Growth& g, bool bytes) {
  auto v = [&](double x) { return bytes ? format_bytes(x) : count(x); };
  switch (g.model) {
    case Growth::Model::kNone: return "";
    case Growth::Model::kCompound:
      return fmt::format("{} now, ×{} per year (compound)", v(g.current), format_number(g.yearly));
    case Growth::Model::kLinear: return fmt::format("{} now, +{} per year (linear)", v(g.current), v(g.per_year));
    case Growth::Model::kPoints: {
      std::string s;
      for (const auto& [m, x] : g.points) s += fmt::format("{}month {}: {}", s.empty() ? "" : ", ", format_number(m), v(x));
      return s + " (linear between points)";
    }
  }
  return "";
}

Json outcome_json(const Outcome& o, std::size_t tier) {
  Json j;
  j["passed"] = o.pass;
  j["p99"] = fixed(o.p99);
  j["error_rate"] = fixed(o.error_rate);
  j["misses"] = o.misses;
  Json f = Json::object();
  for (const auto& [k, n] : o.failures) f[k] = n;
  j["failures"] = f;
  if (tier < o.tiers.size() && o.tiers[tier].found) {
    const auto& t = o.tiers[tier];
    j["utilization"] = fixed(t.utilization);
    if (!t.busiest.empty()) {
      j["busiest_instance"] = t.busiest;
      j["busiest_utilization"] = fixed(t.busiest_utilization);
    }
    if (t.hit_ratio) j["hit_ratio"] = fixed(*t.hit_ratio);
    if (t.connections_max) {
      j["connections_max"] = t.connections_max;
      j["connections_refused"] = t.connections_refused;
    }
  }
  return j;
}

// "a; b" from a JSON array of strings.
std::string describe_list(const Json& a) {
  std::string s;
  for (const auto& x : a) s += (s.empty() ? "" : "; ") + x.get<std::string>();
  return s.empty() ? "passed" : s;
}

double util_of(const Outcome& o, std::size_t t) { return t < o.tiers.size() ? o.tiers[t].utilization : 0; }

bool has_failure(const Outcome& o, const char* reason) {
  auto it = o.failures.find(reason);
  return it != o.failures.end() && it->second > 0;
}

}  // namespace

std::string explain_difference(const TierProjection& analytic, const TierAnswer& sim, std::size_t t, const Tier& tier,
                               double headroom_cpu) {
  int min = tier.min;
  int an = std::max({analytic.by_load, min, 1});
  int s = sim.count;
  double at_u = sim.at ? util_of(*sim.at, t) : 0;
  std::string head;
  if (s == an) {
    head = fmt::format("matches the request-cost estimate (analytic {}; {} busy with {})", an, format_ratio(at_u), s);
  } else if (s < an) {
    head = fmt::format("{} fewer than the request-cost estimate (analytic {}): the targets hold at {} busy, above the "
                       "{} CPU headroom the estimate keeps",
                       an - s, an, format_ratio(at_u), format_ratio(headroom_cpu));
  } else {
    head = fmt::format("{} more than the request-cost estimate (analytic {})", s - an, an);
  }
  // The plan's per-user CPU against the CPU the simulated requests cost: name a disagreement.
  if (analytic.cpu > 0 && sim.at) {
    double busy = at_u * s * tier.server.cores;
    int by_cpu = analytic.by_cpu;
    if (by_cpu > 2 * s || 2 * by_cpu < s) {
      head += fmt::format("; the per-user CPU estimate (analytic) asks for {}: {} cores for the users, where the "
                          "simulated requests kept {} cores busy — the plan's CPU per user does not match the "
                          "scenario's request costs",
                          by_cpu, format_number(analytic.cpu, 4), format_number(busy, 3));
    }
  }
  if (!sim.below) {
    return head + (s <= std::max(min, 1) ? fmt::format("; {} is the tier's minimum", s) : std::string());
  }
  // Why one server fewer failed, from what that run reported.
  const Outcome& b = *sim.below;
  double u = util_of(b, t);
  const TierObservation* obs = t < b.tiers.size() ? &b.tiers[t] : nullptr;
  bool refused = std::any_of(b.misses.begin(), b.misses.end(),
                             [](const std::string& m) { return m.find("refused") != std::string::npos; });
  std::string cause;
  if (refused || has_failure(b, "db_unavailable")) {
    cause = "connection limits: the database refuses connections (pool × instances against max_connections)";
  } else if (obs && obs->busiest_utilization > u + 0.15) {
    // The busiest instance saturates first; the analytic count assumes an even spread.
    cause = fmt::format("uneven load: {} is {} busy while the tier averages {}, and the analytic count assumes an "
                        "even spread",
                        obs->busiest, format_ratio(obs->busiest_utilization), format_ratio(u));
  } else if (has_failure(b, "queue_full") || has_failure(b, "timeout") || u >= 0.85) {
    cause = fmt::format("queueing at high utilization: at {} busy the queues grow until requests wait past the "
                        "targets",
                        format_ratio(u));
  } else if (u < headroom_cpu) {
    cause = fmt::format("latency, not CPU: the p99 target is missed at only {} busy (queueing delay grows well "
                        "before saturation)",
                        format_ratio(u));
  } else {
    cause = fmt::format("queueing: at {} busy the waits push the p99 past the target", format_ratio(u));
  }
  if (obs && obs->hit_ratio) cause += fmt::format("; cache hit ratio {}", format_ratio(*obs->hit_ratio));
  return fmt::format("{}; with {} the run fails ({}): {}", head, sim.below_count, describe_misses(b), cause);
}

Recommendation recommend(const Plan& plan, const Tier& tier, const TierProjection& tp, const TierAnswer* sim,
                         bool feasible, std::size_t t) {
  Recommendation r;
  if (!sim) {
    // Not simulated: the analytic requirement, named as such.
    r.servers = tp.required;
    r.binding = tp.binding;
    r.reason = tp.binding == "min" ? fmt::format("the tier's min {} (analytic: every estimate is lower)", tier.min)
                                   : fmt::format("analytic: the {} estimate with headroom gives {}", tp.binding,
                                                 tp.required);
    return r;
  }
  r.simulated = true;
  if (!feasible) {
    r.feasible = false;
    r.binding = "none";
    r.reason = fmt::format("no count up to {} met the targets at this load", plan.simulate.max_servers);
    return r;
  }
  int s = sim->count;
  double u = sim->at ? util_of(*sim->at, t) : 0;
  r.busy_cores = u * s * tier.server.cores;
  r.at_headroom = std::max(s, servers_for(u * s / plan.headroom_cpu));
  r.n_plus_1 = s + 1;
  bool mem = tier.memory_share > 0 && plan.memory_per_user > 0;
  bool sto = tier.storage_share > 0 && (plan.storage_per_user > 0 || plan.data.given());
  r.servers = std::max({r.at_headroom, r.n_plus_1, mem ? tp.by_memory : 0, sto ? tp.by_storage : 0, tier.min});
  // Ties go to the first: headroom, N+1, memory, storage, min.
  std::string below = sim->below ? fmt::format("{} failed: {}", sim->below_count, describe_misses(*sim->below))
                                 : fmt::format("{} is under the tier's min", s - 1);
  if (r.at_headroom == r.servers) {
    r.binding = "headroom";
    r.reason = fmt::format("simulated: {} met the targets at {} busy ({} cores); {} keeps them at or under the {} CPU "
                           "headroom",
                           s, format_ratio(u), format_number(r.busy_cores, 3), r.servers,
                           format_ratio(plan.headroom_cpu));
  } else if (r.n_plus_1 == r.servers) {
    r.binding = "n+1";
    r.reason = fmt::format("simulated N+1: losing one of {} leaves {}, the fewest that met the targets ({})",
                           r.servers, s, below);
  } else if (mem && tp.by_memory == r.servers) {
    r.binding = "memory";
    r.reason = fmt::format("analytic memory: {} per-user memory at {} of {} per server", format_bytes(tp.memory),
                           format_ratio(plan.headroom_memory), format_bytes(tier.server.memory));
  } else if (sto && tp.by_storage == r.servers) {
    r.binding = "storage";
    r.reason = fmt::format("analytic storage: {} stored at {} of {} disk per server", format_bytes(tp.storage),
                           format_ratio(plan.headroom_storage), format_bytes(tier.server.disk));
  } else {
    r.binding = "min";
    r.reason = fmt::format("the tier's min {}", tier.min);
  }
  return r;
}

namespace {

// A `scale: both` tier at one horizon: the answer scaled out (`out`, the main search's, with its
// recommendation `rec`) against the one scaled up (`up`: the topology's instances, cores per
// instance searched; every other tier as in `out`) and, with two instances or more, `n1`: the
// cores each on one instance fewer (what survives one lost; null: none searched).
// Memory follows the cores (an instance family: twice the cores, twice the memory).
Json scale_up_or_out_json(const Plan& plan, const Tier& tier, std::size_t t, const HorizonAnswer& out, const Json& rec,
                          const HorizonAnswer& up, const HorizonAnswer* n1) {
  const int n_out = out.counts[t], c0 = tier.up_base_cores, r = tier.up_instances;
  const double memory_per_core = tier.server.memory / std::max(1.0, tier.server.cores);
  const auto cores_text = [](int n) { return fmt::format("{} core{}", n, n == 1 ? "" : "s"); };
  const auto size_text = [&](int instances, int each) { return fmt::format("{} × {}", instances, cores_text(each)); };
  const auto total_text = [&](int instances, int each) {
    return size_text(instances, each) + (instances > 1 ? fmt::format(" = {}", instances * each) : "");
  };
  auto side = [&](const HorizonAnswer& a, int instances, int cores_each) {
    Json x = {{"instances", instances},
              {"cores_each", cores_each},
              {"cores", instances * cores_each},
              {"memory_each", fixed(memory_per_core * cores_each)},
              {"p99", fixed(a.final.p99)},
              {"error_rate", fixed(a.final.error_rate)},
              {"one_instance_share", fixed(1.0 / instances)}};
    if (a.final.cost_per_month) {
      x["cost_per_month"] = fixed(*a.final.cost_per_month);
      x["currency"] = a.final.currency;
    }
    return x;
  };
  Json j;
  j["tier"] = tier.name;
  j["component"] = tier.component;
  j["out"] = side(out, n_out, c0);
  j["up"] = side(up, r, up.counts[t]);
  j["up"]["feasible"] = up.feasible;
  j["up"]["runs"] = up.runs + (n1 ? n1->runs : 0);
  // The searches' logs count cores per instance: "backend=4" is 4 cores each.
  j["up"]["log"] = up.log;
  if (n1) {
    j["up"]["one_lost"] = {{"instances", r - 1}, {"feasible", n1->feasible}, {"cores_each", n1->counts[t]}, {"log", n1->log}};
  }
  const TierAnswer& ta = up.tiers[t];
  if (ta.below) j["up"]["below"] = {{"cores_each", ta.below_count}, {"misses", ta.below->misses}};
  const int out_rec = rec["servers"].is_null() ? 0 : rec["servers"].get<int>();
  j["out"]["recommended"] = {{"instances", out_rec},
                             {"cores_each", c0},
                             {"cores", out_rec * c0},
                             {"binding", rec.value("binding", std::string())}};
  std::string fewest = fmt::format("horizontal {} (p99 {}{})", size_text(n_out, c0), format_duration(out.final.p99),
                                   n_out == tier.min ? ", the tier's min" : "");
  if (!up.feasible) {
    j["fewer_cores"] = "out";
    j["summary"] = fmt::format("Vertical: no size of {} instance{} up to {} each met the targets ({}). Fewest: {}.", r,
                               r == 1 ? "" : "s", cores_text(up.counts[t]), describe_list(Json(up.final.misses)), fewest);
    return j;
  }
  const int nu = up.counts[t];
  // Recommended vertically, as the out count is: the CPU the run kept busy at the headroom, and
  // surviving one instance lost (one fewer instance meets the targets; one instance: a second).
  const double busy = util_of(ta.at ? *ta.at : up.final, t) * r * nu;
  const int at_headroom = std::max(nu, servers_for(busy / plan.headroom_cpu / (r == 1 ? 2 : r)));
  int instances = r, each = at_headroom;
  std::string binding = "headroom";
  std::optional<int> survive;  // cores each that survive one lost
  if (r == 1) {
    instances = 2;
    survive = nu;
  } else if (n1 && n1->feasible) {
    survive = n1->counts[t];
  }
  if (survive && (*survive > each || r == 1)) {  // one instance: the second is for N+1
    each = std::max(each, *survive);
    binding = "n+1";
  }
  fewest = fmt::format("vertical {} (p99 {}), ", size_text(r, nu), format_duration(up.final.p99)) + fewest;
  if (up.final.cost_per_month && out.final.cost_per_month) {
    fewest += fmt::format("; {:.2f} against {:.2f} {} per month", *up.final.cost_per_month, *out.final.cost_per_month,
                          out.final.currency);
  }
  std::string s = "Fewest that met the targets: " + fewest + ".";
  if (!survive) {
    j["up"]["recommended"] = nullptr;
    j["fewer_cores"] = "out";
    s += fmt::format(" With one instance lost, {} instance{} of up to {} met no target: only horizontal survives it "
                     "({}).",
                     r - 1, r - 1 == 1 ? "" : "s", cores_text(n1 ? n1->counts[t] : 0), total_text(out_rec, c0));
    j["summary"] = s;
    return j;
  }
  j["up"]["recommended"] = {{"instances", instances}, {"cores_each", each}, {"cores", instances * each}, {"binding", binding}};
  const int cu = instances * each, co = out_rec * c0;
  j["fewer_cores"] = cu < co ? "up" : co < cu ? "out" : "same";
  s += fmt::format(" At {} CPU headroom and with one instance lost: vertical {}, horizontal {}: ",
                   format_ratio(plan.headroom_cpu), total_text(instances, each), total_text(out_rec, c0));
  s += cu == co ? "the same cores." : fmt::format("{} needs {} fewer.", cu < co ? "vertical" : "horizontal",
                                                  cores_text(std::abs(co - cu)));
  j["summary"] = s;
  return j;
}

}  // namespace

Json capacity_json(const Plan& plan, const Projection& projection, const LoadModel* load, const SearchResult* sim,
                   const SimulationInfo& info, const std::vector<ScaleUpResult>& ups) {
  Json j;
  j["infrasim"] = {{"version", INFRASIM_VERSION}, {"report_format", 1}};
  Json pj;
  pj["name"] = plan.name;
  pj["description"] = plan.description;
  pj["file"] = plan.file;
  pj["start"] = plan.start_year ? plan.date_of(0) : "";
  pj["horizons"] = plan.horizons;
  pj["growth"] = {{"users", growth_text(plan.users, false)}, {"data", growth_text(plan.data, true)}};
  pj["per_user"] = {{"cpu", fixed(plan.cpu_per_user)},
                    {"memory", fixed(plan.memory_per_user)},
                    {"storage", fixed(plan.storage_per_user)}};
  pj["requests"] = {{"per_user", fixed(plan.requests_per_user)}, {"peak_factor", fixed(plan.peak_factor)}};
  pj["headroom"] = {{"cpu", fixed(plan.headroom_cpu)},
                    {"memory", fixed(plan.headroom_memory)},
                    {"storage", fixed(plan.headroom_storage)}};
  Json tiers = Json::array();
  for (const auto& t : plan.tiers) {
    tiers.push_back({{"name", t.name},
                     {"component", t.component},
                     {"scale", scale_name(t.scale)},
                     {"server", {{"cores", fixed(t.server.cores)}, {"memory", fixed(t.server.memory)}, {"disk", fixed(t.server.disk)}}},
                     {"carries", {{"cpu", fixed(t.cpu_share)}, {"memory", fixed(t.memory_share)}, {"storage", fixed(t.storage_share)}}},
                     {"min", t.min}});
  }
  pj["tiers"] = tiers;
  Json points = Json::array();
  for (const auto& p : plan.plan) {
    Json s = Json::object();
    for (const auto& [k, v] : p.servers) s[k] = v;
    points.push_back({{"month", fixed(p.month)}, {"servers", s}, {"storage", p.storage ? Json(fixed(*p.storage)) : Json(nullptr)}});
  }
  pj["plan"] = points;
  pj["scenario"] = plan.scenario_path;
  Json set = Json::array();
  for (const auto& [k, v] : plan.set) set.push_back(k + "=" + v);
  pj["set"] = set;
  j["plan"] = pj;

  if (load) {
    Json lm = Json::array();
    for (const auto& t : load->tiers) {
      lm.push_back({{"tier", t.tier},
                    {"modelled", t.modelled},
                    {"cpu_per_request", fixed(t.cores_per_request)},
                    {"read_cpu_per_request", fixed(t.read_cores)},
                    {"write_cpu_per_request", fixed(t.write_cores)},
                    {"detail", t.detail}});
    }
    j["load_model"] = lm;
  }

  bool holds = true;
  Json horizons = Json::array();
  // The first horizon each tier falls short of its recommended count.
  std::vector<Json> verdict_short(plan.tiers.size());
  for (std::size_t h = 0; h < projection.horizons.size(); ++h) {
    const HorizonProjection& hp = projection.horizons[h];
    const HorizonAnswer* ha = sim && h < sim->horizons.size() ? &sim->horizons[h] : nullptr;
    Json hj;
    hj["month"] = fixed(hp.month);
    hj["date"] = hp.date;
    hj["users"] = fixed(hp.users);
    hj["data"] = fixed(hp.data);
    hj["request_rate"] = fixed(hp.request_rate);
    hj["plan_month"] = hp.plan_month ? Json(fixed(*hp.plan_month)) : Json(nullptr);
    const StorageProjection& s = hp.storage;
    hj["storage"] = {{"from_users", fixed(s.from_users)},
                     {"data", fixed(s.data)},
                     {"needed", fixed(s.needed)},
                     {"required", fixed(s.required)},
                     {"planned", s.planned ? Json(fixed(*s.planned)) : Json(nullptr)},
                     {"gap", fixed(s.gap)},
                     {"status", status_name(s.status)}};
    if (s.status == Status::kShort) holds = false;
    Json tj = Json::array();
    for (std::size_t t = 0; t < hp.tiers.size(); ++t) {
      const TierProjection& tp = hp.tiers[t];
      const Tier& tier = plan.tiers[t];
      Json x;
      x["tier"] = tp.tier;
      x["planned"] = tp.planned ? Json(*tp.planned) : Json(nullptr);
      x["demand"] = {{"cpu_cores", fixed(tp.cpu)},
                     {"memory", fixed(tp.memory)},
                     {"storage", fixed(tp.storage)},
                     {"load_cores", fixed(tp.load_cores)}};
      // null: the tier carries none of that resource.
      bool cpu = tier.cpu_share > 0 && plan.cpu_per_user > 0, mem = tier.memory_share > 0 && plan.memory_per_user > 0,
           sto = tier.storage_share > 0 && (plan.storage_per_user > 0 || plan.data.given());
      x["by"] = {{"cpu", cpu ? Json(tp.by_cpu) : Json(nullptr)},
                 {"memory", mem ? Json(tp.by_memory) : Json(nullptr)},
                 {"storage", sto ? Json(tp.by_storage) : Json(nullptr)},
                 {"load", tp.load_modelled ? Json(tp.by_load) : Json(nullptr)}};
      x["required"] = tp.required;
      x["binding"] = tp.binding;
      x["gap"] = tp.planned ? Json(tp.gap) : Json(nullptr);
      x["status"] = status_name(tp.status);
      if (!tp.note.empty()) x["note"] = tp.note;
      const TierAnswer* ta = ha && !tier.component.empty() ? &ha->tiers[t] : nullptr;
      if (ta) {
        Json sj;
        sj["feasible"] = ha->feasible;
        sj["servers"] = ha->feasible ? Json(ta->count) : Json(nullptr);
        sj["start"] = ta->start;
        if (ta->at) sj["at"] = outcome_json(*ta->at, t);
        if (ta->below) {
          sj["below"] = outcome_json(*ta->below, t);
          sj["below"]["servers"] = ta->below_count;
        }
        sj["explanation"] = ha->feasible ? explain_difference(tp, *ta, t, tier, plan.headroom_cpu)
                                         : fmt::format("no count up to {} meets the expectations at this load: {}",
                                                       plan.simulate.max_servers, describe_misses(ha->final));
        x["simulated"] = sj;
      }
      // The one count that decides: the plan is judged against it.
      Recommendation rec = recommend(plan, tier, tp, ta, ha && ha->feasible, t);
      Json rj;
      rj["method"] = rec.simulated ? "simulated" : "analytic";
      // How the binding figure was found: headroom and N+1 by simulation; memory, storage, min, cpu, load by estimate.
      rj["binding_method"] = rec.binding == "headroom" || rec.binding == "n+1" ? "simulated" : "analytic";
      rj["servers"] = rec.feasible ? Json(rec.servers) : Json(nullptr);
      rj["binding"] = rec.binding;
      rj["reason"] = rec.reason;
      if (rec.simulated && rec.feasible) {
        rj["at_headroom"] = rec.at_headroom;
        rj["n_plus_1"] = rec.n_plus_1;
        rj["busy_cores"] = fixed(rec.busy_cores);
      }
      Status rs = Status::kNoPlan;
      if (tp.planned) rs = rec.feasible ? status_of(*tp.planned, rec.servers) : Status::kShort;
      rj["gap"] = tp.planned && rec.feasible ? Json(*tp.planned - rec.servers) : Json(nullptr);
      rj["status"] = status_name(rs);
      x["recommended"] = rj;
      if (rs == Status::kShort) {
        holds = false;
        if (verdict_short[t].is_null()) {
          verdict_short[t] = {{"what", tp.tier},
                              {"month", fixed(hp.month)},
                              {"date", hp.date},
                              {"required", rec.feasible ? Json(rec.servers) : Json(nullptr)},
                              {"planned", *tp.planned},
                              {"binding", rec.binding},
                              {"method", rj["binding_method"]},
                              {"reason", rec.reason}};
        }
      }
      tj.push_back(x);
    }
    hj["tiers"] = tj;
    if (ha && !plan.dimensions.empty()) {
      // Data-tier quantities, searched after the tiers in the same runs (sized by simulation only).
      Json dj = Json::array();
      for (std::size_t i = 0; i < plan.dimensions.size(); ++i) {
        const Dimension& d = plan.dimensions[i];
        std::size_t t = plan.tiers.size() + i;
        const TierAnswer& ta = ha->tiers[t];
        Json x;
        x["name"] = d.name;
        x["component"] = d.component;
        x["kind"] = d.kind == Dimension::Kind::kMemory ? "memory" : "shards";
        x["feasible"] = ha->feasible;
        x["units"] = ha->feasible ? Json(ta.count) : Json(nullptr);
        x["value"] = ha->feasible ? Json(d.kind == Dimension::Kind::kMemory ? fixed(d.step * ta.count)
                                                                             : static_cast<double>(ta.count))
                                  : Json(nullptr);
        x["text"] = ha->feasible ? d.value_text(ta.count) : "none up to the maximum";
        x["start"] = d.value_text(ta.start);
        if (ta.at) x["at"] = outcome_json(*ta.at, t);
        if (ta.below) {
          x["below"] = outcome_json(*ta.below, t);
          x["below"]["text"] = d.value_text(ta.below_count);
        }
        std::string target = d.kind == Dimension::Kind::kMemory
                                  ? (d.hit_ratio ? fmt::format("hit ratio >= {}", format_ratio(*d.hit_ratio)) : "")
                                  : fmt::format("hottest shard <= {} CPU", format_ratio(d.headroom.value_or(plan.headroom_cpu)));
        x["target"] = target;
        dj.push_back(x);
      }
      hj["dimensions"] = dj;
    }
    if (ha) {
      hj["simulation"] = {{"feasible", ha->feasible},
                          {"runs", ha->runs},
                          {"p99", fixed(ha->final.p99)},
                          {"error_rate", fixed(ha->final.error_rate)},
                          {"misses", ha->final.misses},
                          {"log", ha->log}};
      if (ha->final.cost_per_month) {  // only with a pricing file: other plans keep their bytes
        hj["simulation"]["cost_per_month"] = fixed(*ha->final.cost_per_month);
        hj["simulation"]["currency"] = ha->final.currency;
      }
    }
    Json sj = Json::array();
    // The answer of a search sized up at this horizon, or null.
    auto answer_at = [h](const ScaleUpResult& u) -> const HorizonAnswer* {
      auto at = std::find(u.horizons.begin(), u.horizons.end(), h);
      return at == u.horizons.end() ? nullptr : &u.search.horizons[static_cast<std::size_t>(at - u.horizons.begin())];
    };
    for (const ScaleUpResult& u : ups) {
      const Tier& tier = plan.tiers[u.tier];
      const HorizonAnswer* up = answer_at(u);
      if (!ha || !up || u.instances != tier.up_instances) continue;
      const HorizonAnswer* n1 = nullptr;
      for (const ScaleUpResult& v : ups) {
        if (v.tier == u.tier && v.instances == tier.up_instances - 1) n1 = answer_at(v);
      }
      sj.push_back(scale_up_or_out_json(plan, tier, u.tier, *ha, hj["tiers"][u.tier]["recommended"], *up, n1));
    }
    if (!sj.empty()) hj["scale_up_or_out"] = sj;
    horizons.push_back(hj);
  }
  j["horizons"] = horizons;

  Json shortfalls = Json::array();
  for (const auto& s : projection.shortfalls) {
    shortfalls.push_back({{"what", s.what},
                          {"month", fixed(s.month)},
                          {"date", s.date},
                          {"first_horizon", s.first_horizon >= 0 ? Json(fixed(s.first_horizon)) : Json(nullptr)},
                          {"required", fixed(s.required)},
                          {"planned", fixed(s.planned)}});
  }
  j["shortfalls"] = shortfalls;
  // What decides, earliest first: each tier's first horizon under its recommended count, and storage
  // on the growth curve (storage is only estimated, so the curve gives its first month short).
  Json verdict = Json::array();
  for (const auto& v : verdict_short) {
    if (!v.is_null()) verdict.push_back(v);
  }
  for (const auto& sf : projection.shortfalls) {
    // A tier sized analytically falls short first on the curve (between horizons, perhaps).
    auto v = std::find_if(verdict.begin(), verdict.end(), [&](const Json& x) { return x["what"] == sf.what; });
    bool storage = sf.what == "storage";
    auto tier_at = std::find_if(plan.tiers.begin(), plan.tiers.end(), [&](const Tier& t) { return t.name == sf.what; });
    bool simulated_tier = tier_at != plan.tiers.end() && sim && !tier_at->component.empty();
    if (!storage && (v == verdict.end() || simulated_tier)) continue;
    Json e = {{"what", sf.what},
              {"month", fixed(sf.month)},
              {"date", sf.date},
              {"required", fixed(sf.required)},
              {"planned", fixed(sf.planned)},
              {"binding", storage ? "storage" : (*v)["binding"].get<std::string>()},
              {"method", "analytic"},
              {"reason", storage ? "the plan's per-user storage and data growth with headroom, on the growth curve"
                                 : (*v)["reason"].get<std::string>() + ", on the growth curve"}};
    if (storage) {
      verdict.push_back(e);
    } else {
      *v = e;
    }
  }
  std::stable_sort(verdict.begin(), verdict.end(), [](const Json& a, const Json& b) {
    return a["month"].get<double>() < b["month"].get<double>();
  });
  j["verdict"] = verdict;
  j["findings"] = projection.findings;

  const Series& sr = projection.series;
  Json series;
  auto arr = [](const std::vector<double>& v) {
    Json a = Json::array();
    for (double x : v) a.push_back(fixed(x));
    return a;
  };
  series["month"] = arr(sr.month);
  series["users"] = arr(sr.users);
  series["data"] = arr(sr.data);
  series["storage_needed"] = arr(sr.storage);
  series["storage_planned"] = arr(sr.storage_planned);
  series["request_rate"] = arr(sr.request_rate);
  Json req = Json::object(), pl = Json::object();
  for (const auto& t : plan.tiers) {
    req[t.name] = arr(sr.required.at(t.name));
    pl[t.name] = arr(sr.planned.at(t.name));
  }
  series["required"] = req;
  series["planned"] = pl;
  series["note"] = "planned -1: no plan in force";
  j["series"] = series;

  if (sim) {
    int runs = sim->runs, rounds = sim->rounds;  // with every tier sized up
    for (const ScaleUpResult& u : ups) {
      runs += u.search.runs;
      rounds += u.search.rounds;
    }
    j["simulation"] = {{"scenario", info.scenario},
                       {"topology", info.topology},
                       {"seed", info.seed},
                       {"duration", fixed(info.duration)},
                       {"warmup", fixed(info.warmup)},
                       {"runs", runs},
                       {"rounds", rounds},
                       {"max_servers", plan.simulate.max_servers}};
  } else {
    j["simulation"] = nullptr;
  }
  j["holds"] = holds && verdict.empty();
  return j;
}

namespace {

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string horizon_title(const Json& h) {
  std::string date = h["date"].get<std::string>();
  return fmt::format("{}{}", month_label(h["month"].get<double>()), date.empty() ? "" : " (" + date + ")");
}

std::string opt_int(const Json& v) { return v.is_null() ? "—" : std::to_string(v.get<long long>()); }

std::string signed_int(const Json& v) {
  if (v.is_null()) return "—";
  long long x = v.get<long long>();
  return x > 0 ? "+" + std::to_string(x) : std::to_string(x);
}

std::string when_text(double m, const std::string& date) {
  return fmt::format("{}{}", m == 0 ? "now" : "at month " + format_number(m, 3), date.empty() ? "" : " (" + date + ")");
}

// "7 servers (simulated: n+1)" / "1.25TB" against what is planned: never equal when short.
std::pair<std::string, std::string> verdict_amounts(const Json& s) {
  if (s["what"] == "storage") return format_bytes_gap(s["required"].get<double>(), s["planned"].get<double>());
  std::string need = s["required"].is_null() ? std::string("more than the search tried")
                                             : count(s["required"].get<double>()) + " servers";
  return {fmt::format("{} ({}, {})", need, s["binding"].get<std::string>(), s["method"].get<std::string>()),
          count(s["planned"].get<double>())};
}

// The earliest shortfall against what decides (each tier's recommended count; storage), as one sentence.
std::string first_short_sentence(const Json& r) {
  if (r["verdict"].empty()) return "";
  const Json& s = r["verdict"][0];
  auto [need, have] = verdict_amounts(s);
  std::string what = s["what"].get<std::string>();
  return fmt::format("The plan first falls short {}: {} needs {}{}, the plan has {}.",
                     when_text(s["month"].get<double>(), s["date"].get<std::string>()), what, need,
                     what == "storage" ? " with headroom" : "", have);
}

// "3–6" for a range of counts, "2" for a single one.
std::string range_text(int lo, int hi) {
  return lo == hi ? std::to_string(lo) : fmt::format("{}–{}", lo, hi);
}

// The verdict line by line (each shortfall with its reason), the recommended counts over the horizons,
// and the per-user estimates when they are not what decides.
std::vector<std::string> verdict_lines(const Json& r) {
  std::vector<std::string> out;
  for (const auto& x : r["verdict"]) {
    auto [need, have] = verdict_amounts(x);
    out.push_back(fmt::format("Short: {} {}: {} needed, {} planned — {}.", x["what"].get<std::string>(),
                              when_text(x["month"].get<double>(), x["date"].get<std::string>()), need, have,
                              x["reason"].get<std::string>()));
  }
  // Recommended counts against the plan, per tier, over the horizons.
  std::string ranges;
  bool any_simulated = false;
  for (std::size_t t = 0; t < r["plan"]["tiers"].size(); ++t) {
    int slo = 1 << 30, shi = -1, plo = 1 << 30, phi = -1;
    for (const auto& h : r["horizons"]) {
      const Json& x = h["tiers"][t];
      if (x["recommended"]["servers"].is_null()) continue;
      any_simulated = any_simulated || x["recommended"]["method"] == "simulated";
      int n = x["recommended"]["servers"].get<int>();
      slo = std::min(slo, n);
      shi = std::max(shi, n);
      if (!x["planned"].is_null()) {
        plo = std::min(plo, x["planned"].get<int>());
        phi = std::max(phi, x["planned"].get<int>());
      }
    }
    if (shi < 0) continue;
    ranges += fmt::format("{}{} {}{}", ranges.empty() ? "" : ", ", r["plan"]["tiers"][t]["name"].get<std::string>(),
                          range_text(slo, shi), phi < 0 ? "" : fmt::format(" (planned {})", range_text(plo, phi)));
  }
  if (!ranges.empty()) out.push_back(fmt::format("Recommended servers over the horizons: {}.", ranges));
  if (!any_simulated) return out;
  // Simulated tiers are not judged by the per-user CPU estimate: say when it alone would have said otherwise.
  std::string differ;
  for (const auto& x : r["shortfalls"]) {
    if (x["what"] == "storage") continue;
    // Only a simulated tier is judged by something else than its per-user estimates.
    bool simulated = !r["horizons"].empty() && std::any_of(r["horizons"][0]["tiers"].begin(), r["horizons"][0]["tiers"].end(),
                                                           [&](const Json& t) {
                                                             return t["tier"] == x["what"] && t["recommended"]["method"] == "simulated";
                                                           });
    if (!simulated) continue;
    differ += fmt::format("{}{} {}: {} needed, {} planned", differ.empty() ? "" : "; ", x["what"].get<std::string>(),
                          when_text(x["month"].get<double>(), x["date"].get<std::string>()),
                          count(x["required"].get<double>()), count(x["planned"].get<double>()));
  }
  if (!differ.empty()) {
    out.push_back("The per-user estimates alone (analytic, not what decides for simulated tiers) would fall short: " +
                  differ + ".");
  }
  return out;
}

}  // namespace

std::string capacity_markdown(const Json& r) {
  const Json& p = r["plan"];
  std::string md;
  md += fmt::format("# Capacity plan: {}\n\n", p["name"].get<std::string>());
  if (!p["description"].get<std::string>().empty()) md += p["description"].get<std::string>() + "\n\n";
  md += fmt::format("Plan `{}`", p["file"].get<std::string>());
  if (!p["scenario"].get<std::string>().empty()) md += fmt::format(", sized with scenario `{}`", p["scenario"].get<std::string>());
  if (!p["start"].get<std::string>().empty()) md += fmt::format("; month 0 is {}", p["start"].get<std::string>());
  md += ".\n\n";
  bool holds = r["holds"].get<bool>();
  md += holds ? "**The plan holds at every horizon.**\n\n"
              : fmt::format("**The plan falls short.** {}\n\n", first_short_sentence(r));
  for (const auto& line : verdict_lines(r)) md += "- " + line + "\n";
  md += "\n";

  md += "## Inputs\n\n";
  md += fmt::format("- users: {}\n", p["growth"]["users"].get<std::string>());
  if (!p["growth"]["data"].get<std::string>().empty()) md += fmt::format("- data: {}\n", p["growth"]["data"].get<std::string>());
  md += fmt::format("- per user: {} core CPU, {} memory, {} storage\n", format_number(p["per_user"]["cpu"].get<double>()),
                    format_bytes(p["per_user"]["memory"].get<double>()), format_bytes(p["per_user"]["storage"].get<double>()));
  md += fmt::format("- requests: {}/s per user on average, peak factor {}\n", format_number(p["requests"]["per_user"].get<double>()),
                    format_number(p["requests"]["peak_factor"].get<double>()));
  md += fmt::format("- headroom: CPU {}, memory {}, storage {}\n", format_ratio(p["headroom"]["cpu"].get<double>()),
                    format_ratio(p["headroom"]["memory"].get<double>()), format_ratio(p["headroom"]["storage"].get<double>()));
  for (const auto& s : p["set"]) md += fmt::format("- every run: `--set {}`\n", s.get<std::string>());
  md += "\n| tier | component | one server | carries | min |\n|---|---|---|---|---|\n";
  for (const auto& t : p["tiers"]) {
    std::string carries;
    for (const char* k : {"cpu", "memory", "storage"}) {
      double v = t["carries"][k].get<double>();
      if (v > 0) carries += fmt::format("{}{} {}", carries.empty() ? "" : ", ", format_ratio(v), k);
    }
    double cores = t["server"]["cores"].get<double>();
    md += fmt::format("| {} | {} | {} core{}, {}, {} disk{} | {} | {} |\n", t["name"].get<std::string>(),
                      t["component"].get<std::string>().empty() ? "—" : "`" + t["component"].get<std::string>() + "`",
                      format_number(cores), cores == 1 ? "" : "s", format_bytes(t["server"]["memory"].get<double>()),
                      format_bytes(t["server"]["disk"].get<double>()), t["scale"] == "cores" ? " (one unit = one core)" : "",
                      carries.empty() ? "request load only" : carries, t["min"].get<int>());
  }
  if (r.contains("load_model")) {
    md += "\nWhat one client request costs each tier (from the scenario's topology):\n\n";
    for (const auto& l : r["load_model"]) {
      md += fmt::format("- {}: {}\n", l["tier"].get<std::string>(), md_escape(l["detail"].get<std::string>()));
    }
  }

  md += "\n## Growth\n\n| horizon | users | data | storage needed | peak rate | plan in force |\n|---|---|---|---|---|---|\n";
  for (const auto& h : r["horizons"]) {
    md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", horizon_title(h), count(h["users"].get<double>()),
                      h["data"].get<double>() > 0 ? format_bytes(h["data"].get<double>()) : "—",
                      format_bytes(h["storage"]["needed"].get<double>()), format_rate(h["request_rate"].get<double>()),
                      h["plan_month"].is_null() ? "none" : "month " + format_number(h["plan_month"].get<double>()));
  }
  md += "\nThe growth chart's data (every tier's required and planned servers, users, data, peak rate, sampled 48 "
        "times between the first and the last horizon) is `series` in capacity.json.\n";

  md += "\n## Tiers per horizon\n\n*recommended* is the count the plan is judged against. For a simulated tier it is "
        "the largest of: *at headroom* (the CPU the simulation measured at the smallest count that met the targets, "
        "kept at or under the CPU headroom), *N+1* (one more than that smallest count, so losing any one instance "
        "leaves enough) and the per-user memory and storage estimates; for a tier not simulated, the analytic "
        "requirement. The binding reason is in brackets; *gap* is planned − recommended. The *analytic* columns are "
        "the plan's own estimates with headroom (per-user CPU, memory, storage; *by load*: the scenario's request "
        "costs); a simulated tier's per-user CPU estimate is shown, not used (the simulation measures CPU). "
        "Verdicts: short (planned < recommended), holds, over (planned at least twice the recommended).\n";
  for (const auto& h : r["horizons"]) {
    md += fmt::format("\n### {}: {} users, {} at peak\n\n", horizon_title(h), count(h["users"].get<double>()),
                      format_rate(h["request_rate"].get<double>()));
    md += "| tier | planned | analytic: by cpu | by memory | by storage | by load | simulated: met targets | at "
          "headroom | N+1 | recommended | gap | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    auto bold = [](const std::string& v) { return v == "short" ? "**short**" : v; };
    for (const auto& t : h["tiers"]) {
      std::string sim = "—", headroom = "—", n1 = "—";
      if (t.contains("simulated")) {
        const Json& s = t["simulated"];
        sim = s["feasible"].get<bool>() ? std::to_string(s["servers"].get<int>()) : "none up to max";
      }
      const Json& rec = t["recommended"];
      if (rec.contains("at_headroom")) {
        headroom = std::to_string(rec["at_headroom"].get<int>());
        n1 = std::to_string(rec["n_plus_1"].get<int>());
      }
      std::string recommended = rec["servers"].is_null()
                                    ? "none up to max"
                                    : fmt::format("**{}** ({})", rec["servers"].get<int>(), rec["binding"].get<std::string>());
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", t["tier"].get<std::string>(),
                        opt_int(t["planned"]), opt_int(t["by"]["cpu"]), opt_int(t["by"]["memory"]),
                        opt_int(t["by"]["storage"]), opt_int(t["by"]["load"]), sim, headroom, n1, recommended,
                        signed_int(rec["gap"]), bold(rec["status"].get<std::string>()));
    }
    const Json& s = h["storage"];
    if (s["needed"].get<double>() > 0 || !s["planned"].is_null()) {
      double planned = s["planned"].is_null() ? 0 : s["planned"].get<double>();
      auto [required, have] = format_bytes_gap(s["required"].get<double>(), planned);
      std::string gap = "—";
      if (!s["planned"].is_null()) {
        double g = s["gap"].get<double>();
        // A shortfall never shows as "-0B": at least the digits that tell the two amounts apart.
        gap = g >= 0 ? "+" + format_bytes(g) : "-" + format_bytes_gap(-g, 0).first;
      }
      md += fmt::format("| storage | {} | | | {} needed | | | | | {} | {} | {} |\n",
                        s["planned"].is_null() ? "—" : have, format_bytes(s["needed"].get<double>()), required, gap,
                        bold(s["status"].get<std::string>()));
    }
    for (const auto& t : h["tiers"]) {
      if (t.contains("note")) md += fmt::format("\n- {}: {}\n", t["tier"].get<std::string>(), t["note"].get<std::string>());
    }
    for (const auto& t : h["tiers"]) {
      md += fmt::format("\n- {}: {}", t["tier"].get<std::string>(), md_escape(t["recommended"]["reason"].get<std::string>()));
    }
    md += "\n";
    if (h.contains("simulation") && h["simulation"].contains("cost_per_month")) {
      const Json& sim = h["simulation"];
      md += fmt::format("\nThe {} design costs {:.2f} {} per month at this horizon's peak rate (docs/cost.md).\n",
                        sim["feasible"].get<bool>() ? "simulated" : "last simulated",
                        sim["cost_per_month"].get<double>(), sim["currency"].get<std::string>());
    }
  }

  md += "\n## When the plan first falls short\n\n";
  if (r["verdict"].empty()) {
    md += "Never, up to the last horizon.\n";
  } else {
    md += "Against what decides (each tier's recommended count at the horizons; a tier sized analytically, and "
          "storage, on the growth curve between horizons):\n\n"
          "| what | first short | date | needed | planned | binding | why |\n|---|---|---|---|---|---|---|\n";
    for (const auto& s : r["verdict"]) {
      auto [need, have] = verdict_amounts(s);
      md += fmt::format("| {} | {} | {} | {} | {} | {} ({}) | {} |\n", s["what"].get<std::string>(),
                        month_label(s["month"].get<double>()),
                        s["date"].get<std::string>().empty() ? "—" : s["date"].get<std::string>(), need, have,
                        s["binding"].get<std::string>(), s["method"].get<std::string>(),
                        md_escape(s["reason"].get<std::string>()));
    }
  }
  if (!r["shortfalls"].empty()) {
    md += "\nThe plan's own per-user estimates (analytic) on the growth curve, for comparison:\n\n"
          "| what | first short | date | first horizon short | required then | planned then |\n|---|---|---|---|---|---|\n";
    for (const auto& s : r["shortfalls"]) {
      bool storage = s["what"] == "storage";
      std::string need = count(s["required"].get<double>()), have = count(s["planned"].get<double>());
      if (storage) std::tie(need, have) = format_bytes_gap(s["required"].get<double>(), s["planned"].get<double>());
      md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", s["what"].get<std::string>(),
                        month_label(s["month"].get<double>()),
                        s["date"].get<std::string>().empty() ? "—" : s["date"].get<std::string>(),
                        s["first_horizon"].is_null() ? "—" : month_label(s["first_horizon"].get<double>()), need, have);
    }
  }

  if (!r["horizons"].empty() && r["horizons"][0].contains("dimensions")) {
    md += "\n## Data tier sized by simulation\n\n"
          "The smallest value per horizon whose run met the scenario's expectations and the dimension's target "
          "(cache memory per node: the hit ratio, from the keys' popularity, sizes and TTLs; shards: the hottest "
          "shard's busiest instance under its CPU headroom), and what one step less showed.\n\n"
          "| horizon | dimension | target | smallest | at it | one step less |\n|---|---|---|---|---|---|\n";
    auto shown = [](const Json& o) {
      std::string v;
      if (o.contains("hit_ratio")) v += "hit ratio " + format_ratio(o["hit_ratio"].get<double>()) + ", ";
      if (o.contains("busiest_utilization")) {
        v += fmt::format("{} at {}, ", o["busiest_instance"].get<std::string>(),
                         format_ratio(o["busiest_utilization"].get<double>()));
      }
      v += "p99 " + format_duration(o["p99"].get<double>());
      return v;
    };
    for (const auto& h : r["horizons"]) {
      if (!h.contains("dimensions")) continue;
      for (const auto& d : h["dimensions"]) {
        std::string below = "—";
        if (d.contains("below")) {
          below = fmt::format("{}: {}", d["below"]["text"].get<std::string>(),
                              md_escape(describe_list(d["below"]["misses"])));
        }
        md += fmt::format("| {} | {} (`{}` {}) | {} | {} | {} | {} |\n", horizon_title(h), d["name"].get<std::string>(),
                          d["component"].get<std::string>(), d["kind"].get<std::string>(),
                          d["target"].get<std::string>().empty() ? "the expectations" : d["target"].get<std::string>(),
                          d["text"].get<std::string>(), d.contains("at") ? shown(d["at"]) : "—", below);
      }
    }
  }

  if (!r["horizons"].empty() && r["horizons"][0].contains("scale_up_or_out")) {
    md += "\n## Scale up or out\n\n"
          "Each `scale: both` tier sized both ways, every other tier as found horizontally. Fewest: the fewest "
          "instances of the topology's size (horizontal), the topology's instances with the fewest cores each "
          "(vertical), as simulated. Recommended: at the CPU headroom and surviving one instance lost (horizontal: "
          "the tier's recommended count; vertical: the cores each that one instance fewer needed). Memory follows "
          "the cores.\n\n"
          "| horizon | tier | fewest, vertical | fewest, horizontal | recommended, vertical | recommended, horizontal "
          "| fewer cores | one instance lost, vertical / horizontal |\n|---|---|---|---|---|---|---|---|\n";
    auto size = [](const Json& s) {
      if (s.is_null()) return std::string("none");
      std::string t = fmt::format("{} × {}", s["instances"].get<int>(), s["cores_each"].get<int>());
      if (s.contains("p99")) t += ", p99 " + format_duration(s["p99"].get<double>());
      if (s.contains("cost_per_month")) t += fmt::format(", {:.2f}/month", s["cost_per_month"].get<double>());
      return t;
    };
    for (const auto& h : r["horizons"]) {
      if (!h.contains("scale_up_or_out")) continue;
      for (const auto& x : h["scale_up_or_out"]) {
        const Json &o = x["out"], &u = x["up"];
        bool ok = u["feasible"].get<bool>();
        md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} / {} |\n", horizon_title(h),
                          x["tier"].get<std::string>(), ok ? size(u) : "none up to the maximum", size(o),
                          ok && u.contains("recommended") ? size(u["recommended"]) : "none",
                          size(o["recommended"]), x["fewer_cores"].get<std::string>(),
                          format_ratio(u["one_instance_share"].get<double>()),
                          format_ratio(o["one_instance_share"].get<double>()));
      }
    }
    md += "\n";
    for (const auto& h : r["horizons"]) {
      if (!h.contains("scale_up_or_out")) continue;
      for (const auto& x : h["scale_up_or_out"]) {
        md += fmt::format("- {}, {}: {}\n", horizon_title(h), x["tier"].get<std::string>(), md_escape(x["summary"].get<std::string>()));
      }
    }
  }

  if (!r["findings"].empty()) {
    md += "\n## What the plan's own numbers imply\n\n";
    for (const auto& f : r["findings"]) md += "- " + md_escape(f.get<std::string>()) + "\n";
  }

  if (!r["simulation"].is_null()) {
    const Json& s = r["simulation"];
    md += "\n## Analytic vs simulated\n\n";
    md += fmt::format("Scenario `{}` (topology `{}`), its load replaced by each horizon's peak rate; {} simulated per "
                      "candidate after a {} warmup, seed {} for every candidate. {} runs in {} rounds (each round's "
                      "runs in parallel child processes).\n\n",
                      s["scenario"].get<std::string>(), s["topology"].get<std::string>(),
                      format_duration(s["duration"].get<double>()), format_duration(s["warmup"].get<double>()),
                      s["seed"].get<std::uint64_t>(), s["runs"].get<int>(), s["rounds"].get<int>());
    md += "| horizon | tier | analytic (load) | simulated | tier busy | why |\n|---|---|---|---|---|---|\n";
    for (const auto& h : r["horizons"]) {
      for (const auto& t : h["tiers"]) {
        if (!t.contains("simulated")) continue;
        const Json& x = t["simulated"];
        std::string busy = x.contains("at") && x["at"].contains("utilization")
                               ? format_ratio(x["at"]["utilization"].get<double>())
                               : "—";
        md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", horizon_title(h), t["tier"].get<std::string>(),
                          x["start"].get<int>(), x["feasible"].get<bool>() ? std::to_string(x["servers"].get<int>()) : "none",
                          busy, md_escape(x["explanation"].get<std::string>()));
      }
    }
    md += "\n### Search log\n";
    for (const auto& h : r["horizons"]) {
      if (!h.contains("simulation")) continue;
      const Json& hs = h["simulation"];
      md += fmt::format("\n{}: {} runs; the configuration found has p99 {}, error rate {}.\n\n", horizon_title(h),
                        hs["runs"].get<int>(), format_duration(hs["p99"].get<double>()),
                        format_ratio(hs["error_rate"].get<double>()));
      for (const auto& l : hs["log"]) md += "- " + md_escape(l.get<std::string>()) + "\n";
      for (const auto& x : h.value("scale_up_or_out", Json::array())) {
        const Json& u = x["up"];
        const std::string tier = x["tier"].get<std::string>();
        md += fmt::format("\n{} vertical, cores per instance on {} instances:\n\n", tier, u["instances"].get<int>());
        for (const auto& l : u["log"]) md += "- " + md_escape(l.get<std::string>()) + "\n";
        if (u.contains("one_lost")) {
          md += fmt::format("\n{} vertical with one instance lost, cores per instance on {}:\n\n", tier,
                            u["one_lost"]["instances"].get<int>());
          for (const auto& l : u["one_lost"]["log"]) md += "- " + md_escape(l.get<std::string>()) + "\n";
        }
      }
    }
  }
  return md;
}

std::string capacity_console(const Json& r) {
  std::string out;
  const Json& p = r["plan"];
  std::string sim;
  if (!r["simulation"].is_null()) {
    sim = fmt::format(", {} simulation runs in {} rounds", r["simulation"]["runs"].get<int>(),
                      r["simulation"]["rounds"].get<int>());
  }
  out += fmt::format("capacity plan {}: {} horizons{}\n", p["name"].get<std::string>(), r["horizons"].size(), sim);
  // One line per horizon: users, rate, then per tier planned/recommended and the binding reason.
  for (const auto& h : r["horizons"]) {
    std::string line = fmt::format("  {:<18} {:>9} users {:>9}", horizon_title(h), count(h["users"].get<double>()),
                                   format_rate(h["request_rate"].get<double>()));
    for (const auto& t : h["tiers"]) {
      const Json& rec = t["recommended"];
      std::string n = rec["servers"].is_null() ? "none" : std::to_string(rec["servers"].get<int>());
      line += fmt::format("  {} {}/{} {}{}", t["tier"].get<std::string>(), opt_int(t["planned"]), n,
                          rec["binding"].get<std::string>(), rec["status"] == "short" ? " SHORT" : "");
    }
    const Json& st = h["storage"];
    if (!st["planned"].is_null()) {
      auto [need, have] = format_bytes_gap(st["required"].get<double>(), st["planned"].get<double>());
      line += fmt::format("  storage {}/{}{}", have, need, st["status"] == "short" ? " SHORT" : "");
    }
    if (h.contains("dimensions")) {
      for (const auto& d : h["dimensions"]) line += fmt::format("  {} {}", d["name"].get<std::string>(), d["text"].get<std::string>());
    }
    out += line + "\n";
    if (h.contains("scale_up_or_out")) {
      for (const auto& x : h["scale_up_or_out"]) {
        out += fmt::format("    {}: {}\n", x["tier"].get<std::string>(), x["summary"].get<std::string>());
      }
    }
  }
  out += "  (tier planned/recommended binding";
  out += !r["horizons"].empty() && r["horizons"][0].contains("dimensions") ? "; data-tier dimensions simulated)\n" : ")\n";
  out += r["holds"].get<bool>() ? "the plan holds at every horizon\n" : first_short_sentence(r) + "\n";
  for (const auto& line : verdict_lines(r)) out += "  " + line + "\n";
  std::size_t n = r["findings"].size();
  if (n) out += fmt::format("{} finding{} about the plan's own numbers: see capacity.md\n", n, n == 1 ? "" : "s");
  return out;
}

std::string capacity_html(const Json& r) {
  using report::cell;
  using report::html_escape;
  auto text = [](const Json& v) -> std::string {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer() || v.is_number_unsigned()) return std::to_string(v.get<long long>());
    if (v.is_number()) return core::format_number(v.get<double>(), 4);
    return v.dump();
  };
  std::string name = r.contains("plan") && r["plan"].contains("name") ? text(r["plan"]["name"]) : "plan";
  bool holds = r.value("holds", false);
  std::string body = fmt::format("<h1>Capacity plan {} <span class=\"badge {}\">{}</span></h1>\n", html_escape(name),
                                 holds ? "pass" : "fail", holds ? "holds" : "falls short");
  // The headline: what decides (the recommended counts; storage), each shortfall with its reason.
  if (r.contains("verdict") && r["verdict"].is_array() && !r["verdict"].empty()) {
    body += "<h2>Where the plan falls short</h2>\n<ul>\n";
    for (const auto& x : r["verdict"]) {
      auto [need, have] = verdict_amounts(x);
      std::string date = x["date"].get<std::string>();
      body += fmt::format("<li><b>{}</b> from {}: {} needed, {} planned — {}</li>\n", html_escape(x["what"].get<std::string>()),
                          html_escape(when_text(x["month"].get<double>(), date)), html_escape(need), html_escape(have),
                          html_escape(x["reason"].get<std::string>()));
    }
    body += "</ul>\n";
  }
  {
    std::vector<std::string> lines = verdict_lines(r);
    body += "<ul class=\"muted\">\n";
    for (const auto& l : lines) {
      if (l.rfind("Short: ", 0) != 0) body += "<li>" + html_escape(l) + "</li>\n";
    }
    body += "</ul>\n";
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : r.value("horizons", Json::array())) {
    std::string month = core::format_number(h.value("month", 0.0), 4);
    for (const auto& t : h.value("tiers", Json::array())) {
      const Json& sim = t.contains("simulated") ? t["simulated"] : Json();
      const Json& rec = t["recommended"];
      std::string status = text(rec.value("status", Json()));
      rows.push_back({cell("num", month), html_escape(text(t.value("tier", Json()))), cell("num", text(t.value("planned", Json()))),
                      cell("num", text(rec.value("servers", Json()))),
                      html_escape(text(rec.value("binding", Json())) + " (" + text(rec.value("binding_method", Json())) + ")"),
                      cell(status == "short" ? "fail" : "pass", html_escape(status)),
                      cell("num", text(t.value("required", Json()))) ,
                      cell("num", sim.is_object() ? text(sim.value("servers", Json())) : "-"),
                      html_escape(text(rec.value("reason", Json()))) +
                          (sim.is_object() ? "<br><span class=\"muted\">" + html_escape(text(sim.value("explanation", Json()))) + "</span>" : "")});
    }
  }
  body += "<h2>Per horizon and tier</h2>\n<p class=\"muted\">recommended: the count the plan is judged against — "
          "simulated tiers: the largest of the simulated CPU at the headroom, N+1 (one more than the fewest that met "
          "the targets) and the per-user memory and storage estimates; other tiers: the analytic requirement. "
          "analytic: the plan's per-user estimates with headroom (binding resource in the JSON); simulated: the "
          "smallest count that met the scenario's expectations at the horizon's load.</p>\n" +
          report::html_table({"month", "tier", "planned", "recommended", "binding", "plan", "analytic", "simulated", "why"}, rows);
  std::vector<std::vector<std::string>> ups;
  for (const auto& h : r.value("horizons", Json::array())) {
    for (const auto& x : h.value("scale_up_or_out", Json::array())) {
      ups.push_back({cell("num", core::format_number(h.value("month", 0.0), 4)), html_escape(text(x["tier"])),
                     html_escape(x["fewer_cores"] == "up" ? "vertical" : x["fewer_cores"] == "out" ? "horizontal" : "same"),
                     html_escape(text(x["summary"]))});
    }
  }
  if (!ups.empty()) {
    body += "<h2>Scale up or out</h2>\n<p class=\"muted\">each scale: both tier sized both ways, the other tiers as "
            "found horizontally; memory follows the cores.</p>\n" +
            report::html_table({"month", "tier", "fewer cores", "both ways"}, ups);
  }
  std::string after;
  if (r.contains("findings") && r["findings"].is_array() && !r["findings"].empty()) {
    after += "<h2>What the plan's own numbers imply</h2>\n<ul>\n";
    for (const auto& f : r["findings"]) after += "<li>" + html_escape(f.is_string() ? f.get<std::string>() : f.dump()) + "</li>\n";
    after += "</ul>\n";
  }
  report::HtmlPage page;
  page.title = "infrasim capacity: " + name;
  page.kind = "capacity";
  page.body = body;
  page.after = after;
  page.data = r;
  return report::html_page(page);
}

}  // namespace sim::capacity
