#include "sim/model/cost.h"

#include <cmath>
#include <fmt/format.h>
#include <map>

#include "sim/core/units.h"

namespace sim::model {

namespace {

using topology::Component;
using topology::Kind;
using topology::Topology;

// The zone of each instance a hop can reach: instance i in zones[i % n] (topology.h).
std::vector<std::string> instance_zones(const Component& c, const std::string& role) {
  std::vector<std::string> out;
  int n = c.instances();
  int first = 0, last = n;
  if (const auto* db = c.database()) {
    // The primary is instance 0; reads go to the replicas when there are any and the database allows it.
    if (role == "primary") last = 1;
    if (role == "replica" || (role.empty() && db->reads_from_replicas && db->replicas > 0)) first = 1;
  }
  for (int i = first; i < last; ++i) out.push_back(c.zones[static_cast<std::size_t>(i) % c.zones.size()]);
  return out;
}

double warm_hit_ratio(const Component& c, const std::string& cls) {
  if (const auto* cdn = c.cdn()) {
    auto it = cdn->hit_ratio.find(cls);
    return it != cdn->hit_ratio.end() ? it->second : cdn->default_hit_ratio;
  }
  if (const auto* cache = c.cache()) {
    auto it = cache->hit_ratio.find(cls);
    return it != cache->hit_ratio.end() ? it->second : cache->default_hit_ratio;
  }
  return 0;
}

}  // namespace

CrossShare cross_share(const Topology& t, const Component& from, const Component& to, const std::string& to_role) {
  CrossShare out;
  std::vector<std::string> a = instance_zones(from, ""), b = instance_zones(to, to_role);
  if (a.empty() || b.empty()) return out;
  auto region_of = [&](const std::string& zone) {
    const topology::Region* reg = t.region_of_zone(zone);
    return reg ? reg->name : zone;
  };
  double pairs = static_cast<double>(a.size() * b.size());
  for (const auto& za : a) {
    for (const auto& zb : b) {
      if (region_of(za) != region_of(zb)) {
        out.region += 1 / pairs;
      } else if (za != zb) {
        out.zone += 1 / pairs;
      }
    }
  }
  return out;
}

std::optional<CostEstimate> estimate_cost(const Topology& t, const RunResult& r) {
  if (!t.cost || r.duration <= 0) return std::nullopt;
  const topology::Pricing& p = t.cost->pricing;
  CostEstimate e;
  e.pricing = p.name;
  e.pricing_file = t.cost->pricing_file;
  e.currency = p.currency;
  e.source = p.source;
  e.date = p.date;
  e.hours_per_month = p.hours_per_month;
  const double run_hours = r.duration / 3600;
  const double month_factor = p.hours_per_month / run_hours;  // run totals -> per month
  auto add = [&](CostLine line) {
    line.per_month = line.quantity * line.unit_price;
    e.per_month += line.per_month;
    e.lines.push_back(std::move(line));
  };
  std::map<std::string, const ComponentStats*> stats;
  for (const auto& c : r.components) stats[c.name] = &c;

  for (const Component& c : t.components) {
    if (!c.cost) continue;
    const topology::ComponentCost& cc = *c.cost;
    const ComponentStats* cs = stats.count(c.name) ? stats[c.name] : nullptr;
    double instance_hours = cs ? cs->instance_hours : 0;
    if (!cc.instance.empty()) {
      // The topology's type on the component's own instances (a type with its vCPUs given, on
      // instances of another size, is priced in proportion); types a resize moved to, at their price.
      auto priced = [&](const std::string& type, bool own_size, std::string* detail) {
        const topology::InstancePrice& ip = p.instances.at(type);
        auto price = ip.price(cc.purchase);
        *detail = fmt::format("{} {}", type, topology::purchase_name(cc.purchase));
        const int cores = c.hosts.empty() ? t.instance_cores(c, 0) : 0;
        if (own_size && price && ip.cores && cores > 0 && std::abs(cores - *ip.cores) > 1e-9) {
          *price *= cores / *ip.cores;
          *detail += fmt::format(" × {}/{} cores", cores, core::format_number(*ip.cores));
        }
        return price.value_or(0);
      };
      std::string detail;
      const double unit = priced(cc.instance, true, &detail);
      if (cc.per_component) {
        add({c.name, "instances", detail + " (per component)", p.hours_per_month, "hours", unit, 0});
      } else if (cs && !cs->instance_hours_by_type.empty()) {
        // Resized to another type: each type's instance-hours at its own price (the first is the topology's).
        for (const auto& [type, hours] : cs->instance_hours_by_type) {
          if (!p.instances.contains(type)) continue;  // checked by the loaders
          std::string d;
          const double u = priced(type, type == cc.instance, &d);
          add({c.name, "instances", d, hours * month_factor, "instance-hours", u, 0});
        }
      } else {
        add({c.name, "instances", detail, instance_hours * month_factor, "instance-hours", unit, 0});
      }
    }
    if (cc.storage > 0) {
      double mean_instances = instance_hours / run_hours;
      add({c.name, "storage", fmt::format("{} × {} GB", cc.storage_class, cc.storage / 1e9),
           mean_instances * cc.storage / 1e9, "GB-months", p.storage.at(cc.storage_class), 0});
    }
    if (!cc.requests.empty()) {
      double n = 0;
      for (const auto& rc : t.requests) {
        bool through = false;
        for (const auto& step : rc.path) through = through || step.component == c.name;
        if (!through) continue;
        for (const auto& cls : r.classes) {
          if (cls.name == rc.name) n += static_cast<double>(cls.generated);
        }
      }
      add({c.name, "requests", cc.requests, n * month_factor / 1e6, "million requests", p.requests.at(cc.requests), 0});
    }
  }

  // Transfer: the responses of completed requests.
  auto bytes_of = [&](const topology::RequestClass& rc) {
    const auto& rb = t.cost->response_bytes;
    if (auto it = rb.find(rc.name); it != rb.end()) return it->second;
    if (auto it = rb.find("default"); it != rb.end()) return it->second;
    return rc.response_size;
  };
  double out_gb = 0, cdn_out_gb = 0;
  std::map<std::string, double> zone_gb, region_gb;  // by hop "a -> b"
  std::vector<std::string> hop_order;
  for (const auto& rc : t.requests) {
    double completed = 0;
    for (const auto& cls : r.classes) {
      if (cls.name == rc.name) completed = static_cast<double>(cls.completed);
    }
    double gb = completed * bytes_of(rc) * month_factor / 1e9;
    if (gb <= 0 || rc.path.empty()) continue;
    const Component* first = t.find(rc.path.front().component);
    (first && first->kind == Kind::kCdn ? cdn_out_gb : out_gb) += gb;
    // Inside: each hop's response, for the share of requests that reach it (a CDN or cache hit ends the path).
    double reach = 1;
    for (std::size_t i = 0; i < rc.path.size(); ++i) {
      const Component* to = t.find(rc.path[i].component);
      if (!to) break;
      if (i > 0) {
        const Component* from = nullptr;
        bool data_tier = to->kind == Kind::kCache || to->kind == Kind::kDatabase || to->kind == Kind::kQueue ||
                         to->kind == Kind::kStorage;
        for (std::size_t j = i; j-- > 0;) {
          const Component* c = t.find(rc.path[j].component);
          if (c && (!data_tier || c->kind == Kind::kService)) {
            from = c;
            break;
          }
        }
        // A CDN's origin fetch is not billed as transfer (CloudFront: "data transferred from origin to edge
        // locations" is free); the edge's answer is cdn_out above.
        if (from && from->kind != Kind::kCdn) {
          CrossShare x = cross_share(t, *from, *to, rc.path[i].role);
          std::string hop = from->name + " -> " + to->name;
          if (!zone_gb.count(hop) && !region_gb.count(hop)) hop_order.push_back(hop);
          zone_gb[hop] += gb * reach * x.zone;
          region_gb[hop] += gb * reach * x.region;
        }
      }
      reach *= 1 - warm_hit_ratio(*to, rc.name);
    }
  }
  const auto& tp = p.transfer;
  if (out_gb > 0) add({"", "transfer out", "responses to the clients", out_gb, "GB", tp.out, 0});
  if (cdn_out_gb > 0) {
    add({"", "transfer cdn out", "responses from the CDN's edge", cdn_out_gb, "GB", tp.cdn_out.value_or(tp.out), 0});
  }
  for (const auto& hop : hop_order) {
    if (zone_gb[hop] > 0) add({"", "transfer inter-zone", hop, zone_gb[hop], "GB", tp.inter_zone, 0});
    if (region_gb[hop] > 0) add({"", "transfer inter-region", hop, region_gb[hop], "GB", tp.inter_region, 0});
  }
  return e;
}

}  // namespace sim::model
