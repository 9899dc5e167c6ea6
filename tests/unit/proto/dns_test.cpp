#include "picket/proto/dns.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using namespace picket::proto;
using picket::core::IpAddr;

namespace {

// Assembles DNS messages byte by byte so every fixture states its exact wire
// layout, including where compression pointers land.
class Wire {
 public:
  Wire& u8(std::uint8_t v) {
    b_.push_back(v);
    return *this;
  }
  Wire& u16(std::uint16_t v) { return u8(std::uint8_t(v >> 8)).u8(std::uint8_t(v)); }
  Wire& u32(std::uint32_t v) { return u16(std::uint16_t(v >> 16)).u16(std::uint16_t(v)); }
  Wire& bytes(std::initializer_list<std::uint8_t> v) {
    b_.insert(b_.end(), v);
    return *this;
  }
  Wire& header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an,
               std::uint16_t ns = 0, std::uint16_t ar = 0) {
    return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
  }
  // Labels of a dotted name, without the terminator.
  Wire& labels(std::string_view dotted) {
    while (!dotted.empty()) {
      const auto dot = dotted.find('.');
      const auto label = dotted.substr(0, dot);
      u8(std::uint8_t(label.size()));
      for (char c : label) u8(std::uint8_t(c));
      if (dot == std::string_view::npos) break;
      dotted.remove_prefix(dot + 1);
    }
    return *this;
  }
  Wire& name(std::string_view dotted) { return labels(dotted).u8(0); }
  Wire& ptr(std::uint16_t offset) { return u16(std::uint16_t(0xC000 | offset)); }
  Wire& question(std::string_view qname, std::uint16_t qtype, std::uint16_t qclass = 1) {
    return name(qname).u16(qtype).u16(qclass);
  }
  // Fixed part of a record whose owner has already been written.
  Wire& rr_fixed(std::uint16_t type, std::uint32_t ttl, std::uint16_t rdlen, std::uint16_t klass = 1) {
    return u16(type).u16(klass).u32(ttl).u16(rdlen);
  }
  // Writes a 0 RDLENGTH now and returns a handle to patch it after the RDATA.
  std::size_t rr_open(std::uint16_t type, std::uint32_t ttl) {
    rr_fixed(type, ttl, 0);
    return b_.size();
  }
  Wire& rr_close(std::size_t rdata_start) {
    const std::size_t n = b_.size() - rdata_start;
    b_[rdata_start - 2] = std::uint8_t(n >> 8);
    b_[rdata_start - 1] = std::uint8_t(n);
    return *this;
  }
  std::size_t size() const { return b_.size(); }
  const std::vector<std::uint8_t>& data() const { return b_; }

 private:
  std::vector<std::uint8_t> b_;
};

constexpr std::uint16_t kQueryFlags = 0x0100;     // RD
constexpr std::uint16_t kResponseFlags = 0x8180;  // QR RD RA, NOERROR
constexpr std::uint16_t kQnameOffset = 12;        // first question name
constexpr std::uint16_t kExampleComOffset = 16;   // "example.com" inside www.example.com

DnsStatus parse(const Wire& w, DnsMessage& m) { return parse_dns(w.data().data(), w.size(), m); }

std::string qname_of(const DnsMessage& m) { return std::string(m.qname, m.qname_len); }
std::string text_of(const DnsAnswer& a) { return std::string(a.text, a.text_len); }

// DnsMessage is ~2.5 KiB; heap-allocate in tests to keep gtest frames small.
std::unique_ptr<DnsMessage> fresh() { return std::make_unique<DnsMessage>(); }

}  // namespace

