#include "sim/engine/database.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/world.h"
#include "sim/model/zipf.h"

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

Database::Database(World& world, int component)
    : w_(world), component_(component), name_(world.comp(component).spec->name), stations_(world.comp(component).stations) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  per_shard_ = 1 + spec.replicas;
  shards_ = spec.shards;
  int max = static_cast<int>(stations_.size()) / per_shard_;
  shard_.resize(static_cast<std::size_t>(max));
  shard_of_station_.assign(stations_.size(), 0);
  for (int s = 0; s < max; ++s) {
    Shard& sh = shard(s);
    sh.index = s;
    sh.active = s < shards_;
    for (int r = 0; r < per_shard_; ++r) {
      int instance = s * per_shard_ + r;
      sh.stations.push_back(stations_[static_cast<std::size_t>(instance)]);
      shard_of_station_[static_cast<std::size_t>(instance)] = s;
    }
    sh.pending_writes.set_instances(static_cast<std::size_t>(per_shard_));
  }
  open_connections_.assign(stations_.size(), 0);
  pool_of_.assign(w_.stations.size() * stations_.size(), -1);
}

int Database::max_shards(const topology::Component& c, const scenario::Scenario& scen) {
  int n = c.database() ? c.database()->shards : 1;
  for (const auto& f : scen.faults) {
    if (f.kind == scenario::Fault::Kind::kReshard && f.target.component == c.name) n = std::max(n, f.shards);
  }
  return n;
}

std::uint64_t Database::hash_user(std::uint64_t user) { return model::hash_rank(user, 0); }

Database::Shard& Database::shard_of_station(int station) {
  return shard(shard_of_station_[static_cast<std::size_t>(w_.st(station).index)]);
}

int Database::primary_station(int s) const {
  const Shard& sh = shard_[static_cast<std::size_t>(s)];
  return station_of(sh, sh.primary);
}

void Database::set_state(Shard& s, PrimaryState st) { s.state = st; }

// ---- the request path ------------------------------------------------------------------

int Database::route(bool to_replica, int s) {
  Shard& sh = shard(s);
  ++sh.queries;
  if (!to_replica || per_shard_ == 1) return sh.state == PrimaryState::kUp ? station_of(sh, sh.primary) : -1;
  // Reads rotate over the shard's replicas that are up; none up: the primary serves them.
  const std::size_t n = sh.stations.size();
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t idx = (static_cast<std::size_t>(sh.replica_rr) + k) % n;
    if (static_cast<int>(idx) != sh.primary && w_.st(sh.stations[idx]).up) {
      sh.replica_rr = static_cast<int>(idx) + 1;
      return sh.stations[idx];
    }
  }
  return station_of(sh, sh.primary);
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
  Shard& sh = shard_of_station(server_station);
  for (std::size_t i = 0; i < sh.stations.size(); ++i) {
    if (static_cast<int>(i) == sh.primary || !w_.st(sh.stations[i]).up) continue;
    double lag = sample_lag();
    return 2 * w_.latency(server_station, sh.stations[i]) + lag;
  }
  // No standby is up: the primary goes on alone (RDS multi-AZ after a failover,
  // Patroni's non-strict synchronous mode), so writes continue without a copy.
  return 0;
}

void Database::record_write(int server_station) {
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
  Shard& sh = shard_of_station(server_station);
  WriteLog& log = sh.pending_writes;
  // Forget writes every tracked replica has applied.
  while (log.size() > 0 && log.done_at(0) <= now) log.pop_front();
  if (spec.replication.mode == ReplicationMode::kSync) return;  // acknowledged only once on a standby: RPO 0
  double* apply = log.push(now);
  double done = now;
  for (std::size_t i = 0; i < sh.stations.size(); ++i) {
    apply[i] = -1;
    if (static_cast<int>(i) == sh.primary || !w_.st(sh.stations[i]).up) continue;
    apply[i] = now + sample_lag();
    done = std::max(done, apply[i]);
  }
  apply[-1] = done;  // the record's "applied everywhere at"
}

// ---- the primary's state machine (per shard) ---------------------------------------------------

