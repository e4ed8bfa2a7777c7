#pragma once
// Hand-built RunResults for the checks (sim/check is pure: it never needs a
// simulation to be tested). A run is a list of metric windows; each is given
// as what finished in it, so success ratios, availability and RTO are known by
// construction:
//
//   RunBuilder b(300, 10);                 // 300 s, 10 s windows, all healthy
//   b.fault(60, "crash app[1]", "f1");     // a fault event at t = 60 s
//   b.failing(60, 80, 0.5);                // windows [60, 80) lose half their requests
//   model::RunResult r = b.result();

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/model/run_result.h"
#include "sim/scenario/loader.h"
#include "sim/topology/loader.h"

namespace sim::testing {

class RunBuilder {
 public:
  /// `duration` seconds in windows of `window` seconds, each with 100 completed requests.
  RunBuilder(double duration, double window) {
    r_.duration = duration;
    r_.window = window;
    for (double t = 0; t + 1e-9 < duration; t += window) {
      model::WindowStats w;
      w.start = t;
      w.arrivals = 100;
      w.completed = 100;
      r_.windows.push_back(w);
    }
  }
  RunBuilder& warmup(double w) {
    r_.warmup = w;
    return *this;
  }
  /// Windows starting in [from, to) fail a share `ratio` of their 100 requests.
  RunBuilder& failing(double from, double to, double ratio) {
    for (auto& w : r_.windows) {
      if (w.start + 1e-9 >= from && w.start + 1e-9 < to) {
        w.failed = static_cast<std::uint64_t>(std::llround(100 * ratio));
        w.completed = 100 - w.failed;
      }
    }
    return *this;
  }
  /// A fault event as the engine records it: its description and the scenario fault's name.
  RunBuilder& fault(double at, const std::string& detail, const std::string& name) {
    model::TimelineEvent e;
    e.time = at;
    e.kind = "fault";
    e.detail = detail;
    e.fault = name;
    r_.timeline.push_back(e);
    return *this;
  }
  RunBuilder& loss(const std::string& fault, double at, std::uint64_t writes, double rpo) {
    r_.data_losses.push_back({fault, at, writes, rpo, "lost"});
    return *this;
  }
  model::RunResult& result() { return r_; }

 private:
  model::RunResult r_;
};

/// A topology from YAML text; the test fails (and an empty topology is returned) on errors.
inline topology::Topology topology_of(const std::string& yaml) {
  core::Diagnostics d;
  auto t = topology::parse_topology("t.yaml", yaml, d);
  EXPECT_TRUE(t) << d.format();
  return t.value_or(topology::Topology{});
}

}  // namespace sim::testing
