#include "sim/engine/database.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

using topology::ReplicationMode;

const char* primary_state_name(Database::PrimaryState s) {
  switch (s) {
    case Database::PrimaryState::kUp: return "up";
    case Database::PrimaryState::kCrashed: return "crashed";
    case Database::PrimaryState::kPromoting: return "promoting";
    case Database::PrimaryState::kReconnecting: return "reconnecting";
    case Database::PrimaryState::kSwitchover: return "switchover";
    case Database::PrimaryState::kRestoring: return "restoring";
  }
  return "?";
}

double* Database::WriteLog::push(double ack) {
  if (count_ == capacity()) {
    // Grow: unroll the ring into a buffer twice as large.
    std::vector<double> bigger(std::max<std::size_t>(64, 2 * capacity()) * stride_);
    for (std::size_t k = 0; k < count_; ++k) std::copy(at(k), at(k) + stride_, &bigger[k * stride_]);
    buf_.swap(bigger);
    head_ = 0;
  }
  double* rec = &buf_[((head_ + count_) % capacity()) * stride_];
  ++count_;
  rec[0] = ack;
  rec[1] = ack;
  return rec + 2;
}

void Database::WriteLog::pop_front() {
  head_ = (head_ + 1) % capacity();
  --count_;
}

Database::Database(World& world, int component) : w_(world), component_(component), stations_(world.comp(component).stations) {
  open_connections_.assign(stations_.size(), 0);
  pending_writes_.set_instances(stations_.size());
  pool_of_.assign(w_.stations.size() * stations_.size(), -1);
}

int Database::station_of(int instance) const { return stations_[static_cast<std::size_t>(instance)]; }
int Database::primary_station() const { return station_of(primary_); }

void Database::set_state(PrimaryState s) { state_ = s; }

// ---- the request path ------------------------------------------------------------------

int Database::route(bool to_replica) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  if (!to_replica || spec.replicas == 0) return state_ == PrimaryState::kUp ? primary_station() : -1;
  // Reads rotate over the replicas that are up; none up: the primary serves them.
  const std::size_t n = stations_.size();
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t idx = (static_cast<std::size_t>(replica_rr_) + k) % n;
    if (static_cast<int>(idx) != primary_ && w_.st(stations_[idx]).up) {
      replica_rr_ = static_cast<int>(idx) + 1;
      return stations_[idx];
    }
  }
  return primary_station();
}

double Database::acquire_timeout() const { return w_.comp(component_).spec->database()->pool.acquire_timeout; }

Database::Acquire Database::acquire(int client_station, int server_station, JobRef job, int* pool_out,
                                    std::uint32_t* epoch) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  int instance = w_.st(server_station).index;
  int& slot = pool_of_[static_cast<std::size_t>(client_station) * stations_.size() + static_cast<std::size_t>(instance)];
  if (slot < 0) {
    slot = static_cast<int>(pools_.size());
    pools_.push_back(Pool{client_station, server_station, 0, 0, 0, {}});
  }
  *pool_out = slot;
  Pool& p = pools_[static_cast<std::size_t>(slot)];
  *epoch = p.epoch;
  if (p.in_use < p.open) {
    ++p.in_use;
    return Acquire::kGranted;
  }
  int& open = open_connections_[static_cast<std::size_t>(instance)];
  if (p.open < spec.pool.max) {
    if (open < spec.max_connections) {
      ++open;
      connections_max_ = std::max(connections_max_, open);
      ++p.open;
      ++p.in_use;
      return Acquire::kGranted;
    }
    if (p.open == 0) {  // PostgreSQL: "too many clients already"
      ++refused_;
      return Acquire::kRefused;
    }
  }
  p.waiters.push_back(job);
  return Acquire::kWaiting;
}

void Database::release(int pool, std::uint32_t epoch) {
  Pool& p = pools_[static_cast<std::size_t>(pool)];
  if (p.epoch != epoch) return;
  if (!p.waiters.empty()) {
    JobRef next = p.waiters.front();
    p.waiters.pop_front();
    w_.flow->pool_granted(next);  // the connection stays in use, by the waiter
    return;
  }
  if (p.in_use > 0) --p.in_use;
}

