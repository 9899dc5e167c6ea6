#pragma once
// The same inner packets wrapped in every supported encapsulation. Shared by
// the equivalence, truncation and tshark tests.
#include <string>
#include <vector>

#include "frame_builder.hpp"

namespace fb {

struct Fixture {
  std::string name;
  Bytes frame;
  std::uint32_t link = picket::net::kLinkEthernet;
  picket::net::Tunnel tunnel = picket::net::Tunnel::kNone;
  std::uint32_t tunnel_id = 0;
};

inline Bytes inner_ipv4_tcp() {
  return ipv4(kSrc4, kDst4, 6, tcp(51515, 443, kPsh | kAck, text("payload!")));
}
inline Bytes inner_ipv6_udp() { return ipv6(kSrc6, kDst6, 17, udp(5353, 53, text("dns?"))); }

inline std::vector<Fixture> ipv4_fixtures() {
  using picket::net::Tunnel;
  namespace net = picket::net;
  const Bytes ip = inner_ipv4_tcp();
  const Bytes inner_eth = eth(0x0800, ip);
  auto outer = [](std::uint8_t proto, const Bytes& payload) {
    return eth(0x0800, ipv4(kOuterSrc4, kOuterDst4, proto, payload));
  };
  GreOpts keyed;
  keyed.key = 0x00C0FFEE;
  GreOpts seq;
  seq.seq = 77;
  GreOpts all;
  all.checksum = true;
  all.key = 42;
  all.seq = 1;
  return {
      {"plain", eth(0x0800, ip)},
      {"vlan", eth(0x8100, vlan(10, 0x0800, ip))},
      {"qinq_88a8", eth(0x88A8, vlan(100, 0x8100, vlan(10, 0x0800, ip)))},
      {"qinq_9100", eth(0x9100, vlan(100, 0x8100, vlan(10, 0x0800, ip)))},
      {"mpls", eth(0x8847, mpls(1000, true, ip))},
      {"mpls_stack", eth(0x8848, mpls(1, false, mpls(2, false, mpls(3, true, ip))))},
      {"vlan_mpls", eth(0x8100, vlan(5, 0x8847, mpls(1000, true, ip)))},
      {"vxlan", outer(17, udp(40000, 4789, vxlan(4242, inner_eth))), net::kLinkEthernet, Tunnel::kVxlan, 4242},
      {"geneve_eth", outer(17, udp(40000, 6081, geneve(77, 0x6558, 1, inner_eth))), net::kLinkEthernet, Tunnel::kGeneve, 77},
      {"geneve_ip", outer(17, udp(40000, 6081, geneve(78, 0x0800, 0, ip))), net::kLinkEthernet, Tunnel::kGeneve, 78},
      {"gre", outer(47, gre(0x0800, ip)), net::kLinkEthernet, Tunnel::kGre, 0},
      {"gre_key", outer(47, gre(0x0800, ip, keyed)), net::kLinkEthernet, Tunnel::kGre, 0x00C0FFEE},
      {"gre_all_flags", outer(47, gre(0x0800, ip, all)), net::kLinkEthernet, Tunnel::kGre, 42},
      {"gre_teb", outer(47, gre(0x6558, inner_eth, keyed)), net::kLinkEthernet, Tunnel::kGre, 0x00C0FFEE},
      {"erspan1", outer(47, gre(0x88BE, inner_eth)), net::kLinkEthernet, Tunnel::kErspan2, 0},
      {"erspan2", outer(47, gre(0x88BE, erspan2(300, inner_eth), seq)), net::kLinkEthernet, Tunnel::kErspan2, 300},
      {"erspan3", outer(47, gre(0x22EB, erspan3(301, false, 0, inner_eth), seq)), net::kLinkEthernet, Tunnel::kErspan3, 301},
      {"erspan3_subheader", outer(47, gre(0x22EB, erspan3(302, true, 0, inner_eth))), net::kLinkEthernet, Tunnel::kErspan3, 302},
      {"vxlan_in_gre", outer(47, gre(0x0800, ipv4(kOuterSrc4, kOuterDst4, 17, udp(1, 4789, vxlan(9, inner_eth))))), net::kLinkEthernet, Tunnel::kVxlan, 9},
      {"sll", sll(0x0800, ip), net::kLinkLinuxSll},
      {"sll_vlan", sll(0x8100, vlan(10, 0x0800, ip)), net::kLinkLinuxSll},
      {"sll2", sll2(0x0800, ip), net::kLinkLinuxSll2},
      {"null_le", null_le(2, ip), net::kLinkNull},
      {"null_be", family_be(2, ip), net::kLinkNull},
      {"loop", family_be(2, ip), net::kLinkLoop},
      {"raw", ip, net::kLinkRaw},
      {"raw_12", ip, net::kLinkRawAlt},
      {"raw_14", ip, net::kLinkRawOpenBsd},
      {"ipv4_linktype", ip, net::kLinkIpv4},
  };
}

inline std::vector<Fixture> ipv6_fixtures() {
  using picket::net::Tunnel;
  namespace net = picket::net;
  const Bytes ip = inner_ipv6_udp();
  const Bytes inner_eth = eth(0x86DD, ip);
  auto outer6 = [](std::uint8_t proto, const Bytes& payload) {
    return eth(0x86DD, ipv6(kSrc6, kDst6, proto, payload));
  };
  return {
      {"plain6", eth(0x86DD, ip)},
      {"vlan6", eth(0x8100, vlan(10, 0x86DD, ip))},
      {"mpls6", eth(0x8847, mpls(2, true, ip))},
      {"vxlan6_over_v6", outer6(17, udp(40000, 4789, vxlan(1, inner_eth))), net::kLinkEthernet, Tunnel::kVxlan, 1},
      {"gre6", outer6(47, gre(0x86DD, ip)), net::kLinkEthernet, Tunnel::kGre, 0},
      {"geneve6_ip", outer6(17, udp(40000, 6081, geneve(3, 0x86DD, 0, ip))), net::kLinkEthernet, Tunnel::kGeneve, 3},
      {"sll6", sll(0x86DD, ip), net::kLinkLinuxSll},
      {"sll2_6", sll2(0x86DD, ip), net::kLinkLinuxSll2},
      {"null24", null_le(24, ip), net::kLinkNull},
      {"null28", null_le(28, ip), net::kLinkNull},
      {"null30", null_le(30, ip), net::kLinkNull},
      {"null30_be", family_be(30, ip), net::kLinkNull},
      {"loop6", family_be(24, ip), net::kLinkLoop},
      {"raw6", ip, net::kLinkRaw},
      {"ipv6_linktype", ip, net::kLinkIpv6},
  };
}

}  // namespace fb
