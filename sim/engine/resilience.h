#pragma once
// What callers do about failing calls: the owner of circuit breakers, retry
// budgets and backoff waits (topology `calls:` on a service, `clients: {retry}`).
// The request flow asks it three things per call — may I call (the breaker),
// may I retry (attempts, the condition, the budget), how long do I wait first —
// and tells it each outcome. docs/failures.md has the semantics and sources.
//
// State is per calling instance (station) and policy, like a breaker or budget
// object in each process; the clients share one budget per class. Nothing is
// allocated per request: a failure-rate breaker's window is a ring of
// `window` outcomes, created with its state.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/random.h"
#include "sim/topology/topology.h"

namespace sim::engine {

class World;

class Resilience {
 public:
  explicit Resilience(World& world) : w_(world) {}

  /// Registers a call policy (once per service and callee) and returns its number.
  int add(const topology::CallPolicy* policy, std::string caller, std::string callee);
  const topology::CallPolicy& policy(int p) const { return *policies_[static_cast<std::size_t>(p)].policy; }

  /// The breaker lets this call through (closed, or a half-open probe left); false: open, fail fast.
  bool permit(int station, int p, double now);
  /// The outcome of a call the breaker let through.
  void record(int station, int p, bool ok, double now);
  /// A first attempt deposits into the caller's retry budget; a retry withdraws one token
  /// (false: the budget is spent, no retry). `station` -1 with p = class: the clients.
  void deposit(int station, int p, const topology::RetryPolicy& r, double now);
  bool withdraw(int station, int p, const topology::RetryPolicy& r, double now);
  /// The wait before retry `n` (1, 2, ...), with its jitter; `prev` is the previous wait
  /// (decorrelated jitter). Draws from `rng` only when the policy has jitter.
  static double wait(const topology::RetryPolicy& r, int n, double prev, core::Rng& rng);

 private:
  enum class State : std::uint8_t { kClosed, kOpen, kHalfOpen };
  struct Breaker {
    State state = State::kClosed;
    double open_until = 0;
    int consecutive = 0;
    std::vector<std::uint8_t> ring;  ///< failure-rate mode: the last `window` outcomes (1 = failed)
    int ring_next = 0, ring_count = 0, ring_failed = 0;
    int probes_left = 0, probes_done = 0, probes_failed = 0;
  };
  struct Budget {
    bool started = false;
    double tokens = 0, at = 0;
  };
  struct Slot {
    Breaker breaker;
    Budget budget;
  };
  struct Registered {
    const topology::CallPolicy* policy;
    std::string caller, callee;
  };
  Slot& slot(int station, int p);
  Budget& budget(int station, int p);
  void open(Slot& s, int station, int p, double now, const char* why);
  void close(Slot& s, int station, int p, double now);
  static void refill(Budget& b, const topology::RetryPolicy& r, double now);

  World& w_;
  std::vector<Registered> policies_;
  std::vector<Slot> slots_;          ///< [station * policies + p], grown as stations are added
  std::vector<Budget> client_budgets_;  ///< per request class
};

}  // namespace sim::engine
