// UniFlow -> FlowRecord conversion, pairing of the two directions, and the
// lateness window that puts records into logical-time order.
#include <gtest/gtest.h>

#include <vector>

#include "picket/flowrec/record_orderer.hpp"
#include "picket/flowrec/source.hpp"

namespace picket::flowrec {
namespace {

constexpr core::Nanos kSec = core::kNanosPerSecond;

struct Out : OrderedSink {
  std::vector<flow::FlowRecord> flows;
  std::vector<detect::DnsEvent> dns;
  void on_flow_record(const flow::FlowRecord& r) override { flows.push_back(r); }
  void on_dns_event(const detect::DnsEvent& e) override { dns.push_back(e); }
};

UniFlow uni(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport, std::uint8_t proto,
            std::uint64_t pkts, std::uint64_t bytes, core::Nanos first, core::Nanos last, int flags = -1) {
  UniFlow u;
  u.src = *core::IpAddr::parse(src);
  u.dst = *core::IpAddr::parse(dst);
  u.sport = sport, u.dport = dport, u.proto = proto;
  u.packets = pkts, u.bytes = bytes;
  u.first = first, u.last = last;
  if (flags >= 0) u.tcp_flags = static_cast<std::uint8_t>(flags), u.tcp_flags_known = true;
  u.source = static_cast<std::uint8_t>(Source::kNetflowV9);
  return u;
}

TEST(FlowRecordFromUniflow, SynProbeIsAProbeAndEstablishedSessionIsNot) {
  // SYN -> RST/ACK: the initiator sent one 60-byte SYN with options.
  flow::FlowRecord probe = make_flow_record(uni("10.0.0.5", "10.0.0.9", 40001, 23, 6, 1, 60, kSec, kSec, 0x02));
  add_reverse(probe, uni("10.0.0.9", "10.0.0.5", 23, 40001, 6, 1, 40, kSec + 1000, kSec + 1000, 0x14));
  finish_flow_record(probe, true);
  EXPECT_EQ(probe.initiator(), *core::IpAddr::parse("10.0.0.5"));
  EXPECT_EQ(probe.responder_port(), 23);
  EXPECT_TRUE(probe.is_probe());
  EXPECT_EQ(probe.state, flow::FlowState::kClosed);
  EXPECT_EQ(probe.packets[flow::kToInitiator], 1u);

  // A session that carried data both ways.
  flow::FlowRecord s = make_flow_record(uni("10.0.0.5", "10.0.0.9", 40002, 22, 6, 20, 5000, kSec, 5 * kSec, 0x1b));
  add_reverse(s, uni("10.0.0.9", "10.0.0.5", 22, 40002, 6, 18, 9000, kSec + 1, 5 * kSec, 0x1b));
  finish_flow_record(s, true);
  EXPECT_FALSE(s.is_probe());
  EXPECT_EQ(s.state, flow::FlowState::kClosed);
  EXPECT_GT(s.payload_bytes[flow::kToResponder], 0u);
}

TEST(FlowRecordFromUniflow, EarlierFirstPacketOrServicePortPicksTheInitiator) {
  // The responder's record is read first; its first packet came later.
  flow::FlowRecord r = make_flow_record(uni("10.0.0.9", "10.0.0.5", 443, 50000, 6, 5, 900, 2 * kSec, 3 * kSec, 0x12));
  add_reverse(r, uni("10.0.0.5", "10.0.0.9", 50000, 443, 6, 6, 700, kSec, 3 * kSec, 0x12));
  finish_flow_record(r, true);
  EXPECT_EQ(r.initiator(), *core::IpAddr::parse("10.0.0.5"));
  EXPECT_EQ(r.packets[flow::kToResponder], 6u);
  EXPECT_EQ(r.first_seen, kSec);
  // Same second (VPC logs): the service port decides.
  flow::FlowRecord v = make_flow_record(uni("10.0.0.9", "10.0.0.5", 22, 50000, 6, 5, 900, kSec, kSec));
  add_reverse(v, uni("10.0.0.5", "10.0.0.9", 50000, 22, 6, 6, 700, kSec, kSec));
  finish_flow_record(v, true);
  EXPECT_EQ(v.initiator(), *core::IpAddr::parse("10.0.0.5"));
  EXPECT_EQ(v.responder_port(), 22);
  // A lone answer (server port to ephemeral port) is the responder's half.
  flow::FlowRecord lone = make_flow_record(uni("10.0.0.9", "10.0.0.5", 80, 50000, 6, 1, 40, kSec, kSec, 0x12));
  finish_flow_record(lone, false);
  EXPECT_EQ(lone.initiator(), *core::IpAddr::parse("10.0.0.5"));
  EXPECT_FALSE(lone.is_probe());  // nothing came from the supposed initiator
}

TEST(FlowRecordFromUniflow, UdpAndIcmp) {
  flow::FlowRecord u = make_flow_record(uni("10.0.0.5", "8.8.8.8", 53000, 53, 17, 1, 70, kSec, kSec));
  finish_flow_record(u, false);
  EXPECT_TRUE(u.is_probe());  // unanswered
  EXPECT_EQ(u.state, flow::FlowState::kNew);
  add_reverse(u, uni("8.8.8.8", "10.0.0.5", 53, 53000, 17, 1, 120, kSec, kSec));
  finish_flow_record(u, true);
  EXPECT_FALSE(u.is_probe());
  EXPECT_EQ(u.state, flow::FlowState::kReplied);
  UniFlow echo = uni("10.0.0.5", "10.0.0.7", 0, 0, 1, 1, 84, kSec, kSec);
  echo.icmp_type = 8;
  flow::FlowRecord e = make_flow_record(echo);
  finish_flow_record(e, false);
  EXPECT_EQ(e.icmp_type, 8);
  EXPECT_TRUE(e.is_probe());
  EXPECT_EQ(e.source, static_cast<std::uint8_t>(Source::kNetflowV9));
}

TEST(FlowRecordFromUniflow, Ipv6Keys) {
  flow::FlowRecord r = make_flow_record(uni("2001:db8::1", "2001:db8::2", 5000, 80, 6, 1, 80, kSec, kSec, 0x02));
  EXPECT_FALSE(r.key.lo.is_v4());
  EXPECT_EQ(r.payload_bytes[0], 0u);  // 40-byte IPv6 header + 40 of TCP
}

TEST(FlowRecordFromUniflow, BiflowIsOrientedByWhoSpoke) {
  // RFC 5103 biflow written lower address first (as softflowd -b does): the
  // forward side sent nothing, so the reverse side is the initiator.
  UniFlow b = uni("10.0.0.3", "10.0.0.128", 0, 0, 1, 0, 0, kSec, kSec);
  b.has_reverse = true;
  b.rev_packets = 1;
  b.rev_bytes = 84;
  flow::FlowRecord r = make_flow_record(b);
  finish_flow_record(r, true);
  EXPECT_EQ(r.initiator(), *core::IpAddr::parse("10.0.0.128"));
  EXPECT_EQ(r.icmp_type, 8);
  EXPECT_TRUE(r.is_probe());
  // Both spoke at once: the service port is the responder's.
  UniFlow t = uni("10.0.0.3", "10.0.0.9", 443, 51000, 6, 5, 900, kSec, kSec, 0x1b);
  t.has_reverse = true;
  t.rev_packets = 6;
  t.rev_bytes = 700;
  t.rev_tcp_flags = 0x1b;
  r = make_flow_record(t);
  EXPECT_EQ(r.initiator(), *core::IpAddr::parse("10.0.0.9"));
  EXPECT_EQ(r.responder_port(), 443);
  EXPECT_EQ(r.packets[flow::kToResponder], 6u);
  // An exported reverse start time decides first.
  t.rev_first = kSec + 5;
  r = make_flow_record(t);
  EXPECT_EQ(r.initiator(), *core::IpAddr::parse("10.0.0.3"));
}

TEST(RecordOrderer, PairsDirectionsAndReleasesInTimeOrder) {
  RecordOrderer o(10 * kSec, 1000);
  Out out;
  o.add_flow(uni("10.0.0.1", "10.0.0.2", 40000, 80, 6, 1, 60, 100 * kSec, 100 * kSec, 0x02), out);
  o.add_flow(uni("10.0.0.3", "10.0.0.2", 40000, 81, 6, 1, 60, 95 * kSec, 95 * kSec, 0x02), out);  // older
  o.add_flow(uni("10.0.0.2", "10.0.0.1", 80, 40000, 6, 1, 40, 100 * kSec, 100 * kSec, 0x14), out);  // reverse
  EXPECT_TRUE(out.flows.empty());  // still inside the window
  detect::DnsEvent d;
  d.ts = 101 * kSec;
  o.add_dns(d, out);
  o.add_flow(uni("10.0.0.4", "10.0.0.2", 1, 2, 17, 1, 60, 106 * kSec, 106 * kSec), out);
  o.release(out);  // newest 106: releases what ended at or before 96
  ASSERT_EQ(out.flows.size(), 1u);
  EXPECT_EQ(out.flows[0].responder_port(), 81);
  o.add_flow(uni("10.0.0.5", "10.0.0.2", 1, 2, 17, 1, 60, 111 * kSec, 111 * kSec), out);
  o.release(out);  // up to 101
  ASSERT_EQ(out.flows.size(), 2u);
  EXPECT_EQ(out.flows[1].responder_port(), 80);
  EXPECT_EQ(out.flows[1].packets[flow::kToInitiator], 1u);  // the pair became one record
  EXPECT_EQ(out.dns.size(), 1u);
  o.flush(out);
  EXPECT_EQ(out.flows.size(), 4u);
  for (std::size_t i = 1; i < out.flows.size(); ++i) EXPECT_LE(out.flows[i - 1].end_time, out.flows[i].end_time);
  EXPECT_EQ(o.stats().stitched, 1u);
  EXPECT_EQ(o.stats().late, 0u);
  EXPECT_EQ(o.pending(), 0u);
}

TEST(RecordOrderer, LateRecordsTakeTheCurrentTimeAndOverflowReleasesEarly) {
  RecordOrderer o(5 * kSec, 3);
  Out out;
  for (int i = 0; i < 5; ++i)
    o.add_flow(uni("10.0.0.1", "10.0.0.2", static_cast<std::uint16_t>(1000 + i), 80, 17, 1, 60, (100 + i) * kSec,
                   (100 + i) * kSec), out);
  EXPECT_EQ(out.flows.size(), 2u);  // only 3 may wait
  EXPECT_EQ(o.stats().early, 2u);
  o.flush(out);
  o.add_flow(uni("10.0.0.1", "10.0.0.2", 999, 80, 17, 1, 60, 50 * kSec, 50 * kSec), out);  // far too late
  o.flush(out);
  ASSERT_EQ(out.flows.size(), 6u);
  EXPECT_EQ(out.flows.back().end_time, 104 * kSec);
  EXPECT_EQ(out.flows.back().last_seen, 50 * kSec);
  EXPECT_EQ(o.stats().late, 1u);
}

TEST(RecordOrderer, SameDirectionRecordsStaySeparate) {
  // Two active-timeout segments of one flow are two records, not a pair.
  RecordOrderer o(60 * kSec, 100);
  Out out;
  o.add_flow(uni("10.0.0.1", "10.0.0.2", 5000, 80, 6, 10, 6000, 0, 30 * kSec, 0x18), out);
  o.add_flow(uni("10.0.0.1", "10.0.0.2", 5000, 80, 6, 10, 6000, 30 * kSec, 60 * kSec, 0x18), out);
  o.flush(out);
  EXPECT_EQ(out.flows.size(), 2u);
  EXPECT_EQ(o.stats().stitched, 0u);
}

}  // namespace
}  // namespace picket::flowrec
