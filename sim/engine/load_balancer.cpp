#include "sim/engine/load_balancer.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

using model::FailReason;
using topology::PassiveHealth;

LoadBalancer::LoadBalancer(World& world, int component)
    : w_(world), component_(component), spec_(world.comp(component).spec->lb()) {
  std::vector<std::string> classes;
  for (const auto& rc : world.topo.requests) classes.push_back(rc.name);
  std::size_t clients = 0;
  for (const auto& g : world.scen.client_groups) clients += static_cast<std::size_t>(g.count);
  for (const auto& lim : spec_->rate_limits) limits_.emplace_back(lim, clients, classes);
}

void LoadBalancer::set_backend(int component) {
  backend_ = component;
  const ComponentRt& be = w_.comp(component);
  std::size_t n = be.stations.size();
  health_.assign(n, Health{});
  in_service_since_.assign(n, -1e18);
  scratch_.assign(n, model::BackendView{});
  // A round robin that must follow changing weights (slow start) is nginx's smooth weighted one.
  topology::LbAlgorithm alg = spec_->algorithm;
  if (spec_->slow_start > 0 && alg == topology::LbAlgorithm::kRoundRobin) alg = topology::LbAlgorithm::kWeighted;
  int processes = spec_->shared_state ? 1 : spec_->processes;
  const std::string& name = w_.comp(component_).spec->name;
  for (int p = 0; p < processes; ++p) {
    View v;
    // Process 0 keeps the balancer's historic stream name, so one process draws as before.
    v.balancer = std::make_unique<model::Balancer>(
        alg, w_.streams.stream(p == 0 ? "lb:" + name : fmt::format("lb:{}:{}", name, p)));
    v.active.assign(n, 0);
    v.passive.assign(n, Passive{});
    views_.push_back(std::move(v));
  }
  int instances = be.spec->instances();
  for (std::size_t i = 0; i < n; ++i) {
    // Spares (autoscaling) start unhealthy: they must pass the checks after boot.
    health_[i].healthy = static_cast<int>(i) < instances;
    scratch_[i].backup = static_cast<int>(i) >= instances - spec_->backup && static_cast<int>(i) < instances;
  }
}

bool LoadBalancer::admit(LbAttempt* a, FailReason* why, std::uint32_t client, int cls, double* delay) {
  const ComponentRt& self = w_.comp(component_);
  bool any_up = std::any_of(self.stations.begin(), self.stations.end(), [&](int i) { return w_.st(i).up; });
  if (!any_up) {
    // Lost without a word (its zone's power or network): the client's connection gets no
    // answer at all, not a refusal; kTimeout tells the flow to let the client's deadline end it.
    bool silent = std::all_of(self.stations.begin(), self.stations.end(), [&](int i) { return w_.st(i).silent; });
    *why = silent ? FailReason::kTimeout : FailReason::kConnectionRefused;
    return false;
  }
  // Every limit must admit; as nginx, none is charged when one rejects: ask all, then commit.
  double wait = 0;
  const double now = w_.kernel.now();
  for (std::size_t pass = limits_.size() > 1 ? 0 : 1; pass < 2; ++pass) {
    for (auto& lim : limits_) {
      auto d = lim.admit(now, client, cls, pass == 1);
      if (!d) {
        *why = FailReason::kRateLimited;
        return false;
      }
      wait = std::max(wait, *d);
    }
  }
  if (delay) *delay = wait;
  a->process = static_cast<std::uint16_t>(views_.size() > 1 ? next_process_++ % views_.size() : 0);
  a->first = w_.kernel.now();
  return true;
}

// nginx: skipped while it has max_fails failures and less than fail_timeout
// passed since it was last stamped (whole seconds). Envoy: while ejected.
bool LoadBalancer::passive_ok(View& v, std::size_t i, double now) const {
  const PassiveHealth& p = spec_->passive;
  Passive& s = v.passive[i];
  switch (p.kind) {
    case PassiveHealth::Kind::kOff: return true;
    case PassiveHealth::Kind::kNginx:
      return !(s.fails >= p.max_fails && static_cast<long>(std::floor(now)) - s.checked <= static_cast<long>(p.fail_timeout));
    case PassiveHealth::Kind::kConsecutive: return now >= s.ejected_until;
  }
  return true;
}

