#include "sim/engine/cpu.h"

#include <algorithm>
#include <exception>

#include "sim/engine/station.h"

namespace sim::engine {

namespace sg = simgrid::s4u;

namespace {
// A shared host's groups run at the per-job rate rerate() gives them: their own
// ProcessorSharing must not divide it again.
constexpr int kUncapped = 1 << 30;
}  // namespace

HostCpu::HostCpu(Kernel& kernel, sg::Host* host, CpuMode model, Sharing sharing)
    : kernel_(kernel), host_(host), model_(model), sharing_(sharing), cores_(host->get_core_count()) {
  handoff_ = model_ == CpuMode::kSimGrid;
}

double HostCpu::current_speed() const { return host_->get_speed() * host_->get_available_speed(); }

int HostCpu::add_group(double cap, Station* station) {
  groups_.push_back(Group{model::ProcessorSharing(cores_, host_->get_speed()), cap, station, 0, false});
  shared_ = groups_.size() > 1 || cap > 0;
  handoff_ = handoff_ && !shared_;
  if (shared_) {
    for (Group& g : groups_) g.ps = model::ProcessorSharing(kUncapped, host_->get_speed());
    rerate(kernel_.now());
  }
  return static_cast<int>(groups_.size()) - 1;
}

// Max-min fairness between the busy groups: each weighs 1 (containers) or its running jobs
// (processes) and wants min(running, cores) cores, at most its cap; what a group cannot use
// goes to the others. Its jobs share its allocation equally.
void HostCpu::rerate(double now) {
  const double speed = current_speed();
  const bool by_jobs = sharing_ == Sharing::kProcesses;
  auto weight = [&](const Group& g) { return by_jobs ? static_cast<double>(g.ps.running()) : 1.0; };
  auto demand = [&](const Group& g) {
    double d = std::min<double>(static_cast<double>(g.ps.running()), cores_);
    if (g.cap > 0) d = std::min(d, g.cap);
    return d * speed;
  };
  order_scratch_.clear();
  double weights = 0;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    const Group& g = groups_[i];
    if (g.ps.running() == 0 || g.frozen) continue;
    order_scratch_.push_back(static_cast<int>(i));
    weights += weight(g);
  }
  std::sort(order_scratch_.begin(), order_scratch_.end(), [&](int a, int b) {
    const Group& x = groups_[static_cast<std::size_t>(a)];
    const Group& y = groups_[static_cast<std::size_t>(b)];
    double dx = demand(x) / weight(x), dy = demand(y) / weight(y);
    return dx < dy || (dx == dy && a < b);
  });
  double left = cores_ * speed;
  for (int gi : order_scratch_) {
    Group& g = groups_[static_cast<std::size_t>(gi)];
    double w = weight(g);
    double alloc = std::min(demand(g), left * w / weights);
    left -= alloc;
    weights -= w;
    double rate = alloc / static_cast<double>(g.ps.running());
    g.ps.set_speed(now, rate);
    if (g.station) g.station->set_cpu_share(now, speed > 0 ? rate / speed : 0);
  }
  for (Group& g : groups_) {
    if (g.ps.running() > 0 && !g.frozen) continue;
    g.ps.set_speed(now, g.frozen ? 0.0 : speed);
    if (g.station) g.station->set_cpu_share(now, g.frozen ? 0.0 : 1.0);
  }
}

HostCpu::Handle HostCpu::start(int group, double demand, CpuClient* client, std::uint64_t token) {
  std::uint32_t idx = jobs_.acquire();
  Job& j = jobs_[idx];
  j.owner = this;
  j.index = idx;
  j.client = client;
  j.token = token;
  j.order = order_++;
  j.group = group;
  j.live = true;
  j.in_simgrid = false;
  ++running_;
  Group& g = groups_[static_cast<std::size_t>(group)];
  ++g.running;
  const double flops = demand * kFlopsPerSecond;
  const double now = kernel_.now();
  if (handoff_ && (in_simgrid_ > 0 || static_cast<int>(g.ps.running()) + 1 > g.ps.cores())) {
    // Contended: SimGrid shares this host from now on, until it has no execution left.
    to_simgrid(now);
    start_exec(idx, flops);
  } else {
    j.slot = g.ps.add(now, flops, idx);
    if (shared_) rerate(now);
    schedule();
  }
  return {idx, j.gen};
}

double HostCpu::next_completion() const {
  double t = model::ProcessorSharing::kNever;
  for (const Group& g : groups_) t = std::min(t, g.ps.next_completion());
  return t;
}

