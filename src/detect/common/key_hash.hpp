#pragma once
// Hash of the small fixed-size keys of the detectors' tables (addresses,
// pairs, flow keys). Called once per flow by several detectors, so it is
// inline: the library xxhash call costs ~70 instructions for a 36-byte pair
// key, this about a third. Each 64-bit word is folded in by a bijective step,
// so two keys that differ in one word never collide; a final avalanche
// spreads every input bit over the low bits that pick the table slot.
// Not keyed: like the xxhash calls it replaces, it is no defence against
// chosen collisions, which the tables' caps bound.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "picket/core/ip_addr.hpp"

namespace picket::detect::common {

// `n` must be a multiple of 4 (the keys are arrays of bytes and 32-bit fields
// without padding).
inline std::uint64_t hash_key_bytes(const void* p, std::size_t n) {
  constexpr std::uint64_t kMul = 0xbf58476d1ce4e5b9ull;
  const auto* b = static_cast<const unsigned char*>(p);
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, b + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 31;
  }
  if (i < n) {
    std::uint32_t w;
    std::memcpy(&w, b + i, 4);
    h = (h ^ w) * kMul;
    h ^= h >> 31;
  }
  h ^= h >> 30;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

// Hash of one address: its two halves folded by a 64x64->128-bit multiply
// (both halves of the product mix every input bit). Only tables' layouts
// depend on it, never a result.
inline std::uint64_t hash_addr(const core::IpAddr& a) {
  std::uint64_t w[2];
  std::memcpy(w, a.bytes.data(), 16);
  const unsigned __int128 r = static_cast<unsigned __int128>(w[0] * 0x9e3779b97f4a7c15ULL ^ w[1]) * 0xd6e8feb86659fd93ULL;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

// Hash of a pair key (two addresses and a 32-bit word), for the tables that
// touch one per flow: about half the instructions of hash_key_bytes over the
// 36 bytes. Each address is folded to a word as in hash_addr, the second one
// rotated so that (a, b) and (b, a) differ and an IPv4 pair's two addresses
// land in different halves; two multiplies fold the rest. Only tables'
// layouts depend on it, never a result.
inline std::uint64_t hash_pair(const core::IpAddr& a, const core::IpAddr& b, std::uint32_t extra) {
  std::uint64_t w[4];
  std::memcpy(w, a.bytes.data(), 16);
  std::memcpy(w + 2, b.bytes.data(), 16);
  const std::uint64_t x = w[0] * 0x9e3779b97f4a7c15ULL ^ w[1];
  const std::uint64_t y = w[2] * 0x9e3779b97f4a7c15ULL ^ w[3];
  const unsigned __int128 r = static_cast<unsigned __int128>(x ^ (y << 32 | y >> 32)) * 0xd6e8feb86659fd93ULL;
  const unsigned __int128 s =
      static_cast<unsigned __int128>(static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64) ^ extra) *
      0xbf58476d1ce4e5b9ULL;
  return static_cast<std::uint64_t>(s) ^ static_cast<std::uint64_t>(s >> 64);
}

}  // namespace picket::detect::common
