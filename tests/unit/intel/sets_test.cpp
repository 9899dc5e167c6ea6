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

TEST(IpSet, Key128IsTheAddressAsABigEndianNumber) {
  std::mt19937_64 rng(11);
  for (int q = 0; q < 10000; ++q) {
    IpAddr a;
    for (auto& b : a.bytes) b = static_cast<std::uint8_t>(rng());
    IpSet::u128 plain = 0;
    for (auto b : a.bytes) plain = (plain << 8) | b;
    ASSERT_TRUE(IpSet::key128(a) == plain) << a.to_string();
  }
}

TEST(IpSet, Ipv6MatchesBruteForceOnRandomPrefixes) {
  std::mt19937_64 rng(12);
  std::vector<Cidr> ref;
  IpSet::Builder b;
  for (int i = 0; i < 2000; ++i) {
    IpAddr base;
    base.bytes[0] = 0x20;
    base.bytes[1] = 0x01;
    for (int k = 2; k < 16; ++k) base.bytes[k] = static_cast<std::uint8_t>(rng() % 4);  // dense: many overlaps
    const auto bits = static_cast<std::uint8_t>(16 + rng() % 113);
    for (int k = 0; k < 128; ++k)  // host bits cleared, as the list loaders do
      if (k >= bits) base.bytes[k / 8] &= static_cast<std::uint8_t>(~(0x80u >> (k % 8)));
    const Cidr c{base, bits};
    ref.push_back(c);
    b.add(c, static_cast<std::uint32_t>(i));
  }
  const IpSet s = b.build();
  for (int q = 0; q < 20000; ++q) {
    IpAddr a;
    a.bytes[0] = 0x20;
    a.bytes[1] = 0x01;
    for (int k = 2; k < 16; ++k) a.bytes[k] = static_cast<std::uint8_t>(rng() % 4);
    int best = -1;
    for (const auto& c : ref)
      if (c.contains(a) && c.prefix_bits > best) best = c.prefix_bits;
    const auto i = s.lookup(a);
    if (best < 0) {
      ASSERT_EQ(i, kNoPrefix) << a.to_string();
    } else {
      ASSERT_NE(i, kNoPrefix) << a.to_string();
      ASSERT_EQ(s.prefix(i).cidr.prefix_bits, best) << a.to_string();
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

TEST(DomainSet, LongLabelsLongNamesAndOddDots) {
  // Labels around the 8- and 16-byte steps of the label hash, names around
  // the 16-, 32- and 64-byte steps of the copy and the dot bitmap.
  const std::string l16(16, 'q'), l17(17, 'r'), l63(63, 's');
  DomainSet::Builder b;
  ASSERT_TRUE(b.add(l16 + ".example", DomainMatch::kSuffix, 1));
  ASSERT_TRUE(b.add(l17 + "." + l63 + ".test", DomainMatch::kSuffix, 2));
  ASSERT_TRUE(b.add("abcdefgh.io", DomainMatch::kExact, 3));
  ASSERT_TRUE(b.add("x.y", DomainMatch::kSuffix, 4));
  const DomainSet s = b.build();
  EXPECT_EQ(matches(s, (l16 + ".example").c_str()), std::vector<std::string>{l16 + ".example"});
  EXPECT_EQ(matches(s, ("A." + std::string(16, 'Q') + ".EXAMPLE").c_str()), std::vector<std::string>{l16 + ".example"});
  EXPECT_TRUE(matches(s, (std::string(15, 'q') + ".example").c_str()).empty());
  EXPECT_TRUE(matches(s, (std::string(17, 'q') + ".example").c_str()).empty());
  const std::string deep = l17 + "." + l63 + ".test";
  EXPECT_EQ(matches(s, deep.c_str()), std::vector<std::string>{deep});
  EXPECT_EQ(matches(s, (l63 + "." + l63 + "." + deep).c_str()), std::vector<std::string>{deep});
  EXPECT_TRUE(matches(s, (std::string(17, 'R') + "." + std::string(62, 's') + ".test").c_str()).empty());
  EXPECT_EQ(matches(s, "abcdefgh.io"), std::vector<std::string>{"abcdefgh.io"});
  EXPECT_TRUE(matches(s, "abcdefghi.io").empty());
  EXPECT_TRUE(matches(s, "a.abcdefgh.io").empty());
  // Odd dots as today: an empty label below an entry still leaves the entry's
  // suffix intact; a lone or leading dot does not make a match exact.
  EXPECT_EQ(matches(s, "a..x.y"), std::vector<std::string>{"x.y"});
  EXPECT_EQ(matches(s, ".x.y"), std::vector<std::string>{"x.y"});
  EXPECT_TRUE(matches(s, ".abcdefgh.io").empty());
  EXPECT_TRUE(matches(s, "x.y..").empty());
  // Names up to 256 characters are looked up, longer ones are not.
  std::string n256 = std::string(252, 'a') + ".x.y";
  n256.erase(0, n256.size() - 256);
  n256[0] = 'b';
  EXPECT_EQ(matches(s, n256.c_str()), std::vector<std::string>{"x.y"});
  EXPECT_TRUE(matches(s, ("c" + n256).c_str()).empty());
}

TEST(DomainSet, EveryNameLengthUpTo256) {
  // The copy treats whole 16-byte blocks and the last partial block apart,
  // and short names in 8-, 4- and 1-byte pieces: every length, with the
  // listed suffix and the first, last and a middle byte mattering.
  DomainSet::Builder b;
  ASSERT_TRUE(b.add("x.y", DomainMatch::kSuffix, 1));
  ASSERT_TRUE(b.add("k", DomainMatch::kExact, 2));
  ASSERT_TRUE(b.add("k.k", DomainMatch::kExact, 3));
  const DomainSet s = b.build();
  for (std::size_t n = 1; n <= 256; ++n) {
    std::string name(n, 'k');
    for (std::size_t i = 63; i < n; i += 64) name[i] = '.';  // labels of at most 63
    const bool exact_k = n == 1;
    std::vector<std::uint32_t> got;
    s.for_each_match(name, [&](const DomainSet::Entry& e) { got.push_back(e.value); });
    EXPECT_EQ(got, exact_k ? std::vector<std::uint32_t>{2} : std::vector<std::uint32_t>{}) << n;
    if (n >= 4) {
      std::string under = name;
      under.replace(n - 4, 4, ".X.Y");
      got.clear();
      s.for_each_match(under, [&](const DomainSet::Entry& e) { got.push_back(e.value); });
      EXPECT_EQ(got, std::vector<std::uint32_t>{1}) << under;
      under[n - 1] = 'z';
      EXPECT_EQ(s.lookup(under), nullptr) << under;
    }
  }
  ASSERT_NE(s.lookup("K.k"), nullptr);
  EXPECT_EQ(s.lookup("K.k")->value, 3u);
}

// Against a reference that tries every label-boundary suffix of the name.
TEST(DomainSet, MatchesReferenceOnRandomNames) {
  std::mt19937 rng(11);
  const char* const kLabels[] = {"a", "b", "com", "net", "evil", "EVIL", "x-y", "_srv", "0", "abcdefgh", "abcdefghi",
                                 "abcdefghijklmnop", "abcdefghijklmnopq", "mail", ""};
  auto random_name = [&](int max_labels) {
    std::string n;
    const int labels = 1 + static_cast<int>(rng() % max_labels);
    for (int i = 0; i < labels; ++i) {
      if (i) n += '.';
      n += kLabels[rng() % 15];
    }
    if (rng() % 10 == 0) n += '.';
    return n;
  };
  struct Ref {
    std::string name;
    DomainMatch match;
    std::uint32_t value;
  };
  std::vector<Ref> ref;
  DomainSet::Builder b;
  for (std::uint32_t i = 0; i < 400; ++i) {
    const std::string n = random_name(4);
    const auto m = static_cast<DomainMatch>(rng() % 3);
    std::string norm;
    if (!DomainSet::normalise(n, norm)) {
      EXPECT_FALSE(b.add(n, m, i)) << n;
      continue;
    }
    ASSERT_TRUE(b.add(n, m, i)) << n;
    ref.push_back({norm, m, i});
  }
  const DomainSet s = b.build();
  for (int q = 0; q < 20000; ++q) {
    std::string name = random_name(7);
    // The reference: lower-case, drop one trailing dot, then every suffix
    // starting at a label boundary, longest (most specific) first.
    std::string low;
    for (char c : name) low.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    if (!low.empty() && low.back() == '.') low.pop_back();
    std::vector<std::uint32_t> want;
    if (!low.empty()) {
      for (std::size_t begin = 0;;) {
        const std::string_view suffix = std::string_view(low).substr(begin);
        for (const Ref& r : ref) {
          if (r.name != suffix) continue;
          const bool whole = begin == 0;
          if ((r.match == DomainMatch::kExact && !whole) || (r.match == DomainMatch::kSubdomainsOnly && whole)) continue;
          want.push_back(r.value);
        }
        const std::size_t dot = low.find('.', begin);
        if (dot == std::string::npos) break;
        begin = dot + 1;
      }
    }
    std::vector<std::uint32_t> got;
    s.for_each_match(name, [&](const DomainSet::Entry& e) { got.push_back(e.value); });
    ASSERT_EQ(got, want) << name;
  }
}
