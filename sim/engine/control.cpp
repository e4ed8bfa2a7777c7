// Actors that drive the flow (generator), watch it (health checks) and break
// it (fault injection), and the bookkeeping done between run_until steps.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <cstdlib>
#include <queue>
#include <stdexcept>

#include "sim/core/log.h"
#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

using topology::Kind;

void World::timeline(double t, std::string kind, std::string target, std::string detail, std::string fault) {
  result.timeline.push_back({t, std::move(kind), std::move(target), std::move(detail), std::move(fault)});
}

double World::region_latency(int ra, int rb) const {
  if (ra == rb) return 0;
  const std::string& a = regions[static_cast<std::size_t>(ra)];
  const std::string& b = regions[static_cast<std::size_t>(rb)];
  for (const auto& l : topo->network.region_links) {
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return l.latency;
  }
  return topo->network.inter_region_latency;
}

void World::compute_prefixes() {
  const double client = topo->clients.latency;
  prefixes.assign(plans.size(), std::vector<Prefix>(regions.size()));
  for (std::size_t ci = 0; ci < plans.size(); ++ci) {
    const ClassPlan& p = plans[ci];
    int entry_comp = p.entry_lb >= 0 ? p.entry_lb : p.entry;
    int home_region = region_of(comp(entry_comp).stations.front());
    for (std::size_t r = 0; r < regions.size(); ++r) {
      Prefix& x = prefixes[ci][r];
      int ri = static_cast<int>(r);
      // Clients reach the entry in their own region when it has an instance there.
      int entry_region = home_region;
      for (int si : comp(entry_comp).stations) {
        if (region_of(si) == ri) entry_region = ri;
      }
      double to_edge = client, origin = 0, edge_proc = 0;
      if (p.cdn >= 0) {
        const topology::Component& cdn = *comp(p.cdn).spec;
        const topology::CdnSpec& cs = *cdn.cdn();
        int cdn_region = static_cast<int>(std::find(regions.begin(), regions.end(), cdn.region) - regions.begin());
        bool local = std::find(cs.edge_regions.begin(), cs.edge_regions.end(), regions[r]) != cs.edge_regions.end() ||
                     (cs.edge_regions.empty() && cdn_region == ri);
        int edge_region = local ? ri : cdn_region;
        if (!local) to_edge += region_latency(ri, cdn_region);
        edge_proc = cs.edge_latency;
        // Origin fetch: a nearby point of presence within the region, else the region link.
        origin = edge_region == entry_region ? topo->network.inter_zone_latency : region_latency(edge_region, entry_region);
        auto hr = cs.hit_ratio.find(p.name);
        x.hit_ratio = hr != cs.hit_ratio.end() ? hr->second : cs.default_hit_ratio;
        x.cdn_hit = 2 * to_edge + edge_proc;
      } else {
        to_edge += region_latency(ri, entry_region);
      }
      double lb_proc = p.entry_lb >= 0 ? comp(p.entry_lb).spec->lb()->latency : 0;
      x.to_entry = to_edge + edge_proc + origin + lb_proc;
      x.back = to_edge + origin;
    }
  }
}

