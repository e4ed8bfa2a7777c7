#pragma once
// The names users bring from the tools they already use — Kubernetes
// (minReplicas), docker-compose (cpus), k6 (stages, target), Chaos Mesh
// (selector, duration), nginx (proxy_read_timeout) — mapped to infrasim's
// keys, so that "unknown key" can say which key they meant. The mapping of
// every field is documented in docs/ecosystem.md.

#include <string>
#include <string_view>
#include <vector>

namespace sim::core {

struct ForeignName {
  std::string key;     ///< infrasim's key ("min")
  std::string source;  ///< where the foreign name comes from ("Kubernetes' minReplicas")
};

/// The infrasim key among `allowed` that the foreign name `word` corresponds
/// to; an empty key when `word` is not a known foreign name there.
ForeignName foreign_name(std::string_view word, const std::vector<std::string>& allowed);

}  // namespace sim::core
