#pragma once
// Tiny byte-level frame builder for decoder tests. Each function returns the
// bytes of one header followed by its payload, so frames read inside out:
//   eth(0x0800, ipv4(kSrc4, kDst4, 6, tcp(1234, 80, kSyn)))
// Lengths and the IPv4 header checksum are filled in unless overridden, so
// that a malformed case states exactly which field it breaks.
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "picket/net/packet.hpp"

namespace fb {

using Bytes = std::vector<std::uint8_t>;
using V4 = std::array<std::uint8_t, 4>;
using V6 = std::array<std::uint8_t, 16>;

inline const V4 kSrc4{10, 1, 2, 3};
inline const V4 kDst4{192, 168, 7, 9};
inline const V4 kOuterSrc4{172, 16, 0, 1};
inline const V4 kOuterDst4{172, 16, 0, 2};
inline const V6 kSrc6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
inline const V6 kDst6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xef};

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

inline Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(std::uint8_t(v >> 8));
  b.push_back(std::uint8_t(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, std::uint16_t(v >> 16));
  put16(b, std::uint16_t(v));
}
inline void set16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = std::uint8_t(v >> 8);
  b[at + 1] = std::uint8_t(v);
}
inline Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

// ---- transport ----

struct TcpOpts {
  std::uint32_t seq = 0x11223344, ack = 0x55667788;
  std::uint16_t window = 0x7210;
  std::uint8_t data_offset_words = 5;  // header length / 4; >5 adds NOP options
  std::optional<std::uint8_t> data_offset_field;  // written as-is when set
};
inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags,
                 const Bytes& payload = {}, TcpOpts o = {}) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, o.seq);
  put32(b, o.ack);
  b.push_back(std::uint8_t(o.data_offset_field.value_or(o.data_offset_words) << 4));
  b.push_back(flags);
  put16(b, o.window);
  put16(b, 0);  // checksum: not validated by the decoder
  put16(b, 0);  // urgent pointer
  for (int i = 5; i < o.data_offset_words; ++i) b.insert(b.end(), {1, 1, 1, 1});
  return b + payload;
}

inline Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload = {},
                 std::optional<std::uint16_t> length = std::nullopt) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, length.value_or(std::uint16_t(8 + payload.size())));
  put16(b, 0);
  return b + payload;
}

inline Bytes icmp(std::uint8_t type, std::uint8_t code, const Bytes& payload = {}) {
  Bytes b{type, code, 0, 0, 0x12, 0x34, 0x00, 0x01};  // id 0x1234, seq 1
  return b + payload;
}

inline Bytes sctp(std::uint16_t sport, std::uint16_t dport) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, 0xCAFEF00D);  // verification tag
  put32(b, 0);           // checksum
  return b;
}

// ---- IP ----

struct Ipv4Opts {
  std::uint8_t ttl = 64;
  std::uint8_t version = 4;
  Bytes options;                         // padded by the caller to 4 bytes
  std::optional<std::uint8_t> ihl;       // header length in words, as-is
  std::optional<std::uint16_t> total;    // total length, as-is
  std::uint16_t frag = 0;                // flags + fragment offset field
};
inline Bytes ipv4(const V4& src, const V4& dst, std::uint8_t proto, const Bytes& payload,
                  Ipv4Opts o = {}) {
  const std::size_t header_len = 20 + o.options.size();
  Bytes b;
  b.push_back(std::uint8_t((o.version << 4) | o.ihl.value_or(std::uint8_t(header_len / 4))));
  b.push_back(0);
  put16(b, o.total.value_or(std::uint16_t(header_len + payload.size())));
  put16(b, 0x4242);  // identification
  put16(b, o.frag);
  b.push_back(o.ttl);
  b.push_back(proto);
  put16(b, 0);
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  b.insert(b.end(), o.options.begin(), o.options.end());
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  set16(b, 10, std::uint16_t(~sum));
  return b + payload;
}

struct Ipv6Opts {
  std::uint8_t hop_limit = 63;
  std::uint8_t version = 6;
  std::optional<std::uint16_t> payload_len;
};
inline Bytes ipv6(const V6& src, const V6& dst, std::uint8_t next, const Bytes& payload,
                  Ipv6Opts o = {}) {
  Bytes b;
  b.push_back(std::uint8_t(o.version << 4));
  b.insert(b.end(), {0, 0, 0});
  put16(b, o.payload_len.value_or(std::uint16_t(payload.size())));
  b.push_back(next);
  b.push_back(o.hop_limit);
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  return b + payload;
}
// Hop-by-hop, routing or destination options: (len_units + 1) * 8 bytes.
inline Bytes ipv6_ext(std::uint8_t next, std::uint8_t len_units, const Bytes& payload) {
  Bytes b{next, len_units};
  b.resize((len_units + 1u) * 8u, 0);
  return b + payload;
}
inline Bytes ipv6_frag(std::uint8_t next, std::uint16_t offset_units, bool more,
                       const Bytes& payload) {
  Bytes b{next, 0};
  put16(b, std::uint16_t((offset_units << 3) | (more ? 1 : 0)));
  put32(b, 0xABCD0001);
  return b + payload;
}
// AH: (len_field + 2) * 4 bytes.
inline Bytes ipv6_ah(std::uint8_t next, std::uint8_t len_field, const Bytes& payload) {
  Bytes b{next, len_field};
  b.resize((len_field + 2u) * 4u, 0);
  return b + payload;
}

