#include "sim/engine/flow.h"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <stdexcept>

#include "sim/engine/world.h"

namespace sim::engine {

using model::FailReason;

RequestFlow::RequestFlow(World& world)
    : w_(world),
      kernel_(world.kernel),
      rng_clients_(world.streams.stream("clients")),
      rng_vus_(world.streams.stream("virtual_users")),
      users_(world.topo, world.streams.stream("users")) {
  held_.resize(world.stations.size());
  if (!world.scen.client_groups.empty()) clients_ = std::make_unique<model::ClientPopulation>(world.scen.client_groups);
}

std::vector<model::ClientGroupStats> RequestFlow::client_groups() const {
  return clients_ ? clients_->stats() : std::vector<model::ClientGroupStats>{};
}

// ---- requests ---------------------------------------------------------------------

std::uint32_t RequestFlow::new_request(double now, int cls) {
  std::uint32_t r = requests_.acquire();
  Request& q = requests_[r];
  std::uint32_t gen = q.gen;
  q = Request{};
  q.gen = gen;
  q.index = r;
  q.cls = cls;
  q.user = users_.draw(cls);
  q.start = now;
  ++in_flight_;
  ++generated_;
  w_.recorder->arrival(now, cls);
  return r;
}

void RequestFlow::release_request(std::uint32_t r) {
  ++requests_[r].gen;  // stale deadlines, attempts and jobs no longer match
  requests_.release(r);
}

// A request is released once its outcome is recorded and no handler job points at it.
void RequestFlow::maybe_release(std::uint32_t r) {
  Request& q = requests_[r];
  if (q.finished && q.holders == 0) release_request(r);
}

void RequestFlow::complete(Request& r, double t) {
  if (r.finished) return;
  r.finished = true;
  // An answer after the end of the run is still in flight when the run stops.
  if (t >= w_.scen.duration) return;
  if (r.vu >= 0) vu_done(r.vu, t);
  --in_flight_;
  if (clients_) clients_->count(r.client, model::ClientPopulation::Outcome::kCompleted);
  double latency = t - r.start;
  w_.recorder->completion(t, r.cls, latency);
  for (Autoscaler* a : w_.class_autoscalers[static_cast<std::size_t>(r.cls)]) a->observe(latency);
}

void RequestFlow::fail(Request& r, double t, FailReason why) {
  if (r.finished) return;
  if (client_retry(r, t, why)) return;
  r.finished = true;
  if (t >= w_.scen.duration) return;
  if (r.vu >= 0) vu_done(r.vu, t);
  --in_flight_;
  if (clients_) {
    clients_->count(r.client, why == FailReason::kRateLimited ? model::ClientPopulation::Outcome::kRateLimited
                                                              : model::ClientPopulation::Outcome::kFailed);
  }
  w_.recorder->failure(t, r.cls, why);
}

// A client that retries (topology clients: {retry}) hears of the failure at t, waits its
// backoff and sends the request again: a new try at the entry, the failed one's work
// carries on as an orphan. Retries are not counted as arrivals; the outcome is the last try's.
bool RequestFlow::client_retry(Request& r, double t, FailReason why) {
  const topology::RetryPolicy& rp = w_.topo.clients.retry;
  if (rp.attempts <= 1 || r.tries + 1 >= rp.attempts || t >= w_.scen.duration) return false;
  if (why == FailReason::kTimeout ? !rp.on_timeout : !rp.on_error) return false;
  if (!w_.resilience.withdraw(-1, r.cls, rp, std::max(t, kernel_.now()))) return false;
  ++r.tries;
  r.retry_wait = Resilience::wait(rp, r.tries, r.retry_wait, w_.rng_flow);
  ++r.attempt;  // the failed try's handler, if any, is an orphan from now on
  r.try_first = r.attempt;
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  const Prefix& px = plan.prefix[static_cast<std::size_t>(r.region)];
  kernel_.at(std::max(t, kernel_.now()) + r.retry_wait + px.to_entry, this, kDeliver, r.index, r.gen);
  return true;
}

// The entry handler of the request's current attempt, while the request waits for it.
bool RequestFlow::owner(const Job& j) const {
  const Request& r = requests_[j.req];
  return r.gen == j.req_gen && r.attempt == j.attempt && !r.finished;
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
  j.born = kernel_.now();
  if (parent == 0) ++requests_[req].holders;
  return ref_of(idx, gen);
}

// Every job ends here; an entry handler lets go of its request.
void RequestFlow::free_job(Job& j) {
  if (j.call_lb_active) j.call->via_lb->done(j.call_lb);
  j.call_lb_active = false;
  j.phase = Job::Phase::kFree;
  ++j.gen;
  if (j.gen == 0) j.gen = 1;  // a JobRef is never 0
  jobs_.release(j.index);
  if (j.parent == 0) {
    Request& r = requests_[j.req];
    if (r.gen == j.req_gen) {
      if (r.holders > 0) --r.holders;
      maybe_release(j.req);
    }
  }
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
  if (w_.scen.virtual_users) start_vus(*w_.scen.virtual_users);
}

// Closed-loop users: user i runs while the stages want more than i users. Each time the
// target rises through i + 1 (linearly within a stage) it is woken; a user woken above the
// target, or finding itself above it after a request, stops (k6 lets a VU finish its iteration).
void RequestFlow::start_vus(const scenario::VirtualUsers& u) {
  vus_ = &u;
  vu_state_.assign(static_cast<std::size_t>(u.max_count()), VuState{});
  std::vector<double> shares;
  for (const auto& rc : w_.topo.requests) {
    auto it = u.mix.find(rc.name);
    shares.push_back(u.mix.empty() ? rc.share : (it == u.mix.end() ? 0.0 : it->second));
  }
  double acc = 0;
  for (double s : shares) vu_class_cdf_.push_back(acc += s);
  for (int i = 0; i < u.count; ++i) kernel_.at(0, this, kVuWake, static_cast<std::uint32_t>(i));
  double start = 0, from = u.count;
  for (const auto& st : u.stages) {
    if (st.target > from) {
      for (int i = static_cast<int>(from); i < st.target; ++i) {
        double at = start + st.duration * (i + 1 - from) / (st.target - from);
        if (at < w_.scen.duration) kernel_.at(at, this, kVuWake, static_cast<std::uint32_t>(i));
      }
    }
    start += st.duration;
    from = st.target;
  }
}

void RequestFlow::vu_wake(std::int32_t vu, bool after_think) {
  VuState& s = vu_state_[static_cast<std::size_t>(vu)];
  const double now = kernel_.now();
  if (after_think) {
    s.thinking = false;
  } else if (s.thinking) {
    return;  // a stage wants it and it is already in its loop
  }
  if (s.busy || vu >= vus_->target(now) || now >= w_.scen.duration) return;
  s.busy = true;
  int cls = 0;
  if (vu_class_cdf_.size() > 1) {
    double x = rng_vus_.uniform() * vu_class_cdf_.back();
    while (cls + 1 < static_cast<int>(vu_class_cdf_.size()) && x >= vu_class_cdf_[static_cast<std::size_t>(cls)]) ++cls;
  }
  begin(now, cls, vu);
}

// The user has its answer (or its failure) at t: it thinks, or pauses after a session, then goes on.
void RequestFlow::vu_done(std::int32_t vu, double t) {
  VuState& s = vu_state_[static_cast<std::size_t>(vu)];
  s.busy = false;
  ++s.done;
  bool session_end = vus_->session > 0 && s.done % static_cast<std::uint32_t>(vus_->session) == 0;
  double gap = (session_end ? vus_->pause : vus_->think).sample(rng_vus_);
  if (t + gap < w_.scen.duration) {
    s.thinking = true;
    kernel_.at(t + gap, this, kVuWake, static_cast<std::uint32_t>(vu), 1);
  }
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
  begin(a.time, a.request_class, -1);
}

// A request enters: from the open-loop arrivals (vu -1) or from a closed-loop virtual user.
void RequestFlow::begin(double time, int cls, std::int32_t vu) {
  model::Arrival a{time, cls};
  std::uint32_t ri = new_request(a.time, a.request_class);
  Request& r = requests_[ri];
  r.vu = vu;
  if (region_cdf_.size() > 1) {
    double u = w_.rng_flow.uniform() * region_cdf_.back();
    while (r.region + 1 < static_cast<int>(region_cdf_.size()) && u >= region_cdf_[static_cast<std::size_t>(r.region)]) ++r.region;
  }
  if (clients_) {  // its own stream: scenarios without clients draw exactly as before
    r.client = clients_->draw(rng_clients_.uniform());
    clients_->count(r.client, model::ClientPopulation::Outcome::kGenerated);
  }
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  const Prefix& px = plan.prefix[static_cast<std::size_t>(r.region)];
  if (px.cdn_hit >= 0) {
    double hit = plan.cdn->hit_ratio(px.hit_ratio);
    if (hit > 0 && w_.rng_flow.bernoulli(hit)) {
      complete(r, a.time + px.cdn_hit);  // answered at the edge
      maybe_release(ri);
      return;
    }
  }
  r.back = px.back;
  kernel_.at(a.time + px.to_entry, this, kDeliver, ri, r.gen);
}

void RequestFlow::deliver(std::uint32_t ri) {
  Request& r = requests_[ri];
  const double now = kernel_.now();
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  // The client's deadline for this try: clients.timeout, else the entry service's timeout.
  r.deadline = now + plan.deadline;
  kernel_.at_lane(w_.class_lane[static_cast<std::size_t>(r.cls)], r.deadline, this, kDeadline, ri,
                  (static_cast<std::uint64_t>(r.tries) << 32) | r.gen);
  if (r.tries == 0) {
    w_.resilience.deposit(-1, r.cls, w_.topo.clients.retry, now);
  } else {
    r.lb = LbAttempt{};  // a new try: the balancer starts over
  }
  if (plan.entry_lb) {
    FailReason why = FailReason::kConnectionRefused;
    double delay = 0;
    if (!plan.entry_lb->admit(&r.lb, &why, r.client, r.cls, &delay)) {
      if (why == FailReason::kTimeout) return;  // no answer: the deadline set above fails it
      fail(r, now + r.back, why);
      maybe_release(ri);
      return;
    }
    if (delay > 0) {  // limit_req without nodelay: the balancer holds the request, then sends it
      r.lb_retry_same = false;
      kernel_.at(now + delay, this, kLbRetry, ri, (static_cast<std::uint64_t>(r.attempt) << 32) | r.gen);
      return;
    }
    attempt(ri, false);
    return;
  }
  int target = w_.rotate(plan.entry, [this](int, int si) { return w_.st(si).up && w_.st(si).started && !w_.st(si).draining; });
  if (target >= 0 && !w_.net.empty()) {
    LinkEffect e = w_.net.between_regions(r.region, w_.region_of(target), now);
    if (e.partitioned || (e.loss > 0 && w_.rng_flow.bernoulli(e.loss))) {
      fail(r, now + (e.partitioned ? NetworkFaults::kConnectTimeout : r.back), FailReason::kNetwork);
      maybe_release(ri);
      return;
    }
    r.hop = e.extra;
  }
  if (target < 0) {
    // Every instance lost without a word: nothing answers the connection; the deadline set above fails it.
    const std::vector<int>& entry = w_.comp(plan.entry).stations;
    if (!entry.empty() &&
        std::all_of(entry.begin(), entry.end(), [this](int si) { return !w_.st(si).up && w_.st(si).silent; })) {
      return;
    }
    fail(r, now + r.back, FailReason::kConnectionRefused);
    maybe_release(ri);
    return;
  }
  double demand = plan.demand[0]->sample(w_.rng_service);
  JobRef jr = new_job(Job::Kind::kHandle, ri, 0, target, demand);
  get(jr)->attempt = r.attempt;
  if (r.hop > 0) {
    kernel_.at(now + r.hop, this, kEnter, 0, jr);
  } else {
    enter(*get(jr));
  }
}

// One attempt of the entry balancer: a backend (a new one, or the same for a
// HAProxy-style retry), the hop to it, the balancer's read timeout if it is
// shorter than the client's patience.
void RequestFlow::attempt(std::uint32_t ri, bool same_backend) {
  Request& r = requests_[ri];
  const double now = kernel_.now();
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  LoadBalancer& lb = *plan.entry_lb;
  int target = -1;
  if (same_backend && r.lb.backend >= 0) {
    lb.retry_same(&r.lb);
    target = r.lb.backend;
  } else {
    FailReason why = FailReason::kNoHealthyBackend;
    auto chosen = lb.choose(r.region, &r.lb, &why);
    if (!chosen) {
      fail(r, now + r.back, why);
      maybe_release(ri);
      return;
    }
    target = *chosen;
  }
  r.lb_active = true;
  ++r.attempt;
  r.attempt_sent = now;
  int forwarder = lb.forwarder(r.region);
  r.hop = forwarder >= 0 ? w_.latency(forwarder, target) : 0;
  if (!w_.net.empty()) {
    LinkEffect e = w_.net.between_regions(r.region, w_.region_of(target), now);
    if (e.partitioned || (e.loss > 0 && w_.rng_flow.bernoulli(e.loss))) {
      lb_end_attempt(r);
      fail(r, now + (e.partitioned ? NetworkFaults::kConnectTimeout : r.back), FailReason::kNetwork);
      maybe_release(ri);
      return;
    }
    r.hop += e.extra;
  }
  const topology::LoadBalancerSpec& spec = lb.spec();
  double client_left = r.deadline - now;
  if (spec.read_timeout > 0 && spec.read_timeout < client_left) {
    kernel_.at(now + r.hop + spec.read_timeout, this, kLbTimeout, ri,
               (static_cast<std::uint64_t>(r.attempt) << 32) | r.gen);
  }
  double demand = plan.demand[0]->sample(w_.rng_service);
  JobRef jr = new_job(Job::Kind::kHandle, ri, 0, target, demand);
  get(jr)->attempt = r.attempt;
  if (r.hop > 0) {
    kernel_.at(now + r.hop, this, kEnter, 0, jr);
  } else {
    enter(*get(jr));
  }
}

// The current attempt stops counting at the balancer.
void RequestFlow::lb_end_attempt(Request& r) {
  if (!r.lb_active) return;
  r.lb_active = false;
  w_.plans[static_cast<std::size_t>(r.cls)].entry_lb->done(r.lb);
}

// A failed attempt, at the entry balancer: count it, retry or answer the client.
void RequestFlow::lb_failed(std::uint32_t ri, AttemptFailure f, FailReason why) {
  Request& r = requests_[ri];
  const double now = kernel_.now();
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  lb_end_attempt(r);
  if (r.finished) {  // the client gave up: the balancer closes the attempt, nothing to count
    maybe_release(ri);
    return;
  }
  LoadBalancer::Next next = plan.entry_lb->failed(&r.lb, f, plan.write, why);
  ++r.attempt;  // the failed attempt's handler, if any, is an orphan from now on
  if (next.retry) {
    if (next.delay > 0) {
      r.lb_retry_same = next.same_backend;
      kernel_.at(now + next.delay, this, kLbRetry, ri, (static_cast<std::uint64_t>(r.attempt) << 32) | r.gen);
    } else {
      attempt(ri, next.same_backend);
    }
    return;
  }
  fail(r, now + r.back, next.give_up);
  maybe_release(ri);
}

// ---- stations -------------------------------------------------------------------------

// A job reaches its station (after its hop).
void RequestFlow::enter(Job& j) {
  const double now = kernel_.now();
  Station& s = w_.st(j.station);
  if (j.parent == 0 && j.kind == Job::Kind::kHandle && stale(j)) {  // its attempt was given up on the way
    free_job(j);
    return;
  }
  // Nobody answers the connection: the caller finds out when its connect timeout ends.
  if ((!s.up && s.silent) || s.hung) {
    if (j.parent == 0) {
      Request& r = requests_[j.req];
      double ct = w_.plans[static_cast<std::size_t>(r.cls)].entry_lb
                      ? w_.plans[static_cast<std::size_t>(r.cls)].entry_lb->spec().connect_timeout
                      : 0;
      if (ct <= 0) ct = kOsConnectTimeout;
      if (w_.plans[static_cast<std::size_t>(r.cls)].entry_lb) {
        kernel_.at(std::max(now, r.attempt_sent + ct), this, kLbTimeout, j.req,
                   (static_cast<std::uint64_t>(r.attempt) << 32) | r.gen);
      }
      // (without a balancer the client's own deadline ends it)
    } else if (Job* p = get(j.parent); p && p->child == ref(j)) {
      double ct = p->call && p->call->via_lb && p->call->via_lb->spec().connect_timeout > 0
                      ? p->call->via_lb->spec().connect_timeout
                      : kOsConnectTimeout;
      p->child = 0;
      kernel_.at(std::max(now, give_up_at(*p, p->call_sent + ct)), this, kCallTimeout, p->call_seq, ref(*p));
      p->call_failure = AttemptFailure::kConnectTimeout;
    }
    free_job(j);
    return;
  }
  if (j.kind == Job::Kind::kQuery) {
    // A database never queues: the pool is the queue, and a connection is a server process.
    if (!s.up) {
      answer(j, false, FailReason::kDbUnavailable, AttemptFailure::kRefused);
      return;
    }
    s.count_unqueued_wait();
    start_cpu(j);
    return;
  }
  if (!s.up || !s.ready) {  // dead, or still booting: its port is not open yet
    finish(j, false, FailReason::kConnectionRefused, AttemptFailure::kRefused);
    return;
  }
  if (j.parent == 0) requests_[j.req].lb.sent = true;
  std::uint32_t slot = 0;
  switch (s.admit(ref(j), now, &slot)) {
    case Station::Admit::kStart:
      j.holds_slot = true;
      j.slot = slot;
      if (stale(j)) {
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
//
// A try its client gave up on (clients.timeout) is not known to the server: it serves
// it anyway — wasted work, the stuff of retry storms — unless the server's own timeout
// (the entry service's `timeout`) has passed since it arrived.
bool RequestFlow::stale(const Job& j) {
  if (j.parent == 0) {
    if (owner(j)) return false;
    const Request& r = requests_[j.req];
    bool client_abandoned = r.gen == j.req_gen && (j.attempt < r.try_first || (r.finished && r.client_gone));
    if (!client_abandoned) return true;
    const double server_timeout = w_.comp(w_.plans[static_cast<std::size_t>(r.cls)].entry).spec->service()->timeout;
    return kernel_.now() - j.born >= server_timeout;
  }
  const Job* p = get(j.parent);
  if (!p || p->child != ref(j)) return true;
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
    answer(*j, false, j->kind == Job::Kind::kQuery ? FailReason::kDbUnavailable : FailReason::kConnectionRefused,
           AttemptFailure::kReset);
    return;
  }
  after_cpu(*j);
}

void RequestFlow::after_cpu(Job& j) {
  Station& s = w_.st(j.station);
  bool injected = s.error_ratio > 0 && w_.rng_flow.bernoulli(s.error_ratio);
  switch (j.kind) {
    case Job::Kind::kServe:
      answer(j, !injected, FailReason::kInjected, AttemptFailure::kErrorAnswer);
      return;
    case Job::Kind::kQuery:
      if (injected) {
        answer(j, false, FailReason::kInjected, AttemptFailure::kErrorAnswer);
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
        db->record_write(j.station);
      }
      answer(j, true, FailReason::kInjected, AttemptFailure::kErrorAnswer);
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
    if (!j.retrying) j.call_lb = LbAttempt{};
    if (!j.policy_retrying) {
      j.call_tries = 0;
      j.call_wait = 0;
    }
    j.policy_retrying = false;
    if (!issue(j, c)) return;  // waiting for the call's answer
  }
  finish(j, true, FailReason::kInjected);
}

void RequestFlow::call_failed(Job& j, double after, FailReason why, AttemptFailure f) {
  j.phase = Job::Phase::kWaitCall;
  j.child = 0;
  j.call_ok = false;
  j.call_reason = why;
  j.call_failure = f;
  kernel_.at(kernel_.now() + after, this, kResume, j.call_seq, ref(j));
}

void RequestFlow::send(Job& parent, Job::Kind kind, int station, double demand, double one_way) {
  JobRef child = new_job(kind, parent.req, ref(parent), station, demand);
  Job& c = *get(child);
  c.write = kind == Job::Kind::kQuery && parent.call->write;
  c.call_number = parent.call_seq;
  if (kind == Job::Kind::kHandle) c.segment = parent.segment + 1;
  parent.phase = Job::Phase::kWaitCall;
  parent.child = child;
  parent.callee = station;
  parent.back = one_way;
  parent.call_sent = kernel_.now();
  if (parent.call->via_lb) {
    // The balancer's read timeout, when it comes before the request's own deadline.
    const topology::LoadBalancerSpec& spec = parent.call->via_lb->spec();
    if (spec.read_timeout > 0) kernel_.at(kernel_.now() + one_way + spec.read_timeout, this, kCallTimeout, parent.call_seq, ref(parent));
  }
  // A message from a hung station waits until the station is reachable again.
  if (w_.st(parent.station).hung) {
    hold(parent.station, Event{kernel_.now() + one_way, 0, child, 0, 0, kEnter});
    return;
  }
  if (one_way > 0) {
    kernel_.at(kernel_.now() + one_way, this, kEnter, 0, child);
  } else {
    enter(c);
  }
}

// Starts call `c` of job j: false = j now waits for its answer (always: even a
// call that fails at once answers after what it costs to find out).
bool RequestFlow::issue(Job& j, const CallPlan& c) {
  const double now = kernel_.now();
  const int self = j.station;
  ++j.call_seq;
  j.call = &c;
  j.call_ok = true;
  j.call_down_miss = false;
  j.call_failure = AttemptFailure::kErrorAnswer;
  j.pool = -1;
  if (c.policy >= 0) {
    // The caller's policy: its breaker may fail the call at once; its timeout bounds this attempt.
    const topology::CallPolicy& pol = w_.resilience.policy(c.policy);
    if (j.call_tries == 0 && !j.retrying) w_.resilience.deposit(self, c.policy, pol.retry, now);
    if (!w_.resilience.permit(self, c.policy, now)) {
      call_failed(j, 0, FailReason::kCircuitOpen, AttemptFailure::kErrorAnswer);
      return false;
    }
    if (pol.timeout > 0) kernel_.at(now + pol.timeout, this, kCallTimeout, j.call_seq, ref(j));
  }
  int target = -1, shard = 0;
  FailReason why = FailReason::kConnectionRefused;
  switch (c.kind) {
    case CallPlan::Kind::kCache:
      target = c.cache->route(requests_[j.req].cls, w_.rng_flow, &j.cache_key);
      break;
    case CallPlan::Kind::kDatabase:
      shard = c.db->shard_of(requests_[j.req].user);
      target = c.db->route(c.to_replica, shard);
      if (target < 0) {  // writes are not served now: refused after a round trip to the old primary
        call_failed(j, 2 * w_.latency(self, c.db->primary_station(shard)), FailReason::kDbUnavailable, AttemptFailure::kRefused);
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
        const Request& q = requests_[j.req];
        bool live = q.gen == j.req_gen;  // an orphan's request may be gone: no client to key on
        if (j.call_lb.tries == 0 && !c.via_lb->admit(&j.call_lb, &why, live ? q.client : 0, live ? q.cls : -1)) {
          if (why == FailReason::kTimeout) {
            // Every instance of the balancer lost without a word: nothing answers the connection,
            // the caller finds out at its connect timeout (as the entry path waits for its deadline).
            const double ct = c.via_lb->spec().connect_timeout > 0 ? c.via_lb->spec().connect_timeout : kOsConnectTimeout;
            j.phase = Job::Phase::kWaitCall;
            j.child = 0;
            j.call_failure = AttemptFailure::kConnectTimeout;
            kernel_.at(std::max(now, give_up_at(j, now + ct)), this, kCallTimeout, j.call_seq, ref(j));
            return false;
          }
          call_failed(j, 0, why, AttemptFailure::kRefused);
          return false;
        }
        if (j.retry_same && j.call_lb.backend >= 0) {
          c.via_lb->retry_same(&j.call_lb);
          target = j.call_lb.backend;
          j.call_lb_active = true;
        } else if (auto chosen = c.via_lb->choose(-1, &j.call_lb, &why)) {
          target = *chosen;
          j.call_lb_active = true;
        }
        j.retry_same = false;
        j.retrying = false;
      } else {
        target = w_.rotate(c.component, [this](int, int si) {
          return w_.st(si).up && w_.st(si).started && !w_.st(si).draining;
        });
      }
      if (target < 0) {
        call_failed(j, 0, why, AttemptFailure::kRefused);
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
      call_failed(j, e.partitioned ? NetworkFaults::kConnectTimeout : 2 * one_way, FailReason::kNetwork,
                  e.partitioned ? AttemptFailure::kConnectTimeout : AttemptFailure::kReset);
      return false;
    }
    one_way += e.extra;
  }
  const Station& t = w_.st(target);
  if (!t.up && !t.silent) {
    // Connection refused, known after a round trip. A cache node that is down is a miss.
    if (c.kind == CallPlan::Kind::kCache) {
      c.cache->miss_down(requests_[j.req].cls, j.cache_key);
      j.phase = Job::Phase::kWaitCall;
      j.child = 0;
      j.call_down_miss = true;
      kernel_.at(now + 2 * one_way, this, kResume, j.call_seq, ref(j));
      return false;
    }
    call_failed(j, 2 * one_way,
                c.kind == CallPlan::Kind::kDatabase ? FailReason::kDbUnavailable : FailReason::kConnectionRefused,
                AttemptFailure::kRefused);
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
        call_failed(j, 2 * one_way, FailReason::kDbUnavailable, AttemptFailure::kRefused);
        return false;
      }
      if (got == Database::Acquire::kWaiting) {
        j.phase = Job::Phase::kWaitPool;
        kernel_.at(now + c.db->acquire_timeout(), this, kPoolTimeout, 0, ref(j));
        return false;
      }
      send(j, Job::Kind::kQuery, target, demand, one_way);
      return false;
    }
    case CallPlan::Kind::kService:
      send(j, Job::Kind::kHandle, target, demand, one_way);
      return false;
    default:
      send(j, Job::Kind::kServe, target, demand, one_way);
      return false;
  }
}

void RequestFlow::pool_granted(JobRef ref) {
  Job* j = get(ref);
  if (!j || j->phase != Job::Phase::kWaitPool) return;
  send(*j, Job::Kind::kQuery, j->callee, j->query_demand, j->back);
}

// The call's connection is given back and it stops counting at its balancer.
void RequestFlow::end_call(Job& j) {
  const CallPlan& c = *j.call;
  if (c.kind == CallPlan::Kind::kDatabase && j.pool >= 0) c.db->release(j.pool, j.pool_epoch);
  j.pool = -1;
  if (j.call_lb_active) {
    c.via_lb->done(j.call_lb);
    j.call_lb_active = false;
  }
}

// The answer of j's pending call has arrived (or its timeout).
void RequestFlow::resume(Job& j) {
  const CallPlan& c = *j.call;
  j.phase = Job::Phase::kCpu;  // between calls: running (no CPU held)
  j.child = 0;
  end_call(j);
  if (c.policy >= 0 && j.call_reason != FailReason::kCircuitOpen) {
    w_.resilience.record(j.station, c.policy, j.call_ok, kernel_.now());
  }
  if (!j.call_ok) {
    if (c.kind == CallPlan::Kind::kService && c.via_lb && j.call_lb.backend >= 0) {
      // Through a balancer: it counts the failure and may try again.
      bool write = w_.plans[static_cast<std::size_t>(requests_[j.req].cls)].write;
      LoadBalancer::Next next = c.via_lb->failed(&j.call_lb, j.call_failure, write, j.call_reason);
      if (next.retry && requests_[j.req].gen == j.req_gen && !requests_[j.req].finished) {
        --j.pc;  // the same call again, through the balancer
        j.retrying = true;
        j.retry_same = next.same_backend;
        if (next.delay > 0) {
          j.phase = Job::Phase::kWaitCall;
          ++j.call_seq;  // what was still scheduled for the failed attempt is stale
          kernel_.at(kernel_.now() + next.delay, this, kCallRetry, j.call_seq, ref(j));
          return;
        }
        run_calls(j);
        return;
      }
      j.call_reason = next.give_up;
    }
    if (c.policy >= 0 && policy_retry(j)) return;
    if (c.kind == CallPlan::Kind::kCache) {
      // Cache-aside: a cache that fails (an error, a timeout) is a miss; the path goes on.
      c.cache->miss_down(requests_[j.req].cls, j.cache_key);
      run_calls(j);
      return;
    }
    finish(j, false, j.call_reason);
    return;
  }
  if (c.kind == CallPlan::Kind::kService && c.via_lb) c.via_lb->succeeded(j.call_lb);
  if (requests_[j.req].gen != j.req_gen) {  // the request was given up upstream while we waited
    finish(j, false, FailReason::kConnectionRefused);
    return;
  }
  switch (c.kind) {
    case CallPlan::Kind::kCache:
      if (!j.call_down_miss && c.cache->lookup(j.callee, c.hit_ratio, requests_[j.req].cls, j.cache_key, w_.rng_flow)) requests_[j.req].ends_early = true;
      break;
    case CallPlan::Kind::kQueue:
      c.queue->publish();
      break;
    default:
      break;
  }
  run_calls(j);
}

// The caller's policy tries its failed call again, after its backoff: attempts left, a
// condition that matches (timeout, or any other error; never an open circuit), a live
// request, and a token in the retry budget.
bool RequestFlow::policy_retry(Job& j) {
  const topology::RetryPolicy& rp = w_.resilience.policy(j.call->policy).retry;
  if (rp.attempts <= 1 || j.call_tries + 1 >= rp.attempts) return false;
  if (j.call_reason == FailReason::kCircuitOpen) return false;
  if (j.call_reason == FailReason::kTimeout ? !rp.on_timeout : !rp.on_error) return false;
  const Request& r = requests_[j.req];
  if (r.gen != j.req_gen || r.finished) return false;
  const double now = kernel_.now();
  if (!w_.resilience.withdraw(j.station, j.call->policy, rp, now)) return false;
  ++j.call_tries;
  j.call_wait = Resilience::wait(rp, j.call_tries, j.call_wait, w_.rng_flow);
  --j.pc;  // the same call again
  j.policy_retrying = true;
  j.phase = Job::Phase::kWaitCall;
  ++j.call_seq;  // what was still scheduled for the failed attempt is stale
  kernel_.at(now + j.call_wait, this, kCallRetry, j.call_seq, ref(j));
  return true;
}

double RequestFlow::give_up_at(const Job& caller, double limit) const {
  const Request& r = requests_[caller.req];
  if (r.gen != caller.req_gen || r.finished) return std::min(limit, kernel_.now());
  return std::min(limit, r.deadline);
}

// ---- answers ---------------------------------------------------------------------------

// A handle job is done: it answers its caller or its client (through the entry
// balancer), and leaves its station.
void RequestFlow::finish(Job& j, bool ok, FailReason why, AttemptFailure f) {
  if (j.parent != 0) {
    answer(j, ok, why, f);
    return;
  }
  const std::uint32_t ri = j.req;
  Request& r = requests_[ri];
  const double now = kernel_.now();
  if (!owner(j)) {  // an orphan: its attempt was given up, or the client is gone
    leave_station(j);
    return;
  }
  // A hung station's answer waits until it is reachable again.
  if (w_.st(j.station).hung) {
    hold(j.station, Event{now, 0, ref(j), (static_cast<std::uint32_t>(why) << 1) | (ok ? 1u : 0u), 0, kHeldFinish});
    return;
  }
  const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
  if (!ok && plan.entry_lb) {
    // The balancer hears of the failure after the hop back; it may retry elsewhere. A backend
    // that answered with an error (its cache or database failed) is not a failed connection:
    // nginx counts it (max_fails) and retries it only with proxy_next_upstream http_5xx.
    r.failure = f;
    r.failure_reason = why;
    kernel_.at(now + r.hop, this, kLbFail, ri, (static_cast<std::uint64_t>(r.attempt) << 32) | r.gen);
    leave_station(j);
    return;
  }
  if (ok && plan.response_size > 0) {
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
  if (plan.entry_lb) {
    plan.entry_lb->succeeded(r.lb);
    lb_end_attempt(r);
  }
  if (ok) {
    complete(r, now + r.hop + r.back);
  } else {
    fail(r, now + r.hop + r.back, why);
  }
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
    const ClassPlan& plan = f.w_.plans[static_cast<std::size_t>(r.cls)];
    if (f.owner(*j)) {
      if (plan.entry_lb) {
        plan.entry_lb->succeeded(r.lb);
        f.lb_end_attempt(r);
      }
      if (activity.get_state() == sg::Activity::State::FINISHED) {
        f.complete(r, now + r.hop + r.back);
      } else {
        f.fail(r, now + r.hop + r.back, FailReason::kNetwork);
      }
    }
    f.leave_station(*j);
  } catch (const std::exception& e) {
    f.kernel_.record_failure(e.what());
  }
}

// A call job (serve, query or a nested handle) answers its caller: the outcome
// travels back for the hop's latency; the job frees itself now.
void RequestFlow::answer(Job& j, bool ok, FailReason why, AttemptFailure f) {
  Job* parent = get(j.parent);
  if (parent && parent->phase == Job::Phase::kWaitCall && parent->child == ref(j)) {
    parent->call_ok = ok;
    parent->call_reason = why;
    parent->call_failure = f;
    Event resume{kernel_.now() + parent->back, 0, ref(*parent), parent->call_seq, 0, kResume};
    if (w_.st(j.station).hung) {
      hold(j.station, resume);  // the answer waits until the station is reachable again
    } else {
      kernel_.at(resume.time, this, kResume, resume.a, resume.b);
    }
  }
  if (j.kind == Job::Kind::kQuery) {
    free_job(j);
  } else {
    leave_station(j);
  }
}

void RequestFlow::query_answered(Job& q) {
  Database* db = static_cast<Database*>(w_.comp(w_.st(q.station).component).tier);
  db->record_write(q.station);
  answer(q, true, FailReason::kInjected, AttemptFailure::kErrorAnswer);
}

// A job stops waiting for a database connection (the pool's acquire timeout, or its call's timeout).
void RequestFlow::give_up_pool_wait(Job& j, FailReason why, AttemptFailure f) {
  j.call->db->cancel_wait(j.pool, ref(j));
  j.pool = -1;
  j.phase = Job::Phase::kWaitCall;
  j.call_ok = false;
  j.call_reason = why;
  j.call_failure = f;
  resume(j);
}

// ---- hung and frozen stations ------------------------------------------------------------

void RequestFlow::hold(int station, const Event& e) { held_[static_cast<std::size_t>(station)].push_back(e); }

// An event for a job at a frozen station waits for the process to run again.
bool RequestFlow::held_at(int station, const Event& e) {
  if (!w_.st(station).frozen) return false;
  hold(station, e);
  return true;
}

// The station runs and is reachable again (World calls it when a hang or a freeze
// ends): what waited goes on, in the order it waited; a message that waited is
// delivered now (TCP retransmits it when the path comes back), not earlier.
void RequestFlow::release_held(int station) {
  Station& s = w_.st(station);
  if (s.hung || s.frozen) return;
  std::vector<Event> held;
  held.swap(held_[static_cast<std::size_t>(station)]);
  const double now = kernel_.now();
  for (const Event& e : held) kernel_.at(std::max(now, e.time), this, e.kind, e.a, e.b);
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
  if (j.phase == Job::Phase::kWaitCall || j.phase == Job::Phase::kWaitPool) end_call(j);
}

void RequestFlow::abort(const std::vector<JobRef>& jobs, bool silent) {
  const double now = kernel_.now();
  for (JobRef jr : jobs) {
    Job* j = get(jr);
    if (!j) continue;
    cancel_waits(*j);
    j->holds_slot = false;  // the station already forgot its holders
    if (silent) {
      // A lost host says nothing: callers wait for their timeouts (the client for its deadline).
      if (j->parent != 0) {
        if (Job* p = get(j->parent); p && p->child == jr) {
          // No answer will come, and TCP will not say so for minutes (an idle connection
          // is not retransmitting): the caller's own timeouts end the wait, else its
          // request's deadline does.
          p->call_failure = AttemptFailure::kReadTimeout;
          p->child = 0;
          kernel_.at(std::max(now, give_up_at(*p, p->call_sent + kOsIdleGiveUp)), this, kCallTimeout, p->call_seq, ref(*p));
        }
      }
      free_job(*j);
      continue;
    }
    if (j->parent != 0) {
      answer(*j, false, FailReason::kConnectionRefused, AttemptFailure::kReset);
      continue;
    }
    Request& r = requests_[j->req];
    if (owner(*j)) {
      const ClassPlan& plan = w_.plans[static_cast<std::size_t>(r.cls)];
      if (plan.entry_lb) {
        r.failure = j->phase == Job::Phase::kTravel ? AttemptFailure::kRefused : AttemptFailure::kReset;
        r.failure_reason = FailReason::kConnectionRefused;
        kernel_.at(now + r.hop, this, kLbFail, j->req, (static_cast<std::uint64_t>(r.attempt) << 32) | r.gen);
      } else {
        fail(r, now + r.hop + r.back, FailReason::kConnectionRefused);
      }
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
    case kVuWake:
      vu_wake(static_cast<std::int32_t>(e.a), e.b != 0);
      return;
    case kDeliver:
      if (requests_[e.a].gen == static_cast<std::uint32_t>(e.b)) deliver(e.a);
      return;
    case kEnter:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kTravel) enter(*j);
      return;
    case kResume:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kWaitCall && j->call_seq == e.a) {
        if (held_at(j->station, e)) return;
        resume(*j);
      }
      return;
    case kDeadline: {
      Request& r = requests_[e.a];
      if (r.gen == static_cast<std::uint32_t>(e.b) && r.tries == (e.b >> 32) && !r.finished) {
        // The client's own patience (clients.timeout) ends its wait, not the server's work.
        if (w_.topo.clients.timeout > 0) r.client_gone = true;
        fail(r, kernel_.now(), FailReason::kTimeout);
        // The client closed the connection: the balancer lets the attempt go (not a failure of the backend).
        if (r.lb_active) lb_end_attempt(r);
        maybe_release(e.a);
      }
      return;
    }
    case kPoolTimeout:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kWaitPool) {
        if (held_at(j->station, e)) return;
        give_up_pool_wait(*j, FailReason::kDbUnavailable, AttemptFailure::kErrorAnswer);
      }
      return;
    case kSyncDone:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kSync) query_answered(*j);
      return;
    case kHeldFinish:
      // A hung entry handler's answer, on its way now that the station is reachable.
      if (Job* j = get(e.b)) finish(*j, (e.a & 1u) != 0, static_cast<FailReason>(e.a >> 1));
      return;
    case kCallRetry:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kWaitCall && j->call_seq == e.a) {
        if (held_at(j->station, e)) return;
        j->phase = Job::Phase::kCpu;
        run_calls(*j);
      }
      return;
    case kLbFail: {
      Request& r = requests_[e.a];
      if (r.gen == static_cast<std::uint32_t>(e.b) && r.attempt == static_cast<std::uint32_t>(e.b >> 32)) {
        lb_failed(e.a, r.failure, r.failure_reason);
      }
      return;
    }
    case kLbTimeout: {
      Request& r = requests_[e.a];
      if (r.gen == static_cast<std::uint32_t>(e.b) && r.attempt == static_cast<std::uint32_t>(e.b >> 32) && !r.finished) {
        lb_failed(e.a, r.lb.sent ? AttemptFailure::kReadTimeout : AttemptFailure::kConnectTimeout, FailReason::kTimeout);
      }
      return;
    }
    case kLbRetry: {
      Request& r = requests_[e.a];
      // Stale once the client gave up on the try it was for: a client retry moved r.attempt on.
      if (r.gen == static_cast<std::uint32_t>(e.b) && r.attempt == static_cast<std::uint32_t>(e.b >> 32) && !r.finished) {
        attempt(e.a, r.lb_retry_same);
      }
      return;
    }
    case kCallTimeout:
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kWaitPool && j->call_seq == e.a) {
        if (held_at(j->station, e)) return;
        give_up_pool_wait(*j, FailReason::kTimeout, AttemptFailure::kReadTimeout);  // the call's own timeout
        return;
      }
      if (Job* j = get(e.b); j && j->phase == Job::Phase::kWaitCall && j->call_seq == e.a) {
        if (held_at(j->station, e)) return;
        // The caller gives up: the callee's answer, if it ever comes, is dropped.
        j->call_ok = false;
        j->call_reason = FailReason::kTimeout;
        if (j->child != 0 || j->call_failure != AttemptFailure::kConnectTimeout) j->call_failure = AttemptFailure::kReadTimeout;
        j->child = 0;
        resume(*j);
      }
      return;
  }
}

}  // namespace sim::engine
