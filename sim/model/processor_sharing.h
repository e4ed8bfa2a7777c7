#pragma once
// A host's CPU as SimGrid's Cas01 model shares it among single-core
// executions: with n jobs running on `cores` cores at `speed` flops/s, each
// progresses at speed × min(1, cores / n) (egalitarian processor sharing;
// with n <= cores every job has a core of its own).
//
// Computed with a virtual clock: V is the work every present job has received
// since V = 0; a job of w flops added when V = v finishes when V reaches its
// tag v + w, so jobs finish in tag order. Adding, finishing or cancelling a job
// and changing the speed are O(log n). The request kernel (engine/cpu.h) uses
// it for every host; tests/model/processor_sharing_test.cpp checks it against
// closed forms and hand-computed schedules.

#include <cstdint>
#include <limits>
#include <vector>

namespace sim::model {

class ProcessorSharing {
 public:
  using Slot = std::uint32_t;
  static constexpr double kNever = std::numeric_limits<double>::infinity();

  /// REQUIRES: cores >= 1, speed > 0 (flops per second per core).
  ProcessorSharing(int cores, double speed) : cores_(cores), speed_(speed) {}

  /// Starts a job of `work` flops at `now` (>= the last call's time); `token` is returned when it finishes.
  Slot add(double now, double work, std::uint64_t token);
  /// Removes a running job (cancelled): the others speed up from `now`.
  void remove(double now, Slot slot);
  /// Finishes the job with the smallest tag. REQUIRES: running() > 0; `now` is its completion time.
  std::uint64_t pop(double now, Slot* slot = nullptr);
  /// New speed from `now` on (a pstate change); the work done so far is kept.
  void set_speed(double now, double speed);
  /// New core count from `now` on (a resized instance); the work done so far is kept. REQUIRES: cores >= 1.
  void set_cores(double now, int cores);

  std::size_t running() const { return heap_.size(); }
  int cores() const { return cores_; }
  double speed() const { return speed_; }
  /// Absolute time of the next completion; kNever when idle.
  double next_completion() const;
  /// Work (flops) a running job still needs, as of `now`.
  double remaining(double now, Slot slot) const;
  std::uint64_t token(Slot slot) const { return items_[slot].token; }
  /// Slots of the running jobs (any order).
  const std::vector<Slot>& slots() const { return heap_; }
  /// Bumped by every change of the running set or speed: a completion scheduled
  /// before the last change is stale.
  std::uint64_t version() const { return version_; }

 private:
  struct Item {
    double tag = 0;
    std::uint64_t token = 0;
    std::uint64_t seq = 0;
    std::size_t pos = 0;  ///< index in heap_
  };
  double rate() const;  ///< per job
  void advance(double now);
  bool less(Slot a, Slot b) const;
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void erase_at(std::size_t i);

  int cores_;
  double speed_;
  double v_ = 0, last_ = 0;
  std::uint64_t seq_ = 0, version_ = 0;
  std::vector<Item> items_;
  std::vector<Slot> free_;
  std::vector<Slot> heap_;
};

}  // namespace sim::model
