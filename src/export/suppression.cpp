#include "picket/export/suppression.hpp"

#include <cstdio>
#include <cstdlib>

namespace picket::exporter {

using detect::ActionType;
using detect::Finding;

namespace {

enum FieldId : int {
  kId, kType, kSeverity, kTitle, kDescription,
  kInstanceId, kPrivateIp, kIpv6Address,
  kActionType,
  kNcDirection, kNcProtocol, kNcRemoteV4, kNcRemoteV6, kNcLocalV4, kNcLocalV6, kNcRemotePort, kNcLocalPort,
  kPpLocalPort, kPpLocalV4, kPpLocalV6, kPpRemoteV4, kPpRemoteV6,
  kDnsDomain, kDnsProtocol,
  kResourceRole, kCount, kDetector, kSample, kTopActors, kTopTargets,
  // GeoIP (--geoip-db): Delivery enriches a report before the rules see it.
  kNcCountryCode, kNcCountryName, kNcCityName, kNcAsn, kNcAsnOrg,
  kPpCountryCode, kPpCountryName, kPpCityName, kPpAsn, kPpAsnOrg,
};

const std::vector<FieldInfo> kFields = {
    {"id", FieldKind::kString, "finding id (32 hex characters)"},
    {"type", FieldKind::kString, "finding type, e.g. Recon:EC2/Portscan"},
    {"severity", FieldKind::kNumber, "1.0-10.0"},
    {"title", FieldKind::kString, "title as written"},
    {"description", FieldKind::kString, "description as written"},
    {"resource.instanceDetails.instanceId", FieldKind::kString, "host-ADDRESS of the local host"},
    {"resource.instanceDetails.networkInterfaces.privateIpAddress", FieldKind::kAddress, "local IPv4 address"},
    {"resource.instanceDetails.networkInterfaces.ipv6Addresses", FieldKind::kAddress, "local IPv6 address"},
    {"service.action.actionType", FieldKind::kString, "NETWORK_CONNECTION, PORT_PROBE or DNS_REQUEST"},
    {"service.action.networkConnectionAction.connectionDirection", FieldKind::kString, "INBOUND, OUTBOUND, UNKNOWN"},
    {"service.action.networkConnectionAction.protocol", FieldKind::kString, "TCP, UDP, ICMP, ..."},
    {"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4", FieldKind::kAddress, ""},
    {"service.action.networkConnectionAction.remoteIpDetails.ipAddressV6", FieldKind::kAddress, ""},
    {"service.action.networkConnectionAction.localIpDetails.ipAddressV4", FieldKind::kAddress, ""},
    {"service.action.networkConnectionAction.localIpDetails.ipAddressV6", FieldKind::kAddress, ""},
    {"service.action.networkConnectionAction.remotePortDetails.port", FieldKind::kNumber, ""},
    {"service.action.networkConnectionAction.localPortDetails.port", FieldKind::kNumber, ""},
    {"service.action.portProbeAction.portProbeDetails.localPortDetails.port", FieldKind::kNumber, "any probed port"},
    {"service.action.portProbeAction.portProbeDetails.localIpDetails.ipAddressV4", FieldKind::kAddress, "any probed host"},
    {"service.action.portProbeAction.portProbeDetails.localIpDetails.ipAddressV6", FieldKind::kAddress, "any probed host"},
    {"service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4", FieldKind::kAddress, "the prober"},
    {"service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV6", FieldKind::kAddress, "the prober"},
    {"service.action.dnsRequestAction.domain", FieldKind::kString, "queried name"},
    {"service.action.dnsRequestAction.protocol", FieldKind::kString, "TCP or UDP"},
    {"service.resourceRole", FieldKind::kString, "ACTOR or TARGET"},
    {"service.count", FieldKind::kNumber, "occurrences folded into the finding"},
    {"service.evidence.detector", FieldKind::kString, "detector that raised it"},
    {"service.additionalInfo.sample", FieldKind::kString, "\"true\" for sample findings, else \"false\""},
    {"service.additionalInfo.topActors.ipAddress", FieldKind::kAddress, "any of the top actors"},
    {"service.additionalInfo.topTargets.ipAddress", FieldKind::kAddress, "any of the top targets"},
    {"service.action.networkConnectionAction.remoteIpDetails.country.countryCode", FieldKind::kString, "GeoIP: ISO code"},
    {"service.action.networkConnectionAction.remoteIpDetails.country.countryName", FieldKind::kString, "GeoIP"},
    {"service.action.networkConnectionAction.remoteIpDetails.city.cityName", FieldKind::kString, "GeoIP"},
    {"service.action.networkConnectionAction.remoteIpDetails.organization.asn", FieldKind::kString, "GeoIP: AS number"},
    {"service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg", FieldKind::kString, "GeoIP"},
    {"service.action.portProbeAction.portProbeDetails.remoteIpDetails.country.countryCode", FieldKind::kString, "GeoIP"},
    {"service.action.portProbeAction.portProbeDetails.remoteIpDetails.country.countryName", FieldKind::kString, "GeoIP"},
    {"service.action.portProbeAction.portProbeDetails.remoteIpDetails.city.cityName", FieldKind::kString, "GeoIP"},
    {"service.action.portProbeAction.portProbeDetails.remoteIpDetails.organization.asn", FieldKind::kString, "GeoIP"},
    {"service.action.portProbeAction.portProbeDetails.remoteIpDetails.organization.asnOrg", FieldKind::kString, "GeoIP"},
};

// The values a field has in one finding: none (absent), one, or several.
struct Values {
  static constexpr int kMax = 24;
  FieldKind kind = FieldKind::kString;
  int n = 0;
  std::string_view str[kMax];
  double num[kMax];
  core::IpAddr addr[kMax];
  std::string scratch;  // backs a computed string

