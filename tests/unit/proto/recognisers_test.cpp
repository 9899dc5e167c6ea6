// Byte fixtures for the SSH, RDP and SMTP recognisers, including every
// truncation of a valid opening (each must give kPartial or kYes, never kNo,
// and never read past the end: inputs are exact-size heap copies for ASan).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "picket/proto/rdp_negotiation.hpp"
#include "picket/proto/smtp_command.hpp"
#include "picket/proto/ssh_banner.hpp"

using namespace picket::proto;

namespace {

struct Bytes {
  std::unique_ptr<std::uint8_t[]> p;
  std::size_t n;
  explicit Bytes(const std::string& s, std::size_t cut = std::string::npos)
      : p(new std::uint8_t[s.empty() ? 1 : s.size()]), n(std::min(cut, s.size())) {
    std::memcpy(p.get(), s.data(), n);
  }
};

Recognition ssh(const std::string& s, std::size_t cut = std::string::npos) {
  Bytes b(s, cut);
  return recognise_ssh_banner(b.p.get(), b.n);
}
Recognition rdp(const std::string& s, X224Kind& kind, std::size_t cut = std::string::npos) {
  Bytes b(s, cut);
  return recognise_rdp_negotiation(b.p.get(), b.n, kind);
}
Recognition greeting(const std::string& s, std::size_t cut = std::string::npos) {
  Bytes b(s, cut);
  return recognise_smtp_greeting(b.p.get(), b.n);
}
Recognition hello(const std::string& s, std::size_t cut = std::string::npos) {
  Bytes b(s, cut);
  return recognise_smtp_hello(b.p.get(), b.n);
}

// A real mstsc Connection Request: TPKT len 0x2a (42), X.224 LI 0x25, CR 0xe0,
// "Cookie: mstshash=user\r\n", RDP_NEG_REQ (type 1, flags 0, len 8, TLS|CredSSP).
std::string rdp_request() {
  std::string s("\x03\x00\x00\x2a\x25\xe0\x00\x00\x00\x00\x00", 11);
  s += "Cookie: mstshash=user\r\n";
  s += std::string("\x01\x00\x08\x00\x03\x00\x00\x00", 8);
  EXPECT_EQ(s.size(), 0x2au);
  return s;
}
// The server's Connection Confirm with RDP_NEG_RSP (type 2, selected TLS).
std::string rdp_confirm() {
  std::string s("\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00", 11);
  s += std::string("\x02\x00\x08\x00\x01\x00\x00\x00", 8);
  return s;
}

}  // namespace

TEST(SshBanner, ClientAndServerVersionLines) {
  EXPECT_EQ(ssh("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"), Recognition::kYes);
  EXPECT_EQ(ssh("SSH-2.0-libssh2_1.10.0\r\n"), Recognition::kYes);
  EXPECT_EQ(ssh("SSH-1.99-Cisco-1.25\r\n"), Recognition::kYes);
  EXPECT_EQ(ssh("SSH-2.0-Go\r\n"), Recognition::kYes);
}

TEST(SshBanner, OthersAreNot) {
  EXPECT_EQ(ssh("SSH-1.5-old\r\n"), Recognition::kNo);  // SSH-1 only: not spoken any more
  EXPECT_EQ(ssh("ssh-2.0-lower\r\n"), Recognition::kNo);
  EXPECT_EQ(ssh("SSH-2.0- space\r\n"), Recognition::kNo);
  EXPECT_EQ(ssh("GET / HTTP/1.1\r\n"), Recognition::kNo);
  EXPECT_EQ(ssh(std::string("\x16\x03\x01\x02\x00", 5)), Recognition::kNo);
  EXPECT_EQ(ssh("XSH-2.0-x"), Recognition::kNo);
}

TEST(SshBanner, TruncatedIsPartial) {
  const std::string s = "SSH-2.0-OpenSSH_9.6\r\n";
  for (std::size_t cut = 0; cut <= 8; ++cut) EXPECT_EQ(ssh(s, cut), Recognition::kPartial) << cut;
  EXPECT_EQ(ssh(s, 9), Recognition::kYes);
  EXPECT_EQ(ssh("SSH-1.99-x", 9), Recognition::kPartial);
  EXPECT_EQ(ssh("SSH-3", 5), Recognition::kNo);
}

TEST(RdpNegotiation, RequestAndConfirm) {
  X224Kind kind;
  EXPECT_EQ(rdp(rdp_request(), kind), Recognition::kYes);
  EXPECT_EQ(kind, X224Kind::kConnectionRequest);
  EXPECT_EQ(rdp(rdp_confirm(), kind), Recognition::kYes);
  EXPECT_EQ(kind, X224Kind::kConnectionConfirm);
  // The smallest CR: no cookie, no negotiation request.
  EXPECT_EQ(rdp(std::string("\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x00\x00", 11), kind), Recognition::kYes);
}

