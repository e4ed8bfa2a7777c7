#pragma once
// The request classes compiled for the request kernel: every lookup by name
// (which service time for this class, which hit ratio, which query time, which
// tier object) is done here once, so the per-request path reads plain fields.
// Constant after construction.

#include <string>
#include <vector>

#include "sim/core/distribution.h"
#include "sim/topology/topology.h"

namespace sim::engine {

class LoadBalancer;
class Database;
class Cache;
class Cdn;
class MessageQueue;
class Storage;

/// One downstream call made by a service on a request's path.
struct CallPlan {
  enum class Kind { kCache, kDatabase, kQueue, kStorage, kService };
  Kind kind = Kind::kCache;
  int component = -1;
  bool to_replica = false;                     ///< database: a read that replicas may serve
  bool write = false;                          ///< database: a write to the primary (tracked for RPO, sync replication)
  const core::Distribution* demand = nullptr;  ///< the callee's CPU demand for this class (queue: publish time)
  double hit_ratio = 0;                        ///< cache: warm hit ratio of this class
  // The tier object called (one is set, by kind).
  Cache* cache = nullptr;
  Database* db = nullptr;
  MessageQueue* queue = nullptr;
  Storage* storage = nullptr;
  LoadBalancer* via_lb = nullptr;              ///< kService: the load balancer in front of the callee, if any
  /// The caller's policy for this call (timeout, retries, breaker: Resilience), -1 = none.
  int policy = -1;
};

/// The client side of a class, per client region: constant latencies (one way).
struct Prefix {
  double to_entry = 0;   ///< arrival -> the entry LB decides (or the entry service receives it)
  double back = 0;       ///< entry -> client on the way back (the LB -> backend hop is added per request)
  double cdn_hit = -1;   ///< full latency of a CDN hit; -1 without a CDN
  double hit_ratio = 0;  ///< CDN hit ratio of the class
};

struct ClassPlan {
  std::string name;
  int index = 0;
  bool write = false;
  double response_size = 0;
  Cdn* cdn = nullptr;
  LoadBalancer* entry_lb = nullptr;
  int entry = -1;                                    ///< the first service (component index)
  double deadline = 0;                               ///< a client's patience per attempt (clients.timeout, else the entry's timeout)
  /// services[s] is the s-th service of the path; demand[s] its CPU demand for this class;
  /// segments[s] the calls it makes, in order (a kService call hands the rest of the path on).
  std::vector<int> services;
  std::vector<const core::Distribution*> demand;
  std::vector<std::vector<CallPlan>> segments;
  std::vector<Prefix> prefix;                        ///< per client region
};

/// The service time of `cls` at a service, or its "default".
const core::Distribution* service_demand(const topology::ServiceSpec& s, const std::string& cls);
/// The query time of `cls` on a database: its own, else "write"/"read", else "default".
const core::Distribution* query_demand(const topology::DatabaseSpec& d, const std::string& cls, bool write);

}  // namespace sim::engine
