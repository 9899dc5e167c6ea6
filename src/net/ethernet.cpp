// Ethernet II (IEEE 802.3 with a type field): dst(6) src(6) type(2).
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kEthernetHeader = 14;
// Values below this are 802.3 length fields followed by LLC, which picket
// does not analyse (IP over LLC/SNAP is practically extinct).
constexpr std::uint16_t kMinEthertype = 0x0600;
}  // namespace

void decode_ethernet(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kEthernetHeader)) {
    ctx.anomaly(Anomaly::kEthernetTruncated);
    return;
  }
  const std::uint16_t type = load_be16(ctx.at(off + 12));
  if (type < kMinEthertype) {
    ctx.skip(Skipped::kNonIpEthertype);
    return;
  }
  decode_ethertype(ctx, type, off + kEthernetHeader);
}

}  // namespace picket::net::detail
