#include "sim/engine/cache.h"

#include "sim/engine/world.h"
#include "sim/model/balancer.h"

namespace sim::engine {

Cache::Cache(World& world, int component) : w_(world), component_(component), stations_(world.comp(component).stations) {
  cold_since_.assign(stations_.size(), std::nullopt);
}

int Cache::node(core::Rng& rng) const {
  // Keys are sharded uniformly over the nodes.
  int nodes = w_.comp(component_).spec->cache()->nodes;
  return stations_[static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(nodes)))];
}

bool Cache::lookup(int station, double warm, core::Rng& rng) {
  const topology::CacheSpec& cs = *w_.comp(component_).spec->cache();
  double h = model::warming_hit_ratio(warm, cs.warmup, w_.kernel.now(), cold_since_[static_cast<std::size_t>(w_.st(station).index)]);
  ++lookups_;
  ++window_lookups_;
  if (!rng.bernoulli(h)) return false;
  ++hits_;
  ++window_hits_;
  return true;
}

void Cache::miss_down() {
  ++lookups_;
  ++window_lookups_;
}

void Cache::flush() {
  for (auto& c : cold_since_) c = w_.kernel.now();
}

void Cache::instance_up(int station) { cold_since_[static_cast<std::size_t>(w_.st(station).index)] = w_.kernel.now(); }

void Cache::collect(model::ComponentStats& out) {
  out.cache_lookups = lookups_;
  out.cache_hit_ratio = lookups_ ? static_cast<double>(hits_) / static_cast<double>(lookups_) : 0;
}

double Cache::window_extra() {
  double v = window_lookups_ ? static_cast<double>(window_hits_) / static_cast<double>(window_lookups_) : 0;
  window_lookups_ = window_hits_ = 0;
  return v;
}

double Cdn::hit_ratio(double warm) const {
  if (!cold_since_) return warm;
  return model::warming_hit_ratio(warm, kWarmup, w_.kernel.now(), cold_since_);
}

void Cdn::flush() { cold_since_ = w_.kernel.now(); }

Storage::Storage(World& world, int component) : stations_(world.comp(component).stations) {
  nodes_ = world.comp(component).spec->storage()->nodes;
}

int Storage::node(core::Rng& rng) const {
  return stations_[static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(nodes_)))];
}

}  // namespace sim::engine
