#include "sim/engine/flow.h"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <stdexcept>

#include "sim/engine/world.h"

namespace sim::engine {

using model::FailReason;

RequestFlow::RequestFlow(World& world) : w_(world), kernel_(world.kernel) {}

// ---- requests ---------------------------------------------------------------------

std::uint32_t RequestFlow::new_request(double now, int cls) {
  std::uint32_t r = requests_.acquire();
  Request& q = requests_[r];
  std::uint32_t gen = q.gen;
  q = Request{};
  q.gen = gen;
  q.cls = cls;
  q.start = now;
  ++in_flight_;
  ++generated_;
  w_.recorder->arrival(now, cls);
  return r;
}

void RequestFlow::release_request(std::uint32_t r) {
  ++requests_[r].gen;  // stale deadlines and jobs no longer match
  requests_.release(r);
}

void RequestFlow::complete(Request& r, double t) {
  if (r.finished) return;
  r.finished = true;
  // An answer after the end of the run is still in flight when the run stops.
  if (t >= w_.scen.duration) return;
  --in_flight_;
  double latency = t - r.start;
  w_.recorder->completion(t, r.cls, latency);
  for (Autoscaler* a : w_.class_autoscalers[static_cast<std::size_t>(r.cls)]) a->observe(latency);
}

void RequestFlow::fail(Request& r, double t, FailReason why) {
  if (r.finished) return;
  r.finished = true;
  if (t >= w_.scen.duration) return;
  --in_flight_;
  w_.recorder->failure(t, r.cls, why);
}

bool RequestFlow::live(const Job& j) const {
  const Request& r = requests_[j.req];
  return r.gen == j.req_gen && !r.finished;
}

// ---- jobs ---------------------------------------------------------------------------

JobRef RequestFlow::new_job(Job::Kind kind, std::uint32_t req, JobRef parent, int station, double demand) {
  std::uint32_t idx = jobs_.acquire();
  Job& j = jobs_[idx];
  std::uint32_t gen = j.gen;
  j = Job{};
  j.gen = gen;
  j.index = idx;
  j.kind = kind;
  j.phase = Job::Phase::kTravel;
  j.req = req;
  j.req_gen = requests_[req].gen;
  j.parent = parent;
  j.station = station;
  j.demand = demand;
  return ref_of(idx, gen);
}

// Every job ends here: the balancer that chose its station hears that it is done.
void RequestFlow::free_job(Job& j) {
  if (j.lb) j.lb->done(j.station);
  j.lb = nullptr;
  j.phase = Job::Phase::kFree;
  ++j.gen;
  if (j.gen == 0) j.gen = 1;  // a JobRef is never 0
  jobs_.release(j.index);
}

// ---- arrivals and delivery ------------------------------------------------------------

void RequestFlow::start(std::unique_ptr<model::ArrivalStream> arrivals) {
  arrivals_ = std::move(arrivals);
  // Tests prove that an internal error is reported, not aborted on: this makes
  // the kernel throw at the given simulated time (never set in normal use).
  if (const char* inject = std::getenv("INFRASIM_TEST_INTERNAL_ERROR_AT")) throw_at_ = std::atof(inject);
  double acc = 0;
  for (double s : w_.places.region_share) region_cdf_.push_back(acc += s);
  next_arrival_ = arrivals_->next();
  if (next_arrival_) kernel_.at(next_arrival_->time, this, kArrival);
}

void RequestFlow::arrival() {
  model::Arrival a = *next_arrival_;
  if (throw_at_ >= 0 && a.time >= throw_at_) throw std::logic_error("injected internal error (INFRASIM_TEST_INTERNAL_ERROR_AT)");
  next_arrival_ = arrivals_->next();
  if (in_flight_ > max_in_flight_) {
    // The model explodes (offered load far above capacity, unbounded queues): stop
    // before memory runs out; the run loop reports it.
    explosion_ = fmt::format(
        "{} requests in the system at t={:.0f}s: the offered load far exceeds what the topology can serve and "
        "its queues are unbounded; expected a load within capacity, or queue_limit on the services",
        in_flight_, a.time);
    return;
  }
  if (next_arrival_) kernel_.at(next_arrival_->time, this, kArrival);

  std::uint32_t ri = new_request(a.time, a.request_class);
  Request& r = requests_[ri];
  if (region_cdf_.size() > 1) {
    double u = w_.rng_flow.uniform() * region_cdf_.back();
    while (r.region + 1 < static_cast<int>(region_cdf_.size()) && u >= region_cdf_[static_cast<std::size_t>(r.region)]) ++r.region;
  }
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  const Prefix& px = plan.prefix[static_cast<std::size_t>(r.region)];
  if (px.cdn_hit >= 0) {
    double hit = plan.cdn->hit_ratio(px.hit_ratio);
    if (hit > 0 && w_.rng_flow.bernoulli(hit)) {
      complete(r, a.time + px.cdn_hit);  // answered at the edge
      release_request(ri);
      return;
    }
  }
  r.return_latency = px.back;
  kernel_.at(a.time + px.to_entry, this, kDeliver, ri, r.gen);
}

void RequestFlow::deliver(std::uint32_t ri) {
  Request& r = requests_[ri];
  const double now = kernel_.now();
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  int target = -1;
  FailReason why = FailReason::kConnectionRefused;
  double hop = 0;
  LoadBalancer* lb = nullptr;
  if (plan.entry_lb) {
    if (auto chosen = plan.entry_lb->choose(r.region, &why)) {
      target = *chosen;
      lb = plan.entry_lb;
      int forwarder = plan.entry_lb->forwarder(r.region);
      hop = forwarder >= 0 ? w_.latency(forwarder, target) : 0;
    }
  } else {
    target = w_.rotate(plan.entry, [this](int, int si) { return w_.st(si).up && w_.st(si).started; });
  }
  if (target >= 0 && !w_.net.empty()) {
    LinkEffect e = w_.net.between_regions(r.region, w_.region_of(target), now);
    if (e.partitioned || (e.loss > 0 && w_.rng_flow.bernoulli(e.loss))) {
      if (lb) lb->done(target);
      fail(r, now + (e.partitioned ? NetworkFaults::kConnectTimeout : r.return_latency), FailReason::kNetwork);
      release_request(ri);
      return;
    }
    hop += e.extra;
  }
  if (target < 0) {
    fail(r, now + r.return_latency, why);
    release_request(ri);
    return;
  }
  r.return_latency += hop;
  double demand = plan.demand[0]->sample(w_.rng_service);
  JobRef jr = new_job(Job::Kind::kHandle, ri, 0, target, demand);
  get(jr)->lb = lb;
  if (hop > 0) {
    kernel_.at(now + hop, this, kEnter, 0, jr);
  } else {
    enter(*get(jr));
  }
}

// ---- stations -------------------------------------------------------------------------

// A job reaches its station (after its hop).
void RequestFlow::enter(Job& j) {
  const double now = kernel_.now();
  Station& s = w_.st(j.station);
  if (j.kind == Job::Kind::kQuery) {
    // A database never queues: the pool is the queue, and a connection is a server process.
    if (!s.up) {
      answer(j, false, FailReason::kDbUnavailable);
      return;
    }
    s.count_unqueued_wait();
    start_cpu(j);
    return;
  }
  if (!s.up) {
    finish(j, false, FailReason::kConnectionRefused);
    return;
  }
  if (j.kind == Job::Kind::kHandle && j.parent == 0) {
    // The client's deadline: the entry service's timeout, from when the request reaches it.
    const Request& r = requests_[j.req];
    double timeout = w_.comp(s.component).spec->service()->timeout;
    kernel_.at_lane(w_.class_lane[static_cast<std::size_t>(r.cls)], now + timeout, this, kDeadline, j.req, r.gen);
  }
  std::uint32_t slot = 0;
  switch (s.admit(ref(j), now, &slot)) {
    case Station::Admit::kStart:
      j.holds_slot = true;
      j.slot = slot;
      if (stale(j)) {
        if (j.parent == 0 && requests_[j.req].gen == j.req_gen) release_request(j.req);
        leave_station(j);
        return;
      }
      start_cpu(j);
      return;
    case Station::Admit::kQueued:
      j.phase = Job::Phase::kQueued;
      return;
    case Station::Admit::kFull:
      s.count_queue_full();
      finish(j, false, FailReason::kQueueFull);
      return;
  }
}

// Work nobody wants any more: a request that timed out (or was given up) before
// its handler started, a call whose caller is gone.
bool RequestFlow::stale(const Job& j) {
  if (j.parent == 0) return !live(j);
  if (!get(j.parent)) return true;
  return j.kind == Job::Kind::kHandle && requests_[j.req].gen != j.req_gen;
}

// The job gives its worker slot back and frees itself; the next live queued job takes the slot.
void RequestFlow::leave_station(Job& j) {
  const double now = kernel_.now();
  int si = j.station;
  bool held = j.holds_slot;
  if (held) {
    Station& s = w_.st(si);
    JobRef moved = s.release(j.slot, now);
    if (moved) get(moved)->slot = j.slot;
  }
  free_job(j);
  if (!held) return;
  Station& s = w_.st(si);
  std::uint32_t slot = 0;
  while (auto next = s.take_next(now, &slot)) {
    Job* n = get(*next);
    n->holds_slot = true;
    n->slot = slot;
    if (stale(*n)) {
      // Drop it unserved and give the slot back (take_next gave it one).
      Job& x = *n;
      if (x.parent == 0 && requests_[x.req].gen == x.req_gen) release_request(x.req);
      JobRef moved = s.release(x.slot, now);
      if (moved) get(moved)->slot = x.slot;
      free_job(x);
      continue;
    }
    start_cpu(*n);
    break;
  }
}

void RequestFlow::start_cpu(Job& j) {
  j.phase = Job::Phase::kCpu;
  Station& s = w_.st(j.station);
  s.cpu_started(kernel_.now());
  j.cpu = s.cpu->start(j.demand, this, ref(j));
}

void RequestFlow::cpu_done(std::uint64_t token, bool ok) {
  Job* j = get(token);
  if (!j || j->phase != Job::Phase::kCpu) return;  // aborted with its station: already failed
  Station& s = w_.st(j->station);
  s.cpu_ended(kernel_.now(), ok);
  if (!ok) {
    // The host failed under it (only queries get here: a station's own jobs were aborted by its crash).
    answer(*j, false, j->kind == Job::Kind::kQuery ? FailReason::kDbUnavailable : FailReason::kConnectionRefused);
    return;
  }
  after_cpu(*j);
}

void RequestFlow::after_cpu(Job& j) {
  Station& s = w_.st(j.station);
  bool injected = s.error_ratio > 0 && w_.rng_flow.bernoulli(s.error_ratio);
  switch (j.kind) {
    case Job::Kind::kServe:
      answer(j, !injected, FailReason::kInjected);
      return;
    case Job::Kind::kQuery:
      if (injected) {
        answer(j, false, FailReason::kInjected);
        return;
      }
      if (j.write) {
        Database* db = static_cast<Database*>(w_.comp(s.component).tier);
        double wait = db->acknowledge_write(j.station);
        if (wait > 0) {
          j.phase = Job::Phase::kSync;
          kernel_.at(kernel_.now() + wait, this, kSyncDone, 0, ref(j));
          return;
        }
        db->record_write();
      }
      answer(j, true, FailReason::kInjected);
      return;
    case Job::Kind::kHandle:
      if (injected) {
        finish(j, false, FailReason::kInjected);
        return;
      }
      run_calls(j);
      return;
  }
}

// ---- calls ----------------------------------------------------------------------------

void RequestFlow::run_calls(Job& j) {
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(requests_[j.req].cls)];
  const auto& calls = plan.segments[static_cast<std::size_t>(j.segment)];
  while (j.pc < static_cast<int>(calls.size())) {
    // A request that already failed (timeout) makes no further calls, like a cancelled context.
    const Request& r = requests_[j.req];
    if (r.gen != j.req_gen || r.finished || r.ends_early) break;
    const CallPlan& c = calls[static_cast<std::size_t>(j.pc++)];
    if (!issue(j, c)) return;  // waiting for the call's answer
  }
  finish(j, true, FailReason::kInjected);
}

