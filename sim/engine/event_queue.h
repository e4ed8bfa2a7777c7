#pragma once
// The request kernel's pending events, in one total order: (time, seq), seq
// being the order in which events were scheduled. Two kinds of storage, one
// order:
//  - a calendar for events scheduled at arbitrary times: a ring of time slots
//    (unsorted buckets, a bitmap of the occupied ones) over the near future,
//    and a binary heap for events beyond it, moved into the ring as it turns.
//    Push and pop cost O(1) while buckets hold a few events; the slot width
//    adapts (halved when buckets get crowded, doubled when pops cross many
//    empty slots);
//  - lanes: FIFOs for events that are always scheduled in time order (the
//    deadlines of one timeout value: now + 10 s is never earlier than the
//    previous now + 10 s).
// pop() returns the smallest (time, seq) over the calendar and every lane's
// head, so where an event is stored never changes when it runs.
//
// Pure C++ (no SimGrid): tests/engine/event_queue_test.cpp checks the order.

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace sim::engine {

/// One pending event (32 bytes). The meaning of `kind`, `a`
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

/// (time, seq) order. Times are never negative, so a double's bits order like its
/// value: one 128-bit comparison, without the branch a random order mispredicts.
inline bool event_before(const Event& x, const Event& y) {
  __extension__ using Key = unsigned __int128;
  std::uint64_t bx, by;
  std::memcpy(&bx, &x.time, sizeof bx);
  std::memcpy(&by, &y.time, sizeof by);
  return ((static_cast<Key>(bx) << 64) | x.seq) < ((static_cast<Key>(by) << 64) | y.seq);
}

/// Events at arbitrary times, popped in (time, seq) order. REQUIRES: an event is
/// never pushed earlier than the last one popped.
class Calendar {
 public:
  static constexpr int kSlots = 256;  ///< a power of two

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push(const Event& e) {
    ++size_;
    std::int64_t s = slot_of(e.time);
    if (s < cursor_) s = cursor_;
    if (s - cursor_ < kSlots) {
      add_to(s, e);
    } else {
      far_.push_back(e);
      sift_up(far_.size() - 1);
    }
    found_ = false;
  }

  /// The next event, or nullptr. Valid until the next push or pop.
  const Event* peek() {
    if (size_ == 0) return nullptr;
    if (!found_) find();
    return &buckets_[found_slot_][found_index_];
  }

  /// Removes the event peek() returned. REQUIRES: peek() != nullptr.
  Event pop() {
    if (!found_) find();
    auto& b = buckets_[found_slot_];
    Event e = b[found_index_];
    b[found_index_] = b.back();
    b.pop_back();
    if (b.empty()) occupied_[found_slot_ >> 6] &= ~(std::uint64_t{1} << (found_slot_ & 63));
    --size_;
    --near_;
    found_ = false;
    // Adapt the slot width: a crowded bucket costs a long scan, a sparse ring long walks.
    ++pops_;
    if (pops_ == kAdaptEvery) adapt();
    return e;
  }

 private:
  static constexpr std::uint64_t kAdaptEvery = 4096;

  std::int64_t slot_of(double t) const { return static_cast<std::int64_t>(t * inv_width_); }

  void add_to(std::int64_t s, const Event& e) {
    std::size_t i = static_cast<std::size_t>(s) & (kSlots - 1);
    buckets_[i].push_back(e);
    occupied_[i >> 6] |= std::uint64_t{1} << (i & 63);
    ++near_;
  }

  // Finds the first occupied slot from the cursor (moving the cursor there and
  // bringing far events into the ring as it turns), then its earliest event.
  void find() {
    if (near_ == 0) {
      // The ring is empty: jump to the earliest far event's slot.
      cursor_ = std::max(cursor_, slot_of(far_.front().time));
      migrate();
    }
    std::size_t start = static_cast<std::size_t>(cursor_) & (kSlots - 1);
    std::size_t walked = 0;
    std::size_t i = start;
    while (true) {
      std::uint64_t word = occupied_[i >> 6] >> (i & 63);
      if (word) {
        std::size_t k = static_cast<std::size_t>(__builtin_ctzll(word));
        i += k;
        walked += k;
        break;
      }
      std::size_t skip = 64 - (i & 63);
      walked += skip;
      i = (i + skip) & (kSlots - 1);
    }
    walks_ += walked;
    if (walked > 0) {
      cursor_ += static_cast<std::int64_t>(walked);
      migrate();
    }
    const auto& b = buckets_[i];
    std::size_t best = 0;
    for (std::size_t k = 1; k < b.size(); ++k) {
      if (event_before(b[k], b[best])) best = k;
    }
    scanned_ += b.size();
    found_slot_ = i;
    found_index_ = best;
    found_ = true;
  }

  // Far events whose slot entered the ring's window.
  void migrate() {
    while (!far_.empty() && slot_of(far_.front().time) - cursor_ < kSlots) {
      Event e = far_.front();
      far_.front() = far_.back();
      far_.pop_back();
      if (!far_.empty()) sift_down(0);
      std::int64_t s = std::max(cursor_, slot_of(e.time));
      add_to(s, e);
    }
  }

  // Every kAdaptEvery pops: more than 4 events scanned per pop on average halves
  // the width, more than 16 slots walked doubles it. Rebuilding keeps the order.
  void adapt() {
    double scanned = static_cast<double>(scanned_) / kAdaptEvery, walked = static_cast<double>(walks_) / kAdaptEvery;
    pops_ = scanned_ = walks_ = 0;
    double factor = scanned > 4 && width_ > 1e-9 ? 0.5 : walked > 16 && width_ < 1e6 ? 2.0 : 1.0;
    if (factor == 1.0) return;
    std::vector<Event> all;
    all.reserve(size_);
    for (auto& b : buckets_) {
      all.insert(all.end(), b.begin(), b.end());
      b.clear();
    }
    all.insert(all.end(), far_.begin(), far_.end());
    far_.clear();
    for (auto& w : occupied_) w = 0;
    double now = cursor_ / inv_width_;
    width_ *= factor;
    inv_width_ = 1.0 / width_;
    cursor_ = slot_of(now);
    size_ = near_ = 0;
    for (const Event& e : all) push(e);
  }

  void sift_up(std::size_t i) {
    Event e = far_[i];
    while (i > 0) {
      std::size_t parent = (i - 1) / 2;
      if (!event_before(e, far_[parent])) break;
      far_[i] = far_[parent];
      i = parent;
    }
    far_[i] = e;
  }

  void sift_down(std::size_t i) {
    const std::size_t n = far_.size();
    Event e = far_[i];
    while (true) {
      std::size_t c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && event_before(far_[c + 1], far_[c])) ++c;
      if (!event_before(far_[c], e)) break;
      far_[i] = far_[c];
      i = c;
    }
    far_[i] = e;
  }

  double width_ = 1e-3;          ///< seconds per slot
  double inv_width_ = 1e3;
  std::int64_t cursor_ = 0;      ///< no event is in an earlier slot
  std::vector<Event> buckets_[kSlots];
  std::uint64_t occupied_[kSlots / 64] = {};
  std::vector<Event> far_;       ///< binary heap: events at or beyond cursor_ + kSlots
  std::size_t size_ = 0, near_ = 0;
  bool found_ = false;
  std::size_t found_slot_ = 0, found_index_ = 0;
  std::uint64_t pops_ = 0, scanned_ = 0, walks_ = 0;
};

