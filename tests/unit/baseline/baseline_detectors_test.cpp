// The per-host baseline detectors: silent while learning, fire on the first
// use of something new afterwards (type, actor, target, severity), silent on
// what was learned; bounded tables.
#include "baseline/novelty_shard.hpp"
#include "baseline/public_resolvers.hpp"
#include "baseline/volume_unusual.hpp"
#include "baseline_fixture.hpp"

using namespace baselinetest;
namespace baseline = picket::detect::baseline;
using detect::FindingType;

namespace {

const std::vector<std::string> kHourLearning = {"learning_period=3600"};

TEST(PortUnusual, LearnsThenFiresOnANewPortOnce) {
  Harness h("port_unusual");
  auto s = h.make();
  s->on_flow(conn("10.1.0.20", "203.0.113.5", 443, at(0)), h.sink);
  s->on_flow(conn("10.1.0.20", "203.0.113.6", 8443, at(kDay - 1)), h.sink);  // still learning
  s->on_flow(conn("10.1.0.20", "203.0.113.7", 443, at(kDay + 10)), h.sink);   // known port, new host
  EXPECT_TRUE(h.sink.out.empty());
  s->on_flow(conn("10.1.0.20", "198.51.100.66", 6667, at(kDay + 20), 300, kTcp, 45000), h.sink);
  ASSERT_EQ(h.sink.out.size(), 1u);
  const auto& f = h.sink.out[0];
  EXPECT_EQ(f.type, FindingType::kBehaviorNetworkPortUnusual);
  EXPECT_EQ(f.local, ip("10.1.0.20"));
  EXPECT_EQ(f.remote, ip("198.51.100.66"));
  EXPECT_EQ(f.remote_port, 6667);
  EXPECT_EQ(f.local_port, 45000);
  EXPECT_EQ(f.protocol, kTcp);
  EXPECT_EQ(f.severity, 5.0);
  EXPECT_EQ(metric_value(f, "knownPorts"), 2);
  EXPECT_NEAR(metric_value(f, "baselineDays"), 1.0, 0.001);
  // Learned now: a second use is silent; the same number on UDP is another port.
  s->on_flow(conn("10.1.0.20", "198.51.100.67", 6667, at(kDay + 30)), h.sink);
  EXPECT_EQ(h.sink.out.size(), 1u);
  s->on_flow(conn("10.1.0.20", "198.51.100.67", 6667, at(kDay + 40), 80, kUdp), h.sink);
  EXPECT_EQ(h.sink.out.size(), 2u);
}

TEST(PortUnusual, LearningIsPerHostAndConfigurable) {
  Harness h("port_unusual", kHourLearning);
  auto s = h.make();
  s->on_flow(conn("10.1.0.21", "203.0.113.5", 443, at(0)), h.sink);
  // A host first seen later learns from its own first sighting.
  s->on_flow(conn("10.1.0.22", "203.0.113.5", 443, at(3 * kHour)), h.sink);
  s->on_flow(conn("10.1.0.22", "203.0.113.5", 22, at(3 * kHour + 3599)), h.sink);
  EXPECT_TRUE(h.sink.out.empty());
  s->on_flow(conn("10.1.0.21", "203.0.113.5", 22, at(3601)), h.sink);
  ASSERT_EQ(h.sink.out.size(), 1u);
  EXPECT_EQ(h.sink.out[0].local, ip("10.1.0.21"));
}

TEST(PortUnusual, IgnoresUnansweredInboundInternalAndEphemeral) {
  Harness h("port_unusual", {"learning_period=0"});
  auto s = h.make();
  auto probe = flow_event("10.1.0.23", 40000, "203.0.113.5", 3389, kTcp, at(10), Kind::kProbe);
  s->on_flow(probe, h.sink);                                               // SYN, no answer
  s->on_flow(conn("10.1.0.23", "10.1.0.99", 5432, at(11)), h.sink);          // internal server
  s->on_flow(conn("203.0.113.5", "10.1.0.23", 8080, at(12)), h.sink);       // inbound
  s->on_flow(conn("10.1.0.23", "203.0.113.5", 50000, at(13), 80, kUdp), h.sink);  // dynamic range
  EXPECT_TRUE(h.sink.out.empty());
  s->on_flow(conn("10.1.0.23", "203.0.113.5", 49151, at(14), 80, kUdp), h.sink);
  EXPECT_EQ(h.sink.out.size(), 1u);
}

TEST(PortUnusual, DiverseHostsFallSilentAndTablesAreBounded) {
  Harness h("port_unusual", {"learning_period=0", "max_items=4", "max_hosts=3"});
  auto s = h.make();
  for (int p = 1; p <= 4; ++p) s->on_flow(conn("10.1.0.24", "203.0.113.5", static_cast<std::uint16_t>(1000 + p), at(p)), h.sink);
  EXPECT_EQ(h.sink.out.size(), 4u);
  for (int p = 5; p <= 40; ++p) s->on_flow(conn("10.1.0.24", "203.0.113.5", static_cast<std::uint16_t>(1000 + p), at(p)), h.sink);
  EXPECT_EQ(h.sink.out.size(), 4u) << "a host using more than max_items ports has no unusual port";
  auto* ns = dynamic_cast<baseline::NoveltyShard*>(s.get());
  ASSERT_NE(ns, nullptr);
  // A flood of spoofed home sources: the table stays at max_hosts.
  for (int i = 0; i < 1000; ++i)
    s->on_flow(conn("10.9." + std::to_string(i / 250) + "." + std::to_string(i % 250), "203.0.113.5", 443, at(100 + i)), h.sink);
  EXPECT_EQ(ns->table().hosts(), 3u);
  EXPECT_EQ(ns->table().stats().hosts_untracked, 998u);
  // Flood debris (one item, idle an hour) is swept while the table is full.
  s->on_tick(at(100 + 1000 + 3601), h.sink);
  EXPECT_EQ(ns->table().hosts(), 1u);
  EXPECT_LT(baseline::NoveltyTable::bytes_per_host(64), 700u);
}

TEST(DnsResolverUnusual, RemoteResolverAfterLearningFires) {
  Harness h("dns_resolver_unusual");
  auto s = h.make();
  s->on_dns(dns_query("10.1.0.30", "10.1.0.2", at(0)), h.sink);
  s->on_dns(dns_query("10.1.0.30", "8.8.8.8", at(kHour)), h.sink);
  s->on_dns(dns_query("10.1.0.30", "10.1.0.3", at(kDay + 5)), h.sink);  // new, but internal
  s->on_dns(dns_query("10.1.0.30", "8.8.8.8", at(kDay + 6)), h.sink);   // learned
  EXPECT_TRUE(h.sink.out.empty());
  s->on_dns(dns_query("10.1.0.30", "45.33.97.5", at(kDay + 7), "c2.example.net"), h.sink);
  ASSERT_EQ(h.sink.out.size(), 1u);
  const auto& f = h.sink.out[0];
  EXPECT_EQ(f.type, FindingType::kDefenseEvasionUnusualDnsResolver);
  EXPECT_EQ(f.local, ip("10.1.0.30"));
  EXPECT_EQ(f.remote, ip("45.33.97.5"));
  EXPECT_EQ(f.remote_port, 53);
  EXPECT_EQ(f.severity, 5.0);
  EXPECT_STREQ(f.domain, "c2.example.net");
  EXPECT_EQ(metric_value(f, "knownResolvers"), 3);
  ASSERT_EQ(f.host_count, 1);
  EXPECT_EQ(f.hosts[0], ip("45.33.97.5"));
  s->on_dns(dns_query("10.1.0.30", "45.33.97.5", at(kDay + 8)), h.sink);
  EXPECT_EQ(h.sink.out.size(), 1u);
  // With remote_only=0 an internal newcomer is reported too.
  Harness all("dns_resolver_unusual", {"remote_only=0", "learning_period=10"});
  auto s2 = all.make();
  s2->on_dns(dns_query("10.1.0.31", "10.1.0.2", at(0)), all.sink);
  s2->on_dns(dns_query("10.1.0.31", "10.1.0.3", at(11)), all.sink);
  EXPECT_EQ(all.sink.out.size(), 1u);
}

TEST(DotUnusual, Tcp853AfterLearningFires) {
  Harness h("dot_unusual", kHourLearning);
  auto s = h.make();
  s->on_flow(conn("10.1.0.32", "203.0.113.5", 443, at(0)), h.sink);
  s->on_flow(conn("10.1.0.32", "9.9.9.9", 853, at(100)), h.sink);  // during learning: learned
  s->on_flow(conn("10.1.0.32", "9.9.9.9", 853, at(kHour + 100)), h.sink);
  auto refused = flow_event("10.1.0.32", 40001, "1.1.1.1", 853, kTcp, at(kHour + 150), Kind::kProbe);
  s->on_flow(refused, h.sink);
  EXPECT_TRUE(h.sink.out.empty());
  s->on_flow(conn("10.1.0.32", "1.1.1.1", 853, at(kHour + 200), 1500), h.sink);
  ASSERT_EQ(h.sink.out.size(), 1u);
  const auto& f = h.sink.out[0];
  EXPECT_EQ(f.type, FindingType::kDefenseEvasionUnusualDotActivity);
  EXPECT_EQ(f.local, ip("10.1.0.32"));
  EXPECT_EQ(f.remote, ip("1.1.1.1"));
  EXPECT_EQ(f.remote_port, 853);
  EXPECT_EQ(f.severity, 5.0);
  EXPECT_EQ(metric_value(f, "knownDotServers"), 1);
  EXPECT_EQ(metric_value(f, "bytesOut"), 1500);
}

TEST(DohUnusual, KnownSniOrResolverAddressAfterLearningFires) {
  Harness h("doh_unusual", kHourLearning);
  auto s = h.make();
  s->on_flow(conn("10.1.0.33", "203.0.113.5", 443, at(0)), h.sink);
  s->on_server_name(sni("10.1.0.33", "104.16.248.249", at(10), "cloudflare-dns.com"), h.sink);  // learning
  s->on_server_name(sni("10.1.0.33", "203.0.113.8", at(kHour + 10), "www.example.com"), h.sink);
  s->on_server_name(sni("10.1.0.33", "104.16.248.249", at(kHour + 20), "mozilla.cloudflare-dns.com"), h.sink);
  EXPECT_TRUE(h.sink.out.empty());
  s->on_server_name(sni("10.1.0.33", "8.8.4.4", at(kHour + 30), "dns.google"), h.sink);
  // The same connection's flow record: already known, no second finding.
  s->on_flow(conn("10.1.0.33", "8.8.4.4", 443, at(kHour + 30)), h.sink);
  ASSERT_EQ(h.sink.out.size(), 1u);
  const auto& f = h.sink.out[0];
  EXPECT_EQ(f.type, FindingType::kDefenseEvasionUnusualDohActivity);
  EXPECT_EQ(f.local, ip("10.1.0.33"));
  EXPECT_EQ(f.remote, ip("8.8.4.4"));
  EXPECT_EQ(f.remote_port, 443);
  EXPECT_EQ(f.severity, 5.0);
  EXPECT_STREQ(f.domain, "dns.google");
  EXPECT_EQ(metric_value(f, "bySni"), 1);
  // HTTPS to a public resolver address without a known name.
  s->on_flow(conn("10.1.0.33", "9.9.9.9", 443, at(kHour + 40)), h.sink);
  ASSERT_EQ(h.sink.out.size(), 2u);
  EXPECT_EQ(h.sink.out[1].remote, ip("9.9.9.9"));
  EXPECT_EQ(metric_value(h.sink.out[1], "bySni"), 0);
  // Off by parameter.
  Harness off("doh_unusual", {"learning_period=0", "by_address=0"});
  auto s2 = off.make();
  s2->on_flow(conn("10.1.0.34", "9.9.9.9", 443, at(0)), off.sink);
  EXPECT_TRUE(off.sink.out.empty());
}

TEST(PublicResolvers, ListMatchesOnLabelBoundaries) {
  EXPECT_NE(baseline::match_doh_name("dns.google"), nullptr);
  EXPECT_NE(baseline::match_doh_name("dns.google."), nullptr);
  EXPECT_NE(baseline::match_doh_name("mozilla.cloudflare-dns.com"), nullptr);
  EXPECT_EQ(baseline::match_doh_name("notcloudflare-dns.com"), nullptr);
  EXPECT_EQ(baseline::match_doh_name("google"), nullptr);
  EXPECT_EQ(baseline::match_doh_name("www.google.com"), nullptr);
  EXPECT_NE(baseline::match_resolver_address(ip("2606:4700:4700::1111")), nullptr);
  EXPECT_STREQ(baseline::match_resolver_address(ip("8.8.8.8"))->provider, "Google Public DNS");
  EXPECT_EQ(baseline::match_resolver_address(ip("8.8.8.7")), nullptr);
  EXPECT_GE(baseline::doh_name_count(), 20u);
  EXPECT_GE(baseline::resolver_address_count(), 25u);
}

// Volume: hourly windows of `per_hour` bytes from a host, for `hours` hours.
void history(detect::DetectorShard& s, Collect& sink, const std::string& host, int hours, std::uint64_t per_hour) {
  for (int i = 0; i < hours; ++i)
    s.on_flow(conn(host, "203.0.113.5", 443, at(i * kHour + 100), per_hour), sink);
}

TEST(VolumeUnusual, SpikeFarAboveHistoryFires) {
  Harness h("volume_unusual");
  auto s = h.make();
  history(*s, h.sink, "10.1.0.40", 30, 1'000'000);
  EXPECT_TRUE(h.sink.out.empty());
  // 60 MB in one hour to a new host: above max(50 MB, 10 x (1 MB + 0)).
  for (int i = 0; i < 6; ++i) s->on_flow(conn("10.1.0.40", "198.51.100.77", 443, at(30 * kHour + 200 + i), 10'000'000), h.sink);
  ASSERT_EQ(h.sink.out.size(), 1u);
  const auto& f = h.sink.out[0];
  EXPECT_EQ(f.type, FindingType::kBehaviorTrafficVolumeUnusual);
  EXPECT_EQ(f.local, ip("10.1.0.40"));
  EXPECT_EQ(f.remote, ip("198.51.100.77"));
  EXPECT_EQ(f.severity, 5.0);
  EXPECT_EQ(metric_value(f, "windowBytes"), 50'000'000);  // fires when it crosses
  EXPECT_EQ(metric_value(f, "thresholdBytes"), 50'000'000);
  EXPECT_EQ(metric_value(f, "baselineMeanBytes"), 1'000'000);
  EXPECT_EQ(metric_value(f, "baselineWindows"), 30);
  EXPECT_EQ(metric_value(f, "topRemoteBytes"), 50'000'000);
}

TEST(VolumeUnusual, SilentBelowFloorAndBelowFactor) {
  Harness h("volume_unusual");
  auto s = h.make();
  history(*s, h.sink, "10.1.0.41", 30, 1'000'000);
  s->on_flow(conn("10.1.0.41", "198.51.100.77", 443, at(30 * kHour + 200), 49'999'999), h.sink);
  EXPECT_TRUE(h.sink.out.empty()) << "below min_bytes";
  // A host that moves 10 MB every hour: 60 MB is six times, not ten.
  history(*s, h.sink, "10.1.0.42", 30, 10'000'000);
  s->on_flow(conn("10.1.0.42", "198.51.100.77", 443, at(30 * kHour + 200), 60'000'000), h.sink);
  EXPECT_TRUE(h.sink.out.empty()) << "below factor x history";
  s->on_flow(conn("10.1.0.42", "198.51.100.77", 443, at(30 * kHour + 300), 40'000'001), h.sink);
  EXPECT_EQ(h.sink.out.size(), 1u) << "100 MB is ten times";
}

TEST(VolumeUnusual, SilentWhileLearningOrWithShortHistory) {
  Harness h("volume_unusual");
  auto s = h.make();
  history(*s, h.sink, "10.1.0.43", 20, 1'000'000);  // 20 h < one day of learning
  s->on_flow(conn("10.1.0.43", "198.51.100.77", 443, at(20 * kHour + 200), 500'000'000), h.sink);
  EXPECT_TRUE(h.sink.out.empty());
  Harness h2("volume_unusual", {"learning_period=0"});
  auto s2 = h2.make();
  history(*s2, h2.sink, "10.1.0.44", 5, 1'000'000);  // 5 windows < min_windows 6
  s2->on_flow(conn("10.1.0.44", "198.51.100.77", 443, at(5 * kHour + 200), 500'000'000), h2.sink);
  EXPECT_TRUE(h2.sink.out.empty());
}

}  // namespace
