// MPLS label stack (RFC 3032): label(20) TC(3) S(1) TTL(8) per entry, until
// the bottom-of-stack bit. The payload type is not signalled anywhere in the
// packet, so it is guessed from the IP version nibble like every capture tool does.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kLabelEntry = 4;
constexpr std::uint8_t kBottomOfStackBit = 0x01;  // in the third byte
}  // namespace

void decode_mpls(DecodeContext& ctx, std::uint32_t off) {
  ++ctx.stats.mpls;
  std::uint8_t labels = 0;
  for (;;) {
    if (labels >= kMaxMplsLabels) {
      ctx.anomaly(Anomaly::kMplsLabelStackTooDeep);
      return;
    }
    if (!ctx.has(off, kLabelEntry)) {
      ctx.anomaly(Anomaly::kMplsTruncated);
      return;
    }
    const bool bottom = (ctx.at(off)[2] & kBottomOfStackBit) != 0;
    ++labels;
    ctx.out.mpls_depth = labels;
    off += kLabelEntry;
    if (bottom) break;
  }
  if (!ctx.has(off, 1)) {
    ctx.anomaly(Anomaly::kMplsTruncated);
    return;
  }
  switch (ctx.at(off)[0] >> 4) {
    case 4:
      decode_ipv4(ctx, off);
      return;
    case 6:
      decode_ipv6(ctx, off);
      return;
    default:
      // Pseudowires (control word 0, then Ethernet) and anything else.
      ctx.skip(Skipped::kNonIpEthertype);
      return;
  }
}

}  // namespace picket::net::detail
