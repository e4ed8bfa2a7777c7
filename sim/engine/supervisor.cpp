#include "sim/engine/supervisor.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/load_balancer.h"
#include "sim/engine/world.h"

namespace sim::engine {

using topology::RestartSpec;

const RestartSpec& Supervisor::spec(int si) const { return w_.comp(w_.st(si).component).spec->restart; }

double Supervisor::backoff(const RestartSpec& s, int k) {
  if (k < 1) k = 1;
  if (s.immediate_first) {
    if (k == 1) return 0;
    --k;
  }
  // initial × 2^(k-1), capped (the exponent is bounded so that a long crash loop cannot overflow).
  return std::min(s.max, s.initial * std::ldexp(1.0, std::min(k - 1, 60)));
}

void Supervisor::start() {
  state_.assign(w_.stations.size(), State{});
  for (std::size_t si = 0; si < w_.stations.size(); ++si) {
    const topology::Component& c = *w_.comp(w_.stations[si].component).spec;
    if (!c.liveness.enabled) continue;
    int station = static_cast<int>(si);
    w_.spawn(w_.stations[si].name + "-liveness", w_.platform->control(), [this, station] { probe(station); })
        ->daemonize();
  }
}

void Supervisor::instance_up(int si) {
  if (state_.empty()) return;  // before the run starts
  State& s = state_[static_cast<std::size_t>(si)];
  s.up_since = w_.kernel.now();
  s.fault_lasts = s.host_lost = false;
  s.pending = 0;  // an attempt still scheduled has nothing left to do
  s.stays_down.clear();
}

void Supervisor::stuck(int si, const std::string& fault) {
  if (state_.empty()) return;
  state_[static_cast<std::size_t>(si)].stuck_by = fault;
}

void Supervisor::instance_down(int si, bool host_lost, bool fault_lasts, const std::string& fault,
                               const std::string& why) {
  if (state_.empty()) return;  // before the run starts
  State& s = state_[static_cast<std::size_t>(si)];
  const RestartSpec& r = spec(si);
  const double now = w_.kernel.now();
  s.fault_lasts = fault_lasts;
  s.host_lost = host_lost;
  s.pending = 0;
  s.fault = fault;
  s.why = why;
  s.down_since = now;
  s.stays_down.clear();
  if (host_lost && w_.comp(w_.st(si).component).spec->replace.enabled) replace_later(si);
  if (host_lost) return;  // a lost host: nobody restarts anything until it is back
  if (!r.restarts_crashes()) {
    if (r.enabled()) {
      s.stays_down = fmt::format("restart policy {}", topology::restart_policy_name(r.policy));
    } else if (!fault_lasts) {
      s.stays_down = "no restart policy";  // without one only a fault's end brings it back
    }
    return;
  }
  if (now - s.up_since >= r.reset_after) s.in_row = 0;  // it ran long enough: the back-off starts over
  if (r.policy == RestartSpec::Policy::kOnFailure && r.max_retries > 0 && s.retries >= r.max_retries) {
    s.stays_down = fmt::format("restart policy on-failure:{}: no attempts left", r.max_retries);
    w_.timeline(now, "restart", w_.st(si).name, s.stays_down + ", stays down");
    return;
  }
  ++s.in_row;
  schedule(si, backoff(r, s.in_row),
           fmt::format("restart policy {} ({}): attempt {} after a back-off of {}", topology::restart_policy_name(r.policy),
                       r.by == RestartSpec::By::kKubernetes ? "kubelet" : "docker", s.in_row,
                       core::format_duration(backoff(r, s.in_row))));
}

void Supervisor::schedule(int si, double delay, const std::string& why) {
  State& s = state_[static_cast<std::size_t>(si)];
  std::uint64_t gen = next_generation_++;
  s.pending = gen;
  ++s.retries;
  w_.timeline(w_.kernel.now(), "backoff", w_.st(si).name, why);
  w_.spawn(w_.st(si).name + "-restart", w_.platform->control(), [this, si, delay, gen] {
    if (delay > 0) sg::this_actor::sleep_for(delay);
    w_.kernel.enter();
    attempt(si, gen);
  });
}

void Supervisor::attempt(int si, std::uint64_t gen) {
  State& s = state_[static_cast<std::size_t>(si)];
  if (s.pending != gen) return;  // superseded: it came back, or crashed again
  s.pending = 0;
  Station& st = w_.st(si);
  if (st.up || !st.started) return;
  const double now = w_.kernel.now();
  if (s.fault_lasts) {
    // What killed it is still there (the fault's `for:`): the new process dies at once.
    w_.timeline(now, "restart", st.name, "failed: the process died at start (its fault lasts)");
    count_restart(si);
    s.up_since = now;
    instance_down(si, false, true, s.fault, s.why);
    return;
  }
  count_restart(si);
  w_.timeline(now, "restart", st.name, fmt::format("restarted by its restart policy ({})",
                                                   topology::restart_policy_name(spec(si).policy)));
  w_.recover_station(si, w_.boot_time(si));
}

// The ReplicaSet controller: once the node is declared lost and its pods evicted (`after`),
// a new pod is created and scheduled on a host that is not lost, in another zone when there
// is one; it boots and joins the balancer through its health checks. The lost pod is deleted:
// it does not come back with its host.
void Supervisor::replace_later(int si) {
  const double after = w_.comp(w_.st(si).component).spec->replace.after;
  const double lost_at = w_.kernel.now();
  w_.spawn(w_.st(si).name + "-replace", w_.platform->control(), [this, si, after, lost_at] {
    sg::this_actor::sleep_for(after);
    w_.kernel.enter();
    Station& old = w_.st(si);
    if (old.up || !old.started || !w_.host_lost(si)) return;  // back already, or gone otherwise
    const double now = w_.kernel.now();
    int pick = -1;
    for (int cand : w_.comp(old.component).stations) {
      const Station& c = w_.st(cand);
      if (c.started || c.up || w_.host_lost(cand)) continue;
      if (pick < 0 || (w_.st(pick).zone == old.zone && c.zone != old.zone)) pick = cand;
    }
    if (pick < 0) {
      w_.timeline(now, "replace", old.name, fmt::format("lost with its host {} ago; no host left to replace it",
                                                       core::format_duration(now - lost_at)));
      return;
    }
    old.started = false;  // the lost pod is deleted
    count_restart(si);
    w_.timeline(now, "replace", old.name,
                fmt::format("lost with its host {} ago: replaced by {} in zone {}", core::format_duration(now - lost_at),
                            w_.st(pick).name, w_.places.zones[static_cast<std::size_t>(w_.st(pick).zone)]));
    w_.start_station(pick, w_.boot_time(pick));
  })->daemonize();
}

void Supervisor::count_restart(int si) {
  State& s = state_[static_cast<std::size_t>(si)];
  ++s.restarts;
  if (!s.fault.empty()) {
    ++s.by_faults;
    return;
  }
  auto it = std::find_if(s.unexplained.begin(), s.unexplained.end(), [&](const auto& u) { return u.first == s.why; });
  if (it == s.unexplained.end()) {
    s.unexplained.push_back({s.why, {1, w_.kernel.now()}});
  } else {
    ++it->second.first;
  }
}

void Supervisor::collect(int si, model::InstanceStats& out) const {
  const Station& st = w_.st(si);
  if (state_.empty()) return;
  const State& s = state_[static_cast<std::size_t>(si)];
  out.restarts = s.restarts;
  out.restarts_by_faults = s.by_faults;
  int unexplained = 0;
  for (const auto& [why, n] : s.unexplained) {
    out.unexplained.push_back({why, n.first, n.second});
    unexplained += n.first;
  }
  if (!st.started) return;  // a spare, replaced or scaled in: its health is not judged
  std::string& text = out.unhealthy;
  if (!st.up) {
    text = fmt::format("down since {} ({})", core::format_duration(s.down_since), s.why);
    if (w_.host_lost(si)) {
      text += ": its host is lost";
    } else if (!s.stays_down.empty()) {
      text += ": " + s.stays_down + ", nothing restarts it";
    } else if (s.fault_lasts) {
      text += ": its fault lasts";
    } else if (s.pending) {
      text += ": a restart is due after its back-off";
    }
  } else if (st.hung) {
    text = "hung: unreachable";
  } else if (st.frozen) {
    text = "frozen: runs nothing";
  } else if (!st.ready) {
    text = fmt::format("booting since {}", core::format_duration(s.up_since));
  } else if (const LoadBalancer* lb = w_.balancer_holding_out(si)) {
    text = fmt::format("ready, not yet taken in by {}'s health checks", w_.comp(lb->component()).spec->name);
  }
  // Restarting over and over (the back-off grew: the third in a row or later), not for a fault.
  if (!text.empty() && s.in_row >= 3 && unexplained > 1) {
    text += fmt::format("; crash loop: {} restarts no fault caused", unexplained);
  }
}

bool Supervisor::fault_ended(int si) {
  if (state_.empty()) return false;
  State& s = state_[static_cast<std::size_t>(si)];
  const RestartSpec& r = spec(si);
  if (!r.enabled()) return false;  // no policy: the fault's end restarts it
  Station& st = w_.st(si);
  s.fault_lasts = false;
  if (st.up || !st.started) return true;
  const double now = w_.kernel.now();
  if (s.host_lost) {
    // Its host is back: Docker's daemon starts `always` and `unless-stopped` containers, the
    // kubelet restarts the pod's containers; the others stay down.
    s.host_lost = false;
    if (!r.restarts_after_host()) {
      s.stays_down = fmt::format("host back; restart policy {}", topology::restart_policy_name(r.policy));
      w_.timeline(now, "restart", st.name, s.stays_down + ": stays down");
      return true;
    }
    s.in_row = 0;
    count_restart(si);
    w_.timeline(now, "restart", st.name, fmt::format("host back; started by its restart policy ({})",
                                                     topology::restart_policy_name(r.policy)));
    w_.recover_station(si, w_.boot_time(si));
    return true;
  }
  // A process crash: its next attempt (already scheduled) now succeeds.
  return true;
}

// Kubernetes' prober (pkg/kubelet/prober/worker.go): a ticker of `period` from the pod's
// start; a probe is skipped while the container is not running or younger than
// initial_delay; a probe that gets no answer fails at its timeout, one that is refused
// (the process still booting, not listening) at once; failure_threshold failures in a row
// and the kubelet kills the container, then waits for the new one.
void Supervisor::probe(int si) {
  const topology::LivenessSpec& l = w_.comp(w_.st(si).component).spec->liveness;
  int fails = 0;
  double started_seen = -1;
  for (double tick = l.period;; tick += l.period) {
    sg::this_actor::sleep_until(tick);
    w_.kernel.enter();
    Station& st = w_.st(si);
    State& s = state_[static_cast<std::size_t>(si)];
    if (!st.up || !st.started) {
      fails = 0;
      continue;
    }
    if (s.up_since != started_seen) {  // a new container: counts start over
      started_seen = s.up_since;
      fails = 0;
    }
    if (w_.kernel.now() - s.up_since < l.initial_delay) continue;
    if (st.ready && !st.hung && !st.frozen) {
      fails = 0;
      continue;
    }
    if (st.ready) {  // no answer: the probe fails at its timeout
      sg::this_actor::sleep_for(l.timeout);
      w_.kernel.enter();
      if (!st.up || s.up_since != started_seen) continue;
    }
    if (++fails < l.failure_threshold) continue;
    fails = 0;
    const double now = w_.kernel.now();
    w_.timeline(now, "liveness", st.name,
                fmt::format("{} liveness probes failed in a row: killed", l.failure_threshold));
    // Unresponsive because of a hang or freeze fault: the kill is that fault's. Still booting
    // (initial_delay shorter than the boot): nobody's but the probe's settings.
    const bool stuck = st.hung || st.frozen;
    w_.crash_station(si, st.ready ? "killed by its liveness probe" : "killed by its liveness probe while booting", true,
                     false, /*lasts=*/false, stuck ? s.stuck_by : std::string());
  }
}

}  // namespace sim::engine
