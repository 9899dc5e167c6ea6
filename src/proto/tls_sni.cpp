// TLS ClientHello server_name extraction (RFC 8446 4.1.2, RFC 5246 7.4.1.2,
// RFC 6066 3). Called on the first client payload of every TCP flow, so it
// is a single forward pass with no allocation.
#include "picket/proto/tls_sni.hpp"

namespace picket::proto {
namespace {

constexpr std::uint8_t kContentHandshake = 22;
constexpr std::uint8_t kHandshakeClientHello = 1;
constexpr std::uint16_t kExtServerName = 0;
constexpr std::uint8_t kNameTypeHostName = 0;
constexpr std::size_t kRecordHeaderLen = 5;
constexpr std::size_t kHandshakeHeaderLen = 4;
constexpr std::size_t kRandomLen = 32;
constexpr std::size_t kMaxSessionId = 32;
// TLSPlaintext.length may not exceed 2^14 (RFC 8446 5.1).
constexpr std::size_t kMaxPlaintextRecord = 16384;
// Every TLS/SSL version since SSL 3.0 uses major version 3; minor 4 would be
// a hypothetical TLS 1.3 record version, which is tolerated.
constexpr std::uint8_t kTlsMajor = 3;
constexpr std::uint8_t kMaxTlsMinor = 4;

// Reads inside the ClientHello body distinguish two limits: `claimed`, where
// the handshake says it ends, and `avail`, where the bytes we hold end (the
// segment or record boundary). Exceeding `claimed` means the lengths
// contradict each other; exceeding only `avail` means the hello continues
// in data we do not have.
struct Cursor {
  const std::uint8_t* p;
  std::size_t pos;
  std::size_t claimed;
  std::size_t avail;

