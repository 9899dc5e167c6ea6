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
    key.usable = name.size() - 1 < kMaxName;  // 1..kMaxName bytes
    if (!key.usable) return false;
    char bytes[64] = {};
    std::memcpy(bytes, name.data(), name.size());
    bytes[63] = static_cast<char>(name.size());
    std::memcpy(key.w, bytes, 64);
    const std::uint64_t h = (key.w[0] ^ key.w[4]) * 0x9e3779b97f4a7c15ULL + (key.w[1] ^ key.w[5]) * 0xbf58476d1ce4e5b9ULL +
                            (key.w[2] ^ key.w[6]) * 0x94d049bb133111ebULL + (key.w[3] ^ key.w[7]) * 0xd6e8feb86659fd93ULL;
    key.set = static_cast<std::size_t>((h ^ (h >> 31)) * 0x9e3779b97f4a7c15ULL >> (64 - kSetBits));
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
  static bool same(const Block& b, const Key& k) {
    std::uint64_t diff = 0;
    for (int i = 0; i < 8; ++i) diff |= b.w[i] ^ k.w[i];
    return diff == 0;
  }
  std::uint64_t generation_ = 0;
  std::array<Set, kSets> sets_{};
};

}  // namespace picket::detect::intel
