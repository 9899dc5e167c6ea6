// Route 53 Resolver query log lines (JSON) -> DnsEvent.
#include "picket/flowrec/resolver_log.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "picket/flowrec/source.hpp"

namespace picket::flowrec {

namespace {

// A forward-only reader for one JSON line: just enough JSON (strings with
// escapes, numbers, literals, nested objects and arrays) to pick fields out
// and skip the rest. Depth is bounded; every read checks the end.
class JsonCursor {
 public:
  explicit JsonCursor(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  bool peek(char c) {
    ws();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++i_;
    return true;
  }
  bool at_end() {
    ws();
    return i_ == s_.size();
  }
  // Reads a string into out (decoded, cut at cap - 1); returns its decoded length.
  bool string(char* out, std::size_t cap, std::size_t& len) {
    len = 0;
    if (!eat('"')) return fail();
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') {
        if (cap) out[std::min(len, cap - 1)] = '\0';
        return true;
      }
      if (c == '\\') {
        if (i_ >= s_.size()) return fail();
        const char e = s_[i_++];
        switch (e) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'u': {
            if (i_ + 4 > s_.size()) return fail();
            unsigned v = 0;
            auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, v, 16);
            if (ec != std::errc() || p != s_.data() + i_ + 4) return fail();
            i_ += 4;
            c = v < 0x80 ? static_cast<char>(v) : '?';  // names are ASCII; others do not matter here
            break;
          }
          default: c = e; break;  // \" \\ \/
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return fail();
      }
      if (len + 1 < cap) out[len] = c;
      ++len;
    }
    return fail();
  }
  bool skip_value(int depth = 0) {
    if (depth > 32) return fail();
    ws();
    if (i_ >= s_.size()) return fail();
    const char c = s_[i_];
    if (c == '"') {
      std::size_t len;
      return string(nullptr, 0, len);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      if (eat(close)) return true;
      for (;;) {
        if (c == '{') {
          std::size_t len;
          if (!string(nullptr, 0, len) || !eat(':')) return fail();
        }
        if (!skip_value(depth + 1)) return false;
        if (eat(',')) continue;
        if (eat(close)) return true;
        return fail();
      }
    }
    // Number or literal.
    const std::size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' || s_[i_] == '+' ||
                              s_[i_] == '.'))
      ++i_;
    return i_ > start ? true : fail();
  }
  std::string_view number_text() {
    ws();
    const std::size_t start = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-')) ++i_;
    return s_.substr(start, i_ - start);
  }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::string_view s_;
  std::size_t i_ = 0;
  bool ok_ = true;
};

struct TypeName {
  std::string_view name;
  std::uint16_t type;
};
constexpr TypeName kTypes[] = {{"A", 1},       {"NS", 2},      {"CNAME", 5},  {"SOA", 6},    {"PTR", 12},
                               {"HINFO", 13},  {"MX", 15},     {"TXT", 16},   {"AAAA", 28},  {"SRV", 33},
                               {"NAPTR", 35},  {"DS", 43},     {"RRSIG", 46}, {"NSEC", 47},  {"DNSKEY", 48},
                               {"SVCB", 64},   {"HTTPS", 65},  {"SPF", 99},   {"ANY", 255},  {"CAA", 257}};
constexpr std::string_view kRcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, unsigned& v) {
  if (at + n > s.size()) return false;
  v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

}  // namespace

std::uint16_t dns_type_from_name(std::string_view name) {
  for (const auto& t : kTypes)
    if (t.name == name) return t.type;
  if (name.size() > 4 && name.substr(0, 4) == "TYPE") {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), v);
    if (ec == std::errc() && p == name.data() + name.size() && v <= 0xffff) return static_cast<std::uint16_t>(v);
  }
  return 0;
}

int dns_rcode_from_name(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kRcodes); ++i)
    if (kRcodes[i] == name) return static_cast<int>(i);
  return -1;
}

core::Nanos parse_iso8601(std::string_view s) {
  unsigned y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970) return 0;
  std::size_t i = 19;
  core::Nanos frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    core::Nanos scale = 100'000'000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      frac += static_cast<core::Nanos>(s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  std::int64_t offset = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    unsigned oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 6 > s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om)) return 0;
    offset = (s[i] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    i += 6;
  } else if (i < s.size() && s[i] == 'Z') {
    ++i;
  }
  if (i != s.size()) return 0;
  const std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  if (secs <= 0) return 0;
  return static_cast<core::Nanos>(secs) * core::kNanosPerSecond + frac;
}

