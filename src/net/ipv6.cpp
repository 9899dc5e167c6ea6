// IPv6 (RFC 8200) and the extension headers that precede the upper layer:
// hop-by-hop (0), routing (43), fragment (44), destination options (60) and
// AH (51, RFC 4302, whose length unit differs). The chain length is bounded
// because each header costs a dependent load and the chain is attacker-chosen.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kFixedHeader = 40;
constexpr std::uint32_t kFragmentHeader = 8;
constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kAuthentication = 51;
constexpr std::uint8_t kDestinationOptions = 60;
constexpr std::uint16_t kFragmentOffsetMask = 0xFFF8;
constexpr std::uint16_t kMoreFragments = 0x0001;
}  // namespace

void decode_ipv6(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kFixedHeader)) {
    ctx.anomaly(Anomaly::kIpv6Truncated);
    return;
  }
  const std::uint8_t* ip = ctx.at(off);
  if ((ip[0] >> 4) != 6) {
    ctx.anomaly(Anomaly::kIpv6BadVersion);
    return;
  }

  PacketView& out = ctx.out;
  ctx.commit_ip_layer(6, off);
  ++ctx.stats.ipv6;
  const std::uint16_t payload_len = load_be16(ip + 4);
  std::uint8_t next = ip[6];
  out.ip_len = kFixedHeader + payload_len;
  out.ttl = ip[7];
  out.l4_proto = next;
  out.src = core::IpAddr::from_v6(ip + 8);
  out.dst = core::IpAddr::from_v6(ip + 24);

  if (payload_len == 0 && next == kHopByHop) {
    // Jumbogram (RFC 2675) or a GSO capture: the real length is elsewhere,
    // so rely on what was captured.
  } else if (kFixedHeader + payload_len > ctx.wire_end - off) {
    // Shorter on the wire than declared: the packet was cut in transit.
    ctx.anomaly(Anomaly::kIpv6Truncated);
  } else {
    ctx.limit_to(off + kFixedHeader + payload_len);
  }

  std::uint32_t cur = off + kFixedHeader;
  for (std::uint8_t seen = 0;; ++seen) {
    std::uint32_t ext_len;
    switch (next) {
      case kHopByHop:
      case kRouting:
      case kDestinationOptions:
      case kAuthentication:
      case kFragment:
        break;
      default:
        decode_l4(ctx, next, cur);
        return;
    }
    if (seen >= kMaxIpv6Extensions) {
      ctx.anomaly(Anomaly::kIpv6TooManyExtensions);
      return;
    }
    if (!ctx.has(cur, 2)) {
      ctx.anomaly(Anomaly::kIpv6ExtensionTruncated);
      return;
    }
    const std::uint8_t* ext = ctx.at(cur);
    if (next == kFragment) {
      ext_len = kFragmentHeader;
    } else if (next == kAuthentication) {
      ext_len = (ext[1] + 2u) * 4u;  // AH counts 32-bit words, minus 2
    } else {
      ext_len = (ext[1] + 1u) * 8u;  // 64-bit units, not counting the first
    }
    if (!ctx.has(cur, ext_len)) {
      ctx.anomaly(Anomaly::kIpv6ExtensionTruncated);
      return;
    }
    if (next == kFragment) {
      const std::uint16_t frag = load_be16(ext + 2);
      if ((frag & kFragmentOffsetMask) != 0) {
        ++ctx.stats.fragments;
        out.fragment = Fragment::kLater;
        out.l4_proto = ext[0];
        ctx.skip(Skipped::kLaterFragment);
        return;
      }
      // Offset 0 without M is an atomic fragment (RFC 6946): a whole packet.
      if (frag & kMoreFragments) {
        ++ctx.stats.fragments;
        out.fragment = Fragment::kFirst;
      }
    }
    next = ext[0];
    cur += ext_len;
  }
}

}  // namespace picket::net::detail