void Database::on_primary_crash(Shard& sh, const std::string& fault) {
  const double now = w_.kernel.now();
  set_state(sh, PrimaryState::kCrashed);
  sh.crashed_at = now;
  sh.crash_fault = fault;
  // Replication stops now: what each replica has not applied yet is lost if it is promoted.
  WriteLog& log = sh.pending_writes;
  sh.crash_losses.assign(sh.stations.size(), {0, -1.0});
  for (std::size_t k = 0; k < log.size(); ++k) {
    double ack = log.ack(k);
    if (ack > now) continue;
    for (std::size_t i = 0; i < sh.stations.size(); ++i) {
      if (log.apply(k, i) > now) {
        auto& [lost, oldest] = sh.crash_losses[i];
        ++lost;
        if (oldest < 0 || ack < oldest) oldest = ack;
      }
    }
  }
  log.clear();
  const topology::FailoverSpec& fo = w_.comp(component_).spec->database()->failover;
  ++sh.crash_epoch;
  if (!fo.automatic && fo.manual && per_shard_ > 1) {
    int index = sh.index;
    std::uint64_t epoch = sh.crash_epoch;
    w_.spawn("operator-" + name_ + (index ? fmt::format("/{}", index) : ""), w_.platform->control(),
             [this, index, epoch] { operator_failover(index, epoch); });
  }
}

// The manual failover (failover: {automatic: false, operator: {detect, act}}), as a
// runbook like seed 000's: an operator starts `detect` after the crash (alert, page,
// acknowledgement), promotes the replica that lost least `act` later (pg_promote and
// the runbook's checks), then clients reconnect after the DNS TTL (the runbook's DNS
// change). The primary coming back before the promotion ends it: nothing is promoted.
void Database::operator_failover(int index, std::uint64_t epoch) {
  const topology::FailoverSpec f = w_.comp(component_).spec->database()->failover;
  w_.kernel.enter();
  const double crash = w_.kernel.now();
  sg::this_actor::sleep_until(crash + f.manual->detect);
  w_.kernel.enter();
  Shard& sh = shard(index);
  if (sh.crash_epoch != epoch || sh.state != PrimaryState::kCrashed) return;  // back, or crashed again since
  w_.timeline(w_.kernel.now(), "detect", name_,
              fmt::format("primary {} is down; an operator starts the failover runbook ({} after the crash)",
                          w_.st(primary_station(index)).name, core::format_duration(w_.kernel.now() - crash)));
  set_state(sh, PrimaryState::kPromoting);
  sg::this_actor::sleep_until(crash + f.manual->detect + f.manual->act);
  w_.kernel.enter();
  if (sh.crash_epoch != epoch || sh.state != PrimaryState::kPromoting) return;  // the old primary came back first
  promote(sh, false, fmt::format("by an operator, {} after starting the runbook", core::format_duration(f.manual->act)));
  if (!w_.st(primary_station(index)).up) {
    set_state(sh, PrimaryState::kCrashed);  // no replica was up: it stays down until the primary returns
    return;
  }
  set_state(sh, PrimaryState::kReconnecting);
  if (f.dns_ttl > 0) sg::this_actor::sleep_for(f.dns_ttl);
  w_.kernel.enter();
  if (sh.state == PrimaryState::kReconnecting && w_.st(primary_station(index)).up) {
    set_state(sh, PrimaryState::kUp);
    w_.timeline(w_.kernel.now(), "reconnect", name_,
                f.dns_ttl > 0 ? fmt::format("clients reconnected after the DNS TTL of {}", core::format_duration(f.dns_ttl))
                              : "clients reconnected");
  }
}

