#include "sim/model/cache_model.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

namespace sim::model {
namespace {

constexpr int kSteps = 16;              // grid points per delay a
constexpr int kDelays = 48;             // delays integrated before extrapolating
constexpr std::uint64_t kTop = 4096;    // most popular keys placed on their node exactly
constexpr double kBucketRatio = 1.01;   // the other ranks in groups [r, 1.01 r]
constexpr double kTableStep = 0.0578;   // ln(2)/12: table points per factor 2 of popularity

// m(x) (expected hits within x of an insertion) at x = b and x = b − a, for a key of
// rate 1 with characteristic time a and TTL b (both in units of 1/λ). REQUIRES: b > a > 0.
struct Dde {
  double m_b = 0, m_b_minus_a = 0;
};

Dde solve_dde(double a, double b) {
  const double c = std::exp(-a);
  const double m_inf = std::expm1(a);  // e^a − 1, where m(x) tends
  const double h = a / kSteps;
  const double x_end = std::min(b, a * kDelays);
  const int n = std::min(kSteps * kDelays, static_cast<int>(std::ceil(x_end / h)));
  std::array<double, kSteps * kDelays + 1> m{};
  for (int i = 0; i <= std::min(n, kSteps); ++i) m[static_cast<std::size_t>(i)] = i * h;
  for (int i = kSteps; i < n; ++i) {
    // ∫ over [x_i, x_i+1] of 1 − c (1 + m(y − a)): the delayed m by the trapezoid rule (a grid point).
    auto k = static_cast<std::size_t>(i);
    m[k + 1] = m[k] + h * (1 - c) - c * h * 0.5 * (m[k - kSteps] + m[k + 1 - kSteps]);
  }
  const double x_n = n * h;
  // The deficit d = m_inf − m decays along its slowest mode once the delay's transients
  // are gone (after a few delays); its rate is read from the last delay.
  double d_n = m_inf - m[static_cast<std::size_t>(n)];
  double d_prev = m_inf - m[static_cast<std::size_t>(n - kSteps)];
  double rate = d_n > 0 && d_prev > d_n ? std::log(d_prev / d_n) / a : 0;
  auto at = [&](double x) {
    if (x <= x_n) {
      double fi = x / h;
      auto i = static_cast<std::size_t>(std::min<double>(std::floor(fi), n - 1));
      double f = fi - static_cast<double>(i);
      return m[i] + f * (m[i + 1] - m[i]);
    }
    if (d_n <= 0) return m_inf;
    return m_inf - d_n * std::exp(-rate * (x - x_n));
  };
  return {at(b), at(b - a)};
}

}  // namespace

KeyFate lru_ttl_key(double lambda, double T, double ttl) {
  if (!(lambda > 0)) return {0, 0};
  const bool evicts = std::isfinite(T);
  if (ttl <= 0) {
    // Che: present if requested within the last T; every stay ends by eviction.
    if (!evicts) return {1, 0};
    return {-std::expm1(-lambda * T), 1};
  }
  const double b = lambda * ttl;
  if (!evicts) return {b / (1 + b), 0};  // a TTL cache: 1 miss, then λ·ttl hits on average
  const double a = lambda * T;
  if (b <= a || a > 700) return {b / (1 + b), 0};  // the TTL always comes first
  Dde d = solve_dde(a, b);
  double survive = 1 - std::exp(-a) * (1 + d.m_b_minus_a);
  return {d.m_b / (1 + d.m_b), std::clamp(1 - survive, 0.0, 1.0)};
}

KeyFate CacheModel::Table::at(double u) const {
  double fi = (u - u0) / du;
  if (fi <= 0) return v.front();
  if (fi >= static_cast<double>(v.size() - 1)) return v.back();
  auto i = static_cast<std::size_t>(fi);
  double f = fi - static_cast<double>(i);
  return {v[i].hit + f * (v[i + 1].hit - v[i].hit), v[i].evicted + f * (v[i + 1].evicted - v[i].evicted)};
}

CacheModel::CacheModel(std::vector<KeyClass> classes, int nodes, double memory)
    : classes_(std::move(classes)), nodes_(nodes), memory_(memory) {
  assert(nodes_ >= 1 && memory_ > 0);
  rates_.assign(classes_.size(), 0.0);
  class_hit_.assign(classes_.size(), 0.0);
  nodes_state_.resize(static_cast<std::size_t>(nodes_));
  for (Node& n : nodes_state_) n.top.resize(classes_.size());
  tables_.assign(static_cast<std::size_t>(nodes_), std::vector<Table>(classes_.size()));
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    const KeyClass& kc = classes_[c];
    assert(kc.keys >= 1 && kc.size > 0);
    pop_.emplace_back(kc.keys, kc.zipf);
    const Zipf& z = pop_.back();
    std::uint64_t top = std::min(kc.keys, kTop);
    top_count_.push_back(top);
    for (std::uint64_t r = 1; r <= top; ++r) nodes_state_[static_cast<std::size_t>(node_of(c, r))].top[c].push_back(r);
    std::vector<Bucket> b;
    for (std::uint64_t r = top + 1; r <= kc.keys;) {
      auto last = std::max(r, std::min(kc.keys, static_cast<std::uint64_t>(static_cast<double>(r) * kBucketRatio)));
      double count = static_cast<double>(last - r + 1);
      b.push_back({std::log(z.mass(r, last) / count), count});
      r = last + 1;
    }
    buckets_.push_back(std::move(b));
    // The table spans the class's popularities (a single point when uniform).
    double u_hi = z.log_pmf(1), u_lo = z.log_pmf(kc.keys);
    for (auto& per_node : tables_) {
      Table& t = per_node[c];
      t.u0 = u_lo;
      std::size_t points = 2 + static_cast<std::size_t>(std::ceil((u_hi - u_lo) / kTableStep));
      t.du = u_hi > u_lo ? (u_hi - u_lo) / static_cast<double>(points - 1) : 1;
      t.v.assign(points, KeyFate{});
    }
  }
}

