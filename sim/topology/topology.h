#pragma once
// The documented architecture as plain structs, parsed once from YAML
// (topology/loader.h) and read by every later layer. Units are SI: seconds,
// bytes, bytes/s, requests/s, fractions. Each field's comment gives its
// default, which is also what the loader fills in when a key is absent.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/core/distribution.h"
#include "sim/core/source.h"
#include "sim/topology/pricing.h"

namespace sim::topology {

using core::Distribution;

/// Where a key was written, for findings that point back into the file (core/source.h).
using core::SourcePos;

/// A value taken from a foreign file (nginx, Kubernetes, docker-compose), or a
/// directive or field of one that infrasim did not use, and why. `infrasim
/// import` writes them into its output's header; `validate` prints them.
struct ImportNote {
  enum class Kind {
    kMapped,   ///< became a topology or scenario value (`detail` says which)
    kPending,  ///< a semantic infrasim does not model yet (passive checks, retries, per-client limits...)
    kIgnored,  ///< outside what infrasim models (TLS, headers, images...)
  };
  Kind kind = Kind::kMapped;
  SourcePos pos;        ///< in the foreign file
  std::string what;     ///< as written: "least_conn", "server app1:3000 weight=3", "spec.minReplicas"
  std::string detail;   ///< mapped: "components.lb.algorithm: least_conn"; otherwise why
};

struct Region {
  std::string name;
  std::vector<std::string> zones;  ///< default: one zone named after the region
  SourcePos pos;
};

/// Latency (and bandwidth) between two regions. Symmetric.
struct RegionLink {
  std::string a, b;
  double latency = 0;      ///< one way
  double bandwidth = 0;    ///< bytes/s; default: network.bandwidth
  SourcePos pos;
};

/// A link between two components that overrides the zone/region latency.
struct ComponentLink {
  std::string from, to;
  double latency = 0;
  double bandwidth = 0;  ///< bytes/s; default: network.bandwidth
  SourcePos pos;
};

struct Network {
  double intra_zone_latency = 250e-6;  ///< one way, between instances of one zone (default 250us)
  double inter_zone_latency = 1e-3;    ///< one way, between zones of one region (default 1ms)
  double inter_region_latency = 40e-3; ///< one way, regions without a region link (default 40ms)
  double bandwidth = 1.25e9;           ///< bytes/s of every link without its own (default 10Gbps)
  std::vector<RegionLink> region_links;
  std::vector<ComponentLink> links;
};

/// The wait before retry n (n = 1, 2, ...): constant `base`; linear n × `base`;
/// exponential `base` × `multiplier`^(n-1); never more than `max`.
struct Backoff {
  enum class Kind { kConstant, kLinear, kExponential };
  Kind kind = Kind::kExponential;
  double base = 0.1;      ///< default 100ms
  double multiplier = 2;  ///< exponential only (default 2)
  double max = 20;        ///< cap (default 20s)
};

/// AWS Architecture Blog, "Exponential Backoff And Jitter" (2015): none = the backoff
/// itself; full = uniform(0, b); equal = b/2 + uniform(0, b/2); decorrelated =
/// min(max, uniform(base, 3 × the previous wait)).
enum class Jitter { kNone, kFull, kEqual, kDecorrelated };

/// Retries of a call (or of a client's request): `attempts` in all, the first included.
struct RetryPolicy {
  int attempts = 1;           ///< 1 = no retry (default)
  bool on_error = true;       ///< refused, reset, error answers, an open circuit excepted
  bool on_timeout = true;     ///< the attempt's timeout (or the client's deadline)
  Backoff backoff;
  Jitter jitter = Jitter::kNone;
  /// A retry budget (Finagle's RetryBudget): each first attempt deposits `budget_ratio` of a
  /// token, time deposits `budget_min_per_second`, a retry takes one; at most `budget_burst`
  /// tokens. Off by default.
  bool budget = false;
  double budget_ratio = 0.2;          ///< Finagle's percentCanRetry
  double budget_min_per_second = 10;  ///< Finagle's default
  double budget_burst = 100;          ///< default: 10 s of min_per_second
};

/// A circuit breaker per calling instance (resilience4j's CircuitBreaker, Polly's
/// consecutive-failures breaker): closed -> open on `consecutive` failures in a row, or
/// on a failure rate >= `failure_rate` over the last `window` calls (at least `min_calls`);
/// open: calls fail at once for `open`; then half-open: `half_open_calls` probes; all
/// succeed (rate mode: their failure rate is below the threshold) -> closed, else open.
struct BreakerPolicy {
  enum class Kind { kOff, kConsecutive, kFailureRate };
  Kind kind = Kind::kOff;
  int consecutive = 5;
  double failure_rate = 0.5;  ///< resilience4j failureRateThreshold 50
  int window = 100;           ///< slidingWindowSize 100 (calls)
  int min_calls = 100;        ///< minimumNumberOfCalls 100
  double open = 60;           ///< waitDurationInOpenState 60s
  int half_open_calls = 10;   ///< permittedNumberOfCallsInHalfOpenState 10
};

/// What a service does around its calls to one component (service `calls:`).
struct CallPolicy {
  double timeout = 0;  ///< per attempt, from the call's start (pool wait included); 0 = none
  RetryPolicy retry;
  BreakerPolicy breaker;
  SourcePos pos;
};

/// Where the users are: client latency to their nearest region, and the share of traffic per region.
struct Clients {
  double latency = 20e-3;                ///< one way, client to the first component (default 20ms)
  std::map<std::string, double> regions; ///< region -> share of traffic; empty = all from the first region
  /// A client's patience per attempt; 0 = the entry service's `timeout` (default).
  double timeout = 0;
  /// Clients that try again after an error or a timeout (default: they do not).
  RetryPolicy retry;
};

struct HealthCheck {
  bool enabled = true;
  double interval = 5;            ///< default 5s
  double timeout = 3;             ///< default 3s
  int healthy_threshold = 2;      ///< consecutive good checks to mark a backend up (default 2)
  int unhealthy_threshold = 3;    ///< consecutive failed checks to mark it down (default 3)
  /// Worst-case time from a crash to being marked down: interval × unhealthy_threshold + timeout.
  double detection_time() const { return interval * unhealthy_threshold + timeout; }
};

/// A load balancer's rate limit (docs/clients.md). Two algorithms:
///  - nginx `limit_req` (`rate`, `burst`, `nodelay` / `delay`): a leaky bucket of `burst`
///    excess requests drained at `rate`; beyond the burst a request fails as rate_limited;
///    without nodelay the excess above `delay` waits (excess − delay) / rate before it goes on.
///  - a sliding window (`requests` per `window`, Cloudflare's rate limiting rules): the
///    requests of the current window plus the previous window's weighted by the part of it
///    still inside the sliding window; at or above `requests` a request fails as rate_limited.
/// Either keyed by nothing (one bucket for everyone, the default), by client (nginx
/// `$binary_remote_addr`, a WAF's per-IP counter) or by request class (a location).
struct RateLimit {
  enum class Key { kGlobal, kClient, kClass };
  double rate = 0;      ///< requests/s (limit_req)
  int burst = 0;        ///< excess requests allowed at once (default 0)
  bool nodelay = true;  ///< reject beyond the burst without delaying the rest (default true, infrasim's first model)
  int delay = 0;        ///< nginx `delay=N`: with nodelay false, the first N excess requests are not delayed
  double window = 0;    ///< > 0: a sliding window of this length (s) instead of limit_req
  int requests = 0;     ///< sliding window: requests allowed per window and key
  Key key = Key::kGlobal;
  std::vector<std::string> classes;  ///< the request classes it applies to; empty = all (an nginx location)
  std::vector<SourcePos> class_pos;  ///< where each of `classes` is written
  SourcePos pos;
};

enum class LbAlgorithm { kRoundRobin, kLeastConn, kWeighted, kRandom, kPowerOfTwo };

struct CdnSpec {
  double edge_latency = 5e-3;                    ///< client-facing edge processing (default 5ms)
  double default_hit_ratio = 0;                  ///< for classes not in hit_ratio (default 0)
  std::map<std::string, double> hit_ratio;       ///< per request class
  std::vector<std::string> edge_regions;         ///< default: the component's region
};

/// The product a load balancer is: it sets the defaults of everything below
/// (docs/load-balancers.md has the table and its sources). `generic` keeps
/// infrasim's first model: active checks, nothing passive, no retries.
enum class LbFlavor { kGeneric, kNginx, kHaproxy, kAlb, kEnvoy, kTraefik };

const char* flavor_name(LbFlavor f);

/// Passive health: a backend whose requests fail is set aside for a while.
struct PassiveHealth {
  enum class Kind {
    kOff,
    /// nginx `max_fails` / `fail_timeout`: `max_fails` failures, each within `fail_timeout`
    /// of the last, and the server is skipped for `fail_timeout`; then one request tries it.
    kNginx,
    /// Envoy outlier detection: `max_fails` consecutive errors eject the host for
    /// `fail_timeout` × the number of times it was ejected.
    kConsecutive,
  };
  Kind kind = Kind::kOff;
  int max_fails = 1;
  double fail_timeout = 10;
};

/// What a load balancer does when an attempt fails (nginx `proxy_next_upstream`,
/// HAProxy `retries` / `option redispatch`, Envoy and Traefik retry policies).
struct LbRetry {
  bool on_error = false;        ///< a connection refused (nginx's `error`; HAProxy's `conn-failure`)
  /// The connection broke after the request was sent (the backend crashed mid-request): nginx's
  /// `error` covers it, HAProxy's default `retry-on conn-failure` does not (it answers 502).
  bool on_reset = false;
  bool on_connect_timeout = false;  ///< no answer to the connection (a hung backend)
  bool on_timeout = false;      ///< connect or read timeout (nginx's `timeout`)
  bool on_5xx = false;          ///< an error answer (injected errors, queue full, the backend's own failures)
  int tries = 1;                ///< attempts in all, the first included; 0 = one per backend (nginx's 0)
  bool next_server = true;      ///< a retry goes to another backend (nginx); false: the same one (HAProxy)
  bool redispatch = false;      ///< HAProxy `option redispatch`: the last retry goes to another backend
  double delay = 0;             ///< before a retry (HAProxy's turn-around: min(timeout connect, 1 s))
  double timeout = 0;           ///< nginx `proxy_next_upstream_timeout`: no retry after this long; 0 = none
  bool non_idempotent = false;  ///< writes are retried also after they were sent (nginx `non_idempotent`)
};

struct LoadBalancerSpec {
  LbFlavor flavor = LbFlavor::kGeneric;
  int replicas = 1;                     ///< active-active LB instances (default 1)
  LbAlgorithm algorithm = LbAlgorithm::kRoundRobin;
  double latency = 0;                   ///< processing overhead per request (default 0)
  HealthCheck health_check;
  std::vector<RateLimit> rate_limits;   ///< `rate_limit:` (one mapping or a list); every one must admit a request
  std::vector<double> weights;          ///< per backend instance (weighted and least_conn); default all 1
  int backup = 0;                       ///< the last `backup` backend instances serve only when all others are down
  /// `steering: region`: a request goes to backends in its client's region when one is
  /// eligible there (geo-DNS / a global LB), else to any; `none` (default) ignores regions.
  bool steer_by_region = false;
  PassiveHealth passive;
  LbRetry retry;
  double connect_timeout = 0;           ///< giving up a connection nobody answers (a hung backend); 0 = the OS's 127 s
  double read_timeout = 0;              ///< giving up an answer that does not come; 0 = none
  double slow_start = 0;                ///< a backend back in service gets its weight gradually over this (0 = off)
  int processes = 1;                    ///< nginx worker processes: without `shared_state`, each keeps its own view
  bool shared_state = true;             ///< nginx `zone`: the workers share counts and failures
  /// How it learns of its backends. `checks` (default): only from its health checks. `docker`
  /// (Traefik's Docker provider): from Docker's events too. A container that dies (its process, on a
  /// host that is up) leaves the routes at its `die` event, and its health starts over ("starting" is
  /// not routed); a started container is routed at once when it has no healthcheck, else once its
  /// healthcheck passes (docs/load-balancers.md "Docker discovery").
  enum class Discovery { kChecks, kDocker };
  Discovery discovery = Discovery::kChecks;
};

/// The product's defaults (docs/load-balancers.md: the table and where each value comes from).
LoadBalancerSpec flavor_defaults(LbFlavor f);

/// Per-request-class service times; "default" applies to classes not listed.
using ServiceTimes = std::map<std::string, Distribution>;

struct ServiceSpec {
  int replicas = 1;          ///< instances at start (default 1)
  int cores = 1;             ///< CPU cores per instance (default 1)
  double memory = 0;         ///< bytes per instance, 0 = not modelled
  double memory_base = 0;    ///< bytes used at idle (default 0)
  double memory_per_request = 0;  ///< bytes per request in progress (default 0)
  int workers = 64;          ///< requests served concurrently per instance (default 64)
  int queue_limit = 1024;    ///< requests waiting per instance; beyond: queue_full (default 1024)
  double timeout = 30;       ///< a request waiting or running longer fails as timeout (default 30s)
  double boot_time = 30;     ///< from start to ready, for new instances (default 30s)
  ServiceTimes service_time; ///< CPU demand at full speed of one core
  std::map<std::string, CallPolicy> calls;  ///< per called component: timeout, retries, breaker
};

/// A request class's keys in a cache whose hit ratio is modelled (model/cache_model.h).
struct CacheKeys {
  std::uint64_t count = 1;  ///< distinct keys
  double per_user = 0;      ///< or this many per user (`users:` count), e.g. 1 session each; 0 = use count
  double zipf = 0;          ///< popularity: rank k with probability ∝ k^-zipf (0 = uniform; default 0)
  double size = 1024;       ///< bytes per object (default 1KB)
  double ttl = 0;           ///< seconds from insertion (SET ... EX ttl); 0 = none (default)
  SourcePos pos;
  /// The distinct keys for a population of `users`.
  std::uint64_t keys(std::uint64_t users) const {
    if (per_user <= 0) return count;
    double n = per_user * static_cast<double>(users);
    return n < 1 ? 1 : static_cast<std::uint64_t>(n + 0.5);
  }
};

/// How a cache fails over (Redis). Defaults are Redis's own.
struct CacheHa {
  enum class Mode { kNone, kSentinel, kCluster };
  Mode mode = Mode::kNone;
  double down_after = 30;    ///< Sentinel: down-after-milliseconds (default 30s, sentinel.conf)
  int sentinels = 3;         ///< Sentinel: processes watching (default 3)
  int quorum = 2;            ///< Sentinel: sentinels that must agree the master is down (default 2)
  double node_timeout = 15;  ///< Cluster: cluster-node-timeout (default 15s, redis.conf)
  SourcePos pos;
};

/// What a cache node keeps across a restart (Redis persistence).
struct CachePersistence {
  enum class Fsync { kAlways, kEverysec, kNo };
  double rdb_every = 0;          ///< RDB snapshot period (BGSAVE); 0 = no RDB (default)
  bool aof = false;              ///< append-only file (default off)
  Fsync fsync = Fsync::kEverysec;  ///< appendfsync (default everysec)
  double load_rate = 100e6;      ///< bytes/s a restart reads its RDB/AOF at (default 100MB/s; chosen)
  /// `persistence:` was written (even `none`): the cache holds data that matters, and
  /// what a crash loses is reported (RPO of the cache tier). Absent: a pure cache.
  bool given = false;
  bool any() const { return rdb_every > 0 || aof; }
  SourcePos pos;
};

struct CacheSpec {
  std::string engine = "redis";            ///< informational
  int nodes = 1;                           ///< masters; keys are sharded across them (default 1)
  int replicas = 0;                        ///< replicas per master (default 0)
  int cores = 1;                           ///< per node; Redis is single-threaded (default 1)
  double default_hit_ratio = 0.8;          ///< warm hit ratio (default 0.8)
  std::map<std::string, double> hit_ratio; ///< per request class
  Distribution service_time = Distribution::constant(200e-6);  ///< per operation (default 200us)
  double warmup = 60;   ///< time constant of the hit ratio after a flush: h(t) = h (1 - e^(-t/warmup)) (default 60s)
  double memory = 0;    ///< bytes per node (maxmemory, allkeys-lru); 0 = not given
  /// Per request class: its keys; the class's hit ratio then comes from memory,
  /// popularity, sizes and TTLs (Che's approximation) instead of hit_ratio.
  std::map<std::string, CacheKeys> keys;
  CacheHa ha;
  CachePersistence persistence;
  /// Stations: nodes × (1 + replicas); node n's master starts as instance n × (1 + replicas).
  int instances() const { return nodes * (1 + replicas); }
};

struct PoolSpec {
  int min = 0;                  ///< connections opened at start per client instance (default 0)
  int max = 10;                 ///< per client instance (default 10)
  double acquire_timeout = 2;   ///< waiting longer for a connection fails as db_unavailable (default 2s)
};

enum class ReplicationMode { kAsync, kSync };

struct ReplicationSpec {
  ReplicationMode mode = ReplicationMode::kAsync;
  Distribution lag = Distribution::constant(0.1);  ///< async: commit to replica apply (default 100ms)
};

/// A person runs the failover (automatic: false): `operator: {detect, act}`.
struct OperatorSpec {
  double detect = 0;         ///< from the crash until an operator starts the runbook (alert, page, acknowledge)
  double act = 0;            ///< from then until the replica is promoted (the runbook's steps, promotion included)
  SourcePos pos;
};

struct FailoverSpec {
  bool automatic = true;     ///< promote a replica when the primary is detected dead (default true)
  HealthCheck detection;     ///< how the primary's death is detected (default 5s / 3s / 2 / 3)
  double promote = 30;       ///< promotion time (default 30s)
  double dns_ttl = 0;        ///< clients reconnect after the DNS record's TTL (default 0: immediate)
  std::optional<OperatorSpec> manual;  ///< automatic: false with an operator: promoted by hand (default none)
  /// A replica is ever promoted after a crash (automatically, or by an operator).
  bool fails_over() const { return automatic || manual.has_value(); }
  /// The longest from a primary's crash until clients reach the new primary.
  double worst_time() const {
    return (automatic ? detection.detection_time() + promote : manual ? manual->detect + manual->act : 0) + dns_ttl;
  }
};

struct BackupSpec {
  double interval = 0;       ///< 0 = no backups (default)
  double size = 0;           ///< bytes of data
  double restore_rate = 0;   ///< bytes/s
  double restore_time() const { return restore_rate > 0 ? size / restore_rate : 0; }
};

struct DatabaseSpec {
  std::string engine = "postgresql";  ///< informational
  int shards = 1;                      ///< a user's data lives on shard hash(user) % shards (default 1)
  double size = 0;                     ///< bytes of data over all shards (default: backup.size)
  int replicas = 0;                    ///< read replicas, per shard (default 0)
  int cores = 2;                       ///< per server (default 2)
  int max_connections = 100;           ///< per server (default 100)
  bool reads_from_replicas = true;     ///< reads on `db` go to replicas when there are any (default true)
  PoolSpec pool;
  ServiceTimes query_time;             ///< per class, or "read" / "write" / "default"
  ReplicationSpec replication;
  FailoverSpec failover;
  BackupSpec backup;
  /// Stations: shards × (1 + replicas); shard s's primary starts as instance s × (1 + replicas).
  int instances() const { return shards * (1 + replicas); }
  double data_size() const { return size > 0 ? size : backup.size; }
};

struct QueueSpec {
  std::string engine = "rabbitmq";     ///< informational
  double publish_time = 500e-6;        ///< broker acknowledgement time (default 500us)
  int max_length = 0;                  ///< 0 = unbounded; beyond: the publish fails as queue_full
  int consumers = 1;                   ///< consumer instances (default 1)
  int concurrency = 1;                 ///< jobs per consumer at once (default 1)
  int cores = 1;                       ///< per consumer instance (default 1)
  Distribution service_time = Distribution::constant(10e-3);  ///< per job (default 10ms)
  double failure_ratio = 0;            ///< jobs that fail and are retried (default 0)
  int max_retries = 3;                 ///< then the job goes to the dead-letter queue (default 3)
  double retry_delay = 1;              ///< default 1s
};

struct StorageSpec {
  std::string engine = "s3";
  int nodes = 1;
  int cores = 4;
  Distribution service_time = Distribution::constant(5e-3);
};

/// A machine that several components' instances share (containers on one Docker host,
/// services on one VM): its cores are shared by everything on it, and it fails as one
/// (docs/operations.md). Components name it with `host:` (or `hosts:`).
struct Host {
  std::string name;
  std::string zone;         ///< where it is (default: the first region's first zone)
  int cores = 1;            ///< shared by every instance on it (default 1)
  /// `sharing: containers` (default): busy instances get equal shares (Docker: a cgroup per
  /// container); `sharing: processes`: every busy worker competes alone (processes without
  /// their own cgroups, e.g. several services started on one machine).
  bool share_by_process = false;
  std::string description;  ///< informational
  SourcePos pos;
};

/// What brings a crashed instance back: Docker's restart policies (moby's restartmanager)
/// or the kubelet's restartPolicy with its CrashLoopBackOff (docs/operations.md has the
/// sources). Unset (the default) keeps the fault in charge: an instance comes back when
/// its fault ends (`for:`), never on its own.
struct RestartSpec {
  enum class Policy { kUnset, kNo, kAlways, kOnFailure, kUnlessStopped };
  enum class By { kDocker, kKubernetes };
  Policy policy = Policy::kUnset;
  By by = By::kDocker;
  /// Delay before the k-th restart in a row (k = 1, 2, ...): min(initial × 2^(k-1), max);
  /// with `immediate_first` the first is at once and the k-th waits min(initial × 2^(k-2), max).
  double initial = 0.1;        ///< Docker 100 ms; Kubernetes 10 s
  double max = 60;             ///< Docker 1 min; Kubernetes 5 min
  bool immediate_first = false;  ///< Docker false; Kubernetes true (the kubelet restarts at once the first time)
  double reset_after = 10;     ///< running this long resets the back-off (Docker 10 s; Kubernetes 10 min)
  int max_retries = 0;         ///< on-failure:N (Docker); 0 = unlimited
  bool enabled() const { return policy != Policy::kUnset; }
  /// Whether the policy restarts a process that died (exit code != 0: a crash, a kill).
  bool restarts_crashes() const { return policy == Policy::kAlways || policy == Policy::kOnFailure || policy == Policy::kUnlessStopped; }
  /// Whether the instance comes back when its host comes back (Docker's daemon start: always
  /// and unless-stopped; the kubelet: always and on-failure).
  bool restarts_after_host() const {
    return policy == Policy::kAlways || policy == Policy::kUnlessStopped ||
           (by == By::kKubernetes && policy == Policy::kOnFailure);
  }
};

/// The back-off defaults of Docker or Kubernetes (the policy stays unset).
RestartSpec restart_defaults(RestartSpec::By by);
const char* restart_policy_name(RestartSpec::Policy p);

/// A liveness probe (Kubernetes livenessProbe): every `period` from the instance's start, a
/// probe that gets no answer within `timeout` fails (a hung or frozen instance, or one still
/// booting); `failure_threshold` failures in a row and the instance is killed, then its
/// restart policy brings it back. Defaults are Kubernetes'.
struct LivenessSpec {
  bool enabled = false;
  double period = 10;          ///< periodSeconds (default 10)
  double timeout = 1;          ///< timeoutSeconds (default 1)
  int failure_threshold = 3;   ///< failureThreshold (default 3)
  double initial_delay = 0;    ///< initialDelaySeconds (default 0)
  /// Worst case from a hang to the kill: the probes that fail, the last one's timeout.
  double detection_time() const { return period * failure_threshold + timeout; }
};

/// Kubernetes-style replacement (a Deployment's ReplicaSet): an instance lost with its
/// host (a zone, region or shared host crash) is replaced by a new one on another host
/// `after` the loss; the lost one is deleted and does not come back with its host.
struct ReplaceSpec {
  bool enabled = false;
  /// node-monitor-grace-period (40 s) + the default toleration of node.kubernetes.io/unreachable
  /// (tolerationSeconds 300, the DefaultTolerationSeconds admission plugin) = 340 s.
  double after = 340;
};

enum class Kind { kCdn, kLoadBalancer, kService, kCache, kDatabase, kQueue, kStorage };

const char* kind_name(Kind k);

struct Component {
  std::string name;
  Kind kind = Kind::kService;
  std::string description;
  std::string region;               ///< default: the region of its first zone, else the first region
  /// Instances are spread round-robin over these (instance i in zones[i % n]); they may span
  /// regions, the first must be in `region`. Default: the region's first zone.
  std::vector<std::string> zones;
  std::variant<CdnSpec, LoadBalancerSpec, ServiceSpec, CacheSpec, DatabaseSpec, QueueSpec, StorageSpec> spec;
  /// Shared hosts its instances run on (instance i on hosts[i % n]); empty: a host of its own
  /// per instance. With hosts, `zones` are the hosts' zones.
  std::vector<std::string> hosts;
  double cpus = 0;          ///< Docker `cpus`: at most this many cores' time per instance (CFS quota); 0 = no limit
  RestartSpec restart;      ///< what brings a crashed instance back (default: its fault's end)
  LivenessSpec liveness;    ///< liveness probe (default off)
  ReplaceSpec replace;      ///< replacement of an instance lost with its host (default off)
  std::optional<ComponentCost> cost;  ///< what it is priced as (`cost:`; topology/pricing.h)
  SourcePos pos;

