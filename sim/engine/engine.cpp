#include "sim/engine/engine.h"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <sys/resource.h>

#include <simgrid/kernel/Timer.hpp>

#include "sim/core/log.h"
#include "sim/engine/world.h"

namespace sim::engine {

namespace {
double sim_clock() { return sg::Engine::get_clock(); }

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// The one handler of every SimGrid activity the request kernel started.
void on_completion(const sg::Activity& activity) {
  auto* tag = activity.get_data<ActivityTag>();
  if (!tag) return;  // an actor's own activity (a restore's transfer)
  switch (tag->kind) {
    case ActivityTag::Kind::kCpuJob: HostCpu::on_activity_completion(activity, tag); break;
    case ActivityTag::Kind::kTransfer: RequestFlow::on_activity_completion(activity, tag); break;
  }
}
}  // namespace

RunOutcome run(const scenario::Scenario& scen, const topology::Topology& topo,
               std::unique_ptr<model::ArrivalStream> arrivals, const RunOptions& options) {
  auto wall_start = std::chrono::steady_clock::now();
  // The world lives until the process exits, whatever happens: SimGrid objects
  // in it (actors' captures, activities) must never be destroyed under a live
  // simulation, and one run is all a process does anyway.
  World& w = *new World(scen, topo, options);

  // SimGrid reads its configuration from argv: quiet logs, CM02 (latency as
  // written; LV08 would multiply it by 13.01) without cross-traffic (which would
  // charge a transfer 5 % of reverse ACK traffic on shared links: a restore of
  // size S at rate R then takes S/R, as the topology says), raw contexts with
  // small stacks.
  static char a0[] = "infrasim", a1[] = "--log=root.thres:critical", a2[] = "--cfg=network/model:CM02",
              a3[] = "--cfg=contexts/stack-size:256", a4[] = "--log=xbt_cfg.thres:critical",
              a5[] = "--cfg=network/crosstraffic:0";
  static char* argv[] = {a0, a1, a2, a3, a4, a5, nullptr};
  static int argc = 6;
  // The engine lives until the process exits: SimGrid cannot run a second one anyway.
  auto* e = new sg::Engine(&argc, argv);
  sg::Activity::on_completion_cb(&on_completion);
  w.build_platform();
  core::set_sim_clock(&sim_clock);
  w.start(std::move(arrivals));

  RunOutcome out;
  const double duration = scen.duration;
  // The run advances in steps; between them the guards, the wall-clock limit and
  // the progress line act. A SimGrid event at each step's end bounds how far the
  // kernel runs ahead, so the steps adapt to wall time (about 50 to 200 ms each):
  // results never depend on them (they only cut the kernel's batches).
  double step = std::min(1.0, scen.window);
  double t = 0;
  simgrid::kernel::timer::Timer::set(std::min(duration, step), [] {});
  auto last_progress = wall_start;
  while (true) {
    auto step_start = std::chrono::steady_clock::now();
    t = std::min(duration, t + step);
    e->run_until(t);
    auto now = std::chrono::steady_clock::now();
    double wall = std::chrono::duration<double>(now - wall_start).count();
    double step_wall = std::chrono::duration<double>(now - step_start).count();
    if (options.progress && now - last_progress > std::chrono::milliseconds(500)) {
      options.progress(t, duration);
      last_progress = now;
    }
    if (!w.kernel.failure().empty()) throw std::runtime_error(w.kernel.failure());
    if (!w.internal_error.empty()) throw std::runtime_error(w.internal_error);
    if (!w.flow->explosion().empty() || !w.abort_reason.empty()) {
      out.aborted = true;
      out.abort_reason = !w.abort_reason.empty() ? w.abort_reason : w.flow->explosion();
      break;
    }
    if (options.max_wall_seconds > 0 && wall > options.max_wall_seconds) {
      out.aborted = true;
      out.abort_reason = fmt::format("stopped by --max-wall {}s at simulated t={:.0f}s", options.max_wall_seconds, t);
      break;
    }
    if (options.max_events > 0 && w.flow->generated() > options.max_events) {
      out.aborted = true;
      out.abort_reason = fmt::format("stopped by --max-events {} at simulated t={:.0f}s", options.max_events, t);
      break;
    }
    if (t >= duration) break;
    if (step_wall < 0.05) step *= 2;
    if (step_wall > 0.2 && step > 1e-3) step /= 2;
    // With --max-events, a step may not overshoot the limit by much.
    if (options.max_events > 0) step = std::min(step, std::max(1.0, scen.window));
    simgrid::kernel::timer::Timer::set(std::min(duration, t + step), [] {});
  }
  if (!out.aborted) {  // an aborted run writes no report: nothing to collect
    w.collect();
    out.result = std::move(w.result);
  }
  out.stats.activities = w.kernel.simgrid_work();
  out.stats.actors = w.actors;
  out.stats.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out.stats.peak_rss_kb = peak_rss_kb();
  out.stats.kernel_events = w.kernel.events();
  out.stats.kernel_wakes = w.kernel.wakes();
  return out;
}

}  // namespace sim::engine
