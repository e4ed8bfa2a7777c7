#pragma once
// A database tier (PostgreSQL-like: a primary and read replicas per shard).
// Everything that happens to the data lives in this class and database.cpp.
//
// Shards. A user's data lives on shard hash(user) % shards (seed 002's
// `hash(userId) % TOTAL_SHARDS`); the request flow draws the user of each
// request (RequestFlow, `users:` in the topology) and routes with it. Every
// shard has its own primary, replicas, replication log and failover
// controller; shard s's instances are stations s × (1 + replicas) ... + replicas.
// Unsharded databases are shard 0 alone.
//
// The primary's state machine, per shard — the only place it is written:
//
//     kUp ──primary crashes──> kCrashed ──detected (failover controller, or an operator)──> kPromoting
//      ^  <──primary back before a replica is promoted (kCrashed or kPromoting)──┘   │ promote
//      │                                                                            v
//      └───────────────────────── DNS TTL over ─────────────────────────── kReconnecting
//     kUp ──planned `failover` fault──> kSwitchover ──promote (nothing lost)──> kUp
//     kUp ──`restore` fault──> kRestoring ──backup transferred──> kUp
//
// Writes (and reads that must go to the primary) are served only in kUp; in
// every other state they fail as db_unavailable after a round trip.
//
// Connection pools: one per (client station, server instance), grown up to
// the pool's `max` while the server is below `max_connections`; a pool that
// cannot open a single connection is refused (PostgreSQL "too many clients");
// otherwise callers wait FIFO up to `acquire_timeout`. A waiter is a handle
// (the job) that the request flow cancels when its job dies.
//
// Replication and RPO: every acknowledged write is tracked with its apply time
// on each replica of its shard until all of them applied it (memory bounded by
// rate × lag). On a primary crash the writes each replica lacks are counted; the
// failover controller (health checks on the primary, then `promote`, then the
// DNS TTL before clients reconnect) promotes the replica that lost least, and
// the loss is reported. With `automatic: false` and an `operator`, a person does
// it: the runbook starts `detect` after the crash and promotes `act` later, then
// the DNS TTL; without an operator nobody promotes (the primary must come back). Sync replication makes each write wait for a standby's
// confirmation; with no standby up the primary goes on alone (RDS multi-AZ,
// Patroni's non-strict mode). Backups of the whole database are taken at
// k × interval from t = 0; a restore loses every write since the last one and
// makes the database unavailable while the backup travels from the backup
// store at restore_rate (each shard receives its part).
//
// Re-sharding (`reshard` fault, N -> M shards): user u moves from shard
// hash(u) % N to hash(u) % M, so the data moving from shard i to shard j is
// size × (the share of hash residues with x % N = i and x % M = j), exactly.
// A control actor starts one SimGrid transfer per (i, j) between the two
// primaries' hosts (throttled to `rate` each, and as the links allow: a bandwidth
// fault slows them), and while they run, `cpu` copy jobs keep cores busy on every
// source and target primary (they share the CPU with queries, as a copy
// process would). Requests keep the old map until every transfer is done; then
// the new map holds (the cutover), shards added start before the copy and
// shards removed stop after it. A crash of a source or target aborts it.

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/cpu.h"
#include "sim/engine/station.h"
#include "sim/engine/tier.h"
#include "sim/model/histogram.h"
#include "sim/scenario/scenario.h"

namespace sim::engine {

class World;

class Database final : public Tier, public CpuClient {
 public:
  enum class PrimaryState { kUp, kCrashed, kPromoting, kReconnecting, kSwitchover, kRestoring };

  Database(World& world, int component);
  /// The most shards the component has during the run (its reshard faults).
  static int max_shards(const topology::Component& c, const scenario::Scenario& scen);

  // ---- the request path
  /// The shard holding `user`'s data under the current map (0 when unsharded).
  int shard_of(std::uint64_t user) const {
    return shards_ > 1 ? static_cast<int>(hash_user(user) % static_cast<std::uint64_t>(shards_)) : 0;
  }
  /// The station that serves a query of shard `shard` (to_replica: a read replicas may
  /// serve), or -1 when writes cannot be served now (the primary is not kUp).
  int route(bool to_replica, int shard);
  /// Shard `shard`'s current primary station (for the round trip of a refused write).
  int primary_station(int shard = 0) const;

  enum class Acquire { kGranted, kRefused, kWaiting };
  /// A connection from `client_station`'s pool to `server_station` for `job`; *pool and
  /// *epoch are set (the epoch changes when the pool's connections are dropped by a crash).
  Acquire acquire(int client_station, int server_station, JobRef job, int* pool, std::uint32_t* epoch);
  /// Seconds a waiter may wait on `pool`.
  double acquire_timeout() const;
  /// Gives a connection back: the first waiter gets it (RequestFlow::pool_granted).
  /// A connection of an earlier epoch was already dropped: nothing to give back.
  void release(int pool, std::uint32_t epoch);
  /// A waiter gave up (timeout) or died: it leaves the queue.
  void cancel_wait(int pool, JobRef job);

  /// A write query finished on `server_station`: the time its answer leaves
  /// (sync replication waits for a standby) and the write is tracked.
  double acknowledge_write(int server_station);
  /// A write was acknowledged by the primary `server_station` at now: counted for backups and replication.
  void record_write(int server_station);

