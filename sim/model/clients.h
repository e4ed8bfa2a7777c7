#pragma once
// The client population of a scenario (scenario `client_groups:`; docs/clients.md):
// which client sends each request, and what each group of clients got.
//
// Clients are numbered 0 .. N−1, group by group in the scenario's order. A
// request's client is drawn with one uniform u: the group whose cumulative share
// passes u, then, with u rescaled into that group, the client whose cumulative
// activity passes it — client k (1-based) of a group of n with exponent s has
// activity (1/k^s) / Σ_{j=1..n} 1/j^s (Zipf; s = 0: all alike). Everything is
// allocated when the population is built; draw() and count() allocate nothing.

#include <cstdint>
#include <vector>

#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"

namespace sim::model {

class ClientPopulation {
 public:
  explicit ClientPopulation(const std::vector<scenario::ClientGroup>& groups);

  /// Every client of every group.
  std::uint32_t size() const { return total_; }
  /// The client for a uniform u in [0, 1).
  std::uint32_t draw(double u) const;
  /// The group of a client.
  int group_of(std::uint32_t client) const;
  /// The share of all requests client `client` sends (for the hand computations of tests and docs).
  double share_of(std::uint32_t client) const;

  enum class Outcome { kGenerated, kCompleted, kFailed, kRateLimited };
  /// Counts one request of `client` (kRateLimited also counts as failed).
  void count(std::uint32_t client, Outcome o);
  /// The per-group totals, in the scenario's order.
  std::vector<ClientGroupStats> stats() const;

 private:
  struct Group {
    std::uint32_t first = 0, count = 0;
    double cum_share = 0, share = 0;
    std::vector<double> cdf;  ///< cumulative activity within the group; empty = uniform
    ClientGroupStats stats;
  };
  std::vector<Group> groups_;
  std::uint32_t total_ = 0;
};

}  // namespace sim::model
