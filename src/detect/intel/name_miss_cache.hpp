#pragma once
// NameMissCache: names a threat_intel shard looked up in the current intel
// snapshot and found on no list. A network asks for the same few hundred
// names over and over (a DNS answer repeats its query's name, TLS SNI and
// HTTP Host repeat both), and nearly every one of them is on no list; looking
// a name up here (one copy into a padded 64-byte block, four multiplies and
// an eight-word compare) costs a fraction of a domain set walk and a pattern
// scan.
//
// Only misses are kept: a name that matches something is looked up in full
// every time, so no finding ever comes from the cache. Entries belong to one
// snapshot generation and are all dropped when it changes (a reloaded list
// may list a name that missed before). Two-way set-associative and lossy: a
// name pushed out by newer ones is simply looked up in full again. Names longer
// than kMaxName are never kept.
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace picket::detect::intel {

class NameMissCache {
 public:
  static constexpr std::size_t kMaxName = 62;
  static constexpr unsigned kSetBits = 8;
  static constexpr std::size_t kSets = std::size_t{1} << kSetBits;  // of two names: 32 KiB

  // A name in the cache's form: zero padded to 64 bytes, its length in the
  // last byte. Made once per look-up and reused to insert the miss.
  struct Key {
    std::uint64_t w[8];
    std::size_t set = 0;
    bool usable = false;
  };

  // Drops every entry when `generation` is not the one they were found in.
  void use_generation(std::uint64_t generation) {
    if (generation == generation_) return;
    sets_.fill(Set{});
    generation_ = generation;
  }

  // Whether `name` is a known miss; fills `key` for insert().
  bool contains(std::string_view name, Key& key) const {
    char bytes[64] = {};
    if (name.size() - 1 < kMaxName) std::memcpy(bytes, name.data(), name.size());
    return contains_padded(bytes, name.size(), key);
  }

  // The same for a name of `n` bytes at `p` that may be followed by anything,
  // as long as 64 bytes from `p` are readable (an event's fixed name buffer):
  // the key is then cut from whole 16-byte loads, without a copy.
  bool contains_padded(const char* p, std::size_t n, Key& key) const {
    key.usable = n - 1 < kMaxName;  // 1..kMaxName bytes
    if (!key.usable) return false;
    std::uint64_t lo, hi;
    load_key(p, n, key.w, lo, hi);
    // The 16-byte fold of the key (made with it) mixed by one 64x64->128-bit
    // multiply and one more for the top bits; only the set depends on it
    // (the compare below is exact).
    const unsigned __int128 r = static_cast<unsigned __int128>(lo ^ 0x9e3779b97f4a7c15ULL) * (hi ^ 0xbf58476d1ce4e5b9ULL);
    const std::uint64_t h = (static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64)) * 0x94d049bb133111ebULL;
    key.set = static_cast<std::size_t>(h >> (64 - kSetBits));
    const Set& s = sets_[key.set];
    return same(s.way[0], key) || same(s.way[1], key);
  }

  // Remembers the name of `key` (from contains() on this generation) as a
  // miss, in front of its set; the older of the two it held goes.
  void insert(const Key& key) {
    if (!key.usable) return;
    Set& s = sets_[key.set];
    s.way[1] = s.way[0];
    std::memcpy(s.way[0].w, key.w, 64);
  }

 private:
  // An empty block is all zeros: its length byte, 0, matches no name.
  struct Block {
    std::uint64_t w[8] = {};
  };
  struct Set {
    Block way[2];
  };
  // The first n (<= kMaxName) bytes of p, zeros up to 64, n in the last
  // byte; and the key's four 16-byte blocks folded into two words (the odd
  // blocks with their halves swapped, so that equal blocks in two places do
  // not cancel out).
  static void load_key(const char* p, std::size_t n, std::uint64_t* w, std::uint64_t& lo, std::uint64_t& hi) {
#if defined(__SSE2__)
    const __m128i len = _mm_set1_epi8(static_cast<char>(n));
    const __m128i first = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i block[4];
    for (int b = 0; b < 4; ++b) {
      const __m128i index = _mm_add_epi8(first, _mm_set1_epi8(static_cast<char>(16 * b)));
      const __m128i keep = _mm_cmpgt_epi8(len, index);  // index < n (both below 128)
      block[b] = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * b)), keep);
    }
    // byte 63 (any fixed place would do: both sides are built here)
    block[3] = _mm_or_si128(block[3], _mm_slli_si128(_mm_cvtsi32_si128(static_cast<int>(n)), 15));
    for (int b = 0; b < 4; ++b) _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 2 * b), block[b]);
    const __m128i fold = _mm_xor_si128(_mm_xor_si128(block[0], _mm_shuffle_epi32(block[1], 0x4e)),
                                       _mm_xor_si128(block[2], _mm_shuffle_epi32(block[3], 0x4e)));
    lo = static_cast<std::uint64_t>(_mm_cvtsi128_si64(fold));
    hi = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(fold, fold)));
#else
    std::memset(w, 0, 64);
    std::memcpy(w, p, n);
    reinterpret_cast<unsigned char*>(w)[63] = static_cast<unsigned char>(n);
    lo = w[0] ^ w[3] ^ w[4] ^ w[7];
    hi = w[1] ^ w[2] ^ w[5] ^ w[6];
#endif
  }
  static bool same(const Block& b, const Key& k) {
    std::uint64_t diff = 0;
    for (int i = 0; i < 8; ++i) diff |= b.w[i] ^ k.w[i];
    return diff == 0;
  }
  std::uint64_t generation_ = 0;
  std::array<Set, kSets> sets_{};
};

}  // namespace picket::detect::intel
