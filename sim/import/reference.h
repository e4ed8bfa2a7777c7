#pragma once
// `from:` in topologies and scenarios: a component (or an autoscaler) takes its
// values from a file the user already has, and the keys written beside `from:`
// override them.
//
//   lb:      {kind: load_balancer, from: {nginx: nginx.conf, upstream: backend}}   flavor nginx: algorithm, weights,
//                                                                                  backup, passive, slow_start,
//                                                                                  rate_limit, connect_timeout,
//                                                                                  read_timeout, retry, processes
//   backend: {kind: service, from: {nginx: nginx.conf, upstream: backend}}         replicas (its servers), timeout
//   app:     {kind: service, from: {kubernetes: deploy.yaml, name: app}}          replicas, cores, memory, boot_time,
//                                                                                  zones; the LB in front: health_check
//   db:      {kind: database, from: {compose: docker-compose.yml, service: postgres}}   cores (services: replicas,
//                                                                                  memory, boot_time; LB: health_check)
//   autoscaling: {app: {from: {kubernetes: hpa.yaml, name: app-hpa}}}             the whole hpa: block
//
// Paths are relative to the file that holds the reference. What was taken,
// what is not modelled yet and what was ignored become ImportNotes.

#include <optional>
#include <string>
#include <vector>

#include "sim/core/yaml_reader.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::import {

struct FromRef {
  std::string format;  ///< nginx, kubernetes, compose
  std::string path;    ///< resolved against the referring file's folder
  std::string name;    ///< upstream / object / service name ("" = the file's only one)
  topology::SourcePos pos;
};

/// Reads a `from:` mapping: exactly one of nginx / kubernetes / compose with its
/// file, plus upstream: (nginx), name: (kubernetes) or service: (compose, required).
std::optional<FromRef> read_from(const core::Reader& r, const YAML::Node& n);

/// What a reference gives a component of `kind`: a spec to start from (the
/// loader then reads the written keys over it), zones spread over the region,
/// and the health check of the load balancer in front of it.
struct FromResult {
  topology::Component base;                        ///< kind and spec set
  bool spread_zones = false;                       ///< Kubernetes topologySpreadConstraints on zones
  std::optional<topology::HealthCheck> lb_health;  ///< readinessProbe / compose healthcheck
  std::vector<topology::ImportNote> notes;
};

/// Loads the referenced file and maps it onto a component of `kind`. Errors
/// (unreadable file, no such upstream, a format that cannot describe this
/// kind) are located at the reference.
std::optional<FromResult> component_from(const FromRef& ref, topology::Kind kind, const std::string& component,
                                         core::Diagnostics& diags);

/// Loads the referenced HorizontalPodAutoscaler (kubernetes only).
std::optional<scenario::HpaSpec> hpa_from(const FromRef& ref, core::Diagnostics& diags,
                                          std::vector<topology::ImportNote>* notes);

}  // namespace sim::import
