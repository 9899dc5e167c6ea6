// VXLAN (RFC 7348): flags(1) reserved(3) VNI(3) reserved(1), then Ethernet.
// Port 4789 alone is not proof: without the I flag the VNI is not valid and
// the datagram is left as ordinary UDP.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kHeader = 8;
constexpr std::uint8_t kValidVniFlag = 0x08;
}  // namespace

void decode_vxlan(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kHeader)) {
    ctx.anomaly(Anomaly::kVxlanTruncated);
    return;
  }
  const std::uint8_t* vxlan = ctx.at(off);
  if ((vxlan[0] & kValidVniFlag) == 0) return;
  ++ctx.stats.vxlan;
  if (!ctx.enter_tunnel(Tunnel::kVxlan, load_be24(vxlan + 4))) return;
  decode_ethernet(ctx, off + kHeader);
}

}  // namespace picket::net::detail