  const CdnSpec* cdn() const { return std::get_if<CdnSpec>(&spec); }
  const LoadBalancerSpec* lb() const { return std::get_if<LoadBalancerSpec>(&spec); }
  const ServiceSpec* service() const { return std::get_if<ServiceSpec>(&spec); }
  const CacheSpec* cache() const { return std::get_if<CacheSpec>(&spec); }
  const DatabaseSpec* database() const { return std::get_if<DatabaseSpec>(&spec); }
  const QueueSpec* queue() const { return std::get_if<QueueSpec>(&spec); }
  const StorageSpec* storage() const { return std::get_if<StorageSpec>(&spec); }
  ServiceSpec* service() { return std::get_if<ServiceSpec>(&spec); }

  /// Instances at start: CDN 0 (it has no hosts), LB replicas, service replicas,
  /// cache nodes × (1 + replicas), database shards × (1 + replicas), queue 1 broker, storage nodes.
  int instances() const;
};

/// One step of a request's path: a component, optionally with a role ("db.primary", "db.replica").
struct PathStep {
  std::string component;
  std::string role;  ///< "", "primary" or "replica"
  SourcePos pos;
  std::string text() const { return role.empty() ? component : component + "." + role; }
};

struct RequestClass {
  std::string name;
  double share = 0;           ///< of the total load; shares sum to 1
  std::vector<PathStep> path;
  bool write = false;         ///< writes go to the database primary and are tracked for RPO
  double response_size = 0;   ///< bytes (default 0: latency only)
  std::optional<double> user_zipf;  ///< skew of its users (`users:`); default: the population's
  SourcePos pos;
};

/// Who sends the requests: the shard key of sharded databases is a user id,
/// user k (1..count) sending with probability ∝ k^-zipf (0 = uniform).
struct Users {
  std::uint64_t count = 0;  ///< 0 = not given
  double zipf = 0;          ///< default skew (default 0: uniform)
  SourcePos pos;
};

struct Topology {
  std::string name;
  std::string description;
  std::string file;  ///< where it was loaded from
  std::vector<Region> regions;
  Network network;
  Clients clients;
  std::vector<Host> hosts;                  ///< shared hosts, in file order
  Users users;
  std::vector<Component> components;        ///< in file order
  std::vector<RequestClass> requests;       ///< in file order
  std::optional<CostSpec> cost;             ///< the pricing file and defaults (`cost:`; topology/pricing.h)
  std::vector<ImportNote> imported;         ///< what `from:` references took from foreign files

  const Component* find(const std::string& name) const;
  Component* find(const std::string& name);
  /// The load balancer in front of `component` on some request path (whose checks watch it), if any.
  const Component* lb_in_front(const std::string& component) const;
  const RequestClass* find_class(const std::string& name) const;
  const Region* find_region(const std::string& name) const;
  const Host* find_host(const std::string& name) const;
  /// The cores instance `i` of `c` runs on: its shared host's, or its own (`cores`; 1 for a
  /// load balancer).
  int instance_cores(const Component& c, int i) const;
  /// The region holding `zone`, or nullptr.
  const Region* region_of_zone(const std::string& zone) const;
};

}  // namespace sim::topology
