#pragma once
// A load balancer's rate limit at run time (topology::RateLimit; docs/clients.md):
// one state per key — a single one (global), one per client, one per request
// class — allocated once, so admitting a request allocates nothing.
//
//   limit_req        nginx ngx_http_limit_req_lookup: the first request of a key is
//                    accepted with excess 0; a later one computes
//                    e = max(0, excess − rate·Δt + 1) (Δt since the key's last accepted
//                    request) and is rejected when e > burst, else accepted with
//                    excess = e; nginx keeps `last` and `excess` on a rejection.
//                    Accepted requests wait max(0, e − delay) / rate (ngx_http_limit_req_account;
//                    nodelay: never).
//   sliding window   Cloudflare's rate limiting: fixed windows of `window` seconds count the
//                    accepted requests of a key; a request at a fraction f of the current window
//                    sees previous × (1 − f) + current and is rejected when that is >= requests.

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/topology/topology.h"

namespace sim::model {

/// nginx limit_req's state of one key.
struct LeakyBucket {
  double excess = 0, last = 0;
  bool started = false;
  /// nullopt: rejected; else the excess after accepting (0 .. burst). `commit` false: only asks.
  std::optional<double> admit(double now, double rate, int burst, bool commit = true);
};

/// A sliding window's state of one key.
struct SlidingWindow {
  double start = 0;
  std::uint32_t current = 0, previous = 0;
  bool started = false;
  bool admit(double now, double window, int requests, bool commit = true);
};

class KeyedLimiter {
 public:
  /// `clients`: the scenario's client count (keys of `key: client`; 0 = no population: every
  /// request comes from an address of its own, so a per-client limit never binds); `classes`: the
  /// topology's request classes in order (keys of `key: class` and the `classes:` filter).
  KeyedLimiter(const topology::RateLimit& spec, std::size_t clients, const std::vector<std::string>& classes);

  /// nullopt: rejected (rate_limited); else the delay before the request goes on (0 with nodelay).
  /// A request of a class the limit does not apply to passes with 0. `commit` false only asks
  /// (nginx charges none of a location's limits when one of them rejects: ask all, then commit).
  std::optional<double> admit(double now, std::uint32_t client, int cls, bool commit = true);

 private:
  topology::RateLimit spec_;
  bool anonymous_ = false;             ///< key: client without a population: never binds
  std::vector<bool> applies_;          ///< per class
  std::vector<LeakyBucket> buckets_;   ///< per key (limit_req)
  std::vector<SlidingWindow> windows_; ///< per key (sliding window)
};

}  // namespace sim::model