void HostCpu::schedule() {
  double t = next_completion();
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
  if (!shared_) {
    model::ProcessorSharing& ps = groups_.front().ps;
    while (ps.running() > 0 && ps.next_completion() <= now + slack) due_.push_back(static_cast<std::uint32_t>(ps.pop(now)));
  } else {
    // One at a time: each completion changes the others' rates.
    while (true) {
      Group* first = nullptr;
      double t = model::ProcessorSharing::kNever;
      for (Group& g : groups_) {
        double c = g.ps.next_completion();
        if (c < t) {
          t = c;
          first = &g;
        }
      }
      if (!first || t > now + slack) break;
      due_.push_back(static_cast<std::uint32_t>(first->ps.pop(now)));
      rerate(now);
    }
  }
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
  --groups_[static_cast<std::size_t>(j.group)].running;
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
  Group& g = groups_[static_cast<std::size_t>(j.group)];
  --g.running;
  if (j.in_simgrid) {
    // Its completion callback (fired by cancel) frees the slot.
    std::uint32_t idx = h.index, gen = h.gen;
    kernel_.at_simgrid_date([this, idx, gen] {
      Job& x = jobs_[idx];
      if (x.gen == gen && x.exec) x.exec->cancel();
    });
    return;
  }
  const double now = kernel_.now();
  g.ps.remove(now, j.slot);
  release(h.index);
  if (shared_) rerate(now);
  schedule();
}

void HostCpu::fail_all() { fail_where(true, -1); }

void HostCpu::fail_group(int group) { fail_where(false, group); }

void HostCpu::fail_where(bool all, int group) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> victims;  // (start order, index)
  for (std::uint32_t i = 0; i < jobs_.size(); ++i) {
    if (jobs_[i].live && (all || jobs_[i].group == group)) victims.emplace_back(jobs_[i].order, i);
  }
  std::sort(victims.begin(), victims.end());
  const double now = kernel_.now();
  std::vector<std::pair<CpuClient*, std::uint64_t>> told;
  for (auto [order, idx] : victims) {
    Job& j = jobs_[idx];
    told.emplace_back(j.client, j.token);
    j.live = false;
    --running_;
    Group& g = groups_[static_cast<std::size_t>(j.group)];
    --g.running;
    if (j.in_simgrid) {
      if (j.exec) j.exec->cancel();  // the callback frees the slot (crashes run at SimGrid's date)
    } else {
      g.ps.remove(now, j.slot);
      release(idx);
    }
  }
  if (shared_ && !victims.empty()) rerate(now);
  schedule();
  for (auto [client, token] : told) client->cpu_done(token, false);
}

void HostCpu::speed_changed() {
  const double now = kernel_.now();
  if (shared_) {
    rerate(now);
  } else {
    Group& g = groups_.front();
    g.ps.set_speed(now, g.frozen ? 0.0 : current_speed());
  }
  schedule();
}

// The cores: every group's ProcessorSharing (unshared) or the water-filling (shared) uses them
// from now on. Work SimGrid holds already (--cpu-model simgrid) finishes there.
void HostCpu::set_cores(int cores) {
  const double now = kernel_.now();
  cores_ = cores;
  handoff_ = model_ == CpuMode::kSimGrid && !shared_ && cores_ == host_->get_core_count();
  if (shared_) {
    rerate(now);
  } else {
    for (Group& g : groups_) g.ps.set_cores(now, cores);
  }
  schedule();
}

// A frozen process: its share runs at speed 0. Executions SimGrid holds
// (--cpu-model simgrid) are suspended and resumed with it.
void HostCpu::freeze(int group) {
  groups_[static_cast<std::size_t>(group)].frozen = true;
  speed_changed();
  for (std::uint32_t i = 0; i < jobs_.size(); ++i) {
    Job& j = jobs_[i];
    if (j.live && j.group == group && j.in_simgrid && j.exec) j.exec->suspend();
  }
}

void HostCpu::thaw(int group) {
  groups_[static_cast<std::size_t>(group)].frozen = false;
  speed_changed();
  for (std::uint32_t i = 0; i < jobs_.size(); ++i) {
    Job& j = jobs_[i];
    if (j.live && j.group == group && j.in_simgrid && j.exec) j.exec->resume();
  }
}

void HostCpu::to_simgrid(double now) {
  // Every job the kernel runs here continues as an execution with the work it has left.
  model::ProcessorSharing& ps = groups_.front().ps;
  std::vector<model::ProcessorSharing::Slot> slots = ps.slots();
  std::vector<std::pair<std::uint64_t, std::uint32_t>> moving;
  for (auto s : slots) {
    auto idx = static_cast<std::uint32_t>(ps.token(s));
    moving.emplace_back(jobs_[idx].order, idx);
  }
  std::sort(moving.begin(), moving.end());
  for (auto [order, idx] : moving) {
    double left = ps.remaining(now, jobs_[idx].slot);
    ps.remove(now, jobs_[idx].slot);
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
    if (groups_[static_cast<std::size_t>(x.group)].frozen) x.exec->suspend();
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
