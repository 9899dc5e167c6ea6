// Linux "cooked" captures (the "any" device and some tunnels).
//   v1, LINKTYPE 113: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
//   v2, LINKTYPE 276: protocol(2) reserved(2) ifindex(4) ARPHRD(2)
//                     packet type(1) addr len(1) addr(8)
// The protocol field carries an ethertype for every device that carries IP.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kSllHeader = 16;
constexpr std::uint32_t kSllProtocolOffset = 14;
constexpr std::uint32_t kSll2Header = 20;
constexpr std::uint32_t kSll2ProtocolOffset = 0;
}  // namespace

void decode_sll(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kSllHeader)) {
    ctx.anomaly(Anomaly::kSllTruncated);
    return;
  }
  decode_ethertype(ctx, load_be16(ctx.at(off + kSllProtocolOffset)), off + kSllHeader);
}

void decode_sll2(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kSll2Header)) {
    ctx.anomaly(Anomaly::kSllTruncated);
    return;
  }
  decode_ethertype(ctx, load_be16(ctx.at(off + kSll2ProtocolOffset)), off + kSll2Header);
}

}  // namespace picket::net::detail
