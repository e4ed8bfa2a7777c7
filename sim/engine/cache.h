#pragma once
// The caching tiers and object storage:
//  - Cache (Redis/Memcached-like): keys sharded uniformly over the nodes; a
//    lookup hits with the class's hit ratio, which after a flush or a restart
//    warms up as h(t) = h (1 − e^(−t/warmup)) (model::warming_hit_ratio); a
//    node that is down is a miss (the service falls through to the database).
//  - Cdn: answers hits at the edge (the request never reaches the origin, see
//    RequestFlow); after a flush its hit ratio warms up with a 300 s time
//    constant (edge caches refill slowly).
//  - Storage (S3-like): requests spread uniformly over the nodes.

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/core/random.h"
#include "sim/engine/tier.h"

namespace sim::engine {

class World;

class Cache final : public Tier {
 public:
  Cache(World& world, int component);
  /// The node holding a request's key.
  int node(core::Rng& rng) const;
  /// A lookup of a class with warm hit ratio `warm` on `station` at the kernel's now: hit?
  bool lookup(int station, double warm, core::Rng& rng);
  /// A lookup on a node that is down: a miss.
  void miss_down();
  /// Every node loses its content at the kernel's now.
  void flush();

  void instance_up(int station) override;
  void collect(model::ComponentStats& out) override;
  double window_extra() override;

 private:
  World& w_;
  int component_;
  std::vector<int> stations_;
  std::vector<std::optional<double>> cold_since_;  ///< per node: emptied at
  std::uint64_t lookups_ = 0, hits_ = 0, window_lookups_ = 0, window_hits_ = 0;
};

class Cdn final : public Tier {
 public:
  static constexpr double kWarmup = 300;  ///< time constant of a flushed CDN's hit ratio
  Cdn(World& world, int component) : w_(world), component_(component) {}
  /// The hit ratio of a class whose warm ratio is `warm`, at the kernel's now.
  double hit_ratio(double warm) const;
  void flush();

 private:
  World& w_;
  int component_;
  std::optional<double> cold_since_;
};

class Storage final : public Tier {
 public:
  Storage(World& world, int component);
  int node(core::Rng& rng) const;

 private:
  std::vector<int> stations_;
  int nodes_ = 1;
};

}  // namespace sim::engine
