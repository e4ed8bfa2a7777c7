#pragma once
// Engine internals: the runtime state of one simulation and the request flow.
// Included only by sim/engine/*.cpp.
//
// How a request travels (the design is measured in scripts/bench):
//  - One generator actor pulls arrivals and keeps a small heap of deliveries;
//    a CDN hit is answered without any SimGrid activity (its latency is known).
//  - A request reaching a load balancer is assigned a backend at that moment
//    and enqueued in the backend instance's FCFS queue (a plain deque).
//  - Every instance with a host is a Station: a queue in front of up to W
//    long-lived worker actors on the instance's SimGrid host. A worker runs the
//    service demand as a SimGrid execution on that host (CPU sharing, speed
//    profiles and host failures come from SimGrid), then makes the downstream
//    calls of its path segment synchronously, holding its worker slot.
//  - A call to a cache/queue/storage enqueues a job at the callee's
//    station and blocks the caller on its own semaphore until the callee's
//    worker answers. The one-way latency of each hop is added after the answer
//    (one sleep for all hops of a segment): the caller's hold time and the
//    client's latency are exact; the callee sees its arrivals shifted by a
//    constant per caller zone and path, which leaves its queueing unchanged when
//    callers are equidistant (sub-millisecond otherwise).
//  - A database query runs on the server's host from the calling worker (a
//    remote execution: a database never queues, its pool is the queue).
//  - Timeouts are swept by the run loop between steps of a simulated second; a
//    request's failure is recorded at its exact deadline (model::Recorder
//    accepts late records).

#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

#include "sim/core/random.h"
#include "sim/model/arrivals.h"
#include "sim/model/balancer.h"
#include "sim/model/histogram.h"
#include "sim/model/hpa.h"
#include "sim/model/threshold_scaler.h"
#include "sim/model/recorder.h"
#include "sim/model/run_result.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::engine {

namespace sg = simgrid::s4u;
using model::FailReason;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kFlopsPerSecond = 1e9;  ///< one core of a host: service times are seconds at full speed
constexpr double kCdnWarmup = 300;       ///< time constant of a flushed CDN's hit ratio (edge caches refill slowly)

struct Station;
struct Worker;
struct World;

/// One hop after a service, compiled from a request class's path.
struct Call {
  enum class Kind { kCache, kDatabase, kQueue, kStorage, kService };
  Kind kind = Kind::kCache;
  int component = -1;       ///< index into World::comps
  int role = 0;             ///< database: 0 = primary, 1 = replica
  int via_lb = -1;          ///< kService: the load balancer in front of it, or -1
};

/// A request class compiled for the flow.
struct ClassPlan {
  std::string name;
  bool write = false;
  double response_size = 0;
  int cdn = -1;             ///< component index of a leading CDN
  int entry_lb = -1;        ///< load balancer before the first service, or -1
  int entry = -1;           ///< the first service
  /// calls[s] are the calls made by the s-th service of the path, in order;
  /// a kService call hands the rest of the path to the next service.
  std::vector<std::vector<Call>> segments;
  std::vector<int> services; ///< the services, in path order
};

struct Request {
  std::uint64_t id = 0;
  std::uint32_t gen = 0;      ///< incremented when the slot is reused
  int cls = 0;
  int region = 0;             ///< client region index
  double start = 0;           ///< arrival time at the client
  double return_latency = 0;  ///< constant client-side latency added to the answer
  double deadline = kInf;     ///< the client gives up here (front service's timeout)
  bool finished = false;      ///< completion or failure recorded
  int segment = 0;            ///< which service of the path is handling it
  bool ends_early = false;    ///< a cache hit ended the path
  int lb_backend = -1;        ///< instance the entry LB chose (for least_conn bookkeeping)
  int lb = -1;
};

