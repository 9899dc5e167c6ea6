#pragma once
// TLS ClientHello server_name extraction from the first bytes of a TCP
// stream (one segment, no reassembly). Bounded and allocation-free.
#include <cstddef>
#include <cstdint>

namespace picket::proto {

inline constexpr std::size_t kMaxSni = 256;

enum class SniStatus : std::uint8_t {
  kFound = 0,
  kNotTls,        // not a TLS handshake record carrying a ClientHello
  kNoSni,         // ClientHello without a server_name extension
  kTruncated,     // ClientHello cut before the extension (e.g. spans segments)
  kMalformed,
};

struct TlsClientHello {
  std::uint16_t record_version = 0;
  std::uint16_t client_version = 0;
  char sni[kMaxSni] = {};  // host_name, lower-cased, NUL-terminated
  std::uint16_t sni_len = 0;
};

SniStatus parse_tls_client_hello(const std::uint8_t* p, std::size_t len, TlsClientHello& out);

}  // namespace picket::proto
