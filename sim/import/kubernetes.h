#pragma once
// Kubernetes manifests as users write them: a HorizontalPodAutoscaler
// (autoscaling/v2, `behavior` included) becomes infrasim's `hpa:` block, a
// Deployment becomes a service (replicas, resources.requests, readiness probe
// -> the load balancer's health check, topologySpreadConstraints -> zones).
// A file may hold several documents ('---'). Every field is accounted for in
// the notes: mapped (to which key), not modelled yet (liveness restarts,
// rolling updates), or ignored. Field names and defaults are the API's
// (kubernetes.io/docs/reference/kubernetes-api/workload-resources/).

#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::import {

using topology::ImportNote;
using topology::SourcePos;

struct K8sHpa {
  std::string name;            ///< metadata.name
  std::string target;          ///< spec.scaleTargetRef.name
  scenario::HpaSpec spec;
  SourcePos pos;
  std::vector<ImportNote> notes;
};

struct K8sDeployment {
  std::string name;
  int replicas = 1;                              ///< spec.replicas (API default 1)
  std::optional<int> cores;                      ///< sum of containers' requests.cpu, rounded up to whole cores
  std::optional<double> memory;                  ///< sum of containers' requests.memory, bytes
  std::optional<topology::HealthCheck> readiness;  ///< the first container's readinessProbe
  std::optional<double> boot_time;               ///< readinessProbe.initialDelaySeconds
  /// The first container's livenessProbe; a startupProbe holds its first probe back (see read_deployment).
  std::optional<topology::LivenessSpec> liveness;
  bool spread_zones = false;                     ///< a topologySpreadConstraint on topology.kubernetes.io/zone
  SourcePos pos;
  std::vector<ImportNote> notes;
};

/// The objects of a manifest file, by kind; each document is read once.
struct K8sManifest {
  std::vector<K8sHpa> hpas;
  std::vector<K8sDeployment> deployments;
  std::vector<ImportNote> notes;  ///< documents of other kinds (Service, ConfigMap...): ignored
};

/// Parses manifest text named `file`. Located errors (YAML syntax, a field of
/// the wrong type, minReplicas > maxReplicas, ...); nullopt after any error.
std::optional<K8sManifest> parse_kubernetes(const std::string& file, const std::string& text, core::Diagnostics& diags);

/// Whether `text` looks like a Kubernetes manifest (an apiVersion and a kind at the top).
bool looks_like_kubernetes(const std::string& text);

/// Reads `path` and picks the HorizontalPodAutoscaler called `name` ("" = the
/// file's only one). File and name errors are located at `ref` when it has a line.
std::optional<K8sHpa> load_k8s_hpa(const std::string& path, const std::string& name, const SourcePos& ref,
                                   core::Diagnostics& diags);

/// The same for a Deployment.
std::optional<K8sDeployment> load_k8s_deployment(const std::string& path, const std::string& name,
                                                 const SourcePos& ref, core::Diagnostics& diags);

/// "500m" -> 0.5, "2" -> 2 (Kubernetes CPU quantities); nullopt when malformed.
std::optional<double> parse_k8s_cpu(const std::string& text);
/// "512Mi" -> 536870912, "1G" -> 1e9, "1e3" (Kubernetes memory quantities); nullopt when malformed.
std::optional<double> parse_k8s_memory(const std::string& text);

}  // namespace sim::import
