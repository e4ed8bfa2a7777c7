// The data tier's behaviour over time: replication and write tracking (RPO),
// primary failover, sync replication, backup restore, and message queues.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

using topology::Kind;
using topology::ReplicationMode;

// ---- replication and write tracking -------------------------------------------

void World::record_write(int db, double now) {
  ComponentRt& c = comp(db);
  const topology::DatabaseSpec& spec = *c.spec->database();
  ++c.writes;
  // Backups are taken at k × interval (k >= 0); count the writes since the last one.
  if (spec.backup.interval > 0) {
    long period = static_cast<long>(std::floor(now / spec.backup.interval));
    if (period != c.backup_period) {
      c.backup_period = period;
      c.writes_since_backup = 0;
      c.first_write_since_backup = -1;
    }
    ++c.writes_since_backup;
    if (c.first_write_since_backup < 0) c.first_write_since_backup = now;
  }
  if (spec.replicas == 0) return;
  // Forget writes every tracked replica has applied.
  while (!c.pending_writes.empty()) {
    const WriteRecord& front = c.pending_writes.front();
    bool done = std::all_of(front.apply.begin(), front.apply.end(), [&](double a) { return a <= now; });
    if (!done) break;
    c.pending_writes.pop_front();
  }
  if (spec.replication.mode == ReplicationMode::kSync) return;  // acknowledged only once on a standby: RPO 0
  WriteRecord w;
  w.ack = now;
  w.apply.assign(c.stations.size(), -1);
  for (std::size_t i = 0; i < c.stations.size(); ++i) {
    if (static_cast<int>(i) == c.primary || !st(c.stations[i]).up) continue;
    double lag = spec.replication.lag.sample(rng_service);
    w.apply[i] = now + lag;
    c.lag_hist.add(lag);
    c.window_lag_max = std::max(c.window_lag_max, lag);
  }
  c.pending_writes.push_back(std::move(w));
}

bool World::sync_wait(int db, int primary_station, double* wait) {
  ComponentRt& c = comp(db);
  const topology::DatabaseSpec& spec = *c.spec->database();
  // The first standby that is up confirms (synchronous_standby_names = FIRST 1).
  for (std::size_t i = 0; i < c.stations.size(); ++i) {
    if (static_cast<int>(i) == c.primary || !st(c.stations[i]).up) continue;
    double lag = spec.replication.lag.sample(rng_service);
    c.lag_hist.add(lag);
    c.window_lag_max = std::max(c.window_lag_max, lag);
    *wait = 2 * latency(primary_station, c.stations[i]) + lag;
    return true;
  }
  // No standby is up: the primary goes on alone (RDS multi-AZ after a failover,
  // Patroni's non-strict synchronous mode), so writes continue without a copy.
  *wait = 0;
  return true;
}

void World::on_primary_crash(int db, double now, const std::string& fault) {
  ComponentRt& c = comp(db);
  c.primary_available = false;
  c.crashed_at = now;
  c.crash_fault = fault;
  // Replication stops now: what each replica has not applied yet is lost if it is promoted.
  c.crash_losses.assign(c.stations.size(), {0, -1.0});
  for (const WriteRecord& w : c.pending_writes) {
    if (w.ack > now) continue;
    for (std::size_t i = 0; i < c.stations.size(); ++i) {
      if (w.apply[i] > now) {
        auto& [lost, oldest] = c.crash_losses[i];
        ++lost;
        if (oldest < 0 || w.ack < oldest) oldest = w.ack;
      }
    }
  }
  c.pending_writes.clear();
}

