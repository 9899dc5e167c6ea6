// One valid frame per decoder, asserting every field it is responsible for.
#include <gtest/gtest.h>

#include "frame_builder.hpp"

using namespace fb;
using picket::core::IpAddr;
using picket::net::Anomaly;
using picket::net::Fragment;
using picket::net::Skipped;
using picket::net::Tunnel;
namespace net = picket::net;

TEST(DecodeEthernet, Ipv4TcpFieldsAreDecoded) {
  const Bytes frame = eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(40000, 443, kSyn | kAck, text("hello"))));
  std::vector<std::uint8_t> buf = frame;
  net::PacketView v;
  net::DecodeStats s;
  ASSERT_TRUE(net::decode(buf.data(), std::uint32_t(buf.size()), 1500, net::kLinkEthernet, 77, v, s));
  EXPECT_EQ(v.data, buf.data());
  EXPECT_EQ(v.caplen, buf.size());
  EXPECT_EQ(v.wirelen, 1500u);
  EXPECT_EQ(v.ts, 77u);
  EXPECT_EQ(v.link_type, net::kLinkEthernet);
  EXPECT_EQ(v.ip_version, 4);
  EXPECT_EQ(v.l4_proto, 6);
  EXPECT_EQ(v.ttl, 64);
  EXPECT_EQ(v.src.to_string(), "10.1.2.3");
  EXPECT_EQ(v.dst.to_string(), "192.168.7.9");
  EXPECT_EQ(v.sport, 40000);
  EXPECT_EQ(v.dport, 443);
  EXPECT_EQ(v.tcp_flags, kSyn | kAck);
  EXPECT_EQ(v.tcp_seq, 0x11223344u);
  EXPECT_EQ(v.tcp_ack, 0x55667788u);
  EXPECT_EQ(v.tcp_window, 0x7210);
  EXPECT_EQ(v.ip_len, 20u + 20u + 5u);
  EXPECT_EQ(v.l3_offset, 14);
  EXPECT_EQ(v.l4_offset, 34);
  EXPECT_EQ(v.payload_offset, 54);
  EXPECT_EQ(v.payload_len, 5);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.payload()), v.payload_len), "hello");
  EXPECT_EQ(v.fragment, Fragment::kNone);
  EXPECT_EQ(v.tunnel, Tunnel::kNone);
  EXPECT_EQ(v.encap_depth, 0);
  EXPECT_EQ(v.anomaly, Anomaly::kNone);
  EXPECT_EQ(s.frames, 1u);
  EXPECT_EQ(s.ipv4, 1u);
  EXPECT_EQ(s.tcp, 1u);
  EXPECT_EQ(s.anomalies_total(), 0u);
}

TEST(DecodeTcp, OptionsMoveThePayload) {
  TcpOpts o;
  o.data_offset_words = 8;
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(1, 2, kAck, text("xyz"), o))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.payload_offset, 14 + 20 + 32);
  EXPECT_EQ(d.view.payload_len, 3);
}

TEST(DecodeIpv4, OptionsAreSkipped) {
  Ipv4Opts o;
  o.options = {0x01, 0x01, 0x01, 0x00, 0x94, 0x04, 0x00, 0x00};  // NOP NOP NOP EOL, router alert
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 17, udp(53, 5353, text("q")), o)));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.l4_offset, 14 + 28);
  EXPECT_EQ(d.view.sport, 53);
  EXPECT_EQ(d.view.dport, 5353);
  EXPECT_EQ(d.view.payload_len, 1);
}

