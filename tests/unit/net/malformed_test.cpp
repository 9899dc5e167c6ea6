// Malformed and truncated frames: each must count its named anomaly (or a
// skip) and never read outside the captured bytes.
#include <gtest/gtest.h>

#include "fixtures.hpp"

using namespace fb;
using picket::net::Anomaly;
using picket::net::Skipped;
namespace net = picket::net;

namespace {

struct MalformedCase {
  std::string name;
  Bytes frame;
  std::uint32_t link;
  Anomaly expected;
  bool ok;  // whether the frame is still a usable flow
};

std::vector<MalformedCase> malformed_cases() {
  const Bytes tcp_syn = tcp(1, 2, kSyn);
  Ipv4Opts bad_ihl;
  bad_ihl.ihl = 4;
  Ipv4Opts ihl_past_end;
  ihl_past_end.ihl = 15;
  Ipv4Opts v5;
  v5.version = 5;
  Ipv4Opts short_total;
  short_total.total = 12;
  Ipv4Opts long_total;
  long_total.total = 1400;
  Ipv6Opts v7;
  v7.version = 7;
  Ipv6Opts long_payload;
  long_payload.payload_len = 900;
  TcpOpts doff4;
  doff4.data_offset_field = 4;
  TcpOpts doff15;
  doff15.data_offset_field = 15;
  GreOpts v1;
  v1.version = 1;
  GreOpts v2;
  v2.version = 2;
  GreOpts with_seq;
  with_seq.seq = 1;

  Bytes deep_mpls = inner_ipv4_tcp();
  for (int i = 0; i < 9; ++i) deep_mpls = mpls(std::uint32_t(16 + i), i == 0, deep_mpls);

  Bytes many_ext = tcp_syn;
  std::uint8_t next = 6;
  for (int i = 0; i < 9; ++i) {
    many_ext = ipv6_ext(next, 0, many_ext);
    next = 60;
  }

  auto v4 = [](std::uint8_t proto, const Bytes& l4, Ipv4Opts o = {}) {
    return eth(0x0800, ipv4(kSrc4, kDst4, proto, l4, o));
  };
  auto v6 = [](std::uint8_t next_header, const Bytes& l4, Ipv6Opts o = {}) {
    return eth(0x86DD, ipv6(kSrc6, kDst6, next_header, l4, o));
  };
  const std::uint32_t E = net::kLinkEthernet;
  return {
      {"ipv4_ihl_below_5", v4(6, tcp_syn, bad_ihl), E, Anomaly::kIpv4BadHeaderLength, false},
      {"ipv4_ihl_past_capture", v4(6, Bytes{}, ihl_past_end), E, Anomaly::kIpv4Truncated, false},
      {"ipv4_version_5", v4(6, tcp_syn, v5), E, Anomaly::kIpv4BadVersion, false},
      {"ipv4_ethertype_with_ipv6_inside", eth(0x0800, inner_ipv6_udp()), E, Anomaly::kIpv4BadVersion, false},
      {"ipv4_total_below_header", v4(6, tcp_syn, short_total), E, Anomaly::kIpv4BadTotalLength, true},
      {"ipv4_total_past_wire", v4(6, tcp_syn, long_total), E, Anomaly::kIpv4BadTotalLength, true},
      {"ipv6_version_7", v6(6, tcp_syn, v7), E, Anomaly::kIpv6BadVersion, false},
      {"ipv6_payload_past_wire", v6(6, tcp_syn, long_payload), E, Anomaly::kIpv6Truncated, true},
      {"ipv6_ext_runs_off_end", v6(0, Bytes{6, 3, 0, 0, 0, 0, 0, 0}), E, Anomaly::kIpv6ExtensionTruncated, true},
      {"ipv6_ext_one_byte", v6(60, Bytes{6}), E, Anomaly::kIpv6ExtensionTruncated, true},
      {"ipv6_fragment_header_short", v6(44, Bytes{6, 0, 0, 0}), E, Anomaly::kIpv6ExtensionTruncated, true},
      {"ipv6_too_many_ext", v6(60, many_ext), E, Anomaly::kIpv6TooManyExtensions, true},
      {"tcp_data_offset_4", v4(6, tcp(1, 2, kSyn, {}, doff4)), E, Anomaly::kTcpBadDataOffset, true},
      {"tcp_data_offset_past_packet", v4(6, tcp(1, 2, kSyn, {}, doff15)), E, Anomaly::kTcpBadDataOffset, true},
      {"tcp_short", v4(6, Bytes(12, 0)), E, Anomaly::kTcpTruncated, true},
      {"udp_length_7", v4(17, udp(1, 2, Bytes(4, 0), 7)), E, Anomaly::kUdpBadLength, true},
      {"udp_length_past_ip", v4(17, udp(1, 2, Bytes(4, 0), 200)), E, Anomaly::kUdpBadLength, true},
      {"udp_short", v4(17, Bytes(5, 0)), E, Anomaly::kUdpTruncated, true},
      {"icmp_short", v4(1, Bytes{8, 0, 0, 0}), E, Anomaly::kIcmpTruncated, true},
      {"icmpv6_short", v6(58, Bytes{128, 0}), E, Anomaly::kIcmpv6Truncated, true},
      {"gre_v1_unknown_proto", v4(47, gre(0x0800, inner_ipv4_tcp(), v1)), E, Anomaly::kGreBadVersion, true},
      {"gre_v2", v4(47, gre(0x0800, inner_ipv4_tcp(), v2)), E, Anomaly::kGreBadVersion, true},
      {"gre_key_missing", v4(47, Bytes{0x20, 0x00, 0x08, 0x00, 0, 0}), E, Anomaly::kGreTruncated, true},
      {"erspan2_short", v4(47, gre(0x88BE, Bytes{0x10, 0, 0}, with_seq)), E, Anomaly::kErspanTruncated, true},
      {"vxlan_short", v4(17, udp(1, 4789, Bytes{0x08, 0, 0})), E, Anomaly::kVxlanTruncated, true},
      {"geneve_options_short", v4(17, udp(1, 6081, Bytes{0x05, 0, 0x65, 0x58, 0, 0, 1, 0})), E, Anomaly::kGeneveTruncated, true},
      {"mpls_too_deep", eth(0x8847, deep_mpls), E, Anomaly::kMplsLabelStackTooDeep, false},
      {"mpls_no_bottom", eth(0x8847, Bytes{0, 1, 0, 64, 0, 2, 0, 64}), E, Anomaly::kMplsTruncated, false},
      {"vlan_short", eth(0x8100, Bytes{0, 10}), E, Anomaly::kVlanTruncated, false},
      {"ethernet_short", Bytes(13, 0), E, Anomaly::kEthernetTruncated, false},
      {"sll_short", Bytes(15, 0), net::kLinkLinuxSll, Anomaly::kSllTruncated, false},
      {"sll2_short", Bytes(19, 0), net::kLinkLinuxSll2, Anomaly::kSllTruncated, false},
      {"null_short", Bytes{2, 0, 0}, net::kLinkNull, Anomaly::kNullTruncated, false},
      {"loop_short", Bytes{0, 0}, net::kLinkLoop, Anomaly::kNullTruncated, false},
      {"raw_version_5", ipv4(kSrc4, kDst4, 6, tcp_syn, v5), net::kLinkRaw, Anomaly::kIpv4BadVersion, false},
      {"raw_empty", Bytes{}, net::kLinkRaw, Anomaly::kIpv4Truncated, false},
      {"ipv6_linktype_with_v4", inner_ipv4_tcp(), net::kLinkIpv6, Anomaly::kIpv6BadVersion, false},
      {"unknown_link", inner_ipv4_tcp(), 147, Anomaly::kUnknownLinkType, false},
  };
}

}  // namespace

