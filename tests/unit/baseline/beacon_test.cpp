// The beacon detector and its RITA-style score: jittered beacons fire,
// benign periodic and random traffic stay silent, memory is bounded.
#include <random>

#include "baseline_fixture.hpp"
#include "beacon/beacon.hpp"
#include "beacon/beacon_score.hpp"

using namespace baselinetest;
namespace beacon = picket::detect::beacon;
using detect::FindingType;

namespace {

// `n` connections from `local` to `remote`:`port` every `interval` seconds
// with uniform jitter of +-`jitter` (a fraction), sizes size +- size_jitter.
std::vector<detect::FlowEvent> beacons(int n, double interval, double jitter, std::uint32_t size, int size_jitter,
                                       unsigned seed = 7, const std::string& local = "10.1.0.50",
                                       const std::string& remote = "203.0.113.66", std::uint16_t port = 8443,
                                       std::uint8_t proto = kTcp) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> j(-jitter, jitter);
  std::uniform_int_distribution<int> s(-size_jitter, size_jitter);
  std::vector<detect::FlowEvent> v;
  double t = 0;
  for (int i = 0; i < n; ++i) {
    v.push_back(conn(local, remote, port, at(t), static_cast<std::uint64_t>(static_cast<int>(size) + s(rng)), proto,
                     static_cast<std::uint16_t>(40000 + i)));
    t += interval * (1 + j(rng));
  }
  return v;
}

std::vector<detect::Finding> run(const std::vector<detect::FlowEvent>& events, std::vector<std::string> params = {}) {
  Harness h("beacon", std::move(params));
  auto shard = h.make();
  for (const auto& e : events) shard->on_flow(e, h.sink);
  return h.sink.out;
}

beacon::BeaconScore score_of(const std::vector<detect::FlowEvent>& events) {
  std::vector<beacon::BeaconSample> s;
  for (const auto& e : events)
    s.push_back({e.rec.first_seen, static_cast<std::uint32_t>(e.rec.bytes[flow::kToResponder])});
  std::vector<double> scratch;
  return beacon::score_beacon(s, beacon::ScoreParams{}, scratch);
}