void Database::cancel_wait(int pool, JobRef job) {
  auto& waiters = pools_[static_cast<std::size_t>(pool)].waiters;
  auto it = std::find(waiters.begin(), waiters.end(), job);
  if (it != waiters.end()) waiters.erase(it);
}

double Database::sample_lag() {
  double lag = w_.comp(component_).spec->database()->replication.lag.sample(w_.rng_service);
  lag_hist_.add(lag);
  window_lag_max_ = std::max(window_lag_max_, lag);
  return lag;
}

double Database::acknowledge_write(int server_station) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  if (spec.replication.mode != ReplicationMode::kSync || spec.replicas == 0) return 0;
  // Synchronous commit: the first standby that is up confirms (synchronous_standby_names = FIRST 1).
  for (std::size_t i = 0; i < stations_.size(); ++i) {
    if (static_cast<int>(i) == primary_ || !w_.st(stations_[i]).up) continue;
    double lag = sample_lag();
    return 2 * w_.latency(server_station, stations_[i]) + lag;
  }
  // No standby is up: the primary goes on alone (RDS multi-AZ after a failover,
  // Patroni's non-strict synchronous mode), so writes continue without a copy.
  return 0;
}

void Database::record_write() {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  const double now = w_.kernel.now();
  ++writes_;
  // Backups are taken at k × interval (k >= 0); count the writes since the last one.
  if (spec.backup.interval > 0) {
    long period = static_cast<long>(std::floor(now / spec.backup.interval));
    if (period != backup_period_) {
      backup_period_ = period;
      writes_since_backup_ = 0;
      first_write_since_backup_ = -1;
    }
    ++writes_since_backup_;
    if (first_write_since_backup_ < 0) first_write_since_backup_ = now;
  }
  if (spec.replicas == 0) return;
  // Forget writes every tracked replica has applied.
  while (pending_writes_.size() > 0 && pending_writes_.done_at(0) <= now) pending_writes_.pop_front();
  if (spec.replication.mode == ReplicationMode::kSync) return;  // acknowledged only once on a standby: RPO 0
  double* apply = pending_writes_.push(now);
  double done = now;
  for (std::size_t i = 0; i < stations_.size(); ++i) {
    apply[i] = -1;
    if (static_cast<int>(i) == primary_ || !w_.st(stations_[i]).up) continue;
    apply[i] = now + sample_lag();
    done = std::max(done, apply[i]);
  }
  apply[-1] = done;  // the record's "applied everywhere at"

}

// ---- the primary's state machine ------------------------------------------------------------

void Database::on_primary_crash(const std::string& fault) {
  const double now = w_.kernel.now();
  set_state(PrimaryState::kCrashed);
  crashed_at_ = now;
  crash_fault_ = fault;
  // Replication stops now: what each replica has not applied yet is lost if it is promoted.
  crash_losses_.assign(stations_.size(), {0, -1.0});
  for (std::size_t k = 0; k < pending_writes_.size(); ++k) {
    double ack = pending_writes_.ack(k);
    if (ack > now) continue;
    for (std::size_t i = 0; i < stations_.size(); ++i) {
      if (pending_writes_.apply(k, i) > now) {
        auto& [lost, oldest] = crash_losses_[i];
        ++lost;
        if (oldest < 0 || ack < oldest) oldest = ack;
      }
    }
  }
  pending_writes_.clear();
}

