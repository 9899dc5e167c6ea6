// URL indicators with a path: their normal form, the key of an HTTP request,
// and the exact-key table both meet in.
#include "picket/intel/url_set.hpp"

#include <xxhash.h>

#include <cctype>
#include <string>

#include "picket/core/ip_addr.hpp"
#include "picket/intel/domain_set.hpp"

namespace picket::intel {

namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != b[i]) return false;
  return true;
}

// The HOST of a key, written to out[0, cap): brackets and one trailing dot
// removed, an IP literal in IpAddr::format's canonical form (so that
// "[2001:DB8:0::1]" and "2001:db8::1" meet), a name lower-cased. Returns the
// length; 0 when empty or too long. `is_ip` says which it was.
std::size_t canonical_host(std::string_view host, char* out, std::size_t cap, bool& is_ip) {
  is_ip = false;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() >= cap) return 0;
  if (host.find(':') != std::string_view::npos || host.find_first_not_of("0123456789.") == std::string_view::npos) {
    if (const auto a = core::IpAddr::parse(host)) {
      is_ip = true;
      return a->format(out, cap);
    }
  }
  for (std::size_t i = 0; i < host.size(); ++i) out[i] = ascii_lower(host[i]);
  return host.size();
}

// Splits "[USERINFO@]HOST[:PORT]" into host and port. An IPv6 literal is
// bracketed; several colons without brackets are a bare IPv6 literal, kept
// whole (as proto::HttpRequest keeps such a Host). false when a bracket is
// not closed or something other than ":PORT" follows it.
bool split_authority(std::string_view authority, std::string_view& host, std::string_view& port) {
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  host = authority;
  port = {};
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view after = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
    }
  } else if (const auto colon = host.find(':');
             colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  return true;
}

}  // namespace

std::string normalise_url(std::string_view url, std::string& out) {
  out.clear();
  std::string_view rest = url;
  bool web = true;  // http or https, or written without a scheme
  if (const auto sep = url.find("://"); sep != std::string_view::npos) {
    const std::string_view scheme = url.substr(0, sep);
    bool ok = !scheme.empty() && std::isalpha(static_cast<unsigned char>(scheme.front()));
    for (char c : scheme) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.');
    if (!ok) return "bad URL scheme in '" + std::string(url) + "'";
    web = iequals(scheme, "http") || iequals(scheme, "https");
    rest = url.substr(sep + 3);
  }
  const auto end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (const auto hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  if (tail.empty() || tail == "/") return std::string(kUrlNoPath);
  // ftp://, tcp://, ...: picket sees no request path for them.
  if (!web) return std::string(kUrlUnsupported);
  for (char c : tail) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return "bad URL '" + std::string(url) + "': space or control character in the path";
  }
  std::string_view host, port;
  if (!split_authority(authority, host, port)) return "bad URL host in '" + std::string(url) + "'";
  unsigned long port_no = 0;
  for (char c : port) port_no = port_no * 10 + static_cast<unsigned long>(c - '0');
  if (!port.empty() && (!all_digits(port) || port.size() > 5 || port_no > 65535))
    return "bad URL port '" + std::string(port) + "' in '" + std::string(url) + "'";
  char buf[256];
  bool is_ip = false;
  const std::size_t n = canonical_host(host, buf, sizeof(buf), is_ip);
  std::string name;
  if (n == 0 || (!is_ip && !DomainSet::normalise(std::string_view(buf, n), name)))
    return "bad URL host '" + std::string(host) + "' in '" + std::string(url) + "'";
  const bool query_only = tail.front() == '?';
  if (tail.size() + (query_only ? 1 : 0) > kUrlMaxTarget) return std::string(kUrlUnsupported);
  out.assign(buf, n);
  if (query_only) out.push_back('/');
  out.append(tail);
  return "";
}

std::size_t http_request_key(std::string_view host, std::string_view target, char (&buf)[kUrlMaxKey],
                             std::size_t& path_len) {
  path_len = 0;
  std::string_view path = target;
  if (target.empty()) return 0;
  if (target.front() != '/') {
    // Absolute form; "*" (OPTIONS) and authority form (CONNECT) name no resource.
    const auto sep = target.find("://");
    if (sep == std::string_view::npos) return 0;
    const std::string_view scheme = target.substr(0, sep);
    if (!iequals(scheme, "http") && !iequals(scheme, "https")) return 0;
    const std::string_view rest = target.substr(sep + 3);
    const auto end = rest.find_first_of("/?#");
    std::string_view port;
    if (!split_authority(rest.substr(0, end), host, port)) return 0;
    path = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (const auto hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  }
  bool is_ip = false;
  std::size_t n = canonical_host(host, buf, 256, is_ip);
  if (n == 0) return 0;
  const bool add_slash = path.empty() || path.front() == '?';
  if (n + add_slash + path.size() >= kUrlMaxKey) return 0;
  if (add_slash) buf[n++] = '/';
  const std::size_t path_begin = n;
  for (char c : path) buf[n++] = c;
  path_len = n;
  for (std::size_t i = path_begin; i < n; ++i) {
    if (buf[i] == '?') {
      path_len = i;
      break;
    }
  }
  return n;
}

void UrlSet::Builder::add(std::string_view key, std::uint32_t value) {
  Entry e;
  e.key_offset = static_cast<std::uint32_t>(pool_.size());
  e.key_len = static_cast<std::uint16_t>(key.size());
  e.value = value;
  pool_.append(key);
  entries_.push_back(e);
}

std::uint32_t UrlSet::find(std::string_view key) const {
  if (slots_.empty()) return kNoUrl;
  const std::uint64_t h = XXH3_64bits(key.data(), key.size());
  for (std::uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.entry == kNoUrl) return kNoUrl;
    if (s.hash == h && key_of(entries_[s.entry]) == key) return s.entry;
  }
}

UrlSet UrlSet::Builder::build() {
  UrlSet set;
  set.entries_ = std::move(entries_);
  set.pool_ = std::move(pool_);
  entries_.clear();
  pool_.clear();
  if (set.entries_.empty()) return set;
  std::size_t cap = 16;
  while (cap < set.entries_.size() * 2) cap <<= 1;  // load at most 1/2
  set.slots_.assign(cap, Slot{});
  set.mask_ = cap - 1;
  // Last to first, prepending to each key's chain: chains keep load order.
  for (std::size_t k = set.entries_.size(); k-- > 0;) {
    Entry& e = set.entries_[k];
    const std::string_view key = set.key_of(e);
    const std::uint64_t h = XXH3_64bits(key.data(), key.size());
    for (std::uint64_t i = h & set.mask_;; i = (i + 1) & set.mask_) {
      Slot& s = set.slots_[i];
      if (s.entry == kNoUrl) {
        s.hash = h;
        s.entry = static_cast<std::uint32_t>(k);
        break;
      }
      if (s.hash == h && set.key_of(set.entries_[s.entry]) == key) {
        e.next = s.entry;
        s.entry = static_cast<std::uint32_t>(k);
        break;
      }
    }
  }
  return set;
}

}  // namespace picket::intel
