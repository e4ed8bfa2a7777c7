// Autoscaling in the simulation: every sync period an autoscaler samples its
// service's instances (CPU over the metric window, memory, requests per second,
// queue length, the service's p99 latency), asks the policy (model::HpaController
// or model::ThresholdScaler) and applies the decision: new instances boot for
// boot_time, then pass the load balancer's health checks before they get
// traffic; removed instances stop receiving requests and drain.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

namespace {
constexpr double kDrainGrace = 30;  ///< Kubernetes terminationGracePeriodSeconds default
}

void World::mark_ready(int si, double now) {
  Station& s = st(si);
  s.ready = true;
  s.ready_time = now;
  timeline(now, "ready", s.name, "booted");
  // Behind a load balancer without health checks, a ready instance gets traffic at once.
  for (ComponentRt& c : comps) {
    if (c.spec->kind != topology::Kind::kLoadBalancer || c.backend != s.component) continue;
    if (!c.spec->lb()->health_check.enabled) c.health[static_cast<std::size_t>(s.index)].healthy = true;
  }
}

void World::start_station(int si, double now, double boot) {
  Station& s = st(si);
  s.host->turn_on();
  account(s, now);
  s.started = true;
  s.draining = false;
  s.up = true;
  s.up_since = now;
  s.ready = false;
  s.start_time = now;
  s.samples.clear();
  s.cold_since.reset();
  for (ComponentRt& c : comps) {
    if (c.spec->kind != topology::Kind::kLoadBalancer || c.backend != s.component) continue;
    c.health[static_cast<std::size_t>(s.index)] = HealthView{false, 0, 0};
  }
  spawn(s.name + "-boot", control_host, [this, si, boot]() {
    if (boot > 0) sg::this_actor::sleep_for(boot);
    if (st(si).up && st(si).started) mark_ready(si, sg::Engine::get_clock());
  });
}

void World::stop_station(int si, double now) {
  Station& s = st(si);
  if (s.up) {
    // Whatever is still in it after the grace period is cut off.
    crash_station(si, now, "scaled in", /*record=*/false);
  }
  s.started = false;
  s.draining = false;
  s.ready = false;
}

void World::autoscaler_loop(int index) {
  AutoscalerRt& a = autoscalers[static_cast<std::size_t>(index)];
  ComponentRt& c = comp(a.component);
  const topology::ServiceSpec& svc = *c.spec->service();
  while (true) {
    sg::this_actor::sleep_for(a.period);
    double now = sg::Engine::get_clock();
    // Finish drains.
    for (int si : c.stations) {
      Station& s = st(si);
      if (!s.draining) continue;
      if ((s.in_service == 0 && s.queue.empty()) || now - s.drain_since >= kDrainGrace) {
        stop_station(si, now);
        timeline(now, "stopped", s.name, "drained and stopped");
      }
    }
    // Samples: per instance, the busy / in-service integrals and the served count.
    std::vector<model::PodSample> pods;
    double cpu_sum = 0, mem_sum = 0, rps_sum = 0, queue_sum = 0;
    int ready_count = 0, current = 0;
    for (int si : c.stations) {
      Station& s = st(si);
      if (!s.started || s.draining) continue;
      ++current;
      account(s, now);
      s.samples.emplace_back(now, s.busy_integral, s.service_integral, s.served);
      while (s.samples.size() > 2 && std::get<0>(s.samples[1]) <= now - a.window) s.samples.pop_front();
      auto [t0, busy0, service0, served0] = s.samples.front();
      if (t0 < s.start_time) t0 = s.start_time;
      double span = std::max(1e-9, now - t0);
      model::PodSample p;
      p.phase = model::PodSample::Phase::kRunning;
      p.ready = s.up && s.ready;
      p.start_time = s.start_time;
      p.ready_transition_time = s.ready ? s.ready_time : s.start_time;
      p.has_metrics = s.up && now - s.start_time > 0;
      p.metric_time = now;
      p.cpu_request = s.cores;
      p.memory_request = svc.memory > 0 ? svc.memory : 1;
      p.cpu_utilization = (s.busy_integral - busy0) / (span * s.cores);
      double in_service = (s.service_integral - service0) / span;
      p.memory_utilization = svc.memory > 0 ? (svc.memory_base + svc.memory_per_request * in_service) / svc.memory : 0;
      p.rps = static_cast<double>(s.served - served0) / span;
      p.queue_length = static_cast<double>(s.queue.size());
      p.latency_p99 = a.recent.quantile(0.99);
      pods.push_back(p);
      if (p.ready) {
        ++ready_count;
        cpu_sum += p.cpu_utilization;
        mem_sum += p.memory_utilization;
        rps_sum += p.rps;
        queue_sum += p.queue_length;
      }
    }
    int desired = current;
    std::string reason;
    if (a.hpa) {
      model::HpaDecision d = a.hpa->evaluate(now, current, pods);
      desired = d.desired;
      reason = d.reason;
    } else {
      model::ScalingMetrics m;
      if (ready_count > 0) {
        m.cpu = cpu_sum / ready_count;
        if (svc.memory > 0) m.memory = mem_sum / ready_count;
        m.rps = rps_sum / ready_count;
        m.queue_length = queue_sum / ready_count;
      }
      if (a.recent.count() > 0) m.latency_p99 = a.recent.quantile(0.99);
      model::ThresholdDecision d = a.rules->evaluate(now, current, m);
      desired = d.desired;
      reason = d.reason;
    }
    a.recent.clear();
    if (desired == current) continue;
    result.scale_events.push_back({now, c.spec->name, current, desired, reason});
    timeline(now, "scale", c.spec->name, fmt::format("{} -> {} replicas: {}", current, desired, reason));
    if (desired > current) {
      int need = desired - current;
      // Instances still draining come back first; then spares, lowest index first.
      for (int si : c.stations) {
        if (need == 0) break;
        Station& s = st(si);
        if (s.draining) {
          s.draining = false;
          --need;
        }
      }
      for (int si : c.stations) {
        if (need == 0) break;
        if (!st(si).started) {
          start_station(si, now, a.boot_time);
          --need;
        }
      }
    } else {
      int extra = current - desired;
      for (auto it = c.stations.rbegin(); it != c.stations.rend() && extra > 0; ++it) {
        Station& s = st(*it);
        if (!s.started || s.draining) continue;
        s.draining = true;
        s.drain_since = now;
        --extra;
      }
    }
  }
}

}  // namespace sim::engine
