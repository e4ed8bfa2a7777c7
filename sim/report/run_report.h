#pragma once
// report.json, typed: the protocol between a run and everything that reads it
// back (compare, Monte Carlo, sweep results and merge, JUnit and the CI
// summary, chaos, capacity). This file is the only writer and the only reader
// of report.json's keys:
//
//   build_run_report   (Scenario, Topology, RunResult, Assessment) -> RunReport, every value rounded once
//   to_json            RunReport -> report.json (stable key order, fixed precision)
//   parse_run_report   report.json -> RunReport; never throws: a missing or mistyped field keeps its
//                      default, so reports of other versions and half-copied cluster outputs read
//   read_run_report    the same from a file; nullopt (and why) when missing or not JSON
//
// The per-window and per-component time series are kept as the JSON the
// charts read (no C++ reader needs their values). Everything else is typed.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/check/expectations.h"
#include "sim/model/cost.h"
#include "sim/model/run_result.h"
#include "sim/report/json.h"
#include "sim/scenario/metrics.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::report {

/// What ran.
struct ScenarioInfo {
  std::string name, description, file;
  std::string topology;       ///< the topology's name
  std::string topology_file;
  std::uint64_t seed = 0;
  double duration = 0, warmup = 0, window = 0;
};

struct LatencyRow {
  std::uint64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double p95 = 0;
};

/// An input file a run read, with its content hash (sha256sum's).
struct InputFile {
  std::string role;    ///< scenario, topology, trace
  std::string path;    ///< as the run opened it
  std::string sha256;  ///< hex; "" when it could not be read
  std::uint64_t bytes = 0;
};

/// What it takes to reproduce a report from itself.
struct Provenance {
  std::string version;          ///< infrasim's
  std::string command;          ///< the command line that made it, without the options that never change a
                                ///< result (--out, -j, -q, --junit, --summary, --log-level, --resume, ...)
  std::uint64_t seed = 0;       ///< the seed the run used
  std::string seed_source;      ///< "scenario", "--seed", or how a batch derived it ("run 3 of --runs 8, from 42")
  std::string topology_override;  ///< compare --topology: the topology file used instead of the scenario's
  std::vector<std::string> overrides;     ///< every override applied, "components.app.replicas=5" (--set, --variant,
                                          ///< sweep points, capacity counts, advise remedies)
  std::vector<std::string> extra_faults;  ///< faults added to the scenario's (chaos): "crash app[1] at 2m"
  std::vector<InputFile> inputs;          ///< scenario, topology, traces
};

/// Failed requests by reason, in the engine's reason order; reasons with none are left out.
using ReasonRows = std::vector<std::pair<std::string, std::uint64_t>>;

struct Conservation {
  bool ok = true;
  std::uint64_t generated = 0, accounted = 0;  ///< generated vs completed + failed + in flight
};

struct Totals {
  std::uint64_t generated = 0, completed = 0, failed = 0, in_flight = 0;
  Conservation conservation;
  double throughput = 0, error_rate = 0;
  LatencyRow latency;
  ReasonRows failures;
};

/// One expectation's verdict, as report.json and montecarlo.json write it.
struct ExpectationRow {
  std::string metric, request_class;  ///< request_class: "" = all
  std::string expected;               ///< "<= 500ms"
  double expected_value = 0;
  std::string actual;                 ///< "512ms", or "not measured (why)"
  std::optional<double> actual_value;
  bool pass = false;
  std::string note;
  std::string reason;                 ///< why it failed, from the run ("" when it passed)
  int line = 0;                       ///< of the expectation in the scenario file
  /// Monte Carlo only (montecarlo.json): the bound judged and the runs' statistics.
  std::string bound;
  std::optional<std::size_t> runs_passed;
  std::optional<double> mean, ci_low, ci_high;

  /// "latency_p99 <= 500ms": the expectation, not the result.
  std::string key() const { return metric + " " + expected; }
  /// "latency_p99", "rto:api_write": the check's stable name (it does not change with the target).
  std::string id() const { return request_class.empty() ? metric : metric + ":" + request_class; }
};

struct ClassRow {
  std::string name;
  std::uint64_t generated = 0, completed = 0, failed = 0;
  ReasonRows failures;
  LatencyRow latency;
  bool write = false;                 ///< the class writes (its RTO is the write path's)
  double error_rate = 0;              ///< failed / finished after warmup (check::class_error_rate)
  std::optional<double> availability; ///< share of windows after warmup at the recovery threshold (none without per-class windows)
  std::optional<double> rto;          ///< its worst fault's RTO on its own success ratio; none: no fault or not measured
  bool unrecovered = false;           ///< rto is "not recovered"
};

struct InstanceRow {
  std::string name, zone;
  double utilization = 0;
  std::uint64_t served = 0;
  double queue_mean = 0;
  std::uint64_t queue_max = 0;
  double up_seconds = 0;
};

/// One shard of a sharded database.
struct ShardRow {
  int index = 0;
  std::string primary;
  std::uint64_t queries = 0;
  double share = 0, utilization = 0, busiest_utilization = 0;
};

