// ICMPv6 (RFC 4443). The generic header is type, code and checksum, but every
// message defined by RFC 4443 and RFC 4861 has 4 more fixed bytes (identifier
// and sequence, MTU, pointer, flags, or unused), so the payload starts at 8
// as for ICMPv4 and a shorter message is treated as truncated.
#include "decode_context.hpp"

namespace picket::net::detail {

void decode_icmpv6(DecodeContext& ctx, std::uint32_t off) {
  decode_icmp_header(ctx, off, Anomaly::kIcmpv6Truncated, ctx.stats.icmpv6);
}

}  // namespace picket::net::detail