TEST(DecodeIpv4, EthernetPaddingIsNotPayload) {
  Bytes frame = eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(1000, 22, kAck, text("ab"))));
  frame.resize(60, 0xEE);  // minimum Ethernet frame without FCS
  auto d = run(frame);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.payload_len, 2);
  EXPECT_EQ(d.view.ip_len, 42u);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(DecodeIpv4, SnaplenCutPayloadIsNotAnAnomaly) {
  const Bytes frame = eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(1000, 22, kAck, Bytes(100, 'x'))));
  auto d = run(frame, net::kLinkEthernet, std::uint32_t(frame.size()), 64);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.payload_len, 64 - 54);
  EXPECT_EQ(d.view.ip_len, 140u);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(DecodeIpv4, FirstFragmentKeepsPorts) {
  Ipv4Opts o;
  o.frag = 0x2000;  // MF, offset 0
  // The UDP length describes the whole datagram, more than this fragment holds.
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 17, udp(5000, 53, Bytes(16, 1), 1000), o)));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.fragment, Fragment::kFirst);
  EXPECT_EQ(d.view.sport, 5000);
  EXPECT_EQ(d.view.dport, 53);
  EXPECT_EQ(d.view.payload_len, 16);
  EXPECT_EQ(d.stats.fragments, 1u);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(DecodeIpv4, LaterFragmentIsCountedAndNotAFlow) {
  Ipv4Opts o;
  o.frag = 0x2000 | 185;  // MF, offset 1480
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 17, Bytes(64, 7), o)));
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.view.fragment, Fragment::kLater);
  EXPECT_EQ(d.view.ip_version, 4);
  EXPECT_EQ(d.view.l4_proto, 17);
  EXPECT_EQ(d.view.sport, 0);
  EXPECT_EQ(d.stats.fragments, 1u);
  EXPECT_EQ(d.skipped(Skipped::kLaterFragment), 1u);
  EXPECT_EQ(d.stats.udp, 0u);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(DecodeIpv6, UdpFieldsAreDecoded) {
  auto d = run(eth(0x86DD, ipv6(kSrc6, kDst6, 17, udp(5353, 53, text("abcd")))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.ip_version, 6);
  EXPECT_EQ(d.view.src.to_string(), "2001:db8::1");
  EXPECT_EQ(d.view.dst.to_string(), "2001:db8::beef");
  EXPECT_EQ(d.view.ttl, 63);
  EXPECT_EQ(d.view.l4_proto, 17);
  EXPECT_EQ(d.view.sport, 5353);
  EXPECT_EQ(d.view.dport, 53);
  EXPECT_EQ(d.view.ip_len, 40u + 12u);
  EXPECT_EQ(d.view.l4_offset, 54);
  EXPECT_EQ(d.view.payload_offset, 62);
  EXPECT_EQ(d.view.payload_len, 4);
  EXPECT_EQ(d.stats.ipv6, 1u);
  EXPECT_EQ(d.stats.udp, 1u);
}

TEST(DecodeIpv6, ExtensionHeadersAreWalked) {
  // hop-by-hop -> routing -> destination options -> AH -> TCP
  const Bytes l4 = tcp(2222, 80, kSyn);
  const Bytes chain =
      ipv6_ext(/*next=*/43, 0,                       // hop-by-hop, 8 bytes
               ipv6_ext(/*next=*/60, 1,              // routing, 16 bytes
                        ipv6_ext(/*next=*/51, 0,     // destination options, 8 bytes
                                 ipv6_ah(/*next=*/6, 4, l4))));  // AH, 24 bytes
  auto d = run(eth(0x86DD, ipv6(kSrc6, kDst6, 0, chain)));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.l4_proto, 6);
  EXPECT_EQ(d.view.l4_offset, 14 + 40 + 8 + 16 + 8 + 24);
  EXPECT_EQ(d.view.sport, 2222);
  EXPECT_EQ(d.view.dport, 80);
  EXPECT_EQ(d.view.tcp_flags, kSyn);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(DecodeIpv6, FragmentHeader) {
  auto first = run(eth(0x86DD, ipv6(kSrc6, kDst6, 44, ipv6_frag(17, 0, true, udp(1, 2, Bytes(8, 0))))));
  ASSERT_TRUE(first.ok);
  EXPECT_EQ(first.view.fragment, Fragment::kFirst);
  EXPECT_EQ(first.view.sport, 1);
  EXPECT_EQ(first.view.dport, 2);
  EXPECT_EQ(first.stats.fragments, 1u);

  auto later = run(eth(0x86DD, ipv6(kSrc6, kDst6, 44, ipv6_frag(17, 100, false, Bytes(24, 0)))));
  EXPECT_FALSE(later.ok);
  EXPECT_EQ(later.view.fragment, Fragment::kLater);
  EXPECT_EQ(later.view.l4_proto, 17);
  EXPECT_EQ(later.skipped(Skipped::kLaterFragment), 1u);
  EXPECT_EQ(later.stats.fragments, 1u);

  // Offset 0 without M: an atomic fragment, a whole packet (RFC 6946).
  auto atomic = run(eth(0x86DD, ipv6(kSrc6, kDst6, 44, ipv6_frag(6, 0, false, tcp(7, 8, kRst)))));
  ASSERT_TRUE(atomic.ok);
  EXPECT_EQ(atomic.view.fragment, Fragment::kNone);
  EXPECT_EQ(atomic.view.dport, 8);
  EXPECT_EQ(atomic.stats.fragments, 0u);
}

TEST(DecodeIcmp, TypeAndCode) {
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 1, icmp(3, 13, Bytes(28, 0)))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.l4_proto, 1);
  EXPECT_EQ(d.view.icmp_type, 3);
  EXPECT_EQ(d.view.icmp_code, 13);
  EXPECT_EQ(d.view.sport, 0);
  EXPECT_EQ(d.view.dport, 0);
  EXPECT_EQ(d.view.payload_len, 28);
  EXPECT_EQ(d.stats.icmp, 1u);
}

