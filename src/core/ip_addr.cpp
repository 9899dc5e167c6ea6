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

bool Cidr::contains(const IpAddr& a) const {
  int bits = prefix_bits;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != base.bytes[i]) return false;
  }
  return true;
}

std::string Cidr::to_string() const {
  int bits = base.is_v4() && prefix_bits >= 96 ? prefix_bits - 96 : prefix_bits;
  return base.to_string() + "/" + std::to_string(bits);
}

}  // namespace picket::core
