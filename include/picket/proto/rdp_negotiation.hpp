#pragma once
// RDP connection start: a TPKT header (RFC 1006: version 3, reserved 0,
// 16-bit big-endian length) carrying an X.224 (ISO 8073) Connection Request
// from the client or Connection Confirm from the server ([MS-RDPBCGR] 2.2.1.1
// and 2.2.1.2). It is sent in clear before any TLS/CredSSP, on any port.
// Allocation-free; reads nothing outside [p, p + len).
#include <cstddef>
#include <cstdint>

#include "picket/proto/recognition.hpp"

namespace picket::proto {

enum class X224Kind : std::uint8_t { kNone = 0, kConnectionRequest, kConnectionConfirm };

Recognition recognise_rdp_negotiation(const std::uint8_t* p, std::size_t len, X224Kind& kind);

}  // namespace picket::proto
