#include "picket/proto/smtp_command.hpp"

namespace picket::proto {

namespace {
std::uint8_t upper(std::uint8_t c) { return (c >= 'a' && c <= 'z') ? static_cast<std::uint8_t>(c - 32) : c; }
// The longest line we wait for before calling it not SMTP (RFC 5321 4.5.3.1.5: 512 octets).
constexpr std::size_t kMaxLine = 512;
}  // namespace

Recognition recognise_smtp_greeting(const std::uint8_t* p, std::size_t len) {
  const char* want = "220";
  for (std::size_t i = 0; i < 3; ++i) {
    if (i >= len) return Recognition::kPartial;
    if (p[i] != static_cast<std::uint8_t>(want[i])) return Recognition::kNo;
  }
  if (len < 4) return Recognition::kPartial;
  return (p[3] == ' ' || p[3] == '-' || p[3] == '\r') ? Recognition::kYes : Recognition::kNo;
}

Recognition recognise_smtp_hello(const std::uint8_t* p, std::size_t len) {
  if (len == 0) return Recognition::kPartial;
  const std::uint8_t c0 = upper(p[0]);
  if (c0 != 'E' && c0 != 'H') return Recognition::kNo;
  const char* rest = c0 == 'E' ? "HLO " : "ELO ";
  for (std::size_t i = 0; i < 4; ++i) {
    if (1 + i >= len) return Recognition::kPartial;
    const std::uint8_t c = i < 3 ? upper(p[1 + i]) : p[1 + i];
    if (c != static_cast<std::uint8_t>(rest[i])) return Recognition::kNo;
  }
  // The argument: at least one printable byte, then CRLF, all on one line.
  std::size_t i = 5, printable = 0;
  for (; i < len && i < kMaxLine; ++i) {
    const std::uint8_t c = p[i];
    if (c == '\r') break;
    if (c < 0x20 || c > 0x7e) return Recognition::kNo;
    ++printable;
  }
  if (i >= kMaxLine) return Recognition::kNo;
  if (i >= len) return Recognition::kPartial;
  if (printable == 0) return Recognition::kNo;
  if (i + 1 >= len) return Recognition::kPartial;
  return p[i + 1] == '\n' ? Recognition::kYes : Recognition::kNo;
}

}  // namespace picket::proto
