#pragma once
// Single-producer single-consumer ring with a burst API, in the manner of
// DPDK's rte_ring: capacity is a power of two, head and tail live on their own
// cache lines, and each side caches the other's index so that the common case
// touches no shared line. Enqueue/dequeue return how many items moved.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

namespace picket::core {

inline constexpr std::size_t kCacheLine = 64;

template <typename T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "ring items are copied as bytes");

 public:
  explicit SpscRing(std::size_t capacity_pow2)
      : mask_(round_up(capacity_pow2) - 1), slots_(new T[mask_ + 1]) {}

  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  std::size_t capacity() const { return mask_ + 1; }

  // Producer side. Returns the number of items enqueued (0..n).
  std::size_t enqueue_burst(const T* items, std::size_t n) {
    const std::uint64_t head = prod_.head.load(std::memory_order_relaxed);
    std::uint64_t free_slots = capacity() - (head - prod_.cached_tail);
    if (free_slots < n) {
      prod_.cached_tail = cons_.tail.load(std::memory_order_acquire);
      free_slots = capacity() - (head - prod_.cached_tail);
    }
    if (n > free_slots) n = free_slots;
    for (std::size_t i = 0; i < n; ++i) slots_[(head + i) & mask_] = items[i];
    prod_.head.store(head + n, std::memory_order_release);
    return n;
  }

  bool try_push(const T& item) { return enqueue_burst(&item, 1) == 1; }

  // Reserve-in-place producer API: lets a producer fill a large slot without
  // an intermediate copy. claim() returns nullptr when the ring is full.
  T* claim() {
    const std::uint64_t head = prod_.head.load(std::memory_order_relaxed);
    if (head - prod_.cached_tail >= capacity()) {
      prod_.cached_tail = cons_.tail.load(std::memory_order_acquire);
      if (head - prod_.cached_tail >= capacity()) return nullptr;
    }
    return &slots_[head & mask_];
  }
  void publish() {
    prod_.head.store(prod_.head.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  // Consumer side. Returns the number of items dequeued (0..n).
  std::size_t dequeue_burst(T* out, std::size_t n) {
    const std::uint64_t tail = cons_.tail.load(std::memory_order_relaxed);
    std::uint64_t avail = cons_.cached_head - tail;
    if (avail < n) {
      cons_.cached_head = prod_.head.load(std::memory_order_acquire);
      avail = cons_.cached_head - tail;
    }
    if (n > avail) n = avail;
    for (std::size_t i = 0; i < n; ++i) out[i] = slots_[(tail + i) & mask_];
    cons_.tail.store(tail + n, std::memory_order_release);
    return n;
  }

  // Zero-copy consumer API: peek at up to n items in place, then release them.
  std::size_t peek(const T** first, std::size_t n) {
    const std::uint64_t tail = cons_.tail.load(std::memory_order_relaxed);
    std::uint64_t avail = cons_.cached_head - tail;
    if (avail == 0) {
      cons_.cached_head = prod_.head.load(std::memory_order_acquire);
      avail = cons_.cached_head - tail;
    }
    // Stop at the wrap point so the caller gets one contiguous span.
    const std::uint64_t to_end = capacity() - (tail & mask_);
    if (avail > to_end) avail = to_end;
    if (n > avail) n = avail;
    *first = &slots_[tail & mask_];
    return n;
  }
  void release(std::size_t n) {
    cons_.tail.store(cons_.tail.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }

  bool empty() const {
    return prod_.head.load(std::memory_order_acquire) == cons_.tail.load(std::memory_order_acquire);
  }
  std::size_t size() const {
    return static_cast<std::size_t>(prod_.head.load(std::memory_order_acquire) -
                                    cons_.tail.load(std::memory_order_acquire));
  }

 private:
  static std::size_t round_up(std::size_t v) {
    std::size_t p = 2;
    while (p < v) p <<= 1;
    return p;
  }

  struct alignas(kCacheLine) Producer {
    std::atomic<std::uint64_t> head{0};
    std::uint64_t cached_tail = 0;
  };
  struct alignas(kCacheLine) Consumer {
    std::atomic<std::uint64_t> tail{0};
    std::uint64_t cached_head = 0;
  };

  const std::size_t mask_;
  std::unique_ptr<T[]> slots_;
  Producer prod_;
  Consumer cons_;
};

}  // namespace picket::core
