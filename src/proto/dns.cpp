// DNS wire-format parser (RFC 1035 sections 4.1 and 4.1.4).
//
// Runs once per DNS packet on the hot path, so it never allocates, never
// throws and never reads outside [p, p + len). Every read is preceded by a
// bounds check against an explicit limit.
#include "picket/proto/dns.hpp"

namespace picket::proto {
namespace {

constexpr std::size_t kHeaderLen = 12;
constexpr std::size_t kFixedRrLen = 10;  // TYPE, CLASS, TTL, RDLENGTH
constexpr std::size_t kMaxWireName = 255;  // RFC 1035 2.3.4
// A legitimate encoder needs one pointer per reused suffix; real names use
// one or two. The cap bounds work even though strictly decreasing targets
// already guarantee termination.
constexpr unsigned kMaxPointerJumps = 16;

// No deployed implementation sends more than one question (RFC 9619), so a
// large QDCOUNT is a strong sign of a non-DNS payload on port 53.
constexpr std::uint16_t kMaxPlausibleQuestions = 1000;
// Smallest possible question (root name + QTYPE + QCLASS) and resource
// record (root owner + fixed part); used to reject counts that could not fit
// in any DNS message, which is at most 65535 bytes even over TCP.
constexpr std::size_t kMinQuestionLen = 1 + 4;
constexpr std::size_t kMinRrLen = 1 + kFixedRrLen;
constexpr std::size_t kMaxMessageLen = 65535;

constexpr std::uint8_t kOpcodeQuery = 0;
constexpr std::uint8_t kMaxOpcode = 6;  // DSO (RFC 8490) is the highest assigned

std::uint16_t load16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t load32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

char ascii_lower(std::uint8_t c) {
  // Only ASCII letters: DNS compares names case-insensitively for A-Z alone
  // (RFC 4343), and other bytes must survive unchanged for tunnel detection.
  return static_cast<char>((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
}

struct DecodedName {
  char* text;            // at least kDnsMaxName bytes
  std::uint16_t len = 0;
  std::uint8_t labels = 0;
};

// Decodes the (possibly compressed) name at `pos` into presentation form and
// moves `pos` past the bytes the name occupies in place. `limit` bounds every
// read: the message end, or the RDATA end for names inside a record.
//
// Loop protection: every pointer must target an offset strictly below the
// start of the label run it was reached from. Encoders only ever point at
// earlier copies of a suffix, whose own pointers point earlier still, so real
// messages always satisfy this; and since targets strictly decrease, any
// cycle (self-pointer, A->B->A, ...) and any forward pointer is rejected.
DnsStatus decode_name(const std::uint8_t* msg, std::size_t limit, std::size_t& pos, DecodedName& name) {
  std::size_t cur = pos;
  std::size_t run_start = pos;
  std::size_t resume = 0;  // where the caller continues once a pointer was taken
  bool jumped = false;
  unsigned jumps = 0;
  std::size_t wire_len = 1;  // the terminating root label
  std::uint16_t n = 0;
  std::uint8_t labels = 0;
  name.text[0] = '\0';
  name.len = 0;
  name.labels = 0;

  for (;;) {
    if (cur >= limit) return DnsStatus::kTruncated;
    const std::uint8_t b = msg[cur];
    const std::uint8_t kind = b & 0xC0;
    if (kind == 0xC0) {
      if (cur + 1 >= limit) return DnsStatus::kTruncated;
      const std::size_t target = (std::size_t(b & 0x3F) << 8) | msg[cur + 1];
      if (target >= run_start || ++jumps > kMaxPointerJumps) return DnsStatus::kNameLoop;
      if (!jumped) {
        resume = cur + 2;
        jumped = true;
      }
      cur = run_start = target;
      continue;
    }
    // 0x40 was the never-deployed extended label type (RFC 6891 retired it)
    // and 0x80 is unassigned; neither can be skipped safely.
    if (kind != 0) return DnsStatus::kBadName;
    if (b == 0) break;

    wire_len += std::size_t(b) + 1;
    if (wire_len > kMaxWireName) return DnsStatus::kBadName;
    if (limit - cur - 1 < b) return DnsStatus::kTruncated;
    // wire_len <= 255 keeps n <= 253, so text (kDnsMaxName) cannot overflow.
    if (labels != 0) name.text[n++] = '.';
    const std::uint8_t* label = msg + cur + 1;
    for (std::uint8_t i = 0; i < b; ++i) name.text[n++] = ascii_lower(label[i]);
    ++labels;
    cur += std::size_t(b) + 1;
  }

  name.text[n] = '\0';
  name.len = n;
  name.labels = labels;
  pos = jumped ? resume : cur + 1;
  return DnsStatus::kOk;
}

// Moves `pos` past a name without decoding it. Owner names of records are not
// reported, so following their pointers would be wasted work: only the
// in-place bytes matter for finding the next record.
DnsStatus skip_name(const std::uint8_t* msg, std::size_t limit, std::size_t& pos) {
  std::size_t cur = pos;
  std::size_t wire_len = 1;
  for (;;) {
    if (cur >= limit) return DnsStatus::kTruncated;
    const std::uint8_t b = msg[cur];
    const std::uint8_t kind = b & 0xC0;
    if (kind == 0xC0) {
      if (cur + 1 >= limit) return DnsStatus::kTruncated;
      pos = cur + 2;
      return DnsStatus::kOk;
    }
    if (kind != 0) return DnsStatus::kBadName;
    if (b == 0) {
      pos = cur + 1;
      return DnsStatus::kOk;
    }
    wire_len += std::size_t(b) + 1;
    if (wire_len > kMaxWireName) return DnsStatus::kBadName;
    cur += std::size_t(b) + 1;
  }
}

// Cheap plausibility test on the header alone, so that random payloads on
// port 53 (or misclassified flows) are not reported as DNS. It deliberately
// accepts QDCOUNT 0 in general: FORMERR responses, DSO (opcode 6) and
// cookie-only queries (RFC 7873 5.4) legitimately carry no question.
bool plausible_header(const DnsMessage& m) {
  if (m.opcode > kMaxOpcode) return false;
  if (m.qdcount > kMaxPlausibleQuestions) return false;
  const std::size_t records = std::size_t(m.ancount) + m.nscount + m.arcount;
  if (kHeaderLen + m.qdcount * kMinQuestionLen + records * kMinRrLen > kMaxMessageLen) return false;
  // A standard query that asks nothing and carries nothing has no purpose;
  // this is what zero padding or an all-zero buffer looks like.
  if (!m.is_response && m.opcode == kOpcodeQuery && m.qdcount == 0 && records == 0) return false;
  return true;
}

void reset_answer(DnsAnswer& a, std::uint16_t type, std::uint16_t klass, std::uint32_t ttl) {
  a.type = type;
  a.klass = klass;
  a.ttl = ttl;
  a.addr = core::IpAddr{};
  a.text[0] = '\0';
  a.text_len = 0;
  a.mx_preference = 0;
}

// Fills `a` from the RDATA in [start, end). Returns kOk with `stored` false
// when the RDATA does not match its type's fixed shape: such a record carries
// nothing usable and is left out rather than reported with a fake value (an
// all-zero address would be indistinguishable from a real 0.0.0.0 sinkhole).
// Name errors (loops, bad labels) are returned because they are themselves
// signs of a crafted message.
DnsStatus decode_rdata(const std::uint8_t* msg, std::size_t start, std::size_t end, DnsAnswer& a,
                       bool& stored) {
  stored = false;
  const std::size_t rdlen = end - start;
  switch (a.type) {
    case kDnsA:
      if (rdlen != 4) return DnsStatus::kOk;
      a.addr = core::IpAddr::from_v4(msg + start);
      break;
    case kDnsAaaa:
      if (rdlen != 16) return DnsStatus::kOk;
      a.addr = core::IpAddr::from_v6(msg + start);
      break;
    case kDnsMx:
    case kDnsCname:
    case kDnsNs:
    case kDnsPtr: {
      std::size_t pos = start;
      if (a.type == kDnsMx) {
        if (rdlen < 3) return DnsStatus::kOk;
        a.mx_preference = load16(msg + start);
        pos += 2;
      }
      DecodedName target{a.text};
      const DnsStatus s = decode_name(msg, end, pos, target);
      if (s == DnsStatus::kTruncated) {
        // The name runs past its own RDLENGTH: a malformed record, not a
        // short message (the record itself was complete).
        a.text[0] = '\0';
        return DnsStatus::kOk;
      }
      if (s != DnsStatus::kOk) return s;
      a.text_len = target.len;
      break;
    }
    case kDnsTxt: {
      if (rdlen < 1) return DnsStatus::kOk;
      const std::uint8_t slen = msg[start];
      if (slen > rdlen - 1) return DnsStatus::kOk;
      // Raw bytes: TXT payloads are where tunnels put their data, so no
      // case folding here. 255 bytes + NUL fit kDnsMaxName exactly.
      for (std::uint8_t i = 0; i < slen; ++i) a.text[i] = static_cast<char>(msg[start + 1 + i]);
      a.text[slen] = '\0';
      a.text_len = slen;
      break;
    }
    default:
      break;  // type, class and TTL are still worth reporting (e.g. NULL for tunnels)
  }
  stored = true;
  return DnsStatus::kOk;
}

}  // namespace

const char* dns_status_name(DnsStatus s) {
  switch (s) {
    case DnsStatus::kOk: return "ok";
    case DnsStatus::kTruncated: return "truncated";
    case DnsStatus::kBadName: return "bad_name";
    case DnsStatus::kNameLoop: return "name_loop";
    case DnsStatus::kNotDns: return "not_dns";
  }
  return "unknown";
}

const char* dns_type_name(std::uint16_t type) {
  switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 10: return "NULL";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 35: return "NAPTR";
    case 41: return "OPT";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 50: return "NSEC3";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 251: return "IXFR";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
    default: return nullptr;
  }
}

const char* dns_rcode_name(std::uint8_t rcode) {
  switch (rcode) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    case 6: return "YXDOMAIN";
    case 7: return "YXRRSET";
    case 8: return "NXRRSET";
    case 9: return "NOTAUTH";
    case 10: return "NOTZONE";
    case 11: return "DSOTYPENI";
    default: return nullptr;
  }
}

DnsStatus parse_dns(const std::uint8_t* p, std::size_t len, DnsMessage& out) {
  // Reset only what this call reports; answers[] past answer_count are left
  // stale on purpose, because clearing ~2 KiB per packet is measurable.
  out.qname[0] = '\0';
  out.qname_len = 0;
  out.qname_labels = 0;
  out.qtype = out.qclass = 0;
  out.has_question = false;
  out.answer_count = 0;
  out.answers_capped = false;

  if (p == nullptr || len < kHeaderLen) {
    // Too short to hold a header: nothing identifies it as DNS, so it is
    // reported as such rather than as a truncated message.
    out.id = 0;
    out.is_response = out.authoritative = out.truncated_flag = false;
    out.recursion_desired = out.recursion_available = false;
    out.opcode = out.rcode = 0;
    out.qdcount = out.ancount = out.nscount = out.arcount = 0;
    return DnsStatus::kNotDns;
  }

  out.id = load16(p);
  out.is_response = (p[2] & 0x80) != 0;
  out.opcode = (p[2] >> 3) & 0x0F;
  out.authoritative = (p[2] & 0x04) != 0;
  out.truncated_flag = (p[2] & 0x02) != 0;
  out.recursion_desired = (p[2] & 0x01) != 0;
  out.recursion_available = (p[3] & 0x80) != 0;
  out.rcode = p[3] & 0x0F;
  out.qdcount = load16(p + 4);
  out.ancount = load16(p + 6);
  out.nscount = load16(p + 8);
  out.arcount = load16(p + 10);
  if (!plausible_header(out)) return DnsStatus::kNotDns;

  std::size_t pos = kHeaderLen;
  for (std::uint16_t q = 0; q < out.qdcount; ++q) {
    DnsStatus s;
    if (q == 0) {
      DecodedName qname{out.qname};
      s = decode_name(p, len, pos, qname);
      if (s != DnsStatus::kOk) {
        out.qname[0] = '\0';
        return s;
      }
      out.qname_len = qname.len;
      out.qname_labels = qname.labels;
    } else {
      s = skip_name(p, len, pos);
      if (s != DnsStatus::kOk) return s;
    }
    if (len - pos < 4) return DnsStatus::kTruncated;
    if (q == 0) {
      out.qtype = load16(p + pos);
      out.qclass = load16(p + pos + 2);
      out.has_question = true;
    }
    pos += 4;
  }

  // Authority and additional records are walked too, only to check that the
  // message holds everything its counts claim, so kTruncated is exact.
  const std::size_t records = std::size_t(out.ancount) + out.nscount + out.arcount;
  for (std::size_t r = 0; r < records; ++r) {
    DnsStatus s = skip_name(p, len, pos);
    if (s != DnsStatus::kOk) return s;
    if (len - pos < kFixedRrLen) return DnsStatus::kTruncated;
    const std::uint16_t type = load16(p + pos);
    const std::uint16_t klass = load16(p + pos + 2);
    const std::uint32_t ttl = load32(p + pos + 4);
    const std::uint16_t rdlen = load16(p + pos + 8);
    pos += kFixedRrLen;
    if (len - pos < rdlen) return DnsStatus::kTruncated;
    const std::size_t rdata_end = pos + rdlen;

    if (r < out.ancount) {
      if (out.answer_count < kDnsMaxAnswers) {
        DnsAnswer& a = out.answers[out.answer_count];
        reset_answer(a, type, klass, ttl);
        bool stored = false;
        s = decode_rdata(p, pos, rdata_end, a, stored);
        if (s != DnsStatus::kOk) return s;
        if (stored) ++out.answer_count;
      } else {
        out.answers_capped = true;
      }
    }
    pos = rdata_end;
  }
  return DnsStatus::kOk;
}

}  // namespace picket::proto