void RequestFlow::call_failed(Job& j, double after, FailReason why) {
  j.phase = Job::Phase::kWaitCall;
  j.child = 0;
  j.call_ok = false;
  j.call_reason = why;
  kernel_.at(kernel_.now() + after, this, kResume, 0, ref(j));
}

void RequestFlow::send(Job& parent, Job::Kind kind, int station, double demand, double one_way, LoadBalancer* lb) {
  JobRef child = new_job(kind, parent.req, ref(parent), station, demand);
  Job& c = *get(child);
  c.lb = lb;
  c.write = kind == Job::Kind::kQuery && parent.call->write;
  if (kind == Job::Kind::kHandle) c.segment = parent.segment + 1;
  parent.phase = Job::Phase::kWaitCall;
  parent.child = child;
  parent.callee = station;
  parent.back = one_way;
  if (one_way > 0) {
    kernel_.at(kernel_.now() + one_way, this, kEnter, 0, child);
  } else {
    enter(c);
  }
}

// Starts call `c` of job j: false = j now waits for its answer (always, but for
// a cache node that is down... which also answers later: the miss takes a round trip).
bool RequestFlow::issue(Job& j, const CallPlan& c) {
  const double now = kernel_.now();
  const int self = j.station;
  j.call = &c;
  j.call_ok = true;
  j.call_down_miss = false;
  j.pool = -1;
  int target = -1;
  FailReason why = FailReason::kConnectionRefused;
  switch (c.kind) {
    case CallPlan::Kind::kCache:
      target = c.cache->node(w_.rng_flow);
      break;
    case CallPlan::Kind::kDatabase:
      target = c.db->route(c.to_replica);
      if (target < 0) {  // writes are not served now: refused after a round trip to the old primary
        call_failed(j, 2 * w_.latency(self, c.db->primary_station()), FailReason::kDbUnavailable);
        return false;
      }
      break;
    case CallPlan::Kind::kQueue:
      target = c.queue->broker();
      break;
    case CallPlan::Kind::kStorage:
      target = c.storage->node(w_.rng_flow);
      break;
    case CallPlan::Kind::kService:
      if (c.via_lb) {
        if (auto chosen = c.via_lb->choose(-1, &why)) target = *chosen;
      } else {
        target = w_.rotate(c.component, [this](int, int si) { return w_.st(si).up && w_.st(si).started; });
      }
      if (target < 0) {
        call_failed(j, 0, why);
        return false;
      }
      break;
  }
  double demand = c.demand->sample(w_.rng_service);
  double one_way = w_.latency(self, target);
  if (!w_.net.empty()) {
    LinkEffect e = w_.net.between(w_.st(self).component, w_.region_of(self), w_.st(target).component,
                                  w_.region_of(target), now);
    if (e.partitioned || (e.loss > 0 && w_.rng_flow.bernoulli(e.loss))) {
      if (c.kind == CallPlan::Kind::kService && c.via_lb) c.via_lb->done(target);
      call_failed(j, e.partitioned ? NetworkFaults::kConnectTimeout : 2 * one_way, FailReason::kNetwork);
      return false;
    }
    one_way += e.extra;
  }
  if (!w_.st(target).up) {
    // Connection refused, known after a round trip. A cache node that is down is a miss.
    if (c.kind == CallPlan::Kind::kService && c.via_lb) c.via_lb->done(target);
    if (c.kind == CallPlan::Kind::kCache) {
      c.cache->miss_down();
      j.phase = Job::Phase::kWaitCall;
      j.child = 0;
      j.call_down_miss = true;
      kernel_.at(now + 2 * one_way, this, kResume, 0, ref(j));
      return false;
    }
    call_failed(j, 2 * one_way,
                c.kind == CallPlan::Kind::kDatabase ? FailReason::kDbUnavailable : FailReason::kConnectionRefused);
    return false;
  }
  switch (c.kind) {
    case CallPlan::Kind::kDatabase: {
      int pool = -1;
      Database::Acquire got = c.db->acquire(self, target, ref(j), &pool, &j.pool_epoch);
      j.pool = pool;
      j.callee = target;
      j.back = one_way;
      j.query_demand = demand;
      if (got == Database::Acquire::kRefused) {
        j.pool = -1;
        call_failed(j, 2 * one_way, FailReason::kDbUnavailable);
        return false;
      }
      if (got == Database::Acquire::kWaiting) {
        j.phase = Job::Phase::kWaitPool;
        kernel_.at(now + c.db->acquire_timeout(), this, kPoolTimeout, 0, ref(j));
        return false;
      }
      send(j, Job::Kind::kQuery, target, demand, one_way, nullptr);
      return false;
    }
    case CallPlan::Kind::kService:
      send(j, Job::Kind::kHandle, target, demand, one_way, c.via_lb);
      return false;
    default:
      send(j, Job::Kind::kServe, target, demand, one_way, nullptr);
      return false;
  }
}