/// A unit of work at a station: handling a request (services) or serving a call.
struct Job {
  Request* req = nullptr;
  std::uint32_t gen = 0;
  bool is_call = false;       ///< a downstream call: answer `caller`
  Worker* caller = nullptr;   ///< nullptr once the caller is gone (its host crashed)
  bool orphan = false;        ///< the caller is gone: whoever finishes this job releases the request
  double demand = 0;          ///< seconds of CPU at full speed
  bool ok = true;             ///< the call's outcome, set by the callee
  FailReason reason = FailReason::kConnectionRefused;
  double enqueued = 0;
};

/// A long-lived actor serving a station's queue.
struct Worker {
  Station* station = nullptr;
  sg::SemaphorePtr wake;       ///< released to hand a job or to answer a call
  Job* job = nullptr;          ///< the job being handed over / in progress
  Job* pending_call = nullptr; ///< the call this worker waits for
  bool idle = false;
  bool dead = false;           ///< its host crashed: nobody answers it any more
  int waiting_pool = -1;       ///< the pool whose waiters list holds it
  bool handed_connection = false;  ///< a releaser gave it a connection while it waited
  Station* querying = nullptr;     ///< the database host running its query (World::query)
};

/// An instance with a host: a queue and workers (services, cache nodes, database servers, ...).
struct Station {
  int component = -1;
  int index = 0;                   ///< instance index within the component
  std::string name;                ///< also the host's name
  sg::Host* host = nullptr;
  sg::Link* nic = nullptr;         ///< the host's link: bandwidth faults on a component limit it
  std::vector<double> pstates;     ///< speed factors of the host's pstates (cpu_slowdown faults)
  int zone = 0;                    ///< index into World::zones
  int cores = 1;
  int max_workers = 1;
  std::size_t queue_limit = 0;     ///< 0 = unbounded
  std::deque<Job*> queue;
  std::vector<std::shared_ptr<Worker>> workers;
  std::vector<Worker*> idle;
  bool up = true;                  ///< host on and process running
  bool started = true;             ///< provisioned (autoscaling spares start false)
  bool ready = true;               ///< booted and ready to serve
  bool draining = false;
  std::optional<double> cold_since; ///< caches: emptied at this time
  double error_ratio = 0;          ///< an `errors` fault on the component
  // Accounting (time integrals, updated on every change).
  int busy = 0;                    ///< executions in progress on the host
  int in_service = 0;              ///< jobs held by workers
  double last_change = 0;
  double busy_integral = 0;        ///< ∫ min(busy, cores) dt
  double queue_integral = 0;       ///< ∫ queue length dt
  double service_integral = 0;     ///< ∫ in_service dt
  double up_since = 0;
  double up_seconds = 0;
  std::uint64_t served = 0;
  std::uint64_t queue_max = 0;
  double wait_sum = 0, window_wait_sum = 0;   ///< time jobs spent queued
  std::uint64_t wait_count = 0, window_wait_count = 0;
  int active = 0;                  ///< LB view: requests sent and not answered
  /// Queries running here from callers' workers (database stations): cancelled if the host crashes.
  std::vector<std::pair<sg::ExecPtr, Worker*>> remote;
  // Snapshots at the last window boundary, for per-window series.
  double snap_busy = 0, snap_queue = 0, snap_service = 0, snap_up = 0;
  // Autoscaling: when it started and became ready, and samples for metric windows.
  double start_time = 0, ready_time = 0, drain_since = 0;
  std::deque<std::tuple<double, double, double, std::uint64_t>> samples;  ///< (time, busy, service, served)
};

/// A running autoscaler (HPA or threshold rules) of one service.
struct AutoscalerRt {
  int component = -1;
  const scenario::Autoscaler* spec = nullptr;
  std::unique_ptr<model::HpaController> hpa;
  std::unique_ptr<model::ThresholdScaler> rules;
  double period = 15;        ///< sync / evaluation period
  double window = 60;        ///< metric averaging window
  double boot_time = 30;
  int min = 1, max = 1;
  model::LogHistogram recent;  ///< latencies of requests through the service since the last evaluation
};

