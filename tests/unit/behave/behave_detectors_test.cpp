// Behaviour detectors on synthetic FlowEvents: each fires above its threshold
// (type, actor, target, severity asserted) and stays silent just below.
#include <gtest/gtest.h>

#include "detect_test_util.hpp"
#include "picket/detect/mining_rules.hpp"

using namespace detecttest;
using detect::FindingType;
using flow::AppProto;

namespace {

constexpr Nanos kSec = seconds(1);

// A TCP session with payload both ways, `dur` long, `bytes` in total.
detect::FlowEvent session(const std::string& init, const std::string& resp, std::uint16_t rport, Nanos start,
                          Nanos dur, std::uint64_t bytes, AppProto app = AppProto::kUnknown) {
  auto e = flow_event(init, 50000, resp, rport, kTcp, start, Kind::kNonProbe);
  e.rec.app = app;
  e.rec.last_seen = start + dur;
  e.rec.end_time = start + dur + seconds(5);
  e.rec.end_reason = flow::FlowEndReason::kTcpClosed;
  e.rec.bytes[0] = bytes / 2;
  e.rec.bytes[1] = bytes - bytes / 2;
  return e;
}

std::vector<detect::Finding> run(const std::string& detector, const std::vector<detect::FlowEvent>& events,
                                 const std::vector<std::string>& overrides = {}) {
  Registry reg;
  for (const auto& o : overrides) EXPECT_EQ(reg.config.set(detector + "." + o), "");
  auto shard = reg.shard(detector);
  Collect c;
  for (const auto& e : events) {
    shard->on_tick(e.rec.end_time, c);
    shard->on_flow(e, c);
  }
  shard->on_flush(c);
  return c.out;
}

std::vector<detect::Finding> only_new(const std::vector<detect::Finding>& v) {
  std::vector<detect::Finding> out;
  for (const auto& f : v)
    if (!f.update) out.push_back(f);
  return out;
}

std::vector<detect::FlowEvent> attempts(const std::string& init, const std::string& resp, std::uint16_t port, int n,
                                        AppProto app, Nanos gap = 5 * kSec) {
  std::vector<detect::FlowEvent> v;
  for (int i = 0; i < n; ++i) v.push_back(session(init, resp, port, kT0 + i * gap, 3 * kSec, 5000, app));
  return v;
}

}  // namespace

TEST(BruteForce, InboundSshFiresLowAtThreshold) {
  const auto f = run("bruteforce", attempts("198.51.100.9", "10.1.0.20", 22, 20, AppProto::kSsh));
  const auto n = only_new(f);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].type, FindingType::kUnauthorizedSshBruteForce);
  EXPECT_DOUBLE_EQ(n[0].severity, 2.0);
  EXPECT_EQ(n[0].local, ip("10.1.0.20"));
  EXPECT_EQ(n[0].remote, ip("198.51.100.9"));
  EXPECT_EQ(n[0].local_port, 22);
  EXPECT_EQ(n[0].direction, detect::Direction::kInbound);
  EXPECT_EQ(metric_value(n[0], "sessions"), 20);
  EXPECT_EQ(metric_value(n[0], "recognisedByProtocol"), 1);
}

TEST(BruteForce, NineteenSessionsStayQuiet) {
  EXPECT_TRUE(run("bruteforce", attempts("198.51.100.9", "10.1.0.20", 22, 19, AppProto::kSsh)).empty());
}

TEST(BruteForce, SessionsSpreadWiderThanTheWindowStayQuiet) {
  // 20 sessions, 40 s apart: 760 s from first to last, window 600 s.
  EXPECT_TRUE(run("bruteforce", attempts("198.51.100.9", "10.1.0.20", 22, 20, AppProto::kSsh, 40 * kSec)).empty());
}

TEST(BruteForce, OutboundRdpOnOddPortByProtocolIsHigh) {
  const auto n = only_new(run("bruteforce", attempts("10.1.0.5", "203.0.113.50", 3390, 25, AppProto::kRdp)));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].type, FindingType::kUnauthorizedRdpBruteForce);
  EXPECT_DOUBLE_EQ(n[0].severity, 8.0);
  EXPECT_EQ(n[0].local, ip("10.1.0.5"));
  EXPECT_EQ(n[0].remote, ip("203.0.113.50"));
  EXPECT_EQ(n[0].remote_port, 3390);
  EXPECT_EQ(n[0].direction, detect::Direction::kOutbound);
  // Unrecognised traffic on the same odd port is not RDP.
  EXPECT_TRUE(run("bruteforce", attempts("10.1.0.5", "203.0.113.50", 3390, 25, AppProto::kUnknown)).empty());
}

