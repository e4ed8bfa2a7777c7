// model::ProcessorSharing against hand-computed schedules (Cas01's rates:
// speed × min(1, cores / running) per job).
#include "sim/model/processor_sharing.h"

#include <gtest/gtest.h>

#include <random>

namespace sim::model {
namespace {

constexpr double kG = 1e9;  // flops per second: works below are seconds at full speed

// Runs the completions in order and returns their times.
std::vector<std::pair<double, std::uint64_t>> drain(ProcessorSharing& ps) {
  std::vector<std::pair<double, std::uint64_t>> out;
  while (ps.running() > 0) {
    double t = ps.next_completion();
    out.emplace_back(t, ps.pop(t));
  }
  return out;
}

TEST(ProcessorSharing, MoreJobsThanCoresShareTheHost) {
  // Three 1 s jobs on 2 cores: each runs at 2/3 of a core, all end at 1.5 s.
  ProcessorSharing ps(2, kG);
  for (std::uint64_t k = 0; k < 3; ++k) ps.add(0, 1 * kG, k);
  auto done = drain(ps);
  ASSERT_EQ(done.size(), 3u);
  for (auto [t, token] : done) EXPECT_NEAR(t, 1.5, 1e-12);
  // Equal tags finish in the order they were added.
  EXPECT_EQ(done[0].second, 0u);
  EXPECT_EQ(done[2].second, 2u);
}

TEST(ProcessorSharing, NoMoreJobsThanCoresRunAtFullSpeed) {
  ProcessorSharing ps(4, kG);
  ps.add(0, 0.3 * kG, 1);
  ps.add(0.1, 0.2 * kG, 2);
  ps.add(0.2, 0.05 * kG, 3);
  auto done = drain(ps);
  EXPECT_NEAR(done[0].first, 0.25, 1e-12);
  EXPECT_EQ(done[0].second, 3u);
  EXPECT_NEAR(done[1].first, 0.3, 1e-12);
  EXPECT_NEAR(done[2].first, 0.3, 1e-12);
}

TEST(ProcessorSharing, ALateArrivalSlowsTheFirstJob) {
  // One core. A (1 s) alone until 0.5 (half done); then A and B at 1/2 each:
  // A needs 0.5 more -> ends at 1.5; B has 0.5 done then, alone -> ends at 2.0.
  ProcessorSharing ps(1, kG);
  ps.add(0, 1 * kG, 1);
  ps.add(0.5, 1 * kG, 2);
  auto done = drain(ps);
  EXPECT_NEAR(done[0].first, 1.5, 1e-12);
  EXPECT_EQ(done[0].second, 1u);
  EXPECT_NEAR(done[1].first, 2.0, 1e-12);
}

TEST(ProcessorSharing, ASlowdownActsFromItsDate) {
  // 1 s of work at full speed for 0.5 s, then at half speed: 0.5 left takes 1 s.
  ProcessorSharing ps(1, kG);
  ps.add(0, 1 * kG, 1);
  ps.set_speed(0.5, 0.5 * kG);
  EXPECT_NEAR(ps.next_completion(), 1.5, 1e-12);
}

TEST(ProcessorSharing, MoreCoresActFromTheirDateAsAHostBuiltWithThem) {
  // Four 1 s jobs on 1 core until 1 s (each has 0.25 done), then 2 cores (a resize): each
  // runs at 2/4, the 0.75 left takes 1.5 s: all end at 2.5 s (4 s on 1 core, 2 s on 2).
  ProcessorSharing ps(1, kG);
  for (std::uint64_t k = 0; k < 4; ++k) ps.add(0, 1 * kG, k);
  ps.set_cores(1, 2);
  auto done = drain(ps);
  ASSERT_EQ(done.size(), 4u);
  for (auto [t, token] : done) EXPECT_NEAR(t, 2.5, 1e-12);
  // From then on it is a 2-core host: a batch of four 1 s jobs takes 2 s, as ProcessorSharing(2, …).
  ProcessorSharing built(2, kG);
  for (std::uint64_t k = 0; k < 4; ++k) {
    ps.add(3, 1 * kG, k);
    built.add(3, 1 * kG, k);
  }
  EXPECT_NEAR(ps.next_completion(), 5.0, 1e-12);
  EXPECT_DOUBLE_EQ(ps.next_completion(), built.next_completion());
}

TEST(ProcessorSharing, ACancelledJobGivesItsShareBack) {
  // One core, two 1 s jobs from 0: at 0.5 each has 0.25 done; B leaves; A alone needs 0.75.
  ProcessorSharing ps(1, kG);
  ps.add(0, 1 * kG, 1);
  auto b = ps.add(0, 1 * kG, 2);
  EXPECT_NEAR(ps.remaining(0.5, b), 0.75 * kG, 1);
  ps.remove(0.5, b);
  EXPECT_NEAR(ps.next_completion(), 1.25, 1e-12);
  EXPECT_EQ(ps.pop(1.25), 1u);
  EXPECT_EQ(ps.running(), 0u);
  EXPECT_EQ(ps.next_completion(), ProcessorSharing::kNever);
}

TEST(ProcessorSharing, MeanSojournOfAnMM1PsQueueMatchesTheory) {
  // M/M/1-PS at rho = 0.8: mean sojourn = S / (1 - rho) = 5 S (insensitive to the service law).
  ProcessorSharing ps(1, kG);
  std::mt19937_64 g(7);
  std::exponential_distribution<double> gap(0.8 / 0.01), work(1 / 0.01);
  std::vector<double> arrived;
  double t = 0, sum = 0;
  long n = 0;
  double next_arrival = gap(g);
  const long kJobs = 400000;
  long started = 0;
  while (n < kJobs) {
    double done = ps.next_completion();
    if (started < kJobs && next_arrival < done) {
      t = next_arrival;
      ps.add(t, work(g) * kG, static_cast<std::uint64_t>(arrived.size()));
      arrived.push_back(t);
      ++started;
      next_arrival = t + gap(g);
    } else {
      t = done;
      auto k = ps.pop(t);
      if (k > 20000) {  // after a warm-up
        sum += t - arrived[k];
        ++n;
      } else {
        ++n;
      }
    }
  }
  double mean = sum / static_cast<double>(kJobs - 20001);
  EXPECT_NEAR(mean, 0.05, 0.05 * 0.05);  // within 5 % of 5 S = 50 ms
}

}  // namespace
}  // namespace sim::model