TEST(DecodeIcmpv6, TypeAndCode) {
  auto d = run(eth(0x86DD, ipv6(kSrc6, kDst6, 58, icmp(128, 0, text("ping")))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.l4_proto, 58);
  EXPECT_EQ(d.view.icmp_type, 128);
  EXPECT_EQ(d.view.icmp_code, 0);
  EXPECT_EQ(d.view.payload_len, 4);
  EXPECT_EQ(d.stats.icmpv6, 1u);
}

TEST(DecodeL4, SctpPortsAreDecodedButProtocolIsUnhandled) {
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 132, sctp(3868, 3869))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.l4_proto, 132);
  EXPECT_EQ(d.view.sport, 3868);
  EXPECT_EQ(d.view.dport, 3869);
  EXPECT_TRUE(d.view.has_ports());
  EXPECT_EQ(d.skipped(Skipped::kUnhandledIpProtocol), 1u);
}

TEST(DecodeL4, EspIsAFlowWithoutPorts) {
  auto d = run(eth(0x0800, ipv4(kSrc4, kDst4, 50, Bytes(40, 0xAA))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.l4_proto, 50);
  EXPECT_EQ(d.view.sport, 0);
  EXPECT_EQ(d.view.dport, 0);
  EXPECT_EQ(d.view.payload_offset, 34);
  EXPECT_EQ(d.view.payload_len, 40);
  EXPECT_EQ(d.skipped(Skipped::kUnhandledIpProtocol), 1u);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(DecodeEthernet, ArpAndLldpAreSkipped) {
  for (std::uint16_t type : {0x0806, 0x88CC}) {
    auto d = run(eth(type, Bytes(28, 0)));
    EXPECT_FALSE(d.ok);
    EXPECT_EQ(d.view.ip_version, 0);
    EXPECT_EQ(d.skipped(Skipped::kNonIpEthertype), 1u);
    EXPECT_EQ(d.stats.anomalies_total(), 0u);
  }
  // An 802.3 length field instead of a type.
  auto llc = run(eth(0x0026, Bytes(38, 0x42)));
  EXPECT_FALSE(llc.ok);
  EXPECT_EQ(llc.skipped(Skipped::kNonIpEthertype), 1u);
}

TEST(DecodeVlan, IdAndDepth) {
  auto d = run(eth(0x88A8, vlan(0x2064, 0x8100, vlan(0x60C8, 0x0800,
                                                     ipv4(kSrc4, kDst4, 6, tcp(1, 2, kSyn))))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.vlan_id, 200);  // innermost tag, PCP bits masked off
  EXPECT_EQ(d.view.vlan_depth, 2);
  EXPECT_EQ(d.view.l3_offset, 22);
  EXPECT_EQ(d.stats.vlan, 1u);
}

TEST(DecodeMpls, StackDepth) {
  auto d = run(eth(0x8847, mpls(100, false, mpls(200, false, mpls(0, true,
                                     ipv6(kSrc6, kDst6, 6, tcp(1, 2, kSyn)))))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.mpls_depth, 3);
  EXPECT_EQ(d.view.ip_version, 6);
  EXPECT_EQ(d.view.l3_offset, 26);
  EXPECT_EQ(d.stats.mpls, 1u);
}

TEST(DecodeMpls, NonIpPayloadIsSkipped) {
  // Pseudowire control word (first nibble 0) then Ethernet.
  auto d = run(eth(0x8847, mpls(16, true, Bytes{0, 0, 0, 0} + eth(0x0800, Bytes(20, 0)))));
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.skipped(Skipped::kNonIpEthertype), 1u);
}

TEST(DecodeVxlan, VniAndInnerPacket) {
  const Bytes inner = eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(1111, 80, kPsh | kAck, text("GET"))));
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17, udp(49152, 4789, vxlan(0xABCDE, inner)))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.tunnel, Tunnel::kVxlan);
  EXPECT_EQ(d.view.tunnel_id, 0xABCDEu);
  EXPECT_EQ(d.view.encap_depth, 1);
  EXPECT_EQ(d.view.src.to_string(), "10.1.2.3");
  EXPECT_EQ(d.view.l3_offset, 14 + 20 + 8 + 8 + 14);
  EXPECT_EQ(d.view.payload_len, 3);
  EXPECT_EQ(d.stats.ipv4, 2u);
  EXPECT_EQ(d.stats.udp, 1u);
  EXPECT_EQ(d.stats.tcp, 1u);
  EXPECT_EQ(d.stats.vxlan, 1u);
}

