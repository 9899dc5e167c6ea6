// GRE (IP protocol 47).
//   Version 0 (RFC 2784 + RFC 2890 key and sequence): C R K S s recur flags
//   ver, protocol type, then checksum+reserved if C, key if K, sequence if S.
//   Version 1 is PPTP's enhanced GRE (RFC 2637), which only carries PPP.
// The protocol type is an ethertype; transparent Ethernet bridging and ERSPAN
// are GRE-specific values handled here.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kBaseHeader = 4;
constexpr std::uint16_t kChecksumBit = 0x8000;
constexpr std::uint16_t kRoutingBit = 0x4000;
constexpr std::uint16_t kKeyBit = 0x2000;
constexpr std::uint16_t kSequenceBit = 0x1000;
constexpr std::uint16_t kVersionMask = 0x0007;
constexpr std::uint16_t kPptpPpp = 0x880B;
constexpr std::uint16_t kErspanTypeII = 0x88BE;
constexpr std::uint16_t kErspanTypeIII = 0x22EB;
}  // namespace

void decode_gre(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kBaseHeader)) {
    ctx.anomaly(Anomaly::kGreTruncated);
    return;
  }
  const std::uint8_t* gre = ctx.at(off);
  const std::uint16_t flags = load_be16(gre);
  const std::uint16_t protocol = load_be16(gre + 2);
  const std::uint16_t version = flags & kVersionMask;

  if (version == 1 && protocol == kPptpPpp) {
    // PPTP data is PPP, usually MPPE-encrypted: the GRE packet itself is the flow.
    ++ctx.stats.gre;
    return;
  }
  if (version != 0) {
    ctx.anomaly(Anomaly::kGreBadVersion);
    return;
  }

  std::uint32_t header_len = kBaseHeader;
  // RFC 1701 puts an offset next to the checksum when routing is present, so
  // the word is there if either bit is set.
  if (flags & (kChecksumBit | kRoutingBit)) header_len += 4;
  const std::uint32_t key_offset = header_len;
  if (flags & kKeyBit) header_len += 4;
  if (flags & kSequenceBit) header_len += 4;
  if (!ctx.has(off, header_len)) {
    ctx.anomaly(Anomaly::kGreTruncated);
    return;
  }
  ++ctx.stats.gre;
  // Source routing (RFC 1701) is obsolete and RFC 2784 receivers drop it; its
  // variable-length entries are not walked, so the payload stays opaque.
  if (flags & kRoutingBit) return;

  const std::uint32_t inner = off + header_len;
  switch (protocol) {
    case kErspanTypeII:
      // ERSPAN type I has no sequence number and no ERSPAN header.
      decode_erspan2(ctx, inner, (flags & kSequenceBit) != 0);
      return;
    case kErspanTypeIII:
      decode_erspan3(ctx, inner);
      return;
    default:
      break;
  }
  const std::uint32_t key = (flags & kKeyBit) ? load_be32(gre + key_offset) : 0;
  if (!ctx.enter_tunnel(Tunnel::kGre, key)) return;
  if (protocol == kEthertypeTransparentEthernet) {
    decode_ethernet(ctx, inner);
  } else {
    decode_ethertype(ctx, protocol, inner);
  }
}

}  // namespace picket::net::detail