  void s(std::string_view v) { if (n < kMax) { kind = FieldKind::kString; str[n++] = v; } }
  void d(double v) { if (n < kMax) { kind = FieldKind::kNumber; num[n++] = v; } }
  void a(const core::IpAddr& v) { if (n < kMax) { kind = FieldKind::kAddress; addr[n++] = v; } }
  void a_if(const core::IpAddr& v, bool v4) { if (!v.is_zero() && v.is_v4() == v4) a(v); }
};

const char* direction_name(detect::Direction d) {
  return d == detect::Direction::kInbound ? "INBOUND" : d == detect::Direction::kOutbound ? "OUTBOUND" : "UNKNOWN";
}

void extract(int field, const FindingRecord& rec, Values& v) {
  const Finding& f = rec.f;
  const detect::FindingTypeInfo& info = detect::finding_type_info(f.type);
  const bool nc = info.action == ActionType::kNetworkConnection;
  const bool pp = info.action == ActionType::kPortProbe;
  const bool dns = info.action == ActionType::kDnsRequest;
  switch (field) {
    case kId: v.scratch = finding_id(f); v.s(v.scratch); break;
    case kType: v.s(info.name); break;
    case kSeverity: v.d(f.severity); break;
    case kTitle: v.scratch = finding_title(rec); v.s(v.scratch); break;
    case kDescription: v.scratch = finding_description(rec); v.s(v.scratch); break;
    case kInstanceId: v.scratch = "host-" + f.local.to_string(); v.s(v.scratch); break;
    case kPrivateIp: v.a_if(f.local, true); break;
    case kIpv6Address: v.a_if(f.local, false); break;
    case kActionType: v.s(nc ? "NETWORK_CONNECTION" : pp ? "PORT_PROBE" : "DNS_REQUEST"); break;
    case kNcDirection: if (nc) v.s(direction_name(f.direction)); break;
    case kNcProtocol: if (nc) v.s(protocol_name(f.protocol)); break;
    case kNcRemoteV4: if (nc) v.a_if(f.remote, true); break;
    case kNcRemoteV6: if (nc) v.a_if(f.remote, false); break;
    case kNcLocalV4: if (nc) v.a_if(f.local, true); break;
    case kNcLocalV6: if (nc) v.a_if(f.local, false); break;
    case kNcRemotePort: if (nc) v.d(f.remote_port); break;
    case kNcLocalPort: if (nc) v.d(f.local_port); break;
    case kPpLocalPort:
    case kPpLocalV4:
    case kPpLocalV6:
      if (pp) {
        // The same entries render_finding_json writes in portProbeDetails.
        const int n = f.host_count > 1 ? f.host_count : (f.port_count ? f.port_count : 1);
        for (int i = 0; i < n; ++i) {
          const std::uint16_t port = f.host_count > 1 ? f.local_port : (f.port_count ? f.ports[i] : f.local_port);
          const core::IpAddr& local = f.host_count > 1 ? f.hosts[i] : f.local;
          if (field == kPpLocalPort) v.d(port);
          else v.a_if(local, field == kPpLocalV4);
        }
      }
      break;
    case kPpRemoteV4: if (pp) v.a_if(f.remote, true); break;
    case kPpRemoteV6: if (pp) v.a_if(f.remote, false); break;
    case kDnsDomain: if (dns) v.s(f.domain); break;
    case kDnsProtocol: if (dns) v.s(f.protocol == 6 ? "TCP" : "UDP"); break;
    case kResourceRole: v.s(info.role == detect::ResourceRole::kActor ? "ACTOR" : "TARGET"); break;
    case kCount: v.d(static_cast<double>(rec.count)); break;
    case kDetector: v.s(f.detector); break;
    case kSample: v.s(rec.sample ? "true" : "false"); break;
    case kTopActors:
      for (int i = 0; i < rec.top_actors.n; ++i) v.a(rec.top_actors.e[i].addr);
      break;
    case kTopTargets:
      for (int i = 0; i < rec.top_targets.n; ++i) v.a(rec.top_targets.e[i].addr);
      break;
    case kNcCountryCode: case kNcCountryName: case kNcCityName: case kNcAsn: case kNcAsnOrg:
    case kPpCountryCode: case kPpCountryName: case kPpCityName: case kPpAsn: case kPpAsnOrg: {
      // Absent (matches no value) without GeoIP or when the databases know nothing.
      const bool want_nc = field <= kNcAsnOrg;
      const geoip::GeoInfo* g = rec.remote_geo.get();
      if (!g || (want_nc ? !nc : !pp)) break;
      const int which = want_nc ? field - kNcCountryCode : field - kPpCountryCode;
      const std::string* s = which == 0 ? &g->country_code : which == 1 ? &g->country_name
                             : which == 2 ? &g->city_name : which == 4 ? &g->asn_org : nullptr;
      if (which == 3 && g->asn) {
        v.scratch = std::to_string(g->asn);
        v.s(v.scratch);
      } else if (s && !s->empty()) {
        v.s(*s);
      }
      break;
    }
    default: break;
  }
}

bool value_equals(const Criterion& c, const Values& v, int i) {
  switch (v.kind) {
    case FieldKind::kString:
      for (const auto& s : c.strings) if (v.str[i] == s) return true;
      return false;
    case FieldKind::kNumber:
      for (double d : c.numbers) if (v.num[i] == d) return true;
      return false;
    case FieldKind::kAddress:
      for (const auto& cidr : c.cidrs) if (cidr.contains(v.addr[i])) return true;
      return false;
  }
  return false;
}

bool value_matches(const Criterion& c, const Values& v, int i) {
  char buf[64];
  std::string_view text;
  if (v.kind == FieldKind::kString) text = v.str[i];
  else if (v.kind == FieldKind::kAddress) text = std::string_view(buf, v.addr[i].format(buf, sizeof(buf)));
  else {
    const int n = std::snprintf(buf, sizeof(buf), "%g", v.num[i]);
    text = std::string_view(buf, static_cast<std::size_t>(n));
  }
  for (const auto& p : c.strings) if (wildcard_match(p, text)) return true;
  return false;
}

}  // namespace

std::optional<Operator> parse_operator(std::string_view n) {
  if (n == "equals" || n == "eq") return Operator::kEquals;
  if (n == "notEquals" || n == "neq") return Operator::kNotEquals;
  if (n == "greaterThan" || n == "gt") return Operator::kGreaterThan;
  if (n == "greaterThanOrEqual" || n == "gte") return Operator::kGreaterThanOrEqual;
  if (n == "lessThan" || n == "lt") return Operator::kLessThan;
  if (n == "lessThanOrEqual" || n == "lte") return Operator::kLessThanOrEqual;
  if (n == "matches") return Operator::kMatches;
  if (n == "notMatches") return Operator::kNotMatches;
  return std::nullopt;
}

const char* operator_name(Operator op) {
  static const char* const kNames[] = {"equals", "notEquals", "greaterThan", "greaterThanOrEqual",
                                       "lessThan", "lessThanOrEqual", "matches", "notMatches"};
  return kNames[static_cast<int>(op)];
}

bool wildcard_match(std::string_view p, std::string_view t) {
  // Iterative matcher with one backtrack point: linear in practice, never exponential.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

const std::vector<FieldInfo>& filter_fields() { return kFields; }

std::string RuleSet::make_criterion(std::string_view field, std::string_view op_name,
                                    const std::vector<std::string>& values, Criterion& out) {
  out = Criterion{};
  out.field = std::string(field);
  for (std::size_t i = 0; i < kFields.size(); ++i)
    if (field == kFields[i].path) out.field_index = static_cast<int>(i);
  if (out.field_index < 0) return "unknown field '" + std::string(field) + "' (see the field list in src/export/README.md)";
  const auto op = parse_operator(op_name);
  if (!op)
    return "unknown operator '" + std::string(op_name) +
           "' (equals, notEquals, greaterThan, greaterThanOrEqual, lessThan, lessThanOrEqual, matches, notMatches)";
  out.op = *op;
  if (values.empty()) return "operator '" + std::string(op_name) + "' needs at least one value";
  const FieldKind kind = kFields[static_cast<std::size_t>(out.field_index)].kind;
  const bool compare = *op == Operator::kGreaterThan || *op == Operator::kGreaterThanOrEqual ||
                       *op == Operator::kLessThan || *op == Operator::kLessThanOrEqual;
  if (compare && kind != FieldKind::kNumber)
    return "operator '" + std::string(op_name) + "' needs a numeric field; '" + out.field + "' is not one";
  if (compare && values.size() != 1) return "operator '" + std::string(op_name) + "' takes exactly one value";
  if (*op == Operator::kMatches || *op == Operator::kNotMatches) {
    out.strings = values;
    return "";
  }
  for (const auto& v : values) {
    switch (kind) {
      case FieldKind::kString: out.strings.push_back(v); break;
      case FieldKind::kNumber: {
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0') return "'" + v + "' is not a number";
        out.numbers.push_back(d);
        break;
      }
      case FieldKind::kAddress: {
        auto c = core::Cidr::parse(v);
        if (!c) {
          auto a = core::IpAddr::parse(v);
          if (!a) return "'" + v + "' is not an address or CIDR";
          c = core::Cidr::parse(v + (a->is_v4() ? "/32" : "/128"));
          if (!c) return "'" + v + "' is not an address or CIDR";
        }
        out.cidrs.push_back(*c);
        break;
      }
    }
  }
  return "";
}

bool criterion_holds(const Criterion& c, const FindingRecord& rec) {
  Values v;
  extract(c.field_index, rec, v);
  switch (c.op) {
    case Operator::kEquals:
      for (int i = 0; i < v.n; ++i) if (value_equals(c, v, i)) return true;
      return false;
    case Operator::kNotEquals:
      // None of the field's values is any of the given ones (an absent field qualifies).
      for (int i = 0; i < v.n; ++i) if (value_equals(c, v, i)) return false;
      return true;
    case Operator::kMatches:
      for (int i = 0; i < v.n; ++i) if (value_matches(c, v, i)) return true;
      return false;
    case Operator::kNotMatches:
      for (int i = 0; i < v.n; ++i) if (value_matches(c, v, i)) return false;
      return true;
    case Operator::kGreaterThan:
    case Operator::kGreaterThanOrEqual:
    case Operator::kLessThan:
    case Operator::kLessThanOrEqual: {
      const double x = c.numbers.front();
      for (int i = 0; i < v.n; ++i) {
        const double y = v.num[i];
        const bool ok = c.op == Operator::kGreaterThan ? y > x
                        : c.op == Operator::kGreaterThanOrEqual ? y >= x
                        : c.op == Operator::kLessThan ? y < x
                                                      : y <= x;
        if (ok) return true;
      }
      return false;
    }
  }
  return false;
}

int RuleSet::match(const FindingRecord& rec) {
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    bool all = true;
    for (const auto& c : rules_[r].criteria) {
      if (!criterion_holds(c, rec)) {
        all = false;
        break;
      }
    }
    if (all && !rules_[r].criteria.empty()) {
      ++hits_[r];
      return static_cast<int>(r);
    }
  }
  return -1;
}

}  // namespace picket::exporter
