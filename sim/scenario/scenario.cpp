#include "sim/scenario/scenario.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace sim::scenario {

std::string Target::text() const {
  if (!region.empty()) return "region " + region;
  if (!zone.empty()) return "zone " + zone;
  if (!host.empty()) return "host " + host;
  if (!between.empty()) return between.size() == 2 ? between[0] + "<->" + between[1] : "?";
  std::string s = component;
  if (!role.empty()) s += "." + role;
  if (instance >= 0) s += fmt::format("[{}]", instance);
  return s;
}

const char* fault_kind_name(Fault::Kind k) {
  switch (k) {
    case Fault::Kind::kCrash: return "crash";
    case Fault::Kind::kPartition: return "partition";
    case Fault::Kind::kDelay: return "delay";
    case Fault::Kind::kLoss: return "loss";
    case Fault::Kind::kBandwidth: return "bandwidth";
    case Fault::Kind::kCpuSlowdown: return "cpu_slowdown";
    case Fault::Kind::kCacheFlush: return "flush";
    case Fault::Kind::kFailover: return "failover";
    case Fault::Kind::kRestore: return "restore";
    case Fault::Kind::kErrors: return "errors";
    case Fault::Kind::kChaosMonkey: return "chaos_monkey";
    case Fault::Kind::kHang: return "hang";
    case Fault::Kind::kFreeze: return "freeze";
    case Fault::Kind::kSlow: return "slow";
    case Fault::Kind::kFlap: return "flap";
    case Fault::Kind::kReshard: return "reshard";
  }
  return "?";
}

}  // namespace sim::scenario

namespace sim::scenario {

int VirtualUsers::target(double t) const {
  double start = 0;
  double from = count;
  for (const Stage& s : stages) {
    if (t < start + s.duration) {
      double f = s.duration > 0 ? (t - start) / s.duration : 1;
      return static_cast<int>(std::floor(from + (s.target - from) * f + 1e-9));
    }
    start += s.duration;
    from = s.target;
  }
  return static_cast<int>(from);
}

int VirtualUsers::max_count() const {
  int m = count;
  for (const Stage& s : stages) m = std::max(m, s.target);
  return m;
}

double spot_mtbf(double frequency) { return 30 * 86400.0 / -std::log(1 - frequency); }

}  // namespace sim::scenario