void World::promote(int db, double now, bool planned, const std::string& why) {
  ComponentRt& c = comp(db);
  int best = -1;
  for (std::size_t i = 0; i < c.stations.size(); ++i) {
    if (static_cast<int>(i) == c.primary || !st(c.stations[i]).up) continue;
    // The replica that lost the fewest writes (the least lag), as Patroni and RDS choose.
    std::uint64_t lost = c.crash_losses.empty() ? 0 : c.crash_losses[i].first;
    std::uint64_t best_lost = best < 0 || c.crash_losses.empty() ? ~0ULL : c.crash_losses[static_cast<std::size_t>(best)].first;
    if (best < 0 || lost < best_lost) best = static_cast<int>(i);
  }
  if (best < 0) {
    timeline(now, "failover_failed", c.spec->name, "no replica is up to promote");
    return;
  }
  int old = c.primary;
  c.primary = best;
  const std::string& name = st(c.stations[static_cast<std::size_t>(best)]).name;
  if (!planned && !c.crash_losses.empty()) {
    auto [lost, oldest] = c.crash_losses[static_cast<std::size_t>(best)];
    model::DataLoss loss;
    loss.fault = c.crash_fault;
    loss.time = c.crashed_at;
    loss.writes_lost = lost;
    loss.rpo = lost ? c.crashed_at - oldest : 0;
    loss.explanation = lost ? fmt::format("{} writes acknowledged by {} in the {} before its crash had not reached {} "
                                          "(async replication)",
                                          lost, st(c.stations[static_cast<std::size_t>(old)]).name,
                                          core::format_duration(loss.rpo), name)
                            : fmt::format("{} had applied every acknowledged write", name);
    result.data_losses.push_back(loss);
  }
  c.crash_losses.clear();
  c.crashed_at = -1;
  timeline(now, "promote", name, fmt::format("{} promoted to primary ({})", name, why));
}

void World::failover_controller(int db) {
  ComponentRt& c = comp(db);
  const topology::FailoverSpec f = c.spec->database()->failover;
  const topology::HealthCheck& hc = f.detection;
  core::Rng rng = streams.stream("failover:" + c.spec->name);
  sg::this_actor::sleep_for(rng.uniform(0, hc.interval));
  int fails = 0;
  while (true) {
    double tick = sg::Engine::get_clock();
    bool ok = st(c.stations[static_cast<std::size_t>(c.primary)]).up && !c.restoring;
    if (ok) {
      fails = 0;
    } else if (c.crashed_at >= 0) {
      // A failed check is known when it times out.
      sg::this_actor::sleep_for(hc.timeout);
      ++fails;
      if (fails >= hc.unhealthy_threshold) {
        double now = sg::Engine::get_clock();
        timeline(now, "detect", c.spec->name,
                 fmt::format("primary {} detected down after {} failed checks ({} after the crash)",
                             st(c.stations[static_cast<std::size_t>(c.primary)]).name, fails,
                             core::format_duration(now - c.crashed_at)));
        sg::this_actor::sleep_for(f.promote);
        now = sg::Engine::get_clock();
        promote(db, now, false, fmt::format("promotion took {}", core::format_duration(f.promote)));
        if (f.dns_ttl > 0) sg::this_actor::sleep_for(f.dns_ttl);
        now = sg::Engine::get_clock();
        if (st(c.stations[static_cast<std::size_t>(c.primary)]).up) {
          c.primary_available = true;
          timeline(now, "reconnect", c.spec->name,
                   f.dns_ttl > 0 ? fmt::format("clients reconnected after the DNS TTL of {}", core::format_duration(f.dns_ttl))
                                 : "clients reconnected");
        }
        fails = 0;
        sg::this_actor::sleep_until(std::max(sg::Engine::get_clock(), tick + hc.interval));
        continue;
      }
    }
    sg::this_actor::sleep_until(std::max(sg::Engine::get_clock(), tick + hc.interval));
  }
}

