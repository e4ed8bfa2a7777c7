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
#include "sim/engine/load_balancer.h"
#include "sim/engine/plan.h"
#include "sim/engine/slab.h"
#include "sim/engine/station.h"
#include "sim/engine/users.h"
#include "sim/model/arrivals.h"
#include "sim/model/clients.h"
#include "sim/model/run_result.h"

namespace sim::engine {

class World;
class LoadBalancer;

class RequestFlow final : public EventSink, public CpuClient {
 public:
  explicit RequestFlow(World& world);

  /// Schedules the first arrival. Call once, when the simulation starts.
  void start(std::unique_ptr<model::ArrivalStream> arrivals);
  /// A station crashed and handed back these jobs: they fail (calls answer their
  /// callers); with `silent`, nobody hears of it (callers wait for their timeouts).
  void abort(const std::vector<JobRef>& jobs, bool silent);
  /// The database handed a released connection to this waiting job.
  void pool_granted(JobRef job);
  /// A station stopped being hung or frozen: what waited for it goes on.
  void release_held(int station);
  /// A response transfer ended (the engine's Activity::on_completion handler).
  static void on_activity_completion(const simgrid::s4u::Activity& activity, ActivityTag* tag);

  std::uint64_t in_flight() const { return in_flight_; }
  /// Requests created so far.
  std::uint64_t generated() const { return generated_; }
  /// Per client group (scenario `client_groups:`): what its requests got; empty without clients.
  std::vector<model::ClientGroupStats> client_groups() const;
  /// Set when the load explodes (requests in the system above the guard): the run stops.
  const std::string& explosion() const { return explosion_; }
  void set_max_in_flight(std::uint64_t n) { max_in_flight_ = n; }

  void on_event(const Event& e) override;
  void cpu_done(std::uint64_t token, bool ok) override;

  /// What a client without a timeout of its own waits on a connection nobody answers:
  /// Linux's SYN retries (tcp_syn_retries 6: 1 + 2 + ... + 64 s).
  static constexpr double kOsConnectTimeout = 127;
  /// An established connection whose peer vanished while it waits for an answer: nothing
  /// is unacknowledged, so TCP never notices (keepalive is off by default, 2 h when on).
  /// A bound that only matters when nothing else ends the wait.
  static constexpr double kOsIdleGiveUp = 7200;

 private:
  enum EventKind : std::uint32_t {
    kArrival, kDeliver, kEnter, kResume, kDeadline, kPoolTimeout, kSyncDone,
    kLbFail,       ///< a failed attempt reaches the entry balancer (a = request, b = gen; the kind in the request)
    kLbTimeout,    ///< the entry balancer's connect or read timeout (a = request, b = attempt << 32 | gen)
    kLbRetry,      ///< the entry balancer sends the request on after its delay (a = request, b = attempt << 32 | gen)
    kCallTimeout,  ///< a caller gives up its call (a = call number, b = the caller)
    kCallRetry,    ///< a call through a balancer is tried again after the balancer's delay
    kHeldFinish,   ///< a hung entry handler's answer, released (a = ok | reason << 1, b = the job)
    kVuWake,       ///< a closed-loop virtual user is done thinking (b = 1), or the stages add it (b = 0) (a = the user)
  };

  struct Request {
    std::uint32_t gen = 1;
    int cls = 0;
    int region = 0;               ///< client region
    std::uint64_t user = 0;       ///< who sent it (the shard key; 0: the topology has no users)
    std::uint32_t client = 0;     ///< the client (address) that sent it (scenario `client_groups:`; 0 without)
    std::int32_t vu = -1;         ///< the virtual user waiting for it (scenario `virtual_users:`); -1: open loop
    double start = 0;
    double back = 0;              ///< entry balancer (or entry) -> client, constant per class and region
    double hop = 0;               ///< the current attempt's balancer -> backend latency (with network delay)
    bool finished = false;        ///< its outcome is recorded
    bool ends_early = false;      ///< a cache hit ended the path
    std::uint16_t holders = 0;    ///< handler jobs that still point at it (the current attempt's and orphans)
    bool lb_active = false;       ///< its current attempt is counted active at the entry balancer
    bool lb_retry_same = false;   ///< the pending kLbRetry goes to the same backend
    std::uint32_t attempt = 0;    ///< the current attempt's number
    double attempt_sent = 0;      ///< when the current attempt left the balancer
    LbAttempt lb;
    AttemptFailure failure = AttemptFailure::kRefused;  ///< kLbFail: how the attempt failed
    model::FailReason failure_reason = model::FailReason::kConnectionRefused;
    std::uint32_t index = 0;      ///< its slot (constant while it lives)
    double deadline = 0;          ///< the client gives up the current try at this time
    std::uint16_t tries = 0;      ///< the client's retries so far (clients: {retry})
    std::uint32_t try_first = 0;  ///< the first attempt number of the client's current try
    bool client_gone = false;     ///< the client stopped waiting (clients.timeout): the server does not know
    double retry_wait = 0;        ///< the client's last backoff wait (decorrelated jitter)
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
    std::uint32_t attempt = 0;     ///< an entry handler: the attempt it serves
    JobRef parent = 0;             ///< the caller waiting for this job; 0 = answers the client
    std::uint32_t call_number = 0; ///< a call job: the caller's call it answers
    int station = -1;              ///< where it runs (kQuery: the database server)
    std::uint32_t slot = 0;        ///< its worker slot at `station`
    int segment = 0, pc = 0;       ///< kHandle: the path segment and its next call
    double demand = 0;
    double born = 0;               ///< kHandle: when it was sent (the server's own timeout counts from here)
    HostCpu::Handle cpu;
    // Its pending call (kWaitCall / kWaitPool), written by the callee's answer.
    const CallPlan* call = nullptr;
    std::uint32_t call_seq = 0;    ///< numbers its calls (and retries): an answer or timeout of an older one is stale
    JobRef child = 0;
    int callee = -1;               ///< the callee's station
    double back = 0;               ///< one-way latency of the answer's way back
    double call_sent = 0;          ///< when the current call left
    int pool = -1;                 ///< database calls: the connection's pool
    std::uint32_t pool_epoch = 0;
    double query_demand = 0;       ///< a query waiting for a connection: its CPU demand
    bool call_ok = true;
    bool call_down_miss = false;   ///< cache node down: a miss, no lookup
    std::uint64_t cache_key = 0;   ///< a cache call: its key (a class whose hit ratio is modelled)
    bool call_lb_active = false;   ///< the call counts active at its balancer (call_lb)
    bool retrying = false;         ///< the current call is a balancer's retry: keep its attempts
    bool retry_same = false;       ///< ... on the same backend (HAProxy without redispatch)
    model::FailReason call_reason = model::FailReason::kConnectionRefused;
    AttemptFailure call_failure = AttemptFailure::kErrorAnswer;
    LbAttempt call_lb;             ///< a service call through a balancer: its attempts
    std::uint16_t call_tries = 0;  ///< the caller's retries of the current call (its policy)
    bool policy_retrying = false;  ///< the current call is a retry of its policy: keep call_tries
    double call_wait = 0;          ///< the last backoff wait of the current call
  };

