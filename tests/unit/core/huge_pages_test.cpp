// core::map_zeroed_table and HugePageAllocator: zero-filled, writable,
// aligned memory whether a block is small or spans huge pages.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "picket/core/huge_pages.hpp"

namespace {

using picket::core::HugePageAllocator;
using picket::core::map_zeroed_table;
using picket::core::unmap_table;

TEST(HugePages, MappedTablesAreZeroedWritableAndAligned) {
  for (std::size_t bytes : {std::size_t{100}, std::size_t{4096}, std::size_t{3} << 20, (std::size_t{5} << 20) + 123}) {
    auto* p = static_cast<std::uint8_t*>(map_zeroed_table(bytes));
    ASSERT_NE(p, nullptr) << bytes;
    if (bytes >= (std::size_t{2} << 20)) {
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % (std::size_t{2} << 20), 0u) << bytes;
    }
    for (std::size_t i = 0; i < bytes; i += 4093) {
      ASSERT_EQ(p[i], 0) << bytes << " at " << i;
      p[i] = 0xab;
    }
    EXPECT_EQ(p[bytes - 1], 0);
    p[bytes - 1] = 1;  // the last byte asked for is ours
    unmap_table(p, bytes);
  }
  unmap_table(nullptr, 10);  // nothing to do
}

struct alignas(64) CacheLine {
  std::uint8_t bytes[64];
};

TEST(HugePages, AllocatorKeepsTheAlignmentOfOverAlignedTypes) {
  for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{40000}}) {  // 40000 lines: 2.4 MiB, huge
    std::vector<CacheLine, HugePageAllocator<CacheLine>> v(n);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % 64, 0u) << n;
    v.back().bytes[63] = 7;
    EXPECT_EQ(v.back().bytes[63], 7);
  }
  std::vector<std::uint64_t, HugePageAllocator<std::uint64_t>> big(std::size_t{1} << 20, 5);  // 8 MiB
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big.data()) % (std::size_t{2} << 20), 0u);
  EXPECT_EQ(big[123456], 5u);
}

}  // namespace
