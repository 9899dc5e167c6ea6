#include "picket/core/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using picket::core::SpscRing;

TEST(SpscRing, CapacityRoundsUpToPowerOfTwo) {
  SpscRing<int> r(100);
  EXPECT_EQ(r.capacity(), 128u);
}

TEST(SpscRing, BurstStopsWhenFullAndResumesAfterDequeue) {
  SpscRing<int> r(4);
  int in[6] = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(r.enqueue_burst(in, 6), 4u);
  EXPECT_EQ(r.enqueue_burst(in, 1), 0u);
  int out[8];
  EXPECT_EQ(r.dequeue_burst(out, 3), 3u);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[2], 3);
  EXPECT_EQ(r.enqueue_burst(in + 4, 2), 2u);
  EXPECT_EQ(r.dequeue_burst(out, 8), 3u);
  EXPECT_EQ(out[0], 4);
  EXPECT_EQ(out[1], 5);
  EXPECT_EQ(out[2], 6);
  EXPECT_TRUE(r.empty());
}

TEST(SpscRing, PeekReturnsContiguousSpanUpToWrap) {
  SpscRing<int> r(4);
  int in[4] = {1, 2, 3, 4};
  r.enqueue_burst(in, 3);
  int out[3];
  r.dequeue_burst(out, 3);  // tail now at 3
  r.enqueue_burst(in, 3);   // occupies slots 3, 0, 1
  const int* first = nullptr;
  EXPECT_EQ(r.peek(&first, 8), 1u);  // only slot 3 before the wrap
  EXPECT_EQ(first[0], 1);
  r.release(1);
  EXPECT_EQ(r.peek(&first, 8), 2u);
  EXPECT_EQ(first[0], 2);
  EXPECT_EQ(first[1], 3);
}

TEST(SpscRing, ClaimPublishFillsInPlace) {
  SpscRing<int> r(2);
  int* s = r.claim();
  ASSERT_NE(s, nullptr);
  *s = 7;
  r.publish();
  s = r.claim();
  ASSERT_NE(s, nullptr);
  *s = 8;
  r.publish();
  EXPECT_EQ(r.claim(), nullptr);
  int out[2];
  EXPECT_EQ(r.dequeue_burst(out, 2), 2u);
  EXPECT_EQ(out[0], 7);
  EXPECT_EQ(out[1], 8);
}

TEST(SpscRing, TwoThreadsTransferEverythingInOrder) {
  SpscRing<std::uint64_t> r(64);
  constexpr std::uint64_t kN = 200000;
  std::thread producer([&] {
    std::uint64_t next = 0;
    while (next < kN) {
      std::uint64_t batch[16];
      std::size_t n = 0;
      for (; n < 16 && next + n < kN; ++n) batch[n] = next + n;
      next += r.enqueue_burst(batch, n);
    }
  });
  std::uint64_t expected = 0, sum_errors = 0;
  while (expected < kN) {
    std::uint64_t out[32];
    std::size_t n = r.dequeue_burst(out, 32);
    for (std::size_t i = 0; i < n; ++i) sum_errors += out[i] != expected++;
  }
  producer.join();
  EXPECT_EQ(sum_errors, 0u);
}
