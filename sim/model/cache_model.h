#pragma once
// The hit ratio of an LRU cache with TTLs, from first principles: key
// popularity, object sizes, TTLs and memory.
//
// Che's approximation (H. Che, Y. Tung, Z. Wang, "Hierarchical Web caching
// systems: modeling, design and experimental results", IEEE JSAC 20(7), 2002):
// under independent Poisson requests, an LRU cache behaves as if every key
// stayed for a fixed characteristic time T after its last request; T is the
// root of  sum_k size_k × P(key k present | T) = memory. Fricker, Robert and
// Roberts ("A versatile and accurate approximation for LRU cache performance",
// ITC 24, 2012) explain why it is accurate; Martina, Garetto and Leonardi ("A
// unified approach to the performance analysis of caching systems", INFOCOM
// 2014) extend it to caches whose keys also carry a TTL. Here the TTL is Redis's
// `SET key value EX ttl` after a miss (cache-aside): it counts from the
// insertion and a hit does not renew it, while each hit renews the key's LRU
// position. A key then lives, after the miss that inserts it, until its
// requests leave a gap longer than T (evicted) or until the TTL (expired).
// For a key with Poisson rate λ, in units x = λt (a = λT, b = λ·ttl), the
// expected hits m(x) within x of the insertion obey
//     m(x) = x on [0, a],   m'(x) = 1 − e^(−a) (1 + m(x − a)) beyond,
// and renewal-reward gives the hit probability m(b) / (1 + m(b)) (by PASTA also
// the time the key is present) and P(expiry ends the stay) = 1 − e^(−a)(1 + m(b − a)).
// Limits: no TTL gives Che's 1 − e^(−λT); no eviction (T = ∞) gives the TTL
// cache's λ·ttl / (1 + λ·ttl). The delay equation is integrated on a grid of
// a/16 over up to 48 delays, then extrapolated along its slowest mode.
//
// A cache node holds the keys hashed to it (hash_rank(k, salt) % nodes, as
// Redis Cluster's slots split keys); each node is solved on its own (its own
// T): the 4096 most popular keys of a class are placed exactly, the rest are
// split evenly. Per-key results are tabulated over ln(popularity), so a lookup
// costs one log and one interpolation.
//
// Warm-up: a node that starts empty (flush, cold restart) is filling, not
// evicting, until T (or the TTL, if shorter) has passed; until then key k is
// present if it was requested since: P = 1 − e^(−λ_k age). Afterwards the
// steady state holds.
//
// model/lru_simulator.h is the brute-force reference (tests/model/cache_model_test.cpp).

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/model/zipf.h"

namespace sim::model {

constexpr double kForever = std::numeric_limits<double>::infinity();

/// What LRU with characteristic time T and a TTL do to one key.
struct KeyFate {
  double hit = 0;      ///< P(a lookup hits) = P(the key is present)
  double evicted = 0;  ///< P(a stay ends by LRU eviction, not by expiry)
};

/// One key with Poisson rate `lambda` (> 0); T = kForever: never evicted; ttl = 0: none.
KeyFate lru_ttl_key(double lambda, double T, double ttl);

/// A class of keys sharing a cache.
struct KeyClass {
  std::uint64_t keys = 1;   ///< distinct keys
  double zipf = 0;          ///< popularity exponent (0: uniform)
  double size = 1;          ///< bytes per object
  double ttl = 0;           ///< seconds; 0: none
  std::uint64_t salt = 0;   ///< where its keys live (hash_rank)
};

class CacheModel {
 public:
  /// `memory`: bytes per node. REQUIRES: nodes >= 1, memory > 0, every class keys >= 1 and size > 0.
  CacheModel(std::vector<KeyClass> classes, int nodes, double memory);

  int nodes() const { return nodes_; }
  std::size_t classes() const { return classes_.size(); }
  const Zipf& popularity(std::size_t c) const { return pop_[c]; }
  /// The node that holds key `rank` of class c.
  int node_of(std::size_t c, std::uint64_t rank) const {
    return static_cast<int>(hash_rank(rank, classes_[c].salt) % static_cast<std::uint64_t>(nodes_));
  }

  /// Solves every node for these lookup rates (per class, over the whole cache, per second).
  void solve(const std::vector<double>& rates);
  /// The rates of the last solve.
  const std::vector<double>& rates() const { return rates_; }

  /// Steady state of key `rank` of class c at its node.
  KeyFate fate(std::size_t c, std::uint64_t rank) const;
  /// P(hit) of key `rank` of class c, `age` seconds after its node started empty (kForever: warm).
  double hit(std::size_t c, std::uint64_t rank, double age) const;
  /// The key's request rate at the last solve.
  double lambda(std::size_t c, std::uint64_t rank) const { return rates_[c] * popularity(c).pmf(rank); }

  /// Node n's characteristic time (kForever: everything fits).
  double characteristic_time(int n) const { return nodes_state_[static_cast<std::size_t>(n)].T; }
  /// How long node n fills after starting empty, for class c: min(T, ttl).
  double fill_time(int n, std::size_t c) const;
  /// Predicted steady hit ratio of class c over the whole cache.
  double hit_ratio(std::size_t c) const { return class_hit_[c]; }
  /// Predicted LRU evictions per second at node n.
  double eviction_rate(int n) const { return nodes_state_[static_cast<std::size_t>(n)].evictions; }
  /// Bytes held by node n in steady state.
  double used_bytes(int n) const { return nodes_state_[static_cast<std::size_t>(n)].used; }
  double memory() const { return memory_; }

 private:
  /// Tabulated fates over u = ln(popularity), for one class at one node.
  struct Table {
    double u0 = 0, du = 1;
    std::vector<KeyFate> v;
    KeyFate at(double u) const;
  };
  struct Node {
    double T = kForever;
    double used = 0, evictions = 0;
    std::vector<std::vector<std::uint64_t>> top;  ///< [class] its top ranks held here
  };
  struct Bucket {
    double log_p = 0;  ///< ln of the mean popularity of its ranks
    double count = 0;  ///< ranks in it (over the whole cache)
  };
  void fill(std::size_t c, double T, Table* t) const;
  /// Bytes held at node n for characteristic time T, with tables filled for T.
  double occupancy(int n, double T, std::vector<Table>* tables) const;

  std::vector<KeyClass> classes_;
  std::vector<Zipf> pop_;
  int nodes_;
  double memory_;
  std::vector<double> rates_;
  std::vector<std::uint64_t> top_count_;      ///< per class: ranks placed exactly
  std::vector<std::vector<Bucket>> buckets_;  ///< per class: the other ranks, in groups
  std::vector<Node> nodes_state_;
  std::vector<std::vector<Table>> tables_;    ///< [node][class]
  std::vector<double> class_hit_;
};

}  // namespace sim::model
