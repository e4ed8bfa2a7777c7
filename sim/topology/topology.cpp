#include "sim/topology/topology.h"

#include <algorithm>

namespace sim::topology {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kCdn: return "cdn";
    case Kind::kLoadBalancer: return "load_balancer";
    case Kind::kService: return "service";
    case Kind::kCache: return "cache";
    case Kind::kDatabase: return "database";
    case Kind::kQueue: return "queue";
    case Kind::kStorage: return "storage";
  }
  return "?";
}

int Component::instances() const {
  switch (kind) {
    case Kind::kCdn: return 0;
    case Kind::kLoadBalancer: return lb() ? lb()->replicas : 0;
    case Kind::kService: return service() ? service()->replicas : 0;
    case Kind::kCache: return cache() ? cache()->instances() : 0;
    case Kind::kDatabase: return database() ? database()->instances() : 0;
    case Kind::kQueue: return 1;
    case Kind::kStorage: return storage() ? storage()->nodes : 0;
  }
  return 0;
}

const Component* Topology::find(const std::string& n) const {
  auto it = std::find_if(components.begin(), components.end(), [&](const Component& c) { return c.name == n; });
  return it == components.end() ? nullptr : &*it;
}

Component* Topology::find(const std::string& n) {
  auto it = std::find_if(components.begin(), components.end(), [&](const Component& c) { return c.name == n; });
  return it == components.end() ? nullptr : &*it;
}

const RequestClass* Topology::find_class(const std::string& n) const {
  auto it = std::find_if(requests.begin(), requests.end(), [&](const RequestClass& c) { return c.name == n; });
  return it == requests.end() ? nullptr : &*it;
}

const Region* Topology::find_region(const std::string& n) const {
  auto it = std::find_if(regions.begin(), regions.end(), [&](const Region& r) { return r.name == n; });
  return it == regions.end() ? nullptr : &*it;
}

const Region* Topology::region_of_zone(const std::string& zone) const {
  for (const Region& r : regions) {
    if (std::find(r.zones.begin(), r.zones.end(), zone) != r.zones.end()) return &r;
  }
  return nullptr;
}

}  // namespace sim::topology
