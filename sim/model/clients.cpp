#include "sim/model/clients.h"

#include <algorithm>
#include <cmath>

namespace sim::model {

ClientPopulation::ClientPopulation(const std::vector<scenario::ClientGroup>& groups) {
  double cum = 0, total_share = 0;
  for (const auto& g : groups) total_share += g.share;
  if (total_share <= 0) total_share = 1;
  for (const auto& g : groups) {
    Group x;
    x.first = total_;
    x.count = static_cast<std::uint32_t>(std::max(1, g.count));
    x.share = g.share / total_share;
    cum += x.share;
    x.cum_share = cum;
    if (g.zipf > 0 && x.count > 1) {
      x.cdf.resize(x.count);
      double sum = 0;
      for (std::uint32_t k = 0; k < x.count; ++k) {
        sum += 1.0 / std::pow(static_cast<double>(k + 1), g.zipf);
        x.cdf[k] = sum;
      }
      for (double& c : x.cdf) c /= sum;
    }
    x.stats.name = g.name;
    x.stats.clients = static_cast<int>(x.count);
    total_ += x.count;
    groups_.push_back(std::move(x));
  }
  if (!groups_.empty()) groups_.back().cum_share = 1;  // rounding must not leave a gap at the top
}

std::uint32_t ClientPopulation::draw(double u) const {
  if (groups_.empty()) return 0;
  std::size_t gi = 0;
  while (gi + 1 < groups_.size() && u >= groups_[gi].cum_share) ++gi;
  const Group& g = groups_[gi];
  double below = g.cum_share - g.share;
  double v = g.share > 0 ? std::clamp((u - below) / g.share, 0.0, std::nextafter(1.0, 0.0)) : 0.0;
  std::uint32_t k = 0;
  if (g.cdf.empty()) {
    k = std::min(g.count - 1, static_cast<std::uint32_t>(v * g.count));
  } else {
    k = static_cast<std::uint32_t>(std::upper_bound(g.cdf.begin(), g.cdf.end(), v) - g.cdf.begin());
    k = std::min(k, g.count - 1);
  }
  return g.first + k;
}

int ClientPopulation::group_of(std::uint32_t client) const {
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    if (client < groups_[i].first + groups_[i].count) return static_cast<int>(i);
  }
  return static_cast<int>(groups_.size()) - 1;
}

double ClientPopulation::share_of(std::uint32_t client) const {
  const Group& g = groups_[static_cast<std::size_t>(group_of(client))];
  std::uint32_t k = client - g.first;
  if (g.cdf.empty()) return g.share / g.count;
  return g.share * (g.cdf[k] - (k > 0 ? g.cdf[k - 1] : 0.0));
}

void ClientPopulation::count(std::uint32_t client, Outcome o) {
  if (groups_.empty()) return;
  Group& g = groups_[static_cast<std::size_t>(group_of(client))];
  bool top = client == g.first;
  switch (o) {
    case Outcome::kGenerated:
      ++g.stats.generated;
      if (top) ++g.stats.top_client_generated;
      break;
    case Outcome::kCompleted: ++g.stats.completed; break;
    case Outcome::kRateLimited:
      ++g.stats.rate_limited;
      if (top) ++g.stats.top_client_rate_limited;
      ++g.stats.failed;
      break;
    case Outcome::kFailed: ++g.stats.failed; break;
  }
}

std::vector<ClientGroupStats> ClientPopulation::stats() const {
  std::vector<ClientGroupStats> out;
  for (const auto& g : groups_) out.push_back(g.stats);
  return out;
}

}  // namespace sim::model
