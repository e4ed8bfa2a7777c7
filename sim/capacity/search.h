#pragma once
// Simulation-backed sizing: the smallest server count per tier that meets the
// scenario's expectations at a horizon's load. Pure: the runs themselves are
// done by an Evaluate callback (the CLI runs each candidate in its own child
// process; tests pass a fake), so the search logic is tested in milliseconds.
//
// Per horizon, starting from the analytic counts (by load, at least the tier's min):
//   1. bracket   run the start; while it fails, double every tier (up to max_servers).
//                Nothing passes at max: the horizon is infeasible (the misses say why).
//   2. per tier  with the other tiers at the passing bracket U, search the tier's
//                count downwards: try U−1, U−2, U−4, ... (galloping: one run when the
//                analytic answer is right), then bisect between the last failure and
//                the last pass. The tiers are searched at the same time.
//   3. combine   run every tier at its own minimum; if that fails (the tiers' slack
//                added up), add one server to the busiest tier that was lowered and run
//                again, until it passes (U passes, so this ends).
// Every round gathers the pending candidates of all horizons and tiers, so the
// children keep every core busy. A candidate is never run twice.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/run_report.h"

namespace sim::capacity {

/// One tier's component as a run saw it.
struct TierObservation {
  std::string component;
  bool found = false;
  double utilization = 0;          ///< mean over the tier's instances
  double busiest_utilization = 0;  ///< the busiest instance's
  std::string busiest;             ///< its name and zone: "app-0 (fra1-a)"
  std::uint64_t connections_max = 0, connections_refused = 0;
  std::optional<double> hit_ratio;
};

/// What one candidate run showed.
struct Outcome {
  bool ran = false;           ///< the run wrote its report
  int exit_code = 0;
  bool pass = false;          ///< every expectation (but throughput) met and no DB connection refused
  std::vector<std::string> misses;  ///< why it failed: "latency_p99 612ms (expected <= 500ms)", ...
  double p99 = 0, error_rate = 0, throughput = 0;
  std::map<std::string, std::uint64_t> failures;  ///< failed requests by reason
  std::vector<TierObservation> tiers;             ///< parallel to the searched components
  std::optional<double> cost_per_month;           ///< when the topology names a pricing file (docs/cost.md)
  std::string currency;
};

/// What a searched quantity must show besides the scenario's expectations.
struct Requirement {
  std::optional<double> max_busiest_utilization;  ///< its busiest instance's CPU (a database: the hottest shard's)
  std::optional<double> min_hit_ratio;            ///< a cache's hit ratio over the run
};

/// What a run's report says (null: it wrote none). An absolute throughput target
/// is skipped: the load is scaled per horizon, so it would judge the load, not
/// the servers. Every database's connections_refused must be 0. `components`:
/// one per searched tier ("" for a tier without one); `requirements`, when
/// given, one per component too (a miss says which was not met).
Outcome read_outcome(const report::RunReport* report, const std::vector<std::string>& components,
                     const std::vector<Requirement>& requirements = {});

/// "latency_p99 612ms (expected <= 500ms); queue_full 35842" — the misses, or "passed".
std::string describe_misses(const Outcome& o);

struct Candidate {
  std::size_t horizon = 0;
  std::vector<int> counts;  ///< per tier (tiers without a component keep 0)
};

/// Runs candidates (in parallel if it can) and returns their outcomes, in order.
using Evaluate = std::function<std::vector<Outcome>(const std::vector<Candidate>&)>;

struct SearchInput {
  std::vector<std::vector<int>> starts;  ///< per horizon, per tier: the analytic count
  std::vector<int> mins;                 ///< per tier
  std::vector<bool> searched;            ///< per tier: has a component (false: left at 0)
  int max_servers = 100;
};

struct TierAnswer {
  int count = 0;
  int start = 0;
  std::optional<Outcome> at;     ///< a passing run with `count`
  std::optional<Outcome> below;  ///< a failing run with count − 1 (none when count is the tier's min)
  int below_count = 0;
};

struct HorizonAnswer {
  bool feasible = false;
  std::vector<int> counts;       ///< the configuration found (passes)
  Outcome final;                 ///< its run (or, infeasible, the last failing run at max)
  int runs = 0;
  std::vector<TierAnswer> tiers;
  std::vector<std::string> log;  ///< one line per run: "web=4 db=2 cache=1: passed"
};

struct SearchResult {
  std::vector<HorizonAnswer> horizons;
  int runs = 0;
  int rounds = 0;
};

/// A `scale: both` tier sized up (docs/capacity.md "Scale up or out"): its cores per instance
/// searched on `instances` instances (the topology's, or one fewer: what survives one lost),
/// every other tier and dimension at the answer of the main search (scaled out), at every
/// horizon where that answer exists.
struct ScaleUpResult {
  std::size_t tier = 0;                ///< index into Plan::tiers
  int instances = 0;                   ///< the tier's up_instances, or one fewer (to survive one lost)
  std::vector<std::size_t> horizons;   ///< the horizons searched, parallel to search.horizons
  SearchResult search;                 ///< counts[tier]: cores per instance
};

/// Searches every horizon. `tier_names` label the log. `on_round(round, candidates)` is
/// called before each batch (for progress output).
SearchResult search(const SearchInput& in, const std::vector<std::string>& tier_names, const Evaluate& evaluate,
                    const std::function<void(int, std::size_t)>& on_round = {});

}  // namespace sim::capacity
