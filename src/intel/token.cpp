// One token of a plain-text or maltrail list: what kind of indicator it is.
#include "picket/intel/lists.hpp"
#include "picket/intel/url_set.hpp"

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
  // URL. With a path (or a query) it is a URL entry, matched against HTTP
  // requests; naming no more than the host, it is that host, exactly.
  if (const auto scheme = t.find("://"); scheme != std::string_view::npos) {
    const std::string err = normalise_url(t, scratch);
    if (err.empty()) {
      out.kind = IndicatorKind::kUrl;
      out.text = scratch;
      return "";
    }
    if (err != kUrlNoPath) return err;
    std::string_view rest = t.substr(scheme + 3);
    std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
    if (!host.empty() && host.front() == '[') {
      const auto close = host.find(']');
      if (close == std::string_view::npos) return "bad URL host '" + std::string(host) + "'";
      host = host.substr(1, close - 1);
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
      host = host.substr(0, colon);
    }
    const std::string herr = classify_token(host, out, scratch);
    if (herr.empty() && out.kind == IndicatorKind::kDomain) out.match = DomainMatch::kExact;
    return herr;
  }
  // Address, CIDR, or address:port (maltrail writes C2 endpoints that way; the port is not kept).
  if (const auto c = core::Cidr::parse(t)) {
    out.cidr = *c;
    return "";
  }
  if (const auto slash = t.find('/'); slash != std::string_view::npos) {
    // A broken CIDR (an address, '/', digits) or a maltrail URL trail (host/path).
    // maltrail also has path-only trails ("/gate.php", any host): not matched.
    if (slash == 0) return "unsupported";
    const std::string_view after = t.substr(slash + 1);
    if (core::IpAddr::parse(t.substr(0, slash)) && (after.empty() || all_digits(after)))
      return "bad CIDR '" + std::string(t) + "'";
    const std::string err = normalise_url(t, scratch);
    if (err == kUrlNoPath) {
      // "host/": the host alone, exactly, as for "http://host/".
      const std::string herr = classify_token(t.substr(0, slash), out, scratch);
      if (herr.empty() && out.kind == IndicatorKind::kDomain) out.match = DomainMatch::kExact;
      return herr;
    }
    if (!err.empty()) return err;
    out.kind = IndicatorKind::kUrl;
    out.text = scratch;
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
