#include "sim/model/lru_simulator.h"

namespace sim::model {

void LruSimulator::remove(std::list<Entry>::iterator it) {
  used_ -= it->size;
  index_.erase(it->key);
  lru_.erase(it);
}

void LruSimulator::expire(double now) {
  while (!expiries_.empty() && expiries_.top().first <= now) {
    auto [key, version] = expiries_.top().second;
    expiries_.pop();
    auto it = index_.find(key);
    if (it != index_.end() && it->second->version == version) {
      remove(it->second);
      ++expirations_;
    }
  }
}

bool LruSimulator::access(std::uint64_t key, double size, double ttl, double now) {
  expire(now);
  auto it = index_.find(key);
  if (it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);  // most recently used
    ++hits_;
    return true;
  }
  ++misses_;
  if (size > capacity_) return false;  // never fits
  while (used_ + size > capacity_) {
    remove(std::prev(lru_.end()));
    ++evictions_;
  }
  std::uint64_t version = next_version_++;
  lru_.push_front({key, size, version});
  index_[key] = lru_.begin();
  used_ += size;
  if (ttl > 0) expiries_.push({now + ttl, {key, version}});
  return false;
}

}  // namespace sim::model
