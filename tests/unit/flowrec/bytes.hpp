#pragma once
// Little builder for big-endian byte fixtures.
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace picket::flowrec::test {

struct Bytes {
  std::vector<std::uint8_t> b;
  Bytes& u8(unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); return *this; }
  Bytes& u16(unsigned v) { u8(v >> 8); return u8(v); }
  Bytes& u32(std::uint32_t v) { u16(v >> 16); return u16(v & 0xffff); }
  Bytes& u64(std::uint64_t v) { u32(static_cast<std::uint32_t>(v >> 32)); return u32(static_cast<std::uint32_t>(v)); }
  Bytes& ip4(unsigned a, unsigned b2, unsigned c, unsigned d) { return u8(a).u8(b2).u8(c).u8(d); }
  Bytes& raw(std::initializer_list<std::uint8_t> v) { b.insert(b.end(), v); return *this; }
  Bytes& append(const Bytes& o) { b.insert(b.end(), o.b.begin(), o.b.end()); return *this; }
  std::size_t size() const { return b.size(); }
  // Writes a 16-bit length at `at` (sets, messages).
  void patch16(std::size_t at, std::size_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
  }
};

}  // namespace picket::flowrec::test
