#include "sim/engine/engine.h"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <sys/resource.h>

#include "sim/core/log.h"
#include "sim/engine/unwound_stack.h"
#include "sim/engine/world.h"

namespace sim::engine {

namespace {
double sim_clock() { return sg::Engine::get_clock(); }

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}
}  // namespace

void World::collect() {
  double end = scen->duration;
  for (std::size_t ci = 0; ci < comps.size(); ++ci) {
    ComponentRt& c = comps[ci];
    if (c.spec->kind == topology::Kind::kCdn) continue;
    model::ComponentStats cs;
    cs.name = c.spec->name;
    cs.kind = topology::kind_name(c.spec->kind);
    cs.instances = c.spec->instances();
    double busy = 0, capacity = 0, up_total = 0;
    for (int si : c.stations) {
      Station& s = st(si);
      account(s, end);
      double up = s.up_seconds + (s.up ? end - s.up_since : 0);
      model::InstanceStats is;
      is.name = s.name;
      is.zone = zones[static_cast<std::size_t>(s.zone)];
      is.up_seconds = up;
      is.utilization = up > 0 ? s.busy_integral / (up * s.cores) : 0;
      is.served = s.served;
      is.queue_mean = end > 0 ? s.queue_integral / end : 0;
      is.queue_max = s.queue_max;
      busy += s.busy_integral;
      capacity += up * s.cores;
      up_total += up;
      cs.served += s.served;
      cs.instance_stats.push_back(std::move(is));
    }
    cs.utilization = capacity > 0 ? busy / capacity : 0;
    double wsum = 0;
    std::uint64_t wcount = 0;
    for (int si : c.stations) {
      wsum += st(si).wait_sum;
      wcount += st(si).wait_count;
    }
    cs.wait_mean = wcount ? wsum / static_cast<double>(wcount) : 0;
    cs.instance_hours = up_total / 3600.0;
    cs.series = std::move(series[ci]);
    if (c.spec->kind == topology::Kind::kCache) {
      cs.cache_lookups = c.lookups;
      cs.cache_hit_ratio = c.lookups ? static_cast<double>(c.hits) / static_cast<double>(c.lookups) : 0;
    }
    if (c.spec->kind == topology::Kind::kDatabase) {
      cs.writes = c.writes;
      cs.connections_max = c.connections_max;
      cs.connections_refused = c.refused;
      cs.replication_lag_mean = c.lag_hist.mean();
      cs.replication_lag_max = c.lag_hist.max();
      cs.replication_lag_p99 = c.lag_hist.quantile(0.99);
    }
    if (c.spec->kind == topology::Kind::kQueue) {
      cs.jobs_done = c.jobs_done;
      cs.jobs_retried = c.retried;
      cs.dead_letters = c.dead_letters;
      cs.queue_depth_max = c.depth_max;
    }
    result.components.push_back(std::move(cs));
  }
  recorder->finish(&result);
  result.in_flight = in_flight;
  std::stable_sort(result.timeline.begin(), result.timeline.end(),
                   [](const model::TimelineEvent& a, const model::TimelineEvent& b) { return a.time < b.time; });
}

sg::ActorPtr World::spawn(const std::string& name, sg::Host* host, std::function<void()> body) {
  ++actors;
  return sg::Actor::create(name, host, [this, name, body = std::move(body)]() {
    try {
      body();
    } catch (const simgrid::Exception& e) {
      forget_unwound_frames();
      // A simulated failure nobody handled (a peer vanished mid-transfer): the actor ends, the run goes on.
      ++unhandled_failures;
      core::logger("engine")->debug("actor {} ended by a simulated failure: {}", name, e.what());
    } catch (const std::exception& e) {
      forget_unwound_frames();
      if (internal_error.empty()) {
        internal_error = fmt::format("{} (actor {}, simulated time {:.6f}s)", e.what(), name, sg::Engine::get_clock());
      }
    }
  });
}

