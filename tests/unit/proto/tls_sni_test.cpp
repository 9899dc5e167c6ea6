#include "picket/proto/tls_sni.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace picket::proto;

namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::size_t v) {
  b.push_back(std::uint8_t(v >> 8));
  b.push_back(std::uint8_t(v));
}
void put24(Bytes& b, std::size_t v) {
  b.push_back(std::uint8_t(v >> 16));
  put16(b, v);
}
void append(Bytes& b, const Bytes& more) {
  for (std::uint8_t v : more) b.push_back(v);  // insert() trips a GCC 12 -O3 false warning
}
Bytes extension(std::uint16_t type, const Bytes& data) {
  Bytes e;
  put16(e, type);
  put16(e, data.size());
  append(e, data);
  return e;
}

struct Hello {
  Bytes bytes;
  std::size_t sni_end = 0;  // offset just past the host name, 0 if none
};

// A TLS 1.3 ClientHello shaped like a modern browser's: 32-byte session id,
// three suites, and the SNI between other extensions (Chrome shuffles them).
Hello build_hello(std::optional<std::string> sni, bool with_extensions = true) {
  Bytes body;
  put16(body, 0x0303);
  for (int i = 0; i < 32; ++i) body.push_back(std::uint8_t(0xA0 + i));  // random
  body.push_back(32);
  for (int i = 0; i < 32; ++i) body.push_back(std::uint8_t(i));  // session id
  put16(body, 6);
  append(body, {0x13, 0x01, 0x13, 0x02, 0xC0, 0x2F});
  append(body, {0x01, 0x00});  // one compression method: null

  std::size_t sni_end_in_body = 0;
  if (with_extensions) {
    Bytes exts;
    append(exts, extension(0x000A, {0x00, 0x04, 0x00, 0x1D, 0x00, 0x17}));  // supported_groups
    if (sni) {
      Bytes sn;
      put16(sn, sni->size() + 3);
      sn.push_back(0);  // host_name
      put16(sn, sni->size());
      sn.insert(sn.end(), sni->begin(), sni->end());
      append(exts, extension(0x0000, sn));
      sni_end_in_body = body.size() + 2 + exts.size();
    }
    append(exts, extension(0x002B, {0x02, 0x03, 0x04}));  // supported_versions
    Bytes share = {0x00, 0x24, 0x00, 0x1D, 0x00, 0x20};
    for (int i = 0; i < 32; ++i) share.push_back(std::uint8_t(0x55 ^ i));
    append(exts, extension(0x0033, share));  // key_share
    put16(body, exts.size());
    append(body, exts);
  }

  Hello h;
  h.bytes = {0x16, 0x03, 0x01};
  put16(h.bytes, body.size() + 4);
  h.bytes.push_back(0x01);
  put24(h.bytes, body.size());
  append(h.bytes, body);
  if (sni_end_in_body != 0) h.sni_end = 9 + sni_end_in_body;
  return h;
}

// Parses an exact-size heap copy so ASan flags any read past the end.
SniStatus parse_copy(const Bytes& b, std::size_t n, TlsClientHello& out) {
  std::unique_ptr<std::uint8_t[]> part(new std::uint8_t[n == 0 ? 1 : n]);
  std::copy(b.begin(), b.begin() + std::ptrdiff_t(n), part.get());
  return parse_tls_client_hello(part.get(), n, out);
}

// Fixed offsets in build_hello() output used by the mutation cases.
constexpr std::size_t kRecordLenAt = 3;
constexpr std::size_t kHandshakeLenAt = 6;
constexpr std::size_t kSessionIdLenAt = 43;
constexpr std::size_t kSuitesLenAt = 76;
constexpr std::size_t kCompressionLenAt = 84;
constexpr std::size_t kExtensionsLenAt = 86;
constexpr std::size_t kFirstExtLenAt = 90;
constexpr std::size_t kSniListLenAt = 102;
constexpr std::size_t kSniNameLenAt = 105;

}  // namespace

TEST(TlsSni, FoundAndLowerCased) {
  const Hello h = build_hello("WWW.Example.COM");
  TlsClientHello out;
  ASSERT_EQ(parse_tls_client_hello(h.bytes.data(), h.bytes.size(), out), SniStatus::kFound);
  EXPECT_STREQ(out.sni, "www.example.com");
  EXPECT_EQ(out.sni_len, 15);
  EXPECT_EQ(out.record_version, 0x0301);
  EXPECT_EQ(out.client_version, 0x0303);
}

