#pragma once
// docker-compose files (the Compose Specification, compose-spec.io): each
// service becomes a component whose kind comes from its image (postgres ->
// database, redis -> cache, rabbitmq -> queue, minio -> storage, traefik /
// nginx / haproxy -> load balancer, monitoring images -> left out, anything
// else -> service), with deploy.replicas, deploy.resources.limits (cpus ->
// cores, memory), healthcheck (-> the health check of the load balancer in
// front, start_period -> boot_time), restart and deploy.restart_policy (-> restart:) and
// depends_on (-> request paths). Every other field is listed as ignored.

#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/topology/topology.h"

namespace sim::import {

using topology::ImportNote;
using topology::SourcePos;

struct ComposeService {
  std::string name;
  std::string image;
  std::optional<topology::Kind> kind;  ///< nullopt: a monitoring service, left out
  int replicas = 1;                    ///< deploy.replicas (default 1)
  std::optional<int> cores;            ///< deploy.resources.limits.cpus, rounded up
  std::optional<double> memory;        ///< deploy.resources.limits.memory, bytes
  std::optional<topology::HealthCheck> healthcheck;  ///< interval, timeout, retries (Docker's defaults 30s, 30s, 3)
  std::optional<double> start_period;  ///< healthcheck.start_period
  std::vector<std::string> depends_on; ///< in file order
  std::optional<topology::RestartSpec> restart;  ///< restart: (Docker's back-off), or deploy.restart_policy
  /// A load balancer's product, from its image (traefik, nginx, haproxy, envoy; generic otherwise).
  topology::LbFlavor flavor = topology::LbFlavor::kGeneric;
  /// Traefik started with `--providers.docker` in its command: it routes by Docker's events and
  /// the containers' health (`discovery: docker`).
  bool docker_provider = false;
  SourcePos pos;
  std::vector<ImportNote> notes;
};

struct ComposeFile {
  std::vector<ComposeService> services;  ///< in file order
  std::vector<ImportNote> notes;         ///< top-level fields (version, networks, volumes...)
};

/// Parses compose text named `file`: located errors (YAML syntax, a replicas
/// that is not a number, depends_on naming an unknown service); nullopt after any.
std::optional<ComposeFile> parse_compose(const std::string& file, const std::string& text, core::Diagnostics& diags);

/// Whether `text` looks like a compose file (a top-level `services:`).
bool looks_like_compose(const std::string& text);

/// Reads `path` and picks service `name`; errors at `ref` when it has a line.
std::optional<ComposeService> load_compose_service(const std::string& path, const std::string& name,
                                                   const SourcePos& ref, core::Diagnostics& diags);

/// The load balancer product an image names ("traefik:v2.10" -> traefik); generic for others.
topology::LbFlavor flavor_of_image(const std::string& image);

/// The component kind an image suggests ("postgres:16" -> database); nullopt for monitoring images.
std::optional<topology::Kind> kind_of_image(const std::string& image);

}  // namespace sim::import
