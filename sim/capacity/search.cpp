#include "sim/capacity/search.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/core/units.h"

namespace sim::capacity {

Outcome read_outcome(const report::RunReport* report, const std::vector<std::string>& components,
                     const std::vector<Requirement>& requirements) {
  Outcome o;
  o.tiers.resize(components.size());
  for (std::size_t i = 0; i < components.size(); ++i) o.tiers[i].component = components[i];
  if (!report) {
    o.misses.push_back("the run wrote no report");
    return o;
  }
  o.ran = true;
  for (const auto& e : report->expectations) {
    if (e.metric == "throughput" || e.pass) continue;
    std::string cls = e.request_class.empty() ? "" : "[" + e.request_class + "]";
    o.misses.push_back(fmt::format("{}{} {} (expected {})", e.metric, cls, e.actual, e.expected));
  }
  o.p99 = report->summary.latency.p99;
  o.error_rate = report->summary.error_rate;
  o.throughput = report->summary.throughput;
  if (report->cost) {
    o.cost_per_month = report->cost->per_month;
    o.currency = report->cost->currency;
  }
  for (const auto& [reason, n] : report->summary.failures) o.failures[reason] = n;
  for (const auto& c : report->components) {
    if (c.kind == "database" && c.connections_refused > 0) {
      o.misses.push_back(fmt::format("'{}' refused {} connections (max_connections)", c.name, c.connections_refused));
    }
    for (auto& t : o.tiers) {
      if (t.component != c.name || c.name.empty()) continue;
      t.found = true;
      t.utilization = c.utilization;
      for (const auto& i : c.instances_stats) {
        if (i.utilization > t.busiest_utilization) {
          t.busiest_utilization = i.utilization;
          t.busiest = fmt::format("{} ({})", i.name, i.zone);
        }
      }
      t.connections_max = static_cast<std::uint64_t>(c.connections_max);
      t.connections_refused = c.connections_refused;
      if (c.kind == "cache") t.hit_ratio = c.hit_ratio;
    }
  }
  for (std::size_t i = 0; i < requirements.size() && i < o.tiers.size(); ++i) {
    const Requirement& req = requirements[i];
    const TierObservation& t = o.tiers[i];
    if (!t.found) continue;
    if (req.max_busiest_utilization && t.busiest_utilization > *req.max_busiest_utilization + 1e-9) {
      o.misses.push_back(fmt::format("'{}' busiest instance {} at {} CPU (headroom {})", t.component, t.busiest,
                                     core::format_ratio(t.busiest_utilization),
                                     core::format_ratio(*req.max_busiest_utilization)));
    }
    if (req.min_hit_ratio && t.hit_ratio.value_or(0) < *req.min_hit_ratio - 1e-9) {
      o.misses.push_back(fmt::format("'{}' hit ratio {} (expected >= {})", t.component,
                                     core::format_ratio(t.hit_ratio.value_or(0)), core::format_ratio(*req.min_hit_ratio)));
    }
  }
  o.pass = o.misses.empty();
  return o;
}

std::string describe_misses(const Outcome& o) {
  if (o.pass) return "passed";
  std::string s;
  for (const auto& m : o.misses) s += (s.empty() ? "" : "; ") + m;
  std::string f;
  for (const auto& [reason, n] : o.failures) f += fmt::format("{}{} {}", f.empty() ? "" : ", ", reason, n);
  if (!f.empty()) s += "; failed requests: " + f;
  if (!o.ran) s += fmt::format(" (exit status {})", o.exit_code);
  return s;
}

namespace {

enum class Phase { kBracket, kTiers, kCombine, kDone };

struct TierState {
  int lo = 0;           // the highest count known to fail (or below the minimum)
  int hi = 0;           // the lowest count known to pass
  int step = 1;         // galloping step
  bool galloping = true;
  bool done = false;
  std::optional<Outcome> below;
  int below_count = 0;
};

struct HorizonState {
  Phase phase = Phase::kBracket;
  std::vector<int> probe;  // bracket and combine candidate
  std::vector<int> upper;  // a passing configuration
  std::vector<TierState> tiers;
  HorizonAnswer answer;
};

using Key = std::pair<std::size_t, std::vector<int>>;

class Searcher {
 public:
  Searcher(const SearchInput& in, const std::vector<std::string>& names) : in_(in), names_(names) {}