// Slow start: a backend's weight grows linearly to its own over slow_start after it came (back) into service.
double LoadBalancer::weight(std::size_t i, double now) const {
  double w = i < spec_->weights.size() ? spec_->weights[i] : 1.0;
  if (spec_->slow_start > 0) {
    double age = now - in_service_since_[i];
    if (age < spec_->slow_start) w *= std::max(0.05, age / spec_->slow_start);
  }
  return w;
}

std::optional<int> LoadBalancer::choose(int client_region, LbAttempt* a, FailReason* why) {
  const double now = w_.kernel.now();
  View& v = view(*a);
  const ComponentRt& be = w_.comp(backend_);
  const bool skip_tried = a->tries > 0;
  bool local = false;
  for (std::size_t i = 0; i < be.stations.size(); ++i) {
    const Station& s = w_.st(be.stations[i]);
    bool tried = skip_tried && i < 64 && (a->tried >> i) & 1;
    scratch_[i].eligible = health_[i].healthy && s.started && !s.draining && !tried && passive_ok(v, i, now);
    scratch_[i].active = v.active[i];
    scratch_[i].weight = weight(i, now);
    local = local || (scratch_[i].eligible && w_.region_of(be.stations[i]) == client_region);
  }
  if (local && spec_->steer_by_region) {
    // Geo steering: only the client's region, while it has an eligible backend.
    for (std::size_t i = 0; i < be.stations.size(); ++i) {
      if (w_.region_of(be.stations[i]) != client_region) scratch_[i].eligible = false;
    }
  }
  auto idx = v.balancer->choose(scratch_);
  if (!idx) {
    *why = FailReason::kNoHealthyBackend;
    return std::nullopt;
  }
  auto i = static_cast<std::size_t>(*idx);
  ++v.active[i];
  // nginx stamps a server it tries once fail_timeout has passed (the trial request).
  if (spec_->passive.kind == PassiveHealth::Kind::kNginx) {
    long sec = static_cast<long>(std::floor(now));
    if (sec - v.passive[i].checked > static_cast<long>(spec_->passive.fail_timeout)) v.passive[i].checked = sec;
  }
  if (i < 64) a->tried |= std::uint64_t{1} << i;
  ++a->tries;
  a->backend = be.stations[i];
  a->sent = false;
  return a->backend;
}

int LoadBalancer::forwarder(int client_region) {
  const ComponentRt& self = w_.comp(component_);
  const std::size_t n = self.stations.size();
  int chosen = -1;
  // Clients reach the nearest instance: their region's first, then any.
  for (int pass = 0; pass < 2 && chosen < 0; ++pass) {
    for (std::size_t k = 0; k < n && chosen < 0; ++k) {
      int si = self.stations[(static_cast<std::size_t>(rr_) + k) % n];
      if (w_.st(si).up && (pass == 1 || w_.region_of(si) == client_region)) chosen = si;
    }
  }
  ++rr_;
  return chosen;
}

void LoadBalancer::retry_same(LbAttempt* a) {
  auto i = static_cast<std::size_t>(w_.st(a->backend).index);
  ++view(*a).active[i];
  ++a->tries;
  a->sent = false;
}

void LoadBalancer::done(const LbAttempt& a) {
  if (a.backend < 0) return;
  auto i = static_cast<std::size_t>(w_.st(a.backend).index);
  View& v = view(a);
  if (v.active[i] > 0) --v.active[i];
}

void LoadBalancer::succeeded(const LbAttempt& a) {
  if (a.backend < 0) return;
  auto i = static_cast<std::size_t>(w_.st(a.backend).index);
  Passive& s = view(a).passive[i];
  switch (spec_->passive.kind) {
    case PassiveHealth::Kind::kOff: break;
    case PassiveHealth::Kind::kNginx:
      if (s.accessed < s.checked) s.fails = 0;  // a trial after fail_timeout passed: the server is back
      break;
    case PassiveHealth::Kind::kConsecutive: s.fails = 0; break;
  }
}