TEST(BeaconScore, QuantilesAndBowleySkew) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(beacon::quantile_sorted(v, 0.25), 2);
  EXPECT_DOUBLE_EQ(beacon::quantile_sorted(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(beacon::quantile_sorted(std::vector<double>{1, 2, 3, 4}, 0.5), 2.5);
  // Skewed right: Q1 = 1, Q2 = 2, Q3 = 5 -> (1 + 5 - 4) / 4 = 0.5.
  EXPECT_DOUBLE_EQ(beacon::bowley_skew(1, 2, 5), 0.5);
  EXPECT_DOUBLE_EQ(beacon::bowley_skew(1, 4, 5), -0.5);
  EXPECT_DOUBLE_EQ(beacon::bowley_skew(3, 3, 3), 0);  // undefined: 0, as RITA
  EXPECT_DOUBLE_EQ(beacon::bowley_skew(1, 1, 5), 0);
}

TEST(BeaconScore, PerfectBeaconScoresOne) {
  const auto sc = score_of(beacons(30, 60, 0, 300, 0));
  EXPECT_DOUBLE_EQ(sc.median_interval_s, 60);
  EXPECT_DOUBLE_EQ(sc.ts_skew, 1);
  EXPECT_DOUBLE_EQ(sc.ts_madm, 1);
  EXPECT_DOUBLE_EQ(sc.ts_count, 1);
  EXPECT_DOUBLE_EQ(sc.ds_madm, 1);
  EXPECT_NEAR(sc.ds_small, 1 - 300.0 / 65535, 1e-12);
  EXPECT_NEAR(sc.score, (2 * 1 + (2 + 1 - 300.0 / 65535) / 3) / 3, 1e-12);
  EXPECT_EQ(sc.connections, 30u);
}

TEST(BeaconScore, HandComputedSmallCase) {
  // Starts 0, 10, 20, 40 s: intervals 10, 10, 20 -> Q1 10, Q2 10, Q3 15, MAD
  // of |0, 0, 10| = 0; sizes 100, 100, 100, 164 -> Q2 100, MAD 0.
  std::vector<beacon::BeaconSample> s = {
      {at(0), 100}, {at(40), 164}, {at(10), 100}, {at(20), 100}};  // any order
  std::vector<double> scratch;
  const auto sc = beacon::score_beacon(s, beacon::ScoreParams{}, scratch);
  EXPECT_DOUBLE_EQ(sc.median_interval_s, 10);
  EXPECT_DOUBLE_EQ(sc.ts_skew, 1);               // Q2 == Q1: skew undefined -> 0
  EXPECT_DOUBLE_EQ(sc.ts_madm, 1);
  EXPECT_DOUBLE_EQ(sc.ts_count, 4.0 / (40.0 / 10 + 1));  // 4 of 5 expected
  EXPECT_DOUBLE_EQ(sc.span_s, 40);
  EXPECT_DOUBLE_EQ(sc.median_size, 100);
}

TEST(Beacon, JitteredBeaconFires) {
  const auto events = beacons(30, 60, 0.10, 320, 6);
  const auto out = run(events);
  ASSERT_EQ(out.size(), 1u);
  const auto& f = out[0];
  EXPECT_EQ(f.type, FindingType::kBackdoorCcActivityBeacon);
  EXPECT_EQ(f.local, ip("10.1.0.50"));
  EXPECT_EQ(f.remote, ip("203.0.113.66"));
  EXPECT_EQ(f.remote_port, 8443);
  EXPECT_EQ(f.protocol, kTcp);
  EXPECT_EQ(f.direction, detect::Direction::kOutbound);
  EXPECT_EQ(f.severity, 8.0);
  EXPECT_NEAR(metric_value(f, "intervalSeconds"), 60, 4);
  EXPECT_GE(metric_value(f, "score"), 0.8);
  EXPECT_EQ(metric_value(f, "connections"), 20);  // fires as soon as it may
  EXPECT_GT(metric_value(f, "tsMadmScore"), 0.6);
  EXPECT_GT(metric_value(f, "dsMadmScore"), 0.5);
  // The same as the score function gives on those 20 connections.
  const auto sc = score_of({events.begin(), events.begin() + 20});
  EXPECT_DOUBLE_EQ(metric_value(f, "score"), sc.score);
}

TEST(Beacon, TwentyPercentJitterAndUdpStillFire) {
  EXPECT_EQ(run(beacons(40, 300, 0.20, 900, 10, 3, "10.1.0.51", "198.51.100.9", 4444, kUdp)).size(), 1u);
}

TEST(Beacon, SilentJustBelowMinConnections) {
  EXPECT_TRUE(run(beacons(19, 60, 0.10, 320, 6)).empty());
  EXPECT_EQ(run(beacons(20, 60, 0.10, 320, 6)).size(), 1u);
}

TEST(Beacon, SilentJustAboveItsScore) {
  const auto events = beacons(20, 60, 0.10, 320, 6);
  const double s = score_of(events).score;
  EXPECT_EQ(run(events, {"threshold=" + std::to_string(s - 0.001)}).size(), 1u);
  EXPECT_TRUE(run(events, {"threshold=" + std::to_string(s + 0.001)}).empty());
}

TEST(Beacon, RandomIntervalsStaySilent) {
  // Poisson connections (mean 60 s) with constant sizes: size regularity
  // alone must not make a beacon.
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::exponential_distribution<double> gap(1.0 / 60);
    std::vector<detect::FlowEvent> v;
    double t = 0;
    for (int i = 0; i < 64; ++i) {
      v.push_back(conn("10.1.0.52", "203.0.113.70", 443, at(t), 517, kTcp, static_cast<std::uint16_t>(41000 + i)));
      t += gap(rng);
    }
    const auto sc = score_of(v);
    EXPECT_LT(sc.score, 0.75) << "seed " << seed;
    EXPECT_TRUE(run(v).empty()) << "seed " << seed << " score " << sc.score;
  }
}

