#include "picket/flowrec/uniflow.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "picket/flowrec/source.hpp"

namespace picket::flowrec {

namespace {

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

// Flow records carry IP bytes, not payload bytes. Payload is estimated as what
// exceeds generous per-packet headers (IP + 40 bytes of TCP header and options,
// or IP + 8 for UDP/ICMP), so that a SYN with options or a bare ACK with
// timestamps counts as no payload. A TCP direction that never set ACK sent no
// data at all (every data segment carries ACK).
std::uint64_t estimate_payload(std::uint8_t proto, bool v6, std::uint64_t packets, std::uint64_t bytes,
                               std::uint8_t flags, bool flags_known) {
  const std::uint64_t ip = v6 ? 40 : 20;
  std::uint64_t per_packet;
  if (proto == 6) {
    if (flags_known && !(flags & kAck)) return 0;
    per_packet = ip + 40;
  } else {
    per_packet = ip + 8;
  }
  const std::uint64_t headers = packets * per_packet;
  return bytes > headers ? bytes - headers : 0;
}

// A lone record that looks like an answer (from a service port to an
// ephemeral one, or an ICMP reply) is the responder's half of a conversation
// whose other half was not exported (or was backscatter).
bool looks_like_answer(const flow::FlowRecord& r) {
  const std::uint8_t p = r.key.proto;
  if (p == 1) return r.icmp_type == 0 || r.icmp_type == 14 || r.icmp_type == 16 || r.icmp_type == 18;
  if (p == 58) return r.icmp_type == 129;
  if (p != 6 && p != 17) return false;
  return r.initiator_port() < 1024 && r.responder_port() >= 1024;
}

}  // namespace

flow::FlowRecord make_flow_record(const UniFlow& u) {
  flow::FlowRecord r;
  auto& k = r.key;
  const int c = std::memcmp(u.src.bytes.data(), u.dst.bytes.data(), 16);
  r.initiator_is_lo = c < 0 || (c == 0 && u.sport <= u.dport);
  if (r.initiator_is_lo) {
    k.lo = u.src, k.hi = u.dst, k.lo_port = u.sport, k.hi_port = u.dport;
  } else {
    k.lo = u.dst, k.hi = u.src, k.lo_port = u.dport, k.hi_port = u.sport;
  }
  k.proto = u.proto;
  k.vlan = u.vlan;
  r.source = u.source;
  r.end_reason = flow::FlowEndReason::kIdleTimeout;
  r.tcp_flags[flow::kToResponder] = u.tcp_flags;
  r.icmp_type = u.icmp_type;
  r.first_seen = u.first;
  r.last_seen = std::max(u.first, u.last);
  r.end_time = r.last_seen;
  r.packets[flow::kToResponder] = u.packets;
  r.bytes[flow::kToResponder] = u.bytes;
  const bool v6 = !u.src.is_v4();
  r.payload_bytes[flow::kToResponder] =
      estimate_payload(u.proto, v6, u.packets, u.bytes, u.tcp_flags, u.tcp_flags_known);
  if (u.has_reverse) {
    r.packets[flow::kToInitiator] = u.rev_packets;
    r.bytes[flow::kToInitiator] = u.rev_bytes;
    r.tcp_flags[flow::kToInitiator] = u.rev_tcp_flags;
    r.payload_bytes[flow::kToInitiator] =
        estimate_payload(u.proto, v6, u.rev_packets, u.rev_bytes, u.rev_tcp_flags, u.tcp_flags_known);
    // A biflow (RFC 5103) names its ends in the exporter's own order, not
    // necessarily the initiator first: the side that spoke first, or alone,
    // or else the one not on the service port, started it.
    bool swap;
    if (u.packets == 0 || u.rev_packets == 0) {
      swap = u.packets == 0 && u.rev_packets != 0;
    } else if (u.rev_first && u.rev_first != u.first) {
      swap = u.rev_first < u.first;
    } else if (u.proto == 6 || u.proto == 17) {
      swap = u.sport < u.dport;
    } else {
      swap = looks_like_answer(r);
    }
    if (swap) {
      swap_initiator(r);
      // The exporter's ICMP type belongs to its forward direction, which sent
      // nothing here: the type the initiator sent is unknown, taken as an echo
      // request (as for VPC Flow Logs, which carry no type at all).
      if ((u.proto == 1 || u.proto == 58) && u.packets == 0) r.icmp_type = u.proto == 1 ? 8 : 128;
    }
  }
  return r;
}

bool is_reverse_of(const flow::FlowRecord& r, const UniFlow& u) {
  return u.src == r.responder() && u.sport == r.responder_port() && u.dst == r.initiator() &&
         u.dport == r.initiator_port();
}

void swap_initiator(flow::FlowRecord& r) {
  r.initiator_is_lo = !r.initiator_is_lo;
  std::swap(r.packets[0], r.packets[1]);
  std::swap(r.bytes[0], r.bytes[1]);
  std::swap(r.payload_bytes[0], r.payload_bytes[1]);
  std::swap(r.tcp_flags[0], r.tcp_flags[1]);
}

void add_reverse(flow::FlowRecord& r, const UniFlow& u) {
  const int to_init = flow::kToInitiator;
  r.packets[to_init] += u.packets;
  r.bytes[to_init] += u.bytes;
  r.tcp_flags[to_init] |= u.tcp_flags;
  r.payload_bytes[to_init] +=
      estimate_payload(u.proto, !u.src.is_v4(), u.packets, u.bytes, u.tcp_flags, u.tcp_flags_known);
  const core::Nanos last = std::max(u.first, u.last);
  // The side whose first packet came first started the conversation. Equal
  // times (VPC logs count whole seconds) leave it to the ports.
  bool swap = u.first < r.first_seen;
  if (u.first == r.first_seen) {
    // Both sides spoke: the one on the lower port is the service (ephemeral
    // ports are high), which also covers services above 1024.
    const bool ports = r.key.proto == 6 || r.key.proto == 17;
    swap = ports ? r.initiator_port() < r.responder_port() : looks_like_answer(r);
  }
  if (swap && (u.proto == 1 || u.proto == 58)) r.icmp_type = u.icmp_type;
  r.first_seen = std::min(r.first_seen, u.first);
  r.last_seen = std::max(r.last_seen, last);
  r.end_time = std::max(r.end_time, last);
  if (swap) swap_initiator(r);
}

void finish_flow_record(flow::FlowRecord& r, bool both_directions) {
  if (!both_directions && r.packets[flow::kToInitiator] == 0 && looks_like_answer(r)) swap_initiator(r);
  const std::uint8_t f0 = r.tcp_flags[0], f1 = r.tcp_flags[1];
  const bool replied = r.packets[flow::kToInitiator] != 0 && r.packets[flow::kToResponder] != 0;
  using S = flow::FlowState;
  if (r.key.proto != 6) {
    r.state = replied ? S::kReplied : S::kNew;
    return;
  }
  if ((f0 | f1) & kRst) {
    r.state = S::kClosed;
  } else if ((f0 & kFin) && (f1 & kFin)) {
    r.state = S::kClosed;
  } else if ((f0 | f1) & kFin) {
    r.state = S::kClosing;
  } else if ((f1 & (kSyn | kAck)) == (kSyn | kAck) && (f0 & kAck)) {
    r.state = S::kEstablished;
  } else {
    r.state = replied ? S::kReplied : S::kNew;
  }
}

}  // namespace picket::flowrec