TEST(Dns, QueryHeaderAndQuestion) {
  Wire w;
  w.header(0xBEEF, kQueryFlags, 1, 0, 0, 1).question("www.example.com", kDnsA);
  w.u8(0).rr_fixed(kDnsOpt, 0, 0, 1232);  // EDNS OPT in the additional section
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_EQ(m->id, 0xBEEF);
  EXPECT_FALSE(m->is_response);
  EXPECT_TRUE(m->recursion_desired);
  EXPECT_FALSE(m->recursion_available);
  EXPECT_EQ(m->opcode, 0);
  EXPECT_EQ(m->qdcount, 1);
  EXPECT_EQ(m->arcount, 1);
  ASSERT_TRUE(m->has_question);
  EXPECT_EQ(qname_of(*m), "www.example.com");
  EXPECT_STREQ(m->qname, "www.example.com");
  EXPECT_EQ(m->qname_labels, 3);
  EXPECT_EQ(m->qtype, kDnsA);
  EXPECT_EQ(m->qclass, 1);
  EXPECT_EQ(m->answer_count, 0);
  EXPECT_FALSE(m->answers_capped);
}

// One response per record type, each with the question at offset 12 so that
// answers can point back at it.
struct RecordCase {
  const char* label;
  std::uint16_t qtype;
  const char* qname;
  void (*answer)(Wire&);  // writes owner, fixed part and RDATA
  std::uint16_t want_type;
  const char* want_addr;  // text form, or nullptr
  std::string want_text;
  std::uint16_t want_mx_preference;
};

const RecordCase kRecordCases[] = {
    {"A", kDnsA, "www.example.com",
     [](Wire& w) { w.ptr(kQnameOffset).rr_fixed(kDnsA, 300, 4).bytes({93, 184, 216, 34}); },
     kDnsA, "93.184.216.34", "", 0},
    {"AAAA", kDnsAaaa, "www.example.com",
     [](Wire& w) {
       w.ptr(kQnameOffset).rr_fixed(kDnsAaaa, 300, 16).bytes(
           {0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01, 0x02, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46});
     },
     kDnsAaaa, "2606:2800:220:1:248:1893:25c8:1946", "", 0},
    {"TXT first string only, raw bytes", kDnsTxt, "example.com",
     [](Wire& w) {
       const auto at = w.ptr(kQnameOffset).rr_open(kDnsTxt, 60);
       w.u8(11).bytes({'v', '=', 's', 'p', 'f', '1', ' ', '-', 'A', 'L', 'L'});
       w.u8(3).bytes({'x', 'y', 'z'});
       w.rr_close(at);
     },
     kDnsTxt, nullptr, "v=spf1 -ALL", 0},
    {"TXT with NUL and high bytes", kDnsTxt, "t.example.com",
     [](Wire& w) {
       const auto at = w.ptr(kQnameOffset).rr_open(kDnsTxt, 0);
       w.u8(4).bytes({0x00, 0xff, 'A', 0x01});
       w.rr_close(at);
     },
     kDnsTxt, nullptr, std::string("\0\xff" "A\x01", 4), 0},
    {"MX compressed", kDnsMx, "example.com",
     [](Wire& w) {
       const auto at = w.ptr(kQnameOffset).rr_open(kDnsMx, 3600);
       w.u16(10).labels("Mail").ptr(kQnameOffset);
       w.rr_close(at);
     },
     kDnsMx, nullptr, "mail.example.com", 10},
    {"NS uncompressed", kDnsNs, "example.com",
     [](Wire& w) {
       const auto at = w.ptr(kQnameOffset).rr_open(kDnsNs, 86400);
       w.name("a.iana-servers.net");
       w.rr_close(at);
     },
     kDnsNs, nullptr, "a.iana-servers.net", 0},
    {"PTR", kDnsPtr, "34.216.184.93.in-addr.arpa",
     [](Wire& w) {
       const auto at = w.ptr(kQnameOffset).rr_open(kDnsPtr, 120);
       w.name("host.example.org");
       w.rr_close(at);
     },
     kDnsPtr, nullptr, "host.example.org", 0},
    {"NULL kept without data", kDnsNull, "x.tunnel.test",
     [](Wire& w) { w.ptr(kQnameOffset).rr_fixed(kDnsNull, 0, 3).bytes({1, 2, 3}); },
     kDnsNull, nullptr, "", 0},
};

class DnsRecord : public ::testing::TestWithParam<RecordCase> {};

