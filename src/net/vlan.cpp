// IEEE 802.1Q / 802.1ad tags: TCI(2) then the next ethertype(2). Stacks
// (QinQ with 0x88A8 or the pre-standard 0x9100) are walked in one loop.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kVlanTag = 4;
constexpr std::uint16_t kVlanIdMask = 0x0FFF;

bool is_vlan_tpid(std::uint16_t type) {
  return type == kEthertypeVlan || type == kEthertypeQinQ || type == kEthertypeQinQLegacy;
}
}  // namespace

void decode_vlan(DecodeContext& ctx, std::uint32_t off) {
  ++ctx.stats.vlan;
  for (;;) {
    if (ctx.vlan_tags >= kMaxVlanTags) {
      ctx.anomaly(Anomaly::kEncapsulationTooDeep);
      return;
    }
    if (!ctx.has(off, kVlanTag)) {
      ctx.anomaly(Anomaly::kVlanTruncated);
      return;
    }
    const std::uint8_t* tag = ctx.at(off);
    ++ctx.vlan_tags;
    ctx.out.vlan_depth = ctx.vlan_tags;
    ctx.out.vlan_id = load_be16(tag) & kVlanIdMask;
    const std::uint16_t next = load_be16(tag + 2);
    off += kVlanTag;
    if (!is_vlan_tpid(next)) {
      decode_ethertype(ctx, next, off);
      return;
    }
  }
}

}  // namespace picket::net::detail