void World::generator(std::unique_ptr<model::ArrivalStream> arrivals) {
  // Tests prove that an internal error is reported, not aborted on: this makes
  // the generator throw at the given simulated time (never set in normal use).
  const char* inject = std::getenv("INFRASIM_TEST_INTERNAL_ERROR_AT");
  const double throw_at = inject ? std::atof(inject) : -1;
  using Pending = std::pair<double, Request*>;
  auto later = [](const Pending& a, const Pending& b) {
    return a.first > b.first || (a.first == b.first && a.second->id > b.second->id);
  };
  std::priority_queue<Pending, std::vector<Pending>, decltype(later)> heap(later);
  std::optional<model::Arrival> next = arrivals->next();
  const double duration = scen->duration;
  std::vector<double> region_cdf;
  double acc = 0;
  for (double s : region_share) region_cdf.push_back(acc += s);

  auto admit_arrival = [&](const model::Arrival& a) {
    Request* r = new_request(a.time, a.request_class);
    int region = 0;
    if (regions.size() > 1) {
      double u = rng_flow.uniform() * acc;
      while (region + 1 < static_cast<int>(region_cdf.size()) && u >= region_cdf[static_cast<std::size_t>(region)]) ++region;
    }
    r->region = region;
    const Prefix& px = prefixes[static_cast<std::size_t>(a.request_class)][static_cast<std::size_t>(region)];
    double hit = px.hit_ratio;
    const ClassPlan& pl = plans[static_cast<std::size_t>(a.request_class)];
    if (pl.cdn >= 0 && comp(pl.cdn).cdn_cold_since) {
      hit = model::warming_hit_ratio(hit, kCdnWarmup, a.time, comp(pl.cdn).cdn_cold_since);
    }
    if (px.cdn_hit >= 0 && hit > 0 && rng_flow.bernoulli(hit)) {
      complete(r, a.time + px.cdn_hit);  // answered at the edge: no SimGrid activity at all
      release(r);
      return;
    }
    r->return_latency = px.back;
    heap.emplace(a.time + px.to_entry, r);
  };
  const std::uint64_t guard = max_in_flight;

  while (true) {
    // Read arrivals ahead up to the next delivery: their entry times go into the heap.
    while (next && (heap.empty() || next->time <= heap.top().first)) {
      admit_arrival(*next);
      next = arrivals->next();
      if (in_flight > guard) break;
    }
    if (in_flight > guard) {
      // The model explodes (offered load far above capacity, unbounded queues): stop
      // before memory runs out; the run loop reports it.
      abort_reason = fmt::format(
          "{} requests in the system at t={:.0f}s: the offered load far exceeds what the topology can serve and "
          "its queues are unbounded; expected a load within capacity, or queue_limit on the services",
          in_flight, sg::Engine::get_clock());
      return;
    }
    if (heap.empty()) break;
    double t = heap.top().first;
    if (t >= duration) break;
    if (throw_at >= 0 && t >= throw_at) throw std::logic_error("injected internal error (INFRASIM_TEST_INTERNAL_ERROR_AT)");
    if (t > sg::Engine::get_clock()) {
      ++activities;
      sg::this_actor::sleep_until(t);
    }
    while (!heap.empty() && heap.top().first <= t) {
      Request* r = heap.top().second;
      heap.pop();
      const ClassPlan& plan = plans[static_cast<std::size_t>(r->cls)];
      int target = -1;
      FailReason reason = FailReason::kConnectionRefused;
      if (plan.entry_lb >= 0) {
        auto chosen = lb_choose(plan.entry_lb, t, &reason, r->region);
        if (chosen) {
          target = *chosen;
          ComponentRt& lb = comp(plan.entry_lb);
          // The LB instance that forwards it, for the hop latency: round robin over those up,
          // preferring the client's region (clients reach the nearest one).
          int lbs = -1;
          for (int pass = 0; pass < 2 && lbs < 0; ++pass) {
            for (std::size_t k = 0; k < lb.stations.size() && lbs < 0; ++k) {
              int idx = lb.stations[(static_cast<std::size_t>(lb.rr) + k) % lb.stations.size()];
              if (st(idx).up && (pass == 1 || region_of(idx) == r->region)) lbs = idx;
            }
          }
          lb.rr = lb.rr + 1;
          r->lb = plan.entry_lb;
          r->lb_backend = target;
          ++st(target).active;
          r->return_latency += 2 * latency(lbs, target);
        }
      } else {
        target = rotate(comp(plan.entry), [this](int, int si) { return st(si).up && st(si).started; });
      }
      if (target >= 0 && !net_faults.empty()) {
        int entry_region = zone_region[static_cast<std::size_t>(st(target).zone)];
        LinkEffect e = region_effect(r->region, entry_region, t);
        if (e.partitioned || (e.loss > 0 && rng_flow.bernoulli(e.loss))) {
          if (r->lb_backend >= 0) lb_done(r);
          fail(r, t + (e.partitioned ? connect_timeout : r->return_latency), FailReason::kNetwork);
          release(r);
          continue;
        }
        r->return_latency += 2 * e.extra;
      }
      if (target < 0) {
        fail(r, t + r->return_latency, reason);
        release(r);
        continue;
      }
      deliver(r, target, t);
    }
  }
  // Arrivals after the end are not generated; requests still heading in stay in flight.
}

