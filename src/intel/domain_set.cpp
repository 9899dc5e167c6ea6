#include "picket/intel/domain_set.hpp"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace picket::intel {

namespace {

// The byte-to-word shifts below (tail_block, the label masks) put the first
// character in the lowest byte.
static_assert(std::endian::native == std::endian::little, "DomainSet assumes a little-endian machine");

// Room for the longest name, rounded up to whole 16-byte blocks (at least
// two), and one more block of zeros: the label hash reads up to 16 bytes
// past a label's end and masks them off.
constexpr std::size_t kBufSize = DomainSet::kMaxName + 48;
constexpr std::size_t kDotWords = DomainSet::kMaxName / 64;
constexpr std::uint64_t kSeed = 0x243f6a8885a308d3ULL;
constexpr std::uint64_t kMulA = 0x9e3779b97f4a7c15ULL, kMulB = 0xbf58476d1ce4e5b9ULL;
constexpr std::uint64_t kFilterMul = 0x94d049bb133111ebULL;
// Filter bits per entry (at least; the size is a power of two). Four bits
// set in one 64-bit word per name: one cache access per probe and about 3 %
// false positives at 8 bits (a false positive costs one probe of the big
// table, a likely cache miss). 16 bits would halve the false positives but
// double the filter to 2 MiB, which no longer stays in a core's L2 cache
// next to everything else: measured slower.
constexpr std::size_t kFilterBitsPerEntry = 8;

using u128 = unsigned __int128;

inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  const u128 r = static_cast<u128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// kLabelMask[r]: the first r (0..16) bytes of a 16-byte block. A table, not
// branches: label lengths vary from name to name and would be mispredicted.
struct LabelMasks {
  std::uint64_t lo[17], hi[17];
  constexpr LabelMasks() : lo(), hi() {
    for (unsigned r = 0; r <= 16; ++r) {
      lo[r] = r >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * r)) - 1;
      hi[r] = r >= 16 ? ~std::uint64_t{0} : r <= 8 ? 0 : (std::uint64_t{1} << (8 * (r - 8))) - 1;
    }
  }
};
constexpr LabelMasks kLabelMask;

// Extends the hash of the labels to the right with one more label, `len`
// bytes at `p`; p[len .. len + 16) must be readable (they are masked off).
// Chaining through `h` makes the hash one of the whole label sequence (up to
// 64-bit collisions, which find() rules out by comparing names).
inline std::uint64_t extend_hash(std::uint64_t h, const char* p, std::size_t len) {
  std::size_t i = 0;
  for (; len - i > 16; i += 16) h = mix(load64(p + i) ^ kMulA ^ h, load64(p + i + 8) ^ kMulB);
  const std::size_t r = len - i;
  const std::uint64_t a = load64(p + i) & kLabelMask.lo[r];
  const std::uint64_t b = load64(p + i + 8) & kLabelMask.hi[r];
  return mix(a ^ kMulA ^ h, b ^ kMulB ^ len);
}

inline std::uint64_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The last n % 16 bytes of src[0, n), or all of them when n < 16, as the
// low and high halves of a 16-byte block padded with zeros. Built in
// registers from loads that stay inside the name (overlapping pieces hold
// the same bytes, so they can be or-ed): going through memory instead would
// make the block's load wait for several smaller stores (no store-to-load
// forwarding).
inline void tail_block(const char* src, std::size_t n, std::uint64_t& lo, std::uint64_t& hi) {
  const std::size_t t = n & 15;
  if (n >= 16) {
    if (t == 0) {
      lo = hi = 0;
      return;
    }
    const u128 x = (static_cast<u128>(load64(src + n - 8)) << 64) | load64(src + n - 16);
    const u128 y = x >> (8 * (16 - t));
    lo = static_cast<std::uint64_t>(y);
    hi = static_cast<std::uint64_t>(y >> 64);
  } else if (n >= 8) {
    const u128 y = (static_cast<u128>(load64(src + n - 8)) << (8 * (n - 8))) | load64(src);
    lo = static_cast<std::uint64_t>(y);
    hi = static_cast<std::uint64_t>(y >> 64);
  } else if (n >= 4) {
    lo = load32(src) | (load32(src + n - 4) << (8 * (n - 4)));
    hi = 0;
  } else {
    lo = static_cast<std::uint8_t>(src[0]) | (std::uint64_t{static_cast<std::uint8_t>(src[n / 2])} << (8 * (n / 2))) |
         (std::uint64_t{static_cast<std::uint8_t>(src[n - 1])} << (8 * (n - 1)));
    hi = 0;
  }
}