void Database::promote(bool planned, const std::string& why) {
  const double now = w_.kernel.now();
  int best = -1;
  for (std::size_t i = 0; i < stations_.size(); ++i) {
    if (static_cast<int>(i) == primary_ || !w_.st(stations_[i]).up) continue;
    // The replica that lost the fewest writes (the least lag), as Patroni and RDS choose.
    std::uint64_t lost = crash_losses_.empty() ? 0 : crash_losses_[i].first;
    std::uint64_t best_lost = best < 0 || crash_losses_.empty() ? ~0ULL : crash_losses_[static_cast<std::size_t>(best)].first;
    if (best < 0 || lost < best_lost) best = static_cast<int>(i);
  }
  if (best < 0) {
    w_.timeline(now, "failover_failed", w_.comp(component_).spec->name, "no replica is up to promote");
    return;
  }
  int old = primary_;
  primary_ = best;
  const std::string& name = w_.st(station_of(best)).name;
  if (!planned && !crash_losses_.empty()) {
    auto [lost, oldest] = crash_losses_[static_cast<std::size_t>(best)];
    model::DataLoss loss;
    loss.fault = crash_fault_;
    loss.time = crashed_at_;
    loss.writes_lost = lost;
    loss.rpo = lost ? crashed_at_ - oldest : 0;
    loss.explanation = lost ? fmt::format("{} writes acknowledged by {} in the {} before its crash had not reached {} "
                                          "(async replication)",
                                          lost, w_.st(station_of(old)).name, core::format_duration(loss.rpo), name)
                            : fmt::format("{} had applied every acknowledged write", name);
    w_.result.data_losses.push_back(loss);
  }
  crash_losses_.clear();
  crashed_at_ = -1;
  w_.timeline(now, "promote", name, fmt::format("{} promoted to primary ({})", name, why));
}

void Database::start() {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  if (spec.replicas > 0 && spec.failover.automatic) {
    w_.spawn("failover-" + w_.comp(component_).spec->name, w_.platform->control(), [this] { failover_loop(); })->daemonize();
  }
}

// The failover controller (Patroni / RDS style): health checks on the primary;
// after `unhealthy_threshold` failures it promotes a replica (`promote` takes
// time), and clients reconnect once the DNS record's TTL has passed.
void Database::failover_loop() {
  const topology::FailoverSpec f = w_.comp(component_).spec->database()->failover;
  const topology::HealthCheck& hc = f.detection;
  const std::string& name = w_.comp(component_).spec->name;
  core::Rng rng = w_.streams.stream("failover:" + name);
  sg::this_actor::sleep_for(rng.uniform(0, hc.interval));
  int fails = 0;
  while (true) {
    w_.kernel.enter();
    double tick = w_.kernel.now();
    bool ok = w_.st(primary_station()).up && state_ != PrimaryState::kRestoring;
    if (ok) {
      fails = 0;
    } else if (state_ == PrimaryState::kCrashed) {
      // A failed check is known when it times out.
      sg::this_actor::sleep_for(hc.timeout);
      w_.kernel.enter();
      ++fails;
      if (fails >= hc.unhealthy_threshold && state_ == PrimaryState::kCrashed) {
        double now = w_.kernel.now();
        w_.timeline(now, "detect", name,
                    fmt::format("primary {} detected down after {} failed checks ({} after the crash)",
                                w_.st(primary_station()).name, fails, core::format_duration(now - crashed_at_)));
        set_state(PrimaryState::kPromoting);
        sg::this_actor::sleep_for(f.promote);
        w_.kernel.enter();
        if (state_ != PrimaryState::kPromoting) {  // the old primary came back first: nothing to promote
          fails = 0;
          sg::this_actor::sleep_until(std::max(sg::Engine::get_clock(), tick + hc.interval));
          continue;
        }
        promote(false, fmt::format("promotion took {}", core::format_duration(f.promote)));
        if (!w_.st(primary_station()).up) {
          set_state(PrimaryState::kCrashed);  // nobody to promote: the next checks try again
        } else {
          set_state(PrimaryState::kReconnecting);
          if (f.dns_ttl > 0) sg::this_actor::sleep_for(f.dns_ttl);
          w_.kernel.enter();
          if (state_ == PrimaryState::kReconnecting && w_.st(primary_station()).up) {
            set_state(PrimaryState::kUp);
            w_.timeline(w_.kernel.now(), "reconnect", name,
                        f.dns_ttl > 0
                            ? fmt::format("clients reconnected after the DNS TTL of {}", core::format_duration(f.dns_ttl))
                            : "clients reconnected");
          }
        }
        fails = 0;
      }
    }
    sg::this_actor::sleep_until(std::max(sg::Engine::get_clock(), tick + hc.interval));
  }
}

void Database::switchover(const std::string& fault) {
  (void)fault;
  set_state(PrimaryState::kSwitchover);
  double promote_time = w_.comp(component_).spec->database()->failover.promote;
  w_.spawn("switchover", w_.platform->control(), [this, promote_time] {
    sg::this_actor::sleep_for(promote_time);
    w_.kernel.enter();
    promote(true, "planned switchover, replicas caught up first: no data lost");
    set_state(PrimaryState::kUp);
  });
}