// ---- links ----

inline Bytes eth(std::uint16_t type, const Bytes& payload) {
  Bytes b{0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
  put16(b, type);
  return b + payload;
}
inline Bytes vlan(std::uint16_t tci, std::uint16_t next, const Bytes& payload) {
  Bytes b;
  put16(b, tci);
  put16(b, next);
  return b + payload;
}
inline Bytes mpls(std::uint32_t label, bool bottom, const Bytes& payload) {
  Bytes b;
  put32(b, (label << 12) | (bottom ? 0x100u : 0u) | 64u);
  return b + payload;
}
inline Bytes sll(std::uint16_t protocol, const Bytes& payload) {
  Bytes b;
  put16(b, 0);       // packet type: to us
  put16(b, 1);       // ARPHRD_ETHER
  put16(b, 6);       // address length
  b.insert(b.end(), {0x02, 0, 0, 0, 0, 0x01, 0, 0});
  put16(b, protocol);
  return b + payload;
}
inline Bytes sll2(std::uint16_t protocol, const Bytes& payload) {
  Bytes b;
  put16(b, protocol);
  put16(b, 0);
  put32(b, 3);       // ifindex
  put16(b, 1);       // ARPHRD_ETHER
  b.push_back(0);    // packet type
  b.push_back(6);    // address length
  b.insert(b.end(), {0x02, 0, 0, 0, 0, 0x01, 0, 0});
  return b + payload;
}
inline Bytes null_le(std::uint32_t family, const Bytes& payload) {
  Bytes b{std::uint8_t(family), std::uint8_t(family >> 8), std::uint8_t(family >> 16),
          std::uint8_t(family >> 24)};
  return b + payload;
}
inline Bytes family_be(std::uint32_t family, const Bytes& payload) {
  Bytes b;
  put32(b, family);
  return b + payload;
}

// ---- tunnels ----

inline Bytes vxlan(std::uint32_t vni, const Bytes& payload, std::uint8_t flags = 0x08) {
  Bytes b{flags, 0, 0, 0};
  put32(b, vni << 8);
  return b + payload;
}
inline Bytes geneve(std::uint32_t vni, std::uint16_t protocol, std::uint8_t option_words,
                    const Bytes& payload) {
  Bytes b{std::uint8_t(option_words & 0x3F), 0};
  put16(b, protocol);
  put32(b, vni << 8);
  for (int i = 0; i < option_words; ++i) b.insert(b.end(), {0x01, 0x02, 0x03, 0x04});
  return b + payload;
}
struct GreOpts {
  std::optional<std::uint32_t> key, seq;
  bool checksum = false;
  std::uint8_t version = 0;
};
inline Bytes gre(std::uint16_t protocol, const Bytes& payload, GreOpts o = {}) {
  std::uint16_t flags = o.version;
  if (o.checksum) flags |= 0x8000;
  if (o.key) flags |= 0x2000;
  if (o.seq) flags |= 0x1000;
  Bytes b;
  put16(b, flags);
  put16(b, protocol);
  if (o.checksum) put32(b, 0);
  if (o.key) put32(b, *o.key);
  if (o.seq) put32(b, *o.seq);
  return b + payload;
}
inline Bytes erspan2(std::uint16_t session, const Bytes& payload) {
  Bytes b;
  put16(b, 0x1000 | 0x0005);         // version 1, VLAN 5
  put16(b, session & 0x3FF);         // COS 0, En 0, T 0
  put32(b, 0x00000007);              // index
  return b + payload;
}
inline Bytes erspan3(std::uint16_t session, bool subheader, std::uint8_t frame_type,
                     const Bytes& payload) {
  Bytes b;
  put16(b, 0x2000 | 0x0005);         // version 2, VLAN 5
  put16(b, session & 0x3FF);
  put32(b, 0x01020304);              // timestamp
  put16(b, 0);                       // SGT
  b.push_back(std::uint8_t((frame_type & 0x1F) << 2));
  b.push_back(subheader ? 0x01 : 0x00);
  if (subheader) b.insert(b.end(), {0, 0, 0, 0, 0, 0, 0, 0});
  return b + payload;
}

// ---- running the decoder ----

struct Decoded {
  bool ok = false;
  picket::net::PacketView view;
  picket::net::DecodeStats stats;
  std::uint64_t anomaly(picket::net::Anomaly a) const {
    return stats.anomaly[static_cast<int>(a)];
  }
  std::uint64_t skipped(picket::net::Skipped s) const {
    return stats.skipped[static_cast<int>(s)];
  }
};
inline Decoded run(const Bytes& frame, std::uint32_t link = picket::net::kLinkEthernet,
                   std::optional<std::uint32_t> wirelen = std::nullopt, std::size_t caplen = ~0u) {
  // An exactly sized heap copy, so that AddressSanitizer builds catch any
  // read past the captured bytes.
  const std::size_t n = std::min(caplen, frame.size());
  Bytes copy(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
  Decoded d;
  d.ok = picket::net::decode(copy.data(), std::uint32_t(n), wirelen.value_or(std::uint32_t(n)),
                             link, 1'700'000'000'000'000'000ULL, d.view, d.stats);
  // The view must not point into the copy after it is gone.
  d.view.data = nullptr;
  return d;
}

}  // namespace fb
