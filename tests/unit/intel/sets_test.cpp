// IpSet and DomainSet semantics.
#include <gtest/gtest.h>

#include <random>

#include "picket/intel/domain_set.hpp"
#include "picket/intel/ip_set.hpp"

using picket::core::Cidr;
using picket::core::IpAddr;
using namespace picket::intel;

namespace {
IpAddr ip(const char* s) { return *IpAddr::parse(s); }
Cidr cidr(const char* s) { return *Cidr::parse(s); }
std::uint32_t value_at(const IpSet& s, const char* a) {
  const auto i = s.lookup(ip(a));
  return i == kNoPrefix ? 999 : s.prefix(i).value;
}
}  // namespace

TEST(IpSet, LongestPrefixWinsAmongOverlaps) {
  IpSet::Builder b;
  b.add(cidr("10.0.0.0/8"), 1);
  b.add(cidr("10.1.0.0/16"), 2);
  b.add(cidr("10.1.2.0/24"), 3);
  b.add(cidr("10.1.2.3/32"), 4);
  b.add(cidr("192.0.2.0/24"), 5);
  const IpSet s = b.build();
  EXPECT_EQ(value_at(s, "10.1.2.3"), 4u);
  EXPECT_EQ(value_at(s, "10.1.2.4"), 3u);
  EXPECT_EQ(value_at(s, "10.1.3.0"), 2u);
  EXPECT_EQ(value_at(s, "10.2.0.0"), 1u);
  EXPECT_EQ(value_at(s, "10.255.255.255"), 1u);
  EXPECT_EQ(value_at(s, "11.0.0.0"), 999u);
  EXPECT_EQ(value_at(s, "9.255.255.255"), 999u);
  EXPECT_EQ(value_at(s, "192.0.2.255"), 5u);
  EXPECT_EQ(value_at(s, "192.0.3.0"), 999u);
  // Every covering prefix, longest first.
  std::vector<std::uint32_t> chain;
  s.for_each_match(ip("10.1.2.3"), [&](const IpSet::Prefix& p) { chain.push_back(p.value); });
  EXPECT_EQ(chain, (std::vector<std::uint32_t>{4, 3, 2, 1}));
}

TEST(IpSet, DuplicatesAreAllReported) {
  IpSet::Builder b;
  b.add(cidr("203.0.113.7"), 1);
  b.add(cidr("203.0.113.7/32"), 2);
  const IpSet s = b.build();
  std::vector<std::uint32_t> chain;
  s.for_each_match(ip("203.0.113.7"), [&](const IpSet::Prefix& p) { chain.push_back(p.value); });
  EXPECT_EQ(chain.size(), 2u);
}

TEST(IpSet, Ipv6PrefixesAndFamiliesKeptApart) {
  IpSet::Builder b;
  b.add(cidr("2001:db8::/32"), 1);
  b.add(cidr("2001:db8:1::/48"), 2);
  b.add(cidr("2001:db8:1::1/128"), 3);
  b.add(cidr("0.0.0.0/0"), 4);
  const IpSet s = b.build();
  EXPECT_EQ(value_at(s, "2001:db8:1::1"), 3u);
  EXPECT_EQ(value_at(s, "2001:db8:1::2"), 2u);
  EXPECT_EQ(value_at(s, "2001:db8:2::"), 1u);
  EXPECT_EQ(value_at(s, "2001:db9::"), 999u);
  EXPECT_EQ(value_at(s, "1.2.3.4"), 4u);      // IPv4 /0 covers every IPv4 address
  EXPECT_EQ(value_at(s, "2001:db7::"), 999u);  // and no IPv6 one
}

