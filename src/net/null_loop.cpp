// BSD loopback encapsulations: a 4-byte address family word, then IP.
//   LINKTYPE_NULL (0): the word is in the byte order of the capturing host.
//   LINKTYPE_LOOP (108): the word is in network byte order.
// AF_INET6 differs between BSDs (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS).
#include "decode_context.hpp"

namespace picket::net::detail {

namespace {
constexpr std::uint32_t kFamilyWord = 4;

void decode_family(DecodeContext& ctx, std::uint32_t family, std::uint32_t off) {
  switch (family) {
    case 2:
      decode_ipv4(ctx, off);
      return;
    case 24:
    case 28:
    case 30:
      decode_ipv6(ctx, off);
      return;
    default:
      ctx.skip(Skipped::kNonIpEthertype);
      return;
  }
}
}  // namespace

void decode_null(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kFamilyWord)) {
    ctx.anomaly(Anomaly::kNullTruncated);
    return;
  }
  // The file may come from a host of the other endianness. Address families
  // are small, so a value with the high half set was written byte-swapped.
  std::uint32_t family = load_le32(ctx.at(off));
  if (family > 0xFFFF) family = __builtin_bswap32(family);
  decode_family(ctx, family, off + kFamilyWord);
}

void decode_loop(DecodeContext& ctx, std::uint32_t off) {
  if (!ctx.has(off, kFamilyWord)) {
    ctx.anomaly(Anomaly::kNullTruncated);
    return;
  }
  decode_family(ctx, load_be32(ctx.at(off)), off + kFamilyWord);
}

}  // namespace picket::net::detail
