// The symmetric RSS key sends both directions of a flow to one RX queue:
// checked with DPDK's own software Toeplitz hash (rte_softrss), the function
// NICs compute, on random IPv4 and IPv6 tuples. The standard (asymmetric)
// Microsoft key is the control: with it, the directions mostly differ.
#include <gtest/gtest.h>

#include <rte_thash.h>

#include <cstdint>
#include <random>
#include <vector>

#include "picket/capture/dpdk_source.hpp"

namespace {

std::vector<std::uint8_t> symmetric_key() {
  std::vector<std::uint8_t> k(40);
  picket::capture::symmetric_rss_key(k.data(), k.size());
  return k;
}

// The 40-byte key from Microsoft's RSS specification (many NICs' default).
const std::uint8_t kMicrosoftKey[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                        0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                        0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                        0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

std::uint32_t hash_v4(std::uint32_t src, std::uint32_t dst, std::uint16_t sport, std::uint16_t dport,
                      const std::uint8_t* key) {
  rte_ipv4_tuple t{};
  t.src_addr = src;
  t.dst_addr = dst;
  t.sport = sport;
  t.dport = dport;
  return rte_softrss(reinterpret_cast<std::uint32_t*>(&t), RTE_THASH_V4_L4_LEN, key);
}

std::uint32_t hash_v6(const std::uint8_t* src, const std::uint8_t* dst, std::uint16_t sport, std::uint16_t dport,
                      const std::uint8_t* key) {
  // rte_thash_load_v6_addrs wants an IPv6 header; fill the words by hand in
  // the same (CPU) order: each 32-bit word of the address, big-endian read.
  union rte_thash_tuple t {};
  for (int i = 0; i < 4; ++i) {
    std::uint32_t s = 0, d = 0;
    for (int b = 0; b < 4; ++b) {
      s = (s << 8) | src[i * 4 + b];
      d = (d << 8) | dst[i * 4 + b];
    }
    reinterpret_cast<std::uint32_t*>(t.v6.src_addr)[i] = s;
    reinterpret_cast<std::uint32_t*>(t.v6.dst_addr)[i] = d;
  }
  t.v6.sport = sport;
  t.v6.dport = dport;
  return rte_softrss(reinterpret_cast<std::uint32_t*>(&t.v6), RTE_THASH_V6_L4_LEN, key);
}

// Queue chosen the way NICs do: the low bits of the hash index the
// redirection table, filled round robin over the queues.
unsigned queue_of(std::uint32_t h, unsigned queues) { return (h % 128) % queues; }

TEST(SymmetricRss, KeyIsTheRepeatedPattern) {
  const auto k = symmetric_key();
  for (std::size_t i = 0; i < k.size(); i += 2) {
    EXPECT_EQ(k[i], 0x6d);
    EXPECT_EQ(k[i + 1], 0x5a);
  }
}

TEST(SymmetricRss, BothDirectionsOfIpv4FlowsHashAlike) {
  const auto key = symmetric_key();
  std::mt19937_64 rng(7);
  unsigned per_queue[4] = {};
  unsigned asym_same = 0;
  constexpr int kFlows = 20000;
  for (int i = 0; i < kFlows; ++i) {
    const auto a = static_cast<std::uint32_t>(rng()), b = static_cast<std::uint32_t>(rng());
    const auto pa = static_cast<std::uint16_t>(rng()), pb = static_cast<std::uint16_t>(rng());
    const std::uint32_t fwd = hash_v4(a, b, pa, pb, key.data()), rev = hash_v4(b, a, pb, pa, key.data());
    ASSERT_EQ(fwd, rev) << "flow " << i;
    ASSERT_EQ(queue_of(fwd, 4), queue_of(rev, 4));
    ++per_queue[queue_of(fwd, 4)];
    if (hash_v4(a, b, pa, pb, kMicrosoftKey) == hash_v4(b, a, pb, pa, kMicrosoftKey)) ++asym_same;
  }
  // The flows still spread over the queues (a constant hash would be symmetric too).
  for (unsigned q = 0; q < 4; ++q) {
    EXPECT_GT(per_queue[q], kFlows * 0.20) << "queue " << q;
    EXPECT_LT(per_queue[q], kFlows * 0.30) << "queue " << q;
  }
  // Control: the asymmetric default key splits the directions.
  EXPECT_LT(asym_same, kFlows / 100);
}

TEST(SymmetricRss, BothDirectionsOfIpv6FlowsHashAlike) {
  const auto key = symmetric_key();
  std::mt19937_64 rng(11);
  unsigned per_queue[2] = {};
  constexpr int kFlows = 5000;
  for (int i = 0; i < kFlows; ++i) {
    std::uint8_t a[16], b[16];
    for (int j = 0; j < 16; ++j) a[j] = static_cast<std::uint8_t>(rng()), b[j] = static_cast<std::uint8_t>(rng());
    const auto pa = static_cast<std::uint16_t>(rng()), pb = static_cast<std::uint16_t>(rng());
    const std::uint32_t fwd = hash_v6(a, b, pa, pb, key.data()), rev = hash_v6(b, a, pb, pa, key.data());
    ASSERT_EQ(fwd, rev) << "flow " << i;
    ++per_queue[queue_of(fwd, 2)];
  }
  EXPECT_GT(per_queue[0], kFlows * 0.40);
  EXPECT_GT(per_queue[1], kFlows * 0.40);
}

}  // namespace
