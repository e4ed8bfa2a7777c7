// The request kernel's event order: (time, scheduling order), wherever an
// event is stored (heap or lane).
#include "sim/engine/event_queue.h"

#include <gtest/gtest.h>

#include <cmath>
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

}  // namespace
}  // namespace sim::engine
