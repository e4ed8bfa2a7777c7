// The request kernel's event order: (time, scheduling order), wherever an
// event is stored (heap or lane).
#include "sim/engine/event_queue.h"

#include <gtest/gtest.h>

#include <cmath>
#include <queue>
#include <random>

namespace sim::engine {
namespace {

TEST(EventQueue, OrdersByTimeThenBySchedulingOrder) {
  EventQueue q;
  q.push(2.0, 0, 0, 1, 0);
  q.push(1.0, 0, 0, 2, 0);
  q.push(1.0, 0, 0, 3, 0);  // same date: after the one scheduled before it
  q.push(0.5, 0, 0, 4, 0);
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().a);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{4, 2, 3, 1}));
}

TEST(EventQueue, LanesAndHeapShareOneOrder) {
  EventQueue q;
  int lane = q.add_lane();
  q.push_lane(lane, 1.0, 0, 0, 10, 0);  // seq 0
  q.push(1.0, 0, 0, 11, 0);             // seq 1: same date, scheduled later
  q.push_lane(lane, 3.0, 0, 0, 12, 0);
  q.push(2.0, 0, 0, 13, 0);
  q.push(0.1, 0, 0, 14, 0);
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().a);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{14, 10, 11, 13, 12}));
}

TEST(EventQueue, ManyRandomEventsComeOutSorted) {
  EventQueue q;
  int lane = q.add_lane();
  std::mt19937_64 g(3);
  std::uniform_real_distribution<double> u(0, 100);
  double lane_t = 0;
  for (int i = 0; i < 5000; ++i) {
    if (i % 3 == 0) {
      lane_t += u(g) / 1000;
      q.push_lane(lane, lane_t, 0, 0, static_cast<std::uint32_t>(i), 0);
    } else {
      q.push(std::floor(u(g)), 0, 0, static_cast<std::uint32_t>(i), 0);  // many ties
    }
  }
  Event prev = q.pop();
  while (!q.empty()) {
    Event e = q.pop();
    ASSERT_TRUE(EventQueue::before(prev, e)) << prev.time << " " << e.time;
    prev = e;
  }
}

// A kernel-like run (pop the earliest, schedule new events after it, delays from
// microseconds to minutes, many exact ties) against a plain priority queue of
// (time, seq): the calendar's slots, its far heap and its width changes never
// change the order.
TEST(EventQueue, CalendarMatchesAPlainHeapOverAKernelLikeRun) {
  for (int seed = 1; seed <= 4; ++seed) {
    EventQueue q;
    std::priority_queue<std::pair<double, std::uint32_t>, std::vector<std::pair<double, std::uint32_t>>,
                        std::greater<>>
        ref;  // (time, id): ids are given in scheduling order, as seq
    std::mt19937_64 g(static_cast<std::uint64_t>(seed));
    std::uniform_real_distribution<double> u(0, 1);
    std::uint32_t id = 0;
    auto schedule = [&](double t) {
      q.push(t, 0, 0, id, 0);
      ref.emplace(t, id);
      ++id;
    };
    for (int i = 0; i < 50; ++i) schedule(u(g));
    double now = 0;
    for (int step = 0; step < 200000; ++step) {
      ASSERT_FALSE(q.empty());
      Event e = q.pop();
      auto [rt, rid] = ref.top();
      ref.pop();
      ASSERT_EQ(e.a, rid) << "seed " << seed << " step " << step;
      ASSERT_EQ(e.time, rt);
      now = e.time;
      // Phases of the run change the time scale: the width must follow.
      double scale = (step / 20000) % 3 == 0 ? 1e-4 : (step / 20000) % 3 == 1 ? 0.05 : 30;
      int children = q.size() < 20 ? 2 : (q.size() > 400 ? 0 : 1);
      for (int c = 0; c < children; ++c) {
        double r = u(g);
        schedule(r < 0.1 ? now : r < 0.2 ? now + scale : now + scale * -std::log(1 - u(g)));  // ties at now and at now+scale
      }
    }
  }
}

}  // namespace
}  // namespace sim::engine
