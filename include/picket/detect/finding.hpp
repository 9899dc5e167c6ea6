#pragma once
// Finding: what a detector reports. Fixed-size plain data so it can travel
// through rings; rendered as GuardDuty finding JSON by the export module.
#include <cstdint>
#include <string_view>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

namespace picket::detect {

// Every finding type picket can raise. Names follow GuardDuty's scheme
// ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact,
// verbatim where GuardDuty has the same finding.
enum class FindingType : std::uint16_t {
  kReconPortscan = 0,       // Recon:EC2/Portscan
  kImpactPortSweep,         // Impact:EC2/PortSweep
  kReconInboundPortscan,    // Recon:EC2/InboundPortscan (picket)
  kTrojanDnsDataExfiltration,      // Trojan:EC2/DNSDataExfiltration
  kTrojanDgaDomainRequest,         // Trojan:EC2/DGADomainRequest.B
  kTrojanNxdomainStorm,            // Trojan:EC2/NXDOMAINStorm (picket)
  kUnauthorizedMetadataDnsRebind,  // UnauthorizedAccess:EC2/MetadataDNSRebind
  kTrojanBlackholeTrafficDns,      // Trojan:EC2/BlackholeTraffic!DNS
  // Threat-list hits (src/detect/intel): the list's category picks the type.
  kBackdoorCcActivityB,            // Backdoor:EC2/C&CActivity.B
  kBackdoorCcActivityBDns,         // Backdoor:EC2/C&CActivity.B!DNS
  kCryptoBitcoinToolB,             // CryptoCurrency:EC2/BitcoinTool.B (list hit or mining protocol)
  kCryptoBitcoinToolBDns,          // CryptoCurrency:EC2/BitcoinTool.B!DNS
  kTrojanBlackholeTraffic,         // Trojan:EC2/BlackholeTraffic
  kTrojanDropPoint,                // Trojan:EC2/DropPoint
  kTrojanDropPointDns,             // Trojan:EC2/DropPoint!DNS
  kTrojanPhishingDomainRequestDns, // Trojan:EC2/PhishingDomainRequest!DNS
  kTrojanDriveBySourceTrafficDns,  // Trojan:EC2/DriveBySourceTraffic!DNS
  kTrojanDgaDomainRequestCDns,     // Trojan:EC2/DGADomainRequest.C!DNS
  kUnauthorizedTorClient,          // UnauthorizedAccess:EC2/TorClient
  kUnauthorizedTorRelay,           // UnauthorizedAccess:EC2/TorRelay
  kUnauthorizedTorIpCaller,        // UnauthorizedAccess:EC2/TorIPCaller
  kReconPortProbeUnprotectedPort,  // Recon:EC2/PortProbeUnprotectedPort
  kUnauthorizedMaliciousIpCallerCustom,  // UnauthorizedAccess:EC2/MaliciousIPCaller.Custom
  kImpactMaliciousDomainRequestCustom,   // Impact:EC2/MaliciousDomainRequest.Custom
  // Behaviour (src/detect/<detector>): no list needed.
  kUnauthorizedSshBruteForce,      // UnauthorizedAccess:EC2/SSHBruteForce
  kUnauthorizedRdpBruteForce,      // UnauthorizedAccess:EC2/RDPBruteForce
  kImpactWinRmBruteForce,          // Impact:EC2/WinRMBruteForce
  kBackdoorCcActivityBeacon,       // Backdoor:EC2/C&CActivity.Beacon (picket)
  kBackdoorDosTcp,                 // Backdoor:EC2/DenialOfService.Tcp
  kBackdoorDosUdp,                 // Backdoor:EC2/DenialOfService.Udp
  kBackdoorDosDns,                 // Backdoor:EC2/DenialOfService.Dns
  kBackdoorDosUdpOnTcpPorts,       // Backdoor:EC2/DenialOfService.UdpOnTcpPorts
  kBackdoorDosUnusualProtocol,     // Backdoor:EC2/DenialOfService.UnusualProtocol
  kBackdoorSpambot,                // Backdoor:EC2/Spambot
  kBehaviorLongConnection,         // Behavior:EC2/LongConnection (picket)
  kExfiltrationLargeOutboundTransfer,  // Exfiltration:EC2/LargeOutboundTransfer (picket)
  kBehaviorNetworkPortUnusual,     // Behavior:EC2/NetworkPortUnusual
  kBehaviorTrafficVolumeUnusual,   // Behavior:EC2/TrafficVolumeUnusual
  kDefenseEvasionUnusualDnsResolver,  // DefenseEvasion:EC2/UnusualDNSResolver
  kDefenseEvasionUnusualDohActivity,  // DefenseEvasion:EC2/UnusualDoHActivity
  kDefenseEvasionUnusualDotActivity,  // DefenseEvasion:EC2/UnusualDoTActivity
  kCount
};

enum class ActionType : std::uint8_t { kNetworkConnection, kPortProbe, kDnsRequest };
enum class ResourceRole : std::uint8_t { kActor, kTarget };
enum class Direction : std::uint8_t { kInbound, kOutbound, kUnknown };

struct FindingTypeInfo {
  const char* name;         // GuardDuty type string
  double default_severity;  // 1.0-10.0
  ActionType action;
  ResourceRole role;        // role of the local host (the finding's resource)
  const char* title;        // may contain {local} {remote} {port} {domain}
  const char* description;  // same placeholders
  // Types whose local host may be either side (brute force: GuardDuty reports
  // both an attacked and an attacking instance): wording when the local host
  // is the actor. Null for types with one fixed role.
  const char* title_as_actor = nullptr;
  const char* description_as_actor = nullptr;
};
const FindingTypeInfo& finding_type_info(FindingType t);
// GuardDuty's bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0.
const char* severity_label(double severity);

inline constexpr int kFindingMaxMetrics = 8;
inline constexpr int kFindingMaxPorts = 16;
inline constexpr int kFindingMaxHosts = 8;

struct FindingMetric {
  char name[28] = {};
  double value = 0;
};

struct Finding {
  FindingType type = FindingType::kCount;
  double severity = 0;
  Direction direction = Direction::kUnknown;
  std::uint8_t protocol = 0;  // IANA number; 0 for DNS findings
  core::IpAddr local;         // the resource: a host in the home network (may be zero)
  core::IpAddr remote;        // the other party (zero when many: see hosts)
  std::uint16_t local_port = 0, remote_port = 0;
  core::Nanos first_seen = 0, last_seen = 0;
  std::uint32_t count = 1;    // occurrences folded into this report
  // false: a new occurrence (the exporter adds `count`); true: fresher figures
  // for an occurrence already reported (the exporter replaces the evidence).
  bool update = false;
  // The local host's role when the detector decided it (set_role); otherwise
  // the type's role (FindingTypeInfo::role). See role().
  bool role_set = false;
  ResourceRole role_override = ResourceRole::kActor;
  char domain[256] = {};
  // Identity of the activity: equal for repeats of the same activity, so that
  // the exporter folds them into one finding with one stable id.
  std::uint64_t identity[2] = {0, 0};