void World::restore_from_backup(int db, double now, const std::string& fault) {
  ComponentRt& c = comp(db);
  const topology::DatabaseSpec& spec = *c.spec->database();
  // Everything is lost back to the last backup; the data is rebuilt from it.
  double backup_time = std::floor(now / spec.backup.interval) * spec.backup.interval;
  long period = static_cast<long>(std::floor(now / spec.backup.interval));
  std::uint64_t lost = c.backup_period == period ? c.writes_since_backup : 0;
  model::DataLoss loss;
  loss.fault = fault;
  loss.time = now;
  loss.writes_lost = lost;
  loss.rpo = lost ? now - c.first_write_since_backup : 0;
  loss.explanation = fmt::format("restored from the backup of t={} (every {}): {} writes since then are lost",
                                 core::format_duration(backup_time), core::format_duration(spec.backup.interval), lost);
  result.data_losses.push_back(loss);
  c.writes_since_backup = 0;
  c.first_write_since_backup = -1;
  c.restoring = true;
  c.primary_available = false;
  for (int si : c.stations) crash_station(si, now, fault + " (data lost, restoring from backup)");
  c.pending_writes.clear();
  timeline(now, "restore", c.spec->name,
           fmt::format("restoring {} at {} (expected {})", core::format_size(spec.backup.size),
                       core::format_bandwidth(spec.backup.restore_rate), core::format_duration(spec.backup.restore_time())));
  spawn(c.spec->name + "-restore", c.backup_store, [this, db]() {
    ComponentRt& rc = comp(db);
    const topology::DatabaseSpec& sp = *rc.spec->database();
    int primary_station = rc.stations[static_cast<std::size_t>(rc.primary)];
    double start = sg::Engine::get_clock();
    st(primary_station).host->turn_on();  // the restore target must be up to receive
    // The restore is a transfer over the backup store's link (restore_rate): a bandwidth fault slows it.
    sg::Comm::sendto(rc.backup_store, st(primary_station).host, static_cast<std::uint64_t>(sp.backup.size));
    st(primary_station).host->turn_off();
    double now2 = sg::Engine::get_clock();
    for (int si : rc.stations) recover_station(si, now2, 0);
    rc.restoring = false;
    rc.primary_available = true;
    timeline(now2, "restored", rc.spec->name, fmt::format("restore took {}", core::format_duration(now2 - start)));
  });
}

// ---- message queues ------------------------------------------------------------

void World::publish(int queue, double now) {
  ComponentRt& c = comp(queue);
  (void)now;
  c.messages.push_back(Message{sg::Engine::get_clock(), 0});
  c.depth_max = std::max<std::uint64_t>(c.depth_max, c.messages.size());
  c.window_depth_max = std::max<std::uint64_t>(c.window_depth_max, c.messages.size());
  c.available->release();
}

void World::consumer_loop(int queue, int slot_index) {
  ComponentRt& c = comp(queue);
  const topology::QueueSpec& q = *c.spec->queue();
  core::Rng rng = streams.stream(fmt::format("consumer:{}:{}", c.spec->name, slot_index));
  while (true) {
    c.available->acquire();
    if (c.messages.empty()) continue;  // a token left by a message a dead consumer took
    ConsumerSlot& slot = c.slots[static_cast<std::size_t>(slot_index)];
    slot.current = c.messages.front();
    c.messages.pop_front();
    Station& s = st(slot.station);
    exec_on(s, q.service_time.sample(rng_service));
    Message m = *slot.current;
    slot.current.reset();
    if (q.failure_ratio > 0 && rng.bernoulli(q.failure_ratio)) {
      ++m.attempts;
      if (m.attempts > q.max_retries) {
        ++c.dead_letters;  // dead-letter exchange
      } else {
        ++c.retried;
        c.retry_line.emplace_back(sg::Engine::get_clock() + q.retry_delay, m);
        c.retry_wake->release();
      }
    } else {
      ++c.jobs_done;
    }
  }
}

void World::retry_loop(int queue) {
  ComponentRt& c = comp(queue);
  while (true) {
    c.retry_wake->acquire();
    if (c.retry_line.empty()) continue;
    auto [due, m] = c.retry_line.front();
    c.retry_line.pop_front();
    if (due > sg::Engine::get_clock()) sg::this_actor::sleep_until(due);
    c.messages.push_back(m);
    c.depth_max = std::max<std::uint64_t>(c.depth_max, c.messages.size());
    c.window_depth_max = std::max<std::uint64_t>(c.window_depth_max, c.messages.size());
    c.available->release();
  }
}

}  // namespace sim::engine
