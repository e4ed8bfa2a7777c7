#pragma once
// The request flow: what a request does from its arrival to its answer, as
// kernel events (engine/kernel.h). Requests and jobs are slab records reused
// through free lists: memory is bounded by the requests in flight.
//
//   arrival ──CDN hit──> answered at the edge (no station visited)
//      │ miss: travels to the entry (client, edge, origin fetch, LB processing)
//      v
//   deliver: the entry load balancer chooses a backend (LoadBalancer::choose)
//      │ LB -> backend hop
//      v
//   handle job at the service station: FCFS queue, worker slot, CPU on the host
//      │ then the calls of its path segment, one after the other, holding the slot:
//      ├─ cache / broker / storage: a serve job at the callee's station (hop there,
//      │  queue, CPU, hop back); a cache hit ends the path
//      ├─ database: a connection from the caller's pool (Database::acquire, maybe a
//      │  wait), a query job on the server's CPU (a database never queues: its pool
//      │  is the queue), sync replication's wait, hop back
//      └─ service (via its LB): a handle job for the next segment at the callee
//      v
//   answer: back to the caller, or to the client (+ the return latency; a large
//   response_size is a SimGrid transfer to the clients' host)
//
// Every hop takes its one-way latency (Platform::latency, plus a network
// fault's delay) in each direction. A call that cannot be made fails after
// what it costs to find out: a round trip to a station that is down
// (connection refused; a cache node down is a miss), the connect timeout
// across a partition. The entry service's `timeout` is the request's deadline,
// an event: the client gets a timeout at that instant; the work in progress
// goes on, makes no further calls, and a job still queued is dropped unserved.
//
// A station that crashes hands back its jobs (Station::crash): the flow fails
// them (connection_refused; a call answers its caller), cancels what they were
// waiting for (a pool wait, a query on a database host) and lets their other
// calls finish as orphans, whose answers are dropped.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

#include "sim/engine/cpu.h"
#include "sim/engine/kernel.h"
#include "sim/engine/plan.h"
#include "sim/engine/slab.h"
#include "sim/engine/station.h"
#include "sim/model/arrivals.h"
#include "sim/model/run_result.h"

namespace sim::engine {

class World;
class LoadBalancer;

class RequestFlow final : public EventSink, public CpuClient {
 public:
  explicit RequestFlow(World& world);

  /// Schedules the first arrival. Call once, when the simulation starts.
  void start(std::unique_ptr<model::ArrivalStream> arrivals);
  /// A station crashed and handed back these jobs: they fail (calls answer their callers).
  void abort(const std::vector<JobRef>& jobs);
  /// The database handed a released connection to this waiting job.
  void pool_granted(JobRef job);
  /// A response transfer ended (the engine's Activity::on_completion handler).
  static void on_activity_completion(const simgrid::s4u::Activity& activity, ActivityTag* tag);

  std::uint64_t in_flight() const { return in_flight_; }
  /// Requests created so far.
  std::uint64_t generated() const { return generated_; }
  /// Set when the load explodes (requests in the system above the guard): the run stops.
  const std::string& explosion() const { return explosion_; }
  void set_max_in_flight(std::uint64_t n) { max_in_flight_ = n; }

  void on_event(const Event& e) override;
  void cpu_done(std::uint64_t token, bool ok) override;

 private:
  enum EventKind : std::uint32_t { kArrival, kDeliver, kEnter, kResume, kDeadline, kPoolTimeout, kSyncDone };

  struct Request {
    std::uint32_t gen = 1;
    int cls = 0;
    int region = 0;               ///< client region
    double start = 0;
    double return_latency = 0;    ///< from the entry station back to the client
    bool finished = false;        ///< its outcome is recorded
    bool ends_early = false;      ///< a cache hit ended the path
  };