TEST(DecodeGre, KeyBecomesTunnelId) {
  GreOpts o;
  o.key = 0xDEADBEEF;
  o.seq = 9;
  o.checksum = true;
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 47,
                                gre(0x0800, ipv4(kSrc4, kDst4, 17, udp(1, 2)), o))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.tunnel, Tunnel::kGre);
  EXPECT_EQ(d.view.tunnel_id, 0xDEADBEEFu);
  EXPECT_EQ(d.view.l3_offset, 14 + 20 + 16);
  EXPECT_EQ(d.stats.gre, 1u);
}

TEST(DecodeGre, PptpIsReportedAsTheGreFlow) {
  Bytes pptp{0x30, 0x01, 0x88, 0x0B, 0x00, 0x04, 0x00, 0x07, 0xff, 0x03, 0x00, 0x21};
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 47, pptp)));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.l4_proto, 47);
  EXPECT_EQ(d.view.src.to_string(), "172.16.0.1");
  EXPECT_EQ(d.view.tunnel, Tunnel::kNone);
  EXPECT_EQ(d.stats.gre, 1u);
  EXPECT_EQ(d.stats.anomalies_total(), 0u);
}

TEST(DecodeErspan, SessionIds) {
  const Bytes inner = eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(1, 2, kSyn)));
  GreOpts seq;
  seq.seq = 1;
  auto two = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 47, gre(0x88BE, erspan2(0x155, inner), seq))));
  ASSERT_TRUE(two.ok);
  EXPECT_EQ(two.view.tunnel, Tunnel::kErspan2);
  EXPECT_EQ(two.view.tunnel_id, 0x155u);
  EXPECT_EQ(two.stats.erspan, 1u);
  EXPECT_EQ(two.stats.gre, 1u);

  auto three = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 47, gre(0x22EB, erspan3(0x3FF, true, 0, inner)))));
  ASSERT_TRUE(three.ok);
  EXPECT_EQ(three.view.tunnel, Tunnel::kErspan3);
  EXPECT_EQ(three.view.tunnel_id, 0x3FFu);
  EXPECT_EQ(three.view.l3_offset, 14 + 20 + 4 + 12 + 8 + 14);

  // Frame type 2: the mirrored packet starts at IP.
  auto ip_only = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 47,
                                      gre(0x22EB, erspan3(7, false, 2, ipv4(kSrc4, kDst4, 6, tcp(1, 2, kSyn)))))));
  ASSERT_TRUE(ip_only.ok);
  EXPECT_EQ(ip_only.view.src.to_string(), "10.1.2.3");
  EXPECT_EQ(ip_only.view.tunnel_id, 7u);
}

TEST(DecodeGeneve, OptionsAndProtocols) {
  const Bytes ip = ipv4(kSrc4, kDst4, 6, tcp(1, 2, kSyn));
  auto ethernet = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17,
                                       udp(3333, 6081, geneve(0x123456, 0x6558, 2, eth(0x0800, ip))))));
  ASSERT_TRUE(ethernet.ok);
  EXPECT_EQ(ethernet.view.tunnel, Tunnel::kGeneve);
  EXPECT_EQ(ethernet.view.tunnel_id, 0x123456u);
  EXPECT_EQ(ethernet.view.l3_offset, 14 + 20 + 8 + 8 + 8 + 14);
  EXPECT_EQ(ethernet.stats.geneve, 1u);

  auto bare_ip = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17, udp(3333, 6081, geneve(5, 0x0800, 0, ip)))));
  ASSERT_TRUE(bare_ip.ok);
  EXPECT_EQ(bare_ip.view.l3_offset, 14 + 20 + 8 + 8);
  EXPECT_EQ(bare_ip.view.dport, 2);
}

