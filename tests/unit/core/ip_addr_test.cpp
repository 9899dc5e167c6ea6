#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

#include <gtest/gtest.h>

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