TEST_P(DnsRecord, ResponseAnswerDecoded) {
  const RecordCase& c = GetParam();
  Wire w;
  w.header(0x0102, kResponseFlags, 1, 1).question(c.qname, c.qtype);
  c.answer(w);
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_TRUE(m->is_response);
  EXPECT_TRUE(m->recursion_available);
  EXPECT_EQ(m->rcode, 0);
  EXPECT_EQ(qname_of(*m), c.qname);
  EXPECT_EQ(m->qtype, c.qtype);
  ASSERT_EQ(m->answer_count, 1);
  const DnsAnswer& a = m->answers[0];
  EXPECT_EQ(a.type, c.want_type);
  EXPECT_EQ(a.klass, 1);
  if (c.want_addr != nullptr) {
    EXPECT_EQ(a.addr, *IpAddr::parse(c.want_addr));
  } else {
    EXPECT_TRUE(a.addr.is_zero());
  }
  EXPECT_EQ(text_of(a), c.want_text);
  EXPECT_EQ(a.text[a.text_len], '\0');
  EXPECT_EQ(a.mx_preference, c.want_mx_preference);
}

INSTANTIATE_TEST_SUITE_P(Types, DnsRecord, ::testing::ValuesIn(kRecordCases),
                         [](const auto& info) {
                           std::string n;
                           for (const char* s = info.param.label; *s; ++s)
                             n += std::isalnum(static_cast<unsigned char>(*s)) ? *s : '_';
                           return n;
                         });

TEST(Dns, TtlAndClassReported) {
  Wire w;
  w.header(1, kResponseFlags, 1, 1).question("example.com", kDnsA);
  w.ptr(kQnameOffset).rr_fixed(kDnsA, 0x01020304, 4, 3).bytes({10, 0, 0, 1});
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_EQ(m->answers[0].ttl, 0x01020304u);
  EXPECT_EQ(m->answers[0].klass, 3);
}

// www.example.com CNAME cdn.example.com CNAME edge.cdn.example.com A 1.2.3.4,
// where each target reuses the previous one through pointers, so decoding
// the last CNAME follows two pointers.
Wire cname_chain_response() {
  Wire w;
  w.header(7, kResponseFlags, 1, 3).question("www.example.com", kDnsA);
  auto at = w.ptr(kQnameOffset).rr_open(kDnsCname, 30);
  const auto cdn_offset = std::uint16_t(w.size());
  w.labels("cdn").ptr(kExampleComOffset).rr_close(at);
  at = w.ptr(cdn_offset).rr_open(kDnsCname, 30);
  const auto edge_offset = std::uint16_t(w.size());
  w.labels("EDGE").ptr(cdn_offset).rr_close(at);
  w.ptr(edge_offset).rr_fixed(kDnsA, 30, 4).bytes({1, 2, 3, 4});
  return w;
}

TEST(Dns, CnameChainWithNestedPointers) {
  const Wire w = cname_chain_response();
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  ASSERT_EQ(m->answer_count, 3);
  EXPECT_EQ(m->answers[0].type, kDnsCname);
  EXPECT_EQ(text_of(m->answers[0]), "cdn.example.com");
  EXPECT_EQ(m->answers[1].type, kDnsCname);
  EXPECT_EQ(text_of(m->answers[1]), "edge.cdn.example.com");
  EXPECT_EQ(m->answers[2].type, kDnsA);
  EXPECT_EQ(m->answers[2].addr, IpAddr::from_v4(0x01020304u));
}

TEST(Dns, NxdomainWithAuthoritySoa) {
  Wire w;
  w.header(9, 0x8183, 1, 0, 1).question("nope.example.com", kDnsA);
  const auto at = w.ptr(kQnameOffset + 5).rr_open(kDnsSoa, 900);
  w.name("ns.example.com").name("admin.example.com").u32(1).u32(2).u32(3).u32(4).u32(5);
  w.rr_close(at);
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_EQ(m->rcode, 3);
  EXPECT_STREQ(dns_rcode_name(m->rcode), "NXDOMAIN");
  EXPECT_EQ(m->nscount, 1);
  EXPECT_EQ(m->answer_count, 0);
  EXPECT_EQ(qname_of(*m), "nope.example.com");
}