// Copies `n` (1..kMaxName) bytes to `buf`, lower-casing ASCII letters,
// followed by at least 16 zero bytes; sets bit i of `dots` for every '.' at
// buf[i]. Whole 16-byte blocks are read from `src` directly, the last,
// partial one is assembled in registers (tail_block).
inline void copy_lower(const char* src, std::size_t n, char* buf, std::uint64_t* dots) {
  std::uint64_t lo, hi;
  tail_block(src, n, lo, hi);
  const std::size_t whole = n & ~std::size_t{15};
#if defined(__SSE2__)
  const __m128i before_a = _mm_set1_epi8('A' - 1), after_z = _mm_set1_epi8('Z' + 1);
  const __m128i case_bit = _mm_set1_epi8(0x20), dot = _mm_set1_epi8('.');
  const __m128i tail = _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo));
  // Blocks up to the end of the name and at least two (names up to 32 bytes,
  // most, take exactly two: no length branch), then one more of zeros.
  const std::size_t end = n > 32 ? n : 32;
  std::size_t i = 0;
  for (; i < end; i += 16) {
    __m128i v = i < whole ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))
                          : (i == whole ? tail : _mm_setzero_si128());
    // Signed compares: bytes >= 0x80 are negative, so never upper case.
    const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, before_a), _mm_cmplt_epi8(v, after_z));
    v = _mm_or_si128(v, _mm_and_si128(upper, case_bit));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(buf + i), v);
    const auto m = static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, dot))));
    dots[i >> 6] |= m << (i & 63);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(buf + i), _mm_setzero_si128());
#else
  std::memcpy(buf, src, whole);
  std::memcpy(buf + whole, &lo, 8);
  std::memcpy(buf + whole + 8, &hi, 8);
  std::memset(buf + whole + 16, 0, 16);
  for (std::size_t i = 0; i < n; ++i) {
    const char c = buf[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    if (c == '.') dots[i >> 6] |= std::uint64_t{1} << (i & 63);
  }
#endif
}

// Position of the last '.' before `end`, or -1.
inline long prev_dot(const std::uint64_t* dots, std::size_t end) {
  if (end == 0) return -1;
  std::size_t w = (end - 1) >> 6;
  std::uint64_t m = dots[w] & (~std::uint64_t{0} >> (63 - ((end - 1) & 63)));
  while (true) {
    if (m) return static_cast<long>(w * 64 + 63 - static_cast<unsigned>(__builtin_clzll(m)));
    if (w == 0) return -1;
    m = dots[--w];
  }
}

// Four distinct bits in a 64-bit word, 1024 such patterns: a name's filter
// bits are one table load instead of four shifts.
struct FilterPatterns {
  std::uint64_t bits[1024];
  FilterPatterns() {
    std::uint64_t x = 0x853c49e6748fea9bULL;  // any fixed seed: the patterns only need to differ
    for (auto& p : bits) {
      p = 0;
      while (__builtin_popcountll(p) < 4) {
        x ^= x << 13;  // xorshift64
        x ^= x >> 7;
        x ^= x << 17;
        p |= std::uint64_t{1} << (x >> 58);
      }
    }
  }
};
const FilterPatterns kFilterPatterns;

// The filter word and the bits a name with hash `h` sets in it.
inline std::uint64_t filter_bits(std::uint64_t h, std::uint64_t& word, unsigned shift) {
  const std::uint64_t g = (h ^ (h >> 29)) * kFilterMul;
  word = g >> shift;
  return kFilterPatterns.bits[(g >> 20) & 1023];
}

// The hash of a whole normalised name (as collect() computes it for the
// suffix that is the whole name).
std::uint64_t name_hash(std::string_view name) {
  char buf[kBufSize];
  std::uint64_t dots[kDotWords] = {};
  copy_lower(name.data(), name.size(), buf, dots);
  std::uint64_t h = kSeed;
  std::size_t end = name.size();
  while (true) {
    const long dot = prev_dot(dots, end);
    const auto begin = static_cast<std::size_t>(dot + 1);
    h = extend_hash(h, buf + begin, end - begin);
    if (begin == 0) return h;
    end = begin - 1;
  }
}

}  // namespace

bool DomainSet::normalise(std::string_view name, std::string& out) {
  out.clear();
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok || ++label > 63) return false;
    }
    out.push_back(c);
  }
  return label != 0;
}