TEST(DecodeTunnel, BrokenInnerPacketLeavesOuterReported) {
  // VXLAN carrying ARP: the outer UDP datagram is still a real flow.
  auto d = run(eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17, udp(49152, 4789, vxlan(9, eth(0x0806, Bytes(28, 0)))))));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.view.src.to_string(), "172.16.0.1");
  EXPECT_EQ(d.view.dport, 4789);
  EXPECT_EQ(d.view.tunnel, Tunnel::kNone);
  EXPECT_EQ(d.view.encap_depth, 0);
  EXPECT_EQ(d.skipped(Skipped::kNonIpEthertype), 1u);
}

namespace {
void expect_same_view(const net::PacketView& a, const net::PacketView& b) {
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.caplen, b.caplen);
  EXPECT_EQ(a.wirelen, b.wirelen);
  EXPECT_EQ(a.ts, b.ts);
  EXPECT_EQ(a.link_type, b.link_type);
  EXPECT_EQ(a.ip_version, b.ip_version);
  EXPECT_EQ(a.l4_proto, b.l4_proto);
  EXPECT_EQ(a.ttl, b.ttl);
  EXPECT_EQ(a.fragment, b.fragment);
  EXPECT_EQ(a.src, b.src);
  EXPECT_EQ(a.dst, b.dst);
  EXPECT_EQ(a.sport, b.sport);
  EXPECT_EQ(a.dport, b.dport);
  EXPECT_EQ(a.tcp_flags, b.tcp_flags);
  EXPECT_EQ(a.icmp_type, b.icmp_type);
  EXPECT_EQ(a.icmp_code, b.icmp_code);
  EXPECT_EQ(a.tcp_seq, b.tcp_seq);
  EXPECT_EQ(a.tcp_ack, b.tcp_ack);
  EXPECT_EQ(a.tcp_window, b.tcp_window);
  EXPECT_EQ(a.ip_len, b.ip_len);
  EXPECT_EQ(a.l3_offset, b.l3_offset);
  EXPECT_EQ(a.l4_offset, b.l4_offset);
  EXPECT_EQ(a.payload_offset, b.payload_offset);
  EXPECT_EQ(a.payload_len, b.payload_len);
  EXPECT_EQ(a.vlan_id, b.vlan_id);
  EXPECT_EQ(a.vlan_depth, b.vlan_depth);
  EXPECT_EQ(a.mpls_depth, b.mpls_depth);
  EXPECT_EQ(a.tunnel, b.tunnel);
  EXPECT_EQ(a.tunnel_id, b.tunnel_id);
  EXPECT_EQ(a.encap_depth, b.encap_depth);
  EXPECT_EQ(a.anomaly, b.anomaly);
}
}  // namespace

TEST(DecodeView, ReusedViewKeepsNothingFromThePreviousFrame) {
  // The capture loop reuses one view per slot: a frame must not inherit fields.
  GreOpts keyed;
  keyed.key = 5;
  Ipv4Opts first_fragment;
  first_fragment.frag = 0x2000;
  const Bytes rich = eth(0x8100, vlan(7, 0x8847, mpls(9, true, ipv4(kOuterSrc4, kOuterDst4, 47,
      gre(0x0800, ipv4(kSrc4, kDst4, 6, tcp(1, 2, kSyn, text("x")), first_fragment), keyed)))));
  const Bytes icmp_frame = eth(0x0800, ipv4(kSrc4, kDst4, 1, icmp(8, 0, text("ping"))));
  const std::vector<Bytes> next_frames = {eth(0x0806, Bytes(28, 0)), Bytes(5, 0), icmp_frame,
                                          eth(0x0800, ipv4(kSrc4, kDst4, 6, Bytes(3, 0)))};
  for (const Bytes& next : next_frames) {
    net::PacketView reused, fresh;
    net::DecodeStats s;
    ASSERT_TRUE(net::decode(rich.data(), std::uint32_t(rich.size()), 0, net::kLinkEthernet, 1, reused, s));
    ASSERT_EQ(reused.tunnel_id, 5u);
    ASSERT_NE(reused.tcp_seq, 0u);
    const bool a = net::decode(next.data(), std::uint32_t(next.size()), 0, net::kLinkEthernet, 2, reused, s);
    const bool b = net::decode(next.data(), std::uint32_t(next.size()), 0, net::kLinkEthernet, 2, fresh, s);
    EXPECT_EQ(a, b);
    expect_same_view(reused, fresh);
  }
}