void RequestFlow::pool_granted(JobRef ref) {
  Job* j = get(ref);
  if (!j || j->phase != Job::Phase::kWaitPool) return;
  send(*j, Job::Kind::kQuery, j->callee, j->query_demand, j->back, nullptr);
}

// The answer of j's pending call has arrived.
void RequestFlow::resume(Job& j) {
  const CallPlan& c = *j.call;
  j.phase = Job::Phase::kCpu;  // between calls: running (no CPU held)
  j.child = 0;
  if (c.kind == CallPlan::Kind::kDatabase && j.pool >= 0) c.db->release(j.pool, j.pool_epoch);
  j.pool = -1;
  if (!j.call_ok) {
    finish(j, false, j.call_reason);
    return;
  }
  if (requests_[j.req].gen != j.req_gen) {  // the request was given up upstream while we waited
    finish(j, false, FailReason::kConnectionRefused);
    return;
  }
  switch (c.kind) {
    case CallPlan::Kind::kCache:
      if (!j.call_down_miss && c.cache->lookup(j.callee, c.hit_ratio, w_.rng_flow)) requests_[j.req].ends_early = true;
      break;
    case CallPlan::Kind::kQueue:
      c.queue->publish();
      break;
    default:
      break;
  }
  run_calls(j);
}

