#include "sim/engine/cache.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "sim/core/units.h"
#include "sim/engine/world.h"
#include "sim/model/balancer.h"
#include "sim/scenario/profile.h"

namespace sim::engine {

using topology::CacheHa;
using topology::CachePersistence;

namespace {
constexpr double kRecomputeChange = 0.10;       // re-solve the model when a class's lookup rate moves by 10 %
constexpr std::uint64_t kRecomputeLookups = 100;  // ... measured over at least this many lookups
constexpr double kSentinelPing = 1.0;           // sentinels ping every master each second
constexpr double kSentinelInfo = 1.0;           // and send INFO every second during a failover
constexpr double kKernelWriteback = 30.0;       // appendfsync no: Linux writes dirty pages back after ~30 s
}  // namespace

Cache::Cache(World& world, int component)
    : w_(world),
      component_(component),
      name_(world.comp(component).spec->name),
      key_rng_(world.streams.stream("cache-keys:" + world.comp(component).spec->name)) {
  const topology::CacheSpec& cs = *w_.comp(component_).spec->cache();
  const std::vector<int>& stations = w_.comp(component_).stations;
  const int per = 1 + cs.replicas;
  nodes_.resize(static_cast<std::size_t>(cs.nodes));
  node_of_instance_.assign(stations.size(), 0);
  for (int n = 0; n < cs.nodes; ++n) {
    Node& node = nodes_[static_cast<std::size_t>(n)];
    node.index = n;
    for (int r = 0; r < per; ++r) {
      auto instance = static_cast<std::size_t>(n * per + r);
      node.stations.push_back(stations[instance]);
      node_of_instance_[instance] = n;
    }
  }
  if (cs.persistence.aof && cs.persistence.fsync == CachePersistence::Fsync::kEverysec) {
    fsync_phase_ = w_.streams.stream("aof:" + name_).uniform();
  }
  if (cs.keys.empty()) return;
  // The classes whose hit ratio is modelled, in topology order.
  std::vector<model::KeyClass> classes;
  std::vector<double> rates;
  const double offered = scenario::contains_trace(w_.scen.load) ? 0 : scenario::rate_at(w_.scen.load, 0);
  model_class_.assign(w_.topo.requests.size(), -1);
  for (std::size_t k = 0; k < w_.topo.requests.size(); ++k) {
    const topology::RequestClass& rc = w_.topo.requests[k];
    auto it = cs.keys.find(rc.name);
    if (it == cs.keys.end()) continue;
    model_class_[k] = static_cast<int>(classes.size());
    model_names_.push_back(rc.name);
    classes.push_back({it->second.keys(w_.topo.users.count), it->second.zipf, it->second.size, it->second.ttl,
                       core::fnv1a(rc.name)});
    // The offered lookup rate at the start (corrected by the first windows): its share, past a CDN.
    double cdn_hit = 0;
    if (const topology::Component* first = w_.topo.find(rc.path.front().component); first && first->cdn()) {
      auto h = first->cdn()->hit_ratio.find(rc.name);
      cdn_hit = h != first->cdn()->hit_ratio.end() ? h->second : first->cdn()->default_hit_ratio;
    }
    rates.push_back(offered * rc.share * (1 - cdn_hit));
  }
  model_ = std::make_unique<model::CacheModel>(classes, cs.nodes, cs.memory);
  class_lookups_.assign(classes.size(), 0);
  class_hits_.assign(classes.size(), 0);
  class_window_.assign(classes.size(), 0);
  solve(rates);
}

void Cache::solve(const std::vector<double>& rates) { model_->solve(rates); }

Cache::Node& Cache::node_of_station(int station) {
  return nodes_[static_cast<std::size_t>(node_of_instance_[static_cast<std::size_t>(w_.st(station).index)])];
}

// ---- the request path ----------------------------------------------------------------------------

int Cache::route(int cls, core::Rng& rng, std::uint64_t* key) {
  int m = model_ && cls >= 0 ? model_class_[static_cast<std::size_t>(cls)] : -1;
  std::size_t n;
  if (m < 0) {
    // Keys are sharded uniformly over the nodes.
    *key = 0;
    n = static_cast<std::size_t>(rng.below(nodes_.size()));
  } else {
    *key = model_->popularity(static_cast<std::size_t>(m)).sample(key_rng_);
    n = static_cast<std::size_t>(model_->node_of(static_cast<std::size_t>(m), *key));
  }
  return master_station(nodes_[n]);
}

bool Cache::lookup(int station, double warm, int cls, std::uint64_t key, core::Rng& rng) {
  Node& n = node_of_station(station);
  const double now = w_.kernel.now();
  ++lookups_;
  ++window_lookups_;
  int m = model_ && cls >= 0 ? model_class_[static_cast<std::size_t>(cls)] : -1;
  if (m >= 0) {
    ++class_lookups_[static_cast<std::size_t>(m)];
    ++class_window_[static_cast<std::size_t>(m)];
  }
  if (n.state == State::kLoading) {
    if (now < n.loading_until) return false;  // -LOADING: the client falls through, a miss
    n.state = State::kUp;
  }
  double h;
  if (m < 0) {
    h = model::warming_hit_ratio(warm, w_.comp(component_).spec->cache()->warmup, now, n.cold_since);
  } else {
    h = model_->hit(static_cast<std::size_t>(m), key, n.cold_since ? now - *n.cold_since : model::kForever);
  }
  if (!rng.bernoulli(h)) {
    record_write(n);  // cache-aside: the miss fills the key
    if (m >= 0) {
      auto mc = static_cast<std::size_t>(m);
      bool full = !n.cold_since || now - *n.cold_since >= model_->fill_time(n.index, mc);
      if (full) evictions_ += model_->fate(mc, key).evicted;
    }
    return false;
  }
  ++hits_;
  ++window_hits_;
  if (m >= 0) ++class_hits_[static_cast<std::size_t>(m)];
  return true;
}

void Cache::miss_down(int cls, std::uint64_t key) {
  (void)key;
  ++lookups_;
  ++window_lookups_;
  int m = model_ && cls >= 0 ? model_class_[static_cast<std::size_t>(cls)] : -1;
  if (m >= 0) {
    ++class_lookups_[static_cast<std::size_t>(m)];
    ++class_window_[static_cast<std::size_t>(m)];
  }
}

// ---- persistence: writes and what a restart loses --------------------------------------------------

double Cache::durable_period() const {
  const CachePersistence& p = w_.comp(component_).spec->cache()->persistence;
  if (p.aof) {
    switch (p.fsync) {
      case CachePersistence::Fsync::kAlways: return 0;
      case CachePersistence::Fsync::kEverysec: return 1;
      case CachePersistence::Fsync::kNo: return kKernelWriteback;
    }
  }
  if (p.rdb_every > 0) return p.rdb_every;
  return std::numeric_limits<double>::infinity();
}

void Cache::record_write(Node& n) {
  ++writes_;
  const double period = durable_period();
  if (period == 0) return;  // appendfsync always: durable before the reply
  const double now = w_.kernel.now();
  if (std::isfinite(period)) {
    // Durable points at phase + k × period: count the writes since the last one.
    long p = static_cast<long>(std::floor((now - fsync_phase_) / period));
    if (p != n.durable_period) {
      n.durable_period = p;
      n.undurable = 0;
      n.first_undurable = -1;
    }
  }
  ++n.undurable;
  if (n.first_undurable < 0) n.first_undurable = now;
}

void Cache::record_loss(Node& n, double when) {
  n.loss_recorded = true;
  const topology::CacheSpec& cs = *w_.comp(component_).spec->cache();
  if (!cs.persistence.given) return;  // a pure cache: its content is rebuilt from the database, nothing is lost
  const double period = durable_period();
  std::uint64_t lost = n.undurable;
  if (period == 0) lost = 0;
  if (std::isfinite(period) && period > 0 && static_cast<long>(std::floor((when - fsync_phase_) / period)) != n.durable_period) {
    lost = 0;  // nothing written since the last durable point
  }
  model::DataLoss loss;
  loss.fault = n.down_fault;
  loss.time = when;
  loss.writes_lost = lost;
  loss.rpo = lost ? when - n.first_undurable : 0;
  std::string kept;
  if (cs.persistence.aof) {
    kept = cs.persistence.fsync == CachePersistence::Fsync::kAlways     ? "AOF fsync always: every write was on disk"
           : cs.persistence.fsync == CachePersistence::Fsync::kEverysec ? "AOF fsync everysec: the writes since the last fsync"
                                                                          : "AOF fsync no: the writes the kernel had not written back";
  } else if (cs.persistence.rdb_every > 0) {
    kept = fmt::format("RDB every {}: the writes since the last snapshot", core::format_duration(cs.persistence.rdb_every));
  } else {
    kept = "no persistence: everything since it started";
  }
  loss.explanation = fmt::format("{} lost {} writes ({})", w_.st(master_station(n)).name, lost, kept);
  w_.result.data_losses.push_back(loss);
  n.undurable = 0;
  n.first_undurable = -1;
}

double Cache::used_bytes(const Node& n) const {
  if (model_) return model_->used_bytes(n.index);
  return w_.comp(component_).spec->cache()->memory;
}

// ---- the node's state machine -------------------------------------------------------------------

void Cache::instance_down(int station, const std::string& why) {
  Node& n = node_of_station(station);
  if (station != master_station(n) || n.state == State::kDown) return;  // a replica: nothing visible
  const topology::CacheSpec& cs = *w_.comp(component_).spec->cache();
  const double now = w_.kernel.now();
  n.state = State::kDown;
  ++n.down_epoch;
  n.down_fault = why;
  n.down_at = now;
  n.loss_recorded = false;
  if (cs.ha.mode == CacheHa::Mode::kNone || cs.replicas == 0) {
    record_loss(n, now);  // nobody takes over: what the master held is gone
    return;
  }
  if (cs.ha.mode == CacheHa::Mode::kCluster) {
    // A replica needs the votes of a majority of all masters (the failed one counts).
    int up = 0;
    for (const Node& o : nodes_) up += o.state != State::kDown ? 1 : 0;
    int needed = static_cast<int>(nodes_.size()) / 2 + 1;
    if (up < needed) {
      w_.timeline(now, "failover_failed", name_,
                  fmt::format("{} masters are up of {}; a Redis Cluster failover needs the votes of {} (a majority)", up,
                              nodes_.size(), needed));
      record_loss(n, now);
      return;
    }
  }
  int node = n.index;
  std::uint64_t epoch = n.down_epoch;
  w_.spawn(fmt::format("redis-failover-{}/{}", name_, node), w_.platform->control(), [this, node, epoch] { failover(node, epoch); });
}

// The failover of one master, as Sentinel or Cluster runs it (cache.h). A control actor.
void Cache::failover(int index, std::uint64_t epoch) {
  const CacheHa ha = w_.comp(component_).spec->cache()->ha;
  w_.kernel.enter();
  Node& n = nodes_[static_cast<std::size_t>(index)];
  const double crash = w_.kernel.now();
  core::Rng rng = w_.streams.stream(fmt::format("redis-ha:{}/{}#{}", name_, index, epoch));
  double detect = 0, promote = 0;
  std::string how;
  if (ha.mode == CacheHa::Mode::kSentinel) {
    // Each sentinel's last reply came at its last ping (once a second, its own phase);
    // it sees the master down (SDOWN) down_after later; ODOWN when `quorum` of them do.
    std::vector<double> sdown;
    for (int k = 0; k < ha.sentinels; ++k) {
      double phase = rng.uniform(0, kSentinelPing);
      double last = phase + std::floor((crash - phase) / kSentinelPing) * kSentinelPing;
      sdown.push_back(last + ha.down_after);
    }
    std::sort(sdown.begin(), sdown.end());
    detect = std::max(crash, sdown[static_cast<std::size_t>(ha.quorum - 1)]);
    promote = detect + kSentinelInfo;
    how = fmt::format("{} of {} sentinels saw no reply for down-after-milliseconds {}", ha.quorum, ha.sentinels,
                      core::format_duration(ha.down_after));
  } else {
    // The first ping after the crash (every node is pinged at least every node_timeout/2)
    // stays unanswered for node_timeout; the replica's election waits 500 ms + random(500 ms).
    detect = crash + rng.uniform(0, ha.node_timeout / 2) + ha.node_timeout;
    promote = detect + 0.5 + rng.uniform(0, 0.5);
    how = fmt::format("a ping unanswered for cluster-node-timeout {}", core::format_duration(ha.node_timeout));
  }
  sg::this_actor::sleep_until(detect);
  w_.kernel.enter();
  if (n.down_epoch != epoch || n.state != State::kDown) return;  // it came back first
  w_.timeline(w_.kernel.now(), "detect", name_,
              fmt::format("master {} detected down ({} after the crash: {})", w_.st(master_station(n)).name,
                          core::format_duration(w_.kernel.now() - crash), how));
  sg::this_actor::sleep_until(promote);
  w_.kernel.enter();
  if (n.down_epoch != epoch || n.state != State::kDown) return;
  int pick = -1;
  for (std::size_t i = 0; i < n.stations.size(); ++i) {
    if (static_cast<int>(i) != n.master && w_.st(n.stations[i]).up) {
      pick = static_cast<int>(i);
      break;
    }
  }
  if (pick < 0) {
    w_.timeline(w_.kernel.now(), "failover_failed", name_, "no replica is up to promote");
    record_loss(n, n.down_at);
    return;
  }
  std::string old = w_.st(master_station(n)).name;
  n.master = pick;
  n.state = State::kUp;
  n.loss_recorded = true;  // the replica had the data (replication lag not modelled)
  ++failovers_;
  w_.timeline(w_.kernel.now(), "promote", w_.st(master_station(n)).name,
              fmt::format("{} promoted to master in place of {}; clients redirected", w_.st(master_station(n)).name, old));
}

void Cache::instance_up(int station) {
  Node& n = node_of_station(station);
  if (station != master_station(n)) return;  // a replica (or a replaced master) resyncs from its master
  const topology::CacheSpec& cs = *w_.comp(component_).spec->cache();
  const double now = w_.kernel.now();
  // The master itself restarts (no failover happened): what it kept is what persistence kept.
  if (n.state == State::kDown && !n.loss_recorded) record_loss(n, n.down_at);
  ++n.down_epoch;  // a failover still pending gives up
  if (cs.persistence.any()) {
    n.state = State::kLoading;
    n.loading_until = now + used_bytes(n) / cs.persistence.load_rate;
    w_.timeline(now, "loading", w_.st(station).name,
                fmt::format("loading {} from its {} at {} ({}); then warm", core::format_size(used_bytes(n)),
                            cs.persistence.aof ? "AOF" : "RDB snapshot", core::format_bandwidth(cs.persistence.load_rate),
                            core::format_duration(n.loading_until - now)));
  } else {
    n.state = State::kUp;
    n.cold_since = now;  // restarts empty
    n.last_start = now;
    n.undurable = 0;
    n.first_undurable = -1;
  }
}

void Cache::flush() {
  const double now = w_.kernel.now();
  for (Node& n : nodes_) {
    n.cold_since = now;
    n.last_start = now;
  }
}

void Cache::collect(model::ComponentStats& out) {
  out.cache_lookups = lookups_;
  out.cache_hit_ratio = lookups_ ? static_cast<double>(hits_) / static_cast<double>(lookups_) : 0;
  out.cache_writes = writes_;
  out.failovers = failovers_;
  if (!model_) return;
  out.cache_evictions = evictions_;
  for (std::size_t m = 0; m < model_names_.size(); ++m) {
    out.cache_classes.push_back({model_names_[m], model_->hit_ratio(m), class_lookups_[m], class_hits_[m]});
  }
}

double Cache::window_extra() {
  const double now = w_.kernel.now();
  if (model_ && now > window_start_) {
    // The load moved: re-solve with the lookup rates measured in this window.
    std::vector<double> rates = model_->rates();
    bool changed = false;
    for (std::size_t m = 0; m < rates.size(); ++m) {
      if (class_window_[m] < kRecomputeLookups) continue;
      double measured = static_cast<double>(class_window_[m]) / (now - window_start_);
      if (std::fabs(measured - rates[m]) > kRecomputeChange * rates[m]) {
        rates[m] = measured;
        changed = true;
      }
    }
    if (changed) solve(rates);
  }
  std::fill(class_window_.begin(), class_window_.end(), 0);
  window_start_ = now;
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