TEST(Beacon, NtpAndDnsArePeriodicButExcluded) {
  // ntpd polls a pool server every 64 s; a stub resolver asks its remote
  // resolver every 30 s. Both are perfect beacons by shape.
  const auto ntp = beacons(60, 64, 0.0, 76, 0, 1, "10.1.0.53", "162.159.200.1", 123, kUdp);
  const auto dns = beacons(60, 30, 0.02, 70, 8, 2, "10.1.0.53", "8.8.8.8", 53, kUdp);
  std::vector<detect::FlowEvent> both(ntp);
  both.insert(both.end(), dns.begin(), dns.end());
  EXPECT_TRUE(run(both).empty());
  // The port exclusion is what keeps them silent.
  EXPECT_EQ(run(both, {"ignore_infra_ports=0"}).size(), 2u);
}

TEST(Beacon, UpdateChecksToRotatingCdnAddressesStaySilent) {
  // An hourly update check to a large provider lands on a different CDN
  // address most times: no pair collects min_connections.
  std::vector<detect::FlowEvent> v;
  for (int i = 0; i < 72; ++i)
    v.push_back(conn("10.1.0.54", "23.32.0." + std::to_string(1 + i % 9), 443, at(i * kHour), 600));
  EXPECT_TRUE(run(v).empty());
}

TEST(Beacon, InternalPollingAndLongFlowSegmentsIgnored) {
  // A monitoring server scraping an internal host every 15 s.
  EXPECT_TRUE(run(beacons(100, 15, 0, 200, 0, 1, "10.1.0.55", "10.1.0.99", 9100)).empty());
  EXPECT_EQ(run(beacons(100, 15, 0, 200, 0, 1, "10.1.0.55", "10.1.0.99", 9100), {"remote_only=0"}).size(), 1u);
  // One long connection reported in active-timeout segments.
  auto segs = beacons(40, 1800, 0, 5000, 0, 1, "10.1.0.56", "203.0.113.80", 22);
  for (auto& e : segs) e.rec.end_reason = flow::FlowEndReason::kActiveTimeout;
  EXPECT_TRUE(run(segs).empty());
}

TEST(Beacon, SubSecondBurstsAreNotBeacons) {
  EXPECT_TRUE(run(beacons(50, 0.5, 0, 400, 0)).empty());  // below min_interval 5 s
}

TEST(Beacon, FiresOncePerPairAndPerPairKeys) {
  auto a = beacons(60, 60, 0.05, 300, 3, 1, "10.1.0.57", "203.0.113.90", 443);
  auto b = beacons(60, 60, 0.05, 300, 3, 2, "10.1.0.57", "203.0.113.90", 8080);
  a.insert(a.end(), b.begin(), b.end());
  const auto out = run(a);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[0].remote_port, out[1].remote_port);
  EXPECT_NE(out[0].identity[0], out[1].identity[0]);
}

TEST(Beacon, MemoryIsBounded) {
  Harness h("beacon", {"max_pairs=100", "max_samples=16"});
  auto base = h.make();
  auto* shard = dynamic_cast<beacon::BeaconShard*>(base.get());
  ASSERT_NE(shard, nullptr);
  for (int i = 0; i < 250; ++i)
    shard->on_flow(conn("10.1.0.58", "198.51.100." + std::to_string(i % 250), 443, at(i)), h.sink);
  EXPECT_EQ(shard->pairs(), 100u);
  EXPECT_EQ(shard->stats().pairs_refused, 150u);
  // Per-pair samples are capped: a long-lived pair keeps only the newest 16,
  // and its beacon is still found.
  Harness h2("beacon", {"max_samples=16", "min_connections=16"});
  auto s2 = h2.make();
  for (const auto& e : beacons(500, 60, 0.05, 300, 3)) s2->on_flow(e, h2.sink);
  EXPECT_EQ(h2.sink.out.size(), 1u);
  // Idle pairs are forgotten after max_interval.
  base->on_tick(at(250 + 21600 + 61), h.sink);
  EXPECT_EQ(shard->pairs(), 0u);
  EXPECT_EQ(shard->stats().pairs_expired, 100u);
  EXPECT_LT(beacon::BeaconShard::bytes_per_pair(64), 1400u);
}

}  // namespace
