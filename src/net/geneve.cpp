// Geneve (RFC 8926): ver(2) opt len(6, in 4-byte words) O C rsvd(6)
// protocol type(16) VNI(24) rsvd(8), then options, then the inner packet.
// The protocol type is an ethertype; 0x6558 means inner Ethernet.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kHeader = 8;
}  // namespace

void decode_geneve(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kHeader)) {
    ctx.anomaly(Anomaly::kGeneveTruncated);
    return;
  }
  const std::uint8_t* geneve = ctx.at(off);
  // RFC 8926 says an unknown version must not be interpreted: leave it as UDP.
  if ((geneve[0] >> 6) != 0) return;
  const std::uint32_t header_len = kHeader + (geneve[0] & 0x3Fu) * 4u;
  if (!ctx.has(off, header_len)) {
    ctx.anomaly(Anomaly::kGeneveTruncated);
    return;
  }
  ++ctx.stats.geneve;
  const std::uint16_t protocol = load_be16(geneve + 2);
  if (!ctx.enter_tunnel(Tunnel::kGeneve, load_be24(geneve + 4))) return;
  if (protocol == kEthertypeTransparentEthernet) {
    decode_ethernet(ctx, off + header_len);
  } else {
    decode_ethertype(ctx, protocol, off + header_len);
  }
}

}  // namespace picket::net::detail
