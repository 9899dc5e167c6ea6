#pragma once
// IpSet: an immutable set of IPv4/IPv6 prefixes with longest-prefix match.
//
// Built once (off the data path) from any number of prefixes, nested and
// overlapping ones included. The prefixes are flattened into disjoint
// address intervals, each labelled with the longest prefix covering it; a
// direct index on the top bits of the address (about four buckets per
// interval) holds the answer itself for a bucket no interval boundary
// crosses, and otherwise points at the bucket's first interval. A lookup is
// one memory read for nine addresses in ten, two for the rest, whatever the
// size of the set; the big tables live in huge pages (picket/core/huge_pages.hpp).
// Every prefix also knows the next shorter prefix covering it (`parent`), so
// a caller can walk every list that covers an address, longest first.
#include <cstdint>
#include <vector>

#include "picket/core/ip_addr.hpp"
#include "picket/core/huge_pages.hpp"

namespace picket::intel {

inline constexpr std::uint32_t kNoPrefix = 0xffffffffu;

class IpSet {
 public:
  struct Prefix {
    core::Cidr cidr;
    std::uint32_t value = 0;          // caller's payload (an entry id)
    std::uint32_t parent = kNoPrefix;  // next shorter prefix that covers this one
  };

  // Collects prefixes; build() sorts and flattens them.
  class Builder {
   public:
    void add(const core::Cidr& cidr, std::uint32_t value) { prefixes_.push_back({cidr, value, kNoPrefix}); }
    std::size_t size() const { return prefixes_.size(); }
    IpSet build();

   private:
    std::vector<Prefix> prefixes_;
  };

  IpSet() = default;

  // Index of the longest prefix containing `a`, or kNoPrefix.
  std::uint32_t lookup(const core::IpAddr& a) const {
    return a.is_v4() ? v4_.lookup(a.v4_host_order()) : v6_.lookup(key128(a));
  }
  const Prefix& prefix(std::uint32_t index) const { return prefixes_[index]; }
  std::size_t size() const { return prefixes_.size(); }
  bool empty() const { return prefixes_.empty(); }
  // Bytes of the lookup structures and the prefix table.
  std::size_t memory_bytes() const;

  // Calls f(const Prefix&) for every prefix containing `a`, longest first.
  template <typename F>
  void for_each_match(const core::IpAddr& a, F&& f) const {
    for (std::uint32_t i = lookup(a); i != kNoPrefix; i = prefixes_[i].parent) f(prefixes_[i]);
  }

  using u128 = unsigned __int128;
  // The address as one big-endian number: two 8-byte loads, not a shift per
  // byte (which compiled to some 150 instructions, and ran for every IPv6
  // answer a DNS response carries).
  static u128 key128(const core::IpAddr& a) { return (static_cast<u128>(a.be_word(0)) << 64) | a.be_word(1); }

 private:
  // Disjoint intervals [start[i], start[i+1]) -> value[i] (a prefix index or
  // kNoPrefix). start[0] is always 0. `index[k]` is the last interval that
  // begins at or before k << shift; when no interval begins inside bucket k,
  // the bucket holds its answer directly (kDirect | prefix index).
  template <typename Key>
  struct Intervals {
    // start and value side by side: one cache line read finds both.
    struct Interval {
      Key start;
      std::uint32_t value;
    };
    std::vector<Interval, core::HugePageAllocator<Interval>> iv;
    std::vector<std::uint32_t, core::HugePageAllocator<std::uint32_t>> index;
    unsigned shift = 0;

    std::uint32_t lookup(Key k) const {
      if (index.empty()) return kNoPrefix;
      const std::uint32_t slot = index[static_cast<std::size_t>(k >> shift)];
      if (slot & kDirect) return slot == kDirectNone ? kNoPrefix : (slot & ~kDirect);
      // The last interval starting at or before k, from the bucket's first:
      // galloping, then halving, so that a bucket crowded with boundaries
      // (adjacent listed hosts, or every IPv6 entry under one top-level
      // prefix) costs a few steps rather than one per interval.
      const std::uint32_t n = static_cast<std::uint32_t>(iv.size());
      std::uint32_t lo = slot, hi = slot + 1, step = 1;
      while (hi < n && iv[hi].start <= k) {
        lo = hi;
        step <<= 1;
        hi = slot + step;
      }
      if (hi > n) hi = n;
      while (hi - lo > 1) {  // iv[lo].start <= k, and hi == n or iv[hi].start > k
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (iv[mid].start <= k) lo = mid;
        else hi = mid;
      }
      return iv[lo].value;
    }
    void build(const std::vector<std::pair<Key, std::uint32_t>>& bounds, unsigned key_bits);
    std::size_t memory_bytes() const {
      return iv.size() * sizeof(Interval) + index.size() * 4;
    }
  };
  static constexpr std::uint32_t kDirect = 0x80000000u;
  static constexpr std::uint32_t kDirectNone = 0xffffffffu;

  std::vector<Prefix> prefixes_;
  Intervals<std::uint32_t> v4_;
  Intervals<u128> v6_;
};

}  // namespace picket::intel