LoadBalancer::Next LoadBalancer::failed(LbAttempt* a, AttemptFailure f, bool write, FailReason answer_reason) {
  const double now = w_.kernel.now();
  Next next;
  next.give_up = f == AttemptFailure::kConnectTimeout || f == AttemptFailure::kReadTimeout ? FailReason::kTimeout
                 : f == AttemptFailure::kErrorAnswer                                       ? answer_reason
                                                                                           : FailReason::kConnectionRefused;
  const topology::LbRetry& r = spec_->retry;
  bool counts = f != AttemptFailure::kErrorAnswer || r.on_5xx;  // nginx: an error answer counts only when retried on
  if (a->backend >= 0 && counts) {
    auto i = static_cast<std::size_t>(w_.st(a->backend).index);
    View& v = view(*a);
    Passive& s = v.passive[i];
    const PassiveHealth& p = spec_->passive;
    if (p.kind == PassiveHealth::Kind::kNginx && w_.comp(backend_).stations.size() > 1) {
      // ngx_http_upstream_free_round_robin_peer: fails++, accessed = checked = now.
      long sec = static_cast<long>(std::floor(now));
      ++s.fails;
      s.accessed = s.checked = sec;
      if (s.fails == p.max_fails) {
        ++ejections_;
        w_.timeline(now, "passive_down", w_.st(a->backend).name,
                    fmt::format("{} skips it for {} after {} failed attempt{}", w_.comp(component_).spec->name,
                                core::format_duration(p.fail_timeout), s.fails, s.fails == 1 ? "" : "s"));
      }
    } else if (p.kind == PassiveHealth::Kind::kConsecutive && now >= s.ejected_until) {
      ++s.fails;
      if (s.fails >= p.max_fails) {
        // At most 10 % of the hosts ejected at once, at least one (Envoy's max_ejection_percent).
        std::size_t n = v.passive.size(), ejected = 0;
        for (const Passive& x : v.passive) ejected += now < x.ejected_until;
        if (ejected < std::max<std::size_t>(1, n / 10)) {
          ++s.ejections;
          s.ejected_until = now + p.fail_timeout * s.ejections;
          s.fails = 0;
          ++ejections_;
          w_.timeline(now, "passive_down", w_.st(a->backend).name,
                      fmt::format("{} ejects it for {} after {} consecutive errors", w_.comp(component_).spec->name,
                                  core::format_duration(p.fail_timeout * s.ejections), p.max_fails));
          in_service_since_[i] = s.ejected_until;  // slow start after the ejection
        }
      }
    }
  }
  // Retry?
  bool kind_ok = (f == AttemptFailure::kRefused && r.on_error) || (f == AttemptFailure::kReset && r.on_reset) ||
                 (f == AttemptFailure::kConnectTimeout && r.on_connect_timeout) ||
                 (f == AttemptFailure::kReadTimeout && r.on_timeout) || (f == AttemptFailure::kErrorAnswer && r.on_5xx);
  // A write that reached the backend is not sent again (nginx since 1.9.13, unless non_idempotent).
  bool was_sent = f == AttemptFailure::kReset || f == AttemptFailure::kReadTimeout || f == AttemptFailure::kErrorAnswer;
  if (!kind_ok || (write && was_sent && !r.non_idempotent)) return next;
  int max_tries = r.tries > 0 ? r.tries : static_cast<int>(w_.comp(backend_).stations.size());
  if (a->tries >= max_tries) return next;
  if (r.timeout > 0 && now - a->first >= r.timeout) return next;
  next.retry = true;
  next.delay = r.delay;
  // HAProxy retries on the same server; with redispatch, the last retry goes elsewhere, and
  // every retry does when the balancing is not deterministic (round robin, least_conn: all of
  // infrasim's) and more than one server is up (stream_choose_redispatch(): "an immediate
  // redispatch without waiting"). The turn-around is waited only before a retry on the same
  // server (back_handle_st_cer()).
  bool last = a->tries + 1 >= max_tries;
  int up = static_cast<int>(std::count_if(health_.begin(), health_.end(), [](const Health& h) { return h.healthy; }));
  next.same_backend = !r.next_server && !(r.redispatch && (last || up > 1));
  if (!r.next_server && !next.same_backend) next.delay = 0;
  ++retries_;
  return next;
}

void LoadBalancer::backend_started(int backend_index) {
  health_[static_cast<std::size_t>(backend_index)] = Health{false, 0, 0};
}

void LoadBalancer::backend_ready(int backend_index) {
  auto i = static_cast<std::size_t>(backend_index);
  if (!spec_->health_check.enabled) {
    health_[i].healthy = true;
    in_service_since_[i] = w_.kernel.now();
  }
}

