// UDP (RFC 768). The length field must cover the 8-byte header and fit in the
// IP payload; when it is shorter than the IP payload it bounds the datagram.
// UDP is also where VXLAN and Geneve tunnels are recognised, by destination port.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kHeader = 8;
constexpr std::uint16_t kVxlanPort = 4789;   // RFC 7348
constexpr std::uint16_t kGenevePort = 6081;  // RFC 8926
}  // namespace

void decode_udp(DecodeContext& ctx, std::uint32_t off) {
  PacketView& out = ctx.out;
  if (!ctx.has(off, kHeader)) {
    ctx.anomaly(Anomaly::kUdpTruncated);
    out.payload_len = 0;
    return;
  }
  ++ctx.stats.udp;
  const std::uint8_t* udp = ctx.at(off);
  out.sport = load_be16(udp);
  out.dport = load_be16(udp + 2);
  out.payload_offset = static_cast<std::uint16_t>(off + kHeader);

  const std::uint32_t udp_len = load_be16(udp + 4);
  const std::uint32_t ip_payload = ctx.wire_end - off;
  bool length_ok = true;
  if (udp_len < kHeader) {
    length_ok = false;
  } else if (udp_len > ip_payload) {
    // A first fragment carries only part of the datagram the length describes.
    length_ok = out.fragment == Fragment::kFirst;
  } else {
    ctx.limit_to(off + udp_len);
  }
  out.payload_len = static_cast<std::uint16_t>(ctx.cap_end - off - kHeader);
  if (!length_ok) {
    ctx.anomaly(Anomaly::kUdpBadLength);
    return;  // a datagram that lies about its length is not trusted as a tunnel
  }

  switch (out.dport) {
    case kVxlanPort:
      decode_vxlan(ctx, off + kHeader);
      return;
    case kGenevePort:
      decode_geneve(ctx, off + kHeader);
      return;
    default:
      return;
  }
}

}  // namespace picket::net::detail
