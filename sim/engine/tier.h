#pragma once
// What every tier owner (load balancer, database, cache, queue, ...) hears
// from the station lifecycle, and what it adds to the report. World calls
// these; a tier never walks another tier's state.

#include <string>

#include "sim/model/run_result.h"

namespace sim::engine {

class Tier {
 public:
  virtual ~Tier() = default;
  /// One of this tier's instances went down (crash, scale-in) at the kernel's now.
  /// Its jobs were already failed by the request flow.
  virtual void instance_down(int /*station*/, const std::string& /*why*/) {}
  /// One of this tier's instances came back (recovery or autoscaler start).
  virtual void instance_up(int /*station*/) {}
  /// Any station went down: a tier that keeps per-client state (connection pools) drops it.
  virtual void client_down(int /*station*/) {}
  /// Kind-specific totals at the end of the run.
  virtual void collect(model::ComponentStats& /*out*/) {}
  /// Kind-specific value of the window that ends now (cache hit ratio, lag max, queue depth).
  virtual double window_extra() { return 0; }
};

}  // namespace sim::engine
