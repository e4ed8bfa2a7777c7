#pragma once
// A database tier (PostgreSQL-like: one primary, read replicas). Everything
// that happens to the data lives in this class and database.cpp:
//
// The primary's state machine — the only place it is written:
//
//     kUp ──primary crashes──> kCrashed ──detected by the failover controller──> kPromoting
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
// on each replica until all replicas applied it (memory bounded by rate × lag).
// On a primary crash the writes each replica lacks are counted; the failover
// controller (health checks on the primary, then `promote`, then the DNS TTL
// before clients reconnect) promotes the replica that lost least, and the loss
// is reported. Sync replication makes each write wait for a standby's
// confirmation; with no standby up the primary goes on alone (RDS multi-AZ,
// Patroni's non-strict mode). Backups are taken at k × interval from t = 0; a
// restore loses every write since the last one and makes the database
// unavailable while the backup travels from the backup store at restore_rate.

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/station.h"
#include "sim/engine/tier.h"
#include "sim/model/histogram.h"

namespace sim::engine {

class World;

class Database final : public Tier {
 public:
  enum class PrimaryState { kUp, kCrashed, kPromoting, kReconnecting, kSwitchover, kRestoring };

  Database(World& world, int component);

  // ---- the request path
  /// The station that serves a query (to_replica: a read replicas may serve),
  /// or -1 when writes cannot be served now (the primary is not kUp).
  int route(bool to_replica);
  /// The current primary's station (for the round trip of a refused write).
  int primary_station() const;

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
  /// A write was acknowledged by the primary at now: counted for backups and replication.
  void record_write();

  // ---- control (from the fault injector)
  /// A planned switchover: writes pause for `promote`, nothing is lost.
  void switchover(const std::string& fault);
  /// The data is lost and restored from the last backup.
  void restore_from_backup(const std::string& fault);
  /// Spawns the failover controller (automatic failover with replicas). Call once at start.
  void start();

  PrimaryState state() const { return state_; }

  // ---- Tier
  void instance_down(int station, const std::string& why) override;
  void instance_up(int station) override;
  void client_down(int station) override;
  void collect(model::ComponentStats& out) override;
  double window_extra() override;

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
  void set_state(PrimaryState s);
  void on_primary_crash(const std::string& fault);
  void promote(bool planned, const std::string& why);
  void failover_loop();
  int station_of(int instance) const;
  double sample_lag();

  World& w_;
  int component_;
  std::vector<int> stations_;
  PrimaryState state_ = PrimaryState::kUp;
  int primary_ = 0;                           ///< instance index of the current primary
  int replica_rr_ = 0;
  // pools
  std::vector<Pool> pools_;
  std::vector<int> pool_of_;                  ///< [client station × instances + instance] -> pool, -1
  std::vector<int> open_connections_;         ///< per instance (server side)
  int connections_max_ = 0;
  std::uint64_t refused_ = 0;
  // writes, replication, RPO
  std::uint64_t writes_ = 0;
  WriteLog pending_writes_;
  model::LogHistogram lag_hist_;
  double window_lag_max_ = 0;
  double crashed_at_ = -1;
  std::string crash_fault_;
  std::vector<std::pair<std::uint64_t, double>> crash_losses_;  ///< per instance: (writes lost, oldest ack)
  // backups
  long backup_period_ = -1;
  std::uint64_t writes_since_backup_ = 0;
  double first_write_since_backup_ = -1;
};

const char* primary_state_name(Database::PrimaryState s);

}  // namespace sim::engine
