#pragma once
// The checks of a behaviour case (tests/behaviour/cases/*/case.yaml): one line
// each, evaluated against the runs of the case. A check compares two
// expressions:
//
//   time(detect) in [73, 78]                       an event's time in a closed interval ("(" / ")" open)
//   time(promote) - time(detect) == 30             arithmetic: + - * / and parentheses; == is exact to 1e-9
//   /recovery/0/rpo in (0.15, 0.2]                 a report.json field by JSON pointer
//   /components/app/instance_stats/0/served > 10   array elements by index, or by name (name, metric,
//                                                  component, fault fields); "*" for every element or field
//   max(/components/app/instance_stats/*/served) - min(/components/app/instance_stats/*/served) <= 1
//   lc:/summary/latency/p99 * 3 < rr:/summary/latency/p99     "run:" evaluates a term in another run
//   /expectations/no_saturation/verdict == "FAIL"  strings compare with == and !=
//   stderr has "no report written"                 substring
//   /recovery/0/rto == null                        a null field (never recovered)
//
// Functions: time(kind[, target[, n]]) — the n-th (from 0) timeline event of that kind (and
// target); count(kind[, target]); exit, signal, stdout, stderr (of the run); max, min, sum,
// len over a pointer with "*"; at(pointer, t) — a per-window series at simulated time t;
// window_sum(field, from[, to]) — the sum of /windows/<field> over windows starting in
// [from, to); abs(x), exp(x), ln(x).

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace sim::testing {

/// One run of a case, as the harness saw it.
struct CaseRun {
  int exit_code = -1;
  int signal = 0;
  std::string out, err;
  nlohmann::json report;  ///< null when it wrote none
};

/// The runs of a case by name; `first` is the run a check refers to without "run:".
struct CaseRuns {
  std::map<std::string, CaseRun> runs;
  std::string first;
};

/// The outcome of one check.
struct CheckResult {
  bool ok = false;
  std::string detail;  ///< what the two sides were ("77.3 in [73, 78]"), or why it could not be evaluated
};

/// Evaluates `check` against `runs`. A malformed check, an unknown function or run, a
/// missing field or event is a failed check whose detail says so.
CheckResult evaluate_check(const std::string& check, const CaseRuns& runs);

}  // namespace sim::testing
