#include "picket/export/finding_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "picket/export/json_writer.hpp"
#include "picket/flowrec/source.hpp"

namespace picket::exporter {

using detect::ActionType;
using detect::Direction;
using detect::Finding;
using detect::ResourceRole;

std::string finding_id(const Finding& f) {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(f.identity[0]),
                static_cast<unsigned long long>(f.identity[1]));
  return std::string(buf, 32);
}

const char* port_name(std::uint16_t port) {
  switch (port) {
    case 20: case 21: return "FTP";
    case 22: return "SSH";
    case 23: return "Telnet";
    case 25: case 587: return "SMTP";
    case 53: return "DNS";
    case 80: case 8080: return "HTTP";
    case 110: return "POP3";
    case 123: return "NTP";
    case 135: return "MSRPC";
    case 139: case 445: return "SMB";
    case 143: return "IMAP";
    case 161: return "SNMP";
    case 389: return "LDAP";
    case 443: case 8443: return "HTTPS";
    case 465: return "SMTPS";
    case 853: return "DNS-over-TLS";
    case 993: return "IMAPS";
    case 1433: return "MSSQL";
    case 1521: return "Oracle";
    case 2375: case 2376: return "Docker";
    case 3306: return "MYSQL";
    case 3389: return "RDP";
    case 5432: return "POSTGRESQL";
    case 5900: return "VNC";
    case 5985: case 5986: return "WinRM";
    case 6379: return "Redis";
    case 9200: return "Elasticsearch";
    case 11211: return "Memcached";
    case 27017: return "MongoDB";
    default: return "Unknown";
  }
}

const char* protocol_name(std::uint8_t proto) {
  switch (proto) {
    case 1: return "ICMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 58: return "ICMPV6";
    case 132: return "SCTP";
    default: return "Unknown";
  }
}

namespace {

// A coordinate in degrees with up to 6 decimals (about 0.1 m), as the
// databases store them; JsonWriter's 6 significant digits would round
// 139.6917 to 139.692.
void coordinate(JsonWriter& w, const char* key, double deg) {
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.6f", std::isfinite(deg) ? deg : 0.0);
  while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.') --n;
  w.key(key).raw(std::string_view(buf, static_cast<std::size_t>(n)));
}

void render_geo(JsonWriter& w, const geoip::GeoInfo& g) {
  if (g.has_organization()) {
    w.key("organization").begin_object();
    // GuardDuty writes the AS number as a string.
    if (g.asn) w.field("asn", std::to_string(g.asn));
    if (!g.asn_org.empty()) w.field("asnOrg", std::string_view(g.asn_org));
    if (!g.isp.empty()) w.field("isp", std::string_view(g.isp));
    if (!g.org.empty()) w.field("org", std::string_view(g.org));
    w.end_object();
  }
  if (g.has_country()) {
    w.key("country").begin_object();
    if (!g.country_code.empty()) w.field("countryCode", std::string_view(g.country_code));
    if (!g.country_name.empty()) w.field("countryName", std::string_view(g.country_name));
    w.end_object();
  }
  if (!g.city_name.empty()) w.key("city").begin_object().field("cityName", std::string_view(g.city_name)).end_object();
  if (g.has_location)
  {
    w.key("geoLocation").begin_object();
    coordinate(w, "lat", g.latitude);
    coordinate(w, "lon", g.longitude);
    w.end_object();
  }
}

// remoteIpDetails carries what GeoIP knows of the address, as GuardDuty's does.
void ip_details(JsonWriter& w, const core::IpAddr& a, const geoip::GeoInfo* geo = nullptr) {
  w.begin_object();
  w.field(a.is_v4() ? "ipAddressV4" : "ipAddressV6", a);
  if (geo) render_geo(w, *geo);
  w.end_object();
}

void port_details(JsonWriter& w, std::uint16_t port) {
  w.begin_object().field("port", unsigned{port}).field("portName", port_name(port)).end_object();
}

// Replaces {local} {remote} {port} {domain} in a type's title/description.
std::string expand(std::string_view tmpl, const Finding& f) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out.push_back(tmpl[i]);
      continue;
    }
    const std::size_t close = tmpl.find('}', i);
    if (close == std::string_view::npos) {
      out.append(tmpl.substr(i));
      break;
    }
    const std::string_view name = tmpl.substr(i + 1, close - i - 1);
    if (name == "local") out += f.local.to_string();
    else if (name == "remote") out += f.remote.to_string();
    else if (name == "port") {
      if (f.protocol == 1 || f.protocol == 58) out += "ICMP echo";
      else out += "port " + std::to_string(f.remote_port ? f.remote_port : f.local_port) + "/" + protocol_name(f.protocol);
    }
    else if (name == "domain") out += f.domain;
    i = close;
  }
  return out;
}

