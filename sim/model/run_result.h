#pragma once
// What one simulation run produced. The engine fills it; checks and reports
// are pure functions of (Scenario, RunResult). Everything here is
// deterministic for a given scenario and seed (no wall-clock values: those
// live in EngineStats, which is never written into report.json).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/model/histogram.h"

namespace sim::model {

/// Why a request failed. The order is the JSON order.
enum class FailReason : int {
  kTimeout,            ///< waited or ran longer than the service's timeout
  kQueueFull,          ///< the instance's queue was at queue_limit
  kNoHealthyBackend,   ///< the load balancer had no healthy backend (HTTP 503)
  kRateLimited,        ///< rejected by the load balancer's rate limit
  kConnectionRefused,  ///< sent to an instance that is down (not yet detected by health checks)
  kDbUnavailable,      ///< database down, connection refused at max_connections, or pool acquire timeout
  kNetwork,            ///< partition or packet loss on a link it crossed
  kInjected,           ///< an `errors` fault
  kCircuitOpen,        ///< a circuit breaker was open: the call failed at once
  kCount
};
constexpr int kReasonCount = static_cast<int>(FailReason::kCount);
const char* reason_name(FailReason r);

struct LatencyStats {
  std::uint64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double p95 = 0;  ///< after the others: brace initialisers written before it keep their meaning; k6's p(95)
};

using ReasonCounts = std::array<std::uint64_t, kReasonCount>;

/// One metric window [start, start + window).
/// One request class's counts in a window.
struct ClassCounts {
  std::uint64_t arrivals = 0, completed = 0, failed = 0;
};

/// Upper bounds (seconds) of the latency histogram buckets per window: Prometheus's default
/// buckets (client_golang prometheus.DefBuckets), so dashboards and histogram_quantile() work as
/// on a real service's metrics. +Inf is the window's completed count.
inline constexpr std::array<double, 11> kLatencyBucketBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                0.5,   1,    2.5,   5,    10};

struct WindowStats {
  double start = 0;
  std::uint64_t arrivals = 0;   ///< requests generated in the window
  std::uint64_t completed = 0;  ///< finished successfully in the window
  std::uint64_t failed = 0;     ///< failed in the window
  ReasonCounts failures{};
  LatencyStats latency;         ///< of the requests completed in the window
  /// Completions in the window with latency <= kLatencyBucketBounds[i] (the histogram's buckets,
  /// LogHistogram::count_at_most), and the sum of their latencies: OpenMetrics histogram buckets.
  std::array<std::uint64_t, kLatencyBucketBounds.size()> latency_at_most{};
  double latency_sum = 0;
  std::vector<ClassCounts> by_class;  ///< per request class (topology order)
  /// completed / (completed + failed); 1 when nothing finished.
  double success_ratio() const;
};

/// Per window, per component.
struct ComponentPoint {
  double utilization = 0;   ///< mean CPU utilization of the instances that were ready (booting ones excluded)
  double queue_mean = 0;    ///< time-averaged requests waiting, summed over instances
  double in_service = 0;    ///< time-averaged requests in service, summed over instances
  double wait_mean = 0;     ///< mean time in queue of the jobs that left the queue in the window
  std::uint64_t wait_count = 0;
  int ready = 0;            ///< instances ready at the end of the window
  int desired = 0;          ///< replicas wanted (autoscaled components), else instances
  double extra = 0;         ///< kind-specific: cache hit ratio, db replication lag max (s), queue depth
  std::uint64_t queue_full = 0;  ///< requests turned away by a full queue (queue_limit) in the window
};

/// Restarts of an instance that no scenario fault caused, by what brought it down.
struct RestartCause {
  std::string why;          ///< "killed by its liveness probe while booting"
  int count = 0;
  double first = 0;         ///< the first one's time
};

struct InstanceStats {
  std::string name;         ///< "app-0" (also the SimGrid host name)
  std::string zone;
  double utilization = 0;   ///< busy core-seconds / (cores × seconds ready: up and booted)
  double up_seconds = 0;
  std::uint64_t served = 0;
  double queue_mean = 0;
  std::uint64_t queue_max = 0;
  int restarts = 0;         ///< by its restart policy (attempts), its host's return, a replacement
  int restarts_by_faults = 0;  ///< of them, those a scenario fault caused (engine/supervisor.h)
  std::vector<RestartCause> unexplained;  ///< the others
  /// Why it is not healthy at the run's end (up, ready, taken in by every balancer in front);
  /// "" when it is, or when it was not started (a spare, an instance scaled in).
  std::string unhealthy;
};

/// One shard of a sharded database over the run.
struct ShardStats {
  int index = 0;
  std::string primary;               ///< its primary instance at the end of the run
  std::uint64_t queries = 0;         ///< queries routed to it
  double share = 0;                  ///< of the database's queries
  double utilization = 0;            ///< busy core-seconds / (cores × seconds ready) over its instances
  double busiest_utilization = 0;    ///< its busiest instance's
};

/// One request class at a cache whose hit ratio is modelled (model/cache_model.h).
struct CacheClassStats {
  std::string name;
  double predicted_hit_ratio = 0;    ///< the model's steady state at the end of the run (warm)
  std::uint64_t lookups = 0, hits = 0;
};

/// A component's restarts: all of them and those its scenario's faults caused (InstanceStats).
struct RestartCounts {
  int total = 0, by_faults = 0;
  int unexplained() const { return total - by_faults; }
  /// "7 restarts, 5 caused by faults, 2 not"
  std::string text() const;
};

