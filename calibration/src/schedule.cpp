#include "calibration/src/schedule.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <random>

#include "calibration/src/service_time.h"

namespace calib {

std::vector<Arrival> make_schedule(const std::vector<Source>& sources, Arrivals kind, double duration,
                                   std::uint64_t max_requests, std::uint64_t seed) {
  assert(duration >= 0);
  std::vector<Arrival> all;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const double rate = sources[i].rate;
    assert(rate >= 0);
    if (rate <= 0) continue;
    // One stream per source (splitmix-style mixing of the seed and the index), so adding a
    // source does not shift the others' arrivals.
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (i + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    std::mt19937_64 rng(z ^ (z >> 31));
    const double gap = 1.0 / rate;
    double t = kind == Arrivals::kFixed ? gap * uniform01(rng) : -gap * std::log(1.0 - uniform01(rng));
    while (t < duration) {
      all.push_back({t, static_cast<int>(i)});
      t += kind == Arrivals::kFixed ? gap : -gap * std::log(1.0 - uniform01(rng));
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const Arrival& a, const Arrival& b) { return a.time < b.time; });
  if (max_requests > 0 && all.size() > max_requests) all.resize(max_requests);
  return all;
}

}  // namespace calib
