#pragma once
// Hand-built PacketViews and a collecting FlowEndSink for the flow table tests.
#include <cstdint>
#include <string>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/flow/flow_key.hpp"
#include "picket/flow/flow_table.hpp"
#include "picket/net/packet.hpp"

namespace flowtest {

using picket::core::IpAddr;
using picket::core::Nanos;
using picket::core::seconds;
namespace flow = picket::flow;
namespace net = picket::net;

inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
inline constexpr std::uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;

inline IpAddr ip(const char* s) {
  auto a = IpAddr::parse(s);
  if (!a) throw std::invalid_argument(std::string("bad address in test: ") + s);
  return *a;
}

// A decoded packet as the decoder would leave it: Ethernet + IP + L4 header,
// `payload` bytes of L4 payload, offsets and lengths consistent.
inline net::PacketView packet(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
                              std::uint8_t proto, std::uint8_t flags, Nanos ts, std::uint16_t payload = 0) {
  net::PacketView p;
  p.ts = ts;
  p.src = ip(src);
  p.dst = ip(dst);
  p.ip_version = p.src.is_v4() ? 4 : 6;
  p.l4_proto = proto;
  p.sport = sport;
  p.dport = dport;
  p.tcp_flags = proto == kTcp ? flags : 0;
  if (proto == kIcmp || proto == kIcmp6) {
    p.icmp_type = flags;  // for ICMP the `flags` argument is the ICMP type
    p.sport = p.dport = 0;
  }
  const std::uint16_t l3 = 14;
  const std::uint16_t iphdr = p.ip_version == 4 ? 20 : 40;
  const std::uint16_t l4hdr = proto == kTcp ? 20 : 8;
  p.l3_offset = l3;
  p.l4_offset = l3 + iphdr;
  p.payload_offset = p.l4_offset + l4hdr;
  p.payload_len = payload;
  p.ip_len = iphdr + l4hdr + payload;
  p.caplen = p.wirelen = 14 + p.ip_len;
  return p;
}

inline std::uint64_t key_hash(const net::PacketView& p) {
  bool lo = false;
  return flow::FlowKey::from_packet(p, lo).hash();
}

struct CollectSink : flow::FlowEndSink {
  std::vector<flow::FlowRecord> recs;
  void on_flow_end(const flow::FlowRecord& r) override { recs.push_back(r); }
};

// Feeds one packet with its real key hash.
struct Feeder {
  flow::FlowTable& table;
  CollectSink& sink;
  bool created = false, from_initiator = false;
  flow::FlowRecord& operator()(const net::PacketView& p) {
    return table.update(p, key_hash(p), sink, created, from_initiator);
  }
};

}  // namespace flowtest