/// The client side of a request class, per client region: constant latencies.
struct Prefix {
  double to_entry = 0;      ///< arrival -> the entry LB decides (or the entry service receives it)
  double back = 0;          ///< entry -> client on the way back (LB->backend hops are added per request)
  double cdn_hit = -1;      ///< full latency of a CDN hit; -1 without a CDN
  double hit_ratio = 0;     ///< CDN hit ratio of the class
};

/// A database connection pool of one client instance towards one server.
struct Pool {
  int client_station = -1;
  int server_station = -1;
  int open = 0;
  int in_use = 0;
  int max = 1;
  double acquire_timeout = 2;
  std::deque<Worker*> waiters;
};

/// An acknowledged write not yet applied on every replica (async replication).
/// Kept only until every tracked replica applied it: memory is bounded by rate × lag.
struct WriteRecord {
  double ack = 0;                 ///< acknowledged to the client at the primary
  std::vector<double> apply;      ///< per instance: when it is applied there; -1 = not tracked (primary, or down)
};

/// A message in a queue component.
struct Message {
  double published = 0;
  int attempts = 0;
};

/// One consumer slot of a queue (consumers × concurrency of them).
struct ConsumerSlot {
  int station = -1;
  std::optional<Message> current;  ///< being processed; requeued if the consumer dies
};

/// A network fault in force on a pair of components or regions.
struct NetFault {
  scenario::Fault::Kind kind;
  bool regions = false;           ///< between regions (else components)
  int a = -1, b = -1;             ///< region or component indices
  double value = 0;               ///< delay seconds, loss ratio, bandwidth
  double ramp = 0;
  double since = 0;
  std::uint64_t id = 0;
};

struct LinkEffect {
  bool partitioned = false;
  double extra = 0;               ///< added one-way latency
  double loss = 0;                ///< probability that a request crossing it fails
};

/// A health checker's view of one backend.
struct HealthView {
  bool healthy = true;
  int fails = 0, passes = 0;
};

struct ComponentRt {
  const topology::Component* spec = nullptr;
  std::vector<int> stations;       ///< indices into World::stations
  // Load balancer
  std::unique_ptr<model::Balancer> balancer;
  std::unique_ptr<model::RateLimiter> limiter;
  int backend = -1;                ///< the component behind it
  std::vector<HealthView> health;  ///< per backend instance
  std::vector<model::BackendView> views;
  // Database
  int primary = 0;                 ///< instance index of the current primary
  bool primary_available = true;   ///< clients can write (false between crash and reconnect)
  model::LogHistogram lag_hist;
  double window_lag_max = 0;
  std::uint64_t writes = 0;
  int connections_max = 0;
  std::uint64_t refused = 0;
  std::vector<int> open_connections; ///< per instance (server side)
  std::deque<WriteRecord> pending_writes;
  double crashed_at = -1;              ///< when the current primary crashed (failover pending)
  std::string crash_fault;             ///< the fault that crashed it
  std::vector<std::pair<std::uint64_t, double>> crash_losses;  ///< per instance: (writes lost, oldest ack) if promoted
  long backup_period = -1;             ///< index of the backup period the counters below belong to
  std::uint64_t writes_since_backup = 0;
  double first_write_since_backup = -1;
  bool restoring = false;
  sg::Host* backup_store = nullptr;    ///< where backups are restored from (restore_rate link)
  // Cache / CDN
  std::uint64_t lookups = 0, hits = 0, window_lookups = 0, window_hits = 0;
  std::optional<double> cdn_cold_since;
  // Queue
  std::uint64_t jobs_done = 0, retried = 0, dead_letters = 0, depth_max = 0, window_depth_max = 0;
  std::deque<Message> messages;
  sg::SemaphorePtr available;          ///< counts messages
  std::vector<ConsumerSlot> slots;
  std::deque<std::pair<double, Message>> retry_line;  ///< (due, message): constant delay, so FIFO
  sg::SemaphorePtr retry_wake;
  int rr = 0;
};