void Database::promote(Shard& sh, bool planned, const std::string& why) {
  const double now = w_.kernel.now();
  int best = -1;
  for (std::size_t i = 0; i < sh.stations.size(); ++i) {
    if (static_cast<int>(i) == sh.primary || !w_.st(sh.stations[i]).up) continue;
    // The replica that lost the fewest writes (the least lag), as Patroni and RDS choose.
    std::uint64_t lost = sh.crash_losses.empty() ? 0 : sh.crash_losses[i].first;
    std::uint64_t best_lost =
        best < 0 || sh.crash_losses.empty() ? ~0ULL : sh.crash_losses[static_cast<std::size_t>(best)].first;
    if (best < 0 || lost < best_lost) best = static_cast<int>(i);
  }
  if (best < 0) {
    w_.timeline(now, "failover_failed", name_, "no replica is up to promote");
    return;
  }
  int old = sh.primary;
  sh.primary = best;
  const std::string& name = w_.st(station_of(sh, best)).name;
  if (!planned && !sh.crash_losses.empty()) {
    auto [lost, oldest] = sh.crash_losses[static_cast<std::size_t>(best)];
    model::DataLoss loss;
    loss.fault = sh.crash_fault;
    loss.time = sh.crashed_at;
    loss.writes_lost = lost;
    loss.rpo = lost ? sh.crashed_at - oldest : 0;
    loss.explanation = lost ? fmt::format("{} writes acknowledged by {} in the {} before its crash had not reached {} "
                                          "(async replication)",
                                          lost, w_.st(station_of(sh, old)).name, core::format_duration(loss.rpo), name)
                            : fmt::format("{} had applied every acknowledged write", name);
    w_.result.data_losses.push_back(loss);
  }
  sh.crash_losses.clear();
  sh.crashed_at = -1;
  w_.timeline(now, "promote", name, fmt::format("{} promoted to primary ({})", name, why));
}

void Database::start() {
  for (Shard& sh : shard_) {
    if (sh.active) start_controller(sh);
  }
}

void Database::start_controller(Shard& sh) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  if (sh.controller || spec.replicas == 0 || !spec.failover.automatic) return;
  sh.controller = true;
  std::string actor = "failover-" + name_ + (sh.index ? fmt::format("/{}", sh.index) : "");
  int index = sh.index;
  w_.spawn(actor, w_.platform->control(), [this, index] { failover_loop(index); })->daemonize();
}