  // requests
  std::uint32_t new_request(double now, int cls);
  void release_request(std::uint32_t r);
  void maybe_release(std::uint32_t r);
  bool owner(const Job& j) const;
  void complete(Request& r, double t);
  void fail(Request& r, double t, model::FailReason why);
  /// The client tries again (clients: {retry}) instead of taking this failure.
  bool client_retry(Request& r, double t, model::FailReason why);
  /// The caller's policy retries its failed call after a backoff (calls: {x: {retry}}).
  bool policy_retry(Job& j);
  /// When a caller waiting for an answer that will never come stops waiting: its request's
  /// deadline (a handler is not kept beyond it), at most `limit`.
  double give_up_at(const Job& caller, double limit) const;

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
  void attempt(std::uint32_t r, bool same_backend);
  void lb_failed(std::uint32_t r, AttemptFailure f, model::FailReason why);
  void lb_end_attempt(Request& r);
  void enter(Job& j);
  void start_cpu(Job& j);
  void after_cpu(Job& j);
  void run_calls(Job& j);
  bool issue(Job& j, const CallPlan& c);
  void call_failed(Job& j, double after, model::FailReason why, AttemptFailure f);
  void send(Job& parent, Job::Kind kind, int station, double demand, double one_way);
  void resume(Job& j);
  void end_call(Job& j);
  /// `f`: how the caller sees a failure — the station refused the connection
  /// (kRefused) or answered with an error (kErrorAnswer, whatever failed behind it).
  void finish(Job& j, bool ok, model::FailReason why, AttemptFailure f = AttemptFailure::kErrorAnswer);
  void answer(Job& j, bool ok, model::FailReason why, AttemptFailure f);
  void leave_station(Job& j);
  bool stale(const Job& j);
  void query_answered(Job& q);
  void cancel_waits(Job& j);
  void give_up_pool_wait(Job& j, model::FailReason why, AttemptFailure f);
  void hold(int station, const Event& e);
  bool held_at(int station, const Event& e);

  World& w_;
  Kernel& kernel_;
  std::unique_ptr<model::ArrivalStream> arrivals_;
  std::optional<model::Arrival> next_arrival_;
  std::vector<double> region_cdf_;
  std::unique_ptr<model::ClientPopulation> clients_;  ///< scenario `client_groups:`; null without
  core::Rng rng_clients_;                             ///< its own stream: draws nothing without clients
  // Closed-loop virtual users (scenario `virtual_users:`): state per user, allocated at start.
  struct VuState {
    bool busy = false;     ///< a request of its own is on its way
    bool thinking = false; ///< its next wake is scheduled (a stage's wake then changes nothing)
    std::uint32_t done = 0;  ///< requests finished (sessions: `session` of them, then a pause)
  };
  const scenario::VirtualUsers* vus_ = nullptr;
  std::vector<VuState> vu_state_;
  std::vector<double> vu_class_cdf_;
  core::Rng rng_vus_;                                 ///< think times and classes of the users
  void begin(double time, int cls, std::int32_t vu);
  void start_vus(const scenario::VirtualUsers& u);
  void vu_wake(std::int32_t vu, bool after_think);
  void vu_done(std::int32_t vu, double t);
  UserPopulation users_;
  double throw_at_ = -1;  ///< tests: an injected internal error at this time
  Slab<Request> requests_;
  Slab<Job> jobs_;
  std::vector<std::vector<Event>> held_;  ///< per station: events waiting for it to be reachable or running again
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