TEST(BruteForce, WinRmByPort) {
  const auto n = only_new(run("bruteforce", attempts("198.51.100.9", "10.1.0.30", 5985, 20, AppProto::kHttp)));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].type, FindingType::kImpactWinRmBruteForce);
  EXPECT_EQ(n[0].local, ip("10.1.0.30"));
}

TEST(BruteForce, LongOrHeavySessionsAreNotGuesses) {
  std::vector<detect::FlowEvent> longs, heavy, probes;
  for (int i = 0; i < 30; ++i) {
    longs.push_back(session("198.51.100.9", "10.1.0.20", 22, kT0 + i * 5 * kSec, 31 * kSec, 5000, AppProto::kSsh));
    heavy.push_back(session("198.51.100.9", "10.1.0.20", 22, kT0 + i * 5 * kSec, 3 * kSec, 70000, AppProto::kSsh));
    probes.push_back(flow_event("198.51.100.9", 40000, "10.1.0.20", 22, kTcp, kT0 + i * kSec));
  }
  EXPECT_TRUE(run("bruteforce", longs).empty());
  EXPECT_TRUE(run("bruteforce", heavy).empty());
  EXPECT_TRUE(run("bruteforce", probes).empty());
}

TEST(BruteForce, ContinuingAttackIsUpdatedAndAQuietSpellStartsANewEpisode) {
  auto v = attempts("198.51.100.9", "10.1.0.20", 22, 100, AppProto::kSsh);
  // A second wave an hour later.
  for (auto e : attempts("198.51.100.9", "10.1.0.20", 22, 20, AppProto::kSsh)) {
    e.rec.first_seen += seconds(3600);
    e.rec.last_seen += seconds(3600);
    e.rec.end_time += seconds(3600);
    v.push_back(e);
  }
  const auto f = run("bruteforce", v);
  EXPECT_EQ(only_new(f).size(), 2u);
  ASSERT_GE(f.size(), 3u);
  // The first episode's last update counts all 100 sessions.
  double max_sessions = 0;
  for (const auto& x : f) max_sessions = std::max(max_sessions, metric_value(x, "sessions"));
  EXPECT_EQ(max_sessions, 100);
}

TEST(CryptoMining, TaggedFlowFiresWithTheRuleAsEvidence) {
  auto e = session("10.1.0.9", "203.0.113.77", 14444, kT0, 60 * kSec, 9000, AppProto::kMining);
  const auto& db = detect::mining_database();
  unsigned xmrig = 0;
  for (unsigned i = 0; i < db.size(); ++i)
    if (db.pattern(i).name == "xmrig_login") xmrig = i + 1;
  ASSERT_NE(xmrig, 0u);
  e.rec.app_rule = static_cast<std::uint16_t>(xmrig);
  const auto f = run("crypto_mining", {e});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, FindingType::kCryptoBitcoinToolB);
  EXPECT_DOUBLE_EQ(f[0].severity, 8.0);
  EXPECT_EQ(f[0].local, ip("10.1.0.9"));
  EXPECT_EQ(f[0].remote, ip("203.0.113.77"));
  EXPECT_EQ(f[0].remote_port, 14444);
  EXPECT_EQ(metric_value(f[0], "xmrig_login"), xmrig);
  EXPECT_EQ(metric_value(f[0], "miningFlows"), 1);
  // The same flow untagged is nothing.
  e.rec.app = AppProto::kTls;
  EXPECT_TRUE(run("crypto_mining", {e}).empty());
}

namespace {
// One flow of `out` packets (and `in` back) over `dur` from 10.1.0.66 to 203.0.113.99.
detect::FlowEvent flood(std::uint8_t proto, std::uint16_t port, std::uint64_t out, std::uint64_t in, Nanos dur,
                        Nanos start = kT0, std::uint16_t sport = 40000) {
  auto e = flow_event("10.1.0.66", sport, "203.0.113.99", port, proto, start, Kind::kNonProbe);
  e.rec.packets[0] = out;
  e.rec.packets[1] = in;
  e.rec.bytes[0] = out * 60;
  e.rec.payload_bytes[0] = proto == kTcp ? 0 : out * 32;
  e.rec.last_seen = start + dur;
  e.rec.end_time = start + dur + seconds(60);
  return e;
}
}  // namespace

