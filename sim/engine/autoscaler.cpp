#include "sim/engine/autoscaler.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

namespace {
constexpr double kDrainGrace = 30;  ///< Kubernetes terminationGracePeriodSeconds default
}

Autoscaler::Autoscaler(World& world, const scenario::Autoscaler& spec) : w_(world), spec_(spec) {
  component_ = w_.component_index(spec.component);
  const topology::ServiceSpec& svc = *w_.comp(component_).spec->service();
  boot_time_ = spec.boot_time.value_or(svc.boot_time);
  if (const scenario::HpaSpec* h = spec.hpa()) {
    hpa_ = std::make_unique<model::HpaController>(*h);
    period_ = h->sync_period;
    window_ = h->metric_window;
  } else {
    const scenario::ThresholdPolicy& p = *spec.rules();
    rules_ = std::make_unique<model::ThresholdScaler>(p);
    period_ = p.evaluation_period;
    window_ = p.evaluation_period;
  }
  samples_.resize(w_.comp(component_).stations.size());
}

void Autoscaler::start() {
  w_.spawn("autoscaler-" + spec_.component, w_.platform->control(), [this] { loop(); })->daemonize();
}

void Autoscaler::loop() {
  ComponentRt& c = w_.comp(component_);
  const topology::ServiceSpec& svc = *c.spec->service();
  while (true) {
    sg::this_actor::sleep_for(period_);
    w_.kernel.enter();
    const double now = w_.kernel.now();
    // Finish drains.
    for (int si : c.stations) {
      Station& s = w_.st(si);
      if (!s.draining) continue;
      if ((s.in_service() == 0 && s.queue_length() == 0) || now - s.drain_since >= kDrainGrace) {
        w_.stop_station(si);
        w_.timeline(now, "stopped", s.name, "drained and stopped");
      }
    }
    // Samples: per instance, the busy / in-service integrals and the served count.
    std::vector<model::PodSample> pods;
    double cpu_sum = 0, mem_sum = 0, rps_sum = 0, queue_sum = 0;
    int ready_count = 0, current = 0;
    for (std::size_t k = 0; k < c.stations.size(); ++k) {
      Station& s = w_.st(c.stations[k]);
      if (!s.started || s.draining) continue;
      ++current;
      s.account(now);
      auto& samples = samples_[k];
      if (!samples.empty() && std::get<0>(samples.front()) < s.start_time) samples.clear();  // restarted since
      samples.emplace_back(now, s.busy_integral(), s.service_integral(), s.served());
      while (samples.size() > 2 && std::get<0>(samples[1]) <= now - window_) samples.pop_front();
      auto [t0, busy0, service0, served0] = samples.front();
      if (t0 < s.start_time) t0 = s.start_time;
      double span = std::max(1e-9, now - t0);
      model::PodSample p;
      p.phase = model::PodSample::Phase::kRunning;
      p.ready = s.up && s.ready;
      p.start_time = s.start_time;
      p.ready_transition_time = s.ready ? s.ready_time : s.start_time;
      p.has_metrics = s.up && now - s.start_time > 0;
      p.metric_time = now;
      p.cpu_request = s.capacity;
      p.memory_request = s.memory > 0 ? s.memory : 1;
      p.cpu_utilization = (s.busy_integral() - busy0) / (span * s.capacity);
      double in_service = (s.service_integral() - service0) / span;
      p.memory_utilization = s.memory > 0 ? (svc.memory_base + svc.memory_per_request * in_service) / s.memory : 0;
      p.rps = static_cast<double>(s.served() - served0) / span;
      p.queue_length = static_cast<double>(s.queue_length());
      p.latency_p99 = recent_.quantile(0.99);
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
    if (hpa_) {
      model::HpaDecision d = hpa_->evaluate(now, current, pods);
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
      if (recent_.count() > 0) m.latency_p99 = recent_.quantile(0.99);
      model::ThresholdDecision d = rules_->evaluate(now, current, m);
      desired = d.desired;
      reason = d.reason;
    }
    recent_.clear();
    if (desired == current) continue;
    w_.result.scale_events.push_back({now, c.spec->name, current, desired, reason});
    w_.timeline(now, "scale", c.spec->name, fmt::format("{} -> {} replicas: {}", current, desired, reason));
    if (desired > current) {
      int need = desired - current;
      // Instances still draining come back first; then spares, lowest index first.
      for (int si : c.stations) {
        if (need == 0) break;
        Station& s = w_.st(si);
        if (s.draining) {
          s.draining = false;
          --need;
        }
      }
      for (int si : c.stations) {
        if (need == 0) break;
        if (!w_.st(si).started) {
          w_.start_station(si, boot_time_);
          --need;
        }
      }
    } else {
      int extra = current - desired;
      for (auto it = c.stations.rbegin(); it != c.stations.rend() && extra > 0; ++it) {
        Station& s = w_.st(*it);
        if (!s.started || s.draining) continue;
        s.draining = true;
        s.drain_since = now;
        --extra;
      }
    }
  }
}

}  // namespace sim::engine