RunOutcome run(const scenario::Scenario& scen, const topology::Topology& topo,
               std::unique_ptr<model::ArrivalStream> arrivals, const RunOptions& options) {
  auto wall_start = std::chrono::steady_clock::now();
  // The world lives until the process exits, whatever happens: SimGrid objects
  // in it (semaphores, actors' captures) must never be destroyed under a live
  // simulation (xbt_die "Cannot destroy semaphore"), and one run is all a
  // process does anyway.
  World& w = *new World;
  w.build(scen, topo);

  // SimGrid reads its configuration from argv: quiet logs, CM02 (latency as
  // written; LV08 would multiply it by 13.01) without cross-traffic (which would
  // charge a transfer 5 % of reverse ACK traffic on shared links: a restore of
  // size S at rate R then takes S/R, as the topology says), raw contexts with
  // small stacks.
  static char a0[] = "infrasim", a1[] = "--log=root.thres:critical", a2[] = "--cfg=network/model:CM02",
              a3[] = "--cfg=contexts/stack-size:256", a4[] = "--log=xbt_cfg.thres:critical",
              a5[] = "--cfg=network/crosstraffic:0";
  static char* argv[] = {a0, a1, a2, a3, a4, a5, nullptr};
  static int argc = 6;
  // The engine lives until the process exits: SimGrid cannot run a second one anyway.
  auto* e = new sg::Engine(&argc, argv);
  w.build_platform();
  w.compute_prefixes();
  w.series.assign(w.comps.size(), {});
  for (Station& s : w.stations) {
    if (!s.started) s.host->turn_off();
  }
  core::set_sim_clock(&sim_clock);

  w.max_in_flight = options.max_in_flight ? options.max_in_flight : 2000000;
  w.spawn("generator", w.control_host, [&w, &arrivals]() { w.generator(std::move(arrivals)); });
  for (std::size_t ci = 0; ci < w.comps.size(); ++ci) {
    ComponentRt& c = w.comps[ci];
    if (c.spec->kind == topology::Kind::kLoadBalancer && c.backend >= 0 && c.spec->lb()->health_check.enabled) {
      w.spawn("health-" + c.spec->name, w.control_host, [&w, ci]() { w.health_checker(static_cast<int>(ci)); })
          ->daemonize();
    }
  }
  for (std::size_t ci = 0; ci < w.comps.size(); ++ci) {
    ComponentRt& c = w.comps[ci];
    int idx = static_cast<int>(ci);
    if (const topology::DatabaseSpec* db = c.spec->database(); db && db->replicas > 0 && db->failover.automatic) {
      w.spawn("failover-" + c.spec->name, w.control_host, [&w, idx]() { w.failover_controller(idx); })->daemonize();
    }
    if (c.spec->kind == topology::Kind::kQueue) {
      c.available = sg::Semaphore::create(0);
      c.retry_wake = sg::Semaphore::create(0);
      for (std::size_t k = 0; k < c.slots.size(); ++k) {
        w.spawn(fmt::format("{}-consumer-{}", c.spec->name, k), w.st(c.slots[k].station).host,
                [&w, idx, k]() { w.consumer_loop(idx, static_cast<int>(k)); })
            ->daemonize()
            ->set_auto_restart(true);  // a consumer restarts with its host
      }
      w.spawn("retry-" + c.spec->name, w.control_host, [&w, idx]() { w.retry_loop(idx); })->daemonize();
    }
  }
  if (!scen.faults.empty()) w.spawn("faults", w.control_host, [&w]() { w.fault_injector(); })->daemonize();
  for (std::size_t k = 0; k < w.autoscalers.size(); ++k) {
    w.spawn("autoscaler-" + w.autoscalers[k].spec->component, w.control_host,
            [&w, k]() { w.autoscaler_loop(static_cast<int>(k)); })
        ->daemonize();
  }

  RunOutcome out;
  const double duration = scen.duration;
  const double step = std::min(1.0, scen.window);
  const std::uint64_t max_in_flight = options.max_in_flight ? options.max_in_flight : 2000000;
  double window_start = 0;
  double t = 0;
  auto last_progress = wall_start;
  while (t < duration) {
    t = std::min(duration, t + step);
    e->run_until(t);
    w.sweep_deadlines(t);
    if (t >= window_start + scen.window - 1e-9 || t >= duration) {
      w.sample_window(window_start, t);
      window_start = t;
    }
    w.recorder->advance(t);
    auto now = std::chrono::steady_clock::now();
    double wall = std::chrono::duration<double>(now - wall_start).count();
    if (options.progress && now - last_progress > std::chrono::milliseconds(500)) {
      options.progress(t, duration);
      last_progress = now;
    }
    if (!w.internal_error.empty()) throw std::runtime_error(w.internal_error);
    if (!w.abort_reason.empty() || w.in_flight > max_in_flight) {
      out.aborted = true;
      out.abort_reason = !w.abort_reason.empty()
                             ? w.abort_reason
                             : fmt::format("{} requests in the system at t={:.0f}s: the offered load far exceeds what "
                                           "the topology can serve and its queues are unbounded; expected a load "
                                           "within capacity, or queue_limit on the services",
                                           w.in_flight, t);
      break;
    }
    if (options.max_wall_seconds > 0 && wall > options.max_wall_seconds) {
      out.aborted = true;
      out.abort_reason = fmt::format("stopped by --max-wall {}s at simulated t={:.0f}s", options.max_wall_seconds, t);
      break;
    }
    if (options.max_events > 0 && w.recorder->generated() > options.max_events) {
      out.aborted = true;
      out.abort_reason = fmt::format("stopped by --max-events {} at simulated t={:.0f}s", options.max_events, t);
      break;
    }
  }
  if (!out.aborted) {  // an aborted run writes no report: nothing to collect
    w.collect();
    out.result = std::move(w.result);
  }
  out.stats.activities = w.activities;
  out.stats.actors = w.actors;
  out.stats.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out.stats.peak_rss_kb = peak_rss_kb();
  return out;
}

}  // namespace sim::engine
