#pragma once
// A brute-force LRU cache with a memory limit in bytes and per-key TTLs, as
// Redis runs with `maxmemory-policy allkeys-lru` and `SET key value EX ttl`:
// a miss inserts the key (its TTL counts from then; a hit does not renew it,
// it only makes the key the most recently used); inserting evicts the least
// recently used keys until the new one fits; an expired key is removed at its
// expiry time (Redis's active expiry, idealised). The reference the
// approximation in model/cache_model.h is tested against.

#include <cstdint>
#include <list>
#include <queue>
#include <unordered_map>
#include <vector>

namespace sim::model {

class LruSimulator {
 public:
  explicit LruSimulator(double capacity_bytes) : capacity_(capacity_bytes) {}

  /// A lookup of `key` at time `now` (non-decreasing): true on a hit; a miss inserts it
  /// with `size` bytes and `ttl` seconds to live (0: no TTL).
  bool access(std::uint64_t key, double size, double ttl, double now);

  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }
  std::uint64_t evictions() const { return evictions_; }
  std::uint64_t expirations() const { return expirations_; }
  double used() const { return used_; }

 private:
  struct Entry {
    std::uint64_t key;
    double size;
    std::uint64_t version;
  };
  void expire(double now);
  void remove(std::list<Entry>::iterator it);

  double capacity_;
  double used_ = 0;
  std::list<Entry> lru_;  ///< most recently used first
  std::unordered_map<std::uint64_t, std::list<Entry>::iterator> index_;
  using Expiry = std::pair<double, std::pair<std::uint64_t, std::uint64_t>>;  ///< (at, (key, version))
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiries_;
  std::uint64_t next_version_ = 0;
  std::uint64_t hits_ = 0, misses_ = 0, evictions_ = 0, expirations_ = 0;
};

}  // namespace sim::model