struct ComponentStats {
  std::string name;
  std::string kind;
  int instances = 0;        ///< at start
  std::vector<InstanceStats> instance_stats;
  double utilization = 0;   ///< over the run, all instances
  std::uint64_t served = 0;
  double wait_mean = 0;     ///< mean time a job waited in an instance queue (whole run)
  std::vector<ComponentPoint> series;  ///< one per window
  // Kind-specific totals (0 when not applicable).
  double cache_hit_ratio = 0;      ///< hits / lookups
  std::uint64_t cache_lookups = 0;
  double replication_lag_mean = 0, replication_lag_max = 0, replication_lag_p99 = 0;
  std::uint64_t writes = 0;
  int connections_max = 0;         ///< most connections open at once (database)
  std::uint64_t connections_refused = 0;
  std::uint64_t jobs_done = 0, jobs_retried = 0, dead_letters = 0;
  std::uint64_t queue_depth_max = 0;
  double instance_hours = 0;       ///< sum over instances of time up (hours)
  /// After a resize to another instance type: instance_hours split by type (the topology's
  /// `cost.instance` first), in the order they ran; empty otherwise.
  std::vector<std::pair<std::string, double>> instance_hours_by_type;
  std::uint64_t queue_full = 0;    ///< requests turned away by a full queue over the run
  std::uint64_t retries = 0;       ///< load balancer: attempts retried (next upstream, same server)
  std::uint64_t ejections = 0;     ///< load balancer: backends set aside by passive health
  // Sharded databases.
  std::vector<ShardStats> shards;  ///< every shard the run had (empty when never sharded)
  int shards_final = 0;            ///< shards in the map at the end
  std::uint64_t reshards = 0;      ///< re-shardings completed
  double bytes_moved = 0;          ///< by them
  // Caches with a modelled hit ratio.
  std::vector<CacheClassStats> cache_classes;
  double cache_evictions = 0;      ///< expected LRU evictions over the run
  std::uint64_t cache_writes = 0;  ///< keys written (a miss fills its key)
  std::uint64_t failovers = 0;     ///< masters replaced by a replica (Redis Sentinel / Cluster)

  /// Summed over its instances.
  RestartCounts restarts() const {
    RestartCounts n;
    for (const auto& i : instance_stats) {
      n.total += i.restarts;
      n.by_faults += i.restarts_by_faults;
    }
    return n;
  }
};

/// One client group's requests (scenario `client_groups:`), over the whole run.
struct ClientGroupStats {
  std::string name;
  int clients = 0;
  std::uint64_t generated = 0, completed = 0, failed = 0, rate_limited = 0;
  std::uint64_t top_client_generated = 0, top_client_rate_limited = 0;  ///< its most active client (rank 1)
};

struct ClassStats {
  std::string name;
  std::uint64_t generated = 0, completed = 0, failed = 0;
  ReasonCounts failures{};
  LatencyStats latency;  ///< after warmup
  LogHistogram histogram;  ///< of `latency`: any other percentile (latency_p97.5) is read from it
};

/// Something that happened, for the report's timeline.
struct TimelineEvent {
  double time = 0;
  std::string kind;    ///< fault, recover, detect, promote, reconnect, scale, health_down, health_up, restore, ...
  std::string target;
  std::string detail;
  std::string fault;   ///< the scenario fault this event belongs to ("" for none): what losses and predictions match on
};

/// Writes lost by one data-loss event (failover with async lag, restore from backup).
struct DataLoss {
  std::string fault;        ///< the fault's name
  double time = 0;          ///< when the data was lost
  std::uint64_t writes_lost = 0;
  double rpo = 0;           ///< age, at `time`, of the oldest acknowledged write lost (0 if none)
  std::string explanation;
};

/// One autoscaler decision that changed the replica count.
struct ScaleEvent {
  double time = 0;
  std::string component;
  int from = 0, to = 0;
  std::string reason;
};

struct RunResult {
  std::string scenario;
  std::string topology;
  std::uint64_t seed = 0;
  double duration = 0, warmup = 0, window = 0;

  std::uint64_t generated = 0;   ///< all requests created
  std::uint64_t completed = 0;   ///< all requests that finished successfully
  std::uint64_t failed = 0;
  std::uint64_t in_flight = 0;   ///< still in the system at the end
  ReasonCounts failures{};

  // Headline statistics over [warmup, duration).
  LatencyStats latency;
  LogHistogram histogram;        ///< of `latency`: any other percentile is read from it
  double throughput = 0;         ///< completions per second after warmup
  double error_rate = 0;         ///< failed / (completed + failed) after warmup
  std::uint64_t measured_completed = 0, measured_failed = 0;

  std::vector<ClassStats> classes;
  std::vector<ClientGroupStats> client_groups;  ///< empty without scenario `client_groups:`
  std::vector<WindowStats> windows;
  std::vector<ComponentStats> components;
  std::vector<TimelineEvent> timeline;
  std::vector<DataLoss> data_losses;
  std::vector<ScaleEvent> scale_events;

  /// generated == completed + failed + in_flight.
  bool conserved() const { return generated == completed + failed + in_flight; }
};

/// Wall-clock facts about a run: printed, never written into report.json.
struct EngineStats {
  double wall_seconds = 0;
  std::uint64_t activities = 0;   ///< SimGrid activities the request kernel started (executions, transfers)
  std::uint64_t kernel_events = 0;  ///< request-kernel events processed
  std::uint64_t kernel_wakes = 0;   ///< SimGrid timer wakes of the kernel
  std::uint64_t actors = 0;
  long peak_rss_kb = 0;
};

}  // namespace sim::model
