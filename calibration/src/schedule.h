#pragma once
// The load generator's open-loop arrival schedule, computed before the first
// request is sent (as wrk2 does): every request has an intended send time, and
// its latency is measured from that time, so a slow server cannot slow the
// arrivals down (no coordinated omission).

#include <cstdint>
#include <string>
#include <vector>

namespace calib {

struct Source {
  std::string address;  ///< local address to bind, e.g. 127.0.0.2; empty = the kernel's choice
  double rate = 0;      ///< requests per second from this source
};

enum class Arrivals { kPoisson, kFixed };

struct Arrival {
  double time = 0;  ///< seconds after the start
  int source = 0;   ///< index into the sources
};

/// The merged, time-ordered arrivals of all sources in [0, duration): each source is a
/// Poisson process (exponential gaps) or a fixed-rate one (gap 1/rate, first arrival at
/// a random phase in [0, 1/rate)), from its own stream of `seed`. At most `max_requests`
/// arrivals are kept (the earliest), 0 = no limit.
/// REQUIRES: rates >= 0, duration >= 0.
std::vector<Arrival> make_schedule(const std::vector<Source>& sources, Arrivals kind, double duration,
                                   std::uint64_t max_requests, std::uint64_t seed);

}  // namespace calib
