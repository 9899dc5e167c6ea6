// TCP (RFC 9293): ports, sequence numbers, flags and window come from the
// fixed 20 bytes; the data offset decides where the payload starts.
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kMinHeader = 20;
}  // namespace

void decode_tcp(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kMinHeader)) {
    ctx.anomaly(Anomaly::kTcpTruncated);
    ctx.out.payload_len = 0;
    return;
  }
  ++ctx.stats.tcp;
  const std::uint8_t* tcp = ctx.at(off);
  PacketView& out = ctx.out;
  out.sport = load_be16(tcp);
  out.dport = load_be16(tcp + 2);
  out.tcp_seq = load_be32(tcp + 4);
  out.tcp_ack = load_be32(tcp + 8);
  out.tcp_flags = tcp[13];
  out.tcp_window = load_be16(tcp + 14);
  // The fixed fields above are valid even when the data offset is not, and
  // the ports keep the packet attributable; only the payload is unknown.
  out.payload_len = 0;

  const std::uint32_t header_len = (tcp[12] >> 4) * 4u;
  if (header_len < kMinHeader || header_len > ctx.wire_end - off) {
    ctx.anomaly(Anomaly::kTcpBadDataOffset);
    return;
  }
  if (!ctx.has(off, header_len)) {
    ctx.anomaly(Anomaly::kTcpTruncated);
    return;
  }
  out.payload_offset = static_cast<std::uint16_t>(off + header_len);
  out.payload_len = static_cast<std::uint16_t>(ctx.cap_end - off - header_len);
}

}  // namespace picket::net::detail