// ---- answers ---------------------------------------------------------------------------

// A handle job is done: it answers its caller or its client, and leaves its station.
void RequestFlow::finish(Job& j, bool ok, FailReason why) {
  if (j.parent != 0) {
    answer(j, ok, why);
    return;
  }
  Request& r = requests_[j.req];
  const double now = kernel_.now();
  if (r.gen != j.req_gen) {  // cannot happen: the handler owns its request
    leave_station(j);
    return;
  }
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  if (ok && plan.response_size > 0 && !r.finished) {
    // A large answer contends for bandwidth on its way to the clients.
    j.phase = Job::Phase::kSending;
    Transfer* t;
    if (!free_transfers_.empty()) {
      t = free_transfers_.back();
      free_transfers_.pop_back();
    } else {
      transfers_.emplace_back();
      t = &transfers_.back();
    }
    t->kind = ActivityTag::Kind::kTransfer;
    t->flow = this;
    t->job = ref(j);
    sg::Host* from = w_.host_of(j.station);
    sg::Host* to = w_.platform->control();
    double size = plan.response_size;
    kernel_.at_simgrid_date([t, from, to, size] {
      t->comm = sg::Comm::sendto_init(from, to);
      t->comm->set_payload_size(static_cast<std::uint64_t>(size));
      t->comm->set_data(static_cast<ActivityTag*>(t));
      t->comm->start();
    });
    return;
  }
  if (ok) {
    complete(r, now + r.return_latency);
  } else {
    fail(r, now + r.return_latency, why);
  }
  release_request(j.req);
  leave_station(j);
}

