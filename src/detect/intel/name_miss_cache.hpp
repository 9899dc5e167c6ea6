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

#include "../dns/padded_name.hpp"

namespace picket::detect::intel {

class NameMissCache {
 public:
  static constexpr std::size_t kMaxName = 62;
  static constexpr unsigned kSetBits = 8;
  static constexpr std::size_t kSets = std::size_t{1} << kSetBits;  // of two names: 32 KiB

  // A name in the cache's form (dns::PaddedName: zero padded to 64 bytes,
  // its length in the last byte). Made once per look-up and reused to insert
  // the miss.
  struct Key {
    dns::PaddedName name;
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
    key.name.load_copy(name.data(), name.size());
    return known(key);
  }

  // The same for a name of `n` bytes at `p` that may be followed by anything,
  // as long as 64 bytes from `p` are readable (an event's fixed name buffer):
  // the key is then cut from whole 16-byte loads, without a copy.
  bool contains_padded(const char* p, std::size_t n, Key& key) const {
    key.usable = n - 1 < kMaxName;  // 1..kMaxName bytes
    if (!key.usable) return false;
    key.name.load(p, n);
    return known(key);
  }

  // Remembers the name of `key` (from contains() on this generation) as a
  // miss, in front of its set; the older of the two it held goes.
  void insert(const Key& key) {
    if (!key.usable) return;
    Set& s = sets_[key.set];
    s.way[1] = s.way[0];
    std::memcpy(s.way[0].w, key.name.w, 64);
  }

 private:
  // An empty block is all zeros: its length byte, 0, matches no name.
  struct Block {
    std::uint64_t w[8] = {};
  };
  struct Set {
    Block way[2];
  };
  bool known(Key& key) const {
    // Only the set depends on the hash (the compare is exact).
    key.set = static_cast<std::size_t>(key.name.hash >> (64 - kSetBits));
    const Set& s = sets_[key.set];
    return key.name.same(s.way[0].w) || key.name.same(s.way[1].w);
  }
  std::uint64_t generation_ = 0;
  std::array<Set, kSets> sets_{};
};

}  // namespace picket::detect::intel
