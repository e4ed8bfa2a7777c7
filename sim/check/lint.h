#pragma once
// Static lint: problems visible in the configuration without running it.
// Each finding is located in the file that causes it.
//
//   db-connections   pool max × max client replicas exceeds the database's max_connections
//   detection-rto    health-check detection (interval × unhealthy_threshold + timeout),
//                    or database failover time, already exceeds an RTO target
//   no-route         a path crosses regions that no region link connects
//   capacity         peak offered CPU load of a tier exceeds its cores at max replicas
//   workers-cores    fewer workers than cores: cores can never all be busy
//   cache-failover   a Redis Cluster of fewer than 3 masters, a Sentinel or Cluster deployment
//                    without replicas, or fewer than 3 sentinels: a failed master is not replaced
//   timeout-order    a service times out before the services it calls can

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::check {

struct Finding {
  std::string code;     ///< "db-connections", ...
  std::string message;  ///< "what is wrong; what would fix it"
  core::SourcePos pos;
};

/// Pure. `scen` may be null (a topology validated on its own).
std::vector<Finding> lint(const topology::Topology& topo, const scenario::Scenario* scen);

/// "file:line:col: warning: message [code]".
std::string format_finding(const Finding& f);

}  // namespace sim::check