void Database::restore_from_backup(const std::string& fault) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  const double now = w_.kernel.now();
  const std::string& name = w_.comp(component_).spec->name;
  // Everything is lost back to the last backup; the data is rebuilt from it.
  double backup_time = std::floor(now / spec.backup.interval) * spec.backup.interval;
  long period = static_cast<long>(std::floor(now / spec.backup.interval));
  std::uint64_t lost = backup_period_ == period ? writes_since_backup_ : 0;
  model::DataLoss loss;
  loss.fault = fault;
  loss.time = now;
  loss.writes_lost = lost;
  loss.rpo = lost ? now - first_write_since_backup_ : 0;
  loss.explanation = fmt::format("restored from the backup of t={} (every {}): {} writes since then are lost",
                                 core::format_duration(backup_time), core::format_duration(spec.backup.interval), lost);
  w_.result.data_losses.push_back(loss);
  writes_since_backup_ = 0;
  first_write_since_backup_ = -1;
  set_state(PrimaryState::kRestoring);
  for (int si : stations_) w_.crash_station(si, fault + " (data lost, restoring from backup)");
  pending_writes_.clear();
  w_.timeline(now, "restore", name,
              fmt::format("restoring {} at {} (expected {})", core::format_size(spec.backup.size),
                          core::format_bandwidth(spec.backup.restore_rate), core::format_duration(spec.backup.restore_time())));
  sg::Host* store = w_.platform->backup_store(component_);
  w_.spawn(name + "-restore", store, [this, store] {
    const topology::DatabaseSpec& sp = *w_.comp(component_).spec->database();
    sg::Host* target = w_.host_of(primary_station());
    double start = sg::Engine::get_clock();
    target->turn_on();  // the restore target must be up to receive
    // The restore is a transfer over the backup store's link (restore_rate): a bandwidth fault slows it.
    sg::Comm::sendto(store, target, static_cast<std::uint64_t>(sp.backup.size));
    target->turn_off();
    w_.kernel.enter();
    for (int si : stations_) w_.recover_station(si, 0);
    set_state(PrimaryState::kUp);
    w_.timeline(w_.kernel.now(), "restored", w_.comp(component_).spec->name,
                fmt::format("restore took {}", core::format_duration(w_.kernel.now() - start)));
  });
}

// ---- Tier ---------------------------------------------------------------------------------

void Database::instance_down(int station, const std::string& why) {
  // Connections to it are gone (its clients' pools lose them).
  for (Pool& p : pools_) {
    if (p.server_station == station) {
      open_connections_[static_cast<std::size_t>(w_.st(station).index)] -= p.open;
      p.open = 0;
      p.in_use = 0;
      ++p.epoch;
    }
  }
  if (station == primary_station() && state_ != PrimaryState::kRestoring) on_primary_crash(why);
}

void Database::instance_up(int station) {
  // The primary came back before a replica was promoted (even while the promotion
  // was under way: it is abandoned): its data is durable, nothing was lost.
  if (station == primary_station() && (state_ == PrimaryState::kCrashed || state_ == PrimaryState::kPromoting)) {
    crashed_at_ = -1;
    crash_losses_.clear();
    set_state(PrimaryState::kUp);
  }
}

void Database::client_down(int station) {
  // The client's pools close with it.
  for (Pool& p : pools_) {
    if (p.client_station == station) {
      open_connections_[static_cast<std::size_t>(w_.st(p.server_station).index)] -= p.open;
      p.open = 0;
      p.in_use = 0;
      ++p.epoch;
      p.waiters.clear();
    }
  }
}

void Database::collect(model::ComponentStats& out) {
  out.writes = writes_;
  out.connections_max = connections_max_;
  out.connections_refused = refused_;
  out.replication_lag_mean = lag_hist_.mean();
  out.replication_lag_max = lag_hist_.max();
  out.replication_lag_p99 = lag_hist_.quantile(0.99);
}

double Database::window_extra() {
  double v = window_lag_max_;
  window_lag_max_ = 0;
  return v;
}

}  // namespace sim::engine
