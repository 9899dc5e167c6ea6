#pragma once
// AddressFilter: whether an address can lie in any threat-list prefix of the
// categories a detector acts on, answered from three 8 KiB bitmaps before the
// snapshot's IpSet is asked. DNS answers are mostly addresses of no list,
// and an IPv6 look-up in the IpSet costs a search among every IPv6 entry
// sharing its top bits (the bundled lists' IPv6 entries all start with 2);
// the sinkhole and threat_intel detectors look at every address of every
// answer.
//
// Conservative and exact where it matters: an address inside a prefix of a
// wanted category always passes (its bits are set for every address of the
// prefix); an address that passes is then looked up in full, so the filter
// never changes what a detector finds. Rebuilt when the snapshot's
// generation changes (a reload), from the snapshot's own prefixes.
#include <cstdint>
#include <vector>

#include "picket/core/ip_addr.hpp"
#include "picket/intel/snapshot.hpp"

namespace picket::detect::dns {

class AddressFilter {
 public:
  // Makes the filter that of `s` for the prefixes whose list category
  // `wanted(Category)` accepts, unless it is already.
  template <typename Wanted>
  void use(const picket::intel::Snapshot& s, Wanted&& wanted) {
    if (s.generation == generation_ && generation_ != 0) return;
    generation_ = s.generation;
    v4_.assign(kWords, 0);
    v6_short_.assign(kWords, 0);
    v6_.assign(kWords, 0);
    for (std::size_t i = 0; i < s.ips.size(); ++i) {
      const auto& p = s.ips.prefix(static_cast<std::uint32_t>(i));
      if (!wanted(s.list_of(p.value).category)) continue;
      const core::Cidr& c = p.cidr;
      const bool v4 = c.base.is_v4() && c.prefix_bits >= 96;
      const std::uint64_t top = c.base.be_word(0);
      if (v4) {
        set_range(v4_, c.base.v4_host_order() >> 16, c.prefix_bits - 96);
      } else if (c.prefix_bits < 32) {
        set_range(v6_short_, top >> 48, c.prefix_bits);
      } else {
        set(v6_, v6_slot(top));
      }
    }
  }

  // False: no wanted prefix holds `a`. True: one may (look it up).
  bool may_match(const core::IpAddr& a) const {
    if (a.is_v4()) return test(v4_, a.v4_host_order() >> 16);
    const std::uint64_t top = a.be_word(0);
    return test(v6_short_, top >> 48) || test(v6_, v6_slot(top));
  }

 private:
  static constexpr std::size_t kBits = std::size_t{1} << 16;
  static constexpr std::size_t kWords = kBits / 64;

  // The top 32 bits of an IPv6 address (a /32 holds a whole allocation)
  // spread over 16 bits.
  static std::size_t v6_slot(std::uint64_t top) {
    return static_cast<std::size_t>(((top >> 32) * 0x9e3779b97f4a7c15ULL) >> 48);
  }
  static void set(std::vector<std::uint64_t>& b, std::size_t i) { b[i >> 6] |= std::uint64_t{1} << (i & 63); }
  static bool test(const std::vector<std::uint64_t>& b, std::size_t i) {
    return (b[i >> 6] >> (i & 63)) & 1;
  }
  // Every 16-bit top of a prefix of `len` bits starting with top `first`.
  static void set_range(std::vector<std::uint64_t>& b, std::uint64_t first, unsigned len) {
    if (len >= 16) {
      set(b, static_cast<std::size_t>(first));
      return;
    }
    const std::size_t n = std::size_t{1} << (16 - len);
    const std::size_t start = static_cast<std::size_t>(first) & ~(n - 1);
    for (std::size_t i = start; i < start + n; ++i) set(b, i);
  }

  std::uint64_t generation_ = 0;  // 0: never built (snapshot generations start at 1)
  std::vector<std::uint64_t> v4_;        // IPv4 prefixes by their top 16 bits
  std::vector<std::uint64_t> v6_short_;  // IPv6 prefixes shorter than /32 by their top 16 bits
  std::vector<std::uint64_t> v6_;        // IPv6 prefixes of /32 or longer by v6_slot
};

}  // namespace picket::detect::dns