// Traefik's Docker provider: a container is routed while it runs and, when it has a healthcheck,
// its health status is "healthy" (keepContainer: "Filtering unhealthy or starting container").
// The provider publishes the first change at once and coalesces later ones within
// providersThrottleDuration (2 s); each event is applied at once here.
void LoadBalancer::container_died(int backend_index) {
  if (spec_->discovery != topology::LoadBalancerSpec::Discovery::kDocker) return;
  Health& h = health_[static_cast<std::size_t>(backend_index)];
  if (h.healthy) {
    w_.timeline(w_.kernel.now(), "health_down", w_.st(w_.comp(backend_).stations[static_cast<std::size_t>(backend_index)]).name,
                fmt::format("{} drops it at Docker's die event", w_.comp(component_).spec->name));
  }
  h = Health{false, 0, 0};
}

void LoadBalancer::container_started(int backend_index) {
  if (spec_->discovery != topology::LoadBalancerSpec::Discovery::kDocker || spec_->health_check.enabled) return;
  auto i = static_cast<std::size_t>(backend_index);
  health_[i].healthy = true;
  in_service_since_[i] = w_.kernel.now();
}

void LoadBalancer::collect(model::ComponentStats& out) {
  out.retries = retries_;
  out.ejections = ejections_;
}

void LoadBalancer::start() {
  if (backend_ < 0 || !spec_->health_check.enabled) return;
  w_.spawn("health-" + w_.comp(component_).spec->name, w_.platform->control(), [this] { check_loop(); })->daemonize();
}

void LoadBalancer::check_loop() {
  const topology::HealthCheck hc = spec_->health_check;
  const ComponentRt& self = w_.comp(component_);
  const ComponentRt& be = w_.comp(backend_);
  const std::string& name = self.spec->name;
  // Checks start at a random phase, as a real balancer started at an arbitrary time.
  core::Rng rng = w_.streams.stream("health:" + name);
  sg::this_actor::sleep_for(rng.uniform(0, hc.interval));
  // Per backend: 1 the check passes at the tick, -1 it fails at the tick (refused),
  // 0 it fails when it times out (nobody answers), or the backend is not checked.
  std::vector<int> outcome(be.stations.size());
  while (true) {
    w_.kernel.enter();
    const double tick = w_.kernel.now();
    int from = self.stations.front();
    for (std::size_t i = 0; i < be.stations.size(); ++i) {
      const Station& s = w_.st(be.stations[i]);
      bool reachable = w_.net.empty() || !w_.net.between(component_, w_.region_of(from), backend_,
                                                         w_.region_of(be.stations[i]), tick)
                                              .partitioned;
      if (!reachable || s.silent || s.hung || s.frozen) {
        outcome[i] = 0;  // no answer: known when the check times out
      } else if (!s.up) {
        outcome[i] = -1;  // connection refused: known at once
      } else {
        outcome[i] = s.ready && s.started ? 1 : -1;  // booting: the port is not open yet
      }
    }
    auto apply = [&](bool pass, bool timed_out, double now) {
      for (std::size_t i = 0; i < be.stations.size(); ++i) {
        if (!w_.st(be.stations[i]).started) continue;
        bool mine = pass ? outcome[i] == 1 : timed_out ? outcome[i] == 0 : outcome[i] == -1;
        if (!mine) continue;
        Health& h = health_[i];
        if (pass) {
          h.fails = 0;
          ++h.passes;
          if (!h.healthy && h.passes >= hc.healthy_threshold) {
            h.healthy = true;
            in_service_since_[i] = now;
            w_.timeline(now, "health_up", w_.st(be.stations[i]).name,
                        fmt::format("{} marks it healthy after {} good checks", name, h.passes));
            w_.operations.instance_ready(be.stations[i]);  // a rollout waits for its balancers' checks
          }
        } else {
          h.passes = 0;
          ++h.fails;
          if (h.healthy && h.fails >= hc.unhealthy_threshold) {
            h.healthy = false;
            w_.timeline(now, "health_down", w_.st(be.stations[i]).name,
                        fmt::format("{} marks it down after {} failed checks", name, h.fails));
          }
        }
      }
    };
    apply(true, false, tick);   // a healthy backend answers within a round trip
    apply(false, false, tick);  // a refused connection fails the check at once
    sg::this_actor::sleep_for(hc.timeout);
    w_.kernel.enter();
    apply(false, true, tick + hc.timeout);  // nobody answered: the check times out
    sg::this_actor::sleep_until(tick + hc.interval);
  }
}

}  // namespace sim::engine
