#pragma once
// A station: one instance with a host (a service instance, a cache node, a
// database server, a broker, a consumer, a storage node). It owns its FCFS
// queue in front of `max_workers` slots, its power state and its accounting;
// nothing of its tier (health views, pools, replication) lives here.
//
// Jobs are the request flow's (engine/flow.h); a station only holds their ids
// (RequestFlow::JobRef). The flow admits a job (admit), gives its slot back
// (release), and takes the next queued job (take_next); CPU work runs on the
// station's HostCpu and is counted here (cpu_started / cpu_ended) for the
// utilization integrals.
//
// Crash (crash()): the station goes down and hands back every job it queued or
// held, for the flow to fail; it clears nothing else. Its tier reacts to the
// crash itself (World::crash_station tells it).

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace sim::engine {

class CpuShare;

/// A job id with its generation: stale once the job slot is reused.
using JobRef = std::uint64_t;

class Station {
 public:
  // ---- identity: constant after construction (but its size: resize())
  int component = -1;
  int index = 0;                   ///< instance index within the component
  std::string name;                ///< also the SimGrid host's name
  int zone = 0;
  int cores = 1;
  double memory = 0;               ///< bytes (a service's `memory`; 0 = not modelled)
  /// Its instance type once a resize changed it ("": the component's `cost.instance`).
  std::string instance_type;
  /// Up seconds under its earlier instance types, in order (set_instance_type).
  std::vector<std::pair<std::string, double>> up_by_type;
  int max_workers = 1;
  std::size_t queue_limit = 0;     ///< 0 = unbounded
  std::vector<double> pstates;     ///< the host's speed factors: [0] = 1, then each cpu_slowdown aimed at it
  CpuShare* cpu = nullptr;         ///< its share of its host's CPU; set when the platform is built
  int machine = -1;                ///< its host (World::machines): its own, or a shared one
  double capacity = 1;             ///< cores it may use: `cores`, or its `cpus` limit (utilization's denominator)

  // ---- power, readiness and how it fails (written by World's station lifecycle only)
  bool up = true;                  ///< host on and process running
  /// Down without a word (a zone or region lost with its power or network): connections
  /// get no answer and in-flight calls never return, instead of a refusal or a reset.
  bool silent = false;
  bool hung = false;               ///< alive but unreachable (a blackhole): messages to and from it wait
  bool hang_fault = false;         ///< a hang fault is in force: a restarted process is unreachable too
  bool frozen = false;             ///< its process is stopped (SIGSTOP): it accepts connections, runs nothing
  bool started = true;             ///< provisioned (autoscaling spares start false)
  bool ready = true;               ///< booted and ready to serve
  bool draining = false;           ///< an autoscaler is removing it: no new requests
  double error_ratio = 0;          ///< an `errors` fault on it
  double net_factor = 1;           ///< a `slow` fault's hop latency factor
  double start_time = 0, ready_time = 0, drain_since = 0;
  /// Processes started so far (recover, start): a boot timer readies only the process it was set for.
  std::uint32_t incarnation = 0;

  // ---- queue and worker slots (the request flow drives them)
  enum class Admit { kStart, kQueued, kFull };
  /// A job arrives: it takes a free slot (kStart: it holds it now, at `*slot`),
  /// waits in the queue (kQueued), or the queue is full (kFull).
  Admit admit(JobRef job, double now, std::uint32_t* slot);
  /// The job holding `slot` gives it back. Returns the job that moved into
  /// `slot` (its holder position changed), or 0 when none did.
  JobRef release(std::uint32_t slot, double now);
  /// The next queued job, which takes a free slot at `*slot`; nullopt when the
  /// queue is empty. The flow drops stale jobs itself (and releases their slot).
  std::optional<JobRef> take_next(double now, std::uint32_t* slot);
  std::size_t queue_length() const { return queue_.size(); }
  int in_service() const { return static_cast<int>(holders_.size()); }

  // ---- CPU accounting
  void cpu_started(double now);
  void cpu_ended(double now, bool served);
  int busy() const { return busy_; }
  /// On a shared host (or under a `cpus` limit) each running job gets `share` of a core
  /// (HostCpu says so at every change); busy core-seconds then count busy × share.
  void set_cpu_share(double now, double share) {
    account(now);
    shared_cpu_ = true;
    share_ = share;
  }

  // ---- crash
  /// Goes down at `now`: returns the jobs queued and held here (queued first,
  /// each in arrival order) and forgets them. REQUIRES: up.
  std::vector<JobRef> crash(double now);
  /// Comes back at `now` (not ready until `ready_at_once`).
  void recover(double now, bool ready_at_once);
  /// Provisioned by an autoscaler: up, not ready yet, fresh samples.
  void start(double now);
  /// Takes a new size at `now` (World::start_station, after a resize): the ready seconds so far
  /// keep the capacity they had (ready_core_seconds).
  void resize(double now, int new_cores, double new_capacity, double new_memory);
  /// Runs as `type` from `now` on: the up seconds under the type before go to up_by_type.
  void set_instance_type(double now, const std::string& type);
  /// Up seconds under its current instance type.
  double up_seconds_as_type(double now) const { return up_seconds(now) - type_since_up_; }

  // ---- accounting: time integrals, updated at every change
  void account(double now);
  double busy_integral() const { return busy_integral_; }      ///< ∫ min(busy, cores) dt
  double queue_integral() const { return queue_integral_; }    ///< ∫ queue length dt
  double service_integral() const { return service_integral_; }///< ∫ in_service dt
  double up_seconds(double now) const { return up_seconds_ + (up ? now - up_since_ : 0); }
  /// Seconds it was up and ready to serve (not booting) until the last account(): what a
  /// utilization is taken over, so booting instances do not dilute it. Flip `ready` only after
  /// account(now) (World::mark_ready does).
  double ready_seconds() const { return ready_integral_; }
  /// ∫ capacity over the ready seconds: utilization's denominator (capacity changes with a resize).
  double ready_core_seconds() const { return ready_cores_before_ + (ready_integral_ - ready_at_resize_) * capacity; }
  std::uint64_t served() const { return served_; }
  /// A job was turned away: the queue was at queue_limit.
  void count_queue_full() {
    ++queue_full_;
    ++window_queue_full_;
  }
  std::uint64_t queue_full() const { return queue_full_; }
  std::uint64_t queue_max() const { return queue_max_; }
  double wait_sum() const { return wait_sum_; }
  std::uint64_t wait_count() const { return wait_count_; }
  /// A job that never queues (a database query: the pool is its queue) counts as served at once.
  void count_unqueued_wait() {
    ++wait_count_;
    ++window_wait_count_;
  }

  /// Per-window series: deltas since the last call (World::sample_window).
  struct WindowSample {
    double busy = 0, queue = 0, service = 0, up = 0, wait_sum = 0;
    double ready = 0;  ///< seconds up, started and ready (booted)
    double ready_cores = 0;  ///< ∫ capacity over those: utilization's denominator
    std::uint64_t wait_count = 0, queue_full = 0;
  };
  WindowSample take_window(double now);

 private:
  std::deque<std::pair<JobRef, double>> queue_;  ///< (job, enqueued at)
  std::vector<JobRef> holders_;                  ///< jobs holding a worker slot
  int busy_ = 0;                                 ///< CPU jobs running on the host for this station
  bool shared_cpu_ = false;                      ///< set_cpu_share() was called: its host is shared or capped
  double share_ = 1;                             ///< of a core per running job, when shared_cpu_
  double last_change_ = 0;
  double busy_integral_ = 0, queue_integral_ = 0, service_integral_ = 0;
  double up_since_ = 0, up_seconds_ = 0;
  double ready_integral_ = 0;  ///< seconds up, started and ready (account() integrates it)
  double ready_cores_before_ = 0, ready_at_resize_ = 0;  ///< ready_core_seconds() before the last resize
  double snap_ready_cores_ = 0;
  double type_since_up_ = 0;  ///< up_seconds() when instance_type last changed
  bool resized_since_snap_ = false;
  std::uint64_t served_ = 0, queue_max_ = 0, queue_full_ = 0, window_queue_full_ = 0;
  double wait_sum_ = 0, window_wait_sum_ = 0;
  std::uint64_t wait_count_ = 0, window_wait_count_ = 0;
  double snap_busy_ = 0, snap_queue_ = 0, snap_service_ = 0, snap_up_ = 0, snap_ready_ = 0;
};


// ---- inline: the request kernel calls these for every job

inline void Station::account(double now) {
  double dt = now - last_change_;
  if (dt > 0) {
    busy_integral_ += (shared_cpu_ ? busy_ * share_ : std::min(busy_, cores)) * dt;
    queue_integral_ += static_cast<double>(queue_.size()) * dt;
    service_integral_ += static_cast<double>(holders_.size()) * dt;
    if (up && ready && started) ready_integral_ += dt;
    last_change_ = now;
  }
}

inline Station::Admit Station::admit(JobRef job, double now, std::uint32_t* slot) {
  account(now);
  if (static_cast<int>(holders_.size()) < max_workers) {
    *slot = static_cast<std::uint32_t>(holders_.size());
    holders_.push_back(job);
    ++wait_count_;  // served at once: no wait
    ++window_wait_count_;
    return Admit::kStart;
  }
  if (queue_limit > 0 && queue_.size() >= queue_limit) return Admit::kFull;
  queue_.emplace_back(job, now);
  queue_max_ = std::max<std::uint64_t>(queue_max_, queue_.size());
  return Admit::kQueued;
}

inline JobRef Station::release(std::uint32_t slot, double now) {
  account(now);
  JobRef moved = 0;
  if (slot + 1 < holders_.size()) {
    holders_[slot] = holders_.back();
    moved = holders_[slot];
  }
  holders_.pop_back();
  return moved;
}

inline std::optional<JobRef> Station::take_next(double now, std::uint32_t* slot) {
  if (queue_.empty() || static_cast<int>(holders_.size()) >= max_workers) return std::nullopt;
  account(now);
  auto [job, enqueued] = queue_.front();
  queue_.pop_front();
  wait_sum_ += now - enqueued;
  window_wait_sum_ += now - enqueued;
  ++wait_count_;
  ++window_wait_count_;
  *slot = static_cast<std::uint32_t>(holders_.size());
  holders_.push_back(job);
  return job;
}

inline void Station::cpu_started(double now) {
  account(now);
  ++busy_;
}

inline void Station::cpu_ended(double now, bool served) {
  account(now);
  if (busy_ > 0) --busy_;
  if (served) ++served_;
}

}  // namespace sim::engine
