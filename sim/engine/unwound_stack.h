#pragma once
// ASan and SimGrid's actor stacks (only compiled in under -fsanitize=address).
//
// SimGrid runs each actor on a stack of its own and switches stacks without
// telling ASan. When an exception unwinds frames of an actor (a cancelled query,
// an internal error caught at the actor's top), ASan cannot find the stack's
// bounds ("ASan is ignoring requested __asan_handle_no_return") and leaves the
// unwound frames' redzones poisoned. The next calls made from the catch block
// reuse that memory and ASan reports a false stack-use-after-scope there
// (google/sanitizers#189). Every catch block that runs on an actor's stack calls
// forget_unwound_frames() first: it clears the shadow of the stack below the
// catching frame, which is what __asan_handle_no_return would have done.

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>

#include <cstddef>
#include <cstdint>

namespace sim::engine {

// noinline: the frame address must be below the caller's locals, whose poison stays.
[[gnu::noinline]] inline void forget_unwound_frames() {
  // Far deeper than any unwound call chain here, far less than an actor's 256 KiB stack.
  constexpr std::uintptr_t kSpan = 32 * 1024;
  auto top = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  __asan_unpoison_memory_region(reinterpret_cast<void*>(top - kSpan), kSpan);
}

}  // namespace sim::engine

#else

namespace sim::engine {
inline void forget_unwound_frames() {}
}  // namespace sim::engine

#endif
