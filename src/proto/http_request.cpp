// HTTP/1.x request-line and header extraction (RFC 9112 sections 3 and 5).
// Runs on the first client payload of TCP flows, so it is one bounded
// forward pass over the bytes with no allocation.
#include "picket/proto/http_request.hpp"

#include <cstring>

namespace picket::proto {
namespace {

struct Method {
  const char* name;
  std::size_t len;
};
constexpr Method kMethods[] = {
    {"GET", 3}, {"POST", 4}, {"HEAD", 4}, {"PUT", 3}, {"DELETE", 6},
    {"OPTIONS", 7}, {"CONNECT", 7}, {"PATCH", 5}, {"TRACE", 5},
};
constexpr char kVersionPrefix[] = "HTTP/1.";
constexpr std::size_t kVersionPrefixLen = sizeof(kVersionPrefix) - 1;

char ascii_lower(std::uint8_t c) {
  return static_cast<char>((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
}

bool is_ctl(std::uint8_t c) { return c < 0x20 || c == 0x7F; }

bool name_equals(const std::uint8_t* name, std::size_t len, const char* lower_literal) {
  // Field names are case-insensitive (RFC 9110 5.1).
  for (std::size_t i = 0; i < len; ++i) {
    if (lower_literal[i] == '\0' || ascii_lower(name[i]) != lower_literal[i]) return false;
  }
  return lower_literal[len] == '\0';
}

// Copies at most cap-1 bytes and NUL-terminates; returns whether it had to cut.
bool copy_bounded(char* dst, std::size_t cap, const std::uint8_t* src, std::size_t len) {
  const bool cut = len >= cap;
  const std::size_t n = cut ? cap - 1 : len;
  if (n != 0) std::memcpy(dst, src, n);
  dst[n] = '\0';
  return cut;
}

// Stores the host part of a Host value: lower-cased, without a port, and
// without the brackets of an IPv6 literal so that it parses as an address.
void store_host(const std::uint8_t* v, std::size_t len, HttpRequest& out) {
  std::size_t begin = 0;
  std::size_t end = len;
  if (len != 0 && v[0] == '[') {
    const void* close = std::memchr(v, ']', len);
    if (close != nullptr) {
      begin = 1;
      end = static_cast<std::size_t>(static_cast<const std::uint8_t*>(close) - v);
    }
  } else {
    // Exactly one colon means host:port. Several colons without brackets is
    // a malformed bare IPv6 literal; cutting it would yield garbage, so it is
    // kept whole.
    const void* colon = std::memchr(v, ':', len);
    if (colon != nullptr) {
      const std::size_t at = static_cast<std::size_t>(static_cast<const std::uint8_t*>(colon) - v);
      if (std::memchr(v + at + 1, ':', len - at - 1) == nullptr) end = at;
    }
  }
  std::size_t n = end - begin;
  if (n >= kHttpMaxHost) n = kHttpMaxHost - 1;
  for (std::size_t i = 0; i < n; ++i) out.host[i] = ascii_lower(v[begin + i]);
  out.host[n] = '\0';
}

bool is_ows(std::uint8_t c) { return c == ' ' || c == '\t'; }

}  // namespace

HttpStatus parse_http_request(const std::uint8_t* p, std::size_t len, HttpRequest& out) {
  out.method[0] = out.uri[0] = out.host[0] = out.user_agent[0] = '\0';
  out.version_minor = 0;
  out.uri_truncated = false;
  if (p == nullptr) return HttpStatus::kNotHttp;

  // Method: one of the known tokens followed by exactly one SP. Anything
  // shorter than that is not yet recognisable and is reported as not HTTP.
  std::size_t pos = 0;
  for (const Method& m : kMethods) {
    if (len > m.len && std::memcmp(p, m.name, m.len) == 0 && p[m.len] == ' ') {
      pos = m.len + 1;
      std::memcpy(out.method, m.name, m.len + 1);  // includes the NUL
      break;
    }
  }
  if (pos == 0) return HttpStatus::kNotHttp;

  // Request target: up to the next SP. Control bytes cannot appear in it, and
  // a line ending here would be HTTP/0.9, which the header excludes.
  const std::size_t uri_begin = pos;
  while (pos < len && p[pos] != ' ') {
    if (is_ctl(p[pos])) {
      out.method[0] = '\0';
      return HttpStatus::kNotHttp;
    }
    ++pos;
  }
  out.uri_truncated = copy_bounded(out.uri, kHttpMaxUri, p + uri_begin, pos - uri_begin);
  if (pos == len) return HttpStatus::kTruncated;
  if (pos == uri_begin) {
    out.method[0] = '\0';
    return HttpStatus::kNotHttp;
  }
  ++pos;  // the SP

  // "HTTP/1." DIGIT, then CRLF (a bare LF is accepted, RFC 9112 2.2). A cut
  // that agrees with the expected bytes so far is truncation, not a mismatch.
  const auto not_http = [&out] {
    out.method[0] = out.uri[0] = '\0';
    out.uri_truncated = false;
    out.version_minor = 0;
    return HttpStatus::kNotHttp;
  };
  for (std::size_t i = 0; i < kVersionPrefixLen; ++i, ++pos) {
    if (pos == len) return HttpStatus::kTruncated;
    if (p[pos] != static_cast<std::uint8_t>(kVersionPrefix[i])) return not_http();
  }
  if (pos == len) return HttpStatus::kTruncated;
  if (p[pos] < '0' || p[pos] > '9') return not_http();
  out.version_minor = static_cast<std::uint8_t>(p[pos] - '0');
  ++pos;
  if (pos < len && p[pos] == '\r') ++pos;
  if (pos == len) return HttpStatus::kTruncated;
  if (p[pos] != '\n') return not_http();
  ++pos;

  bool have_host = false;
  bool have_user_agent = false;
  for (;;) {
    const void* lf = std::memchr(p + pos, '\n', len - pos);
    // Only complete lines are used: a half-received Host value would be a
    // wrong host, not a shorter right one.
    if (lf == nullptr) return HttpStatus::kTruncated;
    const std::size_t line_end = static_cast<std::size_t>(static_cast<const std::uint8_t*>(lf) - p);
    std::size_t content_end = line_end;
    if (content_end > pos && p[content_end - 1] == '\r') --content_end;
    const std::size_t line_begin = pos;
    pos = line_end + 1;
    if (content_end == line_begin) return HttpStatus::kOk;  // the blank line

    // Obsolete line folding (a line starting with whitespace) continues the
    // previous value; it is deprecated and ignored rather than merged.
    if (is_ows(p[line_begin])) continue;
    const void* colon = std::memchr(p + line_begin, ':', content_end - line_begin);
    if (colon == nullptr) continue;  // not a field line; tolerated like most servers do
    const std::size_t name_end = static_cast<std::size_t>(static_cast<const std::uint8_t*>(colon) - p);
    std::size_t value_begin = name_end + 1;
    std::size_t value_end = content_end;
    while (value_begin < value_end && is_ows(p[value_begin])) ++value_begin;
    while (value_end > value_begin && is_ows(p[value_end - 1])) --value_end;

    const std::uint8_t* name = p + line_begin;
    const std::size_t name_len = name_end - line_begin;
    // The first occurrence wins; duplicates are a smuggling signal that the
    // detection layer must see in raw payloads, not in these summaries.
    if (!have_host && name_equals(name, name_len, "host")) {
      store_host(p + value_begin, value_end - value_begin, out);
      have_host = true;
    } else if (!have_user_agent && name_equals(name, name_len, "user-agent")) {
      copy_bounded(out.user_agent, kHttpMaxUserAgent, p + value_begin, value_end - value_begin);
      have_user_agent = true;
    }
  }
}

}  // namespace picket::proto
