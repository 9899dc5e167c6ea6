#include <gtest/gtest.h>

#include <random>

#include "dns_util.hpp"

namespace picket::detect::dns {
namespace {

TEST(RegisteredDomain, GroupsUnderThePublicSuffix) {
  EXPECT_EQ(RegisteredDomains::compute("a.b.example.co.uk").registered, "example.co.uk");
  EXPECT_EQ(RegisteredDomains::compute("www.example.com").registered, "example.com");
  EXPECT_EQ(RegisteredDomains::compute("example.com").registered, "example.com");
  // Private-section suffixes: each blog is its own registered domain.
  EXPECT_EQ(RegisteredDomains::compute("x.myblog.blogspot.com").registered, "myblog.blogspot.com");
  EXPECT_EQ(RegisteredDomains::compute("deep.a.b.c.s3.amazonaws.com").registered.ends_with("amazonaws.com"), true);
  // Unknown TLD: the '*' rule makes the last label a suffix.
  const DomainParts p = RegisteredDomains::compute("laeg.pirate.sea");
  EXPECT_EQ(p.registered, "pirate.sea");
  EXPECT_FALSE(p.known_suffix);
  EXPECT_TRUE(RegisteredDomains::compute("www.example.com").known_suffix);
  // A public suffix alone and single labels have no registered domain: the name itself.
  EXPECT_EQ(RegisteredDomains::compute("co.uk").registered, "co.uk");
  EXPECT_TRUE(RegisteredDomains::compute("wpad").single_label);
  EXPECT_FALSE(RegisteredDomains::compute("wpad.example.com").single_label);
}

// The facts that come with a split are the helpers' answers for the name
// and its subdomain under the registered domain.
TEST(RegisteredDomain, CarriesTheNamesFacts) {
  const DomainParts p = RegisteredDomains::compute("4a6f686e.x7.exfil.example.co.uk");
  EXPECT_EQ(p.registered, "example.co.uk");
  EXPECT_DOUBLE_EQ(p.sub_bits, subdomain_bits("4a6f686e.x7.exfil"));
  EXPECT_GT(p.sub_bits, 8 * 4.0);  // 8 hex characters alone carry 4 bits each
  EXPECT_EQ(p.sub_longest_label, 8);
  EXPECT_FALSE(p.data_service_zone);
  EXPECT_EQ(p.hash, core::hash_bytes("4a6f686e.x7.exfil.example.co.uk", 31));
  // A reversed address under a DNSBL zone: a data service, and the address
  // labels carry nothing.
  const DomainParts d = RegisteredDomains::compute("4.3.2.1.zen.spamhaus.org");
  EXPECT_TRUE(d.data_service_zone);
  EXPECT_EQ(d.registered, "spamhaus.org");
  EXPECT_DOUBLE_EQ(d.sub_bits, subdomain_bits("zen"));
  // No subdomain: nothing carried.
  const DomainParts bare = RegisteredDomains::compute("example.com");
  EXPECT_EQ(bare.sub_bits, 0);
  EXPECT_EQ(bare.sub_longest_label, 0);
}

TEST(RegisteredDomain, CacheIsBounded) {
  RegisteredDomains cache(64);
  for (int i = 0; i < 1000; ++i) {
    const std::string n = std::string("h").append(std::to_string(i)).append(".example.org");
    EXPECT_EQ(cache.split(n).registered, "example.org");
    EXPECT_LE(cache.cache_size(), 64u);
  }
}

TEST(NameInformation, ReversedAddressesAndServiceLabelsCarryNothing) {
  EXPECT_EQ(reversed_ip_prefix("4.3.2.1.zen"), 8u);
  EXPECT_EQ(reversed_ip_prefix("4.3.2.1"), 7u);
  EXPECT_EQ(reversed_ip_prefix("4.3.2.256.zen"), 0u);
  EXPECT_EQ(reversed_ip_prefix("1.2.3"), 0u);
  EXPECT_EQ(reversed_ip_prefix("b.a.9.8.7.6.5.4.3.2.1.0.x"), 24u);
  EXPECT_EQ(subdomain_bits("4.3.2.1"), 0.0);
  EXPECT_EQ(subdomain_bits("_ldap._tcp"), 0.0);
  EXPECT_GT(subdomain_bits("_ldap._tcp.dc"), 0.0);
}

TEST(NameInformation, EncodedLabelsCarryMoreThanWords) {
  const double hex60 = label_bits("546b03f50000000000a6023ed4df184d6ac5c2628b47714fdee584fed739");
  const double b32 = label_bits("mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpjqwey3e");
  EXPECT_GT(hex60, 60 * 3.5);
  EXPECT_LE(hex60, 60 * 4.0);
  EXPECT_GT(b32, 48 * 4.5);
  EXPECT_LT(label_bits("www"), 4.0);
  EXPECT_LT(label_bits("static"), 6 * 3.6);
  EXPECT_GT(label_bits("\xe4\xf1\x80\x91\xc3\xa7\xb8\x99"), 8 * 3.5);
  EXPECT_DOUBLE_EQ(shannon_entropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("abcd"), 2.0);
  EXPECT_EQ(subdomain_of("a.b.example.com", "example.com"), "a.b");
  EXPECT_EQ(subdomain_of("example.com", "example.com"), "");
  EXPECT_EQ(longest_label("ab.cdef.g"), 4u);
}

TEST(TunnelSignature, KnownTools) {
  EXPECT_EQ(tunnel_signature("dnscat.00ff.aa", "00ff.aa", 5), TunnelTool::kDnscat2);
  EXPECT_TRUE(tunnel_signature_strong("dnscat.00ff.aa"));
  EXPECT_EQ(tunnel_signature("7cd501a621c362010a.skullseclabs.org", "7cd501a621c362010a", 16), TunnelTool::kDnscat2);
  EXPECT_FALSE(tunnel_signature_strong("7cd501a621c362010a.skullseclabs.org"));
  EXPECT_EQ(tunnel_signature("vaaaakardli.pirate.sea", "vaaaakardli", 10), TunnelTool::kIodine);
  EXPECT_EQ(tunnel_signature("zi03aa-aaahhh-drink-mal-ein-jx.pirate.sea", "zi03aa-aaahhh-drink-mal-ein-jx", 1),
            TunnelTool::kIodine);
  EXPECT_EQ(tunnel_signature("hvp1kf5bahnzaa.=connect.srv.tunnel.com", "hvp1kf5bahnzaa.=connect.srv", 16),
            TunnelTool::kDns2tcp);
  EXPECT_EQ(tunnel_signature("www.example.com", "www", 1), TunnelTool::kNone);
  EXPECT_EQ(tunnel_signature("a3f9c2e17b04d5e6a3f9.example.com", "a3f9c2e17b04d5e6a3f9", 1), TunnelTool::kNone);
  EXPECT_TRUE(is_tunnel_qtype(16));
  EXPECT_TRUE(is_tunnel_qtype(10));
  EXPECT_FALSE(is_tunnel_qtype(1));
  EXPECT_FALSE(is_tunnel_qtype(28));
}

TEST(DataServiceZones, DnsblAndAntivirusZones) {
  EXPECT_TRUE(is_data_service_zone("4.3.2.1.zen.spamhaus.org"));
  EXPECT_TRUE(is_data_service_zone("0.0.0.0.1.0.0.4e.13cbd4d3e5a0.avqs.mcafee.com"));
  EXPECT_TRUE(is_data_service_zone("abc.sophosxl.net"));
  EXPECT_FALSE(is_data_service_zone("notspamhaus.org"));
  EXPECT_FALSE(is_data_service_zone("www.mcafee.com"));
  // Zones shorter than 8 bytes, a name that is a zone, names shorter than 8
  // bytes, and tails that end like a zone but not at a label.
  EXPECT_TRUE(is_data_service_zone("d41d8cd98f00b204.e5.sk"));
  EXPECT_TRUE(is_data_service_zone("e5.sk"));
  EXPECT_TRUE(is_data_service_zone("2.0.0.127.s5h.net"));
  EXPECT_TRUE(is_data_service_zone("spamcop.net"));
  EXPECT_FALSE(is_data_service_zone("xe5.sk"));
  EXPECT_FALSE(is_data_service_zone("a.xs5h.net"));
  EXPECT_FALSE(is_data_service_zone("a.net"));
  EXPECT_FALSE(is_data_service_zone(""));
  EXPECT_FALSE(is_data_service_zone("x.mamcafee.com"));
  EXPECT_TRUE(is_data_service_zone("x.gti.mcafee.com"));
  EXPECT_FALSE(is_data_service_zone("x.ti.mcafee.com"));
}

TEST(CappedHashSet, NeverHoldsMoreThanItsCap) {
  CappedHashSet s(100);
  std::mt19937_64 rng(7);
  int added = 0, full = 0;
  for (int i = 0; i < 10000; ++i) {
    switch (s.insert(rng())) {
      case CappedHashSet::Insert::kAdded: ++added; break;
      case CappedHashSet::Insert::kFull: ++full; break;
      default: break;
    }
  }
  EXPECT_EQ(added, 100);
  EXPECT_EQ(full, 9900);
  EXPECT_EQ(s.size(), 100u);
  EXPECT_LE(s.memory_bytes(), 256u * 8);
  EXPECT_EQ(s.insert(0), CappedHashSet::Insert::kFull);
  CappedHashSet t(10);
  EXPECT_EQ(t.insert(42), CappedHashSet::Insert::kAdded);
  EXPECT_EQ(t.insert(42), CappedHashSet::Insert::kPresent);
  EXPECT_TRUE(t.contains(42));
  EXPECT_FALSE(t.contains(43));
}

}  // namespace
}  // namespace picket::detect::dns
