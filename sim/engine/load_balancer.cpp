#include "sim/engine/load_balancer.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/engine/world.h"

namespace sim::engine {

using model::FailReason;

LoadBalancer::LoadBalancer(World& world, int component) : w_(world), component_(component) {
  const topology::LoadBalancerSpec& lb = *w_.comp(component).spec->lb();
  balancer_ = std::make_unique<model::Balancer>(lb.algorithm, w_.streams.stream("lb:" + w_.comp(component).spec->name));
  if (lb.rate_limit) limiter_ = std::make_unique<model::RateLimiter>(lb.rate_limit->rate, lb.rate_limit->burst);
}

void LoadBalancer::set_backend(int component) {
  backend_ = component;
  const topology::LoadBalancerSpec& lb = *w_.comp(component_).spec->lb();
  const ComponentRt& be = w_.comp(component);
  std::size_t n = be.stations.size();
  health_.assign(n, Health{});
  views_.assign(n, model::BackendView{});
  active_.assign(n, 0);
  int instances = be.spec->instances();
  for (std::size_t i = 0; i < n; ++i) {
    // Spares (autoscaling) start unhealthy: they must pass the checks after boot.
    health_[i].healthy = static_cast<int>(i) < instances;
    views_[i].weight = i < lb.weights.size() ? lb.weights[i] : 1.0;
    views_[i].backup = static_cast<int>(i) >= instances - lb.backup && static_cast<int>(i) < instances;
  }
}

std::optional<int> LoadBalancer::choose(int client_region, FailReason* why) {
  const ComponentRt& self = w_.comp(component_);
  bool any_up = std::any_of(self.stations.begin(), self.stations.end(), [&](int i) { return w_.st(i).up; });
  if (!any_up) {
    *why = FailReason::kConnectionRefused;
    return std::nullopt;
  }
  if (limiter_ && !limiter_->admit(w_.kernel.now())) {
    *why = FailReason::kRateLimited;
    return std::nullopt;
  }
  const ComponentRt& be = w_.comp(backend_);
  bool local = false;
  for (std::size_t i = 0; i < be.stations.size(); ++i) {
    const Station& s = w_.st(be.stations[i]);
    views_[i].eligible = health_[i].healthy && s.started && !s.draining;
    views_[i].active = active_[i];
    local = local || (views_[i].eligible && w_.region_of(be.stations[i]) == client_region);
  }
  if (local && self.spec->lb()->steer_by_region) {
    // Geo steering: only the client's region, while it has an eligible backend.
    for (std::size_t i = 0; i < be.stations.size(); ++i) {
      if (w_.region_of(be.stations[i]) != client_region) views_[i].eligible = false;
    }
  }
  auto idx = balancer_->choose(views_);
  if (!idx) {
    *why = FailReason::kNoHealthyBackend;
    return std::nullopt;
  }
  ++active_[static_cast<std::size_t>(*idx)];
  return be.stations[static_cast<std::size_t>(*idx)];
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

void LoadBalancer::done(int backend_station) {
  int i = w_.st(backend_station).index;
  if (active_[static_cast<std::size_t>(i)] > 0) --active_[static_cast<std::size_t>(i)];
}

void LoadBalancer::backend_started(int backend_index) { health_[static_cast<std::size_t>(backend_index)] = Health{false, 0, 0}; }

void LoadBalancer::backend_ready(int backend_index) {
  if (!w_.comp(component_).spec->lb()->health_check.enabled) health_[static_cast<std::size_t>(backend_index)].healthy = true;
}

void LoadBalancer::start() {
  if (backend_ < 0 || !w_.comp(component_).spec->lb()->health_check.enabled) return;
  w_.spawn("health-" + w_.comp(component_).spec->name, w_.platform->control(), [this] { check_loop(); })->daemonize();
}

void LoadBalancer::check_loop() {
  const topology::HealthCheck hc = w_.comp(component_).spec->lb()->health_check;
  const ComponentRt& self = w_.comp(component_);
  const ComponentRt& be = w_.comp(backend_);
  const std::string& name = self.spec->name;
  // Checks start at a random phase, as a real balancer started at an arbitrary time.
  core::Rng rng = w_.streams.stream("health:" + name);
  sg::this_actor::sleep_for(rng.uniform(0, hc.interval));
  std::vector<bool> ok(be.stations.size());
  while (true) {
    w_.kernel.enter();
    const double tick = w_.kernel.now();
    int from = self.stations.front();
    for (std::size_t i = 0; i < be.stations.size(); ++i) {
      const Station& s = w_.st(be.stations[i]);
      ok[i] = s.up && s.ready && s.started;
      if (ok[i] && !w_.net.empty()) {
        ok[i] = !w_.net.between(component_, w_.region_of(from), backend_, w_.region_of(be.stations[i]), tick)
                     .partitioned;
      }
    }
    auto apply = [&](bool want_ok, double now) {
      for (std::size_t i = 0; i < be.stations.size(); ++i) {
        if (ok[i] != want_ok || !w_.st(be.stations[i]).started) continue;
        Health& h = health_[i];
        if (want_ok) {
          h.fails = 0;
          ++h.passes;
          if (!h.healthy && h.passes >= hc.healthy_threshold) {
            h.healthy = true;
            w_.timeline(now, "health_up", w_.st(be.stations[i]).name,
                        fmt::format("{} marks it healthy after {} good checks", name, h.passes));
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
    apply(true, tick);  // a healthy backend answers within a round trip
    sg::this_actor::sleep_for(hc.timeout);
    w_.kernel.enter();
    apply(false, tick + hc.timeout);  // a dead one is known when the check times out
    sg::this_actor::sleep_until(tick + hc.interval);
  }
}

}  // namespace sim::engine
