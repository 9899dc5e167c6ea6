// Every encapsulation must report the same inner 5-tuple and payload as the
// plain frame, plus the right tunnel identification.
#include <gtest/gtest.h>

#include "fixtures.hpp"

using namespace fb;
namespace net = picket::net;

namespace {

struct FiveTuple {
  std::string src, dst;
  std::uint16_t sport, dport;
  std::uint8_t proto;
  std::string payload;
  bool operator==(const FiveTuple&) const = default;
};
std::ostream& operator<<(std::ostream& os, const FiveTuple& t) {
  return os << t.src << ":" << t.sport << " -> " << t.dst << ":" << t.dport << " proto "
            << int(t.proto) << " payload '" << t.payload << "'";
}

FiveTuple decode_tuple(const Fixture& f, net::PacketView& v, net::DecodeStats& s, bool& ok) {
  ok = net::decode(f.frame.data(), std::uint32_t(f.frame.size()), std::uint32_t(f.frame.size()),
                   f.link, 0, v, s);
  return {v.src.to_string(), v.dst.to_string(), v.sport, v.dport, v.l4_proto,
          std::string(reinterpret_cast<const char*>(v.payload()), v.payload_len)};
}

void check_family(const std::vector<Fixture>& fixtures, const FiveTuple& expected) {
  for (const auto& f : fixtures) {
    SCOPED_TRACE(f.name);
    net::PacketView v;
    net::DecodeStats s;
    bool ok = false;
    const FiveTuple got = decode_tuple(f, v, s, ok);
    EXPECT_TRUE(ok);
    EXPECT_EQ(got, expected);
    EXPECT_EQ(v.tunnel, f.tunnel);
    EXPECT_EQ(v.tunnel_id, f.tunnel_id);
    EXPECT_EQ(v.encap_depth, f.name == "vxlan_in_gre" ? 2 : f.tunnel == net::Tunnel::kNone ? 0 : 1);
    EXPECT_EQ(v.anomaly, net::Anomaly::kNone);
    EXPECT_EQ(s.anomalies_total(), 0u);
    EXPECT_EQ(v.link_type, f.link);
  }
}

}  // namespace

TEST(Encapsulation, Ipv4TcpIsTheSameInEveryWrapper) {
  check_family(ipv4_fixtures(), {"10.1.2.3", "192.168.7.9", 51515, 443, 6, "payload!"});
}

TEST(Encapsulation, Ipv6UdpIsTheSameInEveryWrapper) {
  check_family(ipv6_fixtures(), {"2001:db8::1", "2001:db8::beef", 5353, 53, 17, "dns?"});
}

TEST(Encapsulation, CountersNameEachLayer) {
  for (const auto& f : ipv4_fixtures()) {
    net::PacketView v;
    net::DecodeStats s;
    net::decode(f.frame.data(), std::uint32_t(f.frame.size()), 0, f.link, 0, v, s);
    SCOPED_TRACE(f.name);
    EXPECT_EQ(s.tcp, 1u);
    EXPECT_EQ(s.vlan, f.name.find("vlan") != std::string::npos || f.name.find("qinq") != std::string::npos ? 1u : 0u);
    EXPECT_EQ(s.mpls, f.name.find("mpls") != std::string::npos ? 1u : 0u);
    EXPECT_EQ(s.vxlan, f.name.find("vxlan") != std::string::npos ? 1u : 0u);
    EXPECT_EQ(s.geneve, f.name.find("geneve") != std::string::npos ? 1u : 0u);
    EXPECT_EQ(s.erspan, f.name.find("erspan") != std::string::npos ? 1u : 0u);
    EXPECT_EQ(s.gre, f.name.find("gre") != std::string::npos || f.name.find("erspan") != std::string::npos ? 1u : 0u);
  }
}

TEST(Encapsulation, TunnelDepthIsBounded) {
  // Five GRE layers: the fifth is refused, the fourth inner packet is reported.
  Bytes packet = inner_ipv4_tcp();
  for (int i = 0; i < 5; ++i) {
    GreOpts o;
    o.key = std::uint32_t(i + 1);
    packet = ipv4(kOuterSrc4, kOuterDst4, 47, gre(0x0800, packet, o));
  }
  auto d = run(eth(0x0800, packet));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.anomaly(net::Anomaly::kEncapsulationTooDeep), 1u);
  EXPECT_EQ(d.view.anomaly, net::Anomaly::kEncapsulationTooDeep);
  EXPECT_EQ(d.view.encap_depth, 4);
  EXPECT_EQ(d.view.tunnel_id, 2u);  // keys count down from the outside: 5,4,3,2 crossed
  EXPECT_EQ(d.view.l4_proto, 47);
  EXPECT_EQ(d.view.src.to_string(), "172.16.0.1");

  Bytes four = inner_ipv4_tcp();
  for (int i = 0; i < 4; ++i) four = ipv4(kOuterSrc4, kOuterDst4, 47, gre(0x0800, four));
  auto ok = run(eth(0x0800, four));
  ASSERT_TRUE(ok.ok);
  EXPECT_EQ(ok.view.encap_depth, 4);
  EXPECT_EQ(ok.view.dport, 443);
  EXPECT_EQ(ok.stats.anomalies_total(), 0u);
}

TEST(Encapsulation, VlanDepthIsBounded) {
  auto stack = [](int tags) {
    Bytes b = inner_ipv4_tcp();
    std::uint16_t next = 0x0800;
    for (int i = 0; i < tags; ++i) {
      b = vlan(std::uint16_t(i + 1), next, b);
      next = 0x8100;
    }
    return eth(0x8100, b);
  };
  auto eight = run(stack(8));
  ASSERT_TRUE(eight.ok);
  EXPECT_EQ(eight.view.vlan_depth, 8);
  EXPECT_EQ(eight.view.vlan_id, 1);
  auto nine = run(stack(9));
  EXPECT_FALSE(nine.ok);
  EXPECT_EQ(nine.anomaly(net::Anomaly::kEncapsulationTooDeep), 1u);
}
