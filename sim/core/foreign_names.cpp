#include "sim/core/foreign_names.h"

#include <algorithm>

namespace sim::core {
namespace {

struct Entry {
  const char* foreign;
  const char* key;
  const char* tool;
};

// One foreign name may mean different keys in different mappings (periodSeconds is an HPA policy's
// period and a probe's interval): the first entry whose key the mapping allows wins.
constexpr Entry kEntries[] = {
    // Kubernetes HorizontalPodAutoscaler (autoscaling/v2)
    {"minReplicas", "min", "Kubernetes"},
    {"maxReplicas", "max", "Kubernetes"},
    {"scaleUp", "scale_up", "Kubernetes"},
    {"scaleDown", "scale_down", "Kubernetes"},
    {"stabilizationWindowSeconds", "stabilization", "Kubernetes"},
    {"selectPolicy", "select", "Kubernetes"},
    {"periodSeconds", "period", "Kubernetes"},
    {"averageUtilization", "cpu", "Kubernetes"},
    // Kubernetes probes
    {"periodSeconds", "interval", "Kubernetes"},
    {"timeoutSeconds", "timeout", "Kubernetes"},
    {"successThreshold", "healthy_threshold", "Kubernetes"},
    {"failureThreshold", "unhealthy_threshold", "Kubernetes"},
    {"initialDelaySeconds", "boot_time", "Kubernetes"},
    {"readinessProbe", "health_check", "Kubernetes"},
    {"topologySpreadConstraints", "zones", "Kubernetes"},
    // docker-compose
    {"cpus", "cores", "docker-compose"},
    {"mem_limit", "memory", "docker-compose"},
    {"start_period", "boot_time", "docker-compose"},
    {"retries", "unhealthy_threshold", "docker-compose"},
    {"healthcheck", "health_check", "docker-compose"},
    // nginx
    {"proxy_read_timeout", "timeout", "nginx"},
    {"limit_req", "rate_limit", "nginx"},
    {"limit_req_zone", "rate_limit", "nginx"},
    {"weight", "weights", "nginx"},
    // k6
    {"thresholds", "expect", "k6"},
    {"target", "to", "k6"},
    {"duration", "for", "k6"},
    // Chaos Mesh
    {"selector", "target", "Chaos Mesh"},
    {"duration", "for", "Chaos Mesh"},
};

}  // namespace

ForeignName foreign_name(std::string_view word, const std::vector<std::string>& allowed) {
  for (const Entry& e : kEntries) {
    if (word != e.foreign) continue;
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) continue;
    return {e.key, std::string(e.tool) + "'s " + e.foreign};
  }
  return {};
}

}  // namespace sim::core