TEST(Dns, ManyAnswersAreCapped) {
  constexpr int kAnswers = 12;
  Wire w;
  w.header(3, kResponseFlags, 1, kAnswers).question("many.example.com", kDnsA);
  for (int i = 0; i < kAnswers; ++i) w.ptr(kQnameOffset).rr_fixed(kDnsA, 5, 4).bytes({10, 0, 0, std::uint8_t(i + 1)});
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_EQ(m->answer_count, kDnsMaxAnswers);
  EXPECT_TRUE(m->answers_capped);
  EXPECT_EQ(m->answers[kDnsMaxAnswers - 1].addr, IpAddr::from_v4(0x0A000008u));
}

TEST(Dns, ExactlyMaxAnswersIsNotCapped) {
  Wire w;
  w.header(3, kResponseFlags, 1, kDnsMaxAnswers).question("many.example.com", kDnsA);
  for (std::size_t i = 0; i < kDnsMaxAnswers; ++i) w.ptr(kQnameOffset).rr_fixed(kDnsA, 5, 4).bytes({10, 0, 0, 1});
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_EQ(m->answer_count, kDnsMaxAnswers);
  EXPECT_FALSE(m->answers_capped);
}

TEST(Dns, SecondQuestionSkipped) {
  Wire w;
  w.header(4, kResponseFlags, 2, 1).question("first.example", kDnsA).question("second.example", kDnsAaaa);
  w.ptr(kQnameOffset).rr_fixed(kDnsA, 1, 4).bytes({192, 0, 2, 1});
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_EQ(qname_of(*m), "first.example");
  EXPECT_EQ(m->qtype, kDnsA);
  ASSERT_EQ(m->answer_count, 1);
  EXPECT_EQ(m->answers[0].addr, IpAddr::from_v4(0xC0000201u));
}

TEST(Dns, UppercaseLoweredAndRawBytesKept) {
  Wire w;
  w.header(5, kQueryFlags, 1, 0).u8(3).bytes({'W', 0xff, 'z'}).u8(3).bytes({'a', '.', 'B'}).labels("COM");
  w.u8(0).u16(kDnsTxt).u16(1);
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  // 0xff and the '.' inside the second label are kept as is; renderers must
  // escape them, the label count tells the real structure.
  EXPECT_EQ(qname_of(*m), std::string("w\xffz.a.b.com"));
  EXPECT_EQ(m->qname_labels, 3);
  EXPECT_EQ(m->qtype, kDnsTxt);
}

TEST(Dns, RootNameIsEmpty) {
  Wire w;
  w.header(6, kQueryFlags, 1, 0).question("", kDnsNs);
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  EXPECT_TRUE(m->has_question);
  EXPECT_EQ(m->qname_len, 0);
  EXPECT_EQ(m->qname_labels, 0);
  EXPECT_STREQ(m->qname, "");
  EXPECT_EQ(m->qtype, kDnsNs);
}

TEST(Dns, NameLengthLimit) {
  const std::string l63(63, 'a');
  const std::string l61(61, 'b');
  Wire ok;  // 3 * 64 + 62 + 1 = 255 wire bytes: the maximum
  ok.header(1, kQueryFlags, 1, 0).question(l63 + "." + l63 + "." + l63 + "." + l61, kDnsA);
  auto m = fresh();
  ASSERT_EQ(parse(ok, *m), DnsStatus::kOk);
  EXPECT_EQ(m->qname_len, 253);
  EXPECT_EQ(m->qname_labels, 4);

  Wire too_long;  // 256 wire bytes
  too_long.header(1, kQueryFlags, 1, 0).question(l63 + "." + l63 + "." + l63 + "." + l61 + "c", kDnsA);
  EXPECT_EQ(parse(too_long, *m), DnsStatus::kBadName);
  EXPECT_FALSE(m->has_question);

  // The limit also applies across pointers: 3 * 64 in the answer plus the
  // 66-byte question name reached by a pointer.
  Wire via_ptr;
  via_ptr.header(1, kResponseFlags, 1, 1).question(std::string(60, 'q') + ".com", kDnsA);
  const auto at = via_ptr.ptr(kQnameOffset).rr_open(kDnsCname, 1);
  via_ptr.labels(l63 + "." + l63 + "." + l63).ptr(kQnameOffset).rr_close(at);
  EXPECT_EQ(parse(via_ptr, *m), DnsStatus::kBadName);
}

