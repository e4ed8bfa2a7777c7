#include "sim/engine/platform.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/engine/cpu.h"

namespace sim::engine {

namespace sg = simgrid::s4u;

Places::Places(const topology::Topology& t) {
  for (const auto& r : t.regions) {
    regions.push_back(r.name);
    for (const auto& z : r.zones) {
      zones.push_back(z);
      zone_region.push_back(static_cast<int>(regions.size()) - 1);
    }
  }
  region_share.assign(regions.size(), 0.0);
  if (t.clients.regions.empty()) {
    region_share[0] = 1.0;
  } else {
    for (const auto& [name, share] : t.clients.regions) region_share[static_cast<std::size_t>(region_index(name))] = share;
  }
}

int Places::zone_index(const std::string& zone) const {
  auto it = std::find(zones.begin(), zones.end(), zone);
  return it == zones.end() ? -1 : static_cast<int>(it - zones.begin());
}

int Places::region_index(const std::string& region) const {
  auto it = std::find(regions.begin(), regions.end(), region);
  return it == regions.end() ? -1 : static_cast<int>(it - regions.begin());
}

double Platform::region_latency(int ra, int rb) const {
  if (ra == rb) return 0;
  const std::string& a = places_.regions[static_cast<std::size_t>(ra)];
  const std::string& b = places_.regions[static_cast<std::size_t>(rb)];
  for (const auto& l : topo_.network.region_links) {
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return l.latency;
  }
  return topo_.network.inter_region_latency;
}

double Platform::zone_latency(int za, int zb) const {
  const topology::Network& net = topo_.network;
  if (za == zb) return net.intra_zone_latency;
  int ra = places_.zone_region[static_cast<std::size_t>(za)], rb = places_.zone_region[static_cast<std::size_t>(zb)];
  if (ra == rb) return net.inter_zone_latency;
  return region_latency(ra, rb);
}

sg::Host* Platform::backup_store(int component) const {
  auto it = backup_stores_.find(component);
  return it == backup_stores_.end() ? nullptr : it->second;
}

sg::Link* Platform::region_link(int a, int b) const {
  auto it = region_links_.find({std::min(a, b), std::max(a, b)});
  return it == region_links_.end() ? nullptr : it->second;
}

Platform::Platform(const topology::Topology& topo, const Places& places, const std::vector<HostSpec>& specs,
                   const std::vector<StationPlace>& stations)
    : topo_(topo), places_(places), n_(stations.size()) {
  const topology::Network& net = topo.network;
  const double flops = HostCpu::kFlopsPerSecond;
  for (const StationPlace& s : stations) station_host_.push_back(s.host);

  // Latencies between stations: a component link overrides the zones' latency.
  latency_.assign(n_ * n_, 0.0);
  for (std::size_t a = 0; a < n_; ++a) {
    for (std::size_t b = 0; b < n_; ++b) {
      const std::string& ca = topo.components[static_cast<std::size_t>(stations[a].component)].name;
      const std::string& cb = topo.components[static_cast<std::size_t>(stations[b].component)].name;
      double lat = zone_latency(stations[a].zone, stations[b].zone);
      for (const auto& l : net.links) {
        if ((l.from == ca && l.to == cb) || (l.from == cb && l.to == ca)) lat = l.latency;
      }
      latency_[a * n_ + b] = lat;
    }
  }

  auto* root = sg::create_full_zone("world");
  std::vector<sg::NetZone*> region_zones;
  std::vector<simgrid::kernel::routing::NetPoint*> gateways;
  for (const auto& region : places.regions) {
    auto* z = sg::create_full_zone("region-" + region);
    z->set_parent(root);
    region_zones.push_back(z);
  }
  hosts_.assign(specs.size(), nullptr);
  nics_.assign(specs.size(), nullptr);
  for (std::size_t r = 0; r < places.regions.size(); ++r) {
    sg::NetZone* z = region_zones[r];
    gateways.push_back(z->create_router("gw-" + places.regions[r]));
    std::vector<sg::Host*> hosts;
    std::vector<int> host_zone;
    std::vector<const sg::Link*> nics;
    for (std::size_t hi = 0; hi < specs.size(); ++hi) {
      const HostSpec& h = specs[hi];
      if (places.zone_region[static_cast<std::size_t>(h.zone)] != static_cast<int>(r)) continue;
      std::vector<double> speeds;
      for (double f : h.pstates) speeds.push_back(f * flops);
      hosts_[hi] = z->create_host(h.name, speeds)->set_core_count(h.cores)->seal();
      nics_[hi] = z->create_link(h.name + "-nic", net.bandwidth)->set_latency(0)->seal();
      hosts.push_back(hosts_[hi]);
      host_zone.push_back(h.zone);
      nics.push_back(nics_[hi]);
    }
    if (r == 0) {
      control_ = z->create_host("control", flops)->set_core_count(64)->seal();
      hosts.push_back(control_);
      host_zone.push_back(-1);  // the control host is "everywhere" in its region: intra-zone latency
      nics.push_back(z->create_link("control-nic", net.bandwidth * 100)->set_latency(0)->seal());
    }
    // Backup stores: restores come over a link at the database's restore_rate.
    for (std::size_t ci = 0; ci < topo.components.size(); ++ci) {
      const topology::DatabaseSpec* db = topo.components[ci].database();
      if (!db || db->backup.restore_rate <= 0) continue;
      auto first = std::find_if(stations.begin(), stations.end(),
                                [&](const StationPlace& s) { return s.component == static_cast<int>(ci); });
      if (first == stations.end() || places.zone_region[static_cast<std::size_t>(first->zone)] != static_cast<int>(r)) continue;
      const std::string& name = topo.components[ci].name;
      sg::Host* store = z->create_host(name + "-backup-store", flops)->seal();
      backup_stores_[static_cast<int>(ci)] = store;
      hosts.push_back(store);
      host_zone.push_back(-1);
      nics.push_back(z->create_link(name + "-backup-link", db->backup.restore_rate)->set_latency(0)->seal());
    }
    std::map<std::pair<int, int>, const sg::Link*> fabric;
    auto fabric_link = [&](int za, int zb) {
      auto key = std::minmax(za, zb);
      auto it = fabric.find(key);
      if (it != fabric.end()) return it->second;
      double lat = (za < 0 || zb < 0) ? net.intra_zone_latency : zone_latency(za, zb);
      std::string name = fmt::format("fabric-{}-{}", za < 0 ? "control" : places.zones[static_cast<std::size_t>(za)],
                                     zb < 0 ? "control" : places.zones[static_cast<std::size_t>(zb)]);
      const sg::Link* l = z->create_link(name, net.bandwidth)->set_latency(lat)->seal();
      fabric[key] = l;
      return l;
    };
    for (std::size_t a = 0; a < hosts.size(); ++a) {
      z->add_route(hosts[a]->get_netpoint(), gateways.back(), nullptr, nullptr, {sg::LinkInRoute(nics[a])}, true);
      for (std::size_t b = a + 1; b < hosts.size(); ++b) {
        const sg::Link* f = fabric_link(host_zone[a], host_zone[b]);
        z->add_route(hosts[a]->get_netpoint(), hosts[b]->get_netpoint(), nullptr, nullptr,
                     {sg::LinkInRoute(nics[a]), sg::LinkInRoute(f), sg::LinkInRoute(nics[b])}, true);
      }
    }
    z->seal();
  }
  for (std::size_t a = 0; a < places.regions.size(); ++a) {
    for (std::size_t b = a + 1; b < places.regions.size(); ++b) {
      double lat = net.inter_region_latency, bw = net.bandwidth;
      for (const auto& l : net.region_links) {
        if ((l.a == places.regions[a] && l.b == places.regions[b]) || (l.a == places.regions[b] && l.b == places.regions[a])) {
          lat = l.latency;
          bw = l.bandwidth;
        }
      }
      sg::Link* l = root->create_link(fmt::format("region-{}-{}", places.regions[a], places.regions[b]), bw)->set_latency(lat)->seal();
      region_links_[{static_cast<int>(a), static_cast<int>(b)}] = l;
      root->add_route(region_zones[a]->get_netpoint(), region_zones[b]->get_netpoint(), gateways[a], gateways[b],
                      {sg::LinkInRoute(l)}, true);
    }
  }
  root->seal();
}

}  // namespace sim::engine