void render_action(JsonWriter& w, const Finding& f, ActionType action, const geoip::GeoInfo* geo) {
  w.key("action").begin_object();
  switch (action) {
    case ActionType::kNetworkConnection:
      w.field("actionType", "NETWORK_CONNECTION");
      w.key("networkConnectionAction").begin_object();
      w.field("connectionDirection", f.direction == Direction::kInbound    ? "INBOUND"
                                     : f.direction == Direction::kOutbound ? "OUTBOUND"
                                                                           : "UNKNOWN");
      w.key("remoteIpDetails");
      ip_details(w, f.remote, geo);
      w.key("remotePortDetails");
      port_details(w, f.remote_port);
      w.key("localPortDetails");
      port_details(w, f.local_port);
      w.key("localIpDetails");
      ip_details(w, f.local);
      w.field("protocol", protocol_name(f.protocol));
      w.field("blocked", false);
      w.end_object();
      break;
    case ActionType::kPortProbe:
      w.field("actionType", "PORT_PROBE");
      w.key("portProbeAction").begin_object();
      w.field("blocked", false);
      w.key("portProbeDetails").begin_array();
      {
        // One entry per probed port of the local host (or per probed host on one port).
        const int n = f.host_count > 1 ? f.host_count : (f.port_count ? f.port_count : 1);
        for (int i = 0; i < n; ++i) {
          const std::uint16_t port = f.host_count > 1 ? f.local_port : (f.port_count ? f.ports[i] : f.local_port);
          const core::IpAddr& local = f.host_count > 1 ? f.hosts[i] : f.local;
          w.begin_object();
          w.key("localPortDetails");
          port_details(w, port);
          w.key("localIpDetails");
          ip_details(w, local);
          w.key("remoteIpDetails");
          ip_details(w, f.remote, geo);
          w.end_object();
        }
      }
      w.end_array();
      w.end_object();
      break;
    case ActionType::kDnsRequest:
      w.field("actionType", "DNS_REQUEST");
      w.key("dnsRequestAction").begin_object();
      w.field("domain", std::string_view(f.domain));
      w.field("protocol", f.protocol == 6 ? "TCP" : "UDP");
      w.field("blocked", false);
      w.end_object();
      break;
  }
  w.end_object();
}

void render_parties(JsonWriter& w, const char* key, const TopParties& t) {
  // Most counted first; ties by most recent, then address, so output is stable.
  int order[kTopParties];
  for (int i = 0; i < t.n; ++i) order[i] = i;
  std::sort(order, order + t.n, [&](int a, int b) {
    const TopParty &x = t.e[a], &y = t.e[b];
    if (x.count != y.count) return x.count > y.count;
    if (x.last_seen != y.last_seen) return x.last_seen > y.last_seen;
    return x.addr.bytes < y.addr.bytes;
  });
  w.key(key).begin_array();
  for (int i = 0; i < t.n; ++i) {
    const TopParty& p = t.e[order[i]];
    w.begin_object().field("ipAddress", p.addr).field("count", p.count).field("lastSeen", core::iso8601(p.last_seen));
    w.end_object();
  }
  w.end_array();
}

void render_evidence(JsonWriter& w, const Finding& f) {
  w.key("evidence").begin_object();
  w.field("detector", std::string_view(f.detector));
  for (int i = 0; i < f.metric_count; ++i) w.field(f.metrics[i].name, f.metrics[i].value);
  if (f.port_count) {
    w.key("samplePorts").begin_array();
    for (int i = 0; i < f.port_count; ++i) w.value(unsigned{f.ports[i]});
    w.end_array();
  }
  if (f.host_count) {
    w.key("sampleHosts").begin_array();
    for (int i = 0; i < f.host_count; ++i) w.value(f.hosts[i]);
    w.end_array();
  }
  if (f.threat_list[0]) {
    // GuardDuty's shape: the list, and the threat names it gives the entry.
    w.key("threatIntelligenceDetails").begin_array().begin_object();
    w.field("threatListName", std::string_view(f.threat_list));
    w.key("threatNames").begin_array();
    w.value(std::string_view(f.threat_name));
    if (f.threat_detail[0]) w.value(std::string_view(f.threat_detail));
    w.end_array();
    w.end_object().end_array();
    // A connection flagged because a listed domain resolved to its address.
    if (f.domain[0] && detect::finding_type_info(f.type).action != ActionType::kDnsRequest)
      w.field("domain", std::string_view(f.domain));
  }
  w.end_object();
}

}  // namespace

