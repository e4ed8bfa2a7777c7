#pragma once
// The arrival process: when requests enter the system and of which class. The
// engine pulls one arrival at a time; memory does not grow with the number of
// requests (a trace keeps its window's bins, nothing per request).
//
// Synthetic shapes (constant, ramp, step, spike, diurnal; see scenario/profile.h
// for the formulas) are non-homogeneous Poisson processes at the instantaneous
// rate. Where the rate is constant over a segment the exponential gaps are
// exact; elsewhere (a ramp, a diurnal cycle) Lewis–Shedler thinning runs against
// the rate's maximum over short segments (1/64 of a ramp, 1/96 of a period), so
// most candidates are accepted.
//
// Traces (model/trace.h) are replayed with exact counts: bin i of the window gets
// llround(scale × Σ_{j≤i} c_j) − llround(scale × Σ_{j<i} c_j) requests, so a
// window that fits in the run puts exactly llround(scale × Σ c) requests into it.
// Bin i spans [i·w, (i+1)·w) / compress of simulated time (w = the bin width);
// arrival times are uniform within the bin, or, with interpolate, drawn from the
// density that is linear between the rates at neighbouring bins' centres (the
// edge bins repeat their own rate), still with exactly the bin's count.
//
// Composition: a sum merges its children by time (ties: the earlier child
// first); a sequence plays each child for its phase_length, with time relative
// to the phase start. A node's `mix` sets the class shares of every arrival
// under it (the nearest mix wins); without one, the default shares apply.
// Everything stops at `duration`: no arrival has time >= duration, and a trace
// cut short by the run or by its phase puts in only the requests before the cut.
//
// Randomness: each leaf of the profile gets its own two generators (times,
// classes) seeded from its position in the tree, so changing the mix leaves the
// arrival times unchanged, and cutting a phase does not shift other leaves.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/core/random.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::model {

struct Arrival {
  double time;        ///< simulated seconds from the start of the run, in [0, duration)
  int request_class;  ///< index into Topology::requests (and into class_names)
};

/// A source of arrivals in non-decreasing time order.
class ArrivalStream {
 public:
  virtual ~ArrivalStream() = default;
  /// The next arrival; nullopt once the stream has ended (and on every later call).
  virtual std::optional<Arrival> next() = 0;
};

/// The arrivals of `load` over [0, duration).
/// `default_shares[i]` is the share of class `class_names[i]` where no mix applies (normalised here; they
/// should sum to 1). Loads every trace the profile replays (a trace in a phase that starts after `duration`
/// is only checked, not kept).
/// On bad input (an unknown class in a mix, shares that do not add up to a positive total, an unreadable
/// trace or a bad window) appends located errors to `diags` and returns nullptr.
/// REQUIRES: default_shares.size() == class_names.size(); duration finite and > 0.
std::unique_ptr<ArrivalStream> make_arrivals(const scenario::Profile& load, const std::vector<double>& default_shares,
                                             const std::vector<std::string>& class_names, double duration,
                                             core::Rng rng, core::Diagnostics& diags);

/// The same with the classes and shares of `topo.requests`, in file order.
std::unique_ptr<ArrivalStream> make_arrivals(const scenario::Profile& load, const topology::Topology& topo,
                                             double duration, core::Rng rng, core::Diagnostics& diags);

}  // namespace sim::model
