#pragma once
// Records reused through a free list, addressed by index. Stored in chunks of
// 1024, so a record never moves (references stay valid while others are
// added) and an index is found with a shift and a mask — std::deque divides
// by a block size that is not a power of two for most record sizes.

#include <cstdint>
#include <memory>
#include <vector>

namespace sim::engine {

template <class T>
class Slab {
 public:
  static constexpr std::uint32_t kChunkBits = 10;
  static constexpr std::uint32_t kChunk = 1u << kChunkBits;

  /// A free record's index (reused first); the record keeps what it held.
  std::uint32_t acquire() {
    if (!free_.empty()) {
      std::uint32_t i = free_.back();
      free_.pop_back();
      return i;
    }
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    return size_++;
  }
  void release(std::uint32_t i) { free_.push_back(i); }

  T& operator[](std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  /// Records ever handed out (used or free).
  std::uint32_t size() const { return size_; }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::vector<std::uint32_t> free_;
  std::uint32_t size_ = 0;
};

}  // namespace sim::engine
