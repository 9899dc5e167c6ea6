// IPv4 (RFC 791). Options are skipped via IHL; the total length bounds the
// packet, which strips Ethernet padding and keeps inner layers from reading
// trailers. Fragments are not reassembled: the first one still carries the L4
// header and is decoded, later ones have no ports and are only counted.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kMinHeader = 20;
constexpr std::uint16_t kMoreFragments = 0x2000;
constexpr std::uint16_t kFragmentOffsetMask = 0x1FFF;
}  // namespace

void decode_ipv4(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kMinHeader)) {
    ctx.anomaly(Anomaly::kIpv4Truncated);
    return;
  }
  const std::uint8_t* ip = ctx.at(off);
  if ((ip[0] >> 4) != 4) {
    ctx.anomaly(Anomaly::kIpv4BadVersion);
    return;
  }
  const std::uint32_t header_len = (ip[0] & 0x0F) * 4u;
  if (header_len < kMinHeader) {
    ctx.anomaly(Anomaly::kIpv4BadHeaderLength);
    return;
  }
  if (!ctx.has(off, header_len)) {
    ctx.anomaly(Anomaly::kIpv4Truncated);
    return;
  }

  PacketView& out = ctx.out;
  ctx.commit_ip_layer(4, off);
  ++ctx.stats.ipv4;
  const std::uint16_t total_len = load_be16(ip + 2);
  out.ip_len = total_len;
  out.ttl = ip[8];
  out.l4_proto = ip[9];
  out.src = core::IpAddr::from_v4(ip + 12);
  out.dst = core::IpAddr::from_v4(ip + 16);

  // A total length below the header length is what TSO-offloaded outbound
  // packets show in local captures; past the wire length it is corrupt. Either
  // way the addresses are intact, so continue with what was captured.
  if (total_len < header_len || total_len > ctx.wire_end - off) {
    ctx.anomaly(Anomaly::kIpv4BadTotalLength);
  } else {
    ctx.limit_to(off + total_len);
  }

  const std::uint16_t frag = load_be16(ip + 6);
  if ((frag & kFragmentOffsetMask) != 0) {
    ++ctx.stats.fragments;
    out.fragment = Fragment::kLater;
    ctx.skip(Skipped::kLaterFragment);
    return;
  }
  if (frag & kMoreFragments) {
    ++ctx.stats.fragments;
    out.fragment = Fragment::kFirst;
  }
  decode_l4(ctx, ip[9], off + header_len);
}

}  // namespace picket::net::detail
