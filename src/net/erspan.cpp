// Cisco ERSPAN mirrored traffic over GRE (draft-foschiano-erspan).
//   Type I   (GRE 0x88BE, no GRE sequence): no ERSPAN header, Ethernet follows.
//   Type II  (GRE 0x88BE with sequence): ver(4) VLAN(12) COS(3) En(2) T(1)
//            session(10), reserved(12) index(20); then Ethernet.
//   Type III (GRE 0x22EB): ver(4) VLAN(12) COS(3) BSO(2) T(1) session(10),
//            timestamp(32), SGT(16) P(1) FT(5) HW ID(6) D(1) Gra(2) O(1),
//            then an 8-byte platform subheader if O; FT 0 is Ethernet, 2 IP.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kTypeIIHeader = 8;
constexpr std::uint32_t kTypeIIIHeader = 12;
constexpr std::uint32_t kPlatformSubheader = 8;
constexpr std::uint16_t kSessionMask = 0x03FF;
constexpr std::uint8_t kFrameTypeEthernet = 0;
constexpr std::uint8_t kFrameTypeIp = 2;
}  // namespace

void decode_erspan2(DecodeContext& ctx, std::uint32_t off, bool has_erspan_header) {
  std::uint32_t session = 0;
  if (has_erspan_header) {
    if (!ctx.has(off, kTypeIIHeader)) {
      ctx.anomaly(Anomaly::kErspanTruncated);
      return;
    }
    session = load_be16(ctx.at(off + 2)) & kSessionMask;
    off += kTypeIIHeader;
  }
  ++ctx.stats.erspan;
  if (!ctx.enter_tunnel(Tunnel::kErspan2, session)) return;
  decode_ethernet(ctx, off);
}

void decode_erspan3(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kTypeIIIHeader)) {
    ctx.anomaly(Anomaly::kErspanTruncated);
    return;
  }
  const std::uint8_t* erspan = ctx.at(off);
  const std::uint32_t session = load_be16(erspan + 2) & kSessionMask;
  const std::uint8_t frame_type = (erspan[10] >> 2) & 0x1F;
  const bool has_subheader = (erspan[11] & 0x01) != 0;
  const std::uint32_t header_len = kTypeIIIHeader + (has_subheader ? kPlatformSubheader : 0);
  if (!ctx.has(off, header_len)) {
    ctx.anomaly(Anomaly::kErspanTruncated);
    return;
  }
  ++ctx.stats.erspan;
  if (!ctx.enter_tunnel(Tunnel::kErspan3, session)) return;
  const std::uint32_t inner = off + header_len;
  if (frame_type == kFrameTypeEthernet) {
    decode_ethernet(ctx, inner);
  } else if (frame_type == kFrameTypeIp) {
    decode_raw_ip(ctx, inner);
  } else {
    ctx.skip(Skipped::kNonIpEthertype);
  }
}

}  // namespace picket::net::detail