void TopParties::add(const core::IpAddr& a, std::uint64_t weight, core::Nanos seen) {
  if (a.is_zero()) return;
  int min_i = 0;
  for (int i = 0; i < n; ++i) {
    if (e[i].addr == a) {
      e[i].count += weight;
      if (seen > e[i].last_seen) e[i].last_seen = seen;
      return;
    }
    if (e[i].count < e[min_i].count) min_i = i;
  }
  if (n < kTopParties) {
    e[n++] = TopParty{a, weight, seen};
    return;
  }
  e[min_i] = TopParty{a, e[min_i].count + weight, seen};
}

const core::IpAddr& finding_actor(const Finding& f) {
  return f.role() == ResourceRole::kActor ? f.local : f.remote;
}
const core::IpAddr& finding_target(const Finding& f) {
  return f.role() == ResourceRole::kActor ? f.remote : f.local;
}

std::string finding_title(const FindingRecord& rec) {
  std::string t = expand(rec.f.title_template(), rec.f);
  return rec.sample ? "[SAMPLE] " + t : t;
}
std::string finding_description(const FindingRecord& rec) {
  return expand(rec.f.description_template(), rec.f);
}

void render_finding_json(const FindingRecord& rec, const RenderOptions& opt, std::string& out) {
  const Finding& f = rec.f;
  const detect::FindingTypeInfo& info = detect::finding_type_info(f.type);
  const std::string id = finding_id(f);
  JsonWriter w(out);
  w.begin_object();
  w.field("schemaVersion", "2.0");
  w.field("accountId", opt.account_id);
  w.field("region", opt.region);
  w.field("partition", "aws");
  w.field("id", id);
  w.field("arn", "arn:aws:guardduty:" + opt.region + ":" + opt.account_id + ":detector/" + opt.detector_id +
                     "/finding/" + id);
  w.field("type", info.name);

  w.key("resource").begin_object();
  w.field("resourceType", "Instance");
  w.key("instanceDetails").begin_object();
  w.field("instanceId", "host-" + f.local.to_string());
  w.key("networkInterfaces").begin_array().begin_object();
  if (f.local.is_v4()) {
    w.field("privateIpAddress", f.local);
    w.key("privateIpAddresses").begin_array().begin_object().field("privateIpAddress", f.local).end_object().end_array();
    w.key("ipv6Addresses").begin_array().end_array();
  } else {
    w.key("privateIpAddresses").begin_array().end_array();
    w.key("ipv6Addresses").begin_array().value(f.local).end_array();
  }
  w.end_object().end_array();
  w.end_object();
  w.end_object();

  w.key("service").begin_object();
  w.field("serviceName", "picket");
  w.field("detectorId", opt.detector_id);
  render_action(w, f, info.action, rec.remote_geo.get());
  w.field("resourceRole", f.role() == ResourceRole::kActor ? "ACTOR" : "TARGET");
  render_evidence(w, f);
  w.key("additionalInfo").begin_object();
  if (rec.sample) w.field("sample", true);
  // Flow-record and log inputs name themselves; packet findings stay as they were.
  if (f.source) w.field("sourceKind", flowrec::source_name(f.source));
  render_parties(w, "topActors", rec.top_actors);
  render_parties(w, "topTargets", rec.top_targets);
  w.end_object();
  w.field("archived", rec.archived);
  w.field("count", rec.count);
  w.field("eventFirstSeen", core::iso8601(f.first_seen));
  w.field("eventLastSeen", core::iso8601(f.last_seen));
  w.end_object();

  w.field("severity", f.severity);
  w.field("createdAt", core::iso8601(rec.created_at));
  w.field("updatedAt", core::iso8601(rec.updated_at));
  w.field("title", finding_title(rec));
  w.field("description", finding_description(rec));
  w.end_object();
}

}  // namespace picket::exporter