struct BadNameCase {
  const char* label;
  Wire (*build)();
  DnsStatus want;
};

Wire question_bytes(std::initializer_list<std::uint8_t> name) {
  Wire w;
  w.header(1, kQueryFlags, 1, 0).bytes(name).u16(kDnsA).u16(1);
  return w;
}

// Offset of the RDATA in cname_rdata(): header 12, question 17 + 4, owner
// pointer 2, fixed part 10.
constexpr std::uint8_t kRdata = 45;

// Response whose single CNAME answer has the given RDATA bytes.
Wire cname_rdata(std::initializer_list<std::uint8_t> rdata) {
  Wire w;
  w.header(1, kResponseFlags, 1, 1).question("www.example.com", kDnsA);
  const auto at = w.ptr(kQnameOffset).rr_open(kDnsCname, 1);
  if (at != kRdata) std::abort();  // the fixtures below hard-code offsets
  w.bytes(rdata).rr_close(at);
  return w;
}

// A chain of `links` backward pointers ending at the question name, stored
// inside a NULL record, followed by a CNAME pointing at the chain's head:
// decoding the CNAME target takes links + 1 jumps.
Wire pointer_chain(int links) {
  Wire w;
  w.header(1, kResponseFlags, 1, 2).question("a", kDnsA);
  const auto at = w.ptr(kQnameOffset).rr_open(kDnsNull, 1);
  std::uint16_t prev = kQnameOffset;
  for (int i = 0; i < links; ++i) {
    const auto here = std::uint16_t(w.size());
    w.ptr(prev);
    prev = here;
  }
  w.rr_close(at);
  const auto at2 = w.ptr(kQnameOffset).rr_open(kDnsCname, 1);
  w.ptr(prev).rr_close(at2);
  return w;
}

const BadNameCase kBadNameCases[] = {
    {"self pointer", [] { return question_bytes({0xC0, 12}); }, DnsStatus::kNameLoop},
    {"label then pointer back into own run", [] { return question_bytes({1, 'a', 0xC0, 12}); },
     DnsStatus::kNameLoop},
    {"two pointer cycle", [] { return cname_rdata({0xC0, kRdata + 2, 0xC0, kRdata}); },
     DnsStatus::kNameLoop},
    {"forward pointer to a valid name", [] {
       // The target "x" is well formed but lies after the pointer.
       return cname_rdata({0xC0, kRdata + 2, 1, 'x', 0});
     },
     DnsStatus::kNameLoop},
    // Backwards, so followed: header byte 0 (id high byte, 0) reads as the
    // root name. Odd but harmless and bounded.
    {"pointer into header", [] { return question_bytes({0xC0, 0}); }, DnsStatus::kOk},
    {"16 jumps allowed", [] { return pointer_chain(15); }, DnsStatus::kOk},
    {"17 jumps rejected", [] { return pointer_chain(16); }, DnsStatus::kNameLoop},
    {"label type 0x40", [] { return question_bytes({0x41, 'a', 0}); }, DnsStatus::kBadName},
    {"label type 0x80", [] { return question_bytes({0x81, 'a', 0}); }, DnsStatus::kBadName},
    {"label type 0x40 after a label", [] { return question_bytes({1, 'a', 0x40, 0}); }, DnsStatus::kBadName},
    {"label type 0x80 in answer target", [] { return cname_rdata({0x80, 0}); }, DnsStatus::kBadName},
    {"bad label in skipped owner name", [] {
       Wire w;
       w.header(1, kResponseFlags, 1, 1).question("a.b", kDnsA).bytes({0x41, 0}).rr_fixed(kDnsA, 1, 4).u32(0);
       return w;
     },
     DnsStatus::kBadName},
};

class DnsBadName : public ::testing::TestWithParam<BadNameCase> {};

