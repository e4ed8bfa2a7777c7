#include "sim/scenario/selectors.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

namespace sim::scenario {

std::vector<int> select_instances(const std::string& mode, int value, int count, core::Rng& rng) {
  if (count <= 0) return {};
  int n = count;
  if (mode == "one") {
    n = 1;
  } else if (mode == "fixed") {
    n = std::min(value, count);
  } else if (mode == "fixed-percent") {
    n = static_cast<int>(std::ceil(static_cast<double>(count) * value / 100.0 - 1e-12));
  } else if (mode == "random-max-percent") {
    auto q = static_cast<double>(rng.below(static_cast<std::uint64_t>(value) + 1));
    n = static_cast<int>(std::ceil(static_cast<double>(count) * q / 100.0 - 1e-12));
  }
  n = std::clamp(n, 0, count);
  // The first n of a Fisher-Yates shuffle: n distinct instances, each subset equally likely.
  std::vector<int> idx(static_cast<std::size_t>(count));
  std::iota(idx.begin(), idx.end(), 0);
  for (int i = 0; i < n; ++i) {
    auto j = static_cast<std::size_t>(i) + static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(count - i)));
    std::swap(idx[static_cast<std::size_t>(i)], idx[j]);
  }
  idx.resize(static_cast<std::size_t>(n));
  std::sort(idx.begin(), idx.end());
  return idx;
}

void apply_selectors(Scenario* s, const topology::Topology& t, core::Diagnostics& diags) {
  std::vector<Fault> out;
  core::RngStreams streams(s->seed);
  for (const Fault& f : s->faults) {
    if (f.kind != Fault::Kind::kCrash || f.select_mode.empty()) {
      out.push_back(f);
      continue;
    }
    const topology::Component* c = t.find(f.target.component);
    const int count = c ? c->instances() : 0;
    core::Rng rng = streams.stream("select:" + f.name);
    std::vector<int> chosen = select_instances(f.select_mode, f.select_value, count, rng);
    if (chosen.empty()) {
      diags.warning(f.pos, fmt::format("fault '{}' (mode {} {}) chose none of the {} instance(s) of '{}' with seed {}; "
                                       "nothing crashes",
                                       f.name, f.select_mode, f.select_value, count, f.target.component, s->seed));
    }
    for (int i : chosen) {
      Fault one = f;
      one.select_mode.clear();
      one.target.instance = i;
      one.name = fmt::format("{}: {}", f.name, one.target.text());
      out.push_back(std::move(one));
    }
  }
  s->faults = std::move(out);
}

}  // namespace sim::scenario