TEST(OutboundDos, EachTypeFiresAboveTheRate) {
  const struct {
    std::uint8_t proto;
    std::uint16_t port;
    FindingType type;
  } cases[] = {{kUdp, 9999, FindingType::kBackdoorDosUdp},
               {kUdp, 53, FindingType::kBackdoorDosDns},
               {kUdp, 80, FindingType::kBackdoorDosUdpOnTcpPorts},
               {47, 0, FindingType::kBackdoorDosUnusualProtocol}};
  for (const auto& c : cases) {
    const auto n = only_new(run("outbound_dos", {flood(c.proto, c.port, 12000, 0, 10 * kSec)}));
    ASSERT_EQ(n.size(), 1u) << int(c.proto) << "/" << c.port;
    EXPECT_EQ(n[0].type, c.type);
    EXPECT_DOUBLE_EQ(n[0].severity, 8.0);
    EXPECT_EQ(n[0].local, ip("10.1.0.66"));
    EXPECT_EQ(n[0].remote, ip("203.0.113.99"));
    EXPECT_EQ(metric_value(n[0], "packetsPerSecond"), 1200);
    // Just below: 990 pps.
    EXPECT_TRUE(run("outbound_dos", {flood(c.proto, c.port, 9900, 0, 10 * kSec)}).empty());
    // Fast, but only 9 s.
    EXPECT_TRUE(run("outbound_dos", {flood(c.proto, c.port, 12000, 0, 9 * kSec)}).empty());
  }
}

TEST(OutboundDos, SynFloodFromManySourcePortsAndNotABulkUpload) {
  std::vector<detect::FlowEvent> syns;
  // 13000 single-SYN flows, 1200 a second (10.8 s), each from its own source port.
  for (int i = 0; i < 13000; ++i)
    syns.push_back(flood(kTcp, 80, 1, 0, 0, kT0 + i * (kSec / 1200), static_cast<std::uint16_t>(1024 + i)));
  const auto n = only_new(run("outbound_dos", syns));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].type, FindingType::kBackdoorDosTcp);
  EXPECT_GE(metric_value(n[0], "flows"), 10000);
  // A bulk TCP upload at 5000 pps with ACKs coming back is not a flood.
  auto upload = flood(kTcp, 443, 50000, 25000, 10 * kSec);
  upload.rec.payload_bytes[0] = 50000ull * 1400;
  EXPECT_TRUE(run("outbound_dos", {upload}).empty());
  // Nor an answered UDP stream.
  EXPECT_TRUE(run("outbound_dos", {flood(kUdp, 9999, 12000, 6000, 10 * kSec)}).empty());
}

namespace {
std::vector<detect::FlowEvent> smtp_to(int servers, Nanos start, const std::string& host = "10.1.0.77") {
  std::vector<detect::FlowEvent> v;
  for (int i = 0; i < servers; ++i)
    v.push_back(session(host, "198.18." + std::to_string(i / 200) + "." + std::to_string(1 + i % 200), 25,
                        start + i * 10 * kSec, 2 * kSec, 3000, AppProto::kSmtp));
  return v;
}
}  // namespace

TEST(Spambot, NewSenderToManyServersFires) {
  const auto n = only_new(run("spambot", smtp_to(25, kT0)));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].type, FindingType::kBackdoorSpambot);
  EXPECT_DOUBLE_EQ(n[0].severity, 5.0);
  EXPECT_EQ(n[0].local, ip("10.1.0.77"));
  EXPECT_EQ(metric_value(n[0], "distinctServers"), 25);
  EXPECT_TRUE(run("spambot", smtp_to(24, kT0)).empty());
}

TEST(Spambot, EstablishedSenderStaysQuiet) {
  // Mail to 3 servers, then a day and an hour later to 40.
  auto v = smtp_to(3, kT0);
  for (const auto& e : smtp_to(40, kT0 + seconds(90000))) v.push_back(e);
  EXPECT_TRUE(run("spambot", v).empty());
  // Repeated mail to one relay never counts up.
  std::vector<detect::FlowEvent> relay;
  for (int i = 0; i < 200; ++i)
    relay.push_back(session("10.1.0.77", "198.18.0.1", 587, kT0 + i * kSec, kSec, 3000, AppProto::kSmtp));
  EXPECT_TRUE(run("spambot", relay).empty());
}

namespace {
// A flow of `segments` active-timeout segments of 30 min, then a final record.
std::vector<detect::FlowEvent> long_flow(int segments, Nanos tail) {
  std::vector<detect::FlowEvent> v;
  for (int i = 0; i < segments; ++i) {
    auto e = session("10.1.0.8", "203.0.113.20", 22, kT0 + i * seconds(1800), seconds(1799), 100000, AppProto::kSsh);
    e.rec.end_reason = flow::FlowEndReason::kActiveTimeout;
    e.rec.end_time = kT0 + (i + 1) * seconds(1800);
    v.push_back(e);
  }
  auto last = session("10.1.0.8", "203.0.113.20", 22, kT0 + segments * seconds(1800), tail, 1000, AppProto::kSsh);
  v.push_back(last);
  return v;
}
}  // namespace

