#pragma once
// The request kernel's pending events, in one total order: (time, seq), seq
// being the order in which events were scheduled. Two kinds of storage, one
// order:
//  - a binary min-heap for events scheduled at arbitrary times;
//  - lanes: FIFOs for events that are always scheduled in time order (the
//    deadlines of one timeout value: now + 10 s is never earlier than the
//    previous now + 10 s), which cost O(1) instead of O(log n).
// pop() returns the smallest (time, seq) over the heap and every lane's head,
// so where an event is stored never changes when it runs.
//
// Pure C++ (no SimGrid): tests/engine/event_queue_test.cpp checks the order.

#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <vector>

namespace sim::engine {

/// One pending event (32 bytes: the heap moves them). The meaning of `kind`, `a`
/// and `b` belongs to the sink, which the kernel knows by its number.
struct Event {
  double time = 0;
  std::uint64_t seq = 0;
  std::uint64_t b = 0;
  std::uint32_t a = 0;
  std::uint16_t sink = 0;
  std::uint16_t kind = 0;
};

/// Receives the events it scheduled. Owners of per-request state (the request
/// flow, a host's CPU, a queue's consumers) are sinks; dispatch is one virtual call.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& e) = 0;

 private:
  friend class Kernel;
  int kernel_id_ = -1;  ///< its number in the kernel's sink table, once it scheduled an event
};

class EventQueue {
 public:
  static constexpr double kNever = std::numeric_limits<double>::infinity();

  /// Schedules an event; its seq is the next in scheduling order.
  void push(double time, std::uint16_t sink, std::uint16_t kind, std::uint32_t a, std::uint64_t b) {
    heap_.push_back(Event{time, next_seq_++, b, a, sink, kind});
    sift_up(heap_.size() - 1);
  }

  /// A new lane; events pushed into it must come in non-decreasing time.
  int add_lane() {
    lanes_.emplace_back();
    return static_cast<int>(lanes_.size()) - 1;
  }

  /// Schedules an event in a lane. REQUIRES: time >= the lane's last event time.
  void push_lane(int lane, double time, std::uint16_t sink, std::uint16_t kind, std::uint32_t a, std::uint64_t b) {
    lanes_[static_cast<std::size_t>(lane)].push_back(Event{time, next_seq_++, b, a, sink, kind});
  }

  bool empty() const {
    if (!heap_.empty()) return false;
    for (const auto& l : lanes_) {
      if (!l.empty()) return false;
    }
    return true;
  }

  /// Time of the next event, or kNever.
  double next_time() const {
    const Event* e = peek();
    return e ? e->time : kNever;
  }

  /// The next event, or nullptr. Valid until the next push or pop.
  const Event* peek() const {
    int source;
    return peek(&source);
  }

  /// The next event and where it is stored (-1: the heap, else a lane), for take().
  const Event* peek(int* source) const {
    const Event* best = heap_.empty() ? nullptr : &heap_.front();
    *source = -1;
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      const auto& l = lanes_[i];
      if (!l.empty() && (!best || before(l.front(), *best))) {
        best = &l.front();
        *source = static_cast<int>(i);
      }
    }
    return best;
  }

  /// Removes and returns the event peek() found at `source`. REQUIRES: nothing pushed or popped since.
  Event take(int source) {
    if (source >= 0) {
      auto& lane = lanes_[static_cast<std::size_t>(source)];
      Event e = lane.front();
      lane.pop_front();
      return e;
    }
    Event e = heap_.front();
    pop_root();
    return e;
  }

  /// Removes and returns the next event. REQUIRES: !empty().
  Event pop() {
    int source;
    peek(&source);
    return take(source);
  }

  std::size_t heap_size() const { return heap_.size(); }
  std::size_t size() const {
    std::size_t n = heap_.size();
    for (const auto& l : lanes_) n += l.size();
    return n;
  }

  /// (time, seq) order. Times are never negative, so a double's bits order like its
  /// value: one 128-bit comparison, without the branch a random order mispredicts.
  static bool before(const Event& x, const Event& y) { return key(x) < key(y); }

 private:
  __extension__ using Key = unsigned __int128;
  static Key key(const Event& e) {
    std::uint64_t bits;
    std::memcpy(&bits, &e.time, sizeof bits);
    return (static_cast<Key>(bits) << 64) | e.seq;
  }

  void sift_up(std::size_t i) {
    Event e = heap_[i];
    while (i > 0) {
      std::size_t parent = (i - 1) / 2;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  // Removes the root (Floyd's bottom-up deletion): the hole goes down to a leaf
  // along the smaller children (one comparison a level), the last element fills
  // it and goes up (usually not far: it came from the bottom).
  void pop_root() {
    const std::size_t n = heap_.size() - 1;  // size after the removal
    std::size_t i = 0;
    while (true) {
      std::size_t c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap_[c + 1], heap_[c])) ++c;
      heap_[i] = heap_[c];
      i = c;
    }
    if (i != n) {
      heap_[i] = heap_[n];
      heap_.pop_back();
      sift_up(i);
    } else {
      heap_.pop_back();
    }
  }

  std::vector<Event> heap_;
  std::vector<std::deque<Event>> lanes_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sim::engine
