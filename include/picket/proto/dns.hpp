#pragma once
// Bounded, allocation-free DNS message parser (RFC 1035): header, the first
// question, and up to kMaxAnswers answer records. Names are decompressed with
// loop protection into fixed buffers.
#include <cstddef>
#include <cstdint>

#include "picket/core/ip_addr.hpp"

namespace picket::proto {

inline constexpr std::size_t kDnsMaxName = 256;  // presentation form incl. NUL
inline constexpr std::size_t kDnsMaxAnswers = 8;

enum class DnsStatus : std::uint8_t {
  kOk = 0,
  kTruncated,     // message shorter than its header/counts claim (what parsed is kept)
  kBadName,       // label type 0x40/0x80, or name longer than 255 bytes
  kNameLoop,      // compression pointer loop or too many jumps
  kNotDns,        // header implausible (e.g. qdcount 0 and no answers, opcode > 6)
};
const char* dns_status_name(DnsStatus s);

enum DnsType : std::uint16_t {
  kDnsA = 1, kDnsNs = 2, kDnsCname = 5, kDnsSoa = 6, kDnsNull = 10, kDnsPtr = 12,
  kDnsMx = 15, kDnsTxt = 16, kDnsAaaa = 28, kDnsSrv = 33, kDnsOpt = 41, kDnsHttps = 65, kDnsAny = 255
};
const char* dns_type_name(std::uint16_t type);  // "A", "AAAA", ... or nullptr
const char* dns_rcode_name(std::uint8_t rcode); // "NOERROR", "NXDOMAIN", ... or nullptr

struct DnsAnswer {
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  core::IpAddr addr;  // A / AAAA
  // CNAME/NS/PTR/MX target name, or the first TXT string (raw bytes), NUL-terminated.
  char text[kDnsMaxName] = {};
  std::uint16_t text_len = 0;
  std::uint16_t mx_preference = 0;
};

struct DnsMessage {
  std::uint16_t id = 0;
  bool is_response = false;
  std::uint8_t opcode = 0;
  bool authoritative = false, truncated_flag = false, recursion_desired = false, recursion_available = false;
  std::uint8_t rcode = 0;
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  // First question. qname is in presentation form without the trailing dot,
  // ASCII letters lower-cased, other bytes kept raw (a label containing '.'
  // or a non-printable byte is kept as is; renderers escape it). Root is "".
  char qname[kDnsMaxName] = {};
  std::uint16_t qname_len = 0;
  std::uint8_t qname_labels = 0;
  std::uint16_t qtype = 0, qclass = 0;
  bool has_question = false;

  DnsAnswer answers[kDnsMaxAnswers];
  std::uint8_t answer_count = 0;   // parsed answers stored (<= kDnsMaxAnswers)
  bool answers_capped = false;     // more answers present than stored
};

// Parses a DNS message (UDP payload, or a TCP payload after its 2-byte length
// prefix has been removed). Fills `out` as far as the bytes allow.
DnsStatus parse_dns(const std::uint8_t* p, std::size_t len, DnsMessage& out);

}  // namespace picket::proto