TEST(IpSet, EdgesOfTheAddressSpace) {
  IpSet::Builder b;
  b.add(cidr("255.255.255.0/24"), 1);
  b.add(cidr("0.0.0.0/24"), 2);
  b.add(cidr("ffff::/16"), 3);
  const IpSet s = b.build();
  EXPECT_EQ(value_at(s, "255.255.255.255"), 1u);
  EXPECT_EQ(value_at(s, "0.0.0.255"), 2u);
  EXPECT_EQ(value_at(s, "0.0.1.0"), 999u);
  EXPECT_EQ(value_at(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 3u);
  EXPECT_TRUE(IpSet{}.lookup(ip("1.1.1.1")) == kNoPrefix);
}

// Against a brute-force reference on random nested prefixes.
TEST(IpSet, MatchesBruteForceOnRandomPrefixes) {
  std::mt19937 rng(7);
  std::vector<std::pair<std::uint32_t, int>> ref;
  IpSet::Builder b;
  for (int i = 0; i < 3000; ++i) {
    const int len = 8 + static_cast<int>(rng() % 25);
    const std::uint32_t base = (rng() & 0x0fffffff) & (len == 0 ? 0 : ~0u << (32 - len));
    ref.push_back({base, len});
    b.add(Cidr{IpAddr::from_v4(base), static_cast<std::uint8_t>(96 + len)}, static_cast<std::uint32_t>(i));
  }
  const IpSet s = b.build();
  for (int q = 0; q < 20000; ++q) {
    const std::uint32_t a = (q & 1) ? (rng() & 0x0fffffff) : ref[rng() % ref.size()].first + (rng() & 0xff);
    int best_len = -1;
    for (const auto& [base, len] : ref) {
      const std::uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
      if ((a & mask) == base && len > best_len) best_len = len;
    }
    const auto i = s.lookup(IpAddr::from_v4(a));
    if (best_len < 0) {
      EXPECT_EQ(i, kNoPrefix) << a;
    } else {
      ASSERT_NE(i, kNoPrefix) << a;
      EXPECT_EQ(s.prefix(i).cidr.prefix_bits, 96 + best_len) << a;
    }
  }
}

namespace {
std::vector<std::string> matches(const DomainSet& s, const char* name) {
  std::vector<std::string> out;
  s.for_each_match(name, [&](const DomainSet::Entry& e) { out.emplace_back(s.name_of(e)); });
  return out;
}
}  // namespace

TEST(DomainSet, SuffixSemanticsRespectLabelBoundaries) {
  DomainSet::Builder b;
  ASSERT_TRUE(b.add("evil.com", DomainMatch::kSuffix, 1));
  ASSERT_TRUE(b.add("Bad.Example.ORG.", DomainMatch::kSuffix, 2));
  const DomainSet s = b.build();
  EXPECT_EQ(matches(s, "evil.com"), std::vector<std::string>{"evil.com"});
  EXPECT_EQ(matches(s, "a.b.evil.com"), std::vector<std::string>{"evil.com"});
  EXPECT_TRUE(matches(s, "notevil.com").empty());
  EXPECT_TRUE(matches(s, "evil.com.au").empty());
  EXPECT_TRUE(matches(s, "com").empty());
  EXPECT_EQ(matches(s, "EVIL.COM."), std::vector<std::string>{"evil.com"});
  EXPECT_EQ(matches(s, "x.bad.example.org"), std::vector<std::string>{"bad.example.org"});
  EXPECT_TRUE(matches(s, "example.org").empty());
}

TEST(DomainSet, ExactAndSubdomainOnlyEntries) {
  DomainSet::Builder b;
  b.add("host.example.net", DomainMatch::kExact, 1);
  b.add("wild.example.net", DomainMatch::kSubdomainsOnly, 2);
  b.add("example.net", DomainMatch::kSuffix, 3);
  const DomainSet s = b.build();
  EXPECT_EQ(matches(s, "host.example.net"), (std::vector<std::string>{"host.example.net", "example.net"}));
  EXPECT_EQ(matches(s, "a.host.example.net"), std::vector<std::string>{"example.net"});
  EXPECT_EQ(matches(s, "wild.example.net"), std::vector<std::string>{"example.net"});
  EXPECT_EQ(matches(s, "a.wild.example.net"), (std::vector<std::string>{"wild.example.net", "example.net"}));
  EXPECT_EQ(s.lookup("a.host.example.net")->value, 3u);
}

TEST(DomainSet, SameNameInTwoListsGivesBoth) {
  DomainSet::Builder b;
  b.add("dup.example", DomainMatch::kSuffix, 1);
  b.add("dup.example", DomainMatch::kSuffix, 2);
  const DomainSet s = b.build();
  std::vector<std::uint32_t> v;
  s.for_each_match("x.dup.example", [&](const DomainSet::Entry& e) { v.push_back(e.value); });
  EXPECT_EQ(v, (std::vector<std::uint32_t>{1, 2}));
}

TEST(DomainSet, RejectsNamesThatAreNotNames) {
  DomainSet::Builder b;
  EXPECT_FALSE(b.add("", DomainMatch::kSuffix, 1));
  EXPECT_FALSE(b.add("a..b", DomainMatch::kSuffix, 1));
  EXPECT_FALSE(b.add("sp ace.com", DomainMatch::kSuffix, 1));
  EXPECT_FALSE(b.add(std::string(64, 'a') + ".com", DomainMatch::kSuffix, 1));
  EXPECT_TRUE(b.add(std::string(63, 'a') + ".com", DomainMatch::kSuffix, 1));
  const DomainSet s = b.build();
  EXPECT_TRUE(matches(s, "").empty());
  EXPECT_TRUE(matches(s, ".").empty());
}
