#include "sim/topology/pricing.h"

#include <cctype>
#include <fmt/format.h>
#include <vector>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"
#include "sim/topology/topology.h"

namespace sim::topology {
namespace {

using core::MapView;
using core::Reader;

// A price: a plain number in the file's currency. A billion per unit is a typo.
constexpr double kMaxPrice = 1e9;

const std::vector<std::string>& purchase_names() {
  static const std::vector<std::string> kNames = {"on_demand", "reserved", "spot"};
  return kNames;
}

std::optional<Purchase> read_purchase(const Reader& r, const YAML::Node& n) {
  auto v = r.choice(n, "purchase option", purchase_names());
  if (!v) return std::nullopt;
  if (*v == "reserved") return Purchase::kReserved;
  if (*v == "spot") return Purchase::kSpot;
  return Purchase::kOnDemand;
}

// Instance types, storage classes and price names as the providers write them: "db.t3.small",
// "fargate-1vcpu-2gb", "m6i.large".
std::optional<std::string> price_name(const Reader& r, const YAML::Node& n) {
  static constexpr std::string_view kExpected = "a name of letters, digits, '.', '_' or '-'";
  auto s = r.string(n, kExpected);
  if (!s) return std::nullopt;
  bool ok = !s->empty() && s->size() <= 128 && std::isalnum(static_cast<unsigned char>((*s)[0]));
  for (char c : *s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  if (!ok) {
    r.error(n, fmt::format("invalid name {}; expected {}", core::describe(n), kExpected));
    return std::nullopt;
  }
  return s;
}

bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// A mapping of names to prices ("storage: {gp3: 0.0952}").
void read_price_map(const Reader& r, const YAML::Node& n, const char* what, std::map<std::string, double>* out) {
  MapView m(r, n, what, {});
  if (!m.ok()) return;
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto name = price_name(r, it->first);
    if (!name) continue;
    if (auto v = r.number(it->second, 0, kMaxPrice)) (*out)[*name] = *v;
  }
}

}  // namespace

const char* purchase_name(Purchase p) {
  return purchase_names()[static_cast<std::size_t>(p)].c_str();
}

std::optional<double> InstancePrice::price(Purchase p) const {
  switch (p) {
    case Purchase::kOnDemand: return on_demand;
    case Purchase::kReserved: return reserved;
    case Purchase::kSpot: return spot;
  }
  return std::nullopt;
}

std::optional<Pricing> parse_pricing(const std::string& file, const std::string& text, core::Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  auto root = core::parse_yaml(file, text, diags, "a pricing mapping with source, date and instances");
  if (!root) return std::nullopt;
  Reader r(file, diags);
  MapView m(r, *root, "pricing",
            {"name", "description", "currency", "source", "date", "hours_per_month", "instances", "storage",
             "requests", "transfer"});
  if (!m.ok()) return std::nullopt;
  Pricing p;
  p.file = file;
  YAML::Node name = m.require("name", "a name, like name: aws-eu-central-1");
  if (name.IsDefined()) core::set_if(r.identifier(name), &p.name);
  if (m.has("currency")) {
    auto c = r.string(m.get("currency"), "a currency code like USD or EUR");
    bool ok = c && c->size() == 3;
    for (char ch : c.value_or("")) ok = ok && std::isupper(static_cast<unsigned char>(ch));
    if (ok) {
      p.currency = *c;
    } else if (c) {
      r.error(m.get("currency"), fmt::format("invalid currency {}; expected a three-letter code like USD or EUR",
                                             core::describe(m.get("currency"))));
    }
  }
  // Prices change: a file that does not say where and when they were read is not evidence.
  YAML::Node source = m.require("source", "where the prices come from, like source: \"AWS price list, ...\"");
  if (source.IsDefined()) core::set_if(r.string(source, "a string"), &p.source);
  YAML::Node date = m.require("date", "the date the prices were read, like date: 2024-06-01");
  if (date.IsDefined()) {
    auto d = r.string(date, "a date like 2024-06-01");
    if (d && !is_date(*d)) {
      r.error(date, fmt::format("invalid date {}; expected a date like 2024-06-01 (YYYY-MM-DD)", core::describe(date)));
    } else if (d) {
      p.date = *d;
    }
  }
  m.read("hours_per_month", &Reader::number, &p.hours_per_month, 1.0, 744.0);
  if (m.has("instances")) {
    const YAML::Node& in = m.get("instances");
    MapView im(r, in, "instances", {});
    if (im.ok()) {
      for (auto it = in.begin(); it != in.end(); ++it) {
        auto type = price_name(r, it->first);
        if (!type) continue;
        std::string what = fmt::format("instance type '{}'", *type);
        MapView tm(r, it->second, what, {"on_demand", "reserved", "spot", "description", "cores"});
        if (!tm.ok()) continue;
        InstancePrice ip;
        for (const std::string& k : purchase_names()) {
          if (!tm.has(k)) continue;
          auto v = r.number(tm.get(k), 0, kMaxPrice);
          if (!v) continue;
          if (k == "on_demand") ip.on_demand = v;
          if (k == "reserved") ip.reserved = v;
          if (k == "spot") ip.spot = v;
        }
        tm.read("description", &Reader::string, &ip.description, "a string");
        if (tm.has("cores")) ip.cores = r.number(tm.get("cores"), 0.001, 1e4);
        // Only when none is written: an invalid one is reported already.
        if (!tm.has("on_demand") && !tm.has("reserved") && !tm.has("spot") && !tm.misspelled("on_demand") &&
            !tm.misspelled("reserved") && !tm.misspelled("spot")) {
          r.error(it->second, fmt::format("{} has no price; expected at least one of on_demand, reserved, spot "
                                          "(per instance-hour)",
                                          what));
        }
        p.instances[*type] = ip;
      }
    }
  }
  if (m.has("storage")) read_price_map(r, m.get("storage"), "storage", &p.storage);
  if (m.has("requests")) read_price_map(r, m.get("requests"), "requests", &p.requests);
  if (m.has("transfer")) {
    MapView tm(r, m.get("transfer"), "transfer", {"inter_zone", "inter_region", "out", "cdn_out"});
    if (tm.ok()) {
      tm.read("inter_zone", &Reader::number, &p.transfer.inter_zone, 0.0, kMaxPrice);
      tm.read("inter_region", &Reader::number, &p.transfer.inter_region, 0.0, kMaxPrice);
      tm.read("out", &Reader::number, &p.transfer.out, 0.0, kMaxPrice);
      if (tm.has("cdn_out")) p.transfer.cdn_out = r.number(tm.get("cdn_out"), 0, kMaxPrice);
    }
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return p;
}

void read_topology_cost(const Reader& r, const YAML::Node& n, Topology* t) {
  MapView m(r, n, "cost", {"pricing", "purchase", "response_bytes"});
  if (!m.ok()) return;
  CostSpec c;
  c.pos = r.pos(n);
  YAML::Node file = m.require("pricing", "a pricing file, like pricing: ../pricing/aws-eu-central-1.yaml");
  if (m.has("purchase")) core::set_if(read_purchase(r, m.get("purchase")), &c.purchase);
  if (m.has("response_bytes")) {
    const YAML::Node& rb = m.get("response_bytes");
    MapView bm(r, rb, "response_bytes", {});
    if (bm.ok()) {
      for (auto it = rb.begin(); it != rb.end(); ++it) {
        auto cls = r.identifier(it->first);
        auto size = r.size(it->second);
        if (!cls || !size) continue;
        c.response_bytes[*cls] = *size;
        c.response_bytes_pos[*cls] = r.pos(it->first);
      }
    }
  }
  if (!file.IsDefined()) return;
  auto path = r.string(file, "a file path");
  if (!path) return;
  c.pricing_file = core::resolve_path(r.file(), *path);
  // Where the topology names the file, not a bare "cannot read" on a path the user never wrote.
  if (std::string why = core::unreadable_reason(c.pricing_file); !why.empty()) {
    r.error(file, fmt::format("cannot read pricing file '{}': {}; expected a pricing file (docs/cost.md)",
                              c.pricing_file, why));
    return;
  }
  auto text = core::read_text_file(c.pricing_file, r.diags(), 4u << 20);
  if (!text) return;
  auto pricing = parse_pricing(c.pricing_file, *text, r.diags());
  if (!pricing) return;
  c.pricing = std::move(*pricing);
  t->cost = std::move(c);
}

void read_component_cost(const Reader& r, const YAML::Node& n, Component* c) {
  MapView m(r, n, "cost", {"instance", "purchase", "per", "storage", "storage_class", "requests"});
  if (!m.ok()) return;
  ComponentCost cc;
  cc.pos = r.pos(n);
  if (m.has("instance")) {
    core::set_if(price_name(r, m.get("instance")), &cc.instance);
    cc.instance_pos = r.pos(m.get("instance"));
  }
  if (m.has("purchase")) {
    cc.purchase_written = true;  // also when invalid (reported): not the topology's default
    core::set_if(read_purchase(r, m.get("purchase")), &cc.purchase);
  }
  if (m.has("per")) {
    auto per = r.choice(m.get("per"), "billing unit", {"instance", "component"});
    cc.per_component = per && *per == "component";
  }
  m.read("storage", &Reader::size, &cc.storage);
  if (m.has("storage_class")) {
    core::set_if(price_name(r, m.get("storage_class")), &cc.storage_class);
    cc.storage_class_pos = r.pos(m.get("storage_class"));
  }
  if (m.has("requests")) {
    core::set_if(price_name(r, m.get("requests")), &cc.requests);
    cc.requests_pos = r.pos(m.get("requests"));
  }
  if (cc.storage > 0 && cc.storage_class.empty() && !m.misspelled("storage_class")) {
    r.error(n, "storage without storage_class in cost; expected the storage class it is priced at, like "
               "storage_class: gp3");
  }
  if (m.has("per") && cc.instance.empty() && !m.misspelled("instance")) {
    r.error(m.get("per"), "'per' without 'instance' in cost; expected an instance type to bill per component");
  }
  if (c->kind == Kind::kCdn && !cc.instance.empty()) {
    r.error(m.get("instance"), fmt::format("CDN '{}' has no instances to price; expected requests: (a request "
                                           "price) for a CDN",
                                           c->name));
  }
  c->cost = cc;
}

void check_costs(const Reader& r, Topology* t) {
  bool any_component = false;
  for (const Component& c : t->components) any_component = any_component || c.cost.has_value();
  if (!t->cost) {
    if (any_component) {
      for (const Component& c : t->components) {
        if (!c.cost) continue;
        r.error(c.cost->pos, fmt::format("component '{}' has cost: but the topology names no pricing file; expected "
                                         "cost: {{pricing: FILE}} at the top of the topology",
                                         c.name));
        break;
      }
    }
    return;
  }
  const Pricing& p = t->cost->pricing;
  auto names = [](const auto& map) {
    std::vector<std::string> out;
    for (const auto& [k, v] : map) out.push_back(k);
    return out;
  };
  auto known = [&](const std::string& name, const auto& map, const char* noun, const SourcePos& at) {
    if (name.empty() || map.count(name)) return true;
    std::string in = fmt::format("pricing file {}", p.file);
    r.error(at, core::unknown_name({.noun = noun, .name = name, .in = in, .none = "expected one of none"}, names(map)));
    return false;
  };
  for (Component& c : t->components) {
    if (!c.cost) continue;
    ComponentCost& cc = *c.cost;
    if (!cc.purchase_written) cc.purchase = t->cost->purchase;
    if (known(cc.instance, p.instances, "instance type", cc.instance_pos) && !cc.instance.empty()) {
      const InstancePrice& ip = p.instances.at(cc.instance);
      if (!ip.price(cc.purchase)) {
        std::vector<std::string> priced;
        for (Purchase q : {Purchase::kOnDemand, Purchase::kReserved, Purchase::kSpot}) {
          if (ip.price(q)) priced.push_back(purchase_name(q));
        }
        r.error(cc.instance_pos, fmt::format("instance type '{}' has no {} price in {}; expected one of {}", cc.instance,
                                    purchase_name(cc.purchase), p.file, core::join(priced)));
      }
    }
    known(cc.storage_class, p.storage, "storage class", cc.storage_class_pos);
    known(cc.requests, p.requests, "request price", cc.requests_pos);
  }
  for (const auto& [cls, bytes] : t->cost->response_bytes) {
    if (cls == "default" || t->find_class(cls)) continue;
    std::vector<std::string> classes;
    for (const RequestClass& rc : t->requests) classes.push_back(rc.name);
    if (classes.empty()) continue;
    classes.push_back("default");
    r.error(t->cost->response_bytes_pos[cls],
            core::unknown_name({.noun = "request class", .name = cls, .in = "cost.response_bytes"}, classes));
  }
}

}  // namespace sim::topology
