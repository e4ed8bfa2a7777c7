#include "sim/model/processor_sharing.h"

#include <algorithm>
#include <cassert>

namespace sim::model {

double ProcessorSharing::rate() const {
  auto n = static_cast<double>(heap_.size());
  return n <= cores_ ? speed_ : speed_ * cores_ / n;
}

void ProcessorSharing::advance(double now) {
  if (!heap_.empty() && now > last_) v_ += (now - last_) * rate();
  if (now > last_) last_ = now;
}

bool ProcessorSharing::less(Slot a, Slot b) const {
  const Item& x = items_[a];
  const Item& y = items_[b];
  return x.tag < y.tag || (x.tag == y.tag && x.seq < y.seq);
}

void ProcessorSharing::sift_up(std::size_t i) {
  Slot s = heap_[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!less(s, heap_[parent])) break;
    heap_[i] = heap_[parent];
    items_[heap_[i]].pos = i;
    i = parent;
  }
  heap_[i] = s;
  items_[s].pos = i;
}

void ProcessorSharing::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  Slot s = heap_[i];
  while (true) {
    std::size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && less(heap_[c + 1], heap_[c])) ++c;
    if (!less(heap_[c], s)) break;
    heap_[i] = heap_[c];
    items_[heap_[i]].pos = i;
    i = c;
  }
  heap_[i] = s;
  items_[s].pos = i;
}

void ProcessorSharing::erase_at(std::size_t i) {
  Slot gone = heap_[i];
  heap_[i] = heap_.back();
  heap_.pop_back();
  if (i < heap_.size()) {
    items_[heap_[i]].pos = i;
    sift_down(i);
    sift_up(items_[heap_[i]].pos);
  }
  free_.push_back(gone);
}

ProcessorSharing::Slot ProcessorSharing::add(double now, double work, std::uint64_t token) {
  advance(now);
  Slot s;
  if (!free_.empty()) {
    s = free_.back();
    free_.pop_back();
  } else {
    s = static_cast<Slot>(items_.size());
    items_.emplace_back();
  }
  items_[s] = Item{v_ + std::max(0.0, work), token, seq_++, 0};
  heap_.push_back(s);
  sift_up(heap_.size() - 1);
  ++version_;
  return s;
}

void ProcessorSharing::remove(double now, Slot slot) {
  advance(now);
  erase_at(items_[slot].pos);
  ++version_;
}

std::uint64_t ProcessorSharing::pop(double now, Slot* slot) {
  assert(!heap_.empty());
  advance(now);
  Slot s = heap_.front();
  // The completion time was computed from this tag: V has reached it, up to rounding.
  v_ = std::max(v_, items_[s].tag);
  if (slot) *slot = s;
  std::uint64_t token = items_[s].token;
  erase_at(0);
  ++version_;
  return token;
}

void ProcessorSharing::set_speed(double now, double speed) {
  advance(now);
  speed_ = speed;
  ++version_;
}

void ProcessorSharing::set_cores(double now, int cores) {
  advance(now);
  cores_ = cores;
  ++version_;
}

double ProcessorSharing::next_completion() const {
  if (heap_.empty()) return kNever;
  double r = rate();
  if (r <= 0) return kNever;  // a host at speed 0 makes no progress
  double left = std::max(0.0, items_[heap_.front()].tag - v_);
  return last_ + left / r;
}

double ProcessorSharing::remaining(double now, Slot slot) const {
  double v = v_;
  if (!heap_.empty() && now > last_) v += (now - last_) * rate();
  return std::max(0.0, items_[slot].tag - v);
}

}  // namespace sim::model