void CacheModel::fill(std::size_t c, double T, Table* t) const {
  for (std::size_t j = 0; j < t->v.size(); ++j) {
    double p = std::exp(t->u0 + static_cast<double>(j) * t->du);
    t->v[j] = lru_ttl_key(rates_[c] * p, T, classes_[c].ttl);
  }
}

double CacheModel::occupancy(int n, double T, std::vector<Table>* tables) const {
  const Node& node = nodes_state_[static_cast<std::size_t>(n)];
  const double share = 1.0 / nodes_;
  double bytes = 0;
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    Table& t = (*tables)[c];
    fill(c, T, &t);
    double present = 0;
    for (std::uint64_t r : node.top[c]) present += t.at(pop_[c].log_pmf(r)).hit;
    for (const Bucket& b : buckets_[c]) present += b.count * share * t.at(b.log_p).hit;
    bytes += present * classes_[c].size;
  }
  return bytes;
}

void CacheModel::solve(const std::vector<double>& rates) {
  assert(rates.size() == classes_.size());
  rates_ = rates;
  double total = 0;  // bytes requested per second, the whole cache
  for (std::size_t c = 0; c < classes_.size(); ++c) total += rates_[c] * classes_[c].size;
  std::fill(class_hit_.begin(), class_hit_.end(), 0.0);
  for (int n = 0; n < nodes_; ++n) {
    Node& node = nodes_state_[static_cast<std::size_t>(n)];
    std::vector<Table>& tables = tables_[static_cast<std::size_t>(n)];
    double T = kForever;
    if (occupancy(n, kForever, &tables) > memory_) {
      // occupancy(T) <= bytes requested within T <= total·T: the root is above memory/total.
      double lo = std::log(memory_ / total), hi = lo + std::log(2.0);
      double f_lo = occupancy(n, std::exp(lo), &tables) - memory_;
      double f_hi = occupancy(n, std::exp(hi), &tables) - memory_;
      for (int i = 0; f_hi < 0 && i < 200; ++i) {
        lo = hi;
        f_lo = f_hi;
        hi += std::log(4.0);
        f_hi = occupancy(n, std::exp(hi), &tables) - memory_;
      }
      // Illinois (regula falsi that halves the stale side) on ln T: occupancy rises with T.
      int side = 0;
      for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
        double u = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
        if (!(u > lo && u < hi)) u = 0.5 * (lo + hi);
        double f = occupancy(n, std::exp(u), &tables) - memory_;
        if (std::fabs(f) <= 1e-10 * memory_) {
          lo = hi = u;
          break;
        }
        if (f < 0) {
          lo = u;
          f_lo = f;
          if (side == -1) f_hi *= 0.5;
          side = -1;
        } else {
          hi = u;
          f_hi = f;
          if (side == 1) f_lo *= 0.5;
          side = 1;
        }
      }
      T = std::exp(0.5 * (lo + hi));
    }
    node.T = T;
    node.used = occupancy(n, T, &tables);  // leaves the tables filled for T
    node.evictions = 0;
    const double share = 1.0 / nodes_;
    for (std::size_t c = 0; c < classes_.size(); ++c) {
      const Table& t = tables[c];
      double hits = 0, evictions = 0;
      for (std::uint64_t r : node.top[c]) {
        double p = pop_[c].pmf(r);
        KeyFate f = t.at(std::log(p));
        hits += p * f.hit;
        evictions += p * (1 - f.hit) * f.evicted;
      }
      for (const Bucket& b : buckets_[c]) {
        double p = std::exp(b.log_p);
        KeyFate f = t.at(b.log_p);
        hits += b.count * share * p * f.hit;
        evictions += b.count * share * p * (1 - f.hit) * f.evicted;
      }
      class_hit_[c] += hits;
      node.evictions += rates_[c] * evictions;
    }
  }
}

KeyFate CacheModel::fate(std::size_t c, std::uint64_t rank) const {
  return tables_[static_cast<std::size_t>(node_of(c, rank))][c].at(pop_[c].log_pmf(rank));
}

double CacheModel::fill_time(int n, std::size_t c) const {
  double ttl = classes_[c].ttl > 0 ? classes_[c].ttl : kForever;
  return std::min(nodes_state_[static_cast<std::size_t>(n)].T, ttl);
}

double CacheModel::hit(std::size_t c, std::uint64_t rank, double age) const {
  int n = node_of(c, rank);
  double log_p = pop_[c].log_pmf(rank);
  if (age < fill_time(n, c)) return -std::expm1(-rates_[c] * std::exp(log_p) * age);
  return tables_[static_cast<std::size_t>(n)][c].at(log_p).hit;
}

}  // namespace sim::model
