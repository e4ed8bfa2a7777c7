#pragma once
// The SimGrid platform of a run and the latencies requests read from it.
// Built once, before the simulation starts; constant after construction
// (links' bandwidths change under faults, through SimGrid).
//
// A root full zone holds one full zone per region. Each region zone has a host
// per station, or one per shared host for the stations on it (cores at 10⁹ flops/s, one pstate per cpu_slowdown factor aimed
// at it), a gateway router, a NIC link per host (the network bandwidth, no
// latency) and one fabric link per zone pair (the zone latency). Region zones
// are joined by one link per region pair. A control host in the first region
// carries the control actors and stands for the clients; each database with
// backups gets a backup-store host behind a link at its restore_rate.
//
// Requests never cross SimGrid links one by one: their hop latencies come from
// latency(), a station × station matrix computed here from the same numbers
// (a component link overrides the zone latency). Bulk transfers (restores,
// large responses) are SimGrid communications over the routes built here.

#include <map>
#include <simgrid/s4u.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/topology/topology.h"

namespace sim::engine {

/// Regions, zones and where the clients are: indices used everywhere in the engine.
struct Places {
  std::vector<std::string> regions;
  std::vector<std::string> zones;
  std::vector<int> zone_region;      ///< zone -> region
  std::vector<double> region_share;  ///< client traffic per region (sums to 1)

  explicit Places(const topology::Topology& t);
  int zone_index(const std::string& zone) const;      ///< -1 if unknown
  int region_index(const std::string& region) const;  ///< -1 if unknown
};

/// One SimGrid host to create: a station's own, or a shared host (topology `hosts:`).
struct HostSpec {
  std::string name;
  int zone = 0;
  int cores = 1;
  std::vector<double> pstates;  ///< speed factors; [0] = 1 (full speed)
};

/// Where a station is: its component and zone (for the latency matrix) and its host.
struct StationPlace {
  int component = -1;
  int zone = 0;
  int host = -1;  ///< index into the HostSpec list
};

class Platform {
 public:
  /// Builds the SimGrid platform. REQUIRES: a live sg::Engine, nothing built yet.
  Platform(const topology::Topology& topo, const Places& places, const std::vector<HostSpec>& hosts,
           const std::vector<StationPlace>& stations);

  /// The SimGrid host a station runs on (shared by every station on a shared host).
  simgrid::s4u::Host* host(int station) const { return hosts_[host_index(station)]; }
  simgrid::s4u::Link* nic(int station) const { return nics_[host_index(station)]; }
  /// By host index (HostSpec order).
  simgrid::s4u::Host* host_at(int index) const { return hosts_[static_cast<std::size_t>(index)]; }
  /// The host of the control actors; also where answers to clients are sent (response_size).
  simgrid::s4u::Host* control() const { return control_; }
  /// Where a database's backups are restored from; nullptr without backups.
  simgrid::s4u::Host* backup_store(int component) const;
  /// The link between two regions (bandwidth faults); nullptr for the same region.
  simgrid::s4u::Link* region_link(int region_a, int region_b) const;

  /// One-way latency between two stations (constant).
  double latency(int a, int b) const { return latency_[static_cast<std::size_t>(a) * n_ + static_cast<std::size_t>(b)]; }
  double zone_latency(int zone_a, int zone_b) const;
  /// 0 within a region.
  double region_latency(int region_a, int region_b) const;

 private:
  const topology::Topology& topo_;
  const Places& places_;
  std::size_t host_index(int station) const {
    return static_cast<std::size_t>(station_host_[static_cast<std::size_t>(station)]);
  }
  std::size_t n_ = 0;                       ///< stations
  std::vector<int> station_host_;
  std::vector<simgrid::s4u::Host*> hosts_;  ///< per HostSpec
  std::vector<simgrid::s4u::Link*> nics_;   ///< per HostSpec
  simgrid::s4u::Host* control_ = nullptr;
  std::map<int, simgrid::s4u::Host*> backup_stores_;
  std::map<std::pair<int, int>, simgrid::s4u::Link*> region_links_;
  std::vector<double> latency_;
};

}  // namespace sim::engine