bool parse_resolver_line(std::string_view line, detect::DnsEvent& out, const char*& error) {
  out = detect::DnsEvent{};
  out.source = static_cast<std::uint8_t>(Source::kResolverLog);
  JsonCursor j(line);
  if (!j.eat('{')) return error = "not a JSON object", false;
  char key[64], val[detect::kDnsEventMaxName];
  std::size_t klen, vlen;
  bool have_name = false, have_time = false, have_src = false, have_rcode = false;
  std::uint32_t answers = 0;
  if (!j.eat('}')) {
    for (;;) {
      if (!j.string(key, sizeof(key), klen) || !j.eat(':')) return error = "malformed JSON", false;
      const std::string_view k(key, std::min(klen, sizeof(key) - 1));
      if (k == "answers" && j.peek('[')) {
        j.eat('[');
        if (!j.eat(']')) {
          for (;;) {
            if (!j.eat('{')) return error = "malformed answers", false;
            char rdata[64] = {}, type[16] = {};
            if (!j.eat('}')) {
              for (;;) {
                if (!j.string(key, sizeof(key), klen) || !j.eat(':')) return error = "malformed answers", false;
                const std::string_view ak(key, std::min(klen, sizeof(key) - 1));
                if ((ak == "Rdata" || ak == "Type") && j.peek('"')) {
                  if (!j.string(ak == "Rdata" ? rdata : type, ak == "Rdata" ? sizeof(rdata) : sizeof(type), vlen))
                    return error = "malformed answers", false;
                } else if (!j.skip_value()) {
                  return error = "malformed answers", false;
                }
                if (j.eat(',')) continue;
                if (j.eat('}')) break;
                return error = "malformed answers", false;
              }
            }
            ++answers;
            const std::string_view t(type);
            if ((t == "A" || t == "AAAA") && out.addr_count < detect::kDnsEventMaxAddrs) {
              if (auto a = core::IpAddr::parse(rdata)) out.addrs[out.addr_count++] = *a;
            }
            if (j.eat(',')) continue;
            if (j.eat(']')) break;
            return error = "malformed answers", false;
          }
        }
      } else if (j.peek('"')) {
        if (!j.string(val, sizeof(val), vlen)) return error = "malformed JSON", false;
        const std::string_view v(val, std::min(vlen, sizeof(val) - 1));
        if (k == "query_name") {
          // Stored as the packet path does: lower case, no trailing dot.
          std::size_t n = std::min(v.size(), detect::kDnsEventMaxName - 1);
          if (n > 1 && v[n - 1] == '.') --n;
          if (n == 1 && v[0] == '.') n = 0;
          for (std::size_t i = 0; i < n; ++i)
            out.qname[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(v[i])));
          out.qname[n] = '\0';
          out.qname_len = static_cast<std::uint16_t>(n);
          have_name = true;
        } else if (k == "query_type") {
          out.qtype = dns_type_from_name(v);
        } else if (k == "rcode") {
          const int rc = dns_rcode_from_name(v);
          if (rc < 0) return error = "unknown rcode", false;
          out.rcode = static_cast<std::uint8_t>(rc);
          have_rcode = true;
        } else if (k == "query_timestamp") {
          out.ts = parse_iso8601(v);
          if (!out.ts) return error = "bad query_timestamp", false;
          have_time = true;
        } else if (k == "srcaddr") {
          auto a = core::IpAddr::parse(v);
          if (!a) return error = "bad srcaddr", false;
          out.client = *a;
          have_src = true;
        } else if (k == "srcport") {
          unsigned p = 0;
          auto [e, ec] = std::from_chars(v.data(), v.data() + v.size(), p);
          if (ec == std::errc() && e == v.data() + v.size() && p <= 0xffff) out.client_port = static_cast<std::uint16_t>(p);
        } else if (k == "transport") {
          out.transport = v == "TCP" ? 6 : 17;
        }
      } else if (k == "srcport") {
        unsigned p = 0;
        const auto t = j.number_text();
        auto [e, ec] = std::from_chars(t.data(), t.data() + t.size(), p);
        if (ec == std::errc() && p <= 0xffff) out.client_port = static_cast<std::uint16_t>(p);
      } else if (!j.skip_value()) {
        return error = "malformed JSON", false;
      }
      if (j.eat(',')) continue;
      if (j.eat('}')) break;
      return error = "malformed JSON", false;
    }
  }
  if (!j.at_end()) return error = "text after the JSON object", false;
  if (!have_name || !have_time || !have_src || !have_rcode)
    return error = "missing query_name, query_timestamp, srcaddr or rcode", false;
  static const core::IpAddr kResolver = *core::IpAddr::parse("169.254.169.253");
  out.server = kResolver;
  out.server_port = 53;
  out.is_response = true;
  out.answer_count = static_cast<std::uint8_t>(std::min<std::uint32_t>(answers, 255));
  return true;
}

}  // namespace picket::flowrec
