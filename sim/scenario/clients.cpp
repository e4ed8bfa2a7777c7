#include "sim/scenario/clients.h"

#include <cmath>
#include <fmt/format.h>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"

namespace sim::scenario {

using core::MapView;
using core::Reader;

namespace {

bool read_group(const Reader& r, const YAML::Node& n, bool single, ClientGroup* g) {
  std::vector<std::string> keys = {"name", "count", "zipf"};
  if (!single) keys.push_back("share");
  MapView m(r, n, single ? "client_groups" : "client group", keys);
  if (!m.ok()) return false;
  g->pos = r.pos(n);
  g->name = "clients";
  if (m.has("name")) core::set_if(r.identifier(m.get("name")), &g->name);
  if (!single && !m.has("name") && !m.misspelled("name")) {
    r.error(n, "missing key 'name' in client group; expected a name, like name: users");
  }
  YAML::Node count = m.require("count", "the number of clients, like count: 1000");
  if (count.IsDefined()) m.read("count", &Reader::integer, &g->count, 1, kMaxClients);
  m.read("zipf", &Reader::number, &g->zipf, 0.0, 10.0);
  if (single) {
    g->share = 1;
  } else {
    YAML::Node share = m.require("share", "its share of the requests, like share: 40%");
    if (share.IsDefined()) m.read("share", &Reader::ratio, &g->share);
  }
  return true;
}

}  // namespace

void read_client_groups(const Reader& r, const YAML::Node& n, Scenario* s) {
  if (n.IsMap()) {
    ClientGroup g;
    if (read_group(r, n, true, &g)) s->client_groups.push_back(g);
    return;
  }
  if (!n.IsSequence()) {
    r.error(n, fmt::format("expected a list of client groups, like [{{name: users, count: 1000, share: 100%}}], or "
                           "one group {{count: 1000, zipf: 1}}; got {}",
                           core::describe(n)));
    return;
  }
  if (n.size() == 0) {
    r.error(n, "empty client_groups list; expected at least one group, like [{name: users, count: 1000, share: 100%}]");
    return;
  }
  double sum = 0;
  long long total = 0;
  std::vector<std::string> names;
  for (const auto& item : n) {
    ClientGroup g;
    if (!read_group(r, item, false, &g)) continue;
    for (const auto& other : names) {
      if (other == g.name) r.error(item["name"], fmt::format("client group '{}' is named twice; expected unique names", g.name));
    }
    names.push_back(g.name);
    sum += g.share;
    total += g.count;
    s->client_groups.push_back(g);
  }
  if (total > kMaxClients) {
    r.error(n, fmt::format("{} clients in all; expected at most {} (every keyed rate limit keeps a state per client)",
                           total, kMaxClients));
  }
  if (s->client_groups.size() == n.size() && std::fabs(sum - 1) > 1e-6) {
    r.error(n, fmt::format("client group shares sum to {}; expected 100%", core::format_ratio(sum)));
  }
}

}  // namespace sim::scenario