void World::sweep_deadlines(double now) {
  for (auto& [timeout, fifo] : deadlines) {
    while (!fifo.empty() && std::get<0>(fifo.front()) <= now) {
      auto [deadline, r, gen] = fifo.front();
      fifo.pop_front();
      if (r->gen == gen && !r->finished) fail(r, deadline, FailReason::kTimeout);
    }
  }
}

void World::sample_window(double window_start, double now) {
  (void)window_start;
  double len = now - window_start;
  for (std::size_t ci = 0; ci < comps.size(); ++ci) {
    ComponentRt& c = comps[ci];
    model::ComponentPoint p;
    double busy = 0, capacity = 0, wait_sum = 0;
    for (int si : c.stations) {
      Station& s = st(si);
      account(s, now);
      double up = s.up_seconds + (s.up ? now - s.up_since : 0);
      double up_delta = up - s.snap_up;
      busy += s.busy_integral - s.snap_busy;
      capacity += up_delta * s.cores;
      p.queue_mean += (s.queue_integral - s.snap_queue) / len;
      p.in_service += (s.service_integral - s.snap_service) / len;
      p.ready += (s.up && s.ready && s.started) ? 1 : 0;
      p.desired += s.started ? 1 : 0;
      wait_sum += s.window_wait_sum;
      p.wait_count += s.window_wait_count;
      s.window_wait_sum = 0;
      s.window_wait_count = 0;
      s.snap_busy = s.busy_integral;
      s.snap_queue = s.queue_integral;
      s.snap_service = s.service_integral;
      s.snap_up = up;
    }
    p.utilization = capacity > 0 ? busy / capacity : 0;
    p.wait_mean = p.wait_count ? wait_sum / static_cast<double>(p.wait_count) : 0;
    if (c.spec->kind == Kind::kCache) {
      p.extra = c.window_lookups ? static_cast<double>(c.window_hits) / static_cast<double>(c.window_lookups) : 0;
      c.window_lookups = c.window_hits = 0;
    } else if (c.spec->kind == Kind::kDatabase) {
      p.extra = c.window_lag_max;
      c.window_lag_max = 0;
    } else if (c.spec->kind == Kind::kQueue) {
      p.extra = static_cast<double>(std::max<std::uint64_t>(c.window_depth_max, c.messages.size()));
      c.window_depth_max = c.messages.size();
    }
    series[ci].push_back(p);
  }
}

void World::health_checker(int lb) {
  ComponentRt& rt = comp(lb);
  const topology::HealthCheck hc = rt.spec->lb()->health_check;
  ComponentRt& be = comp(rt.backend);
  // Checks start at a random phase, as a real LB started at an arbitrary time.
  core::Rng rng = streams.stream("health:" + rt.spec->name);
  sg::this_actor::sleep_for(rng.uniform(0, hc.interval));
  while (true) {
    double tick = sg::Engine::get_clock();
    std::vector<bool> ok(be.stations.size());
    for (std::size_t i = 0; i < be.stations.size(); ++i) {
      const Station& s = st(be.stations[i]);
      ok[i] = s.up && s.ready && s.started;
      if (ok[i] && !net_faults.empty()) ok[i] = !link_effect(rt.stations.front(), be.stations[i], tick).partitioned;
    }
    auto apply = [&](bool want_ok, double now) {
      for (std::size_t i = 0; i < be.stations.size(); ++i) {
        if (ok[i] != want_ok || !st(be.stations[i]).started) continue;
        HealthView& h = rt.health[i];
        if (want_ok) {
          h.fails = 0;
          ++h.passes;
          if (!h.healthy && h.passes >= hc.healthy_threshold) {
            h.healthy = true;
            timeline(now, "health_up", st(be.stations[i]).name,
                     fmt::format("{} marks it healthy after {} good checks", rt.spec->name, h.passes));
          }
        } else {
          h.passes = 0;
          ++h.fails;
          if (h.healthy && h.fails >= hc.unhealthy_threshold) {
            h.healthy = false;
            timeline(now, "health_down", st(be.stations[i]).name,
                     fmt::format("{} marks it down after {} failed checks", rt.spec->name, h.fails));
          }
        }
      }
    };
    apply(true, tick);  // a healthy backend answers within a round trip
    sg::this_actor::sleep_for(hc.timeout);
    apply(false, tick + hc.timeout);  // a dead one is known when the check times out
    sg::this_actor::sleep_until(tick + hc.interval);
  }
}