  SearchResult run(const Evaluate& evaluate, const std::function<void(int, std::size_t)>& on_round) {
    std::size_t nh = in_.starts.size();
    states_.resize(nh);
    for (std::size_t h = 0; h < nh; ++h) {
      HorizonState& s = states_[h];
      s.probe = in_.starts[h];
      s.probe.resize(names_.size(), 0);
      s.tiers.resize(names_.size());
      s.answer.tiers.resize(names_.size());
      for (std::size_t t = 0; t < names_.size(); ++t) {
        s.answer.tiers[t].start = s.probe[t];
        s.probe[t] = searched(t) ? std::clamp(s.probe[t], floor_of(t), in_.max_servers) : 0;
      }
    }
    SearchResult result;
    for (;;) {
      std::vector<Candidate> batch;
      for (std::size_t h = 0; h < nh; ++h) {
        std::vector<std::vector<int>> wants;
        advance(h, &wants);
        for (auto& w : wants) {
          bool dup = std::any_of(batch.begin(), batch.end(),
                                 [&](const Candidate& c) { return c.horizon == h && c.counts == w; });
          if (!dup) batch.push_back({h, w});
        }
      }
      if (batch.empty()) break;
      ++result.rounds;
      if (on_round) on_round(result.rounds, batch.size());
      std::vector<Outcome> outcomes = evaluate(batch);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        Outcome o = i < outcomes.size() ? outcomes[i] : Outcome{};
        HorizonAnswer& a = states_[batch[i].horizon].answer;
        ++a.runs;
        ++result.runs;
        a.log.push_back(fmt::format("round {}: {}: {}", result.rounds, label(batch[i].counts), describe_misses(o)));
        memo_[{batch[i].horizon, batch[i].counts}] = std::move(o);
      }
    }
    for (auto& s : states_) result.horizons.push_back(std::move(s.answer));
    return result;
  }

 private:
  bool searched(std::size_t t) const { return t < in_.searched.size() && in_.searched[t]; }
  // The fewest servers a candidate may have: the tier's min, and never 0 (a component needs an instance).
  int floor_of(std::size_t t) const { return std::max(1, t < in_.mins.size() ? in_.mins[t] : 1); }

  std::string label(const std::vector<int>& counts) const {
    std::string s;
    for (std::size_t t = 0; t < counts.size(); ++t) {
      if (searched(t)) s += fmt::format("{}{}={}", s.empty() ? "" : " ", names_[t], counts[t]);
    }
    return s;
  }

  const Outcome* known(std::size_t h, const std::vector<int>& c) const {
    auto it = memo_.find({h, c});
    return it == memo_.end() ? nullptr : &it->second;
  }

  void finish(std::size_t h, const std::vector<int>& counts) {
    HorizonState& s = states_[h];
    s.phase = Phase::kDone;
    HorizonAnswer& a = s.answer;
    a.feasible = true;
    a.counts = counts;
    a.final = *known(h, counts);
    for (std::size_t t = 0; t < counts.size(); ++t) {
      a.tiers[t].count = counts[t];
      if (!searched(t)) continue;
      a.tiers[t].at = a.final;
      a.tiers[t].below = s.tiers[t].below;
      a.tiers[t].below_count = s.tiers[t].below_count;
    }
  }

