#include "calibration/src/busy.h"

#include <time.h>

#include <cstdint>

namespace calib {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double burn_cpu(double seconds) {
  const double start = thread_cpu_seconds();
  const double until = start + seconds;
  // A little arithmetic between clock reads so the loop is work, not only syscalls;
  // `volatile` keeps the compiler from removing it.
  volatile std::uint64_t sink = 0;
  double now = start;
  while (now < until) {
    for (int i = 0; i < 200; ++i) sink = sink * 6364136223846793005ULL + 1442695040888963407ULL;
    now = thread_cpu_seconds();
  }
  return now - start;
}

}  // namespace calib
