// Raw IP link types (LINKTYPE_RAW 101 and the DLT_RAW values 12 and 14): no
// link header, the version nibble tells IPv4 from IPv6. LINKTYPE_IPV4/IPV6
// (228/229) fix the version and go straight to decode_ipv4/decode_ipv6.
#include "decode_context.hpp"

namespace picket::net::detail {

void decode_raw_ip(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, 1)) {
    // Nothing tells the family of an empty packet; IPv4 is the common case.
    ctx.anomaly(Anomaly::kIpv4Truncated);
    return;
  }
  switch (ctx.at(off)[0] >> 4) {
    case 6:
      decode_ipv6(ctx, off);
      return;
    default:
      // Version 4 and garbage alike go to IPv4, which reports a bad version.
      decode_ipv4(ctx, off);
      return;
  }
}

}  // namespace picket::net::detail
