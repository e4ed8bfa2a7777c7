#pragma once
// The caching tiers and object storage:
//  - Cache (Redis/Memcached-like): `nodes` masters, each with `replicas`.
//    Where a lookup goes and whether it hits:
//      * a class with a hit_ratio: a node chosen uniformly; it hits with the
//        class's ratio, which after a flush or a cold restart warms up as
//        h(t) = h (1 − e^(−t/warmup)) (model::warming_hit_ratio);
//      * a class with `keys`: its key is drawn from the class's popularity
//        (Zipf), the node is the key's (hash slot), and it hits with the key's
//        probability from Che's approximation with TTLs (model::CacheModel:
//        memory per node, object sizes, TTLs, the lookup rates). The model is
//        solved at the start from the offered load and again at the end of any
//        window whose lookup rate moved by more than 10 %; after a flush or a
//        cold restart a node fills as the model says. A miss that would have
//        evicted a key counts its expected eviction.
//    A node whose master is down is a miss (the service falls through to the
//    database); so is a node that is loading its data after a restart.
//
//    The node's state machine — the only place it is written:
//
//      kUp ──master crashes──> kDown ──detected (Sentinel / Cluster), replica promoted──> kUp
//       ^  <──master back (cold, or after loading its RDB/AOF: kLoading)── ┘
//
//    Failover (`ha`), as Redis does it:
//      sentinel  every sentinel pings the master each second; one whose last
//                reply is older than down-after-milliseconds sees it down
//                (SDOWN), and when `quorum` of them do (ODOWN) the leader
//                promotes a replica, which the leader sees at its next INFO
//                (every second during a failover): promote = ODOWN + 1 s.
//      cluster   a node pings each node at least every node_timeout/2 and flags
//                it failing when a ping stays unanswered for node_timeout; a
//                replica then waits 500 ms + random(0..500 ms) and wins the
//                election with the votes of a majority of all masters. With
//                fewer than 3 masters the others cannot make a majority: no
//                failover (check/lint says so before the run).
//    Clients follow the new master at once (Sentinel-aware clients, MOVED).
//    A master that comes back after a failover rejoins as a replica.
//
//    Persistence decides what a restart keeps and what it loses (RPO of the
//    cache tier, reported as a data loss of the crash fault): none — the
//    restart is cold and loses every write since the node last started; rdb —
//    loses the writes since the last snapshot (taken at k × every); aof —
//    always: nothing, everysec: the writes since the last fsync (≤ 1 s), no:
//    those since the kernel's last writeback (≤ 30 s). With persistence the
//    restart loads the data (its size / load_rate: a miss meanwhile) and is
//    then warm. A write is a key filled after a miss (cache-aside SET).
//  - Cdn: answers hits at the edge (the request never reaches the origin, see
//    RequestFlow); after a flush its hit ratio warms up with a 300 s time
//    constant (edge caches refill slowly).
//  - Storage (S3-like): requests spread uniformly over the nodes.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/random.h"
#include "sim/engine/tier.h"
#include "sim/model/cache_model.h"

namespace sim::engine {

class World;

class Cache final : public Tier {
 public:
  Cache(World& world, int component);

  // ---- the request path
  /// The station a lookup of request class `cls` goes to: its node's master. A class
  /// with keys draws its key (*key); any other picks a node uniformly (*key = 0).
  int route(int cls, core::Rng& rng, std::uint64_t* key);
  /// A lookup on `station` at the kernel's now: hit? `warm`: the class's hit_ratio.
  bool lookup(int station, double warm, int cls, std::uint64_t key, core::Rng& rng);
  /// A lookup on a node that is down: a miss.
  void miss_down(int cls, std::uint64_t key);

  // ---- control
  /// Every node loses its content at the kernel's now.
  void flush();

  // ---- Tier
  void instance_down(int station, const std::string& why) override;
  void instance_up(int station) override;
  void collect(model::ComponentStats& out) override;
  double window_extra() override;

 private:
  enum class State { kUp, kDown, kLoading };
  struct Node {
    int index = 0;
    std::vector<int> stations;          ///< master first at start
    int master = 0;                     ///< index in `stations`
    State state = State::kUp;
    std::optional<double> cold_since;   ///< emptied at (a flush, a cold restart)
    double loading_until = -1;
    std::uint64_t down_epoch = 0;       ///< bumped at every master crash: a stale failover gives up
    std::string down_fault;
    double down_at = -1;
    bool loss_recorded = false;
    // writes not yet durable (persistence)
    double last_start = 0;              ///< when its data was last empty
    long durable_period = -1;
    std::uint64_t undurable = 0;
    double first_undurable = -1;
  };
  Node& node_of_station(int station);
  int master_station(const Node& n) const { return n.stations[static_cast<std::size_t>(n.master)]; }
  double durable_period() const;   ///< seconds between durable points; 0: every write; inf: never
  void record_write(Node& n);
  void record_loss(Node& n, double when);
  double used_bytes(const Node& n) const;
  void failover(int node, std::uint64_t epoch);
  void solve(const std::vector<double>& rates);

  World& w_;
  int component_;
  std::string name_;
  std::vector<Node> nodes_;
  std::vector<int> node_of_instance_;
  double fsync_phase_ = 0;
  std::uint64_t lookups_ = 0, hits_ = 0, window_lookups_ = 0, window_hits_ = 0;
  std::uint64_t writes_ = 0, failovers_ = 0;
  // the modelled hit ratio
  std::unique_ptr<model::CacheModel> model_;
  std::vector<int> model_class_;                    ///< [request class] -> model class, -1
  std::vector<std::string> model_names_;
  core::Rng key_rng_;
  std::vector<std::uint64_t> class_lookups_, class_hits_, class_window_;  ///< [model class]
  double evictions_ = 0;
  double window_start_ = 0;
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