  // Evidence: the figures that crossed the threshold.
  char detector[24] = {};
  FindingMetric metrics[kFindingMaxMetrics];
  std::uint8_t metric_count = 0;
  std::uint16_t ports[kFindingMaxPorts] = {};  // sample of ports involved
  std::uint8_t port_count = 0;
  core::IpAddr hosts[kFindingMaxHosts];        // sample of hosts involved
  std::uint8_t host_count = 0;
  // Input the events behind it came from (flowrec::Source; 0 = packets).
  // Set by the pipeline, not by detectors.
  std::uint8_t source = 0;

  // Threat-list hit (src/detect/intel): the list's name, the entry that
  // matched (address, CIDR, domain or pattern) and its threat name if the
  // list gave one. Rendered as evidence.threatIntelligenceDetails.
  char threat_list[48] = {};
  char threat_name[128] = {};
  char threat_detail[64] = {};

  void add_metric(std::string_view name, double value);
  void set_role(ResourceRole r) {
    role_set = true;
    role_override = r;
  }
  // The local host's role in this finding.
  ResourceRole role() const;
  // Title and description templates for this finding's role.
  const char* title_template() const;
  const char* description_template() const;
  // Fills the threat fields (cut to size).
  void set_threat(std::string_view list, std::string_view name, std::string_view detail = {});
  // Computes `identity` from the type and the given parts.
  void set_identity(const core::IpAddr& a, const core::IpAddr& b, std::uint32_t extra);
};

class FindingSink {
 public:
  virtual ~FindingSink() = default;
  virtual void emit(const Finding& f) = 0;
};

}  // namespace picket::detect
