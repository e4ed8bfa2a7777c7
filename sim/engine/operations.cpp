#include "sim/engine/operations.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/core/cron.h"
#include "sim/core/units.h"
#include "sim/engine/database.h"
#include "sim/engine/load_balancer.h"
#include "sim/engine/world.h"

namespace sim::engine {

namespace sg = simgrid::s4u;

void Operations::start() {
  rollouts_.resize(w_.scen.operations.deploys.size());
  for (std::size_t i = 0; i < rollouts_.size(); ++i) {
    Rollout& r = rollouts_[i];
    r.spec = &w_.scen.operations.deploys[i];
    r.component = w_.component_index(r.spec->component);
    w_.spawn("deploy-" + r.spec->component, w_.platform->control(), [this, &r] { run(r); })->daemonize();
  }
  for (std::size_t i = 0; i < w_.scen.operations.spots.size(); ++i) {
    w_.spawn("spot-" + w_.scen.operations.spots[i].component, w_.platform->control(), [this, i] { run_spot(i); })
        ->daemonize();
  }
  cron_started_.assign(w_.scen.operations.crons.size(), -1);
  for (std::size_t i = 0; i < cron_started_.size(); ++i) {
    w_.spawn("cron-" + w_.scen.operations.crons[i].name, w_.platform->control(), [this, i] { run_cron(i); })
        ->daemonize();
  }
}

// At each time the schedule matches: the job's work on one instance (a database's primary).
// A run still going at the next match is not started twice (as a Vercel or Kubernetes
// CronJob with concurrencyPolicy Forbid): the match is skipped, and the timeline says so.
void Operations::run_cron(std::size_t job) {
  const scenario::CronJob& j = w_.scen.operations.crons[job];
  std::string why;
  const core::CronSchedule schedule = *core::CronSchedule::parse(j.schedule, &why);  // checked by the loader
  const int ci = w_.component_index(j.component);
  double t = 0;
  while (auto next = schedule.next(t)) {
    if (*next >= w_.scen.duration) return;
    sg::this_actor::sleep_until(*next);
    w_.kernel.enter();
    const double now = w_.kernel.now();
    t = *next + 60;
    if (cron_started_[job] >= 0) {
      w_.timeline(now, "cron", j.name, "skipped: the previous run is still going");
      continue;
    }
    int target = -1;
    ComponentRt& c = w_.comp(ci);
    if (auto* db = dynamic_cast<Database*>(c.tier)) target = db->primary_station(0);
    if (target < 0 || !w_.st(target).up) {
      target = -1;
      for (int si : c.stations) {
        if (w_.st(si).up && w_.st(si).started) {
          target = si;
          break;
        }
      }
    }
    if (target < 0 || !w_.st(target).up) {
      w_.timeline(now, "cron", j.name, "failed: no instance of " + j.component + " is up");
      continue;
    }
    cron_started_[job] = now;
    w_.timeline(now, "cron", j.name, fmt::format("{} of work on {}", core::format_duration(j.work), w_.st(target).name));
    w_.st(target).cpu->start(j.work, this, job);
  }
}

void Operations::cpu_done(std::uint64_t token, bool ok) {
  const auto job = static_cast<std::size_t>(token);
  const double now = w_.kernel.now();
  w_.timeline(now, ok ? "cron_done" : "cron_failed", w_.scen.operations.crons[job].name,
              ok ? fmt::format("done after {}", core::format_duration(now - cron_started_[job]))
                 : "its instance went down under it");
  cron_started_[job] = -1;
}

void Operations::run(Rollout& r) {
  double at = r.spec->at;
  while (at < w_.scen.duration) {
    sg::this_actor::sleep_until(at);
    w_.kernel.enter();
    if (r.active) {
      w_.timeline(w_.kernel.now(), "deploy", r.spec->component, "skipped: the previous rollout is still going on");
    } else {
      begin(r);
    }
    if (r.spec->every <= 0) return;
    at += r.spec->every;
  }
}

void Operations::begin(Rollout& r) {
  ComponentRt& c = w_.comp(r.component);
  r.old_set.clear();
  r.fresh.clear();
  r.armed.clear();
  for (int si : c.stations) {
    if (w_.st(si).started && !w_.st(si).draining) r.old_set.push_back(si);
  }
  r.desired = static_cast<int>(r.old_set.size());
  const scenario::Deploy& d = *r.spec;
  r.limits = d.by == scenario::Deploy::By::kEcs
                 ? model::ecs_limits(r.desired, d.minimum_healthy, d.maximum)
                 : model::kubernetes_limits(r.desired, {d.max_surge.value, d.max_surge.percent},
                                            {d.max_unavailable.value, d.max_unavailable.percent});
  r.active = true;
  r.began = w_.kernel.now();
  if (d.resize) {
    const Station& first = w_.st(r.old_set.empty() ? c.stations.front() : r.old_set.front());  // a running one
    w_.set_size(r.component, *d.resize);
    const scenario::Deploy::Size& z = c.size;
    std::string change = fmt::format("{} → {} cores", first.cores, z.cores > 0 ? z.cores : first.cores);
    if (z.memory > 0 && z.memory != first.memory) {
      change += fmt::format(", {} → {}", first.memory > 0 ? core::format_size(first.memory) : "memory not modelled",
                            core::format_size(z.memory));
    }
    if (!d.resize->instance_type.empty()) change += ", instance type " + d.resize->instance_type;
    const char* how = d.strategy == scenario::Deploy::Strategy::kInPlace
                          ? "in place, {1} at a time (stop, modify, start)"
                      : d.strategy == scenario::Deploy::Strategy::kAllAtOnce
                          ? "all {0} at once (stop, modify, start)"
                          : "rolling update: at most {2} above and {1} below ({3})";
    w_.timeline(r.began, "resize", d.component,
                fmt::format("{}; {} instance{}, ", change, r.desired, r.desired == 1 ? "" : "s") +
                    fmt::format(fmt::runtime(how), r.desired, r.limits.unavailable, r.limits.surge,
                                d.by == scenario::Deploy::By::kEcs ? "ECS" : "Kubernetes"));
  } else {
    w_.timeline(r.began, "deploy", d.component,
                fmt::format("rolling update of {} instances: at most {} above and {} below ({})", r.desired,
                            r.limits.surge, r.limits.unavailable,
                            d.by == scenario::Deploy::By::kEcs ? "ECS" : "Kubernetes"));
  }
  reconcile(r);
}

// Available: booted, taken in by every balancer in front of it (their health checks passed: the
// readiness gate; ECS counts a task healthy once its ELB health checks pass), and ready min_ready ago.
bool Operations::available(const Rollout& r, int si) const {
  const Station& s = w_.st(si);
  if (!(s.up && s.ready && s.started) || w_.balancer_holding_out(si)) return false;
  return w_.kernel.now() - s.ready_time >= r.spec->min_ready - 1e-9;
}

// Starting an instance turns its host on, a SimGrid call during which other control actors
// run: a boot that ends at the same date may call reconcile() again. That call only asks for
// another pass; the one in progress makes it.
void Operations::reconcile(Rollout& r) {
  if (!r.active) return;
  if (r.busy) {
    r.again = true;
    return;
  }
  r.busy = true;
  bool changed = true;
  while (r.active && (changed || r.again)) {  // until nothing moves (the last drain may finish the rollout)
    r.again = false;
    changed = reconcile_once(r);
  }
  r.busy = false;
}

bool Operations::reconcile_once(Rollout& r) {
  model::RolloutState st;
  st.desired = r.desired;
  std::vector<int> live_old;
  for (int si : r.old_set) {
    const Station& s = w_.st(si);
    if (!s.started || s.draining) continue;
    live_old.push_back(si);
    ++st.old_live;
    if (s.up && s.ready) ++st.old_ready;
  }
  st.fresh = static_cast<int>(r.fresh.size());
  for (int si : r.fresh) st.fresh_ready += available(r, si) ? 1 : 0;
  const double now = w_.kernel.now();
  if (model::rollout_done(st)) {
    r.active = false;
    w_.timeline(now, r.spec->resize ? "resized" : "deployed", r.spec->component,
                fmt::format("{} new instances available after {}", r.desired, core::format_duration(now - r.began)));
    return false;
  }
  model::RolloutStep step = model::rollout_settle(st, r.limits);
  // Decide everything before the first SimGrid call (see reconcile()).
  const std::vector<int> starting = to_start(r, step.start);
  const bool changed = !starting.empty() || step.drain > 0;
  // Old instances that are not ready go first, then the highest index (as a ReplicaSet scales down).
  std::stable_sort(live_old.begin(), live_old.end(), [this](int a, int b) {
    bool ra = w_.st(a).up && w_.st(a).ready, rb = w_.st(b).up && w_.st(b).ready;
    return ra != rb ? !ra : a > b;
  });
  for (int si : live_old) {
    if (step.drain == 0) break;
    drain(r, si);
    --step.drain;
  }
  const scenario::Deploy::Size* size = r.spec->resize ? &w_.comp(r.component).size : nullptr;
  for (int si : starting) {
    const Station& s = w_.st(si);
    std::string what = r.spec->strategy == scenario::Deploy::Strategy::kRolling ? "new instance of the rollout"
                                                                                 : "restarted with its new size";
    if (size) {
      what += fmt::format(": {} cores", size->cores > 0 ? size->cores : s.cores);
      if (size->memory > 0 || s.memory > 0) what += ", " + core::format_size(size->memory > 0 ? size->memory : s.memory);
    }
    w_.timeline(now, "start", s.name, what);
    w_.start_station(si, w_.boot_time(si));
  }
  // With min_ready, a new instance counts once it has been ready that long: look again then.
  if (r.spec->min_ready > 0) {
    for (int si : r.fresh) {
      const Station& s = w_.st(si);
      if (s.up && s.ready && s.ready_time + r.spec->min_ready > w_.kernel.now() + 1e-9 &&
          std::find(r.armed.begin(), r.armed.end(), si) == r.armed.end()) {
        r.armed.push_back(si);
        double when = s.ready_time + r.spec->min_ready;
        w_.spawn("deploy-min-ready", w_.platform->control(), [this, &r, when] {
          sg::this_actor::sleep_until(when);
          w_.kernel.enter();
          reconcile(r);
        })->daemonize();
      }
    }
  }
  return changed;
}

std::vector<int> Operations::to_start(Rollout& r, int n) {
  std::vector<int> out;
  const bool in_place = r.spec->strategy != scenario::Deploy::Strategy::kRolling;
  if (in_place) {
    // The old instances drained and stopped come back, as new (lowest index first).
    for (int si : r.old_set) {
      if (static_cast<int>(out.size()) == n) break;
      if (!w_.st(si).started) out.push_back(si);
    }
    for (int si : out) {
      r.old_set.erase(std::find(r.old_set.begin(), r.old_set.end(), si));
      r.fresh.push_back(si);
    }
    return out;
  }
  for (int si : w_.comp(r.component).stations) {  // spares, lowest index first
    if (static_cast<int>(out.size()) == n) break;
    const Station& s = w_.st(si);
    if (s.started || std::find(r.old_set.begin(), r.old_set.end(), si) != r.old_set.end() ||
        std::find(r.fresh.begin(), r.fresh.end(), si) != r.fresh.end()) {
      continue;
    }
    out.push_back(si);
    r.fresh.push_back(si);
  }
  return out;
}

void Operations::instance_stopped(int si) {
  for (Rollout& r : rollouts_) {
    if (r.active && r.component == w_.st(si).component &&
        r.spec->strategy != scenario::Deploy::Strategy::kRolling) {
      reconcile(r);
    }
  }
}

void Operations::drain(Rollout& r, int si) {
  Station& s = w_.st(si);
  s.draining = true;
  s.drain_since = w_.kernel.now();
  w_.timeline(s.drain_since, "draining", s.name, "replaced: takes no new requests");
  stop_when_drained(si, r.spec->drain, "stopped at the end of its drain time");
}

// Spot interruptions, one process per target: each instance up is reclaimed after an
// exponential time of mean mtbf (stream "spot-<component>": runs without spot draw nothing). The reclaimed instance
// gets its notice: no new requests (a termination handler deregisters it, as ECS's spot
// draining does), terminated at the notice's end, then replaced by a new instance (an Auto
// Scaling group launches one when it is terminated), ready after its boot time.
void Operations::run_spot(std::size_t i) {
  const scenario::Spot& sp = w_.scen.operations.spots[i];
  core::Rng rng = w_.streams.stream("spot-" + sp.component);
  const int ci = w_.component_index(sp.component);
  // Thinning: candidates come at the rate of every station the component has (its most
  // instances, spares included: never fewer than those up), each hits a station slot at
  // random, and only a slot holding an instance up reclaims it. Exact for a rate that changes
  // with the instances up (one fewer from a notice to its replacement).
  const std::vector<int>& slots = w_.comp(ci).stations;
  const double n_max = static_cast<double>(slots.size());
  double t = 0;
  while (true) {
    t += rng.exponential(sp.mtbf / n_max);
    if (t >= w_.scen.duration) return;
    sg::this_actor::sleep_until(t);
    w_.kernel.enter();
    std::vector<int> live;
    for (int si : slots) {
      const Station& s = w_.st(si);
      if (s.started && !s.draining && s.up) live.push_back(si);
    }
    const auto slot = static_cast<std::size_t>(rng.below(slots.size()));
    if (slot >= live.size()) continue;
    const int victim = live[slot];
    Station& s = w_.st(victim);
    const double now = w_.kernel.now();
    s.draining = true;
    s.drain_since = now;
    w_.timeline(now, "spot_notice", s.name, fmt::format("reclaimed in {}: takes no new requests", core::format_duration(sp.notice)));
    stop_when_drained(victim, sp.notice, "reclaimed");
    const double notice = sp.notice;
    w_.spawn(s.name + "-reclaim", w_.platform->control(), [this, victim, ci, notice] {
      sg::this_actor::sleep_for(notice);
      w_.kernel.enter();
      const double at = w_.kernel.now();
      Station& st = w_.st(victim);
      if (st.started && st.draining) {
        w_.stop_station(victim);
      }
      w_.timeline(at, "spot_interrupted", st.name, "terminated; a replacement starts");
      for (int si : w_.comp(ci).stations) {
        if (!w_.st(si).started && si != victim) {
          w_.timeline(at, "start", w_.st(si).name, "replaces a reclaimed spot instance");
          w_.start_station(si, w_.boot_time(si));
          return;
        }
      }
    })->daemonize();
  }
}

// A draining station stops once it holds nothing (checked every second), or at `grace`.
void Operations::stop_when_drained(int si, double grace, const char* why) {
  w_.spawn(w_.st(si).name + "-drain", w_.platform->control(), [this, si, grace, why] {
    while (true) {
      w_.kernel.enter();
      Station& st = w_.st(si);
      if (!st.started || !st.draining) return;  // stopped (or crashed and replaced) meanwhile
      const double now = w_.kernel.now();
      const bool empty = st.in_service() == 0 && st.queue_length() == 0;
      if (empty || now - st.drain_since >= grace - 1e-9) {
        w_.stop_station(si);
        w_.timeline(now, "stopped", st.name, empty ? "drained and stopped" : why);
        instance_stopped(si);
        return;
      }
      sg::this_actor::sleep_for(std::min(1.0, st.drain_since + grace - now));
    }
  })->daemonize();
}

void Operations::instance_ready(int si) {
  for (Rollout& r : rollouts_) {
    if (r.active && r.component == w_.st(si).component) reconcile(r);
  }
}

}  // namespace sim::engine
