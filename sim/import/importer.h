#pragma once
// `infrasim import FILE...`: foreign files (nginx configuration, Kubernetes
// manifests, docker-compose files) -> one topology, as YAML text. The text
// opens with a header that lists, with file:line, every value mapped, every
// directive or field whose semantics infrasim does not model yet, and every
// one ignored; values the files do not give are written with "chosen:". An
// HPA belongs in a scenario: it is shown as the `autoscaling:` block to use.

#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"

namespace sim::import {

struct ImportRequest {
  std::vector<std::string> files;  ///< as given; the kind is told by name and content
  std::string upstream;            ///< the nginx upstream to use ("" = the only one)
  std::string name;                ///< the topology's name ("" = from the files)
  std::string command_line;        ///< shown in the header
};

/// The topology text, or nullopt with located errors in diags (nothing is written then).
std::optional<std::string> import_topology(const ImportRequest& req, core::Diagnostics& diags);

/// What kind of foreign file `path` holding `text` is: "nginx", "kubernetes", "compose", or "" when unknown.
std::string foreign_kind(const std::string& path, const std::string& text);

}  // namespace sim::import