TEST(Malformed, EachCaseCountsItsAnomaly) {
  for (const auto& c : malformed_cases()) {
    SCOPED_TRACE(c.name);
    auto d = run(c.frame, c.link);
    EXPECT_EQ(d.ok, c.ok);
    EXPECT_EQ(d.view.anomaly, c.expected) << net::anomaly_name(d.view.anomaly);
    EXPECT_EQ(d.anomaly(c.expected), 1u);
    EXPECT_EQ(d.stats.anomalies_total(), 1u);
  }
}

TEST(Malformed, Erspan3SubheaderCut) {
  const Bytes frame = eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 47,
                                       gre(0x22EB, erspan3(1, true, 0, {}))));
  // Drop the last 3 bytes of the 8-byte platform subheader, wire length too.
  Bytes cut(frame.begin(), frame.end() - 3);
  cut[14 + 3] = std::uint8_t(cut.size() - 14);  // keep the IPv4 total length honest
  cut[14 + 10] = cut[14 + 11] = 0;              // checksum is not validated anyway
  auto d = run(cut);
  ASSERT_TRUE(d.ok);  // the GRE packet itself is still a flow
  EXPECT_EQ(d.view.anomaly, Anomaly::kErspanTruncated);
  EXPECT_EQ(d.view.l4_proto, 47);
}