void RequestFlow::on_activity_completion(const sg::Activity& activity, ActivityTag* tag) {
  auto* t = static_cast<Transfer*>(tag);
  RequestFlow& f = *t->flow;
  try {
    f.kernel_.enter();
    f.kernel_.retire(std::move(t->comm));
    t->comm = nullptr;
    JobRef jr = t->job;
    f.free_transfers_.push_back(t);
    Job* j = f.get(jr);
    if (!j || j->phase != Job::Phase::kSending) return;  // its station crashed: already failed
    Request& r = f.requests_[j->req];
    double now = f.kernel_.now();
    if (activity.get_state() == sg::Activity::State::FINISHED) {
      f.complete(r, now + r.return_latency);
    } else {
      f.fail(r, now + r.return_latency, FailReason::kNetwork);
    }
    f.release_request(j->req);
    f.leave_station(*j);
  } catch (const std::exception& e) {
    f.kernel_.record_failure(e.what());
  }
}

// A call job (serve, query or a nested handle) answers its caller: the outcome
// travels back for the hop's latency; the job frees itself now.
void RequestFlow::answer(Job& j, bool ok, FailReason why) {
  Job* parent = get(j.parent);
  if (parent && parent->phase == Job::Phase::kWaitCall && parent->child == ref(j)) {
    parent->call_ok = ok;
    parent->call_reason = why;
    kernel_.at(kernel_.now() + parent->back, this, kResume, 0, ref(*parent));
  }
  if (j.kind == Job::Kind::kQuery) {
    free_job(j);
  } else {
    leave_station(j);
  }
}