/// The busiest shard, and whether it stands out (hot: its busiest instance at least
/// 1.5 × the mean shard's).
struct HotShardRow {
  int index = 0;
  std::string primary;
  double share = 0;                ///< of the queries (an even spread is 1 / shards)
  double busiest_utilization = 0;
  double imbalance = 0;            ///< busiest_utilization / the mean over shards
  bool hot = false;
  std::string finding;             ///< one sentence, for people
};

/// A request class at a cache whose hit ratio is modelled.
struct CacheClassRow {
  std::string name;
  double predicted_hit_ratio = 0;  ///< the model's warm steady state at the end of the run
  double hit_ratio = 0;            ///< measured over the run
  std::uint64_t lookups = 0;
};

/// A component's restarts (present when it had any): all, those the scenario's faults caused, the others.
struct RestartsRow {
  int total = 0, by_faults = 0, unexplained = 0;
  /// model::RestartCounts::text (the tiers' notes in report.md and report.html).
  std::string text() const;
};

struct ComponentRow {
  std::string name, kind;
  int instances = 0;
  double utilization = 0;
  std::uint64_t served = 0;
  std::uint64_t queue_full = 0;  ///< requests turned away by a full queue over the run
  double wait_mean = 0, instance_hours = 0;
  // cache
  std::uint64_t lookups = 0;
  double hit_ratio = 0;
  // database
  std::uint64_t writes = 0;
  int connections_max = 0;
  std::uint64_t connections_refused = 0;
  double lag_mean = 0, lag_p99 = 0, lag_max = 0;
  // queue
  std::uint64_t jobs_done = 0, jobs_retried = 0, dead_letters = 0, depth_max = 0;
  // load balancer
  std::uint64_t retries = 0, ejections = 0;
  // sharded database (present when it has or had more than one shard)
  std::vector<ShardRow> shards;
  std::optional<HotShardRow> hot_shard;
  int shards_final = 0;
  std::uint64_t reshards = 0;
  double bytes_moved = 0;
  // cache with a modelled hit ratio, persistence or failover
  std::vector<CacheClassRow> cache_classes;
  std::optional<double> evictions;          ///< expected LRU evictions (modelled hit ratio only)
  std::optional<std::uint64_t> cache_writes;  ///< keys written (with persistence)
  std::optional<std::uint64_t> failovers;     ///< masters replaced (with ha)
  std::optional<RestartsRow> restarts;        ///< when it had any (engine/supervisor.h)
  std::vector<InstanceRow> instances_stats;
  Json series;  ///< per-window series for the charts, as report.json holds them
};

struct EventRow {
  double time = 0;
  std::string kind, target, detail;
};

/// A tier that could not carry its load (check/explain.h).
struct SaturationRow {
  std::string component;
  int instances = 0, ready = 0;
  double busy = 0;
  std::uint64_t queue_full = 0;
  double offered = 0;
  int needed = 0;   ///< 0: unknown
  double from = 0, to = 0;
  std::string text;
};

/// One request class's RTO after a fault.
struct ClassRtoRow {
  std::string request_class;
  std::optional<double> rto;  ///< nullopt: not recovered
};

struct RecoveryRow {
  std::string fault;
  double time = 0;
  std::string disruption;
  std::optional<double> rto;  ///< nullopt: not recovered
  double rpo = 0;
  std::uint64_t writes_lost = 0;
  std::optional<double> predicted_rto, predicted_rpo;
  std::string prediction;
  std::string why;                          ///< why the measured RTO is what it is
  std::vector<ClassRtoRow> classes;         ///< per request class
  std::optional<SaturationRow> saturation;  ///< the tier that could not carry the load
};

/// A request class's RTO target within a disruption class.
struct ClassTargetRow {
  std::string request_class;
  double target = 0;
  std::optional<double> worst_rto;
  bool unrecovered = false;
  bool met = true;
};

struct ResilienceRow {
  std::string disruption;
  std::optional<double> rto_target, rpo_target;
  std::optional<double> worst_rto;
  bool unrecovered = false;   ///< worst_rto is "not recovered"
  double worst_rpo = 0;
  bool met = true;
  bool exercised = true;      ///< a fault of this class ran (false: "not exercised", met)
  std::string detail;
  std::string expected;       ///< "RTO <= 15m, RPO <= 5m"
  std::string why;            ///< when breached: the worst fault's explanation
  std::vector<ClassTargetRow> classes;
  /// "met", "breached", "not exercised".
  std::string verdict() const { return !exercised ? "not exercised" : met ? "met" : "breached"; }
  /// "resilience.zone".
  std::string id() const { return "resilience." + disruption; }
};

/// What the scenario declares about failing on purpose, and whether the run did so.
struct ExpectedFailureRow {
  std::string reason;
  std::vector<std::string> fails;
};

struct DataLossRow {
  std::string fault;
  double time = 0;
  std::uint64_t writes_lost = 0;
  double rpo = 0;
  std::string explanation;
};

struct ScaleEventRow {
  double time = 0;
  std::string component;
  int from = 0, to = 0;
  std::string reason;
};