TEST(LongConnection, JoinsSegmentsAndEscalatesThroughTheBands) {
  const auto f = run("long_connection", long_flow(17, seconds(60)));  // 8 h 31 min
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].type, FindingType::kBehaviorLongConnection);
  EXPECT_FALSE(f[0].update);
  EXPECT_DOUBLE_EQ(f[0].severity, 2.0);
  EXPECT_EQ(f[0].local, ip("10.1.0.8"));
  EXPECT_EQ(f[0].remote, ip("203.0.113.20"));
  EXPECT_EQ(f[0].remote_port, 22);
  EXPECT_GE(metric_value(f[0], "durationSeconds"), 3600);
  EXPECT_TRUE(f[1].update);
  EXPECT_DOUBLE_EQ(f[1].severity, 5.0);
  EXPECT_GE(metric_value(f[1], "durationSeconds"), 28800);
  EXPECT_EQ(f[0].identity[0], f[1].identity[0]);
}

TEST(LongConnection, FiftyNineMinutesIsQuiet) {
  EXPECT_TRUE(run("long_connection", long_flow(1, seconds(1740) - 1)).empty());
  const auto f = run("long_connection", long_flow(1, seconds(1801)));
  ASSERT_EQ(f.size(), 1u);
}

namespace {
detect::FlowEvent transfer(std::uint64_t out, std::uint64_t in, const std::string& local = "10.1.0.90") {
  auto e = session(local, "203.0.113.30", 443, kT0, seconds(600), 0, AppProto::kTls);
  e.rec.bytes[0] = out;
  e.rec.bytes[1] = in;
  return e;
}
}  // namespace

TEST(LargeOutboundTransfer, FiresAboveFloorAndRatio) {
  const auto n = only_new(run("large_outbound_transfer", {transfer(110'000'000, 2'000'000)}));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].type, FindingType::kExfiltrationLargeOutboundTransfer);
  EXPECT_DOUBLE_EQ(n[0].severity, 5.0);
  EXPECT_EQ(n[0].local, ip("10.1.0.90"));
  EXPECT_EQ(n[0].remote, ip("203.0.113.30"));
  EXPECT_EQ(metric_value(n[0], "bytesOut"), 110'000'000);
  EXPECT_TRUE(run("large_outbound_transfer", {transfer(99'000'000, 2'000'000)}).empty());
  EXPECT_TRUE(run("large_outbound_transfer", {transfer(110'000'000, 12'000'000)}).empty());  // ratio 9.2
}

TEST(LargeOutboundTransfer, SumsFlowsWithinTheWindow) {
  std::vector<detect::FlowEvent> v;
  for (int i = 0; i < 11; ++i) {
    auto e = transfer(10'000'000, 100'000);
    e.rec.first_seen += i * seconds(60);
    e.rec.last_seen += i * seconds(60);
    e.rec.end_time += i * seconds(60);
    v.push_back(e);
  }
  EXPECT_EQ(only_new(run("large_outbound_transfer", v)).size(), 1u);
  v.pop_back();
  v.pop_back();  // 90 MB
  EXPECT_TRUE(run("large_outbound_transfer", v).empty());
}

// Flow events come in the order flows end, so a long flow that began before
// the window's first flow arrives after it: it belongs to the same window
// (before the fix, the unsigned difference wrapped and restarted the window,
// dropping the bytes already counted).
TEST(LargeOutboundTransfer, AFlowThatBeganEarlierJoinsTheWindow) {
  auto short_flow = transfer(60'000'000, 100'000);
  short_flow.rec.first_seen += seconds(120);  // began two minutes after the long one
  auto long_flow = transfer(50'000'000, 100'000);
  long_flow.rec.last_seen += seconds(300);
  long_flow.rec.end_time += seconds(300);  // ended after it
  const auto n = only_new(run("large_outbound_transfer", {short_flow, long_flow}));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(metric_value(n[0], "bytesOut"), 110'000'000);
}

TEST(CappedTable, EvictsTheLeastRecentAndCounts) {
  // 150 brute-forcers against a table of 100: the oldest are evicted, the
  // detector keeps working on the rest.
  std::vector<detect::FlowEvent> v;
  for (int a = 0; a < 150; ++a)
    v.push_back(session("198.51.100." + std::to_string(a), "10.1.0.20", 22, kT0 + a * kSec, kSec, 4000, AppProto::kSsh));
  for (const auto& e : attempts("198.51.100.200", "10.1.0.20", 22, 20, AppProto::kSsh)) {
    auto x = e;
    x.rec.first_seen += seconds(200);
    x.rec.last_seen += seconds(200);
    x.rec.end_time += seconds(200);
    v.push_back(x);
  }
  EXPECT_EQ(only_new(run("bruteforce", v, {"max_tracked=100"})).size(), 1u);
}