// The failover controller of one shard (Patroni / RDS style): health checks on
// the primary; after `unhealthy_threshold` failures it promotes a replica
// (`promote` takes time), and clients reconnect once the DNS record's TTL has passed.
void Database::failover_loop(int index) {
  const topology::FailoverSpec f = w_.comp(component_).spec->database()->failover;
  const topology::HealthCheck& hc = f.detection;
  // Shard 0's stream keeps the name it had before shards existed.
  core::Rng rng = w_.streams.stream("failover:" + name_ + (index ? fmt::format("/{}", index) : ""));
  sg::this_actor::sleep_for(rng.uniform(0, hc.interval));
  int fails = 0;
  while (true) {
    w_.kernel.enter();
    Shard& sh = shard(index);
    double tick = w_.kernel.now();
    bool ok = !sh.active || (w_.st(primary_station(index)).up && sh.state != PrimaryState::kRestoring);
    if (ok) {
      fails = 0;
    } else if (sh.state == PrimaryState::kCrashed) {
      // A failed check is known when it times out.
      sg::this_actor::sleep_for(hc.timeout);
      w_.kernel.enter();
      ++fails;
      if (fails >= hc.unhealthy_threshold && sh.state == PrimaryState::kCrashed) {
        double now = w_.kernel.now();
        w_.timeline(now, "detect", name_,
                    fmt::format("primary {} detected down after {} failed checks ({} after the crash)",
                                w_.st(primary_station(index)).name, fails, core::format_duration(now - sh.crashed_at)));
        set_state(sh, PrimaryState::kPromoting);
        sg::this_actor::sleep_for(f.promote);
        w_.kernel.enter();
        if (sh.state != PrimaryState::kPromoting) {  // the old primary came back first: nothing to promote
          fails = 0;
          sg::this_actor::sleep_until(std::max(sg::Engine::get_clock(), tick + hc.interval));
          continue;
        }
        promote(sh, false, fmt::format("promotion took {}", core::format_duration(f.promote)));
        if (!w_.st(primary_station(index)).up) {
          set_state(sh, PrimaryState::kCrashed);  // nobody to promote: the next checks try again
        } else {
          set_state(sh, PrimaryState::kReconnecting);
          if (f.dns_ttl > 0) sg::this_actor::sleep_for(f.dns_ttl);
          w_.kernel.enter();
          if (sh.state == PrimaryState::kReconnecting && w_.st(primary_station(index)).up) {
            set_state(sh, PrimaryState::kUp);
            w_.timeline(w_.kernel.now(), "reconnect", name_,
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

std::vector<int> Database::stations_with_role(const std::string& role, int instance) const {
  std::vector<int> out;
  for (const Shard& sh : shard_) {
    if (!sh.active) continue;
    for (std::size_t i = 0; i < sh.stations.size(); ++i) {
      bool primary = static_cast<int>(i) == sh.primary;
      if ((role == "primary") == primary) out.push_back(sh.stations[i]);
    }
  }
  if (instance < 0) return out;
  if (instance < static_cast<int>(out.size())) return {out[static_cast<std::size_t>(instance)]};
  return {};
}

void Database::switchover(const std::string& fault) {
  (void)fault;
  double promote_time = w_.comp(component_).spec->database()->failover.promote;
  for (Shard& sh : shard_) {
    if (!sh.active) continue;
    set_state(sh, PrimaryState::kSwitchover);
    int index = sh.index;
    w_.spawn("switchover", w_.platform->control(), [this, index, promote_time] {
      sg::this_actor::sleep_for(promote_time);
      w_.kernel.enter();
      Shard& s = shard(index);
      promote(s, true, "planned switchover, replicas caught up first: no data lost");
      set_state(s, PrimaryState::kUp);
    });
  }
}

void Database::restore_from_backup(const std::string& fault) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  const double now = w_.kernel.now();
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
  std::vector<int> targets;
  for (Shard& sh : shard_) {
    if (!sh.active) continue;
    set_state(sh, PrimaryState::kRestoring);
    for (int si : sh.stations) w_.crash_station(si, fault + " (data lost, restoring from backup)", true, false, true, fault);
    sh.pending_writes.clear();
    targets.push_back(sh.index);
  }
  w_.timeline(now, "restore", name_,
              fmt::format("restoring {} at {} (expected {})", core::format_size(spec.backup.size),
                          core::format_bandwidth(spec.backup.restore_rate), core::format_duration(spec.backup.restore_time())));
  sg::Host* store = w_.platform->backup_store(component_);
  w_.spawn(name_ + "-restore", store, [this, store, targets] {
    const topology::DatabaseSpec& sp = *w_.comp(component_).spec->database();
    double start = sg::Engine::get_clock();
    // Each shard's primary receives its part of the backup over the backup store's
    // link (restore_rate): the parts share it, and a bandwidth fault slows them.
    std::vector<sg::Host*> hosts;
    std::vector<sg::CommPtr> comms;
    for (int s : targets) {
      sg::Host* target = w_.host_of(primary_station(s));
      target->turn_on();  // the restore target must be up to receive
      hosts.push_back(target);
      comms.push_back(sg::Comm::sendto_async(store, target, static_cast<std::uint64_t>(sp.backup.size / static_cast<double>(targets.size()))));
    }
    for (auto& c : comms) c->wait();
    for (sg::Host* h : hosts) h->turn_off();
    w_.kernel.enter();
    for (int s : targets) {
      for (int si : shard(s).stations) w_.recover_station(si, 0);
      set_state(shard(s), PrimaryState::kUp);
    }
    w_.timeline(w_.kernel.now(), "restored", name_,
                fmt::format("restore took {}", core::format_duration(w_.kernel.now() - start)));
  });
}

// ---- re-sharding ------------------------------------------------------------------------------

void Database::reshard(const scenario::Fault& f) {
  if (resharding_) {
    reshards_.push_back(&f);  // one at a time: it starts when the one in progress ends
    w_.timeline(w_.kernel.now(), "reshard_queued", name_,
                fmt::format("{} waits for the re-sharding in progress", f.name));
    return;
  }
  resharding_ = true;
  w_.spawn(name_ + "-reshard", w_.platform->control(), [this, &f] { reshard_run(f); });
}

namespace {
long long gcd_of(long long a, long long b) { return b == 0 ? a : gcd_of(b, a % b); }
}  // namespace

void Database::reshard_run(const scenario::Fault& f) {
  const topology::DatabaseSpec& spec = *w_.comp(component_).spec->database();
  w_.kernel.enter();
  const int from = shards_, to = f.shards;
  const double start = w_.kernel.now();
  // The shards added start empty before the copy.
  for (int s = from; s < to; ++s) {
    Shard& sh = shard(s);
    sh.active = true;
    sh.state = PrimaryState::kUp;
    sh.primary = 0;
    sh.pending_writes.clear();
    for (int si : sh.stations) {
      if (!w_.st(si).up) w_.start_station(si, 0);
    }
    start_controller(sh);
  }
  // User u moves from hash(u) % from to hash(u) % to: over the hash residues modulo
  // lcm(from, to), each (i, j) pair takes an exact share of the users, hence of the data.
  const long long lcm = static_cast<long long>(from) / gcd_of(from, to) * to;
  std::vector<double> share(static_cast<std::size_t>(from) * static_cast<std::size_t>(to), 0.0);
  for (long long x = 0; x < lcm; ++x) share[static_cast<std::size_t>((x % from) * to + x % to)] += 1.0 / static_cast<double>(lcm);
  struct Stream {
    int src, dst;
    double bytes;
  };
  std::vector<Stream> streams;
  double moved = 0;
  for (int i = 0; i < from; ++i) {
    for (int j = 0; j < to; ++j) {
      double sh = share[static_cast<std::size_t>(i * to + j)];
      if (i == j || sh <= 0) continue;
      streams.push_back({i, j, spec.data_size() * sh});
      moved += spec.data_size() * sh;
    }
  }
  w_.timeline(start, "reshard", name_,
              fmt::format("{} -> {} shards: {} of {} moves ({}) in {} stream{}{}", from, to, core::format_size(moved),
                          core::format_size(spec.data_size()), core::format_ratio(moved / spec.data_size()),
                          streams.size(), streams.size() == 1 ? "" : "s",
                          f.rate > 0 ? fmt::format(" at up to {} each", core::format_bandwidth(f.rate)) : ""),
              f.name);
  // Extra load: the copy keeps `cpu` cores busy on every source and target primary while it runs.
  std::vector<int> busy;
  for (const Stream& st : streams) {
    for (int s : {st.src, st.dst}) {
      if (std::find(busy.begin(), busy.end(), s) == busy.end()) busy.push_back(s);
    }
  }
  std::sort(busy.begin(), busy.end());
  for (int s : busy) {
    int si = primary_station(s);
    if (!w_.st(si).up) continue;
    for (int k = 0; k < f.cpu; ++k) {
      std::uint64_t token = copies_.size();
      copies_.push_back({si, {}, true});
      w_.st(si).cpu_started(w_.kernel.now());
      // Work that never ends by itself: it is cancelled when the copy is over.
      copies_.back().cpu = w_.st(si).cpu->start(1e12, this, token);
    }
  }
  // One control actor per stream. A stream at `rate` sends a second's worth at a time and
  // waits until the rate allows the next (a throttled copy: bytes / rate when the links are
  // faster); without a rate it is one transfer. The reshard waits for every stream.
  reshard_broken_.clear();
  std::vector<sg::ActorPtr> actors;
  for (const Stream& st : streams) {
    sg::Host* src = w_.host_of(primary_station(st.src));
    sg::Host* dst = w_.host_of(primary_station(st.dst));
    double bytes = st.bytes, rate = f.rate;
    actors.push_back(w_.spawn(fmt::format("{}-reshard-{}-{}", name_, st.src, st.dst), w_.platform->control(),
                              [this, src, dst, bytes, rate] {
                                const double begin = sg::Engine::get_clock();
                                double sent = 0;
                                try {
                                  while (sent < bytes) {
                                    double chunk = rate > 0 ? std::min(bytes - sent, rate) : bytes;
                                    sg::Comm::sendto(src, dst, static_cast<std::uint64_t>(chunk));
                                    sent += chunk;
                                    if (rate > 0) sg::this_actor::sleep_until(begin + sent / rate);
                                    w_.kernel.enter();
                                    if (!reshard_broken_.empty()) return;
                                  }
                                } catch (const simgrid::Exception& e) {
                                  w_.kernel.enter();
                                  if (reshard_broken_.empty()) reshard_broken_ = e.what();
                                }
                              }));
  }
  for (auto& a : actors) a->join();
  w_.kernel.enter();
  stop_copies();
  bool ok = reshard_broken_.empty();
  std::string why = reshard_broken_;
  // A source or target that crashed during the copy left it incomplete.
  for (const Stream& st : streams) {
    for (int s : {st.src, st.dst}) {
      if (!w_.st(primary_station(s)).up && ok) {
        ok = false;
        why = fmt::format("{} went down during the copy", w_.st(primary_station(s)).name);
      }
    }
  }
  const double now = w_.kernel.now();
  if (ok) {
    shards_ = to;
    bytes_moved_ += moved;
    ++reshards_done_;
    // The shards removed stop once their data has left.
    for (int s = to; s < from; ++s) {
      Shard& sh = shard(s);
      sh.active = false;
      for (int si : sh.stations) w_.stop_station(si);
    }
    w_.timeline(now, "resharded", name_,
                fmt::format("{} shards after {} (cutover: requests follow the new map)", to,
                            core::format_duration(now - start)),
                f.name);
  } else {
    for (int s = from; s < to; ++s) {
      Shard& sh = shard(s);
      sh.active = false;
      for (int si : sh.stations) w_.stop_station(si);
    }
    w_.timeline(now, "reshard_failed", name_, fmt::format("re-sharding to {} abandoned: {}; {} shards remain", to, why, from),
                f.name);
  }
  resharding_ = false;
  if (!reshards_.empty()) {
    const scenario::Fault* next = reshards_.front();
    reshards_.pop_front();
    reshard(*next);
  }
}

void Database::stop_copies() {
  for (Copy& c : copies_) {
    if (!c.running) continue;
    c.running = false;
    w_.st(c.station).cpu->cancel(c.cpu);
    w_.st(c.station).cpu_ended(w_.kernel.now(), false);
  }
  copies_.clear();
}

void Database::cpu_done(std::uint64_t token, bool ok) {
  (void)ok;  // only a host failure ends a copy job by itself
  if (token >= copies_.size() || !copies_[token].running) return;
  copies_[token].running = false;
  w_.st(copies_[token].station).cpu_ended(w_.kernel.now(), false);
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
  Shard& sh = shard_of_station(station);
  if (sh.active && station == primary_station(sh.index) && sh.state != PrimaryState::kRestoring) {
    on_primary_crash(sh, why);
    // A re-sharding copying from or to it stops at its next chunk.
    if (resharding_ && reshard_broken_.empty()) reshard_broken_ = fmt::format("{} went down during the copy", w_.st(station).name);
  }
}

void Database::instance_up(int station) {
  // The primary came back before a replica was promoted (even while the promotion
  // was under way: it is abandoned): its data is durable, nothing was lost.
  Shard& sh = shard_of_station(station);
  if (station == primary_station(sh.index) && (sh.state == PrimaryState::kCrashed || sh.state == PrimaryState::kPromoting)) {
    sh.crashed_at = -1;
    sh.crash_losses.clear();
    set_state(sh, PrimaryState::kUp);
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
  if (shard_.size() <= 1) return;
  // Per shard: its load and its busiest instance (the primary, unless replicas serve more).
  std::uint64_t total = 0;
  for (const Shard& sh : shard_) total += sh.queries;
  for (const Shard& sh : shard_) {
    model::ShardStats s;
    s.index = sh.index;
    s.primary = w_.st(primary_station(sh.index)).name;
    s.queries = sh.queries;
    s.share = total ? static_cast<double>(sh.queries) / static_cast<double>(total) : 0;
    double busy = 0, capacity = 0;
    for (int si : sh.stations) {
      const auto& is = out.instance_stats[static_cast<std::size_t>(w_.st(si).index)];
      busy += is.utilization * is.up_seconds * w_.st(si).cores;
      capacity += is.up_seconds * w_.st(si).cores;
      s.busiest_utilization = std::max(s.busiest_utilization, is.utilization);
    }
    s.utilization = capacity > 0 ? busy / capacity : 0;
    out.shards.push_back(s);
  }
  out.shards_final = shards_;
  out.reshards = reshards_done_;
  out.bytes_moved = bytes_moved_;
}

double Database::window_extra() {
  double v = window_lag_max_;
  window_lag_max_ = 0;
  return v;
}

}  // namespace sim::engine
