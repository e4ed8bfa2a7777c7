#include "sim/capacity/projection.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"

namespace sim::capacity {

namespace {

using core::format_duration;
using core::format_number;
using core::format_ratio;

double hit_ratio_of(const std::map<std::string, double>& per_class, double fallback, const std::string& cls) {
  auto it = per_class.find(cls);
  return it == per_class.end() ? fallback : it->second;
}

// Mean service demand of `cls` in a per-class table ("default" for the rest).
double mean_of(const topology::ServiceTimes& times, const std::string& cls, const std::string& fallback = "") {
  auto it = times.find(cls);
  if (it == times.end() && !fallback.empty()) it = times.find(fallback);
  if (it == times.end()) it = times.find("default");
  return it == times.end() ? 0.0 : it->second.mean;
}

// Annualised growth factor between two values `months` apart.
double per_year(double from, double to, double months) {
  if (from <= 0 || to <= 0 || months <= 0) return 0;
  return std::pow(to / from, 12.0 / months);
}

std::string times(double f) { return "×" + format_number(f, 3); }

}  // namespace

const TierLoad* LoadModel::find(const std::string& tier) const {
  for (const auto& t : tiers) {
    if (t.tier == tier) return &t;
  }
  return nullptr;
}

LoadModel load_model(const Plan& plan, const topology::Topology& topo) {
  LoadModel out;
  for (const Tier& tier : plan.tiers) {
    TierLoad tl;
    tl.tier = tier.name;
    const topology::Component* comp = tier.component.empty() ? nullptr : topo.find(tier.component);
    if (comp && (comp->service() || comp->cache() || comp->database() || comp->storage())) {
      tl.modelled = true;
      tl.database = comp->database() != nullptr;
      tl.reads_on_primary = tl.database && (!comp->database()->reads_from_replicas);
      std::string detail;
      for (const auto& cls : topo.requests) {
        double reach = 1;  // probability that the request gets this far
        for (const auto& step : cls.path) {
          const topology::Component* c = topo.find(step.component);
          if (!c) break;
          if (c == comp) {
            double demand = 0;
            bool write = false;
            if (const auto* s = c->service()) demand = mean_of(s->service_time, cls.name);
            if (const auto* k = c->cache()) demand = k->service_time.mean;
            if (const auto* st = c->storage()) demand = st->service_time.mean;
            if (const auto* d = c->database()) {
              write = cls.write || step.role == "primary";
              demand = mean_of(d->query_time, cls.name, write ? "write" : "read");
            }
            double cost = cls.share * reach * demand;
            if (tl.database) {
              (write || tl.reads_on_primary ? tl.write_cores : tl.read_cores) += cost;
            }
            tl.cores_per_request += cost;
            if (cost > 0) {
              detail += fmt::format("{}{} {} × {} reach × {}", detail.empty() ? "" : " + ", cls.name,
                                    format_ratio(cls.share), format_ratio(reach), format_duration(demand));
            }
          }
          if (const auto* cdn = c->cdn()) reach *= 1 - hit_ratio_of(cdn->hit_ratio, cdn->default_hit_ratio, cls.name);
          if (const auto* k = c->cache()) reach *= 1 - hit_ratio_of(k->hit_ratio, k->default_hit_ratio, cls.name);
        }
      }
      tl.detail = (detail.empty() ? std::string("no request reaches it") : detail) + " = " +
                  format_duration(tl.cores_per_request) + " of CPU per request";
    } else if (comp) {
      tl.detail = fmt::format("{} '{}' does no CPU work per request in the model", topology::kind_name(comp->kind),
                              comp->name);
    }
    out.tiers.push_back(tl);
  }
  return out;
}

const char* status_name(Status s) {
  switch (s) {
    case Status::kNoPlan: return "no plan";
    case Status::kShort: return "short";
    case Status::kHolds: return "holds";
    case Status::kOver: return "over";
  }
  return "?";
}

Status status_of(double planned, double required) {
  if (planned < required) return Status::kShort;
  if (planned > required && planned >= 2 * required) return Status::kOver;
  return Status::kHolds;
}

std::string format_bytes(double bytes) {
  // Sizes written in binary units (memory: 1GiB, 16GiB) stay binary.
  if (bytes >= 1048576 && std::fmod(bytes, 1048576) == 0 && std::fmod(bytes, 1e6) != 0) return core::format_size(bytes);
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  int u = 0;
  double v = bytes;
  while (std::fabs(v) >= 1000 && u < 6) {
    v /= 1000;
    ++u;
  }
  return format_number(v, 4) + kUnits[u];
}


std::pair<std::string, std::string> format_bytes_gap(double needed, double planned) {
  if (!(needed > planned)) return {format_bytes(needed), format_bytes(planned)};
  // A gap must show: both in the larger one's decimal unit ("1TB" and "1000GB" would hide it too),
  // with digits added until the texts differ.
  int u = 0;
  for (double v = needed; std::fabs(v) >= 1000 && u < 6; v /= 1000) ++u;
  double scale = std::pow(1000.0, u);
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  std::pair<std::string, std::string> t;
  for (int digits = 4; digits <= 15; ++digits) {
    t = {format_number(needed / scale, digits) + kUnits[u], format_number(planned / scale, digits) + kUnits[u]};
    if (t.first != t.second) break;
  }
  return t;
}

std::string format_count(double x) {
  long long v = std::llround(x);
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

int servers_for(double x) {
  if (!(x > 0)) return 0;
  if (x > 1e9) return 1000000000;
  return static_cast<int>(std::ceil(x - 1e-9));
}

HorizonProjection project_at(const Plan& plan, const LoadModel* load, double month) {
  HorizonProjection h;
  h.month = month;
  h.date = plan.date_of(month);
  h.users = plan.users.at(month);
  h.data = plan.data.at(month);
  h.request_rate = plan.peak_rate(month);
  const PlanPoint* pp = plan.in_force(month);
  if (pp) h.plan_month = pp->month;
  for (const Tier& t : plan.tiers) {
    TierProjection tp;
    tp.tier = t.name;
    tp.cpu = t.cpu_share * h.users * plan.cpu_per_user;
    tp.memory = t.memory_share * h.users * plan.memory_per_user;
    tp.storage = t.storage_share * plan.storage_at(month);
    tp.by_cpu = servers_for(tp.cpu / (t.server.cores * plan.headroom_cpu));
    tp.by_memory = servers_for(tp.memory / (t.server.memory * plan.headroom_memory));
    tp.by_storage = servers_for(tp.storage / (t.server.disk * plan.headroom_storage));
    const TierLoad* tl = load ? load->find(t.name) : nullptr;
    if (tl && tl->modelled) {
      tp.load_modelled = true;
      double cap = t.server.cores * plan.headroom_cpu;  // usable cores of one server
      if (tl->database) {
        double reads = h.request_rate * tl->read_cores, writes = h.request_rate * tl->write_cores;
        tp.load_cores = reads + writes;
        if (tp.load_cores <= 0) {
          tp.by_load = 0;
        } else if (tp.load_cores <= cap) {
          tp.by_load = 1;  // the primary serves everything
        } else {
          tp.by_load = 1 + servers_for(reads / cap);
        }
        if (writes > cap) {
          tp.note = fmt::format("writes alone keep {} cores busy, more than the {} usable cores of one primary; "
                                "replicas cannot take writes (shard, or a larger primary)",
                                format_number(writes, 3), format_number(cap, 3));
        }
      } else {
        tp.load_cores = h.request_rate * tl->cores_per_request;
        tp.by_load = servers_for(tp.load_cores / cap);
      }
    }
    tp.required = std::max({tp.by_cpu, tp.by_memory, tp.by_storage, tp.by_load, t.min});
    if (tp.required == 0) {
      tp.binding = "none";
    } else if (tp.by_cpu == tp.required) {
      tp.binding = "cpu";
    } else if (tp.by_memory == tp.required) {
      tp.binding = "memory";
    } else if (tp.by_storage == tp.required) {
      tp.binding = "storage";
    } else if (tp.by_load == tp.required) {
      tp.binding = "load";
    } else {
      tp.binding = "min";
    }
    if (pp) {
      auto it = pp->servers.find(t.name);
      if (it != pp->servers.end()) {
        tp.planned = it->second;
        tp.gap = it->second - tp.required;
        tp.status = status_of(it->second, tp.required);
      }
    }
    h.tiers.push_back(tp);
  }
  StorageProjection& s = h.storage;
  s.from_users = h.users * plan.storage_per_user;
  s.data = h.data;
  s.needed = std::max(s.from_users, s.data);
  s.required = s.needed / plan.headroom_storage;
  if (pp && pp->storage) {
    s.planned = *pp->storage;
    s.gap = *pp->storage - s.required;
    s.status = status_of(*pp->storage, s.required);
  }
  return h;
}

namespace {

// Which lines are short at `h`: tiers in plan order, then storage.
std::vector<bool> short_lines(const HorizonProjection& h) {
  std::vector<bool> out;
  for (const auto& t : h.tiers) out.push_back(t.status == Status::kShort);
  out.push_back(h.storage.status == Status::kShort);
  return out;
}

void add_findings(const Plan& plan, const LoadModel* load, Projection& p) {
  if (p.horizons.empty()) return;
  auto& f = p.findings;
  // The first horizon that has a plan in force: what the plan's own per-user numbers imply there.
  const HorizonProjection* h0 = nullptr;
  for (const auto& h : p.horizons) {
    if (h.plan_month) {
      h0 = &h;
      break;
    }
  }
  if (!h0) h0 = &p.horizons.front();
  std::string at = fmt::format("month {}", format_number(h0->month));
  for (std::size_t i = 0; i < plan.tiers.size(); ++i) {
    const Tier& t = plan.tiers[i];
    const TierProjection& tp = h0->tiers[i];
    if (t.cpu_share > 0 && plan.cpu_per_user > 0) {
      double usable = t.server.cores * plan.headroom_cpu;
      std::string s = fmt::format(
          "{} at {}: {} users × {} core{} = {} cores; at {} CPU on {}-core servers that is {} servers", t.name, at,
          format_count(h0->users), format_number(plan.cpu_per_user),
          t.cpu_share < 1 ? fmt::format(" × {} on this tier", format_ratio(t.cpu_share)) : "", format_count(tp.cpu),
          format_ratio(plan.headroom_cpu), format_number(t.server.cores), tp.by_cpu);
      if (tp.planned) {
        double cores = *tp.planned * usable;
        s += fmt::format("; the plan's {} give {} usable cores, enough for {} users", *tp.planned,
                         format_number(cores, 4), format_count(std::floor(cores / (t.cpu_share * plan.cpu_per_user))));
      }
      f.push_back(s);
    }
    if (t.memory_share > 0 && plan.memory_per_user > 0) {
      double usable = t.server.memory * plan.headroom_memory;
      std::string s = fmt::format("{} at {}: {} users × {} = {} of memory; at {} of {} per server that is {} servers",
                                  t.name, at, format_count(h0->users), format_bytes(plan.memory_per_user),
                                  format_bytes(tp.memory), format_ratio(plan.headroom_memory),
                                  format_bytes(t.server.memory), tp.by_memory);
      if (tp.planned) {
        s += fmt::format("; the plan's {} hold {}, enough for {} users", *tp.planned, format_bytes(*tp.planned * usable),
                         format_count(std::floor(*tp.planned * usable / (t.memory_share * plan.memory_per_user))));
      }
      f.push_back(s);
    }
    // Request-driven CPU against the per-user CPU estimate.
    const TierLoad* tl = load ? load->find(t.name) : nullptr;
    if (tl && tl->modelled && t.cpu_share > 0 && plan.cpu_per_user > 0 && plan.requests_per_user > 0 &&
        tl->cores_per_request > 0) {
      double per_user = plan.requests_per_user * plan.peak_factor * tl->cores_per_request;
      double ratio = t.cpu_share * plan.cpu_per_user / per_user;
      std::string compare = ratio >= 1 ? format_number(ratio, 3) + "× less than" : format_number(1 / ratio, 3) + "× more than";
      f.push_back(fmt::format(
          "{}: a request costs {} of CPU on '{}' (the scenario's service times and hit ratios); at {} per user at "
          "peak that is {} core per user, {} the {} core per user assumed, which would take {} per user",
          t.name, format_duration(tl->cores_per_request), t.component,
          format_number(plan.requests_per_user * plan.peak_factor) + "/s", format_number(per_user, 3), compare,
          format_number(t.cpu_share * plan.cpu_per_user),
          core::format_rate(t.cpu_share * plan.cpu_per_user / tl->cores_per_request)));
    }
  }
  // Storage: per-user storage against the data model, and the plan's storage growth.
  const StorageProjection& s0 = h0->storage;
  if (s0.from_users > 0 && s0.data > 0) {
    double r = std::max(s0.from_users, s0.data) / std::min(s0.from_users, s0.data);
    f.push_back(fmt::format("storage at {}: users × {} = {}, but the data model says {}: the two estimates differ "
                            "{} (the larger binds){}",
                            at, format_bytes(plan.storage_per_user), format_bytes(s0.from_users), format_bytes(s0.data),
                            times(r),
                            s0.planned ? fmt::format("; the plan has {}", format_bytes(*s0.planned)) : ""));
  }
  // Growth of the plan against growth of what drives it.
  const PlanPoint* first = plan.plan.empty() ? nullptr : &plan.plan.front();
  const PlanPoint* last = plan.plan.empty() ? nullptr : &plan.plan.back();
  if (first && last && last->month > first->month) {
    double span = last->month - first->month;
    double users_f = per_year(plan.users.at(first->month), plan.users.at(last->month), span);
    for (const Tier& t : plan.tiers) {
      double a = first->servers.at(t.name), b = last->servers.at(t.name);
      double pf = per_year(a, b, span);
      if (pf <= 0 || users_f <= 0 || std::fabs(pf / users_f - 1) < 0.1) continue;
      f.push_back(fmt::format("{}: the plan goes from {} to {} servers between months {} and {} ({}/year) while "
                              "users grow {}/year: servers per user {} {}",
                              t.name, a, b, format_number(first->month), format_number(last->month), times(pf),
                              times(users_f), pf > users_f ? "rise" : "fall", times(pf > users_f ? pf / users_f : users_f / pf)));
    }
    if (first->storage && last->storage) {
      double pf = per_year(*first->storage, *last->storage, span);
      double sf = per_year(plan.storage_at(first->month), plan.storage_at(last->month), span);
      double df = plan.data.given() ? per_year(plan.data.at(first->month), plan.data.at(last->month), span) : 0;
      if (pf > 0 && sf > 0 && std::fabs(pf / sf - 1) >= 0.1) {
        f.push_back(fmt::format("storage: the plan goes from {} to {} between months {} and {} ({}/year) while the "
                                "data to store grows {}/year{}{}",
                                format_bytes(*first->storage), format_bytes(*last->storage), format_number(first->month),
                                format_number(last->month), times(pf), times(sf),
                                df > 0 ? fmt::format(" (data model {}/year", times(df)) : "",
                                df > 0 ? fmt::format(", users {}/year)", times(users_f)) : ""));
      }
    }
  }
  for (const auto& h : p.horizons) {
    for (const auto& tp : h.tiers) {
      if (!tp.note.empty()) f.push_back(fmt::format("{} at month {}: {}", tp.tier, format_number(h.month), tp.note));
    }
  }
}

}  // namespace

Projection project(const Plan& plan, const LoadModel* load) {
  Projection p;
  for (double m : plan.horizons) p.horizons.push_back(project_at(plan, load, m));
  if (plan.horizons.empty()) return p;
  const double first = plan.horizons.front(), last = plan.horizons.back();

  // Shortfalls on the growth curve: sample day by day, then bisect the first step that turns short.
  std::size_t lines = plan.tiers.size() + 1;
  std::vector<bool> found(lines, false);
  std::vector<Shortfall> shorts(lines);
  const double step = 1.0 / 30;
  int samples = static_cast<int>(std::ceil((last - first) / step));
  double prev_m = first;
  std::vector<bool> prev_short;
  for (int k = 0; k <= samples; ++k) {
    double m = std::min(last, first + k * step);
    std::vector<bool> now = short_lines(project_at(plan, load, m));
    for (std::size_t i = 0; i < lines; ++i) {
      if (found[i] || !now[i]) continue;
      double lo = prev_m, hi = m;
      if (k > 0 && !prev_short[i]) {
        for (int it = 0; it < 40; ++it) {
          double mid = (lo + hi) / 2;
          (short_lines(project_at(plan, load, mid))[i] ? hi : lo) = mid;
        }
      }
      found[i] = true;
      shorts[i].month = k == 0 ? first : hi;
    }
    prev_m = m;
    prev_short = now;
  }
  for (std::size_t i = 0; i < lines; ++i) {
    if (!found[i]) continue;
    Shortfall& s = shorts[i];
    s.what = i < plan.tiers.size() ? plan.tiers[i].name : "storage";
    s.date = plan.date_of(s.month);
    HorizonProjection h = project_at(plan, load, s.month);
    if (i < plan.tiers.size()) {
      s.required = h.tiers[i].required;
      s.planned = h.tiers[i].planned.value_or(0);
    } else {
      s.required = h.storage.required;
      s.planned = h.storage.planned.value_or(0);
    }
    for (const auto& hz : p.horizons) {
      if (short_lines(hz)[i]) {
        s.first_horizon = hz.month;
        break;
      }
    }
    p.shortfalls.push_back(s);
  }
  std::stable_sort(p.shortfalls.begin(), p.shortfalls.end(),
                   [](const Shortfall& a, const Shortfall& b) { return a.month < b.month; });

  // The chart: 48 steps over the horizons (one point when there is a single horizon).
  int n = last > first ? 48 : 0;
  for (int k = 0; k <= n; ++k) {
    double m = n ? first + (last - first) * k / n : first;
    HorizonProjection h = project_at(plan, load, m);
    p.series.month.push_back(m);
    p.series.users.push_back(h.users);
    p.series.data.push_back(h.data);
    p.series.storage.push_back(h.storage.needed);
    p.series.request_rate.push_back(h.request_rate);
    p.series.storage_planned.push_back(h.storage.planned.value_or(-1));
    for (const auto& tp : h.tiers) {
      p.series.required[tp.tier].push_back(tp.required);
      p.series.planned[tp.tier].push_back(tp.planned ? *tp.planned : -1);
    }
  }
  add_findings(plan, load, p);
  return p;
}

}  // namespace sim::capacity
