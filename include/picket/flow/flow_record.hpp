#pragma once
// FlowRecord: the summary of one finished flow (or one active-timeout segment
// of a long flow). It is what detectors see; flow-record inputs (NetFlow,
// IPFIX, VPC Flow Logs) produce the same structure.
#include <cstdint>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/flow/flow_key.hpp"

namespace picket::flow {

enum class FlowState : std::uint8_t {
  kNew = 0,       // only the initiator has spoken (TCP SYN sent, UDP unanswered)
  kReplied,       // the responder answered (TCP SYN-ACK, UDP/ICMP reply)
  kEstablished,   // TCP three-way handshake completed
  kClosing,       // TCP FIN seen from one side
  kClosed,        // TCP FIN from both sides, or RST
};
const char* flow_state_name(FlowState s);

enum class FlowEndReason : std::uint8_t {
  kIdleTimeout = 0,
  kTcpClosed,      // closed flows linger briefly, then end
  kActiveTimeout,  // a long flow is reported in segments
  kEvicted,        // the flow table was full
  kShutdown,       // end of input or SIGTERM
};
const char* flow_end_reason_name(FlowEndReason r);

// Application protocol recognised on the flow's first payload.
// kSsh, kRdp, kSmtp, kMining: by the payload recognisers, either direction, any port.
enum class AppProto : std::uint8_t { kUnknown = 0, kDns, kTls, kHttp, kSsh, kRdp, kSmtp, kMining };
const char* app_proto_name(AppProto a);

// Direction index into per-direction counters.
inline constexpr int kToResponder = 0;  // initiator -> responder
inline constexpr int kToInitiator = 1;  // responder -> initiator

struct FlowRecord {
  FlowKey key;
  bool initiator_is_lo = true;
  FlowState state = FlowState::kNew;
  FlowEndReason end_reason = FlowEndReason::kIdleTimeout;
  AppProto app = AppProto::kUnknown;
  std::uint8_t tcp_flags[2] = {0, 0};  // OR of flags seen per direction
  std::uint8_t icmp_type = 0;          // first ICMP type sent by the initiator
  std::uint8_t source = 0;             // 0 = packets; flow-record inputs name theirs
  std::uint8_t app_inspections = 0;    // initiator payload packets looked at for TLS/HTTP
  std::uint8_t payload_inspections[2] = {0, 0};  // payload packets looked at by the SSH/RDP/SMTP/mining recognisers
  std::uint16_t app_rule = 0;          // kMining: id + 1 of the mining rule that matched (detect::mining_rule_name)
  core::Nanos first_seen = 0, last_seen = 0;
  core::Nanos end_time = 0;  // logical time the flow ended; orders events deterministically
  std::uint64_t packets[2] = {0, 0};
  std::uint64_t bytes[2] = {0, 0};          // IP bytes (header + payload)
  std::uint64_t payload_bytes[2] = {0, 0};  // L4 payload bytes

  const core::IpAddr& initiator() const { return initiator_is_lo ? key.lo : key.hi; }
  const core::IpAddr& responder() const { return initiator_is_lo ? key.hi : key.lo; }
  std::uint16_t initiator_port() const { return initiator_is_lo ? key.lo_port : key.hi_port; }
  std::uint16_t responder_port() const { return initiator_is_lo ? key.hi_port : key.lo_port; }

  // A probe is a connection attempt that carried nothing: a TCP flow whose
  // initiator sent no payload, or a UDP/ICMP flow that got no reply. Scans
  // are made of probes; ordinary traffic, P2P included, mostly is not.
  // Backscatter is not a probe: a lone RST or SYN-ACK (answers to spoofed packets),
  // or UDP from a service port to an ephemeral one (a reflected answer whose
  // request we never saw, as in DNS amplification).
  bool is_probe() const {
    // Only the answer was seen (a SYN-ACK to a spoofed SYN): the supposed
    // initiator never sent anything, so it probed nothing.
    if (packets[kToResponder] == 0) return false;
    if (key.proto == 6) {
      constexpr std::uint8_t kSyn = 0x02, kFin = 0x01, kRst = 0x04;
      const std::uint8_t f = tcp_flags[kToResponder];
      if ((f & kRst) && !(f & (kSyn | kFin))) return false;
      return payload_bytes[kToResponder] == 0;
    }
    if (key.proto == 17 && initiator_port() < 1024 && responder_port() >= 1024) return false;
    return packets[kToInitiator] == 0;
  }
};

}  // namespace picket::flow