  void advance(std::size_t h, std::vector<std::vector<int>>* wants) {
    HorizonState& s = states_[h];
    for (;;) {
      switch (s.phase) {
        case Phase::kDone:
          return;
        case Phase::kBracket: {
          const Outcome* o = known(h, s.probe);
          if (!o) {
            wants->push_back(s.probe);
            return;
          }
          if (o->pass) {
            s.upper = s.probe;
            for (std::size_t t = 0; t < s.tiers.size(); ++t) {
              s.tiers[t].hi = s.upper[t];
              s.tiers[t].lo = floor_of(t) - 1;
              s.tiers[t].done = !searched(t);
            }
            s.phase = Phase::kTiers;
            continue;
          }
          bool at_max = true;
          for (std::size_t t = 0; t < s.probe.size(); ++t) {
            if (searched(t) && s.probe[t] < in_.max_servers) at_max = false;
          }
          if (at_max) {
            s.phase = Phase::kDone;
            s.answer.feasible = false;
            s.answer.counts = s.probe;
            s.answer.final = *o;
            for (std::size_t t = 0; t < s.probe.size(); ++t) s.answer.tiers[t].count = s.probe[t];
            return;
          }
          for (std::size_t t = 0; t < s.probe.size(); ++t) {
            if (searched(t)) s.probe[t] = std::min(in_.max_servers, std::max(s.probe[t] + 1, s.probe[t] * 2));
          }
          continue;
        }
        case Phase::kTiers: {
          bool all_done = true;
          for (std::size_t t = 0; t < s.tiers.size(); ++t) {
            TierState& ts = s.tiers[t];
            while (!ts.done) {
              if (ts.hi - ts.lo <= 1) {
                ts.done = true;
                break;
              }
              int c = 0;
              if (ts.galloping) {
                c = ts.hi - ts.step;
                if (c <= ts.lo) ts.galloping = false;
              }
              if (!ts.galloping) c = ts.lo + (ts.hi - ts.lo) / 2;
              std::vector<int> cfg = s.upper;
              cfg[t] = c;
              const Outcome* o = known(h, cfg);
              if (!o) {
                wants->push_back(cfg);
                all_done = false;
                break;
              }
              if (o->pass) {
                ts.hi = c;
                if (ts.galloping) ts.step *= 2;
              } else {
                ts.lo = c;
                ts.galloping = false;
                ts.below = *o;
                ts.below_count = c;
              }
            }
          }
          if (!all_done) return;
          s.probe = s.upper;
          for (std::size_t t = 0; t < s.tiers.size(); ++t) {
            if (searched(t)) s.probe[t] = s.tiers[t].hi;
          }
          s.phase = Phase::kCombine;
          continue;
        }
        case Phase::kCombine: {
          if (s.probe == s.upper) {
            finish(h, s.upper);
            return;
          }
          const Outcome* o = known(h, s.probe);
          if (!o) {
            wants->push_back(s.probe);
            return;
          }
          if (o->pass) {
            finish(h, s.probe);
            return;
          }
          // The minima do not hold together: one more server for the busiest tier that was lowered.
          std::size_t pick = s.tiers.size();
          double busiest = -1;
          for (std::size_t t = 0; t < s.tiers.size(); ++t) {
            if (!searched(t) || s.probe[t] >= s.upper[t]) continue;
            double u = t < o->tiers.size() ? o->tiers[t].utilization : 0;
            if (u > busiest) {
              busiest = u;
              pick = t;
            }
          }
          s.tiers[pick].below = *o;
          s.tiers[pick].below_count = s.probe[pick];
          s.probe[pick] += 1;
          continue;
        }
      }
    }
  }

  const SearchInput& in_;
  const std::vector<std::string>& names_;
  std::vector<HorizonState> states_;
  std::map<Key, Outcome> memo_;
};

}  // namespace

SearchResult search(const SearchInput& in, const std::vector<std::string>& tier_names, const Evaluate& evaluate,
                    const std::function<void(int, std::size_t)>& on_round) {
  Searcher s(in, tier_names);
  return s.run(evaluate, on_round);
}

}  // namespace sim::capacity
