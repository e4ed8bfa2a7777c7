#pragma once
// Who sends a request: a user id drawn per request from the topology's user
// population (`users: {count, skew}`, a class's own `users: {zipf}`), user k
// in 1..count with probability ∝ k^-s (model::Zipf). The id is the shard key
// of sharded databases (Database::shard_of: hash(user) % shards, seed 002's
// `hash(userId) % TOTAL_SHARDS`).
//
// Determinism: the draws come from their own stream ("users"), one per
// request in arrival order, and only when the topology has users, so runs
// without users draw exactly what they drew before.

#include <cstdint>
#include <vector>

#include "sim/core/random.h"
#include "sim/model/zipf.h"
#include "sim/topology/topology.h"

namespace sim::engine {

class UserPopulation {
 public:
  UserPopulation(const topology::Topology& t, core::Rng rng) : rng_(rng) {
    if (t.users.count == 0) return;
    for (const auto& rc : t.requests) per_class_.emplace_back(t.users.count, rc.user_zipf.value_or(t.users.zipf));
  }
  bool enabled() const { return !per_class_.empty(); }
  /// The user of a new request of class `cls` (0 when the topology has no users).
  std::uint64_t draw(int cls) {
    if (per_class_.empty()) return 0;
    return per_class_[static_cast<std::size_t>(cls)].sample(rng_);
  }

 private:
  std::vector<model::Zipf> per_class_;
  core::Rng rng_;
};

}  // namespace sim::engine