struct ScalingRow {
  std::string component;
  int min = 0, max = 0, peak_replicas = 0, scale_events = 0, flaps = 0;
  std::optional<double> time_to_scale;
  bool unreached = false;  ///< time_to_scale is "target never reached"
  int saturated_windows = 0;
  double saturated_seconds = 0, instance_hours = 0;
};

/// One alert instance of a rule (check/alerts.h), times from the run's start.
struct AlertFiringRow {
  std::string labels;
  double pending_at = 0, fired_at = 0;
  std::optional<double> resolved_at;     ///< nullopt: still firing at the end
  std::string fault;                     ///< the fault it detects; "" = none (a false alarm)
  std::optional<double> time_to_detect;  ///< fired_at - the fault's start
};

/// A fault as one rule saw it.
struct AlertFaultRow {
  std::string fault;
  double at = 0;
  std::optional<double> time_to_detect;  ///< nullopt: missed (no firing during it or within 5 min after it)
};

struct AlertRuleRow {
  std::string name, expr, file;
  int line = 0;
  double hold = 0;  ///< for:
  std::vector<AlertFiringRow> firings;
  std::vector<AlertFaultRow> faults;
  int false_alarms = 0;  ///< firings that detect no fault
};

/// The scenario's alerting rules, evaluated by Prometheus over the run (present only with `alerts:`).
struct AlertsSection {
  std::string rules_file;
  double step = 0;     ///< evaluation interval (the metric window)
  std::string error;   ///< "" evaluated; else why not
  std::vector<AlertRuleRow> rules;
};

/// report.json.
struct RunReport {
  std::string version;  ///< infrasim's, of the run that wrote it
  int format = 2;       ///< report_format (2: provenance, outcome, resilience checks, reasons, per-class RTO)
  ScenarioInfo scenario;
  Provenance provenance;
  Totals summary;
  std::vector<ExpectationRow> expectations;
  bool passed = true;   ///< every expectation passed and every exercised resilience target is met
  /// check::outcome_name: "pass", "fail", "expected failure", "unexpected pass", "failed otherwise".
  std::string outcome = "pass";
  std::string outcome_detail;  ///< what differed from the declared expected failure
  std::optional<ExpectedFailureRow> expected_failure;
  std::vector<ClassRow> classes;
  std::vector<ComponentRow> components;
  Json windows;         ///< per-window series for the charts (start, arrivals, ..., merged_windows)
  std::vector<EventRow> timeline;
  std::vector<RecoveryRow> recovery;
  std::vector<ResilienceRow> resilience;
  std::vector<DataLossRow> data_losses;
  std::vector<ScaleEventRow> scale_events;
  std::vector<ScalingRow> autoscaling;
  /// The cost per month (model/cost.h), when the topology names a pricing file; report.json's `cost`.
  std::optional<model::CostEstimate> cost;
  /// Per client group (scenario `client_groups:`); report.json's `clients`, left out without clients.
  std::vector<model::ClientGroupStats> clients;
  std::optional<AlertsSection> alerts;

  /// A metric's value in this report: a headline metric from the field the registry names
  /// (MetricInfo::pointer), any other from its expectation row; nullopt when absent.
  std::optional<double> value(const scenario::MetricInfo& metric) const;
  /// The run is what its scenario asks for: it passed, or failed exactly as declared (exit 0).
  bool ok() const { return outcome == "pass" || outcome == "expected failure"; }
  /// The ids of the failed checks: expectations, then breached resilience targets.
  std::vector<std::string> failing() const;
  /// The expectation row of `metric` (+ class), or null.
  const ExpectationRow* expectation(const std::string& metric, const std::string& request_class = "") const;
  /// What the overlaid charts of compare and Monte Carlo pages need: scenario, windows without the
  /// per-reason series, expectations, timeline and scale events (keeps those pages small).
  Json chart_json() const;
};

/// Time series in a report keep at most this many points (windows are merged beyond).
constexpr std::size_t kMaxSeriesPoints = 1500;

/// The report of a run, its values rounded (fixed()) once, here.
RunReport build_run_report(const scenario::Scenario& s, const topology::Topology& t, const model::RunResult& r,
                           const check::Assessment& a);

Json to_json(const RunReport& r);
/// An expectation row as report.json (and montecarlo.json) write it.
Json to_json(const ExpectationRow& e);
Json to_json(const ScenarioInfo& s);
Json to_json(const Provenance& p);
Json to_json(const SaturationRow& s);

/// Reads report.json's content. Never throws; `error` (if given) says why when it is not a report at all.
std::optional<RunReport> parse_run_report(const Json& j, std::string* error = nullptr);
/// Reads an expectation row (report.json's or montecarlo.json's).
ExpectationRow parse_expectation(const Json& j);
ScenarioInfo parse_scenario_info(const Json& j);
Provenance parse_provenance(const Json& j);

/// Reads a report.json file: nullopt with *error ("no such file", "not JSON", ...) when it cannot.
std::optional<RunReport> read_run_report(const std::string& path, std::string* error = nullptr);

}  // namespace sim::report
