#pragma once
// PaddedName: a short name in a fixed 64-byte form, for the per-event caches
// of names (the registered-domain cache's front, threat_intel's NameMissCache).
//
// The name's bytes, zeros up to 64, and its length in the last byte: two
// names are equal exactly when their forms are (eight word compares, no
// length check, no memcmp call), and the form of a name that lies in an
// event's fixed-size buffer is cut from four whole 16-byte loads, without a
// copy and without walking the bytes one by one. A 64-bit hash of the form
// (one 64x64->128-bit multiply over its folded blocks, one more to spread the
// top bits) picks the cache set; the compare is exact, so the hash only
// places names.
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace picket::detect::dns {

struct PaddedName {
  // Names of 1..kMaxLen bytes have a form; longer and empty ones do not.
  static constexpr std::size_t kMaxLen = 63;

  std::uint64_t w[8];
  std::uint64_t hash;

  static bool fits(std::size_t n) { return n - 1 < kMaxLen; }

  // The form of the `n` (fits(n)) bytes at `p`, which may be followed by
  // anything as long as 64 bytes from `p` are readable.
  void load(const char* p, std::size_t n) {
    std::uint64_t lo, hi;
#if defined(__SSE2__)
    const __m128i len = _mm_set1_epi8(static_cast<char>(n));
    const __m128i first = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i block[4];
    for (int b = 0; b < 4; ++b) {
      const __m128i index = _mm_add_epi8(first, _mm_set1_epi8(static_cast<char>(16 * b)));
      const __m128i keep = _mm_cmpgt_epi8(len, index);  // index < n (both below 128)
      block[b] = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * b)), keep);
    }
    // the length in byte 63 (past the last name byte of any name with a form)
    block[3] = _mm_or_si128(block[3], _mm_slli_si128(_mm_cvtsi32_si128(static_cast<int>(n)), 15));
    for (int b = 0; b < 4; ++b) _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 2 * b), block[b]);
    // The four blocks folded into two words, the odd ones with their halves
    // swapped so that equal blocks in two places do not cancel out.
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
    const unsigned __int128 r = static_cast<unsigned __int128>(lo ^ 0x9e3779b97f4a7c15ULL) * (hi ^ 0xbf58476d1ce4e5b9ULL);
    hash = (static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64)) * 0x94d049bb133111ebULL;
  }

  // The same from a name anywhere (copied to a padded buffer first).
  void load_copy(const char* p, std::size_t n) {
    char bytes[64] = {};
    std::memcpy(bytes, p, n);
    load(bytes, n);
  }

  // Whether `form` (64 bytes, as w) is this name's form. An all-zero form
  // (an empty cache entry: length 0) matches no name.
  bool same(const std::uint64_t* form) const {
    std::uint64_t diff = 0;
    for (int i = 0; i < 8; ++i) diff |= form[i] ^ w[i];
    return diff == 0;
  }
};

}  // namespace picket::detect::dns