TEST_P(DnsBadName, Rejected) {
  const BadNameCase& c = GetParam();
  const Wire w = c.build();
  auto m = fresh();
  const DnsStatus s = parse(w, *m);
  EXPECT_EQ(s, c.want) << dns_status_name(s);
}

INSTANTIATE_TEST_SUITE_P(Names, DnsBadName, ::testing::ValuesIn(kBadNameCases),
                         [](const auto& info) {
                           std::string n;
                           for (const char* s = info.param.label; *s; ++s)
                             n += std::isalnum(static_cast<unsigned char>(*s)) ? *s : '_';
                           return n;
                         });

TEST(Dns, PointerChainTargetDecoded) {
  const Wire w = pointer_chain(15);
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  ASSERT_EQ(m->answer_count, 2);
  EXPECT_EQ(m->answers[0].type, kDnsNull);
  EXPECT_EQ(text_of(m->answers[1]), "a");
}

TEST(Dns, EveryTruncationOfAResponse) {
  // Includes an OPT record in the additional section so cuts there are
  // detected as well.
  Wire w = cname_chain_response();
  auto bytes = w.data();
  bytes[11] = 1;  // arcount
  bytes.push_back(0);
  for (std::uint8_t b : {0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}) bytes.push_back(b);
  auto m = fresh();
  ASSERT_EQ(parse_dns(bytes.data(), bytes.size(), *m), DnsStatus::kOk);
  const std::size_t question_end = kQnameOffset + 17 + 4;

  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    // A heap copy of exactly `cut` bytes lets ASan catch any overread.
    std::unique_ptr<std::uint8_t[]> part(new std::uint8_t[cut == 0 ? 1 : cut]);
    std::copy(bytes.begin(), bytes.begin() + std::ptrdiff_t(cut), part.get());
    const DnsStatus s = parse_dns(part.get(), cut, *m);
    if (cut < 12) {
      EXPECT_EQ(s, DnsStatus::kNotDns) << "cut " << cut;
      continue;
    }
    EXPECT_EQ(s, DnsStatus::kTruncated) << "cut " << cut;
    EXPECT_EQ(m->id, 7);
    EXPECT_EQ(m->has_question, cut >= question_end) << "cut " << cut;
    if (cut >= question_end) {
      EXPECT_EQ(qname_of(*m), "www.example.com");
    }
    EXPECT_LE(m->answer_count, 3);
  }
}

TEST(Dns, NameKeptWhenCutInsideQtype) {
  Wire w;
  w.header(1, kQueryFlags, 1, 0).question("cut.example", kDnsA);
  auto m = fresh();
  // The name is complete but QCLASS is missing: the name is still reported
  // (tunnel detection works on names), has_question says the rest is absent.
  ASSERT_EQ(parse_dns(w.data().data(), w.size() - 2, *m), DnsStatus::kTruncated);
  EXPECT_FALSE(m->has_question);
  EXPECT_EQ(qname_of(*m), "cut.example");
  EXPECT_EQ(m->qtype, 0);
}

TEST(Dns, TruncatedKeepsAnswersSoFar) {
  const Wire w = cname_chain_response();
  auto m = fresh();
  // Drop the last byte of the final A record.
  ASSERT_EQ(parse_dns(w.data().data(), w.size() - 1, *m), DnsStatus::kTruncated);
  EXPECT_EQ(m->answer_count, 2);
  EXPECT_EQ(text_of(m->answers[1]), "edge.cdn.example.com");
}

TEST(Dns, MalformedRdataNotStored) {
  Wire w;
  w.header(1, kResponseFlags, 1, 3).question("example.com", kDnsA);
  w.ptr(kQnameOffset).rr_fixed(kDnsA, 1, 5).bytes({1, 2, 3, 4, 5});      // A must be 4 bytes
  w.ptr(kQnameOffset).rr_fixed(kDnsCname, 1, 3).bytes({5, 'a', 'b'});   // name runs past RDATA
  w.ptr(kQnameOffset).rr_fixed(kDnsA, 1, 4).bytes({9, 9, 9, 9});
  auto m = fresh();
  ASSERT_EQ(parse(w, *m), DnsStatus::kOk);
  ASSERT_EQ(m->answer_count, 1);
  EXPECT_EQ(m->answers[0].addr, IpAddr::from_v4(0x09090909u));
}