TEST(TlsSni, FixtureOffsetsMatchLayout) {
  // Guards the hard-coded offsets the malformed cases rely on.
  const Hello h = build_hello("a.example");
  EXPECT_EQ(h.bytes[kSessionIdLenAt], 32);
  EXPECT_EQ(h.bytes[kSuitesLenAt + 1], 6);
  EXPECT_EQ(h.bytes[kCompressionLenAt], 1);
  EXPECT_EQ(h.bytes[kFirstExtLenAt + 1], 6);
  EXPECT_EQ(h.bytes[kSniListLenAt + 1], 12);
  EXPECT_EQ(h.bytes[kSniNameLenAt + 1], 9);
  EXPECT_EQ(h.sni_end, kSniNameLenAt + 2 + 9);
}

TEST(TlsSni, NoSni) {
  TlsClientHello out;
  const Hello h = build_hello(std::nullopt);
  ASSERT_EQ(parse_tls_client_hello(h.bytes.data(), h.bytes.size(), out), SniStatus::kNoSni);
  EXPECT_EQ(out.sni_len, 0);
  EXPECT_STREQ(out.sni, "");
  EXPECT_EQ(out.client_version, 0x0303);

  const Hello bare = build_hello(std::nullopt, false);  // no extensions block at all
  EXPECT_EQ(parse_tls_client_hello(bare.bytes.data(), bare.bytes.size(), out), SniStatus::kNoSni);
}

TEST(TlsSni, EveryTruncationWithSni) {
  const Hello h = build_hello("cdn.example.net");
  ASSERT_GT(h.sni_end, 0u);
  for (std::size_t cut = 0; cut <= h.bytes.size(); ++cut) {
    TlsClientHello out;
    const SniStatus s = parse_copy(h.bytes, cut, out);
    if (cut < h.sni_end) {
      EXPECT_EQ(s, SniStatus::kTruncated) << "cut " << cut;
      EXPECT_EQ(out.sni_len, 0) << "cut " << cut;
    } else {
      EXPECT_EQ(s, SniStatus::kFound) << "cut " << cut;
      EXPECT_STREQ(out.sni, "cdn.example.net");
    }
  }
}

TEST(TlsSni, EveryTruncationWithoutSni) {
  const Hello h = build_hello(std::nullopt);
  // Once the header of the last extension (key_share, 38 data bytes) is in,
  // the declared lengths already prove there is no server_name: the answer
  // is final even though the key share bytes are missing.
  const std::size_t last_ext_data = h.bytes.size() - 38;
  for (std::size_t cut = 0; cut <= h.bytes.size(); ++cut) {
    TlsClientHello out;
    EXPECT_EQ(parse_copy(h.bytes, cut, out), cut < last_ext_data ? SniStatus::kTruncated : SniStatus::kNoSni)
        << "cut " << cut;
  }
}

TEST(TlsSni, HelloContinuedInNextRecord) {
  // The record holds only the first 60 handshake bytes; the rest would come
  // in a second record, which is not reassembled.
  Hello h = build_hello("split.example");
  h.bytes[kRecordLenAt] = 0;
  h.bytes[kRecordLenAt + 1] = 60;
  TlsClientHello out;
  EXPECT_EQ(parse_tls_client_hello(h.bytes.data(), h.bytes.size(), out), SniStatus::kTruncated);
}

TEST(TlsSni, SecondNameEntryAfterUnknownType) {
  Hello h = build_hello("x");
  // Rewrite the list as: type 7 "zz", then host_name "x"; lengths grow by 5.
  TlsClientHello out;
  Bytes b(h.bytes.begin(), h.bytes.begin() + std::ptrdiff_t(kSniListLenAt - 4));
  Bytes sni_ext = {0x00, 0x00, 0x00, 11, 0x00, 9, 7, 0x00, 2, 'z', 'z', 0, 0x00, 1, 'X'};
  append(b, sni_ext);
  b.insert(b.end(), h.bytes.begin() + std::ptrdiff_t(h.sni_end), h.bytes.end());
  // Fix record, handshake and extensions lengths (+5 each).
  auto bump16 = [&b](std::size_t at, int d) {
    const std::size_t v = std::size_t(b[at] << 8 | b[at + 1]) + std::size_t(d);
    b[at] = std::uint8_t(v >> 8);
    b[at + 1] = std::uint8_t(v);
  };
  bump16(kRecordLenAt, 5);
  bump16(kHandshakeLenAt + 1, 5);
  bump16(kExtensionsLenAt, 5);
  ASSERT_EQ(parse_tls_client_hello(b.data(), b.size(), out), SniStatus::kFound);
  EXPECT_STREQ(out.sni, "x");
}