TEST(RdpNegotiation, OtherTpktAndGarbageAreNot) {
  X224Kind kind;
  // TPKT carrying X.224 Data (0xf0): the MCS phase of an RDP session, or ISO-TSAP (S7comm).
  EXPECT_EQ(rdp(std::string("\x03\x00\x00\x0c\x02\xf0\x80\x7f\x65\x82\x01\x94", 12), kind), Recognition::kNo);
  // LI disagrees with the TPKT length.
  std::string bad_li = rdp_request();
  bad_li[4] = 0x20;
  EXPECT_EQ(rdp(bad_li, kind), Recognition::kNo);
  // CR with a non-zero DST-REF.
  std::string bad_ref = rdp_request();
  bad_ref[7] = 1;
  EXPECT_EQ(rdp(bad_ref, kind), Recognition::kNo);
  // Class 4 instead of class 0.
  std::string bad_class = rdp_request();
  bad_class[10] = 0x40;
  EXPECT_EQ(rdp(bad_class, kind), Recognition::kNo);
  EXPECT_EQ(rdp(std::string("\x03\x01\x00\x2a", 4), kind), Recognition::kNo);
  EXPECT_EQ(rdp(std::string("\x03\x00\x00\x05\x00\xe0", 6), kind), Recognition::kNo);  // too short a TPKT
  EXPECT_EQ(rdp("SSH-2.0-x\r\n", kind), Recognition::kNo);
  EXPECT_EQ(kind, X224Kind::kNone);
}

TEST(RdpNegotiation, TruncatedIsPartial) {
  X224Kind kind;
  const std::string s = rdp_request();
  for (std::size_t cut = 0; cut < 11; ++cut) EXPECT_EQ(rdp(s, kind, cut), Recognition::kPartial) << cut;
  // The TPKT says 42 bytes but the segment holds 11: the fixed part decides.
  EXPECT_EQ(rdp(s, kind, 11), Recognition::kYes);
}

TEST(Smtp, Greeting) {
  EXPECT_EQ(greeting("220 mx.example.org ESMTP Postfix\r\n"), Recognition::kYes);
  EXPECT_EQ(greeting("220-mx.example.org ESMTP\r\n220 more\r\n"), Recognition::kYes);
  EXPECT_EQ(greeting("221 bye\r\n"), Recognition::kNo);
  EXPECT_EQ(greeting("2200 x"), Recognition::kNo);
  EXPECT_EQ(greeting("HTTP/1.1 200 OK\r\n"), Recognition::kNo);
  for (std::size_t cut = 0; cut < 4; ++cut) EXPECT_EQ(greeting("220 x\r\n", cut), Recognition::kPartial) << cut;
}

TEST(Smtp, Hello) {
  EXPECT_EQ(hello("EHLO client.example.com\r\n"), Recognition::kYes);
  EXPECT_EQ(hello("HELO client\r\n"), Recognition::kYes);
  EXPECT_EQ(hello("ehlo [192.0.2.1]\r\n"), Recognition::kYes);
  EXPECT_EQ(hello("EHLO \r\n"), Recognition::kNo);          // no domain
  EXPECT_EQ(hello("EHLO\r\n"), Recognition::kNo);
  EXPECT_EQ(hello("EHLO x\n"), Recognition::kNo);           // bare LF
  EXPECT_EQ(hello("EHLO a\x01" "b\r\n"), Recognition::kNo);  // control byte
  EXPECT_EQ(hello("HLEO x\r\n"), Recognition::kNo);
  EXPECT_EQ(hello("MAIL FROM:<a@b>\r\n"), Recognition::kNo);
  EXPECT_EQ(hello("GET / HTTP/1.1\r\n"), Recognition::kNo);
  EXPECT_EQ(hello("EHLO " + std::string(600, 'a') + "\r\n"), Recognition::kNo);  // longer than a command line
}

TEST(Smtp, HelloTruncatedIsPartial) {
  const std::string s = "EHLO mail.example.net\r\n";
  for (std::size_t cut = 0; cut < s.size(); ++cut) {
    const Recognition r = hello(s, cut);
    // Up to "EHLO " there is no argument yet; after it, no CRLF yet: partial either way.
    EXPECT_EQ(r, Recognition::kPartial) << cut;
  }
  EXPECT_EQ(hello(s, s.size()), Recognition::kYes);
}
