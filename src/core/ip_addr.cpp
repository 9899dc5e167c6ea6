#include "picket/core/ip_addr.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <string>

namespace picket::core {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  std::uint8_t raw[16];
  if (inet_pton(AF_INET, buf, raw) == 1) return from_v4(raw);
  if (inet_pton(AF_INET6, buf, raw) == 1) return from_v6(raw);
  return std::nullopt;
}

std::size_t IpAddr::format(char* out, std::size_t cap) const {
  char buf[INET6_ADDRSTRLEN];
  const char* r = is_v4() ? inet_ntop(AF_INET, &bytes[12], buf, sizeof(buf))
                          : inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  if (!r || cap == 0) return 0;
  std::size_t n = std::char_traits<char>::length(buf);
  if (n >= cap) n = cap - 1;
  std::char_traits<char>::copy(out, buf, n);
  out[n] = '\0';
  return n;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  std::size_t n = format(buf, sizeof(buf));
  return std::string(buf, n);
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddr::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  const int max_bits = addr->is_v4() ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    bits = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      bits = bits * 10 + (c - '0');
    }
    if (bits > max_bits) return std::nullopt;
  }
  Cidr c;
  c.prefix_bits = static_cast<std::uint8_t>(addr->is_v4() ? bits + 96 : bits);
  c.base = *addr;
  // Clear host bits so that equal prefixes compare equal.
  for (int i = 0; i < 16; ++i) {
    int keep = static_cast<int>(c.prefix_bits) - i * 8;
    if (keep >= 8) continue;
    c.base.bytes[i] &= keep <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
  }
  return c;
}

namespace {

// Mask of the first `bits` bits (0-64) of a big-endian 64-bit word.
std::uint64_t high_bits(int bits) { return bits <= 0 ? 0 : bits >= 64 ? ~std::uint64_t{0} : ~std::uint64_t{0} << (64 - bits); }

}  // namespace

bool Cidr::contains(const IpAddr& a) const {
  // Two 64-bit words instead of 16 bytes: the home-network test runs for
  // every DNS event. The same answer as comparing byte by byte the bytes the
  // prefix touches: (address & prefix mask) == base over those whole bytes,
  // so base bits past the prefix inside its last byte still count.
  const int bits = prefix_bits;
  const int covered = (bits + 7) / 8 * 8;  // bits of the bytes the prefix touches
  for (int w = 0; w < 2; ++w) {
    const std::uint64_t m = high_bits(bits - 64 * w), cover = high_bits(covered - 64 * w);
    if (cover == 0) break;
    if ((a.be_word(w) & m) != (base.be_word(w) & cover)) return false;
  }
  return true;
}

std::string Cidr::to_string() const {
  int bits = base.is_v4() && prefix_bits >= 96 ? prefix_bits - 96 : prefix_bits;
  return base.to_string() + "/" + std::to_string(bits);
}

}  // namespace picket::core
