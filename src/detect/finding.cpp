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
    {"Backdoor:EC2/C&CActivity.B", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is communicating with a known command and control server.",
     "Host {local} is connecting to {remote}, which a threat list names as a command and control server."},
    {"Backdoor:EC2/C&CActivity.B!DNS", 8.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a domain associated with command and control.",
     "Host {local} is querying {domain}, which a threat list names as a command and control server."},
    {"CryptoCurrency:EC2/BitcoinTool.B", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is communicating with a cryptocurrency mining service.",
     "Host {local} is talking to {remote} in a way associated with cryptocurrency mining (a listed pool or a mining protocol on the wire)."},
    {"CryptoCurrency:EC2/BitcoinTool.B!DNS", 8.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a domain associated with cryptocurrency mining.",
     "Host {local} is querying {domain}, a domain associated with cryptocurrency mining."},
    {"Trojan:EC2/BlackholeTraffic", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is connecting to a black hole address.",
     "Host {local} is trying to reach {remote}, a known black hole (sinkhole) address: the other end is likely a taken-down malware server."},
    {"Trojan:EC2/DropPoint", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is connecting to a known drop point.",
     "Host {local} is connecting to {remote}, which a threat list names as a place where malware drops stolen data."},
    {"Trojan:EC2/DropPoint!DNS", 5.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a domain of a known drop point.",
     "Host {local} is querying {domain}, which a threat list names as a place where malware drops stolen data."},
    {"Trojan:EC2/PhishingDomainRequest!DNS", 8.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a phishing domain.",
     "Host {local} is querying {domain}, which a threat list names as a phishing site."},
    {"Trojan:EC2/DriveBySourceTraffic!DNS", 5.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a drive-by download domain.",
     "Host {local} is querying {domain}, which a threat list names as a source of drive-by downloads."},
    {"Trojan:EC2/DGADomainRequest.C!DNS", 8.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a known algorithmically generated domain.",
     "Host {local} is querying {domain}, which a threat list names as a domain generated by malware."},
    {"UnauthorizedAccess:EC2/TorClient", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is connecting to a Tor entry node.",
     "Host {local} is connecting to {remote}, a Tor guard or directory node: it may be using Tor to hide its traffic."},
    {"UnauthorizedAccess:EC2/TorRelay", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is behaving as a Tor relay.",
     "Host {local} is exchanging traffic with Tor relays such as {remote}, the way a Tor relay does."},
    {"UnauthorizedAccess:EC2/TorIPCaller", 5.0, ActionType::kNetworkConnection, ResourceRole::kTarget,
     "Connection from a Tor exit node to {local}.",
     "Tor exit node {remote} is connecting to host {local}: someone is reaching it through Tor."},
    {"Recon:EC2/PortProbeUnprotectedPort", 2.0, ActionType::kPortProbe, ResourceRole::kTarget,
     "Unprotected port on {local} is being probed by a known scanner.",
     "Port {port} on host {local} answered a probe from {remote}, which a threat list names as a scanner."},
    {"UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "Connection with an address on a custom threat list.",
     "Host {local} is communicating with {remote}, an address on a threat list you supplied."},
    {"Impact:EC2/MaliciousDomainRequest.Custom", 5.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is querying a domain on a custom threat list.",
     "Host {local} is querying {domain}, a domain on a threat list you supplied."},
    {"UnauthorizedAccess:EC2/SSHBruteForce", 2.0, ActionType::kNetworkConnection, ResourceRole::kTarget,
     "SSH brute force attack against {local}.",
     "Remote host {remote} made many short SSH sessions to {local} port {port}: a password-guessing attack."},
    {"UnauthorizedAccess:EC2/RDPBruteForce", 2.0, ActionType::kNetworkConnection, ResourceRole::kTarget,
     "RDP brute force attack against {local}.",
     "Remote host {remote} made many short RDP sessions to {local} port {port}: a password-guessing attack."},
    {"Impact:EC2/WinRMBruteForce", 2.0, ActionType::kNetworkConnection, ResourceRole::kTarget,
     "WinRM brute force attack against {local}.",
     "Remote host {remote} made many short WinRM sessions to {local} port {port}: a password-guessing attack."},
    {"Backdoor:EC2/C&CActivity.Beacon", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is beaconing to {remote}.",
     "Host {local} connects to {remote} port {port} at regular intervals with regular sizes, the pattern of malware calling home."},
    {"Backdoor:EC2/DenialOfService.Tcp", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is performing an outbound TCP denial-of-service attack.",
     "Host {local} is sending a large rate of TCP packets to {remote}."},
    {"Backdoor:EC2/DenialOfService.Udp", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is performing an outbound UDP denial-of-service attack.",
     "Host {local} is sending a large rate of UDP packets to {remote}."},
    {"Backdoor:EC2/DenialOfService.Dns", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is performing an outbound DNS denial-of-service attack.",
     "Host {local} is sending a large rate of DNS packets to {remote}."},
    {"Backdoor:EC2/DenialOfService.UdpOnTcpPorts", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is flooding TCP ports of {remote} with UDP.",
     "Host {local} is sending a large rate of UDP packets to ports of {remote} that normally carry TCP."},
    {"Backdoor:EC2/DenialOfService.UnusualProtocol", 8.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is flooding {remote} with an unusual protocol.",
     "Host {local} is sending a large rate of packets of an unusual IP protocol to {remote}."},
    {"Backdoor:EC2/Spambot", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is sending mail to many mail servers.",
     "Host {local}, which has no history of sending mail, is speaking SMTP to many remote mail servers: the behaviour of a spam bot."},
    {"Behavior:EC2/LongConnection", 2.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "Unusually long connection between {local} and {remote}.",
     "Host {local} has kept a connection to {remote} port {port} open for a long time."},
    {"Exfiltration:EC2/LargeOutboundTransfer", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} sent far more data to {remote} than it received.",
     "Host {local} sent a large volume of data to {remote}, far more than came back: a possible exfiltration."},
    {"Behavior:EC2/NetworkPortUnusual", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is communicating on an unusual port.",
     "Host {local} is talking to {remote} on port {port}, which it has not used before."},
    {"Behavior:EC2/TrafficVolumeUnusual", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is sending unusually large amounts of traffic to {remote}.",
     "Host {local} is sending far more data to {remote} than its history suggests."},
    {"DefenseEvasion:EC2/UnusualDNSResolver", 5.0, ActionType::kDnsRequest, ResourceRole::kActor,
     "{local} is using an unusual DNS resolver.",
     "Host {local} is sending DNS queries to {remote}, a resolver it does not normally use."},
    {"DefenseEvasion:EC2/UnusualDoHActivity", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is using DNS over HTTPS.",
     "Host {local} is talking to DNS-over-HTTPS server {remote}, which it does not normally do: DNS monitoring may be evaded."},
    {"DefenseEvasion:EC2/UnusualDoTActivity", 5.0, ActionType::kNetworkConnection, ResourceRole::kActor,
     "{local} is using DNS over TLS.",
     "Host {local} is talking to DNS-over-TLS server {remote}, which it does not normally do: DNS monitoring may be evaded."},
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

namespace {
template <std::size_t N>
void copy_cut(char (&dst)[N], std::string_view src) {
  const std::size_t n = src.size() < N - 1 ? src.size() : N - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}
}  // namespace

void Finding::set_threat(std::string_view list, std::string_view name, std::string_view detail) {
  copy_cut(threat_list, list);
  copy_cut(threat_name, name);
  copy_cut(threat_detail, detail);
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
