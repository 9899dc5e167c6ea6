// libFuzzer target for the packet decoder chain.
// Input: byte 0 selects the link type (low nibble, modulo the table) and the
// wire length mode (bit 7: wirelen is larger than caplen, as after a snaplen
// cut); the remaining bytes are the frame. Besides memory safety, checks the
// view's invariants, which sanitizers alone would not notice.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "picket/net/packet.hpp"

namespace {

constexpr std::uint32_t kLinks[] = {
    picket::net::kLinkEthernet, picket::net::kLinkRaw,       picket::net::kLinkRawAlt,
    picket::net::kLinkRawOpenBsd, picket::net::kLinkIpv4,    picket::net::kLinkIpv6,
    picket::net::kLinkLinuxSll, picket::net::kLinkLinuxSll2, picket::net::kLinkNull,
    picket::net::kLinkLoop,     9999 /* unknown */};
constexpr std::size_t kLinkCount = sizeof(kLinks) / sizeof(kLinks[0]);

void check(bool cond) {
  if (!cond) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t selector = data[0];
  const std::uint32_t link = kLinks[(selector & 0x0F) % kLinkCount];
  // A separate, exactly sized copy: reads past the frame hit the redzone.
  const std::size_t len = size - 1;
  std::vector<std::uint8_t> frame(data + 1, data + size);
  const std::uint32_t caplen = static_cast<std::uint32_t>(len);
  const std::uint32_t wirelen = (selector & 0x80) ? caplen + 1500 : caplen;

  picket::net::PacketView view;
  picket::net::DecodeStats stats;
  const bool ok = picket::net::decode(frame.data(), caplen, wirelen, link, 1, view, stats);

  check(stats.frames == 1);
  check(view.caplen == caplen && view.wirelen == wirelen && view.link_type == link);
  check(std::size_t(view.payload_offset) + view.payload_len <= len);
  check(view.l3_offset <= len && view.l4_offset <= len);
  check(view.encap_depth <= 4 && view.vlan_depth <= 8 && view.mpls_depth <= 8);
  check((view.anomaly == picket::net::Anomaly::kNone) == (stats.anomalies_total() == 0));
  if (ok) {
    check(view.ip_version == 4 || view.ip_version == 6);
    check(view.fragment != picket::net::Fragment::kLater);
    if (view.payload_len) check(view.payload_offset >= view.l4_offset);
  }
  // Touch the reported payload so a bad pointer would be caught here.
  volatile std::uint8_t sink = 0;
  for (std::uint16_t i = 0; i < view.payload_len; ++i) sink = sink ^ view.payload()[i];
  (void)sink;
  return 0;
}
