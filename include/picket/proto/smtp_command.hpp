#pragma once
// SMTP opening (RFC 5321 section 3.1 and 4.1.1.1): the server's "220" greeting
// and the client's "EHLO"/"HELO" command. A "220" greeting alone is not SMTP
// (FTP greets the same way); a client EHLO/HELO is.
// Allocation-free; reads nothing outside [p, p + len).
#include <cstddef>
#include <cstdint>

#include "picket/proto/recognition.hpp"

namespace picket::proto {

// Server: "220" then SP or '-' (multi-line greeting) then text.
Recognition recognise_smtp_greeting(const std::uint8_t* p, std::size_t len);
// Client: "EHLO" or "HELO" (any case), SP, a printable domain or address literal, CRLF.
Recognition recognise_smtp_hello(const std::uint8_t* p, std::size_t len);

}  // namespace picket::proto
