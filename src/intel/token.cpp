// One token of a plain-text or maltrail list: what kind of indicator it is.
#include "picket/intel/lists.hpp"

namespace picket::intel {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A shell-style wildcard as an anchored regex: '*' any run of characters,
// '?' one character; everything else literal.
std::string wildcard_regex(std::string_view w) {
  std::string r = "^";
  for (char c : w) {
    if (c == '*') r += ".*";
    else if (c == '?') r += '.';
    else if (std::string_view("\\^$.|+()[]{}/").find(c) != std::string_view::npos) {
      r += '\\';
      r += c;
    } else r += c;
  }
  r += "\\.?$";  // a trailing dot is ignored, as in DomainSet
  return r;
}

}  // namespace

std::string classify_token(std::string_view t, Indicator& out, std::string& scratch) {
  out.kind = IndicatorKind::kAddress;
  out.match = DomainMatch::kSuffix;
  out.text = {};
  if (t.empty()) return "empty indicator";
  // /regex/
  if (t.size() > 2 && t.front() == '/' && t.back() == '/') {
    out.kind = IndicatorKind::kDomainPattern;
    out.text = t.substr(1, t.size() - 2);
    return "";
  }
  // URL: only the host is matched, and only when the URL names no more than the host.
  if (const auto scheme = t.find("://"); scheme != std::string_view::npos) {
    std::string_view rest = t.substr(scheme + 3);
    const auto slash = rest.find_first_of("/?#");
    std::string_view host = rest.substr(0, slash);
    const std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (!path.empty() && path != "/") return "unsupported";
    if (const auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
    if (!host.empty() && host.front() == '[') {
      const auto close = host.find(']');
      if (close == std::string_view::npos) return "bad URL host '" + std::string(host) + "'";
      host = host.substr(1, close - 1);
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
      host = host.substr(0, colon);
    }
    const std::string err = classify_token(host, out, scratch);
    if (err.empty() && out.kind == IndicatorKind::kDomain) out.match = DomainMatch::kExact;
    return err;
  }
  // Address, CIDR, or address:port (maltrail writes C2 endpoints that way; the port is not kept).
  if (const auto c = core::Cidr::parse(t)) {
    out.cidr = *c;
    return "";
  }
  if (const auto colon = t.rfind(':'); colon != std::string_view::npos && all_digits(t.substr(colon + 1))) {
    std::string_view host = t.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (const auto a = core::IpAddr::parse(host)) {
      out.cidr = *core::Cidr::parse(host);
      return "";
    }
    // domain:port: the port is not kept either.
    t = host;
  }
  if (t.find('/') != std::string_view::npos) {
    // A maltrail URL trail (host/path) or a broken CIDR.
    const auto slash = t.find('/');
    if (core::IpAddr::parse(t.substr(0, slash))) return "bad CIDR '" + std::string(t) + "'";
    return "unsupported";
  }
  out.kind = IndicatorKind::kDomain;
  if (t.front() == '=') {
    out.match = DomainMatch::kExact;
    t.remove_prefix(1);
  } else if (t.starts_with("*.") && t.find_first_of("*?", 2) == std::string_view::npos) {
    out.match = DomainMatch::kSubdomainsOnly;
    t.remove_prefix(2);
  } else if (t.front() == '.') {
    t.remove_prefix(1);
  } else if (t.find_first_of("*?") != std::string_view::npos) {
    out.kind = IndicatorKind::kDomainPattern;
    scratch = wildcard_regex(t);
    out.text = scratch;
    return "";
  }
  if (!DomainSet::normalise(t, scratch)) return "not an IP address, CIDR or domain name: '" + std::string(t) + "'";
  out.text = scratch;
  return "";
}

}  // namespace picket::intel