TEST(TlsSni, OverlongHostNameIsMalformed) {
  const Hello h = build_hello(std::string(256, 'a'));
  TlsClientHello out;
  EXPECT_EQ(parse_tls_client_hello(h.bytes.data(), h.bytes.size(), out), SniStatus::kMalformed);
  const Hello max = build_hello(std::string(255, 'b'));
  ASSERT_EQ(parse_tls_client_hello(max.bytes.data(), max.bytes.size(), out), SniStatus::kFound);
  EXPECT_EQ(out.sni_len, 255);
  EXPECT_EQ(out.sni[255], '\0');
}

struct Mutation {
  const char* label;
  std::size_t at;
  std::array<std::uint8_t, 3> bytes;
  std::size_t count;  // how many of `bytes` to write
  SniStatus want;
};

const Mutation kMutations[] = {
    {"session id longer than 32", kSessionIdLenAt, {33}, 1, SniStatus::kMalformed},
    {"odd cipher suites length", kSuitesLenAt, {0x00, 0x07}, 2, SniStatus::kMalformed},
    {"no cipher suites", kSuitesLenAt, {0x00, 0x00}, 2, SniStatus::kMalformed},
    {"cipher suites past handshake", kSuitesLenAt, {0x7F, 0xFE}, 2, SniStatus::kMalformed},
    {"no compression methods", kCompressionLenAt, {0x00}, 1, SniStatus::kMalformed},
    {"extensions past handshake", kExtensionsLenAt, {0x40, 0x00}, 2, SniStatus::kMalformed},
    {"extension past extensions", kFirstExtLenAt, {0xFF, 0xFF}, 2, SniStatus::kMalformed},
    {"server name list past extension", kSniListLenAt, {0x00, 0x40}, 2, SniStatus::kMalformed},
    {"host name past list", kSniNameLenAt, {0x00, 0x40}, 2, SniStatus::kMalformed},
    {"empty host name", kSniNameLenAt, {0x00, 0x00}, 2, SniStatus::kMalformed},
    {"handshake ends inside random", kHandshakeLenAt, {0x00, 0x00, 0x10}, 3, SniStatus::kMalformed},
    {"record longer than 2^14", kRecordLenAt, {0x40, 0x01}, 2, SniStatus::kMalformed},
    {"record shorter than handshake header", kRecordLenAt, {0x00, 0x03}, 2, SniStatus::kMalformed},
    {"application data record", 0, {23}, 1, SniStatus::kNotTls},
    {"alert record", 0, {21}, 1, SniStatus::kNotTls},
    {"server hello", 5, {2}, 1, SniStatus::kNotTls},
    {"major version 2", 1, {2}, 1, SniStatus::kNotTls},
    {"minor version 9", 2, {9}, 1, SniStatus::kNotTls},
    {"SSL 3.0 record version accepted", 1, {3, 0}, 2, SniStatus::kFound},
};

class TlsMutation : public ::testing::TestWithParam<Mutation> {};

TEST_P(TlsMutation, Classified) {
  const Mutation& m = GetParam();
  Hello h = build_hello("a.example");
  std::copy_n(m.bytes.begin(), m.count, h.bytes.begin() + std::ptrdiff_t(m.at));
  TlsClientHello out;
  EXPECT_EQ(parse_copy(h.bytes, h.bytes.size(), out), m.want);
  if (m.want != SniStatus::kFound) {
    EXPECT_EQ(out.sni_len, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Hello, TlsMutation, ::testing::ValuesIn(kMutations),
                         [](const auto& info) {
                           std::string n;
                           for (const char* s = info.param.label; *s; ++s)
                             n += std::isalnum(static_cast<unsigned char>(*s)) ? *s : '_';
                           return n;
                         });

TEST(TlsSni, NonTlsPayloads) {
  TlsClientHello out;
  const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(parse_tls_client_hello(reinterpret_cast<const std::uint8_t*>(http.data()), http.size(), out),
            SniStatus::kNotTls);
  const std::uint8_t sslv2[] = {0x80, 0x2E, 0x01, 0x00, 0x02};
  EXPECT_EQ(parse_tls_client_hello(sslv2, sizeof sslv2, out), SniStatus::kNotTls);
  const std::uint8_t one_byte[] = {0x17};
  EXPECT_EQ(parse_tls_client_hello(one_byte, 1, out), SniStatus::kNotTls);
}