void World::crash_station(int si, double now, const std::string& why, bool record) {
  Station& s = st(si);
  if (!s.up) return;
  account(s, now);
  s.up = false;
  s.up_seconds += now - s.up_since;
  FailReason reason = FailReason::kConnectionRefused;
  // Waiting jobs: their clients get a reset.
  for (Job* job : s.queue) abort_job(job, now, reason);
  s.queue.clear();
  // Jobs in progress die with their workers.
  for (auto& wp : s.workers) {
    Worker& w = *wp;
    w.dead = true;
    if (w.waiting_pool >= 0) {
      auto& waiters = pools[static_cast<std::size_t>(w.waiting_pool)].waiters;
      waiters.erase(std::remove(waiters.begin(), waiters.end(), &w), waiters.end());
    }
    if (Station* q = w.querying) {
      // Its query on a database host stops with it.
      auto it = std::find_if(q->remote.begin(), q->remote.end(), [&](const auto& x) { return x.second == &w; });
      if (it != q->remote.end()) {
        it->first->cancel();
        q->remote.erase(it);
        account(*q, now);
        if (q->busy > 0) --q->busy;
      }
      w.querying = nullptr;
    }
    Job* job = w.idle ? nullptr : w.job;
    if (job) {
      if (w.pending_call) {
        // Someone else is working for this job: it will release the request when done.
        w.pending_call->caller = nullptr;
        w.pending_call->orphan = !job->is_call;
        if (job->is_call) {
          abort_job(job, now, reason);
        } else {
          Request* r = job->req;
          if (r->gen == job->gen) {
            fail(r, now + r->return_latency, reason);
            lb_done(r);
          }
          free_job(job);
        }
      } else {
        abort_job(job, now, reason);
      }
    }
    w.job = nullptr;
    w.pending_call = nullptr;
  }
  s.workers.clear();
  s.idle.clear();
  // Queries running here from other hosts' workers die with the server.
  std::vector<std::pair<sg::ExecPtr, Worker*>> remote;
  remote.swap(s.remote);
  for (auto& [exec, caller] : remote) exec->cancel();
  s.busy = 0;
  s.in_service = 0;
  // Connections of this instance's pools, and connections to it, are gone.
  for (Pool& p : pools) {
    if (p.client_station == si || p.server_station == si) {
      Station& server = st(p.server_station);
      ComponentRt& db = comp(server.component);
      db.open_connections[static_cast<std::size_t>(server.index)] -= p.open;
      p.open = 0;
      p.in_use = 0;
    }
  }
  ComponentRt& c = comp(s.component);
  if (c.spec->kind == Kind::kQueue) {
    // Unacknowledged messages go back to the queue (RabbitMQ requeues them).
    for (ConsumerSlot& slot : c.slots) {
      if (slot.station == si && slot.current) {
        c.messages.push_front(*slot.current);
        slot.current.reset();
        c.available->release();
      }
    }
  }
  bool was_primary = c.spec->kind == Kind::kDatabase && c.stations[static_cast<std::size_t>(c.primary)] == si;
  s.host->turn_off();
  if (record) timeline(now, "crash", s.name, why);
  if (was_primary && !c.restoring) on_primary_crash(s.component, now, why);
}

void World::recover_station(int si, double now, double boot) {
  Station& s = st(si);
  if (s.up) return;
  s.host->turn_on();
  account(s, now);
  s.up = true;
  s.up_since = now;
  s.ready = boot <= 0;
  ComponentRt& c = comp(s.component);
  if (c.spec->kind == Kind::kCache) s.cold_since = now;  // restarts empty
  if (c.spec->kind == Kind::kDatabase && c.stations[static_cast<std::size_t>(c.primary)] == si && c.crashed_at >= 0) {
    // The primary came back before any failover: its data is durable, nothing was lost.
    c.crashed_at = -1;
    c.crash_losses.clear();
    c.primary_available = true;
  }
  timeline(now, "recover", s.name, boot > 0 ? fmt::format("restarted; ready after {}", core::format_duration(boot)) : "restarted");
  if (boot > 0) {
    spawn(s.name + "-boot", control_host, [this, si, boot]() {
      sg::this_actor::sleep_for(boot);
      if (st(si).up) mark_ready(si, sg::Engine::get_clock());
    });
  }
}

}  // namespace sim::engine