/// All state of one run. Methods are in world.cpp (setup) and flow.cpp (requests).
struct World {
  const scenario::Scenario* scen = nullptr;
  const topology::Topology* topo = nullptr;
  core::RngStreams streams{1};
  core::Rng rng_flow{1}, rng_service{1}, rng_faults{1};

  std::vector<ComponentRt> comps;
  std::vector<Station> stations;
  std::vector<ClassPlan> plans;
  std::vector<std::string> zones;          ///< zone names
  std::vector<int> zone_region;            ///< zone -> region index
  std::vector<std::string> regions;
  std::vector<double> region_share;        ///< client traffic per region
  std::vector<std::vector<Prefix>> prefixes;  ///< [class][client region]
  std::vector<std::vector<model::ComponentPoint>> series;  ///< [component][window]
  std::vector<Pool> pools;
  std::deque<Job> job_slab;
  std::vector<Job*> free_jobs;
  std::map<std::pair<int, int>, int> pool_index;  ///< (client station, server station) -> pool
  sg::Host* control_host = nullptr;
  std::map<std::pair<int, int>, sg::Link*> region_links;  ///< (region a < b) -> link

  std::unique_ptr<model::Recorder> recorder;
  model::RunResult result;

  // Requests: a slab with a free list; memory is bounded by requests in flight.
  std::deque<Request> slab;
  std::vector<Request*> free_requests;
  std::uint64_t next_request_id = 1;
  std::uint64_t in_flight = 0;
  std::uint64_t activities = 0;
  std::uint64_t actors = 0;

  // Timeout watchdog: (deadline, request, generation), FIFO per timeout value.
  std::map<double, std::deque<std::tuple<double, Request*, std::uint32_t>>> deadlines;

  // ---- setup (world.cpp)
  void build(const scenario::Scenario& s, const topology::Topology& t);
  void build_platform();
  double latency(int station_a, int station_b) const;  ///< one way
  double latency_zone(int zone_a, int zone_b) const;
  int component_index(const std::string& name) const;

  // ---- requests (flow.cpp)
  Request* new_request(double now, int cls);
  void release(Request* r);
  Job* new_job();
  void free_job(Job* j);
  /// The entry LB's bookkeeping when its backend stops handling r (answered, failed, dropped).
  void lb_done(Request* r);
  /// Drops a job from a queue or a dead worker: fails/answers it as `reason`, frees what it owns.
  void abort_job(Job* job, double now, FailReason reason);
  void complete(Request* r, double t);
  void fail(Request* r, double t, FailReason reason);
  bool live(const Request* r, std::uint32_t gen) const { return r->gen == gen && !r->finished; }

  /// Chooses a backend of load balancer `lb` for a request at time now; nullopt = fail with *reason.
  std::optional<int> lb_choose(int lb, double now, FailReason* reason, int client_region = -1);
  int region_of(int station) const { return zone_region[static_cast<std::size_t>(stations[static_cast<std::size_t>(station)].zone)]; }
  /// Hands a request to the service instance `station` (a handle job); fails it on a full queue.
  void deliver(Request* r, int station, double now);
  /// Puts a job in a station's queue or hands it to a worker; false when the queue is full.
  bool submit(Station& st, Job* job, double now);
  /// The body of a worker actor.
  void worker_loop(std::shared_ptr<Worker> self);
  /// Runs one job in the worker (handle or serve).
  void run_job(Worker& w, Job* job);
  void handle(Worker& w, Job* job);
  void serve(Worker& w, Job* job);
  /// A synchronous downstream call from worker w; returns false when it failed (*reason).
  bool call(Worker& w, Request* r, const Call& c, double* latency_owed, FailReason* reason);
  /// Answers a call job (wakes its caller unless the caller is gone).
  void answer(Job* job);
  /// A database query run by worker w directly on the server's host (a remote
  /// execution: processor sharing with the server's other queries, as a station
  /// whose workers never run out would give, for two activities less). False
  /// when the server crashed under it, or an `errors` fault hit it.
  bool query(Worker& w, Station& server, double demand, bool write, FailReason* reason);
  void exec_on(Station& st, double demand);
  void account(Station& st, double now);