  // Checks that n bytes at pos are both inside the declared structure
  // (`bound`) and present in the buffer.
  SniStatus need(std::size_t n, std::size_t bound) const {
    if (n > bound - pos) return SniStatus::kMalformed;
    if (pos >= avail || n > avail - pos) return SniStatus::kTruncated;
    return SniStatus::kFound;  // "ok" for the caller
  }
  std::uint8_t u8() { return p[pos++]; }
  std::uint16_t u16() {
    const std::uint16_t v = static_cast<std::uint16_t>((p[pos] << 8) | p[pos + 1]);
    pos += 2;
    return v;
  }
  std::uint32_t u24() {
    const std::uint32_t v = (std::uint32_t(p[pos]) << 16) | (std::uint32_t(p[pos + 1]) << 8) | p[pos + 2];
    pos += 3;
    return v;
  }
};

#define PICKET_NEED(cur, n, bound)                        \
  do {                                                    \
    const SniStatus need_status_ = (cur).need((n), (bound)); \
    if (need_status_ != SniStatus::kFound) return need_status_; \
  } while (0)

// Parses a server_name extension body in [c.pos, ext_end).
SniStatus read_server_name(Cursor& c, std::size_t ext_end, TlsClientHello& out) {
  PICKET_NEED(c, 2, ext_end);
  const std::size_t list_len = c.u16();
  if (list_len > ext_end - c.pos) return SniStatus::kMalformed;
  const std::size_t list_end = c.pos + list_len;
  while (c.pos < list_end) {
    PICKET_NEED(c, 3, list_end);
    const std::uint8_t name_type = c.u8();
    const std::size_t name_len = c.u16();
    if (name_len > list_end - c.pos) return SniStatus::kMalformed;
    if (name_type != kNameTypeHostName) {
      // RFC 6066 defines only host_name, but the list is extensible.
      c.pos += name_len;
      continue;
    }
    // HostName is opaque<1..2^16-1>, but a DNS name never exceeds 255
    // bytes; a longer one is an evasion or fuzzing attempt, not a host.
    if (name_len == 0 || name_len >= kMaxSni) return SniStatus::kMalformed;
    PICKET_NEED(c, name_len, list_end);
    for (std::size_t i = 0; i < name_len; ++i) {
      const std::uint8_t ch = c.p[c.pos + i];
      out.sni[i] = static_cast<char>((ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch);
    }
    out.sni[name_len] = '\0';
    out.sni_len = static_cast<std::uint16_t>(name_len);
    return SniStatus::kFound;
  }
  return SniStatus::kNoSni;
}

}  // namespace

SniStatus parse_tls_client_hello(const std::uint8_t* p, std::size_t len, TlsClientHello& out) {
  out.record_version = 0;
  out.client_version = 0;
  out.sni[0] = '\0';
  out.sni_len = 0;

  // A short prefix that agrees with a handshake record so far may still be
  // a ClientHello: report it as truncated so a caller can wait for more.
  if (len == 0) return SniStatus::kTruncated;
  if (p[0] != kContentHandshake) return SniStatus::kNotTls;
  if (len >= 2 && p[1] != kTlsMajor) return SniStatus::kNotTls;
  if (len >= 3 && p[2] > kMaxTlsMinor) return SniStatus::kNotTls;
  if (len < kRecordHeaderLen) return SniStatus::kTruncated;

  out.record_version = static_cast<std::uint16_t>((p[1] << 8) | p[2]);
  const std::size_t record_len = (std::size_t(p[3]) << 8) | p[4];
  if (record_len > kMaxPlaintextRecord || record_len < kHandshakeHeaderLen) return SniStatus::kMalformed;
  const std::size_t record_end = kRecordHeaderLen + record_len;

  if (len == kRecordHeaderLen) return SniStatus::kTruncated;
  if (p[kRecordHeaderLen] != kHandshakeClientHello) return SniStatus::kNotTls;

  // A ClientHello may span several records; only the first is read, which
  // covers practically every client (hellos, even with post-quantum key
  // shares, stay far below 16 KiB). A continuation shows up as kTruncated.
  const std::size_t avail = len < record_end ? len : record_end;
  Cursor c{p, kRecordHeaderLen + 1, 0, avail};
  c.claimed = ~std::size_t{0};
  PICKET_NEED(c, 3, c.claimed);
  const std::size_t body_len = c.u24();
  c.claimed = c.pos + body_len;

  PICKET_NEED(c, 2, c.claimed);
  out.client_version = c.u16();

  PICKET_NEED(c, kRandomLen + 1, c.claimed);
  c.pos += kRandomLen;
  const std::size_t session_id_len = c.u8();
  if (session_id_len > kMaxSessionId) return SniStatus::kMalformed;
  PICKET_NEED(c, session_id_len + 2, c.claimed);
  c.pos += session_id_len;

  const std::size_t suites_len = c.u16();
  // Cipher suites are 2-byte codes and at least one must be offered.
  if (suites_len == 0 || (suites_len & 1) != 0) return SniStatus::kMalformed;
  PICKET_NEED(c, suites_len + 1, c.claimed);
  c.pos += suites_len;

  const std::size_t compression_len = c.u8();
  if (compression_len == 0) return SniStatus::kMalformed;
  PICKET_NEED(c, compression_len, c.claimed);
  c.pos += compression_len;

  // Extensions are optional (pre-TLS 1.2 clients may end the hello here).
  if (c.pos == c.claimed) return SniStatus::kNoSni;
  PICKET_NEED(c, 2, c.claimed);
  const std::size_t extensions_len = c.u16();
  if (extensions_len > c.claimed - c.pos) return SniStatus::kMalformed;
  const std::size_t extensions_end = c.pos + extensions_len;

  while (c.pos < extensions_end) {
    PICKET_NEED(c, 4, extensions_end);
    const std::uint16_t ext_type = c.u16();
    const std::size_t ext_len = c.u16();
    if (ext_len > extensions_end - c.pos) return SniStatus::kMalformed;
    const std::size_t ext_end = c.pos + ext_len;
    if (ext_type == kExtServerName) return read_server_name(c, ext_end, out);
    // Skipping needs only the declared length; whether the skipped bytes
    // are present is found out by the next read.
    c.pos = ext_end;
  }
  return SniStatus::kNoSni;
}

#undef PICKET_NEED

}  // namespace picket::proto
