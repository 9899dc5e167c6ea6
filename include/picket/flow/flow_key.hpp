#pragma once
// Canonical flow key: the lower (address, port) end first, so that both
// directions of a conversation produce the same key and the same hash. VLAN
// and tunnel id are part of the key because mirrored traffic can carry the same
// 5-tuple for different tenants.
#include <cstdint>
#include <cstring>

#include "picket/core/hash.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/net/packet.hpp"

namespace picket::flow {

struct FlowKey {
  core::IpAddr lo, hi;
  std::uint16_t lo_port = 0, hi_port = 0;
  std::uint8_t proto = 0;
  std::uint8_t reserved = 0;  // zero: keeps the struct free of indeterminate bytes for hashing
  std::uint16_t vlan = 0;
  std::uint32_t tunnel_id = 0;

  // Builds the key of a decoded packet; src_is_lo says which end sent it.
  static FlowKey from_packet(const net::PacketView& p, bool& src_is_lo) {
    FlowKey k;
    const auto c = p.src <=> p.dst;
    src_is_lo = c < 0 || (c == 0 && p.sport <= p.dport);
    if (src_is_lo) {
      k.lo = p.src, k.hi = p.dst, k.lo_port = p.sport, k.hi_port = p.dport;
    } else {
      k.lo = p.dst, k.hi = p.src, k.lo_port = p.dport, k.hi_port = p.sport;
    }
    k.proto = p.l4_proto;
    k.vlan = p.vlan_id;
    k.tunnel_id = p.tunnel_id;
    return k;
  }

  std::uint64_t hash() const { return core::hash_bytes(this, sizeof(*this)); }
  // GCC expands this fixed-size memcmp into vector compares (cheaper than
  // hand-written word compares, measured with callgrind).
  bool operator==(const FlowKey& o) const { return std::memcmp(this, &o, sizeof(*this)) == 0; }
};
static_assert(sizeof(FlowKey) == 44, "FlowKey must have no padding (hashed as bytes)");

}  // namespace picket::flow
