#pragma once
// Builders for the benchmark inputs: well-formed frames and DNS messages
// assembled byte by byte, so the benchmarks need no capture files and every
// input is the same on every machine. Lengths and checksums are filled in as a
// real stack would, so the decoder takes its normal (valid) paths.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace picket::bench {

using Bytes = std::vector<std::uint8_t>;

inline void put8(Bytes& b, std::uint8_t v) { b.push_back(v); }
inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
inline void set16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void put_bytes(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

// RFC 1071 one's-complement sum over a byte range.
inline std::uint16_t inet_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += (std::uint32_t(p[i]) << 8) | p[i + 1];
  if (n & 1) sum += std::uint32_t(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

constexpr std::uint8_t kTcp = 6, kUdp = 17;
constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08;

// L4 segments: header plus payload. Checksums stay zero: picket does not
// verify them (capture offload makes them unreliable anyway).
inline Bytes tcp_segment(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, 0x1000'0000u);  // seq
  put32(b, (flags & kAck) ? 0x2000'0000u : 0);
  put8(b, 5 << 4);  // data offset: 20 bytes, no options
  put8(b, flags);
  put16(b, 64240);  // window
  put16(b, 0);      // checksum
  put16(b, 0);      // urgent pointer
  put_bytes(b, payload);
  return b;
}

inline Bytes udp_datagram(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<std::uint16_t>(8 + payload.size()));
  put16(b, 0);
  put_bytes(b, payload);
  return b;
}

// IP packets around an L4 segment. Addresses are given as integers so that
// callers can vary them cheaply.
inline Bytes ipv4_packet(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, const Bytes& l4) {
  Bytes b;
  put8(b, 0x45);
  put8(b, 0);
  put16(b, static_cast<std::uint16_t>(20 + l4.size()));
  put16(b, 0x1234);  // identification
  put16(b, 0x4000);  // DF, offset 0
  put8(b, 64);       // TTL
  put8(b, proto);
  put16(b, 0);  // checksum, below
  put32(b, src);
  put32(b, dst);
  set16(b, 10, inet_checksum(b.data(), 20));
  put_bytes(b, l4);
  return b;
}

// src_low/dst_low become the last 32 bits of 2001:db8::/32 addresses.
inline Bytes ipv6_packet(std::uint32_t src_low, std::uint32_t dst_low, std::uint8_t proto, const Bytes& l4) {
  Bytes b;
  put32(b, 0x6000'0000u);  // version 6, no traffic class, no flow label
  put16(b, static_cast<std::uint16_t>(l4.size()));
  put8(b, proto);
  put8(b, 64);  // hop limit
  for (std::uint32_t low : {src_low, dst_low}) {
    put32(b, 0x2001'0db8u);
    put32(b, 0);
    put32(b, 0);
    put32(b, low);
  }
  put_bytes(b, l4);
  return b;
}

constexpr std::uint16_t kEthIpv4 = 0x0800, kEthIpv6 = 0x86DD, kEthVlan = 0x8100;

// Ethernet II with optional 802.1Q tags (outermost first).
inline Bytes ethernet_frame(std::uint16_t ethertype, const Bytes& l3, std::initializer_list<std::uint16_t> vlans = {}) {
  Bytes b = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02,   // dst MAC (locally administered)
             0x02, 0x00, 0x00, 0x00, 0x00, 0x01};  // src MAC
  for (std::uint16_t vid : vlans) {
    put16(b, kEthVlan);
    put16(b, vid & 0x0fff);
  }
  put16(b, ethertype);
  put_bytes(b, l3);
  // Minimum frame (without FCS) is 60 bytes; short frames carry padding that
  // the decoder must bound with the IP length.
  while (b.size() < 60) b.push_back(0);
  return b;
}

// VXLAN (RFC 7348) over UDP/4789 over IPv4, carrying a whole inner frame.
inline Bytes vxlan_frame(std::uint32_t vni, std::uint16_t outer_sport, const Bytes& inner_frame) {
  Bytes vx;
  put8(vx, 0x08);  // I flag: VNI valid
  put8(vx, 0);
  put16(vx, 0);
  put8(vx, static_cast<std::uint8_t>(vni >> 16));
  put8(vx, static_cast<std::uint8_t>(vni >> 8));
  put8(vx, static_cast<std::uint8_t>(vni));
  put8(vx, 0);
  put_bytes(vx, inner_frame);
  const Bytes udp = udp_datagram(outer_sport, 4789, vx);
  return ethernet_frame(kEthIpv4, ipv4_packet(0xC0A8'0A01u, 0xC0A8'0A02u, kUdp, udp));  // 192.168.10.1 -> .2
}

// --- DNS (RFC 1035) ---------------------------------------------------------

constexpr std::uint16_t kDnsTypeA = 1, kDnsTypeTxt = 16, kDnsTypeOpt = 41;

// "www.example.com" -> 3www7example3com0. Labels must be <= 63 bytes.
inline void put_dns_name(Bytes& b, std::string_view name) {
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    put8(b, static_cast<std::uint8_t>(label.size()));
    b.insert(b.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  put8(b, 0);
}

inline void put_dns_header(Bytes& b, std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an,
                           std::uint16_t ns, std::uint16_t ar) {
  put16(b, id);
  put16(b, flags);
  put16(b, qd);
  put16(b, an);
  put16(b, ns);
  put16(b, ar);
}

// EDNS0 OPT pseudo-record as stub resolvers send it (4096-byte UDP payload).
inline void put_edns_opt(Bytes& b) {
  put8(b, 0);  // root name
  put16(b, kDnsTypeOpt);
  put16(b, 4096);
  put32(b, 0);
  put16(b, 0);
}

// A recursive query for `name`, with an EDNS0 OPT record.
inline Bytes dns_query(std::uint16_t id, std::string_view name, std::uint16_t qtype) {
  Bytes b;
  put_dns_header(b, id, 0x0100 /* RD */, 1, 0, 0, 1);
  put_dns_name(b, name);
  put16(b, qtype);
  put16(b, 1);  // IN
  put_edns_opt(b);
  return b;
}

// A response to an A query with `n_answers` A records whose owner names are
// compression pointers to the question name (offset 12), as every resolver
// writes them.
inline Bytes dns_a_response(std::uint16_t id, std::string_view name, int n_answers) {
  Bytes b;
  put_dns_header(b, id, 0x8180 /* QR RD RA, NOERROR */, 1, static_cast<std::uint16_t>(n_answers), 0, 1);
  put_dns_name(b, name);
  put16(b, kDnsTypeA);
  put16(b, 1);
  for (int i = 0; i < n_answers; ++i) {
    put16(b, 0xC00C);  // pointer to the question name
    put16(b, kDnsTypeA);
    put16(b, 1);
    put32(b, 300);  // TTL
    put16(b, 4);
    put32(b, 0x5DB8'D800u + static_cast<std::uint32_t>(i));  // 93.184.216.x
  }
  put_edns_opt(b);
  return b;
}

}  // namespace picket::bench
