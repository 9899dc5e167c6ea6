// ICMP for IPv4 (RFC 792): type and code, then 4 type-specific bytes that
// every message has; what follows is the payload.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kHeader = 8;
}  // namespace

void decode_icmp(DecodeContext& ctx, std::uint32_t off) {
  decode_icmp_header(ctx, off, Anomaly::kIcmpTruncated, ctx.stats.icmp);
}

void decode_icmp_header(DecodeContext& ctx, std::uint32_t off, Anomaly truncated, std::uint64_t& counter) {
  if (!ctx.has(off, kHeader)) {
    ctx.anomaly(truncated);
    ctx.out.payload_len = 0;
    return;
  }
  ++counter;
  const std::uint8_t* icmp = ctx.at(off);
  ctx.out.icmp_type = icmp[0];
  ctx.out.icmp_code = icmp[1];
  ctx.out.payload_offset = static_cast<std::uint16_t>(off + kHeader);
  ctx.out.payload_len = static_cast<std::uint16_t>(ctx.cap_end - off - kHeader);
}

}  // namespace picket::net::detail