bool DomainSet::Builder::add(std::string_view name, DomainMatch match, std::uint32_t value) {
  if (!normalise(name, norm_)) return false;
  Entry e;
  e.name_offset = static_cast<std::uint32_t>(pool_.size());
  e.name_len = static_cast<std::uint16_t>(norm_.size());
  unsigned labels = 1;
  for (char c : norm_) labels += c == '.';
  e.labels = static_cast<std::uint8_t>(labels > 255 ? 255 : labels);
  e.match = match;
  e.value = value;
  pool_ += norm_;
  entries_.push_back(e);
  return true;
}

std::uint32_t DomainSet::find(std::uint64_t h, const char* suffix, std::size_t len) const {
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  for (std::uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot s = slots_[i];
    if (s.entry == kNoDomain) return kNoDomain;
    if (s.tag != tag) continue;
    const Entry& e = entries_[s.entry];
    if (e.name_len == len && std::memcmp(pool_.data() + e.name_offset, suffix, len) == 0) return s.entry;
  }
}

unsigned DomainSet::collect(std::string_view name, Found& out) const {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const std::size_t n = name.size();
  if (n == 0 || n > kMaxName) return 0;
  char buf[kBufSize];
  std::uint64_t dots[kDotWords] = {};
  copy_lower(name.data(), n, buf, dots);
  // Walk labels right to left, remembering matches (the caller reports the
  // longest first).
  // Bit 0 of `pending`: some entry has as many labels as the suffix at hand.
  std::uint64_t pending = levels_;
  const unsigned filter_shift = filter_shift_;
  unsigned nfound = 0;
  std::uint64_t h = kSeed;
  std::size_t end = n;
  for (unsigned level = 0;; ++level) {
    const auto begin = static_cast<std::size_t>(prev_dot(dots, end) + 1);
    h = extend_hash(h, buf + begin, end - begin);
    if ((pending & 1) && nfound < 64) {
      std::uint64_t word;
      const std::uint64_t need = filter_bits(h, word, filter_shift);
      if ((filter_[word] & need) == need) {
        const std::uint32_t e = find(h, buf + begin, n - begin);
        if (e != kNoDomain) {
          out.entry[nfound] = e;
          out.whole[nfound] = begin == 0;
          ++nfound;
        }
      }
    }
    if (begin == 0) break;
    if (level < 63) pending >>= 1;  // bit 63 stands for 64 labels and more
    if (pending == 0) break;        // no entry has more labels: the rest cannot match
    end = begin - 1;                // skip the dot
  }
  return nfound;
}

DomainSet DomainSet::Builder::build() {
  DomainSet set;
  set.entries_ = std::move(entries_);
  set.pool_ = std::move(pool_);
  entries_.clear();
  pool_.clear();
  std::size_t cap = 16;
  while (cap < set.entries_.size() * 2) cap <<= 1;  // load at most 1/2: short probe runs on misses
  set.slots_.assign(cap, Slot{});
  set.mask_ = cap - 1;
  std::size_t words = 8;
  unsigned word_bits = 3;
  while (words * 64 < set.entries_.size() * kFilterBitsPerEntry) {
    words <<= 1;
    ++word_bits;
  }
  set.filter_.assign(words, 0);
  set.filter_shift_ = 64 - word_bits;
  // Insert last to first, prepending to each name's chain, so chains keep
  // the order in which entries were added.
  for (std::size_t k = set.entries_.size(); k-- > 0;) {
    Entry& e = set.entries_[k];
    const std::string_view name = set.name_of(e);
    const std::uint64_t h = name_hash(name);
    std::uint64_t word;
    const std::uint64_t bits = filter_bits(h, word, set.filter_shift_);
    set.filter_[word] |= bits;
    const unsigned level = e.labels - 1u;
    set.levels_ |= level < 63 ? (std::uint64_t{1} << level) : (std::uint64_t{1} << 63);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::uint64_t i = h & set.mask_;; i = (i + 1) & set.mask_) {
      Slot& s = set.slots_[i];
      if (s.entry == kNoDomain) {
        s.tag = tag;
        s.entry = static_cast<std::uint32_t>(k);
        break;
      }
      if (s.tag == tag && set.name_of(set.entries_[s.entry]) == name) {
        e.next = s.entry;
        s.entry = static_cast<std::uint32_t>(k);
        break;
      }
    }
  }
  return set;
}

}  // namespace picket::intel