class EventQueue {
 public:
  static constexpr double kNever = std::numeric_limits<double>::infinity();

  /// Schedules an event; its seq is the next in scheduling order.
  void push(double time, std::uint16_t sink, std::uint16_t kind, std::uint32_t a, std::uint64_t b) {
    calendar_.push(Event{time, next_seq_++, b, a, sink, kind});
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
    if (!calendar_.empty()) return false;
    for (const auto& l : lanes_) {
      if (!l.empty()) return false;
    }
    return true;
  }

  /// Time of the next event, or kNever.
  double next_time() {
    const Event* e = peek();
    return e ? e->time : kNever;
  }

  /// The next event, or nullptr. Valid until the next push or pop.
  const Event* peek() {
    int source;
    return peek(&source);
  }

  /// The next event and where it is stored (-1: the calendar, else a lane), for take().
  const Event* peek(int* source) {
    const Event* best = calendar_.peek();
    *source = -1;
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      const auto& l = lanes_[i];
      if (!l.empty() && (!best || event_before(l.front(), *best))) {
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
    return calendar_.pop();
  }

  /// Removes and returns the next event. REQUIRES: !empty().
  Event pop() {
    int source;
    peek(&source);
    return take(source);
  }

  std::size_t size() const {
    std::size_t n = calendar_.size();
    for (const auto& l : lanes_) n += l.size();
    return n;
  }

  static bool before(const Event& x, const Event& y) { return event_before(x, y); }

 private:
  /// A FIFO of events in a ring buffer that doubles when full (no allocation in steady state).
  class Ring {
   public:
    bool empty() const { return count_ == 0; }
    std::size_t size() const { return count_; }
    const Event& front() const { return buf_[head_]; }
    void push_back(const Event& e) {
      if (count_ == buf_.size()) grow();
      buf_[(head_ + count_) & (buf_.size() - 1)] = e;
      ++count_;
    }
    void pop_front() {
      head_ = (head_ + 1) & (buf_.size() - 1);
      --count_;
    }

   private:
    void grow() {
      std::vector<Event> bigger(buf_.empty() ? 64 : 2 * buf_.size());
      for (std::size_t k = 0; k < count_; ++k) bigger[k] = buf_[(head_ + k) & (buf_.size() - 1)];
      buf_.swap(bigger);
      head_ = 0;
    }
    std::vector<Event> buf_;  ///< capacity a power of two
    std::size_t head_ = 0, count_ = 0;
  };

  Calendar calendar_;
  std::vector<Ring> lanes_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sim::engine