TEST(Malformed, TcpDataOffsetKeepsPortsButNoPayload) {
  TcpOpts o;
  o.data_offset_field = 3;
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(7, 9, kSyn, text("data"), o))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.sport, 7);
  EXPECT_EQ(d.view.dport, 9);
  EXPECT_EQ(d.view.tcp_flags, kSyn);
  EXPECT_EQ(d.view.payload_len, 0);
}

TEST(Malformed, UdpLengthShorterThanIpPayloadBoundsPayload) {
  // A UDP length below the IP payload is legal: the rest is not datagram data.
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 17, udp(1, 2, text("abcdef"), 10))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.payload_len, 2);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(Malformed, VxlanWithoutIFlagIsPlainUdp) {
  const Bytes inner = eth(0x0800, inner_ipv4_tcp());
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17, udp(5000, 4789, vxlan(7, inner, 0x00)))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.tunnel, net::Tunnel::kNone);
  EXPECT_EQ(d.view.src.to_string(), "172.16.0.1");
  EXPECT_EQ(d.view.dport, 4789);
  EXPECT_EQ(d.view.payload_len, 8 + inner.size());
  EXPECT_EQ(d.stats.vxlan, 0u);
  EXPECT_EQ(d.stats.tcp, 0u);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(Malformed, GeneveUnknownVersionIsPlainUdp) {
  Bytes g = geneve(1, 0x0800, 0, inner_ipv4_tcp());
  g[0] |= 0x40;  // version 1
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17, udp(5000, 6081, g))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.tunnel, net::Tunnel::kNone);
  EXPECT_EQ(d.stats.geneve, 0u);
}

TEST(Malformed, FragmentedTunnelIsNotEntered) {
  Ipv4Opts first;
  first.frag = 0x2000;
  const Bytes inner = eth(0x0800, inner_ipv4_tcp());
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17, udp(5000, 4789, vxlan(7, inner)), first)));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.fragment, net::Fragment::kFirst);
  EXPECT_EQ(d.view.tunnel, net::Tunnel::kNone);
  EXPECT_EQ(d.view.dport, 4789);
}

TEST(Malformed, FirstAnomalyIsKeptInTheView) {
  // Outer total length lies (first anomaly), then the inner TCP header is cut.
  Ipv4Opts long_total;
  long_total.total = 2000;
  const Bytes inner = ipv4(kSrc4, kDst4, 6, Bytes(10, 0));
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 47, gre(0x0800, inner), long_total)));
  EXPECT_EQ(d.view.anomaly, Anomaly::kIpv4BadTotalLength);
  EXPECT_EQ(d.anomaly(Anomaly::kTcpTruncated), 1u);
  EXPECT_EQ(d.stats.anomalies_total(), 2u);
}

// Cutting a valid frame at every length must never crash, and must count an
// anomaly or a skip. With the wire length equal to the cut the frame really
// was that short, so some header length always disagrees; with the full wire
// length (a snaplen cut) an anomaly is due whenever a header is incomplete.
TEST(Truncation, EveryCutOfEveryFixtureIsCounted) {
  auto all = ipv4_fixtures();
  for (auto& f : ipv6_fixtures()) all.push_back(f);
  std::size_t cuts = 0;
  for (const auto& f : all) {
    auto full = run(f.frame, f.link);
    ASSERT_TRUE(full.ok) << f.name;
    const std::size_t headers_end = full.view.payload_offset;
    for (std::size_t n = 0; n < f.frame.size(); ++n) {
      SCOPED_TRACE(f.name + " cut at " + std::to_string(n));
      auto short_wire = run(f.frame, f.link, std::uint32_t(n), n);
      EXPECT_GT(short_wire.stats.anomalies_total() +
                    short_wire.skipped(Skipped::kNonIpEthertype) +
                    short_wire.skipped(Skipped::kLaterFragment),
                0u);
      auto snap = run(f.frame, f.link, std::uint32_t(f.frame.size()), n);
      if (n < headers_end) {
        EXPECT_GT(snap.stats.anomalies_total(), 0u);
        EXPECT_NE(snap.view.anomaly, Anomaly::kNone);
      } else {
        EXPECT_EQ(snap.stats.anomalies_total(), 0u);
        EXPECT_TRUE(snap.ok);
        EXPECT_EQ(snap.view.payload_len, n - headers_end);
      }
      ++cuts;
    }
  }
  EXPECT_GT(cuts, 1000u);
}

TEST(Truncation, EveryCutOfEveryMalformedCaseIsSafe) {
  for (const auto& c : malformed_cases()) {
    for (std::size_t n = 0; n <= c.frame.size(); ++n) {
      auto d = run(c.frame, c.link, std::uint32_t(n), n);
      ASSERT_LE(std::size_t(d.view.payload_offset) + d.view.payload_len, n) << c.name << " " << n;
    }
  }
}
