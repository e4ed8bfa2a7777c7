// Che's approximation with TTLs (model/cache_model.h) against independent references:
//  - one key: its closed limits (Che's 1 − e^(−λT), a TTL cache's λτ/(1+λτ)) and a
//    Monte Carlo of the stay rules (evicted after a gap > T, expired τ after insertion);
//  - a whole cache: a brute-force LRU simulation (model/lru_simulator.h) of the same
//    trace, Poisson requests with Zipf popularity, within 2 % of its hit ratio.
//
//   requests (Poisson, Zipf ranks) ──> LRU, maxmemory M, TTL per class ──> hit ratio
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/core/random.h"
#include "sim/model/cache_model.h"
#include "sim/model/lru_simulator.h"
#include "sim/model/zipf.h"

namespace sim::model {
namespace {

TEST(Zipf, SamplesFollowThePmf) {
  for (double s : {0.0, 0.6, 1.0, 1.3}) {
    Zipf z(1000, s);
    core::Rng rng(7);
    std::map<std::uint64_t, int> counts;
    const int n = 400000;
    for (int i = 0; i < n; ++i) {
      std::uint64_t k = z.sample(rng);
      ASSERT_GE(k, 1u);
      ASSERT_LE(k, 1000u);
      ++counts[k];
    }
    for (std::uint64_t k : {1, 2, 10, 100, 1000}) {
      double expected = n * z.pmf(k);
      EXPECT_NEAR(counts[k], expected, 5 * std::sqrt(expected) + 1) << "s " << s << " rank " << k;
    }
    EXPECT_NEAR(z.mass(1, 1000), 1.0, 1e-12);
  }
}

TEST(Zipf, NormalizerOfLargePopulationsMatchesTheSum) {
  // Euler-Maclaurin beyond 10^4 ranks against the term-by-term sum.
  for (double s : {0.5, 1.0, 1.5}) {
    std::uint64_t n = 300000;
    double sum = 0;
    for (std::uint64_t j = n; j >= 1; --j) sum += std::pow(static_cast<double>(j), -s);
    EXPECT_NEAR(Zipf(n, s).normalizer() / sum, 1.0, 1e-12) << s;
    Zipf z(n, s);
    double part = 0;
    for (std::uint64_t j = 20000; j <= 20300; ++j) part += z.pmf(j);
    EXPECT_NEAR(z.mass(20000, 20300) / part, 1.0, 1e-9);
  }
}

TEST(LruTtlKey, ClosedLimits) {
  // No TTL: Che. No eviction: a TTL cache. TTL shorter than T: the TTL decides.
  KeyFate che = lru_ttl_key(2.0, 0.5, 0);
  EXPECT_DOUBLE_EQ(che.hit, 1 - std::exp(-1.0));
  EXPECT_EQ(che.evicted, 1);
  KeyFate ttl = lru_ttl_key(2.0, kForever, 3.0);
  EXPECT_DOUBLE_EQ(ttl.hit, 6.0 / 7.0);
  EXPECT_EQ(ttl.evicted, 0);
  EXPECT_DOUBLE_EQ(lru_ttl_key(2.0, 5.0, 3.0).hit, 6.0 / 7.0);
  // A long TTL tends to Che.
  EXPECT_NEAR(lru_ttl_key(1.0, 1.0, 1e6).hit, 1 - std::exp(-1.0), 1e-6);
  EXPECT_NEAR(lru_ttl_key(1.0, 1.0, 1e6).evicted, 1.0, 1e-6);
}

// The stay rules played out for one key: after the miss that inserts it, a request hits
// while it comes within T of the previous one and within τ of the insertion.
KeyFate monte_carlo(double lambda, double T, double ttl, std::uint64_t seed) {
  core::Rng rng(seed);
  std::uint64_t hits = 0, misses = 0, evictions = 0, stays = 0;
  double inserted = 0, last = 0;
  bool present = false;
  double t = 0;
  for (int i = 0; i < 2000000; ++i) {
    t += rng.exponential(1 / lambda);
    if (present) {
      bool evicted = t - last > T && last + T < inserted + ttl;
      bool expired = t >= inserted + ttl;
      if (evicted || expired) {
        present = false;
        ++stays;
        evictions += evicted ? 1 : 0;
      }
    }
    if (present) {
      ++hits;
      last = t;
    } else {
      ++misses;
      present = true;
      inserted = last = t;
    }
  }
  return {static_cast<double>(hits) / static_cast<double>(hits + misses),
          static_cast<double>(evictions) / static_cast<double>(stays)};
}

TEST(LruTtlKey, MatchesAMonteCarloOfTheStayRules) {
  // a = λT and b = λτ across the regimes: eviction-bound, TTL-bound and between.
  struct P {
    double a, b;
  };
  int i = 0;
  for (P p : {P{0.05, 0.3}, P{0.3, 2}, P{1, 1.5}, P{1, 4}, P{2, 5}, P{2, 40}, P{4, 10}, P{0.7, 300}, P{3, 500}, P{6, 200}}) {
    KeyFate f = lru_ttl_key(1.0, p.a, p.b);
    KeyFate mc = monte_carlo(1.0, p.a, p.b, 100 + static_cast<std::uint64_t>(i++));
    EXPECT_NEAR(f.hit, mc.hit, 0.004) << "a " << p.a << " b " << p.b;
    EXPECT_NEAR(f.evicted, mc.evicted, 0.01) << "a " << p.a << " b " << p.b;
  }
}

struct TraceClass {
  KeyClass keys;
  double rate;
};

// Brute force: a Poisson trace of every class (ranks by Zipf), one LRU per node.
std::vector<double> simulate(const std::vector<TraceClass>& classes, int nodes, double memory, double duration,
                             double warmup, std::uint64_t seed, double* evictions_per_s = nullptr) {
  std::vector<LruSimulator> caches(static_cast<std::size_t>(nodes), LruSimulator(memory));
  std::vector<Zipf> pop;
  double total = 0;
  for (const auto& c : classes) {
    pop.emplace_back(c.keys.keys, c.keys.zipf);
    total += c.rate;
  }
  core::Rng rng(seed);
  std::vector<double> hits(classes.size()), lookups(classes.size());
  std::uint64_t evictions_at_warmup = 0;
  bool measured = false;
  for (double t = 0; t < duration;) {
    t += rng.exponential(1 / total);
    if (!measured && t >= warmup) {
      measured = true;
      for (auto& c : caches) evictions_at_warmup += c.evictions();
    }
    double u = rng.uniform() * total;
    std::size_t c = 0;
    while (c + 1 < classes.size() && u >= classes[c].rate) u -= classes[c++].rate;
    std::uint64_t rank = pop[c].sample(rng);
    int node = static_cast<int>(hash_rank(rank, classes[c].keys.salt) % static_cast<std::uint64_t>(nodes));
    // Keys of different classes are different keys.
    bool hit = caches[static_cast<std::size_t>(node)].access((static_cast<std::uint64_t>(c) << 56) | rank,
                                                             classes[c].keys.size, classes[c].keys.ttl, t);
    if (t >= warmup) {
      lookups[c] += 1;
      hits[c] += hit ? 1 : 0;
    }
  }
  if (evictions_per_s) {
    std::uint64_t e = 0;
    for (auto& c : caches) e += c.evictions();
    *evictions_per_s = static_cast<double>(e - evictions_at_warmup) / (duration - warmup);
  }
  std::vector<double> out;
  for (std::size_t c = 0; c < classes.size(); ++c) out.push_back(hits[c] / lookups[c]);
  return out;
}

std::vector<double> predict(const std::vector<TraceClass>& classes, int nodes, double memory, CacheModel** keep = nullptr) {
  std::vector<KeyClass> kc;
  std::vector<double> rates;
  for (const auto& c : classes) {
    kc.push_back(c.keys);
    rates.push_back(c.rate);
  }
  static std::unique_ptr<CacheModel> model;
  model = std::make_unique<CacheModel>(kc, nodes, memory);
  model->solve(rates);
  if (keep) *keep = model.get();
  std::vector<double> out;
  for (std::size_t c = 0; c < classes.size(); ++c) out.push_back(model->hit_ratio(c));
  return out;
}

TEST(CacheModel, CheMatchesBruteForceLru) {
  // 20,000 keys of 1 KB, Zipf 0.8, one node holding 2,000 of them (10 %); 1,000 lookups/s.
  std::vector<TraceClass> classes = {{{20000, 0.8, 1000, 0, 1}, 1000}};
  double sim = simulate(classes, 1, 2000 * 1000, 1200, 200, 11)[0];
  double che = predict(classes, 1, 2000 * 1000)[0];
  EXPECT_NEAR(che / sim, 1.0, 0.02) << "che " << che << " lru " << sim;
}

TEST(CacheModel, CheMatchesBruteForceLruOverNodesAndSkews) {
  // Three nodes (keys hashed to them), a steeper skew and a small cache.
  std::vector<TraceClass> classes = {{{50000, 1.1, 2000, 0, 2}, 2000}};
  double evictions = 0;
  double sim = simulate(classes, 3, 400 * 2000, 800, 150, 12, &evictions)[0];
  CacheModel* m = nullptr;
  double che = predict(classes, 3, 400 * 2000, &m)[0];
  EXPECT_NEAR(che / sim, 1.0, 0.02) << "che " << che << " lru " << sim;
  // Every miss evicts one key once the cache is full.
  double predicted = m->eviction_rate(0) + m->eviction_rate(1) + m->eviction_rate(2);
  EXPECT_NEAR(predicted / evictions, 1.0, 0.02) << predicted << " vs " << evictions;
}

TEST(CacheModel, TtlsMatchBruteForceLru) {
  // Two classes share 1 MB: sessions (24 h TTL, long-lived, uniform users) and API
  // responses (1 min TTL, Zipf 0.9). Between eviction-bound and TTL-bound keys.
  std::vector<TraceClass> classes = {{{5000, 0.0, 400, 86400, 3}, 100}, {{20000, 0.9, 1000, 60, 4}, 400}};
  std::vector<double> sim = simulate(classes, 1, 1.0e6, 3000, 600, 13);
  std::vector<double> che = predict(classes, 1, 1.0e6);
  for (std::size_t c = 0; c < classes.size(); ++c) EXPECT_NEAR(che[c] / sim[c], 1.0, 0.02) << c << ": che " << che[c] << " lru " << sim[c];
}

TEST(CacheModel, TtlBoundCacheNeverEvicts) {
  // Everything alive at once fits: the TTL alone decides, T = ∞, no evictions.
  std::vector<TraceClass> classes = {{{10000, 1.0, 100, 30, 5}, 200}};
  double evictions = 0;
  double sim = simulate(classes, 1, 1e7, 1500, 300, 14, &evictions)[0];
  CacheModel* m = nullptr;
  double che = predict(classes, 1, 1e7, &m)[0];
  EXPECT_TRUE(std::isinf(m->characteristic_time(0)));
  EXPECT_EQ(m->eviction_rate(0), 0);
  EXPECT_EQ(evictions, 0);
  EXPECT_NEAR(che / sim, 1.0, 0.02) << "che " << che << " lru " << sim;
}

TEST(CacheModel, MoreMemoryMoreHitsAndLoadMattersOnlyWithTtls) {
  std::vector<KeyClass> lru = {{100000, 0.9, 1000, 0, 1}};
  CacheModel small(lru, 1, 5e6), large(lru, 1, 20e6);
  small.solve({1000});
  large.solve({1000});
  EXPECT_LT(small.hit_ratio(0), large.hit_ratio(0));
  // Pure LRU: λT is invariant under the load (T scales as 1/load).
  CacheModel busy(lru, 1, 5e6);
  busy.solve({4000});
  EXPECT_NEAR(busy.hit_ratio(0), small.hit_ratio(0), 1e-6);
  // With a TTL, more load means more hits within each key's TTL.
  std::vector<KeyClass> ttl = {{100000, 0.9, 1000, 60, 1}};
  CacheModel quiet(ttl, 1, 20e6), loud(ttl, 1, 20e6);
  quiet.solve({100});
  loud.solve({1000});
  EXPECT_LT(quiet.hit_ratio(0) + 0.05, loud.hit_ratio(0));
}

TEST(CacheModel, WarmUpFollowsTheFirstRequests) {
  std::vector<KeyClass> lru = {{10000, 1.0, 1000, 0, 1}};
  CacheModel m(lru, 1, 1e6);
  m.solve({500});
  double T = m.characteristic_time(0);
  ASSERT_TRUE(std::isfinite(T));
  // Before T: present iff requested since the start; after: Che.
  double lambda = m.lambda(0, 1);
  EXPECT_NEAR(m.hit(0, 1, T / 2), 1 - std::exp(-lambda * T / 2), 1e-12);
  EXPECT_NEAR(m.hit(0, 1, kForever), m.fate(0, 1).hit, 1e-12);
  EXPECT_NEAR(m.fate(0, 1).hit, 1 - std::exp(-lambda * T), 2e-3);
}

}  // namespace
}  // namespace sim::model
