#pragma once
// Recorded load: a trace file read into request counts per time bin, for
// replay by the arrival process (model/arrivals.h). Reading bytes (bzip2,
// tar) is trace/input.h; this file is the formats and the window. Three formats
// (scenario::TraceSpec::Format):
//
//   per_second   whitespace-separated non-negative integers, one per second
//                (NASA workload.txt), as plain text or as the original
//                bzip2-compressed tar (workload.tbz2) read in place: the first
//                regular file of the archive; a bare .bz2 of the text works too.
//   counts_csv   a header line, then one row per bin: a time column (unix
//                seconds, or "YYYY-MM-DD HH:MM[:SS]") and a count column
//                (a non-negative number; "94.0" is fine). The time column is
//                the first header named unix_ts, unix_time, epoch, timestamp or
//                time, else the first column; the count column is the first
//                named requests, count or value, else the last column. The bin
//                width is the smallest step between consecutive timestamps;
//                every timestamp must lie on that grid, and a missing row is a
//                bin with no requests (CloudWatch omits a zero datapoint).
//   request_log  a header line naming a `time` column (unix seconds), then one
//                line per request (TSV, or CSV if the header has no tab);
//                binned per second from the floor of the earliest time.
//
// Window: bins [start, start + length) in trace seconds from the trace's first
// bin (length 0 = to the end). Both must be multiples of the bin width, and the
// window must lie inside the trace. Only the window's bins are kept; files are
// streamed (the per-second NASA trace is 5 M bins, a week 604,800).
//
// Errors are located Diagnostics, never exceptions: problems with the window or
// with opening the file point at the trace's entry in the scenario
// (TraceSpec::pos), problems in the data at file:line:column of the trace (for a
// file inside an archive: "workload.tbz2(workload.txt):1:12345").

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario.h"

namespace sim::trace {

/// The request counts of one trace window, bin after bin.
struct TraceBins {
  double bin_width = 1;              ///< trace seconds per bin (1 for per_second and request_log)
  std::vector<double> counts;        ///< requests in each bin of the window, from the window's start
  std::optional<double> start_time;  ///< when the format has times: the window's first bin as written in the file
                                     ///< (unix seconds, or seconds since 1970-01-01 of a date taken as UTC)

  /// Σ counts, summed in bin order (the order the replay's cumulative rounding uses).
  double total() const;
  /// The window's length in trace seconds.
  double length() const { return bin_width * static_cast<double>(counts.size()); }
};

/// Reads the window of `spec` into per-bin counts.
/// On failure (missing or unreadable file, corrupt archive, malformed line, a window that is empty, misaligned
/// or outside the trace) appends located errors to `diags` and returns nullopt. May add warnings (a long gap
/// in a counts_csv filled with zeros, a window without requests).
std::optional<TraceBins> load_trace(const scenario::TraceSpec& spec, core::Diagnostics& diags);

/// The same checks as load_trace, without keeping the bins: for `validate` and for stopping a run before it
/// starts. Reads the file up to the end of the window (a per_second trace) or entirely (the text formats).
/// Returns true when load_trace would succeed.
bool check_trace(const scenario::TraceSpec& spec, core::Diagnostics& diags);

/// The number of requests a replay of `bins` at volume `scale` produces: llround(scale × total()).
/// Bin i gets llround(scale × Σ_{j≤i} counts_j) − llround(scale × Σ_{j<i} counts_j), so the per-bin
/// counts add up to exactly this (a cumulative-rounding carry; no bin drifts by more than one request).
/// REQUIRES: scale >= 0.
std::int64_t scaled_total(const TraceBins& bins, double scale);

}  // namespace sim::trace
