#include "sim/engine/resilience.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/engine/world.h"

namespace sim::engine {

using topology::Backoff;
using topology::BreakerPolicy;
using topology::Jitter;
using topology::RetryPolicy;

int Resilience::add(const topology::CallPolicy* policy, std::string caller, std::string callee) {
  for (std::size_t i = 0; i < policies_.size(); ++i) {
    if (policies_[i].policy == policy) return static_cast<int>(i);
  }
  policies_.push_back({policy, std::move(caller), std::move(callee)});
  slots_.clear();  // (only before the run: the layout depends on the number of policies)
  return static_cast<int>(policies_.size()) - 1;
}

Resilience::Slot& Resilience::slot(int station, int p) {
  std::size_t n = policies_.size();
  std::size_t i = static_cast<std::size_t>(station) * n + static_cast<std::size_t>(p);
  if (i >= slots_.size()) slots_.resize((static_cast<std::size_t>(station) + 1) * n);  // a new instance
  return slots_[i];
}

// ---- circuit breaker --------------------------------------------------------------------

void Resilience::open(Slot& s, int station, int p, double now, const char* why) {
  const BreakerPolicy& b = policy(p).breaker;
  s.breaker.state = State::kOpen;
  s.breaker.open_until = now + b.open;
  const Registered& r = policies_[static_cast<std::size_t>(p)];
  w_.timeline(now, "breaker_open", w_.st(station).name,
              fmt::format("calls to {} fail at once for {} ({})", r.callee, core::format_duration(b.open), why));
}

void Resilience::close(Slot& s, int station, int p, double now) {
  s.breaker = Breaker{};
  const Registered& r = policies_[static_cast<std::size_t>(p)];
  w_.timeline(now, "breaker_closed", w_.st(station).name, fmt::format("calls to {} go through again", r.callee));
}

bool Resilience::permit(int station, int p, double now) {
  const BreakerPolicy& b = policy(p).breaker;
  if (b.kind == BreakerPolicy::Kind::kOff) return true;
  Breaker& br = slot(station, p).breaker;
  if (br.state == State::kOpen) {
    if (now < br.open_until) return false;
    br.state = State::kHalfOpen;
    br.probes_left = b.half_open_calls;
    br.probes_done = br.probes_failed = 0;
  }
  if (br.state == State::kHalfOpen) {
    if (br.probes_left == 0) return false;  // the probes are out: the rest still fail fast
    --br.probes_left;
  }
  return true;
}

void Resilience::record(int station, int p, bool ok, double now) {
  const BreakerPolicy& b = policy(p).breaker;
  if (b.kind == BreakerPolicy::Kind::kOff) return;
  Slot& s = slot(station, p);
  Breaker& br = s.breaker;
  switch (br.state) {
    case State::kOpen:
      return;  // a call let through before it opened: it no longer counts
    case State::kHalfOpen:
      ++br.probes_done;
      if (!ok) ++br.probes_failed;
      if (b.kind == BreakerPolicy::Kind::kConsecutive) {
        if (!ok) {
          open(s, station, p, now, "a half-open probe failed");
        } else if (br.probes_done == b.half_open_calls) {
          close(s, station, p, now);
        }
        return;
      }
      if (br.probes_done == b.half_open_calls) {
        if (br.probes_failed >= b.failure_rate * br.probes_done) {
          open(s, station, p, now, fmt::format("{} of {} half-open probes failed", br.probes_failed, br.probes_done).c_str());
        } else {
          close(s, station, p, now);
        }
      }
      return;
    case State::kClosed:
      break;
  }
  if (b.kind == BreakerPolicy::Kind::kConsecutive) {
    br.consecutive = ok ? 0 : br.consecutive + 1;
    if (br.consecutive >= b.consecutive) {
      open(s, station, p, now, fmt::format("{} consecutive failures", br.consecutive).c_str());
    }
    return;
  }
  if (br.ring.empty()) br.ring.assign(static_cast<std::size_t>(b.window), 0);
  auto& cell = br.ring[static_cast<std::size_t>(br.ring_next)];
  if (br.ring_count == b.window) {
    br.ring_failed -= cell;
  } else {
    ++br.ring_count;
  }
  cell = ok ? 0 : 1;
  br.ring_failed += cell;
  br.ring_next = (br.ring_next + 1) % b.window;
  if (br.ring_count >= b.min_calls && br.ring_failed >= b.failure_rate * br.ring_count) {
    open(s, station, p, now,
         fmt::format("{} of the last {} calls failed", br.ring_failed, br.ring_count).c_str());
  }
}

// ---- retry budget -----------------------------------------------------------------------

void Resilience::refill(Budget& b, const RetryPolicy& r, double now) {
  if (!b.started) {
    b.started = true;
    b.tokens = r.budget_burst;  // a new process starts with a full reserve
    b.at = now;
    return;
  }
  b.tokens = std::min(r.budget_burst, b.tokens + (now - b.at) * r.budget_min_per_second);
  b.at = now;
}

Resilience::Budget& Resilience::budget(int station, int p) {
  if (station >= 0) return slot(station, p).budget;
  if (client_budgets_.size() <= static_cast<std::size_t>(p)) client_budgets_.resize(static_cast<std::size_t>(p) + 1);
  return client_budgets_[static_cast<std::size_t>(p)];
}

void Resilience::deposit(int station, int p, const RetryPolicy& r, double now) {
  if (!r.budget) return;
  Budget& b = budget(station, p);
  refill(b, r, now);
  b.tokens = std::min(r.budget_burst, b.tokens + r.budget_ratio);
}

bool Resilience::withdraw(int station, int p, const RetryPolicy& r, double now) {
  if (!r.budget) return true;
  Budget& b = budget(station, p);
  refill(b, r, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

// ---- backoff --------------------------------------------------------------------------------

double Resilience::wait(const RetryPolicy& r, int n, double prev, core::Rng& rng) {
  const Backoff& b = r.backoff;
  double d = b.base;
  switch (b.kind) {
    case Backoff::Kind::kConstant:
      break;
    case Backoff::Kind::kLinear:
      d = b.base * n;
      break;
    case Backoff::Kind::kExponential:
      d = b.base * std::pow(b.multiplier, n - 1);
      break;
  }
  d = std::min(d, b.max);
  switch (r.jitter) {
    case Jitter::kNone:
      return d;
    case Jitter::kFull:
      return rng.uniform(0, d);
    case Jitter::kEqual:
      return d / 2 + rng.uniform(0, d / 2);
    case Jitter::kDecorrelated:
      return std::min(b.max, rng.uniform(b.base, std::max(b.base, 3 * (prev > 0 ? prev : b.base))));
  }
  return d;
}

}  // namespace sim::engine
