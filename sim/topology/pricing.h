#pragma once
// What a design costs: a pricing file (prices per instance type and hour, per
// GB-month of storage, per GB transferred, per million requests) and the
// topology's `cost:` keys that map components onto it. The format is in
// docs/cost.md; pricing/aws-eu-central-1.yaml is the worked example. The
// estimate itself (quantities × prices from a run) is model/cost.h.

#include <map>
#include <optional>
#include <string>

#include "sim/core/diagnostics.h"
#include "sim/core/source.h"

namespace YAML {
class Node;
}

namespace sim::core {
class Reader;
}

namespace sim::topology {

using core::SourcePos;

struct Component;
struct Topology;

/// How an instance is bought. The order is the pricing file's key order.
enum class Purchase { kOnDemand, kReserved, kSpot };
const char* purchase_name(Purchase p);

/// One instance type's price per instance-hour; a purchase option left out has no price.
struct InstancePrice {
  std::optional<double> on_demand, reserved, spot;
  std::string description;  ///< informational ("2 vCPU, 2 GiB")
  /// The type's vCPUs, when given: a component priced with the type but sized with other
  /// `cores` pays in proportion (within an instance family the price is linear in size:
  /// m6i.large, 2 vCPU, costs half an m6i.xlarge; Fargate bills per vCPU and GB).
  std::optional<double> cores;
  std::optional<double> price(Purchase p) const;
};

/// Prices per GB of data crossing a boundary (one direction).
struct TransferPrices {
  double inter_zone = 0;    ///< between zones of a region
  double inter_region = 0;  ///< between regions
  double out = 0;           ///< to the clients (the internet)
  std::optional<double> cdn_out;  ///< to the clients from a CDN's edge; default: `out`
};

/// A pricing file.
struct Pricing {
  std::string name;
  std::string file;
  std::string currency = "USD";
  std::string source;         ///< where the prices come from (required)
  std::string date;           ///< when they were read, YYYY-MM-DD (required)
  double hours_per_month = 730;  ///< AWS's and GCP's convention (default 730)
  std::map<std::string, InstancePrice> instances;  ///< per instance-hour
  std::map<std::string, double> storage;           ///< per GB-month, by storage class
  std::map<std::string, double> requests;          ///< per million requests, by name
  TransferPrices transfer;
};

/// A component's mapping onto the pricing file (`cost:` in a component).
struct ComponentCost {
  std::string instance;               ///< an instance type of the pricing file; "" = no instance charge
  Purchase purchase = Purchase::kOnDemand;  ///< default: the topology's `cost.purchase`
  bool purchase_written = false;      ///< false: `purchase` is the topology's default
  bool per_component = false;         ///< `per: component`: one unit for the whole component (an ALB), not per instance
  double storage = 0;                 ///< bytes provisioned per instance (default 0)
  std::string storage_class;          ///< a storage class of the pricing file (required with storage)
  std::string requests;               ///< a request price of the pricing file: every request through it is billed
  SourcePos pos, instance_pos, storage_class_pos, requests_pos;
};

/// The topology's `cost:` block.
struct CostSpec {
  std::string pricing_file;           ///< resolved against the topology's folder
  Pricing pricing;
  Purchase purchase = Purchase::kOnDemand;  ///< for components without their own (default on_demand)
  /// Bytes of a response per request class, for transfer prices; `default` for the rest.
  /// Default: the class's response_size.
  std::map<std::string, double> response_bytes;
  std::map<std::string, SourcePos> response_bytes_pos;
  SourcePos pos;
};

/// Parses a pricing file's text named `file`. Errors go to diags; nullopt if any.
std::optional<Pricing> parse_pricing(const std::string& file, const std::string& text, core::Diagnostics& diags);

/// Reads the topology's `cost:` block (and the pricing file it names) into t->cost.
void read_topology_cost(const core::Reader& r, const YAML::Node& n, Topology* t);
/// Reads a component's `cost:` block into c->cost.
void read_component_cost(const core::Reader& r, const YAML::Node& n, Component* c);
/// Cross-checks once everything is read: every name a component's `cost:` uses is in the
/// pricing file, the purchase option is priced, response_bytes names known classes.
void check_costs(const core::Reader& r, Topology* t);

}  // namespace sim::topology
