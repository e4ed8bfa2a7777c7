#pragma once
// Process exit codes of every infrasim command (as ninja's exit_status.h).

namespace sim::core {

enum ExitStatus : int {
  kOk = 0,            ///< everything ran; every expectation met / no findings
  kChecksFailed = 1,  ///< the run finished but an expectation failed (or validate found issues)
  kBadInput = 2,      ///< an input file is malformed: located errors printed, nothing run or written
  kInternal = 3,      ///< a bug in infrasim: "internal error: ..." with the scenario and seed to reproduce
};

}  // namespace sim::core
