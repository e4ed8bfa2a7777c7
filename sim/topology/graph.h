#pragma once
// The component graph (Boost.Graph): which components each request class
// crosses, and which components are single points of failure.
//
// A component is a single point of failure (SPOF) when a request path crosses
// it and one failure takes it out: it has one instance, or (a database) its
// primary cannot be replaced automatically, or all its instances share one
// zone. CDNs are managed edge networks and are treated as always up.

#include <string>
#include <vector>

#include "sim/topology/topology.h"

namespace sim::topology {

struct ClassPath {
  std::string request_class;
  std::vector<std::string> components;  ///< in order
  std::string text;                     ///< "cdn -> lb -> app(x3) -> db.primary"
};

struct SinglePointOfFailure {
  std::string component;
  std::string reason;                   ///< "1 instance on the path of static, api_read"
  std::vector<std::string> classes;     ///< request classes it can cut
};

struct GraphAnalysis {
  std::vector<ClassPath> paths;
  std::vector<SinglePointOfFailure> single_points_of_failure;
  /// Components whose removal disconnects the clients from another component
  /// (articulation points of the undirected component graph), sorted.
  std::vector<std::string> cut_vertices;
};

/// Pure: builds the graph from `topo` and analyses it. Deterministic order.
GraphAnalysis analyze_graph(const Topology& topo);

}  // namespace sim::topology
