// decode(): picks the link-layer decoder, and the two dispatch points every
// other decoder chains through (ethertype and IP protocol).
#include "decode_context.hpp"

namespace picket::net {

namespace detail {

void decode_ethertype(DecodeContext& ctx, std::uint16_t type, std::uint32_t off) {
  switch (type) {
    case kEthertypeIpv4:
      decode_ipv4(ctx, off);
      return;
    case kEthertypeIpv6:
      decode_ipv6(ctx, off);
      return;
    case kEthertypeVlan:
    case kEthertypeQinQ:
    case kEthertypeQinQLegacy:
      decode_vlan(ctx, off);
      return;
    case kEthertypeMplsUnicast:
    case kEthertypeMplsMulticast:
      decode_mpls(ctx, off);
      return;
    default:
      ctx.skip(Skipped::kNonIpEthertype);
      return;
  }
}

namespace {

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoGre = 47;
constexpr std::uint8_t kProtoIcmpv6 = 58;
constexpr std::uint8_t kProtoSctp = 132;
constexpr std::uint32_t kSctpCommonHeader = 12;

// SCTP is not analysed, but its ports sit where UDP's do, and without them
// every association between two hosts would collapse into one flow.
void decode_sctp_ports(DecodeContext& ctx, std::uint32_t off) {
  ctx.skip(Skipped::kUnhandledIpProtocol);
  if (!ctx.has(off, kSctpCommonHeader)) return;
  const std::uint8_t* p = ctx.at(off);
  ctx.out.sport = load_be16(p);
  ctx.out.dport = load_be16(p + 2);
  ctx.out.payload_offset = static_cast<std::uint16_t>(off + kSctpCommonHeader);
  ctx.out.payload_len = static_cast<std::uint16_t>(ctx.cap_end - off - kSctpCommonHeader);
}

}  // namespace

void decode_l4(DecodeContext& ctx, std::uint8_t proto, std::uint32_t off) {
  PacketView& out = ctx.out;
  out.l4_proto = proto;
  out.l4_offset = static_cast<std::uint16_t>(off);
  // Until a transport decoder knows better, the payload is the whole IP
  // payload: that is what an unhandled protocol (ESP, OSPF, ...) carries.
  out.payload_offset = static_cast<std::uint16_t>(off);
  out.payload_len = static_cast<std::uint16_t>(ctx.cap_end - off);
  switch (proto) {
    case kProtoTcp:
      decode_tcp(ctx, off);
      return;
    case kProtoUdp:
      decode_udp(ctx, off);
      return;
    case kProtoIcmp:
      decode_icmp(ctx, off);
      return;
    case kProtoIcmpv6:
      decode_icmpv6(ctx, off);
      return;
    case kProtoGre:
      decode_gre(ctx, off);
      return;
    case kProtoSctp:
      decode_sctp_ports(ctx, off);
      return;
    default:
      ctx.skip(Skipped::kUnhandledIpProtocol);
      return;
  }
}

namespace {

// Field by field on purpose: `out = PacketView{}` compiles to `rep stos`,
// whose startup cost was half the time spent on a plain TCP frame.
static_assert(sizeof(PacketView) == 112, "a new PacketView field must be reset in reset_view");
void reset_view(PacketView& out, const std::uint8_t* data, std::uint32_t caplen,
                std::uint32_t wirelen, core::Nanos ts, std::uint32_t link_type) {
  out.data = data;
  out.caplen = caplen;
  out.wirelen = wirelen;
  out.ts = ts;
  out.link_type = link_type;
  out.ip_version = 0;
  out.l4_proto = 0;
  out.ttl = 0;
  out.fragment = Fragment::kNone;
  out.src = core::IpAddr{};
  out.dst = core::IpAddr{};
  out.sport = out.dport = 0;
  out.tcp_flags = 0;
  out.icmp_type = out.icmp_code = 0;
  out.tcp_seq = out.tcp_ack = 0;
  out.tcp_window = 0;
  out.ip_len = 0;
  out.l3_offset = out.l4_offset = out.payload_offset = out.payload_len = 0;
  out.vlan_id = 0;
  out.vlan_depth = out.mpls_depth = 0;
  out.tunnel = Tunnel::kNone;
  out.tunnel_id = 0;
  out.encap_depth = 0;
  out.anomaly = Anomaly::kNone;
}

}  // namespace

}  // namespace detail

bool decode(const std::uint8_t* data, std::uint32_t caplen, std::uint32_t wirelen,
            std::uint32_t link_type, core::Nanos ts, PacketView& out, DecodeStats& stats) {
  detail::reset_view(out, data, caplen, wirelen, ts, link_type);
  ++stats.frames;

  const std::uint32_t readable = caplen < detail::kMaxViewBytes ? caplen : detail::kMaxViewBytes;
  // Some capture paths report wirelen < caplen; the captured bytes were
  // certainly on the wire, so they are the lower bound.
  const std::uint32_t on_wire = wirelen > caplen ? wirelen : caplen;
  detail::DecodeContext ctx{data, readable, on_wire, out, stats};

  switch (link_type) {
    case kLinkEthernet:
      detail::decode_ethernet(ctx, 0);
      break;
    case kLinkRaw:
    case kLinkRawAlt:
    case kLinkRawOpenBsd:
      detail::decode_raw_ip(ctx, 0);
      break;
    case kLinkIpv4:
      detail::decode_ipv4(ctx, 0);
      break;
    case kLinkIpv6:
      detail::decode_ipv6(ctx, 0);
      break;
    case kLinkLinuxSll:
      detail::decode_sll(ctx, 0);
      break;
    case kLinkLinuxSll2:
      detail::decode_sll2(ctx, 0);
      break;
    case kLinkNull:
      detail::decode_null(ctx, 0);
      break;
    case kLinkLoop:
      detail::decode_loop(ctx, 0);
      break;
    default:
      ctx.anomaly(Anomaly::kUnknownLinkType);
      break;
  }
  // The reported packet is the innermost IP layer that was committed; a
  // broken inner packet leaves the outer one reported, which is still a flow.
  return out.ip_version != 0 && out.fragment != Fragment::kLater;
}

const char* anomaly_name(Anomaly a) {
  switch (a) {
    case Anomaly::kNone: return "none";
    case Anomaly::kUnknownLinkType: return "unknown_link_type";
    case Anomaly::kEthernetTruncated: return "ethernet_truncated";
    case Anomaly::kVlanTruncated: return "vlan_truncated";
    case Anomaly::kMplsTruncated: return "mpls_truncated";
    case Anomaly::kMplsLabelStackTooDeep: return "mpls_label_stack_too_deep";
    case Anomaly::kSllTruncated: return "sll_truncated";
    case Anomaly::kNullTruncated: return "null_truncated";
    case Anomaly::kIpv4Truncated: return "ipv4_truncated";
    case Anomaly::kIpv4BadVersion: return "ipv4_bad_version";
    case Anomaly::kIpv4BadHeaderLength: return "ipv4_bad_header_length";
    case Anomaly::kIpv4BadTotalLength: return "ipv4_bad_total_length";
    case Anomaly::kIpv6Truncated: return "ipv6_truncated";
    case Anomaly::kIpv6BadVersion: return "ipv6_bad_version";
    case Anomaly::kIpv6ExtensionTruncated: return "ipv6_extension_truncated";
    case Anomaly::kIpv6TooManyExtensions: return "ipv6_too_many_extensions";
    case Anomaly::kTcpTruncated: return "tcp_truncated";
    case Anomaly::kTcpBadDataOffset: return "tcp_bad_data_offset";
    case Anomaly::kUdpTruncated: return "udp_truncated";
    case Anomaly::kUdpBadLength: return "udp_bad_length";
    case Anomaly::kIcmpTruncated: return "icmp_truncated";
    case Anomaly::kIcmpv6Truncated: return "icmpv6_truncated";
    case Anomaly::kVxlanTruncated: return "vxlan_truncated";
    case Anomaly::kGreTruncated: return "gre_truncated";
    case Anomaly::kGreBadVersion: return "gre_bad_version";
    case Anomaly::kErspanTruncated: return "erspan_truncated";
    case Anomaly::kGeneveTruncated: return "geneve_truncated";
    case Anomaly::kEncapsulationTooDeep: return "encapsulation_too_deep";
    case Anomaly::kCount: break;
  }
  return "unknown";
}

const char* skipped_name(Skipped s) {
  switch (s) {
    case Skipped::kNonIpEthertype: return "non_ip_ethertype";
    case Skipped::kLaterFragment: return "later_fragment";
    case Skipped::kUnhandledIpProtocol: return "unhandled_ip_protocol";
    case Skipped::kCount: break;
  }
  return "unknown";
}

void DecodeStats::add(const DecodeStats& o) {
  frames += o.frames;
  ipv4 += o.ipv4;
  ipv6 += o.ipv6;
  tcp += o.tcp;
  udp += o.udp;
  icmp += o.icmp;
  icmpv6 += o.icmpv6;
  vlan += o.vlan;
  mpls += o.mpls;
  vxlan += o.vxlan;
  gre += o.gre;
  erspan += o.erspan;
  geneve += o.geneve;
  fragments += o.fragments;
  for (int i = 0; i < static_cast<int>(Anomaly::kCount); ++i) anomaly[i] += o.anomaly[i];
  for (int i = 0; i < static_cast<int>(Skipped::kCount); ++i) skipped[i] += o.skipped[i];
}

std::uint64_t DecodeStats::anomalies_total() const {
  std::uint64_t total = 0;
  // Slot 0 is kNone and is never incremented; summing it keeps the loop plain.
  for (int i = 0; i < static_cast<int>(Anomaly::kCount); ++i) total += anomaly[i];
  return total;
}

}  // namespace picket::net
