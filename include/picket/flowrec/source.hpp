#pragma once
// Where a FlowRecord or DnsEvent came from: FlowRecord::source, DnsEvent::source
// and Finding::source hold one of these. 0 is the packet path.
#include <cstdint>

namespace picket::flowrec {

enum class Source : std::uint8_t {
  kPackets = 0,     // decoded packets (pcap, live capture)
  kNetflowV5 = 1,   // NetFlow v5 datagrams
  kNetflowV9 = 2,   // NetFlow v9 datagrams (RFC 3954)
  kIpfix = 3,       // IPFIX messages (RFC 7011)
  kVpcFlowLog = 4,  // AWS VPC Flow Logs
  kResolverLog = 5, // Amazon Route 53 Resolver query logs
  kCount
};

// Stable names, written in findings (service.additionalInfo.sourceKind) and stats:
// packets, netflow-v5, netflow-v9, ipfix, vpc-flow-logs, route53-resolver-logs.
inline const char* source_name(std::uint8_t source) {
  switch (static_cast<Source>(source)) {
    case Source::kPackets: return "packets";
    case Source::kNetflowV5: return "netflow-v5";
    case Source::kNetflowV9: return "netflow-v9";
    case Source::kIpfix: return "ipfix";
    case Source::kVpcFlowLog: return "vpc-flow-logs";
    case Source::kResolverLog: return "route53-resolver-logs";
    case Source::kCount: break;
  }
  return "unknown";
}
inline const char* source_name(Source s) { return source_name(static_cast<std::uint8_t>(s)); }

}  // namespace picket::flowrec
