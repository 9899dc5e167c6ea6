#include "picket/detect/finding.hpp"

#include <cstring>

#include "picket/core/hash.hpp"

namespace picket::detect {

namespace {
// Default severities are GuardDuty's where it has the type (Medium 5, High 8,
// Low 2); new types are placed in the band their impact deserves.
const FindingTypeInfo kTypes[] = {
    {"Recon:EC2/Portscan", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "Unusual outbound port scan from {local}.",
     "Host {local} is performing outbound port scans against remote host {remote}."},
    {"Impact:EC2/PortSweep", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "Host {local} is sweeping {port} on many hosts.",
     "Host {local} is probing {port} on a large number of IP addresses."},
    {"Recon:EC2/InboundPortscan", 2.0, ActionType::kPortProbe, ResourceRole::kTarget,
     "Inbound port scan from {remote}.",
     "Remote host {remote} is probing many ports or many hosts of the home network, {local} among them."},
    {"Trojan:EC2/DNSDataExfiltration", 8.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "Data exfiltration through DNS queries from {local}.",
     "Host {local} is sending data encoded in DNS query names under {domain}, the way DNS tunnels do."},
    {"Trojan:EC2/DGADomainRequest.B", 8.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "Algorithmically generated domains queried by {local}.",
     "Host {local} is querying many generated-looking domain names that do not exist, such as {domain}: the "
     "behaviour of malware searching for its command and control server."},
    {"Trojan:EC2/NXDOMAINStorm", 5.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "Many failed DNS look-ups from {local}.",
     "Host {local} is querying many distinct names that do not exist (for example under {domain})."},
    {"UnauthorizedAccess:EC2/MetadataDNSRebind", 8.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "DNS rebinding to the instance metadata service seen by {local}.",
     "Host {local} resolved {domain} to the instance metadata address: a DNS rebinding attempt to reach "
     "the metadata service."},
    {"Trojan:EC2/BlackholeTraffic!DNS", 5.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a domain that is redirected to a black hole.",
     "Host {local} is querying {domain}, whose answer is a known sinkhole address: the name is likely a "
     "taken-down malware domain."},
};
static_assert(sizeof(kTypes) / sizeof(kTypes[0]) == static_cast<std::size_t>(FindingType::kCount),
              "every FindingType needs an entry");
}  // namespace

const FindingTypeInfo& finding_type_info(FindingType t) { return kTypes[static_cast<int>(t)]; }

const char* severity_label(double s) {
  if (s >= 9.0) return "Critical";
  if (s >= 7.0) return "High";
  if (s >= 4.0) return "Medium";
  return "Low";
}

void Finding::add_metric(std::string_view name, double value) {
  if (metric_count >= kFindingMaxMetrics) return;
  FindingMetric& m = metrics[metric_count++];
  const std::size_t n = name.size() < sizeof(m.name) - 1 ? name.size() : sizeof(m.name) - 1;
  std::memcpy(m.name, name.data(), n);
  m.name[n] = '\0';
  m.value = value;
}

void Finding::set_identity(const core::IpAddr& a, const core::IpAddr& b, std::uint32_t extra) {
  struct {
    std::uint16_t type;
    std::uint16_t pad = 0;
    std::uint32_t extra;
    std::uint8_t a[16], b[16];
    char domain[256];
  } parts{};
  parts.type = static_cast<std::uint16_t>(type);
  parts.extra = extra;
  std::memcpy(parts.a, a.bytes.data(), 16);
  std::memcpy(parts.b, b.bytes.data(), 16);
  std::memcpy(parts.domain, domain, sizeof(domain));
  const XXH128_hash_t h = XXH3_128bits(&parts, sizeof(parts));
  identity[0] = h.high64;
  identity[1] = h.low64;
}

}  // namespace picket::detect
