#include "sim/model/run_result.h"

#include <fmt/format.h>

namespace sim::model {

const char* reason_name(FailReason r) {
  switch (r) {
    case FailReason::kTimeout: return "timeout";
    case FailReason::kQueueFull: return "queue_full";
    case FailReason::kNoHealthyBackend: return "no_healthy_backend";
    case FailReason::kRateLimited: return "rate_limited";
    case FailReason::kConnectionRefused: return "connection_refused";
    case FailReason::kDbUnavailable: return "db_unavailable";
    case FailReason::kNetwork: return "network";
    case FailReason::kInjected: return "injected_error";
    case FailReason::kCircuitOpen: return "circuit_open";
    case FailReason::kCount: break;
  }
  return "?";
}

double WindowStats::success_ratio() const {
  std::uint64_t n = completed + failed;
  return n == 0 ? 1.0 : static_cast<double>(completed) / static_cast<double>(n);
}

std::string RestartCounts::text() const {
  return fmt::format("{} restart{}, {} caused by faults, {} not", total, total == 1 ? "" : "s", by_faults,
                     unexplained());
}

}  // namespace sim::model
