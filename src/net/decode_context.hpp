#pragma once
// Shared state of one decode() call, and the entry points of the per-protocol
// decoders. Internal to src/net: nothing here is part of the public contract.
//
// Every decoder receives the offset of its header and reads only through
// DecodeContext::has(), which keeps all loads inside [data, data+cap_end).
// Decoders return nothing: what was learned is written into `out`, and
// decode() derives its result from the innermost IP layer that was committed.
#include <cstdint>

#include "picket/net/packet.hpp"

namespace picket::net::detail {

// Bounds on attacker-controlled repetition, so the work per frame (and the
// recursion depth through tunnels) is constant.
inline constexpr std::uint8_t kMaxTunnels = 4;
inline constexpr std::uint8_t kMaxVlanTags = 8;
inline constexpr std::uint8_t kMaxMplsLabels = 8;
inline constexpr std::uint8_t kMaxIpv6Extensions = 8;
// PacketView offsets are 16-bit, so the view describes at most this prefix.
inline constexpr std::uint32_t kMaxViewBytes = 0xFFFF;

// Ethertypes used by more than one decoder.
inline constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEthertypeIpv6 = 0x86DD;
inline constexpr std::uint16_t kEthertypeVlan = 0x8100;
inline constexpr std::uint16_t kEthertypeQinQ = 0x88A8;
inline constexpr std::uint16_t kEthertypeQinQLegacy = 0x9100;
inline constexpr std::uint16_t kEthertypeMplsUnicast = 0x8847;
inline constexpr std::uint16_t kEthertypeMplsMulticast = 0x8848;
inline constexpr std::uint16_t kEthertypeTransparentEthernet = 0x6558;

// Byte loads: alignment- and endian-independent; GCC and Clang fuse each into
// a single load plus bswap where that is legal.
inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load_be24(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
inline std::uint32_t load_le32(const std::uint8_t* p) {
  return (std::uint32_t(p[3]) << 24) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[1]) << 8) | p[0];
}

struct DecodeContext {
  const std::uint8_t* data;
  // Readable end of the current layer: min(caplen, kMaxViewBytes), narrowed by
  // every IP/UDP length so that inner layers never see outer padding.
  std::uint32_t cap_end;
  // Declared end of the current layer on the wire (>= cap_end). Lengths that
  // exceed it are malformed; lengths that only exceed cap_end are snaplen cuts.
  std::uint32_t wire_end;
  PacketView& out;
  DecodeStats& stats;

  std::uint8_t tunnels = 0;    // tunnels entered so far
  std::uint8_t vlan_tags = 0;  // across the whole frame, inner Ethernet included
  // The tunnel crossed most recently; copied into `out` only when an IP header
  // behind it is committed, so a broken inner packet leaves the outer report intact.
  Tunnel pending_tunnel = Tunnel::kNone;
  std::uint32_t pending_tunnel_id = 0;

  bool has(std::uint32_t off, std::uint32_t n) const {
    return off <= cap_end && cap_end - off >= n;
  }
  const std::uint8_t* at(std::uint32_t off) const { return data + off; }

  void anomaly(Anomaly a) {
    ++stats.anomaly[static_cast<int>(a)];
    if (out.anomaly == Anomaly::kNone) out.anomaly = a;
  }
  void skip(Skipped s) { ++stats.skipped[static_cast<int>(s)]; }

  // Both IP layers call this once their header is known to be sane: from here
  // on the view describes this packet, so stale outer L4 fields are cleared.
  void commit_ip_layer(std::uint8_t version, std::uint32_t l3_offset) {
    out.ip_version = version;
    out.l3_offset = static_cast<std::uint16_t>(l3_offset);
    out.fragment = Fragment::kNone;
    out.sport = out.dport = 0;
    out.tcp_flags = 0;
    out.icmp_type = out.icmp_code = 0;
    out.tcp_seq = out.tcp_ack = 0;
    out.tcp_window = 0;
    out.l4_offset = out.payload_offset = out.payload_len = 0;
    out.tunnel = pending_tunnel;
    out.tunnel_id = pending_tunnel_id;
    out.encap_depth = tunnels;
  }

  // Narrows both ends to a layer that declares its own length.
  void limit_to(std::uint32_t end) {
    if (end < wire_end) wire_end = end;
    if (end < cap_end) cap_end = end;
  }

  // Returns false when the tunnel must not be entered; the caller then leaves
  // the outer packet as the reported one.
  bool enter_tunnel(Tunnel kind, std::uint32_t id) {
    // Without reassembly the inner headers of a fragmented outer packet are
    // partial and their lengths cannot be checked, so fragments stay opaque.
    if (out.fragment != Fragment::kNone) return false;
    if (tunnels >= kMaxTunnels) {
      anomaly(Anomaly::kEncapsulationTooDeep);
      return false;
    }
    ++tunnels;
    pending_tunnel = kind;
    pending_tunnel_id = id;
    return true;
  }
};

// Link layers.
void decode_ethernet(DecodeContext& ctx, std::uint32_t off);
void decode_vlan(DecodeContext& ctx, std::uint32_t off);  // off: first TCI
void decode_mpls(DecodeContext& ctx, std::uint32_t off);
void decode_sll(DecodeContext& ctx, std::uint32_t off);
void decode_sll2(DecodeContext& ctx, std::uint32_t off);
void decode_null(DecodeContext& ctx, std::uint32_t off);
void decode_loop(DecodeContext& ctx, std::uint32_t off);
void decode_raw_ip(DecodeContext& ctx, std::uint32_t off);

// Dispatch on an Ethernet protocol type (also used by SLL, GRE and Geneve).
void decode_ethertype(DecodeContext& ctx, std::uint16_t type, std::uint32_t off);

// Network layer.
void decode_ipv4(DecodeContext& ctx, std::uint32_t off);
void decode_ipv6(DecodeContext& ctx, std::uint32_t off);
// Dispatch on the IP protocol number once the IP layer is committed.
void decode_l4(DecodeContext& ctx, std::uint8_t proto, std::uint32_t off);

// Transport layer.
void decode_tcp(DecodeContext& ctx, std::uint32_t off);
void decode_udp(DecodeContext& ctx, std::uint32_t off);
void decode_icmp(DecodeContext& ctx, std::uint32_t off);
void decode_icmpv6(DecodeContext& ctx, std::uint32_t off);
// The 8-byte header ICMP and ICMPv6 share (icmp.cpp).
void decode_icmp_header(DecodeContext& ctx, std::uint32_t off, Anomaly truncated, std::uint64_t& counter);

// Tunnels.
void decode_vxlan(DecodeContext& ctx, std::uint32_t off);
void decode_geneve(DecodeContext& ctx, std::uint32_t off);
void decode_gre(DecodeContext& ctx, std::uint32_t off);
void decode_erspan2(DecodeContext& ctx, std::uint32_t off, bool has_erspan_header);
void decode_erspan3(DecodeContext& ctx, std::uint32_t off);

}  // namespace picket::net::detail
