#include "sim/engine/plan.h"

namespace sim::engine {

const core::Distribution* service_demand(const topology::ServiceSpec& s, const std::string& cls) {
  auto it = s.service_time.find(cls);
  if (it == s.service_time.end()) it = s.service_time.find("default");
  return &it->second;
}

const core::Distribution* query_demand(const topology::DatabaseSpec& d, const std::string& cls, bool write) {
  auto it = d.query_time.find(cls);
  if (it == d.query_time.end()) it = d.query_time.find(write ? "write" : "read");
  if (it == d.query_time.end()) it = d.query_time.find("default");
  return &it->second;
}

}  // namespace sim::engine
