#pragma once
// The state file of `infrasim autoscale STATE.yaml`: one Kubernetes HPA sync
// written down (the HPA spec, the time, the replica count, every pod's phase,
// readiness and metrics, and the controller's memory of recent
// recommendations and scale events). The format, with an example of every
// key, is in docs/autoscaling.md; tests/autoscale/*.yaml are worked examples.
// model/hpa.h evaluates it (evaluate_autoscale_state).
//
// Also the home of read_hpa, the reader of an `hpa:` block, which the
// scenario loader (autoscaling.<service>.hpa) shares with the state file.

#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "sim/core/diagnostics.h"
#include "sim/core/yaml_reader.h"
#include "sim/scenario/scenario.h"

namespace sim::scenario {

/// One pod (or `count` identical pods) of the state file.
struct AutoscalePod {
  enum class Phase { kPending, kRunning, kTerminating };
  Phase phase = Phase::kRunning;
  bool ready = true;
  double started = 0;                   ///< pod start time
  std::optional<double> ready_changed;  ///< last change of readiness; default: `started`
  bool metrics_missing = false;         ///< the metrics pipeline has no sample for this pod
  std::optional<double> metrics_at;     ///< end of the metric window; default: `now`
  double cpu_request = 1;               ///< cores
  double memory_request = 1;            ///< bytes
  double cpu = 0;                       ///< utilization of the CPU request (1 = 100 %)
  double memory = 0;                    ///< utilization of the memory request
  double rps = 0;                       ///< requests per second
  double latency_p99 = 0;               ///< seconds
  double queue_length = 0;
  int count = 1;  ///< this many identical pods
  SourcePos pos;
};

struct AutoscaleState {
  std::string file;
  std::string description;
  HpaSpec hpa;
  double now = 0;    ///< the sync's time
  int replicas = 0;  ///< the scale target's current replica count
  std::vector<AutoscalePod> pods;
  /// `recommendations:` was written (even as []): the controller has synced this HPA before.
  /// Absent: this is the first sync, and the current count is recorded first.
  bool has_recommendations = false;
  struct Recommendation {
    double at = 0;
    int replicas = 0;
  };
  std::vector<Recommendation> recommendations;
  struct Event {
    double at = 0;
    int change = 0;  ///< + added, - removed
  };
  std::vector<Event> scale_events;
};

/// Parses a state file's text. Every problem goes to `diags` located
/// ("file:line:col: error: ...; expected ..."); nullopt if any error.
std::optional<AutoscaleState> parse_autoscale_state(const std::string& file, const std::string& text,
                                                    core::Diagnostics& diags);

/// Reads and parses a state file from disk; unreadable files are diagnostics too.
std::optional<AutoscaleState> load_autoscale_state(const std::string& path, core::Diagnostics& diags);

/// Reads an `hpa:` block (min, max, metrics, sync_period, tolerance,
/// cpu_initialization_period, initial_readiness_delay, metric_window, behavior),
/// reporting every problem through `r`. Sets HpaSpec::behavior_given when a
/// `behavior:` key is present. nullopt when `n` is not a mapping.
std::optional<HpaSpec> read_hpa(const core::Reader& r, const YAML::Node& n);

}  // namespace sim::scenario
