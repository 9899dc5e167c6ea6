// ICMPv6 (RFC 4443). The generic header is type, code and checksum, but every
// message defined by RFC 4443 and RFC 4861 has 4 more fixed bytes (identifier
// and sequence, MTU, pointer, flags, or unused), so the payload starts at 8
// as for ICMPv4 and a shorter message is treated as truncated.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kHeader = 8;
}  // namespace

void decode_icmpv6(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kHeader)) {
    ctx.anomaly(Anomaly::kIcmpv6Truncated);
    ctx.out.payload_len = 0;
    return;
  }
  ++ctx.stats.icmpv6;
  const std::uint8_t* icmp = ctx.at(off);
  ctx.out.icmp_type = icmp[0];
  ctx.out.icmp_code = icmp[1];
  ctx.out.payload_offset = static_cast<std::uint16_t>(off + kHeader);
  ctx.out.payload_len = static_cast<std::uint16_t>(ctx.cap_end - off - kHeader);
}

}  // namespace picket::net::detail
