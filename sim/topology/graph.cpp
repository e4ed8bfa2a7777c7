#include "sim/topology/graph.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/biconnected_components.hpp>
#include <fmt/format.h>
#include <map>
#include <set>

namespace sim::topology {

namespace {

std::string step_text(const Topology& topo, const PathStep& s) {
  const Component* c = topo.find(s.component);
  int n = 0;
  if (c) {
    if (s.role == "primary") {
      n = 1;
    } else if (s.role == "replica") {
      n = c->database()->replicas;
    } else {
      n = c->instances();
    }
  }
  std::string out = s.text();
  if (n > 1) out += fmt::format("(x{})", n);
  return out;
}

}  // namespace

GraphAnalysis analyze_graph(const Topology& topo) {
  GraphAnalysis out;
  // Vertex 0 is "clients"; component i is vertex i + 1.
  using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::undirectedS>;
  Graph g(topo.components.size() + 1);
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < topo.components.size(); ++i) index[topo.components[i].name] = i + 1;

  std::map<std::string, std::vector<std::string>> classes_through;  // component -> classes
  std::map<std::string, std::set<std::string>> roles_used;          // database -> roles on paths
  for (const RequestClass& rc : topo.requests) {
    ClassPath cp;
    cp.request_class = rc.name;
    std::vector<std::string> parts;
    std::size_t prev = 0;
    for (const PathStep& s : rc.path) {
      cp.components.push_back(s.component);
      parts.push_back(step_text(topo, s));
      auto it = index.find(s.component);
      if (it == index.end()) continue;
      if (it->second != prev) boost::add_edge(prev, it->second, g);
      prev = it->second;
      auto& cls = classes_through[s.component];
      if (cls.empty() || cls.back() != rc.name) cls.push_back(rc.name);
      const Component* c = topo.find(s.component);
      if (c && c->kind == Kind::kDatabase) {
        roles_used[s.component].insert(!s.role.empty() ? s.role
                                       : rc.write || c->database()->replicas == 0 || !c->database()->reads_from_replicas
                                           ? "primary"
                                           : "replica");
      }
    }
    cp.text = core::join(parts, " -> ");
    out.paths.push_back(std::move(cp));
  }

  std::vector<std::size_t> cuts;
  boost::articulation_points(g, std::back_inserter(cuts));
  for (std::size_t v : cuts) {
    if (v > 0) out.cut_vertices.push_back(topo.components[v - 1].name);
  }
  std::sort(out.cut_vertices.begin(), out.cut_vertices.end());

  for (const Component& c : topo.components) {
    auto it = classes_through.find(c.name);
    if (it == classes_through.end() || c.kind == Kind::kCdn) continue;
    const std::vector<std::string>& cls = it->second;
    std::string on = fmt::format("on the path of {}", core::join(cls, ", "));
    std::vector<std::string> reasons;
    if (c.kind == Kind::kDatabase) {
      const DatabaseSpec& db = *c.database();
      if (roles_used[c.name].count("primary")) {
        if (db.replicas == 0) {
          reasons.push_back("a single database server, no replica to fail over to");
        } else if (!db.failover.automatic) {
          reasons.push_back("the primary has no automatic failover (manual promotion)");
        }
      }
      if (roles_used[c.name].count("replica") && db.replicas == 1) reasons.push_back("a single read replica");
    } else if (c.instances() == 1) {
      reasons.push_back("1 instance");
    }
    // Every instance in one zone: a zone outage takes the component out.
    std::set<std::string> zones(c.zones.begin(), c.zones.end());
    if (reasons.empty() && c.instances() > 1 && zones.size() == 1) {
      bool other_zones = false;
      for (const Region& r : topo.regions) other_zones = other_zones || r.zones.size() > 1;
      if (other_zones) reasons.push_back(fmt::format("all {} instances in zone {}", c.instances(), *zones.begin()));
    }
    if (!reasons.empty()) {
      out.single_points_of_failure.push_back({c.name, fmt::format("{} {}", core::join(reasons, "; "), on), cls});
    }
  }
  return out;
}

}  // namespace sim::topology
