#pragma once
// A scenario: what happens to a topology — load over time, faults over time,
// autoscaling policies — and what must hold (expectations). Parsed once from
// YAML (scenario/loader.h). Units are SI (seconds, requests/s, fractions).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/core/distribution.h"
#include "sim/topology/topology.h"

namespace sim::scenario {

using core::Distribution;
using core::SourcePos;

/// A recorded trace to replay instead of a synthetic rate.
struct TraceSpec {
  enum class Format {
    kPerSecond,   ///< whitespace-separated counts, one per second (NASA workload.txt, or its .tbz2)
    kCountsCsv,   ///< CSV with a time column and a count column per bin (NASA per-minute, NAB ELB)
    kRequestLog,  ///< one line per request with a unix time column (the NASA 1995-08-01 TSV)
  };
  std::string path;            ///< resolved against the scenario's folder
  std::string path_as_written;
  Format format = Format::kPerSecond;
  double start = 0;            ///< offset into the trace (trace seconds)
  double length = 0;           ///< window length in trace seconds; 0 = to the end
  double scale = 1;            ///< volume multiplier (counts × scale, rounded so the total is exact)
  double compress = 1;         ///< time compression: 60 plays a trace minute in a simulated second
  bool interpolate = false;    ///< spread a bin's requests along the line between neighbouring bins' rates
  SourcePos pos;
};

/// The request rate over time. A tree: leaves are shapes, inner nodes sum or sequence.
struct Profile {
  enum class Kind { kConstant, kRamp, kStep, kSpike, kDiurnal, kTrace, kSum, kSequence };
  Kind kind = Kind::kConstant;
  double rate = 0;       ///< constant; spike base
  double from = 0;       ///< ramp/step start rate
  double to = 0;         ///< ramp/step end rate
  double at = 0;         ///< ramp start, step time, spike start (relative to the phase start)
  double over = 0;       ///< ramp duration
  double factor = 1;     ///< spike multiplier
  double length = 0;     ///< spike length
  double mean = 0;       ///< diurnal mean rate
  double amplitude = 0;  ///< diurnal relative swing: rate = mean (1 + amplitude cos(2π (t - peak) / period))
  double period = 86400; ///< diurnal period (default 24h)
  double peak = 14 * 3600;  ///< diurnal peak time within the period (default 14h)
  TraceSpec trace;
  std::vector<Profile> children;  ///< sum: added; sequence: one after another
  double phase_length = 0;        ///< as a sequence child: how long the phase lasts ("for")
  std::map<std::string, double> mix;  ///< request-class shares in this phase (empty = topology shares)
  SourcePos pos;
};

/// What a fault hits. Exactly one of the forms is set.
struct Target {
  std::string component;   ///< "app", "db"
  int instance = -1;       ///< app[1] -> 1; -1 = every instance of the component
  std::string role;        ///< "primary" / "replica" for databases
  std::string region;      ///< {region: fra1}
  std::string zone;        ///< {zone: fra1-a}
  std::string host;        ///< {host: docker-host}: a shared host and every instance on it
  std::vector<std::string> between;  ///< two components or regions, for network faults
  std::string text() const;
  /// A lost zone or region says nothing (no refusal, no reset: its hosts and network are
  /// gone), so a crash of one is silent unless the scenario says otherwise; a crashed
  /// process on a live host is refused by its kernel. See docs/failures.md.
  bool lost_silently() const { return !zone.empty() || !region.empty() || !host.empty(); }
};

struct Fault {
  enum class Kind {
    kCrash,        ///< instance / component / zone / region down; back after `length` if set
    kPartition,    ///< no traffic between two components or regions
    kDelay,        ///< latency added on a link (optionally ramping up over `ramp`)
    kLoss,         ///< packet loss: each request crossing the link fails with `value` probability
    kBandwidth,    ///< link bandwidth limited to `value` bytes/s
    kCpuSlowdown,  ///< instance CPU speed multiplied by `value` (0.5 = half speed)
    kCacheFlush,   ///< cache emptied; the hit ratio warms up again
    kFailover,     ///< manual database failover (planned switchover)
    kRestore,      ///< database lost and restored from the last backup
    kErrors,       ///< a fraction `value` of the component's responses fail
    kChaosMonkey,  ///< random crashes of `targets` with MTBF/MTTR distributions
    kHang,         ///< unreachable but running (a blackhole): callers wait for their timeouts
    kFreeze,       ///< process stopped (SIGSTOP): accepts connections, answers nothing, until `for` ends
    kSlow,         ///< gray failure: CPU demand × `value` and/or hop latencies × `value2`
    kFlap,         ///< down for `length` every `every`, from `at` until `until`
    kReshard,      ///< a database's data re-sharded to `shards` shards, moved over the network
  };
  Kind kind = Kind::kCrash;
  double at = 0;
  double length = 0;   ///< "for": 0 = until the end (or, for instantaneous faults, nothing)
  double every = 0;    ///< repeat period; 0 = once
  Target target;
  double value = 0;    ///< see Kind
  double value2 = 1;   ///< kSlow: the hop latency factor
  double ramp = 0;     ///< kDelay: time to reach the full added latency
  double jitter = 0;       ///< kDelay: Chaos Mesh's jitter (read and checked; not modelled yet: the delay is constant)
  double correlation = 0;  ///< kDelay: Chaos Mesh's correlation, 0..1 (read and checked; not modelled yet)
  /// kCrash of a component: Chaos Mesh's selector mode ("" = every instance of the target); one, all,
  /// fixed (`select_value` instances), fixed-percent, random-max-percent (`select_value` percent).
  /// The instances are drawn when the run's seed is known (scenario/selectors.h).
  std::string select_mode;
  int select_value = 0;
  double until = 0;    ///< kFlap: when the flapping stops (0 = the end of the run)
  /// kCrash: the host is lost without a word (no refusal, no reset; callers time out).
  /// Default: true for a zone or region, false for instances and components.
  bool silent = false;
  std::vector<Target> targets;  ///< kChaosMonkey
  Distribution mtbf;            ///< kChaosMonkey: time from one crash (or repair) to the next, per target
  /// kChaosMonkey: how long a crash keeps the instance from running (a restart policy's attempts
  /// fail until then); without it a crash is a process killed once: its restart policy decides.
  std::optional<Distribution> mttr;
  int shards = 0;      ///< kReshard: the new shard count
  double rate = 0;     ///< kReshard: bytes/s per moving stream (0 = as fast as the links allow)
  int cpu = 1;         ///< kReshard: cores the copy keeps busy on each source and target primary (default 1)
  std::string name;    ///< for the timeline (default: generated from kind and target)
  SourcePos pos;
};

const char* fault_kind_name(Fault::Kind k);

/// Kubernetes HPA (autoscaling/v2). Defaults are the API's.
struct HpaPolicy {
  enum class Type { kPods, kPercent };
  Type type = Type::kPods;
  int value = 0;
  double period = 15;
};

struct HpaRules {
  std::optional<double> stabilization;  ///< default: 0 for scale-up, 300s for scale-down
  enum class Select { kMax, kMin, kDisabled };
  Select select = Select::kMax;
  std::vector<HpaPolicy> policies;      ///< empty = the API default for the direction
};

struct HpaMetric {
  enum class Type { kCpu, kMemory, kRps, kLatency, kQueueLength };
  Type type = Type::kCpu;
  double target = 0;  ///< cpu/memory: utilization fraction; rps: per pod; latency: seconds (p99); queue length
};

struct HpaSpec {
  int min = 1;
  int max = 10;
  std::vector<HpaMetric> metrics;
  double sync_period = 15;
  double tolerance = 0.1;
  double cpu_initialization_period = 300;
  double initial_readiness_delay = 30;
  double metric_window = 60;  ///< averaging window of the resource metrics (metrics-server: ~1m)
  HpaRules scale_up, scale_down;
  /// A `behavior:` block was written (even an empty one). Kubernetes fills the
  /// API defaults only then; without it the controller takes its older path
  /// (scale-up cap max(2 x current, 4), no per-period policies). model/hpa.h.
  bool behavior_given = false;
};

/// The seeds' threshold style: "CPU > 70 % for 5 minutes: +1, cooldown 5 min".
struct ThresholdRule {
  std::string metric;  ///< cpu, memory, latency_p99, rps, queue_length
  double threshold = 0;
  double duration = 0;
  int step = 1;        ///< instances added (up) or removed (down)
  SourcePos pos;
};

struct ThresholdPolicy {
  int min = 1;
  int max = 10;
  std::vector<ThresholdRule> up, down;
  double cooldown_up = 300;
  double cooldown_down = 600;
  double evaluation_period = 15;
};

struct Autoscaler {
  std::string component;
  std::variant<HpaSpec, ThresholdPolicy> policy;
  std::optional<double> boot_time;  ///< overrides the service's boot_time
  SourcePos pos;
  const HpaSpec* hpa() const { return std::get_if<HpaSpec>(&policy); }
  const ThresholdPolicy* rules() const { return std::get_if<ThresholdPolicy>(&policy); }
};

struct Expectation {
  enum class Op { kLe, kLt, kGe, kGt, kEq };
  enum class Bound { kValue, kMean, kUpper, kLower };  ///< Monte Carlo: judge the CI's bound
  std::string metric;      ///< latency_p99, latency_p95, error_rate, throughput, rto, ...
  Op op = Op::kLe;
  double value = 0;        ///< SI units
  std::string request_class;  ///< "" = all classes
  Bound bound = Bound::kValue;
  std::string text;        ///< as written, for messages
  SourcePos pos;
  /// The check's stable name: "latency_p99", or "rto:api_write" with a class. It does not
  /// change when the target does (JUnit test names, chaos columns, expected_failure.fails).
  std::string id() const { return request_class.empty() ? metric : metric + ":" + request_class; }
};

/// Targets per disruption class, as in a resilience assessment.
struct RecoveryTarget {
  std::optional<double> rto, rpo;
  /// RTO targets of single request classes ("rto: [15m, {class: api_write, max: 2m}]"), in file order.
  std::vector<std::pair<std::string, double>> class_rto;
  SourcePos pos;
};

struct Resilience {
  double recovery_threshold = 0.99;  ///< success ratio that counts as recovered (default 99 %)
  double stabilization = 60;         ///< how long it must hold (default 1m)
  std::map<std::string, RecoveryTarget> targets;  ///< instance, zone, region, data
};

/// A scenario that fails on purpose (a seed's design that cannot meet its own
/// target): which checks must fail, and why. `infrasim run` exits 0 when exactly
/// these fail, 1 when the run passes or fails otherwise.
struct ExpectedFailure {
  std::string reason;
  /// Check ids (Expectation::id(), "resilience.<disruption>", "alert"), in file order.
  std::vector<std::string> fails;
  SourcePos pos;
};

/// A group of clients (docs/clients.md): `count` addresses sending `share` of the requests;
/// within the group, client k (1-based) sends a share ∝ 1 / k^zipf (0: all alike).
struct ClientGroup {
  std::string name;
  int count = 1;
  double share = 1;   ///< of all requests; the groups' shares sum to 1
  double zipf = 0;    ///< Zipf exponent of the activity within the group (default 0: uniform)
  SourcePos pos;
};

/// Closed-loop virtual users (`virtual_users:`; docs/clients.md), as k6 virtual users: each sends a request,
/// waits for its answer (or its failure), thinks, and sends the next; after `session`
/// requests it pauses instead. Their count follows k6's ramping stages.
struct VirtualUsers {
  struct Stage {
    double duration = 0;  ///< to ramp linearly from the previous target (or `count`) to `target`
    int target = 0;
    SourcePos pos;
  };
  int count = 0;                 ///< users at the start (k6 startVUs; with stages default 0)
  std::vector<Stage> stages;     ///< then ramping; after the last stage the count stays at its target
  Distribution think = Distribution::constant(1);  ///< between a user's requests (default 1s)
  int session = 0;               ///< requests per session, then `pause`; 0 = one endless session
  Distribution pause = Distribution::constant(0);  ///< between sessions
  std::map<std::string, double> mix;  ///< request-class shares; empty = the topology's
  SourcePos pos;
  /// Users wanted at time t (linear within a stage, rounded down).
  int target(double t) const;
  /// The most users at any time.
  int max_count() const;
};

/// A rolling deployment of a service's instances (`operations: [{at: 10m, deploy: api}]`;
/// docs/operations.md): every instance is replaced by a new one, within the limits of
/// Kubernetes' RollingUpdate (maxSurge, maxUnavailable) or ECS's rolling update
/// (minimumHealthyPercent, maximumPercent); model/rollout.h has the rule.
struct Deploy {
  struct Amount {
    double value = 0;
    bool percent = false;  ///< value is a share of the replicas (0.25 = 25 %)
  };
  enum class By { kKubernetes, kEcs };
  std::string component;
  double at = 0;
  double every = 0;                      ///< again every so often (0: once); seed 000 deploys on every push
  By by = By::kKubernetes;
  Amount max_surge{0.25, true};          ///< Kubernetes' default 25 %
  Amount max_unavailable{0.25, true};    ///< Kubernetes' default 25 %
  double minimum_healthy = 1.0;          ///< ECS's default minimumHealthyPercent 100
  double maximum = 2.0;                  ///< ECS's default maximumPercent 200
  /// A removed instance takes no new requests and has this long to finish what it has, then
  /// is stopped: Kubernetes' terminationGracePeriodSeconds (30 s), an ALB's deregistration delay (300 s).
  double drain = 30;
  double min_ready = 0;                  ///< Kubernetes' minReadySeconds: ready this long before it counts
  /// Vertical scaling (`resize:` instead of `deploy:`; docs/operations.md "Vertical scaling"):
  /// every instance started from the rollout on has this size. Absent for a plain deploy.
  struct Size {
    int cores = 0;                       ///< 0: unchanged
    double memory = 0;                   ///< bytes; 0: unchanged
    std::string instance_type;           ///< the pricing file's type the cost follows; "": unchanged
  };
  std::optional<Size> resize;
  /// How the instances are replaced: kRolling starts new ones (by's rule, with its surge and
  /// unavailable keys); kInPlace stops, modifies and starts the same instances `max_unavailable`
  /// at a time (a VM's type change: one at a time); kAllAtOnce stops them all, then starts them.
  enum class Strategy { kRolling, kInPlace, kAllAtOnce };
  Strategy strategy = Strategy::kRolling;
  SourcePos pos;
};

/// A cron job (`operations: [{cron: {schedule: "0 0 * * *", target: db, work: 20s}}]`;
/// docs/operations.md "Cron jobs"): whenever `schedule` matches (core/cron.h; the run starts
/// Monday 1 January 2024, 00:00), `work` seconds of CPU at full speed of one core on one
/// instance of `target` — a database's primary (shard 0), else its first instance up —
/// sharing that CPU with the requests there.
struct CronJob {
  std::string name;       ///< for the timeline (default: the target)
  std::string schedule;   ///< five fields, checked by the loader
  std::string component;
  double work = 0;
  SourcePos pos;
};

/// Spot interruptions of a component's instances (`operations: [{spot: {target: api,
/// frequency: 10%}}]`; docs/operations.md "Spot interruptions"): each instance is reclaimed
/// after an exponential time of mean `mtbf`; it gets `notice` of warning (AWS: two minutes),
/// takes no new requests from then on, is terminated at the notice's end and replaced (booting).
struct Spot {
  std::string component;
  double mtbf = 0;       ///< per instance, seconds
  double notice = 120;   ///< AWS's two-minute interruption notice
  SourcePos pos;
};

/// The MTBF of an instance from AWS's "frequency of interruption" f (the share of instances
/// reclaimed over a month, taken as 30 days): P(reclaimed within a month) = f for an
/// exponential lifetime, so MTBF = 30 d / −ln(1 − f). 5 % -> 584.9 days; 20 % -> 134.4 days.
double spot_mtbf(double frequency);

/// Scheduled operations of the run (`operations:`), beside the faults.
struct Operations {
  std::vector<Deploy> deploys;
  std::vector<CronJob> crons;
  std::vector<Spot> spots;
  bool empty() const { return deploys.empty() && crons.empty() && spots.empty(); }
};

/// `expect: {alert: {name: HighErrorRate, fires_within: 2m}}`: judged on the alerting rules of
/// `alerts:` evaluated by Prometheus over the run (sim/prometheus/alerts.h), judged by check/alerts.h.
struct AlertExpectation {
  std::string name;                   ///< the rule's `alert:` name
  std::optional<double> fires_within; ///< fires within this long of every fault (and only then)
  bool never = false;                 ///< `fires: false`: must not fire at all
  SourcePos pos;
  std::string text;                   ///< for messages: "HighErrorRate fires within 2m of each fault, and at no other time"
};

/// One alerting rule of a Prometheus rules file (groups[].rules[] with `alert:`).
struct AlertRule {
  std::string name;     ///< `alert:`
  std::string expr;     ///< PromQL, evaluated by Prometheus itself
  double hold = 0;      ///< `for:` (default 0: fires at the first evaluation where the expression has a result)
  std::string group;
  SourcePos pos;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  std::string topology_path;  ///< resolved against the scenario's folder
  SourcePos topology_pos;
  double duration = 0;
  double warmup = 0;          ///< excluded from the headline statistics (default 0)
  std::uint64_t seed = 1;
  double window = 10;         ///< metric window (default 10s)
  Profile load;
  /// Who sends the load (`client_groups:`); empty: one anonymous client (every rate limit is one bucket).
  std::vector<ClientGroup> client_groups;
  /// Closed-loop virtual users (`virtual_users:`), beside the open-loop `load`; nullopt: none.
  std::optional<VirtualUsers> virtual_users;
  std::vector<Fault> faults;
  Operations operations;       ///< deployments, cron jobs, spot interruptions (`operations:`)
  std::vector<Autoscaler> autoscaling;
  std::vector<Expectation> expectations;
  Resilience resilience;
  std::optional<ExpectedFailure> expected_failure;
  bool slow = false;          ///< long-running: excluded from the quick test run
  SourcePos name_pos;         ///< where `name:` is written (the file's start when absent)
  std::string alert_rules;    ///< `alerts:` a Prometheus rules file, resolved ("" = none)
  SourcePos alert_rules_pos;
  std::vector<AlertRule> alert_rule_list;  ///< its alerting rules (recording rules are skipped)
  std::vector<AlertExpectation> alert_expectations;
};

}  // namespace sim::scenario