  // ---- control (from the fault injector)
  /// The stations a fault's target names: role "primary" (every shard's, or the
  /// `instance`-th), "replica" (every one, or the `instance`-th over all shards).
  std::vector<int> stations_with_role(const std::string& role, int instance) const;
  /// A planned switchover of every shard: writes pause for `promote`, nothing is lost.
  void switchover(const std::string& fault);
  /// The data is lost and restored from the last backup.
  void restore_from_backup(const std::string& fault);
  /// Moves the data to `f.shards` shards (a `reshard` fault).
  void reshard(const scenario::Fault& f);
  /// Spawns the failover controllers (automatic failover with replicas). Call once at start.
  void start();

  PrimaryState state(int shard = 0) const { return shard_[static_cast<std::size_t>(shard)].state; }
  int shards() const { return shards_; }
  /// It has (or will have, after a reshard) more than one shard: requests need a user.
  bool sharded() const { return shard_.size() > 1; }

  // ---- Tier
  void instance_down(int station, const std::string& why) override;
  void instance_up(int station) override;
  void client_down(int station) override;
  void collect(model::ComponentStats& out) override;
  double window_extra() override;
  // ---- CpuClient: the copy jobs of a reshard
  void cpu_done(std::uint64_t token, bool ok) override;

 private:
  struct Pool {
    int client_station = -1, server_station = -1;
    int open = 0, in_use = 0;
    std::uint32_t epoch = 0;  ///< bumped when a crash drops its connections
    std::deque<JobRef> waiters;
  };
  /// Acknowledged writes not yet applied on every replica, oldest first, in one
  /// ring of records [ack, applied everywhere at, apply time per instance (-1 = not
  /// tracked: the primary, or down)]: no allocation per write.
  class WriteLog {
   public:
    void set_instances(std::size_t n) { stride_ = n + 2; }
    std::size_t size() const { return count_; }
    double ack(std::size_t k) const { return at(k)[0]; }
    double done_at(std::size_t k) const { return at(k)[1]; }
    double apply(std::size_t k, std::size_t instance) const { return at(k)[2 + instance]; }
    /// Appends a record; fill its apply times through the pointer (n of them).
    double* push(double ack);
    void pop_front();
    void clear() { head_ = count_ = 0; }

   private:
    const double* at(std::size_t k) const { return &buf_[((head_ + k) % capacity()) * stride_]; }
    std::size_t capacity() const { return stride_ ? buf_.size() / stride_ : 0; }
    std::vector<double> buf_;
    std::size_t stride_ = 2, head_ = 0, count_ = 0;
  };
  /// One shard: its instances and its primary's state machine.
  struct Shard {
    int index = 0;
    std::vector<int> stations;                ///< primary first at start
    bool active = false;                      ///< in the current map (or receiving a reshard's data)
    bool controller = false;                  ///< its failover controller runs
    PrimaryState state = PrimaryState::kUp;
    int primary = 0;                          ///< index in `stations`
    int replica_rr = 0;
    WriteLog pending_writes;
    double crashed_at = -1;
    std::string crash_fault;
    std::vector<std::pair<std::uint64_t, double>> crash_losses;  ///< per instance: (writes lost, oldest ack)
    std::uint64_t queries = 0;                ///< routed to it
    std::uint64_t crash_epoch = 0;            ///< bumped at every primary crash: a stale operator gives up
  };
  /// A reshard's copy job on a host: the token's index in copies_.
  struct Copy {
    int station = -1;
    HostCpu::Handle cpu;
    bool running = false;
  };
  static std::uint64_t hash_user(std::uint64_t user);
  Shard& shard(int s) { return shard_[static_cast<std::size_t>(s)]; }
  Shard& shard_of_station(int station);
  void set_state(Shard& s, PrimaryState st);
  void on_primary_crash(Shard& s, const std::string& fault);
  void promote(Shard& s, bool planned, const std::string& why);
  void failover_loop(int shard);
  void operator_failover(int shard, std::uint64_t epoch);
  void start_controller(Shard& s);
  void reshard_run(const scenario::Fault& f);
  void stop_copies();
  int station_of(const Shard& s, int instance) const { return s.stations[static_cast<std::size_t>(instance)]; }
  double sample_lag();

  World& w_;
  int component_;
  std::string name_;
  std::vector<int> stations_;                 ///< every station, all shards (the most the run needs)
  int per_shard_ = 1;                         ///< 1 + replicas
  std::vector<Shard> shard_;
  int shards_ = 1;                            ///< shards in the current map
  std::vector<int> shard_of_station_;         ///< [instance] -> shard
  // pools
  std::vector<Pool> pools_;
  std::vector<int> pool_of_;                  ///< [client station × instances + instance] -> pool, -1
  std::vector<int> open_connections_;         ///< per instance (server side)
  int connections_max_ = 0;
  std::uint64_t refused_ = 0;
  // writes, replication, RPO
  std::uint64_t writes_ = 0;
  model::LogHistogram lag_hist_;
  double window_lag_max_ = 0;
  // backups (of the whole database)
  long backup_period_ = -1;
  std::uint64_t writes_since_backup_ = 0;
  double first_write_since_backup_ = -1;
  // re-sharding
  std::vector<Copy> copies_;
  std::deque<const scenario::Fault*> reshards_;  ///< waiting for the one in progress
  bool resharding_ = false;
  std::string reshard_broken_;                   ///< why the copy in progress stops ("" = going on)
  std::uint64_t reshards_done_ = 0;
  double bytes_moved_ = 0;
};

const char* primary_state_name(Database::PrimaryState s);

}  // namespace sim::engine
