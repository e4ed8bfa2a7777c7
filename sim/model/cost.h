#pragma once
// The cost per month of a run: what the components used (instance-hours,
// storage, requests, bytes) scaled from the simulated time to a month, times
// the topology's pricing file (topology/pricing.h). A pure function of
// (Topology, RunResult); the report writes it, the `cost_per_month` metric
// reads it. docs/cost.md has every line with its formula.
//
//   instances   instance-hours in the run / run hours × hours_per_month × price per hour
//               (`per: component`: hours_per_month × price, whatever the instances)
//   storage     mean instances up × GB provisioned per instance × price per GB-month
//   requests    requests through the component per month / 10^6 × price per million
//   transfer    bytes per month × price per GB (10^9 bytes): responses to the clients
//               (from a CDN's edge at cdn_out when the path starts at a CDN), and each
//               hop's response crossing zones or regions with the share of instance pairs
//               of the two components that are in different zones (regions)

#include <optional>
#include <string>
#include <vector>

#include "sim/model/run_result.h"
#include "sim/topology/topology.h"

namespace sim::model {

/// One line of the bill.
struct CostLine {
  std::string component;  ///< "" for the whole design (transfer to clients)
  std::string item;       ///< instances, storage, requests, transfer out, transfer cdn out, transfer inter-zone, ...
  std::string detail;     ///< "db.t3.small on_demand", "rds-gp3", "api -> rds"
  double quantity = 0;    ///< per month, in `unit`
  std::string unit;       ///< instance-hours, GB-months, million requests, GB
  double unit_price = 0;
  double per_month = 0;   ///< quantity × unit_price
};

struct CostEstimate {
  std::string pricing, pricing_file, currency, source, date;
  double hours_per_month = 730;
  double per_month = 0;   ///< the sum of the lines
  std::vector<CostLine> lines;  ///< components in topology order, then transfer
};

/// The estimate, or nullopt when the topology names no pricing file (or the run has no duration).
std::optional<CostEstimate> estimate_cost(const topology::Topology& t, const RunResult& r);

/// The share of a hop's requests that cross from `from`'s zone to a different zone (and to a
/// different region) when both spread their instances round-robin over their zones and
/// every caller instance calls every callee instance equally often. `to_role` picks the
/// database instances the hop reaches ("primary": instance 0; "replica": the others).
struct CrossShare {
  double zone = 0, region = 0;
};
CrossShare cross_share(const topology::Topology& t, const topology::Component& from, const topology::Component& to,
                       const std::string& to_role);

}  // namespace sim::model
