#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using picket::core::Cidr;
using picket::core::IpAddr;

TEST(IpAddr, ParsesAndFormatsBothFamilies) {
  auto a = IpAddr::parse("192.168.1.20");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->v4_host_order(), 0xC0A80114u);
  EXPECT_EQ(a->to_string(), "192.168.1.20");
  auto b = IpAddr::parse("2001:DB8:0:0:0:0:0:1");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->is_v4());
  EXPECT_EQ(b->to_string(), "2001:db8::1");  // RFC 5952 form
  EXPECT_FALSE(IpAddr::parse("300.1.1.1"));
  EXPECT_FALSE(IpAddr::parse("example.com"));
  EXPECT_FALSE(IpAddr::parse(""));
}

TEST(Cidr, ContainsRespectsPrefixAndFamily) {
  auto c = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(*IpAddr::parse("10.255.1.2")));
  EXPECT_FALSE(c->contains(*IpAddr::parse("11.0.0.1")));
  EXPECT_FALSE(c->contains(*IpAddr::parse("::a00:1")));  // not v4-mapped
  auto h = Cidr::parse("172.16.5.77/12");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->to_string(), "172.16.0.0/12");  // host bits cleared
  EXPECT_TRUE(h->contains(*IpAddr::parse("172.31.255.255")));
  EXPECT_FALSE(h->contains(*IpAddr::parse("172.32.0.0")));
  auto v6 = Cidr::parse("fc00::/7");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*IpAddr::parse("fd12::1")));
  EXPECT_FALSE(v6->contains(*IpAddr::parse("fe80::1")));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/8x"));
}

TEST(Clock, FormatsIso8601WithMilliseconds) {
  // 2017-10-31T23:16:23.123Z, checked with `date -u -d @1509491783`.
  EXPECT_EQ(picket::core::iso8601(1509491783123000000ULL), "2017-10-31T23:16:23.123Z");
}

// Cidr::contains compares 64-bit words; this is the byte-by-byte definition
// it must agree with, for every prefix length, including bases whose bits
// past the prefix are set (a Cidr built by hand, not by parse).
TEST(Cidr, WordCompareAgreesWithByteCompare) {
  auto by_bytes = [](const Cidr& c, const picket::core::IpAddr& a) {
    int bits = c.prefix_bits;
    for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
      const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
      if ((a.bytes[i] & mask) != c.base.bytes[i]) return false;
    }
    return true;
  };
  std::uint64_t x = 0x243f6a8885a308d3ULL;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  int matches = 0;
  for (int bits = 0; bits <= 128; ++bits) {
    for (int n = 0; n < 400; ++n) {
      Cidr c;
      c.prefix_bits = static_cast<std::uint8_t>(bits);
      for (auto& b : c.base.bytes) b = static_cast<std::uint8_t>(next());
      picket::core::IpAddr a = c.base;
      // Mostly addresses inside the prefix, some differing in one random bit.
      if (n % 2) a.bytes[next() % 16] ^= static_cast<std::uint8_t>(1u << (next() % 8));
      if (n % 3 == 0) {  // a well-formed base (host bits clear), as parse makes
        for (int i = 0; i < 16; ++i) {
          const int keep = bits - i * 8;
          if (keep < 8) c.base.bytes[i] &= keep <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
        }
      }
      ASSERT_EQ(c.contains(a), by_bytes(c, a)) << "prefix " << bits << " case " << n;
      matches += by_bytes(c, a);
    }
  }
  EXPECT_GT(matches, 1000);  // both answers occur
}

// operator<=> orders addresses as memcmp orders their bytes: which end of a
// flow key is "lo", and the order of every per-host map, depend on it.
TEST(IpAddr, OrderIsTheBytesOrder) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) {
    IpAddr a, b;
    for (auto& x : a.bytes) x = static_cast<std::uint8_t>(rng());
    b = a;
    // equal, or differing in one byte (either word, high or low bits)
    if (i % 10) b.bytes[rng() % 16] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    const int want = std::memcmp(a.bytes.data(), b.bytes.data(), 16);
    const auto got = a <=> b;
    ASSERT_EQ(got < 0, want < 0);
    ASSERT_EQ(got == 0, want == 0);
    ASSERT_EQ(a < b, want < 0);
  }
}