  // Database pools (flow.cpp)
  int pool_for(int client_station, int server_station);
  bool acquire(Worker& w, int pool, FailReason* reason);
  void release_connection(int pool);

  // Autoscaling (autoscale.cpp)
  std::vector<AutoscalerRt> autoscalers;
  std::vector<std::vector<int>> class_autoscalers;  ///< [class] -> autoscalers whose service it crosses
  void autoscaler_loop(int index);
  void start_station(int station, double now, double boot);
  void stop_station(int station, double now);
  void mark_ready(int station, double now);

  // Network faults in force (faults.cpp)
  std::vector<NetFault> net_faults;
  std::uint64_t next_net_fault = 1;
  LinkEffect link_effect(int station_a, int station_b, double now) const;
  LinkEffect region_effect(int region_a, int region_b, double now) const;
  double connect_timeout = 3;          ///< what crossing a partition costs before it fails

  // ---- data tier (data.cpp)
  void record_write(int db, double now);
  void on_primary_crash(int db, double now, const std::string& fault);
  void failover_controller(int db);
  void promote(int db, double now, bool planned, const std::string& why);
  void restore_from_backup(int db, double now, const std::string& fault);
  void publish(int queue, double now);
  void consumer_loop(int queue, int slot);
  void retry_loop(int queue);
  /// Sync replication: extra time a write waits for its standby (0 when none is up:
  /// the primary then continues alone, as RDS multi-AZ does after a failover).
  bool sync_wait(int db, int primary_station, double* wait);

  // ---- control (control.cpp)
  void generator(std::unique_ptr<model::ArrivalStream> arrivals);
  void compute_prefixes();
  double region_latency(int ra, int rb) const;
  /// Per-window sample of every component (called between run_until steps).
  void sample_window(double window_start, double now);
  /// Fails the requests whose deadline passed (called between run_until steps).
  void sweep_deadlines(double now);
  void health_checker(int lb);
  void crash_station(int station, double now, const std::string& why, bool record = true);
  void recover_station(int station, double now, double boot);
  void fault_injector();
  void timeline(double t, std::string kind, std::string target, std::string detail, std::string fault = {});
  void collect();

  // ---- actors (engine.cpp)
  /// Creates an actor whose body cannot abort the process: a simulated failure it
  /// did not handle ends the actor (counted), any other exception is recorded as
  /// an internal error that stops the run (exit 3). Kills (host turned off) pass through.
  sg::ActorPtr spawn(const std::string& name, sg::Host* host, std::function<void()> body);
  std::string internal_error;          ///< the first internal error, with the actor and time
  std::string abort_reason;            ///< a semantic guard stopped the run
  std::uint64_t unhandled_failures = 0;
  std::uint64_t max_in_flight = 2000000;

  // ---- helpers
  sg::Host* host_of(int station) { return stations[static_cast<std::size_t>(station)].host; }
  Station& st(int i) { return stations[static_cast<std::size_t>(i)]; }
  ComponentRt& comp(int i) { return comps[static_cast<std::size_t>(i)]; }
  /// Round robin over a component's instances: the first station from `c.rr` on that
  /// `usable` accepts, or -1; the rotation goes on after the one chosen, so an instance
  /// that is down does not double its successor's share.
  template <class Usable>
  int rotate(ComponentRt& c, Usable usable) {
    const std::size_t n = c.stations.size();
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t idx = (static_cast<std::size_t>(c.rr) + k) % n;
      if (usable(static_cast<int>(idx), c.stations[idx])) {
        c.rr = static_cast<int>(idx) + 1;
        return c.stations[idx];
      }
    }
    return -1;
  }
};

}  // namespace sim::engine
