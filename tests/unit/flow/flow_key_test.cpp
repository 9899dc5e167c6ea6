// FlowKey: canonical order, symmetry of key and hash, VLAN/tunnel separation.
#include <gtest/gtest.h>

#include "flow_test_util.hpp"

using namespace flowtest;
using picket::flow::FlowKey;

namespace {

struct SymCase {
  const char* name;
  const char* a;
  std::uint16_t aport;
  const char* b;
  std::uint16_t bport;
  std::uint8_t proto;
  bool a_is_lo;  // expected: A is the lower end
};

const SymCase kSymCases[] = {
    {"v4_tcp", "10.0.0.1", 40000, "10.0.0.2", 80, kTcp, true},
    {"v4_udp_reversed_order", "192.168.1.9", 53, "10.0.0.2", 5353, kUdp, false},
    {"v4_same_addr_ports_decide", "10.0.0.5", 9000, "10.0.0.5", 80, kTcp, false},
    {"v6_tcp", "2001:db8::1", 443, "2001:db8::2", 50000, kTcp, true},
    {"v6_udp_reversed", "fe80::ff", 1, "fe80::1", 2, kUdp, false},
    {"v6_vs_v4_mapped_order", "::1", 1000, "8.8.8.8", 53, kUdp, true},
};

class KeySymmetry : public ::testing::TestWithParam<SymCase> {};

TEST_P(KeySymmetry, BothDirectionsGiveSameKeyAndHash) {
  const SymCase& c = GetParam();
  const auto ab = packet(c.a, c.aport, c.b, c.bport, c.proto, 0, 1);
  const auto ba = packet(c.b, c.bport, c.a, c.aport, c.proto, 0, 2);
  bool ab_lo = false, ba_lo = false;
  const FlowKey k1 = FlowKey::from_packet(ab, ab_lo);
  const FlowKey k2 = FlowKey::from_packet(ba, ba_lo);
  EXPECT_TRUE(k1 == k2);
  EXPECT_EQ(k1.hash(), k2.hash());
  EXPECT_EQ(ab_lo, c.a_is_lo);
  EXPECT_EQ(ba_lo, !c.a_is_lo);
  // The lower end really is stored first, with its own port.
  EXPECT_EQ(k1.lo, c.a_is_lo ? ip(c.a) : ip(c.b));
  EXPECT_EQ(k1.lo_port, c.a_is_lo ? c.aport : c.bport);
  EXPECT_EQ(k1.hi_port, c.a_is_lo ? c.bport : c.aport);
  EXPECT_EQ(k1.proto, c.proto);
  EXPECT_EQ(k1.reserved, 0);
}

INSTANTIATE_TEST_SUITE_P(Flow, KeySymmetry, ::testing::ValuesIn(kSymCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FlowKey, DifferentPortsOrProtocolGiveDifferentKeys) {
  bool lo = false;
  const FlowKey base = FlowKey::from_packet(packet("10.0.0.1", 1000, "10.0.0.2", 80, kTcp, 0, 1), lo);
  const FlowKey other_port = FlowKey::from_packet(packet("10.0.0.1", 1001, "10.0.0.2", 80, kTcp, 0, 1), lo);
  const FlowKey other_proto = FlowKey::from_packet(packet("10.0.0.1", 1000, "10.0.0.2", 80, kUdp, 0, 1), lo);
  EXPECT_FALSE(base == other_port);
  EXPECT_FALSE(base == other_proto);
  EXPECT_NE(base.hash(), other_port.hash());
  EXPECT_NE(base.hash(), other_proto.hash());
}

TEST(FlowKey, VlanAndTunnelIdSeparateTenants) {
  auto p = packet("10.0.0.1", 1000, "10.0.0.2", 80, kTcp, kSyn, 1);
  bool lo = false;
  const FlowKey plain = FlowKey::from_packet(p, lo);
  p.vlan_id = 100;
  const FlowKey vlan100 = FlowKey::from_packet(p, lo);
  p.vlan_id = 200;
  const FlowKey vlan200 = FlowKey::from_packet(p, lo);
  p.vlan_id = 100;
  p.tunnel_id = 5001;
  const FlowKey vni = FlowKey::from_packet(p, lo);
  EXPECT_EQ(vlan100.vlan, 100);
  EXPECT_EQ(vni.tunnel_id, 5001u);
  const FlowKey all[] = {plain, vlan100, vlan200, vni};
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j) {
      EXPECT_FALSE(all[i] == all[j]) << i << " vs " << j;
      EXPECT_NE(all[i].hash(), all[j].hash()) << i << " vs " << j;
    }
  // The reverse direction on the same VLAN/tunnel is still the same flow.
  auto r = packet("10.0.0.2", 80, "10.0.0.1", 1000, kTcp, kSyn | kAck, 2);
  r.vlan_id = 100;
  r.tunnel_id = 5001;
  EXPECT_TRUE(FlowKey::from_packet(r, lo) == vni);
}

TEST(FlowKey, TableKeepsVlansApart) {
  flow::FlowTable t(64, flow::FlowTimeouts{});
  CollectSink sink;
  Feeder feed{t, sink};
  auto p = packet("10.0.0.1", 1000, "10.0.0.2", 80, kUdp, 0, seconds(1), 10);
  feed(p);
  EXPECT_TRUE(feed.created);
  p.vlan_id = 7;
  feed(p);
  EXPECT_TRUE(feed.created);
  p.vlan_id = 0;
  feed(p);
  EXPECT_FALSE(feed.created);
  EXPECT_EQ(t.size(), 2u);
}

}  // namespace

// operator== compares words: a difference in any of the key's 44 bytes
// (addresses, ports, protocol, VLAN, tunnel id) must make keys unequal.
TEST(FlowKey, EveryByteTakesPartInEquality) {
  auto p = packet("2001:db8::1", 1000, "2001:db8::2", 80, kTcp, kSyn, 1);
  p.vlan_id = 7;
  p.tunnel_id = 99;
  bool lo = false;
  const FlowKey k = FlowKey::from_packet(p, lo);
  FlowKey same = k;
  EXPECT_TRUE(k == same);
  for (std::size_t i = 0; i < sizeof(FlowKey); ++i) {
    FlowKey other = k;
    reinterpret_cast<unsigned char*>(&other)[i] ^= 0x10;
    EXPECT_FALSE(k == other) << "byte " << i;
  }
}
