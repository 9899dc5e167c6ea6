#pragma once
// UniFlow: one exported flow record as the exporter saw it, in one direction
// (NetFlow, IPFIX and VPC Flow Logs all report src -> dst). The record feed
// pairs the two directions of a conversation into one FlowRecord.
#include <cstdint>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/detect/events.hpp"
#include "picket/flow/flow_record.hpp"

namespace picket::flowrec {

struct UniFlow {
  core::IpAddr src, dst;
  std::uint16_t sport = 0, dport = 0;
  std::uint8_t proto = 0;
  std::uint8_t tcp_flags = 0;
  bool tcp_flags_known = false;
  std::uint8_t icmp_type = 0;
  std::uint8_t source = 0;  // flowrec::Source
  std::uint16_t vlan = 0;
  std::uint64_t packets = 0, bytes = 0;  // already scaled by the sampling rate
  core::Nanos first = 0, last = 0;
  // RFC 5103 bidirectional IPFIX: the reverse direction's counters in the same record.
  bool has_reverse = false;
  std::uint64_t rev_packets = 0, rev_bytes = 0;
  std::uint8_t rev_tcp_flags = 0;
  core::Nanos rev_first = 0;  // 0 = not exported
};

// What the parsers hand their records to.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void on_flow(const UniFlow& f) = 0;
  virtual void on_dns(const detect::DnsEvent&) {}
};

// The FlowRecord of one direction: initiator = src. end_time = last.
flow::FlowRecord make_flow_record(const UniFlow& u);
// True when `u` is the opposite direction of `r` (r's responder sent it).
bool is_reverse_of(const flow::FlowRecord& r, const UniFlow& u);
// Folds the opposite direction into `r`.
void add_reverse(flow::FlowRecord& r, const UniFlow& u);
// Makes the other end the initiator (swaps the per-direction counters).
void swap_initiator(flow::FlowRecord& r);
// Decides which end started the conversation from what a flow record can
// tell (first packet time, TCP flags, service ports) and sets the state.
// `both_directions`: the reverse record was paired in.
void finish_flow_record(flow::FlowRecord& r, bool both_directions);

}  // namespace picket::flowrec