void RequestFlow::query_answered(Job& q) {
  Database* db = static_cast<Database*>(w_.comp(w_.st(q.station).component).tier);
  db->record_write();
  answer(q, true, FailReason::kInjected);
}

// ---- crashes ---------------------------------------------------------------------------

// What a dying job was waiting for stops: a pool wait leaves the queue, its query
// on a database host is cancelled; other calls finish as orphans.
void RequestFlow::cancel_waits(Job& j) {
  if (j.phase == Job::Phase::kWaitPool && j.pool >= 0) j.call->db->cancel_wait(j.pool, ref(j));
  if (j.phase == Job::Phase::kWaitCall && j.child) {
    if (Job* c = get(j.child); c && c->kind == Job::Kind::kQuery) {
      if (c->phase == Job::Phase::kCpu) {
        Station& server = w_.st(c->station);
        server.cpu->cancel(c->cpu);
        server.cpu_ended(kernel_.now(), false);
      }
      free_job(*c);
    }
  }
}

void RequestFlow::abort(const std::vector<JobRef>& jobs) {
  const double now = kernel_.now();
  for (JobRef jr : jobs) {
    Job* j = get(jr);
    if (!j) continue;
    cancel_waits(*j);
    j->holds_slot = false;  // the station already forgot its holders
    if (j->parent != 0) {
      answer(*j, false, FailReason::kConnectionRefused);
      continue;
    }
    Request& r = requests_[j->req];
    if (r.gen == j->req_gen) {
      fail(r, now + r.return_latency, FailReason::kConnectionRefused);
      release_request(j->req);
    }
    free_job(*j);
  }
}

// ---- events ----------------------------------------------------------------------------

void RequestFlow::on_event(const Event& e) {
  switch (static_cast<EventKind>(e.kind)) {
    case kArrival:
      arrival();
      return;
    case kDeliver:
      if (requests_[e.a].gen == static_cast<std::uint32_t>(e.b)) deliver(e.a);
      return;
    case kEnter:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kTravel) enter(*j);
      return;
    case kResume:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kWaitCall) resume(*j);
      return;
    case kDeadline: {
      Request& r = requests_[e.a];
      if (r.gen == static_cast<std::uint32_t>(e.b) && !r.finished) fail(r, kernel_.now(), FailReason::kTimeout);
      return;
    }
    case kPoolTimeout:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kWaitPool) {
        j->call->db->cancel_wait(j->pool, e.b);
        j->pool = -1;
        j->phase = Job::Phase::kWaitCall;
        j->call_ok = false;
        j->call_reason = FailReason::kDbUnavailable;
        resume(*j);
      }
      return;
    case kSyncDone:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kSync) query_answered(*j);
      return;
  }
}

}  // namespace sim::engine
