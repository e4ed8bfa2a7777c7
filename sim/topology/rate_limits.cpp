#include "sim/topology/rate_limits.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"

namespace sim::topology {
namespace {

using core::MapView;
using core::Reader;

void read_one(const Reader& r, const YAML::Node& n, std::vector<RateLimit>* out) {
  MapView m(r, n, "rate_limit", {"rate", "burst", "nodelay", "delay", "requests", "window", "key", "classes"});
  if (!m.ok()) return;
  RateLimit lim;
  lim.pos = r.pos(n);
  // limit_req (rate) or a sliding window (requests per window): exactly one.
  std::string kind = m.exactly_one_of({"rate", "window"}, false);
  if (kind.empty() && !m.has("rate") && !m.has("window") && !m.misspelled("rate") && !m.misspelled("window")) {
    r.error(n, "missing key 'rate' in rate_limit; expected rate: 10r/s (nginx limit_req) or window: 1m with "
               "requests: 60 (a sliding window)");
  }
  if (kind == "rate") {
    if (auto v = r.rate(m.get("rate"))) {
      if (*v <= 0) r.error(m.get("rate"), "rate limit must be above 0; expected a rate like 1000/min");
      lim.rate = *v;
    }
    m.read("burst", &Reader::integer, &lim.burst, 0, 10000000);
    m.read("nodelay", &Reader::boolean, &lim.nodelay);
    if (m.has("delay")) {
      m.read("delay", &Reader::integer, &lim.delay, 0, 10000000);
      if (m.has("nodelay") && lim.nodelay) {
        r.error(m.get("delay"), "'delay' and 'nodelay: true' cannot be used together; expected one of them (nginx "
                                "limit_req takes delay=N or nodelay)");
      }
      lim.nodelay = false;  // nginx: delay=N implies the excess above N is delayed
      if (lim.delay > lim.burst) {
        r.error(m.get("delay"), fmt::format("delay {} exceeds burst {}; expected delay <= burst (requests above the "
                                            "burst are rejected, never delayed)",
                                            lim.delay, lim.burst));
      }
    }
    for (const char* k : {"requests"}) {
      if (m.has(k)) r.error(m.get(k), fmt::format("'{}' belongs to a sliding window (window:); expected rate, "
                                                  "burst, nodelay or delay with rate:", k));
    }
  } else if (kind == "window") {
    m.read("window", &Reader::positive_duration, &lim.window);
    YAML::Node req = m.require("requests", "the requests allowed per window, like requests: 60");
    if (req.IsDefined()) core::set_if(r.integer(req, 1, 1000000000), &lim.requests);
    for (const char* k : {"burst", "nodelay", "delay"}) {
      if (m.has(k)) r.error(m.get(k), fmt::format("'{}' belongs to nginx limit_req (rate:); expected requests "
                                                  "and window for a sliding window", k));
    }
  }
  if (m.has("key")) {
    auto k = r.choice(m.get("key"), "rate limit key", {"global", "client", "class"});
    if (k && *k == "client") lim.key = RateLimit::Key::kClient;
    if (k && *k == "class") lim.key = RateLimit::Key::kClass;
  }
  if (m.has("classes") && r.is_seq(m.get("classes"), "classes")) {
    for (const auto& item : m.get("classes")) {
      if (auto c = r.identifier(item)) {
        lim.classes.push_back(*c);
        lim.class_pos.push_back(r.pos(item));
      }
    }
  }
  out->push_back(std::move(lim));
}

}  // namespace

void read_rate_limits(const Reader& r, const YAML::Node& n, std::vector<RateLimit>* out) {
  if (n.IsSequence()) {
    if (n.size() == 0) r.error(n, "empty rate_limit list; expected at least one limit, like [{rate: 10r/s}]");
    for (const auto& item : n) read_one(r, item, out);
    return;
  }
  read_one(r, n, out);
}

std::string rate_limit_text(const RateLimit& lim) {
  std::string s;
  if (lim.window > 0) {
    s = fmt::format("requests: {}, window: {}", lim.requests, core::format_duration(lim.window));
  } else {
    s = fmt::format("rate: {}, burst: {}", core::format_rate(lim.rate), lim.burst);
    s += lim.nodelay ? ", nodelay: true" : lim.delay > 0 ? fmt::format(", delay: {}", lim.delay) : ", nodelay: false";
  }
  if (lim.key == RateLimit::Key::kClient) s += ", key: client";
  if (lim.key == RateLimit::Key::kClass) s += ", key: class";
  if (!lim.classes.empty()) {
    std::string cs;
    for (const auto& c : lim.classes) cs += (cs.empty() ? "" : ", ") + c;
    s += ", classes: [" + cs + "]";
  }
  return "{" + s + "}";
}

void check_rate_limits(const Reader& r, const Topology& t) {
  std::vector<std::string> classes;
  for (const RequestClass& rc : t.requests) classes.push_back(rc.name);
  if (classes.empty()) return;  // the requests section is broken: reported already
  for (const Component& c : t.components) {
    const LoadBalancerSpec* lb = c.lb();
    if (!lb) continue;
    for (const RateLimit& lim : lb->rate_limits) {
      for (std::size_t i = 0; i < lim.classes.size(); ++i) {
        if (t.find_class(lim.classes[i])) continue;
        r.error(lim.class_pos[i], core::unknown_name({.noun = "request class", .name = lim.classes[i]}, classes));
      }
      if (lim.nodelay) continue;
      // A delayed request waits at the entry balancer; a balancer a service calls cannot hold its caller's
      // call. One error per limit, for the first path of a class it applies to.
      auto called_by = [&](const RequestClass& rc) -> const Component* {
        if (!lim.classes.empty() && std::find(lim.classes.begin(), lim.classes.end(), rc.name) == lim.classes.end()) {
          return nullptr;
        }
        for (std::size_t i = 1; i < rc.path.size(); ++i) {
          const Component* before = t.find(rc.path[i - 1].component);
          if (rc.path[i].component == c.name && before && before->kind != Kind::kCdn) return before;
        }
        return nullptr;
      };
      for (const RequestClass& rc : t.requests) {
        if (const Component* before = called_by(rc)) {
          r.error(lim.pos, fmt::format("load balancer '{}' delays requests (nodelay: false) but is called by '{}' "
                                       "in the path of '{}'; expected nodelay: true on a balancer that is not a "
                                       "path's entry",
                                       c.name, before->name, rc.name));
          break;
        }
      }
    }
  }
}

}  // namespace sim::topology