  struct Job {
    enum class Kind : std::uint8_t { kHandle, kServe, kQuery };
    enum class Phase : std::uint8_t { kFree, kTravel, kQueued, kCpu, kWaitCall, kWaitPool, kSync, kSending };
    std::uint32_t gen = 1;
    std::uint32_t index = 0;       ///< its slot in the slab (constant)
    Kind kind = Kind::kHandle;
    Phase phase = Phase::kFree;
    bool holds_slot = false;
    bool write = false;            ///< kQuery: a write to the primary (tracked, sync replication)
    std::uint32_t req = 0, req_gen = 0;
    JobRef parent = 0;             ///< the caller waiting for this job; 0 = answers the client
    int station = -1;              ///< where it runs (kQuery: the database server)
    std::uint32_t slot = 0;        ///< its worker slot at `station`
    int segment = 0, pc = 0;       ///< kHandle: the path segment and its next call
    double demand = 0;
    HostCpu::Handle cpu;
    LoadBalancer* lb = nullptr;    ///< the balancer that chose this station: told when the job ends
    // Its pending call (kWaitCall / kWaitPool), written by the callee's answer.
    const CallPlan* call = nullptr;
    JobRef child = 0;
    int callee = -1;               ///< the callee's station
    double back = 0;               ///< one-way latency of the answer's way back
    int pool = -1;                 ///< database calls: the connection's pool
    std::uint32_t pool_epoch = 0;
    double query_demand = 0;       ///< a query waiting for a connection: its CPU demand
    bool call_ok = true;
    bool call_down_miss = false;   ///< cache node down: a miss, no lookup
    model::FailReason call_reason = model::FailReason::kConnectionRefused;
  };

  // requests
  std::uint32_t new_request(double now, int cls);
  void release_request(std::uint32_t r);
  bool live(const Job& j) const;
  void complete(Request& r, double t);
  void fail(Request& r, double t, model::FailReason why);

  // jobs
  JobRef new_job(Job::Kind kind, std::uint32_t req, JobRef parent, int station, double demand);
  Job* get(JobRef ref) {
    auto idx = static_cast<std::uint32_t>(ref & 0xffffffffu);
    if (idx >= jobs_.size()) return nullptr;  // (a reference of a past run's size never reaches here)
    Job& j = jobs_[idx];
    return j.gen == static_cast<std::uint32_t>(ref >> 32) && j.phase != Job::Phase::kFree ? &j : nullptr;
  }
  static JobRef ref_of(std::uint32_t index, std::uint32_t gen) { return (static_cast<JobRef>(gen) << 32) | index; }
  static JobRef ref(const Job& j) { return ref_of(j.index, j.gen); }
  void free_job(Job& j);

  // the path
  void arrival();
  void deliver(std::uint32_t r);
  void enter(Job& j);
  void start_cpu(Job& j);
  void after_cpu(Job& j);
  void run_calls(Job& j);
  bool issue(Job& j, const CallPlan& c);
  void call_failed(Job& j, double after, model::FailReason why);
  void send(Job& parent, Job::Kind kind, int station, double demand, double one_way, LoadBalancer* lb);
  void resume(Job& j);
  void finish(Job& j, bool ok, model::FailReason why);
  void answer(Job& j, bool ok, model::FailReason why);
  void leave_station(Job& j);
  bool stale(const Job& j);
  void query_answered(Job& q);
  void cancel_waits(Job& j);

  World& w_;
  Kernel& kernel_;
  std::unique_ptr<model::ArrivalStream> arrivals_;
  std::optional<model::Arrival> next_arrival_;
  std::vector<double> region_cdf_;
  double throw_at_ = -1;  ///< tests: an injected internal error at this time
  Slab<Request> requests_;
  Slab<Job> jobs_;
  struct Transfer : ActivityTag {
    RequestFlow* flow = nullptr;
    JobRef job = 0;
    simgrid::s4u::CommPtr comm;
  };
  std::deque<Transfer> transfers_;
  std::vector<Transfer*> free_transfers_;
  std::uint64_t in_flight_ = 0, generated_ = 0, max_in_flight_ = 2000000;
  std::string explosion_;
};

}  // namespace sim::engine
