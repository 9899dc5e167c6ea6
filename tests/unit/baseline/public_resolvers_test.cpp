// The indexed public-resolver matches against their plain definitions: the
// first DoH name in list order that is the SNI or a label-boundary suffix of
// it (trailing dots ignored), and the resolver address that is equal.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "baseline/public_resolvers.hpp"

using namespace picket;
namespace baseline = picket::detect::baseline;

namespace {

const baseline::DohName* plain_doh_name(std::string_view sni) {
  while (!sni.empty() && sni.back() == '.') sni.remove_suffix(1);
  for (std::size_t i = 0; i < baseline::doh_name_count(); ++i) {
    const std::string_view n = baseline::doh_name_at(i).name;
    if (sni == n) return &baseline::doh_name_at(i);
    if (sni.size() > n.size() && sni.substr(sni.size() - n.size()) == n && sni[sni.size() - n.size() - 1] == '.')
      return &baseline::doh_name_at(i);
  }
  return nullptr;
}

const baseline::ResolverAddress* plain_resolver(const core::IpAddr& a) {
  for (std::size_t i = 0; i < baseline::resolver_address_count(); ++i)
    if (*core::IpAddr::parse(baseline::resolver_address_at(i).address) == a) return &baseline::resolver_address_at(i);
  return nullptr;
}

}  // namespace

TEST(PublicResolvers, IndexedNameMatchIsThePlainOne) {
  std::mt19937_64 rng(5);
  std::vector<std::string> names;
  const std::string chars = "abcdefghijklmnopqrstuvwxyz0123456789-.";
  for (std::size_t i = 0; i < baseline::doh_name_count(); ++i) {
    const std::string n = baseline::doh_name_at(i).name;
    for (const std::string& v : {n, n + ".", n + "..", "a." + n, "mozilla." + n, "x" + n, n.substr(1),
                                 n.substr(0, n.size() - 1), n + "x", "." + n, n.substr(n.size() / 2)})
      names.push_back(v);
  }
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 24, 'a');
    for (auto& c : s) c = chars[rng() % chars.size()];
    if (rng() % 2) s.append(".").append(baseline::doh_name_at(rng() % baseline::doh_name_count()).name);
    if (rng() % 3 == 0) s = s.substr(rng() % (s.size() + 1));
    names.push_back(s);
  }
  names.push_back("");
  names.push_back(".");
  names.push_back("pub");
  std::size_t matched = 0;
  for (const auto& n : names) {
    const auto* want = plain_doh_name(n);
    ASSERT_EQ(baseline::match_doh_name(n), want) << n;
    matched += want != nullptr;
  }
  EXPECT_GT(matched, 5000u);  // the comparison covered both answers
}

TEST(PublicResolvers, IndexedAddressMatchIsThePlainOne) {
  std::mt19937_64 rng(6);
  std::vector<core::IpAddr> addrs;
  for (std::size_t i = 0; i < baseline::resolver_address_count(); ++i) {
    const auto a = *core::IpAddr::parse(baseline::resolver_address_at(i).address);
    addrs.push_back(a);
    for (int b = 0; b < 16; ++b) {  // one bit away from a listed address
      auto c = a;
      c.bytes[b] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      addrs.push_back(c);
    }
  }
  for (int i = 0; i < 20000; ++i)
    addrs.push_back(rng() % 2 ? core::IpAddr::from_v4(static_cast<std::uint32_t>(rng()))
                              : core::IpAddr::from_v4(0x08080800u | static_cast<std::uint32_t>(rng() % 256)));
  addrs.push_back(core::IpAddr{});
  std::size_t matched = 0;
  for (const auto& a : addrs) {
    const auto* want = plain_resolver(a);
    ASSERT_EQ(baseline::match_resolver_address(a), want) << a.to_string();
    matched += want != nullptr;
  }
  EXPECT_GE(matched, baseline::resolver_address_count());  // flipped bits may land on another listed one
}
