#pragma once
// SSH identification string (RFC 4253 section 4.2): "SSH-2.0-<software>" or,
// from servers that also speak the old protocol, "SSH-1.99-". Both sides send
// it first, so either direction's first payload names the protocol.
// Allocation-free; reads nothing outside [p, p + len).
#include <cstddef>
#include <cstdint>

#include "picket/proto/recognition.hpp"

namespace picket::proto {

Recognition recognise_ssh_banner(const std::uint8_t* p, std::size_t len);

}  // namespace picket::proto
