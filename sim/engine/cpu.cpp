#include "sim/engine/cpu.h"

#include <algorithm>
#include <exception>

namespace sim::engine {

namespace sg = simgrid::s4u;

HostCpu::HostCpu(Kernel& kernel, sg::Host* host, CpuMode model)
    : kernel_(kernel), host_(host), model_(model), ps_(host->get_core_count(), host->get_speed()) {}

double HostCpu::current_speed() const { return host_->get_speed() * host_->get_available_speed(); }

HostCpu::Handle HostCpu::start(double demand, CpuClient* client, std::uint64_t token) {
  std::uint32_t idx = jobs_.acquire();
  Job& j = jobs_[idx];
  j.owner = this;
  j.index = idx;
  j.client = client;
  j.token = token;
  j.order = order_++;
  j.live = true;
  j.in_simgrid = false;
  ++running_;
  const double flops = demand * kFlopsPerSecond;
  const double now = kernel_.now();
  if (model_ == CpuMode::kSimGrid && (in_simgrid_ > 0 || static_cast<int>(ps_.running()) + 1 > ps_.cores())) {
    // Contended: SimGrid shares this host from now on, until it has no execution left.
    to_simgrid(now);
    start_exec(idx, flops);
  } else {
    j.slot = ps_.add(now, flops, idx);
    schedule();
  }
  return {idx, j.gen};
}

void HostCpu::schedule() {
  double t = ps_.next_completion();
  if (t >= scheduled_) return;  // the live event comes first; it reschedules if nothing is due then
  scheduled_ = t;
  live_event_ = ++next_event_;
  kernel_.at(t, this, 0, 0, live_event_);
}

void HostCpu::on_event(const Event& e) {
  if (e.b != live_event_) return;  // superseded by an earlier one
  scheduled_ = model::ProcessorSharing::kNever;
  live_event_ = 0;
  const double now = kernel_.now();
  // Jobs whose completion is now (up to the rounding of the virtual clock) finish.
  const double slack = 1e-12 + now * 1e-15;
  due_.clear();
  while (ps_.running() > 0 && ps_.next_completion() <= now + slack) due_.push_back(static_cast<std::uint32_t>(ps_.pop(now)));
  schedule();
  // Clients may start work here again (a worker takes its next job): after the bookkeeping.
  std::vector<std::uint32_t> due;
  due.swap(due_);
  for (std::uint32_t idx : due) finish(idx, true);
  due.clear();
  if (due_.empty()) due_.swap(due);  // keep the scratch buffer's capacity
}

void HostCpu::release(std::uint32_t idx) {
  Job& j = jobs_[idx];
  j.live = false;
  j.in_simgrid = false;
  j.client = nullptr;
  ++j.gen;
  jobs_.release(idx);
}

void HostCpu::finish(std::uint32_t idx, bool ok) {
  Job& j = jobs_[idx];
  CpuClient* client = j.client;
  std::uint64_t token = j.token;
  release(idx);
  --running_;
  client->cpu_done(token, ok);
}

void HostCpu::cancel(Handle h) {
  if (h.index >= jobs_.size()) return;
  Job& j = jobs_[h.index];
  if (j.gen != h.gen || !j.live) return;
  j.live = false;
  --running_;
  if (j.in_simgrid) {
    // Its completion callback (fired by cancel) frees the slot.
    std::uint32_t idx = h.index, gen = h.gen;
    kernel_.at_simgrid_date([this, idx, gen] {
      Job& x = jobs_[idx];
      if (x.gen == gen && x.exec) x.exec->cancel();
    });
    return;
  }
  ps_.remove(kernel_.now(), j.slot);
  release(h.index);
  schedule();
}

void HostCpu::fail_all() {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> victims;  // (start order, index)
  for (std::uint32_t i = 0; i < jobs_.size(); ++i) {
    if (jobs_[i].live) victims.emplace_back(jobs_[i].order, i);
  }
  std::sort(victims.begin(), victims.end());
  const double now = kernel_.now();
  std::vector<std::pair<CpuClient*, std::uint64_t>> told;
  for (auto [order, idx] : victims) {
    Job& j = jobs_[idx];
    told.emplace_back(j.client, j.token);
    j.live = false;
    --running_;
    if (j.in_simgrid) {
      if (j.exec) j.exec->cancel();  // the callback frees the slot (crashes run at SimGrid's date)
    } else {
      ps_.remove(now, j.slot);
      release(idx);
    }
  }
  schedule();
  for (auto [client, token] : told) client->cpu_done(token, false);
}

void HostCpu::speed_changed() {
  ps_.set_speed(kernel_.now(), frozen_ ? 0.0 : current_speed());
  schedule();
}

// A frozen process: the kernel's share runs at speed 0. Executions SimGrid holds
// (--cpu-model simgrid) are suspended and resumed with it.
void HostCpu::freeze() {
  frozen_ = true;
  speed_changed();
  for (std::uint32_t i = 0; i < jobs_.size(); ++i) {
    Job& j = jobs_[i];
    if (j.live && j.in_simgrid && j.exec) j.exec->suspend();
  }
}

void HostCpu::thaw() {
  frozen_ = false;
  speed_changed();
  for (std::uint32_t i = 0; i < jobs_.size(); ++i) {
    Job& j = jobs_[i];
    if (j.live && j.in_simgrid && j.exec) j.exec->resume();
  }
}

void HostCpu::to_simgrid(double now) {
  // Every job the kernel runs here continues as an execution with the work it has left.
  std::vector<model::ProcessorSharing::Slot> slots = ps_.slots();
  std::vector<std::pair<std::uint64_t, std::uint32_t>> moving;
  for (auto s : slots) {
    auto idx = static_cast<std::uint32_t>(ps_.token(s));
    moving.emplace_back(jobs_[idx].order, idx);
  }
  std::sort(moving.begin(), moving.end());
  for (auto [order, idx] : moving) {
    double left = ps_.remaining(now, jobs_[idx].slot);
    ps_.remove(now, jobs_[idx].slot);
    start_exec(idx, left);
  }
}

void HostCpu::start_exec(std::uint32_t idx, double flops) {
  Job& j = jobs_[idx];
  j.in_simgrid = true;
  ++in_simgrid_;
  std::uint32_t gen = j.gen;
  kernel_.at_simgrid_date([this, idx, gen, flops] {
    Job& x = jobs_[idx];
    if (x.gen != gen) return;
    if (!x.live) {  // cancelled before it could start
      --in_simgrid_;
      release(idx);
      return;
    }
    x.exec = sg::Exec::init();
    x.exec->set_flops_amount(std::max(flops, 1.0))->set_host(host_);
    x.exec->set_data(static_cast<ActivityTag*>(&x));
    x.exec->start();
    if (frozen_) x.exec->suspend();
  });
}

void HostCpu::exec_ended(Job& j, bool ok) {
  --in_simgrid_;
  kernel_.retire(std::move(j.exec));
  j.exec = nullptr;
  if (!j.live) {  // cancelled, or failed with its host: its client has been told
    release(j.index);
    return;
  }
  finish(j.index, ok);
}

void HostCpu::on_activity_completion(const sg::Activity& activity, ActivityTag* tag) {
  auto* j = static_cast<Job*>(tag);
  if (!j->owner || static_cast<const sg::Activity*>(j->exec.get()) != &activity) return;  // already retired
  HostCpu& cpu = *j->owner;
  try {
    cpu.kernel_.enter();
    cpu.exec_ended(*j, activity.get_state() == sg::Activity::State::FINISHED);
  } catch (const std::exception& e) {
    cpu.kernel_.record_failure(e.what());
  }
}

}  // namespace sim::engine
