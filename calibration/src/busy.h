#pragma once
// CPU-bound busy work for the calibration backend.
//
// A request's service time is CPU demand, as in infrasim (a SimGrid execution of
// that many core-seconds): the worker thread spins until its own CPU time
// (CLOCK_THREAD_CPUTIME_ID) has advanced by the sample. When other threads share
// the core, the wall time stretches and the CPU demand stays the same, which is
// what processor sharing means. A sleep would cost no CPU at all.

namespace calib {

/// The calling thread's CPU time in seconds.
double thread_cpu_seconds();

/// Spins until the calling thread has used `seconds` more CPU time; returns the CPU
/// time actually used (>= seconds, by at most one clock read, about a microsecond).
double burn_cpu(double seconds);

}  // namespace calib
