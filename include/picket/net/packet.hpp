#pragma once
// PacketView: what the decoder chain learned about one frame. Plain data,
// filled without allocation; pointers refer to the frame bytes and are valid
// only while those bytes are (one burst).
#include <cstdint>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

namespace picket::net {

// Link types are libpcap's LINKTYPE_ values.
enum LinkType : std::uint32_t {
  kLinkNull = 0,        // BSD loopback, host-order AF_ family word
  kLinkEthernet = 1,
  kLinkRaw = 101,       // raw IPv4/IPv6, version nibble decides
  kLinkRawOpenBsd = 14, // DLT_RAW on some systems
  kLinkRawAlt = 12,     // DLT_RAW on others
  kLinkLoop = 108,      // OpenBSD loopback, network-order AF_ word
  kLinkLinuxSll = 113,
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkLinuxSll2 = 276,
};

enum class Fragment : std::uint8_t {
  kNone = 0,
  kFirst = 1,  // offset 0 with more-fragments set: carries the L4 header
  kLater = 2,  // offset > 0: no L4 header, not attributed to a flow
};

enum class Tunnel : std::uint8_t { kNone = 0, kVxlan, kGre, kErspan2, kErspan3, kGeneve };

// Named decode outcomes. Anomalies increment DecodeStats::anomaly[...]; the
// first anomaly of a frame is also stored in PacketView::anomaly.
enum class Anomaly : std::uint16_t {
  kNone = 0,
  kUnknownLinkType,
  kEthernetTruncated,
  kVlanTruncated,
  kMplsTruncated,
  kMplsLabelStackTooDeep,
  kSllTruncated,
  kNullTruncated,
  kIpv4Truncated,
  kIpv4BadVersion,
  kIpv4BadHeaderLength,
  kIpv4BadTotalLength,
  kIpv6Truncated,
  kIpv6BadVersion,
  kIpv6ExtensionTruncated,
  kIpv6TooManyExtensions,
  kTcpTruncated,
  kTcpBadDataOffset,
  kUdpTruncated,
  kUdpBadLength,
  kIcmpTruncated,
  kIcmpv6Truncated,
  kVxlanTruncated,
  kGreTruncated,
  kGreBadVersion,
  kErspanTruncated,
  kGeneveTruncated,
  kEncapsulationTooDeep,
  kCount
};
const char* anomaly_name(Anomaly a);  // snake_case, stable: used in stats JSON

// Frames that decode fine but carry nothing picket analyses; counted, not anomalies.
enum class Skipped : std::uint16_t {
  kNonIpEthertype = 0,  // ARP, LLDP, ...
  kLaterFragment,       // IPv4/IPv6 fragment with offset > 0
  kUnhandledIpProtocol, // not TCP/UDP/ICMP/ICMPv6 (e.g. ESP, OSPF): still a flow
  kCount
};
const char* skipped_name(Skipped s);

struct DecodeStats {
  std::uint64_t frames = 0;
  std::uint64_t ipv4 = 0, ipv6 = 0, tcp = 0, udp = 0, icmp = 0, icmpv6 = 0;
  std::uint64_t vlan = 0, mpls = 0, vxlan = 0, gre = 0, erspan = 0, geneve = 0;
  std::uint64_t fragments = 0;  // all IP fragments (first and later)
  std::uint64_t anomaly[static_cast<int>(Anomaly::kCount)] = {};
  std::uint64_t skipped[static_cast<int>(Skipped::kCount)] = {};

  void add(const DecodeStats& o);
  std::uint64_t anomalies_total() const;
};

struct PacketView {
  const std::uint8_t* data = nullptr;  // frame start
  std::uint32_t caplen = 0;            // bytes present
  std::uint32_t wirelen = 0;           // bytes on the wire
  core::Nanos ts = 0;
  std::uint32_t link_type = kLinkEthernet;

  // Innermost IP packet (after any tunnel), which is what picket analyses.
  std::uint8_t ip_version = 0;  // 0: no IP layer found
  std::uint8_t l4_proto = 0;    // IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...)
  std::uint8_t ttl = 0;         // TTL or hop limit
  Fragment fragment = Fragment::kNone;
  core::IpAddr src, dst;
  std::uint16_t sport = 0, dport = 0;  // 0 for protocols without ports
  std::uint8_t tcp_flags = 0;          // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80
  std::uint8_t icmp_type = 0, icmp_code = 0;
  std::uint32_t tcp_seq = 0, tcp_ack = 0;
  std::uint16_t tcp_window = 0;
  std::uint32_t ip_len = 0;       // inner IP total length as declared (header + payload)
  std::uint16_t l3_offset = 0;    // of the innermost IP header, from data
  std::uint16_t l4_offset = 0;    // of the L4 header
  std::uint16_t payload_offset = 0;
  std::uint16_t payload_len = 0;  // captured L4 payload bytes, bounded by ip_len (excludes padding)

  // Outer context.
  std::uint16_t vlan_id = 0;      // innermost 802.1Q/802.1ad VLAN id, 0 if none
  std::uint8_t vlan_depth = 0;
  std::uint8_t mpls_depth = 0;
  Tunnel tunnel = Tunnel::kNone;  // innermost tunnel crossed
  std::uint32_t tunnel_id = 0;    // VXLAN/Geneve VNI, GRE key, ERSPAN session id
  std::uint8_t encap_depth = 0;   // tunnels crossed

  Anomaly anomaly = Anomaly::kNone;

  const std::uint8_t* payload() const { return data + payload_offset; }
  bool has_ports() const { return l4_proto == 6 || l4_proto == 17 || l4_proto == 132; }
};

// Decodes one frame. Returns true when an IP packet usable for flow tracking
// was found (ip_version != 0, not a later fragment, no anomaly that hides the
// addresses). Never reads outside [data, data+caplen); never allocates.
bool decode(const std::uint8_t* data, std::uint32_t caplen, std::uint32_t wirelen,
            std::uint32_t link_type, core::Nanos ts, PacketView& out, DecodeStats& stats);

}  // namespace picket::net
