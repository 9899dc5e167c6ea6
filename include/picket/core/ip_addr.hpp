#pragma once
// An IPv4 or IPv6 address in 16 bytes. IPv4 is stored IPv4-mapped
// (::ffff:a.b.c.d) so that comparison, hashing and CIDR tests need one path.
#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace picket::core {

struct IpAddr {
  std::array<std::uint8_t, 16> bytes{};

  static IpAddr from_v4(const std::uint8_t* p) {
    IpAddr a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(&a.bytes[12], p, 4);
    return a;
  }
  static IpAddr from_v4(std::uint32_t host_order) {
    std::uint8_t b[4] = {std::uint8_t(host_order >> 24), std::uint8_t(host_order >> 16),
                         std::uint8_t(host_order >> 8), std::uint8_t(host_order)};
    return from_v4(b);
  }
  static IpAddr from_v6(const std::uint8_t* p) {
    IpAddr a;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
  }
  // Parses dotted IPv4 or RFC 4291 IPv6 text; nullopt when it is neither.
  static std::optional<IpAddr> parse(std::string_view text);

  bool is_v4() const {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(bytes.data(), kMapped, 12) == 0;
  }
  std::uint32_t v4_host_order() const {
    return (std::uint32_t(bytes[12]) << 24) | (std::uint32_t(bytes[13]) << 16) |
           (std::uint32_t(bytes[14]) << 8) | bytes[15];
  }
  // Bytes 0-7 (w = 0) or 8-15 (w = 1) as a big-endian number: two such
  // words compare, mask and order like the bytes themselves, in one load each.
  std::uint64_t be_word(int w) const {
    std::uint64_t v;
    std::memcpy(&v, bytes.data() + 8 * w, 8);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
  }
  bool is_zero() const {
    for (auto b : bytes)
      if (b) return false;
    return true;
  }
  // Writes the canonical text form (RFC 5952 for IPv6); returns its length.
  std::size_t format(char* out, std::size_t cap) const;
  std::string to_string() const;

  // The order of the bytes (first byte first, as memcmp), in two 64-bit
  // compares: the defaulted form called memcmp, and addresses are ordered
  // for every packet (the flow key's ends) and in every per-host map.
  std::strong_ordering operator<=>(const IpAddr& o) const {
    const std::uint64_t a = be_word(0), b = o.be_word(0);
    return a != b ? a <=> b : be_word(1) <=> o.be_word(1);
  }
  // Two 64-bit compares: the defaulted form called memcmp, and addresses
  // are compared for every packet and event.
  bool operator==(const IpAddr& o) const {
    std::uint64_t x[2], y[2];
    std::memcpy(x, bytes.data(), 16);
    std::memcpy(y, o.bytes.data(), 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
  }
};

// A CIDR prefix; length counts bits of the IPv6 (or mapped IPv4) form.
struct Cidr {
  IpAddr base;
  std::uint8_t prefix_bits = 128;  // in the 128-bit space

  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddr& a) const;
  std::string to_string() const;
};

}  // namespace picket::core
