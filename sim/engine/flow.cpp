// The request flow: load balancing, station queues, workers, downstream calls.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/log.h"
#include "sim/engine/unwound_stack.h"
#include "sim/engine/world.h"
#include "sim/model/balancer.h"

namespace sim::engine {

using topology::Kind;

// ---- requests and jobs -----------------------------------------------------

Request* World::new_request(double now, int cls) {
  Request* r;
  if (!free_requests.empty()) {
    r = free_requests.back();
    free_requests.pop_back();
    std::uint32_t gen = r->gen + 1;
    *r = Request{};
    r->gen = gen;
  } else {
    slab.emplace_back();
    r = &slab.back();
  }
  r->id = next_request_id++;
  r->cls = cls;
  r->start = now;
  ++in_flight;
  recorder->arrival(now, cls);
  return r;
}

void World::release(Request* r) {
  ++r->gen;  // stale watchdog entries no longer match
  free_requests.push_back(r);
}

Job* World::new_job() {
  Job* j;
  if (!free_jobs.empty()) {
    j = free_jobs.back();
    free_jobs.pop_back();
    *j = Job{};
  } else {
    job_slab.emplace_back();
    j = &job_slab.back();
  }
  return j;
}

void World::free_job(Job* j) { free_jobs.push_back(j); }

void World::complete(Request* r, double t) {
  if (r->finished) return;
  r->finished = true;
  // An answer after the end of the run is still in flight when the run stops.
  if (t >= scen->duration) return;
  --in_flight;
  recorder->completion(t, r->cls, t - r->start);
  for (int a : class_autoscalers[static_cast<std::size_t>(r->cls)]) autoscalers[static_cast<std::size_t>(a)].recent.add(t - r->start);
}

void World::fail(Request* r, double t, FailReason reason) {
  if (r->finished) return;
  r->finished = true;
  if (t >= scen->duration) return;
  --in_flight;
  recorder->failure(t, r->cls, reason);
}

void World::lb_done(Request* r) {
  if (r->lb < 0 || r->lb_backend < 0) return;
  Station& s = st(r->lb_backend);
  if (s.active > 0) --s.active;
  r->lb_backend = -1;
}

void World::abort_job(Job* job, double now, FailReason reason) {
  if (job->is_call) {
    job->ok = false;
    job->reason = reason;
    answer(job);
    return;
  }
  Request* r = job->req;
  if (r->gen == job->gen) {
    fail(r, now + r->return_latency, reason);
    lb_done(r);
    release(r);
  }
  free_job(job);
}

// ---- accounting -------------------------------------------------------------

void World::account(Station& s, double now) {
  double dt = now - s.last_change;
  if (dt > 0) {
    s.busy_integral += std::min(s.busy, s.cores) * dt;
    s.queue_integral += static_cast<double>(s.queue.size()) * dt;
    s.service_integral += s.in_service * dt;
  }
  s.last_change = now;
}

void World::exec_on(Station& s, double demand) {
  double now = sg::Engine::get_clock();
  account(s, now);
  ++s.busy;
  ++activities;
  sg::this_actor::execute(demand * kFlopsPerSecond);
  account(s, sg::Engine::get_clock());
  --s.busy;
  ++s.served;
}

// ---- load balancing ---------------------------------------------------------

std::optional<int> World::lb_choose(int lb, double now, FailReason* reason, int client_region) {
  ComponentRt& rt = comp(lb);
  bool any_lb_up = std::any_of(rt.stations.begin(), rt.stations.end(), [&](int i) { return st(i).up; });
  if (!any_lb_up) {
    *reason = FailReason::kConnectionRefused;
    return std::nullopt;
  }
  if (rt.limiter && !rt.limiter->admit(now)) {
    *reason = FailReason::kRateLimited;
    return std::nullopt;
  }
  ComponentRt& be = comp(rt.backend);
  bool local = false;
  for (std::size_t i = 0; i < be.stations.size(); ++i) {
    const Station& s = st(be.stations[i]);
    rt.views[i].eligible = rt.health[i].healthy && s.started && !s.draining;
    rt.views[i].active = s.active;
    local = local || (rt.views[i].eligible && region_of(be.stations[i]) == client_region);
  }
  if (local && rt.spec->lb()->steer_by_region) {
    // Geo steering: only the client's region, while it has an eligible backend.
    for (std::size_t i = 0; i < be.stations.size(); ++i) {
      if (region_of(be.stations[i]) != client_region) rt.views[i].eligible = false;
    }
  }
  auto idx = rt.balancer->choose(rt.views);
  if (!idx) {
    *reason = FailReason::kNoHealthyBackend;
    return std::nullopt;
  }
  return be.stations[static_cast<std::size_t>(*idx)];
}

// ---- stations ------------------------------------------------------------------

bool World::submit(Station& s, Job* job, double now) {
  account(s, now);
  job->enqueued = now;
  if (!s.idle.empty()) {
    Worker* w = s.idle.back();
    s.idle.pop_back();
    w->idle = false;
    w->job = job;
    ++s.in_service;
    ++s.wait_count;  // served at once: no wait
    ++s.window_wait_count;
    w->wake->release();
    return true;
  }
  if (static_cast<int>(s.workers.size()) < s.max_workers) {
    ++s.wait_count;
    ++s.window_wait_count;
    auto w = std::make_shared<Worker>();
    w->station = &s;
    w->wake = sg::Semaphore::create(0);
    w->job = job;
    s.workers.push_back(w);
    ++s.in_service;
    spawn(s.name + "-w" + std::to_string(s.workers.size()), s.host, [this, w]() { worker_loop(w); });
    return true;
  }
  if (s.queue_limit > 0 && s.queue.size() >= s.queue_limit) return false;
  s.queue.push_back(job);
  s.queue_max = std::max<std::uint64_t>(s.queue_max, s.queue.size());
  return true;
}

void World::deliver(Request* r, int station, double now) {
  Station& s = st(station);
  const topology::ServiceSpec& spec = *comp(s.component).spec->service();
  if (!s.up) {
    fail(r, now + r->return_latency, FailReason::kConnectionRefused);
    lb_done(r);
    release(r);
    return;
  }
  Job* job = new_job();
  job->req = r;
  job->gen = r->gen;
  const ClassPlan& plan = plans[static_cast<std::size_t>(r->cls)];
  auto it = spec.service_time.find(plan.name);
  if (it == spec.service_time.end()) it = spec.service_time.find("default");
  job->demand = it->second.sample(rng_service);
  r->deadline = now + spec.timeout;
  deadlines[spec.timeout].emplace_back(r->deadline, r, r->gen);
  if (!submit(s, job, now)) {
    free_job(job);
    fail(r, now + r->return_latency, FailReason::kQueueFull);
    lb_done(r);
    release(r);
  }
}

void World::worker_loop(std::shared_ptr<Worker> self) {
  Worker& w = *self;
  Station& s = *w.station;
  while (!w.dead) {
    if (!w.job) {
      w.idle = true;
      s.idle.push_back(&w);
      ++activities;
      w.wake->acquire();
      if (w.dead) return;
    }
    Job* job = w.job;
    if (job->is_call && comp(s.component).spec->kind != Kind::kService) {
      serve(w, job);
    } else {
      handle(w, job);
    }
    if (w.dead) return;
    double now = sg::Engine::get_clock();
    account(s, now);
    --s.in_service;
    w.job = nullptr;
    // Next job: requests that already failed (timeout) are dropped unserved.
    while (!s.queue.empty()) {
      Job* next = s.queue.front();
      s.queue.pop_front();
      if (!next->is_call && !live(next->req, next->gen)) {
        Request* r = next->req;
        if (r->gen == next->gen) {
          lb_done(r);
          release(r);
        }
        free_job(next);
        continue;
      }
      w.job = next;
      ++s.in_service;
      s.wait_sum += now - next->enqueued;
      s.window_wait_sum += now - next->enqueued;
      ++s.wait_count;
      ++s.window_wait_count;
      break;
    }
  }
}

void World::answer(Job* job) {
  if (job->caller && !job->caller->dead) {
    job->caller->wake->release();
    return;
  }
  // The caller is gone: nobody will read the answer.
  if (job->orphan && job->req->gen == job->gen) release(job->req);
  free_job(job);
}

// A data tier (cache, database server, broker, storage) serves one call.
void World::serve(Worker& w, Job* job) {
  Station& s = *w.station;
  if (!job->caller) {  // orphaned while queued: skip the work
    answer(job);
    return;
  }
  exec_on(s, job->demand);
  if (w.dead) return;
  if (s.error_ratio > 0 && rng_flow.bernoulli(s.error_ratio)) {
    job->ok = false;
    job->reason = FailReason::kInjected;
  }
  answer(job);
}

// A service handles its segment of a request's path.
void World::handle(Worker& w, Job* job) {
  Station& s = *w.station;
  Request* r = job->req;
  std::uint32_t gen = job->gen;
  if (job->is_call && (!job->caller || r->gen != gen)) {  // its caller is gone: skip the work
    answer(job);
    return;
  }
  if (!live(r, gen) && !job->is_call) {  // timed out while queued
    if (r->gen == gen) {
      lb_done(r);
      release(r);
    }
    free_job(job);
    return;
  }
  exec_on(s, job->demand);
  if (w.dead) return;
  bool ok = true;
  FailReason reason = FailReason::kInjected;
  if (s.error_ratio > 0 && rng_flow.bernoulli(s.error_ratio)) ok = false;
  double owed = 0;
  const ClassPlan& plan = plans[static_cast<std::size_t>(r->cls)];
  int segment = r->segment;
  if (ok && segment < static_cast<int>(plan.segments.size())) {
    for (const Call& c : plan.segments[static_cast<std::size_t>(segment)]) {
      // A request that already failed (timeout) makes no further calls, like a cancelled context.
      if (!live(r, gen) || r->ends_early) break;
      if (!call(w, r, c, &owed, &reason)) {
        ok = false;
        break;
      }
      if (w.dead) return;
    }
  }
  if (w.dead) return;
  if (r->gen != gen) {  // a nested call whose request its owner already gave up
    answer(job);
    return;
  }
  if (owed > 0) {
    ++activities;
    sg::this_actor::sleep_for(owed);
    if (w.dead) return;
  }
  double now = sg::Engine::get_clock();
  if (job->is_call) {
    job->ok = ok;
    job->reason = reason;
    answer(job);
    return;
  }
  if (ok) {
    if (plan.response_size > 0) {
      // A large answer contends for bandwidth on its way to the clients.
      ++activities;
      sg::Comm::sendto(s.host, control_host, static_cast<std::uint64_t>(plan.response_size));
      if (w.dead) return;
      now = sg::Engine::get_clock();
    }
    complete(r, now + r->return_latency);
  } else {
    fail(r, now + r->return_latency, reason);
  }
  lb_done(r);
  release(r);
  free_job(job);
}

// ---- downstream calls --------------------------------------------------------------

bool World::query(Worker& w, Station& server, double demand, bool write, FailReason* reason) {
  double now = sg::Engine::get_clock();
  account(server, now);
  ++server.busy;
  ++server.wait_count;  // never queued: a connection is a server process
  ++server.window_wait_count;
  sg::ExecPtr e = sg::this_actor::exec_init(demand * kFlopsPerSecond)->set_host(server.host);
  server.remote.emplace_back(e, &w);
  w.querying = &server;
  ++activities;
  bool ok = true;
  try {
    e->start();
    e->wait();
  } catch (const simgrid::CancelException&) {
    forget_unwound_frames();
    ok = false;  // the server crashed: crash_station cancelled it (and fixed the accounting)
  } catch (const simgrid::HostFailureException&) {
    forget_unwound_frames();
    ok = false;
  }
  if (w.dead) return false;
  w.querying = nullptr;
  if (!ok) {
    *reason = FailReason::kDbUnavailable;
    return false;
  }
  auto it = std::find_if(server.remote.begin(), server.remote.end(), [&](const auto& x) { return x.first == e; });
  if (it != server.remote.end()) server.remote.erase(it);
  account(server, sg::Engine::get_clock());
  --server.busy;
  ++server.served;
  if (server.error_ratio > 0 && rng_flow.bernoulli(server.error_ratio)) {
    *reason = FailReason::kInjected;
    return false;
  }
  ComponentRt& c = comp(server.component);
  if (write && c.spec->database()->replication.mode == topology::ReplicationMode::kSync && c.spec->database()->replicas > 0) {
    // Synchronous commit: the answer waits for a standby to confirm.
    double wait = 0;
    sync_wait(server.component, static_cast<int>(&server - stations.data()), &wait);
    if (wait > 0) {
      ++activities;
      sg::this_actor::sleep_for(wait);
    }
  }
  return true;
}

int World::pool_for(int client_station, int server_station) {
  auto key = std::make_pair(client_station, server_station);
  auto it = pool_index.find(key);
  if (it != pool_index.end()) return it->second;
  const topology::DatabaseSpec& db = *comp(st(server_station).component).spec->database();
  Pool p;
  p.client_station = client_station;
  p.server_station = server_station;
  p.max = db.pool.max;
  p.acquire_timeout = db.pool.acquire_timeout;
  pools.push_back(p);
  int idx = static_cast<int>(pools.size()) - 1;
  pool_index[key] = idx;
  return idx;
}

bool World::acquire(Worker& w, int pi, FailReason* reason) {
  Pool& p = pools[static_cast<std::size_t>(pi)];
  if (p.in_use < p.open) {
    ++p.in_use;
    return true;
  }
  Station& server = st(p.server_station);
  ComponentRt& db = comp(server.component);
  auto& open = db.open_connections[static_cast<std::size_t>(server.index)];
  if (p.open < p.max) {
    if (open < db.spec->database()->max_connections) {
      ++open;
      db.connections_max = std::max(db.connections_max, open);
      ++p.open;
      ++p.in_use;
        return true;
    }
    if (p.open == 0) {  // PostgreSQL: "too many clients already"
      ++db.refused;
      *reason = FailReason::kDbUnavailable;
      return false;
    }
  }
  // Wait for a connection to be released, up to the pool's acquire timeout.
  p.waiters.push_back(&w);
  w.waiting_pool = pi;
  w.handed_connection = false;
  ++activities;
  bool timed_out = w.wake->acquire_timeout(p.acquire_timeout);
  if (w.dead) return false;
  w.waiting_pool = -1;
  if (w.handed_connection) {
    // A releaser handed us the connection in the same instant the timeout fired:
    // take it, and consume the token it left on our semaphore.
    if (timed_out) w.wake->acquire();
    return true;
  }
  auto it = std::find(p.waiters.begin(), p.waiters.end(), &w);
  if (it != p.waiters.end()) p.waiters.erase(it);
  *reason = FailReason::kDbUnavailable;
  return false;
}

void World::release_connection(int pi) {
  Pool& p = pools[static_cast<std::size_t>(pi)];
  while (!p.waiters.empty()) {
    Worker* next = p.waiters.front();
    p.waiters.pop_front();
    if (next->dead) continue;
    next->handed_connection = true;
    next->wake->release();
    return;  // the connection stays in use, by the waiter
  }
  if (p.in_use > 0) --p.in_use;
}

bool World::call(Worker& w, Request* r, const Call& c, double* owed, FailReason* reason) {
  double now = sg::Engine::get_clock();
  Station& self = *w.station;
  int self_index = static_cast<int>(&self - stations.data());
  ComponentRt& target = comp(c.component);
  const ClassPlan& plan = plans[static_cast<std::size_t>(r->cls)];

  // Which instance answers.
  int ti = -1;
  double demand = 0;
  switch (c.kind) {
    case Call::Kind::kCache: {
      // Keys are sharded uniformly over the nodes.
      ti = target.stations[static_cast<std::size_t>(rng_flow.below(static_cast<std::uint64_t>(target.spec->cache()->nodes)))];
      demand = target.spec->cache()->service_time.sample(rng_service);
      break;
    }
    case Call::Kind::kDatabase: {
      const topology::DatabaseSpec& db = *target.spec->database();
      if (c.role == 0 || db.replicas == 0) {
        if (!target.primary_available) {
          *owed += 2 * latency(self_index, target.stations[static_cast<std::size_t>(target.primary)]);
          *reason = FailReason::kDbUnavailable;
          return false;
        }
        ti = target.stations[static_cast<std::size_t>(target.primary)];
      } else {
        // Reads rotate over the replicas that are up; none up: the primary serves them.
        ti = rotate(target, [&](int idx, int si) { return idx != target.primary && st(si).up; });
        if (ti < 0) ti = target.stations[static_cast<std::size_t>(target.primary)];
      }
      auto it = db.query_time.find(plan.name);
      if (it == db.query_time.end()) it = db.query_time.find(plan.write ? "write" : "read");
      if (it == db.query_time.end()) it = db.query_time.find("default");
      demand = it->second.sample(rng_service);
      break;
    }
    case Call::Kind::kQueue:
      ti = target.stations[0];
      demand = target.spec->queue()->publish_time;
      break;
    case Call::Kind::kStorage:
      ti = target.stations[static_cast<std::size_t>(rng_flow.below(static_cast<std::uint64_t>(target.spec->storage()->nodes)))];
      demand = target.spec->storage()->service_time.sample(rng_service);
      break;
    case Call::Kind::kService: {
      if (c.via_lb >= 0) {
        auto chosen = lb_choose(c.via_lb, now, reason);
        if (!chosen) return false;
        ti = *chosen;
      } else {
        ti = rotate(target, [this](int, int si) { return st(si).up && st(si).started; });
        if (ti < 0) {
          *reason = FailReason::kConnectionRefused;
          return false;
        }
      }
      const topology::ServiceSpec& spec = *target.spec->service();
      auto it = spec.service_time.find(plan.name);
      if (it == spec.service_time.end()) it = spec.service_time.find("default");
      demand = it->second.sample(rng_service);
      break;
    }
  }
  Station& t = st(ti);
  double rtt = 2 * latency(self_index, ti);
  *owed += rtt;
  if (!net_faults.empty()) {
    LinkEffect e = link_effect(self_index, ti, now);
    if (e.partitioned) {
      *owed += connect_timeout - rtt;
      *reason = FailReason::kNetwork;
      return false;
    }
    if (e.loss > 0 && rng_flow.bernoulli(e.loss)) {
      *reason = FailReason::kNetwork;
      return false;
    }
    *owed += 2 * e.extra;
  }
  if (!t.up) {
    // Connection refused, known after a round trip. A cache that is down is a miss.
    if (c.kind == Call::Kind::kCache) {
      ++target.lookups;
      ++target.window_lookups;
      return true;
    }
    *reason = c.kind == Call::Kind::kDatabase ? FailReason::kDbUnavailable : FailReason::kConnectionRefused;
    return false;
  }
  if (c.kind == Call::Kind::kDatabase) {
    // A query runs on the server's host from this worker: no station, no job (DESIGN.md).
    int pool = pool_for(self_index, ti);
    if (!acquire(w, pool, reason)) return false;
    if (w.dead) return false;
    std::uint32_t gen = r->gen;
    bool ok = query(w, t, demand, plan.write, reason);
    if (w.dead) return false;
    release_connection(pool);
    if (!ok) return false;
    if (r->gen != gen) {  // given up upstream while the query ran
      *reason = FailReason::kConnectionRefused;
      return false;
    }
    if (plan.write && c.role == 0) record_write(c.component, sg::Engine::get_clock());
    return true;
  }
  Job* job = new_job();
  job->req = r;
  job->gen = r->gen;
  job->is_call = true;
  job->caller = &w;
  job->demand = demand;
  if (c.kind == Call::Kind::kService) {
    // The callee service handles the next segment of the path.
    r->segment += 1;
  }
  if (!submit(t, job, sg::Engine::get_clock())) {
    free_job(job);
    *reason = FailReason::kQueueFull;
    return false;
  }
  w.pending_call = job;
  std::uint32_t gen = r->gen;
  ++activities;
  if (c.kind == Call::Kind::kService) ++t.active;
  w.wake->acquire();
  if (w.dead) return false;
  if (c.kind == Call::Kind::kService && t.active > 0) --t.active;
  w.pending_call = nullptr;
  bool ok = job->ok;
  FailReason why = job->reason;
  free_job(job);
  if (!ok) {
    *reason = why;
    return false;
  }
  if (r->gen != gen) {  // the request was given up upstream while we waited
    *reason = FailReason::kConnectionRefused;
    return false;
  }
  now = sg::Engine::get_clock();
  switch (c.kind) {
    case Call::Kind::kCache: {
      const topology::CacheSpec& cs = *target.spec->cache();
      auto hr = cs.hit_ratio.find(plan.name);
      double warm = hr != cs.hit_ratio.end() ? hr->second : cs.default_hit_ratio;
      double h = model::warming_hit_ratio(warm, cs.warmup, now, t.cold_since);
      ++target.lookups;
      ++target.window_lookups;
      if (rng_flow.bernoulli(h)) {
        ++target.hits;
        ++target.window_hits;
        r->ends_early = true;  // a hit ends the path
      }
      break;
    }
    case Call::Kind::kQueue:
      publish(c.component, now);
      break;
    default:
      break;
  }
  return true;
}

}  // namespace sim::engine
