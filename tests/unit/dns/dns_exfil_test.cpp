#include <random>

#include "dns_fixture.hpp"
#include "dns_util.hpp"

namespace picket::detect::dns::test {
namespace {

constexpr auto kExfil = FindingType::kTrojanDnsDataExfiltration;

std::string encode(std::mt19937& rng, std::size_t raw_bytes, const char* alphabet, int bits) {
  std::string out;
  const std::size_t n = (raw_bytes * 8 + bits - 1) / bits;
  const std::size_t a = std::strlen(alphabet);
  for (std::size_t i = 0; i < n; ++i) out += alphabet[rng() % a];
  // split into labels of at most 60
  std::string dotted;
  for (std::size_t i = 0; i < out.size(); i += 60) dotted.append(i ? "." : "").append(out.substr(i, 60));
  return dotted;
}
const char* kB32 = "abcdefghijklmnopqrstuvwxyz234567";
const char* kHex = "0123456789abcdef";

// Queries `n` names of `raw` bytes each, spaced `gap` seconds, ticking every second crossed.
void tunnel(Harness& h, const char* client, const std::string& zone, int n, std::size_t raw, double gap,
            std::uint16_t qtype = 1, const char* alphabet = kB32, int bits = 5, double t0 = 0) {
  std::mt19937 rng(static_cast<unsigned>(n * 7 + raw));
  double t = t0;
  for (int i = 0; i < n; ++i) {
    h.feed(query(client, encode(rng, raw, alphabet, bits) + "." + zone, qtype, sec(t)));
    t += gap;
    h.tick(sec(t));
  }
}

TEST(DnsExfil, FastBase32TunnelFires) {
  Harness h(make_dns_exfil_detector());
  tunnel(h, "10.1.0.50", "t.evil-example.com", 300, 30, 0.2);
  h.flush();
  ASSERT_EQ(h.sink.count(kExfil), 1u);
  const Finding& f = h.sink.all.front();
  EXPECT_STREQ(f.domain, "evil-example.com");
  EXPECT_EQ(f.local, ip("10.1.0.50"));
  EXPECT_EQ(f.remote, ip("10.0.0.2"));
  EXPECT_EQ(f.severity, 8.0);
  EXPECT_GE(h.sink.metric(f, "bytesInWindow"), 4096);
  EXPECT_GE(h.sink.metric(f, "uniqueNamesInWindow"), 20);
}

TEST(DnsExfil, TooFewNamesStaySilent) {
  Harness h(make_dns_exfil_detector());
  tunnel(h, "10.1.0.50", "t.evil-example.com", 19, 150, 1);  // 19 names of 240 chars: under min_names
  h.flush();
  EXPECT_EQ(h.sink.count(kExfil), 0u);
}

TEST(DnsExfil, JustBelowTheByteThresholdStaysSilent) {
  Harness h(make_dns_exfil_detector(), {{"min_bytes", 100000}});
  tunnel(h, "10.1.0.50", "t.evil-example.com", 300, 30, 0.2);
  h.flush();
  EXPECT_EQ(h.sink.count(kExfil), 0u);
}

TEST(DnsExfil, SlowTunnelOverHoursFires) {
  // 2 KiB of data per hour: 64 queries of 32 bytes an hour for 5 hours.
  Harness h(make_dns_exfil_detector());
  tunnel(h, "10.1.0.51", "cdn-sync.example.net", 64 * 5, 32, 3600.0 / 64, 1, kB32, 5);
  h.flush();
  ASSERT_EQ(h.sink.count(kExfil), 1u);
  const Finding& f = h.sink.all.front();
  EXPECT_FALSE(f.update);
  EXPECT_GT(f.last_seen, sec(3600));  // it took more than an hour to cross
  EXPECT_STREQ(f.domain, "example.net");
}

TEST(DnsExfil, VerySlowTransferStaysSilent) {
  // 200 bytes per hour for 6 hours: below what the window can tell from noise.
  Harness h(make_dns_exfil_detector());
  tunnel(h, "10.1.0.52", "sync.example.net", 8 * 6, 25, 3600.0 / 8);
  h.flush();
  EXPECT_EQ(h.sink.count(kExfil), 0u);
}

TEST(DnsExfil, TxtQueriesAndSignaturesLowerTheThreshold) {
  // 2.4 KiB of names: under min_bytes as A queries, over it (halved) as TXT.
  Harness a(make_dns_exfil_detector());
  tunnel(a, "10.1.0.53", "x.example.org", 60, 40, 1, 1);  // ~2.4 KiB, A
  a.flush();
  EXPECT_EQ(a.sink.count(kExfil), 0u);
  Harness t(make_dns_exfil_detector());
  tunnel(t, "10.1.0.53", "x.example.org", 60, 40, 1, 16);  // same names, TXT: threshold 2 KiB
  t.flush();
  EXPECT_EQ(t.sink.count(kExfil), 1u);
  Harness d(make_dns_exfil_detector());
  std::mt19937 rng(3);
  for (int i = 0; i < 40; ++i) d.feed(query("10.1.0.54", "dnscat." + encode(rng, 30, kHex, 4), 5, sec(i)));
  d.flush();
  ASSERT_EQ(d.sink.count(kExfil), 1u);
  EXPECT_STREQ(d.sink.all.front().domain, "dnscat");
  EXPECT_EQ(d.sink.metric(d.sink.all.front(), "toolSignature"), 2);
}

TEST(DnsExfil, RepeatedNamesCarryNothingNew) {
  Harness h(make_dns_exfil_detector());
  std::mt19937 rng(1);
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back(encode(rng, 40, kB32, 5) + ".example.com");
  for (int i = 0; i < 5000; ++i) h.feed(query("10.1.0.55", names[i % 10], 1, sec(i)));
  h.flush();
  EXPECT_EQ(h.sink.count(kExfil), 0u);
}

TEST(DnsExfil, CdnShardNamesStaySilent) {
  Harness h(make_dns_exfil_detector());
  std::mt19937 rng(2);
  const char* cons = "bcdfghjklmnpqrstvwxz0123456789";
  for (int i = 0; i < 3000; ++i) {
    std::string shard = std::string("r").append(std::to_string(rng() % 10)).append("---sn-");
    for (int k = 0; k < 8; ++k) shard += cons[rng() % 30];
    h.feed(query("10.1.0.56", shard + ".googlevideo.com", 1, sec(i * 5)));
    std::string cf = "d";
    for (int k = 0; k < 13; ++k) cf += kB32[rng() % 32];
    h.feed(query("10.1.0.56", cf + ".cloudfront.net", 1, sec(i * 5 + 1)));
    h.feed(query("10.1.0.56", std::string("e").append(std::to_string(rng() % 100000)).append(".dscx.akamaiedge.net"), 1, sec(i * 5 + 2)));
    if (i % 60 == 0) h.tick(sec(i * 5 + 3));
  }
  h.flush();
  EXPECT_EQ(h.sink.count(kExfil), 0u);
}

TEST(DnsExfil, DnsblAntivirusAndServiceNamesStaySilent) {
  Harness h(make_dns_exfil_detector());
  Harness raw(make_dns_exfil_detector(), {{"allowlist", 0}});
  std::mt19937 rng(4);
  for (int i = 0; i < 5000; ++i) {
    const std::string rev = std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
                            std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    for (auto* x : {&h, &raw}) {
      x->feed(query("10.1.0.25", rev + ".zen.spamhaus.org", 1, sec(i)));
      x->feed(query("10.1.0.25", rev + ".bl.example-dnsbl.net", 1, sec(i)));  // an unknown DNSBL
      x->feed(query("10.1.0.26", "_ldap._tcp.default-first-site-name._sites.dc._msdcs.corp.example.com", 33, sec(i)));
      x->feed(query("10.1.0.26", "_sip._tls.example.com", 33, sec(i)));
    }
    std::string hash;
    for (int k = 0; k < 32; ++k) hash += kHex[rng() % 16];
    h.feed(query("10.1.0.27", "0.0.0.0.1.0.0.4e." + hash + ".avqs.mcafee.com", 1, sec(i)));
    h.feed(query("10.1.0.27", hash + ".sophosxl.net", 1, sec(i)));
    raw.feed(query("10.1.0.27", hash + ".sophosxl.net", 1, sec(i)));
  }
  h.flush();
  raw.flush();
  EXPECT_EQ(h.sink.count(kExfil), 0u);
  // Without the allow-list only the anti-virus hashes fire: DNSBL and service
  // names are silent on their own merits.
  ASSERT_EQ(raw.sink.count(kExfil), 1u);
  EXPECT_STREQ(raw.sink.all.front().domain, "sophosxl.net");
}

TEST(DnsExfil, RepeatsFoldIntoOneIdentity) {
  Harness h(make_dns_exfil_detector(), {{"window", 600}});
  tunnel(h, "10.1.0.57", "t.example.com", 200, 30, 0.5, 1, kB32, 5, 0);
  for (int t = 100; t < 5000; t += 60) h.tick(sec(t));  // quiet for longer than the window: episode ends
  tunnel(h, "10.1.0.57", "t.example.com", 200, 30, 0.5, 1, kB32, 5, 5000);
  h.flush();
  ASSERT_EQ(h.sink.count(kExfil), 2u);
  std::vector<const Finding*> news;
  for (const auto& f : h.sink.all)
    if (!f.update) news.push_back(&f);
  EXPECT_EQ(news[0]->identity[0], news[1]->identity[0]);
  EXPECT_EQ(news[0]->identity[1], news[1]->identity[1]);
}

TEST(DnsExfil, FloodOfRandomNamesIsBounded) {
  std::mt19937 rng(5);
  // Random names under random registered domains: keys are capped.
  Harness h(make_dns_exfil_detector(), {{"max_tracked", 100}});
  for (int i = 0; i < 50000; ++i) {
    std::string d;
    for (int k = 0; k < 10; ++k) d += kB32[rng() % 26];
    h.feed(query("10.1.0.60", "www" + std::to_string(i) + "." + d + ".com", 1, sec(i * 0.01)));
  }
  ExfilStats s = exfil_stats(*h.shard);
  EXPECT_EQ(s.keys, 100u);
  EXPECT_EQ(s.refused_keys, 49900u);
  h.flush();
  EXPECT_EQ(exfil_stats(*h.shard).keys, 0u);
  // Random names under one domain: the per-key name set is capped, and so is
  // the shard's total; the flood still fires (it is a random-subdomain flood).
  for (auto [per_key, total] : {std::pair{1024.0, 1e6}, std::pair{1e6, 4096.0}}) {
    Harness v(make_dns_exfil_detector(), {{"max_names_per_key", per_key}, {"max_names", total}});
    for (int c = 0; c < 4; ++c) {
      const std::string client = "10.1.0." + std::to_string(70 + c);
      for (int i = 0; i < 20000; ++i) {
        std::string n;
        for (int k = 0; k < 40; ++k) n += kB32[rng() % 32];
        v.feed(query(client.c_str(), n + ".victim.example.com", 1, sec(i * 0.01)));
      }
    }
    s = exfil_stats(*v.shard);
    EXPECT_LE(s.stored_names, static_cast<std::uint64_t>(std::min(4 * per_key, total)));
    EXPECT_GE(s.refused_names, 80000u - static_cast<std::uint64_t>(std::min(4 * per_key, total)));
    v.flush();
    EXPECT_EQ(v.sink.count(kExfil), 4u);
    EXPECT_EQ(exfil_stats(*v.shard).stored_names, 0u);
  }
}

TEST(DnsExfil, ResponsesAndRemoteClientsAreIgnored) {
  Harness h(make_dns_exfil_detector());
  std::mt19937 rng(6);
  for (int i = 0; i < 300; ++i) {
    DnsEvent r = response("10.1.0.62", encode(rng, 30, kB32, 5) + ".example.com", 0, sec(i));
    h.feed(r);
    DnsEvent q = query("10.1.0.63", encode(rng, 30, kB32, 5) + ".example.com", 1, sec(i));
    q.client_local = false;
    h.feed(q);
  }
  h.flush();
  EXPECT_EQ(h.sink.all.size(), 0u);
}

}  // namespace
}  // namespace picket::detect::dns::test
