#pragma once
// Evaluating a synthetic load profile: the request rate at simulated time t.
// Traces are data, not formulas: the model layer reads them (model/trace.h).

#include "sim/scenario/scenario.h"

namespace sim::scenario {

/// Requests per second at time t (seconds from the start of the run).
/// REQUIRES: the profile contains no trace (contains_trace() is false).
///   constant   rate
///   ramp       from until at, linear to `to` over `over`, then to
///   step       from before at, to from at on
///   spike      base × factor in [at, at + for), base otherwise
///   diurnal    mean × (1 + amplitude × cos(2π (t − peak) / period))
///   sum        the children's rates added
///   sequence   the child whose phase holds t, with time relative to the phase start; 0 after the last phase
double rate_at(const Profile& p, double t);

/// An upper bound of rate_at over all t (exact for every shape but sum); 0 when a trace is involved.
double peak_rate(const Profile& p);

bool contains_trace(const Profile& p);

}  // namespace sim::scenario