struct HeaderCase {
  const char* label;
  std::uint16_t flags, qd, an, ns, ar;
  DnsStatus want;
};

const HeaderCase kHeaderCases[] = {
    {"opcode 7", 0x3800, 0, 0, 0, 0, DnsStatus::kNotDns},
    {"opcode 15 response", 0xF880, 1, 0, 0, 0, DnsStatus::kNotDns},
    {"qdcount 1001", 0x0100, 1001, 0, 0, 0, DnsStatus::kNotDns},
    {"counts cannot fit 64 KiB", 0x8180, 1, 0x2000, 0x2000, 0, DnsStatus::kNotDns},
    {"all zero query", 0x0000, 0, 0, 0, 0, DnsStatus::kNotDns},
    {"FORMERR response without question", 0x8001, 0, 0, 0, 0, DnsStatus::kOk},
    {"DSO without question", 0x3000, 0, 0, 0, 0, DnsStatus::kOk},
    {"NOTIFY opcode 4 with no records claimed", 0x2000, 0, 0, 0, 0, DnsStatus::kOk},
    {"qdcount 1000 is plausible but short", 0x0100, 1000, 0, 0, 0, DnsStatus::kTruncated},
    {"cookie-only query", 0x0000, 0, 0, 0, 1, DnsStatus::kTruncated},
};

class DnsHeader : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(DnsHeader, Plausibility) {
  const HeaderCase& c = GetParam();
  Wire w;
  w.header(0x4242, c.flags, c.qd, c.an, c.ns, c.ar);
  auto m = fresh();
  EXPECT_EQ(parse(w, *m), c.want) << dns_status_name(parse(w, *m));
}

INSTANTIATE_TEST_SUITE_P(Headers, DnsHeader, ::testing::ValuesIn(kHeaderCases),
                         [](const auto& info) {
                           std::string n;
                           for (const char* s = info.param.label; *s; ++s)
                             n += std::isalnum(static_cast<unsigned char>(*s)) ? *s : '_';
                           return n;
                         });

TEST(Dns, ReusedMessageIsReset) {
  const Wire full = cname_chain_response();
  auto m = fresh();
  ASSERT_EQ(parse(full, *m), DnsStatus::kOk);
  Wire q;
  q.header(2, kQueryFlags, 1, 0).question("other.test", kDnsAaaa);
  ASSERT_EQ(parse(q, *m), DnsStatus::kOk);
  EXPECT_EQ(m->answer_count, 0);
  EXPECT_FALSE(m->is_response);
  EXPECT_EQ(qname_of(*m), "other.test");
  EXPECT_EQ(parse_dns(nullptr, 0, *m), DnsStatus::kNotDns);
  EXPECT_FALSE(m->has_question);
  EXPECT_EQ(m->qname_len, 0);
}

TEST(Dns, Names) {
  EXPECT_STREQ(dns_type_name(kDnsA), "A");
  EXPECT_STREQ(dns_type_name(kDnsAaaa), "AAAA");
  EXPECT_STREQ(dns_type_name(kDnsHttps), "HTTPS");
  EXPECT_STREQ(dns_type_name(kDnsAny), "ANY");
  EXPECT_EQ(dns_type_name(9999), nullptr);
  EXPECT_STREQ(dns_rcode_name(0), "NOERROR");
  EXPECT_STREQ(dns_rcode_name(2), "SERVFAIL");
  EXPECT_STREQ(dns_rcode_name(5), "REFUSED");
  EXPECT_EQ(dns_rcode_name(15), nullptr);
  EXPECT_STREQ(dns_status_name(DnsStatus::kOk), "ok");
  EXPECT_STREQ(dns_status_name(DnsStatus::kNameLoop), "name_loop");
  EXPECT_STREQ(dns_status_name(DnsStatus::kNotDns), "not_dns");
}
