#pragma once
// DomainSet: an immutable set of domain names with exact and suffix
// semantics. An entry `evil.com` matches `evil.com` and every name below it
// (`a.b.evil.com`), never `notevil.com`; an exact entry matches only itself;
// a subdomains-only entry (written `*.evil.com`) matches below it but not
// the name itself. Case-insensitive; a trailing dot is ignored.
//
// Each entry is stored under a hash of its labels taken from the right
// (`com`, then `evil.com`, ...). A lookup copies the name once (lower-casing
// and finding the dots 16 bytes at a time), then walks its labels right to
// left, extending the same hash label by label (one multiplication per label
// of up to 16 characters). Only label counts that some entry has are looked
// up (a bit mask), each first in a small blocked Bloom filter that stays in
// cache, so that most names never touch the big table; a filter hit probes
// one open-addressing table of 32-bit fingerprints, and a fingerprint hit is
// confirmed by comparing the stored name. Cost grows with the name, not with
// the set.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/huge_pages.hpp"

namespace picket::intel {

inline constexpr std::uint32_t kNoDomain = 0xffffffffu;

enum class DomainMatch : std::uint8_t {
  kSuffix = 0,     // the name and everything below it
  kExact,          // the name only
  kSubdomainsOnly  // everything below the name, not the name itself
};

class DomainSet {
 public:
  struct Entry {
    std::uint32_t name_offset = 0;  // into the name pool, normalised (lower case, no trailing dot)
    std::uint16_t name_len = 0;
    std::uint8_t labels = 0;
    DomainMatch match = DomainMatch::kSuffix;
    std::uint32_t value = 0;        // caller's payload (an entry id)
    std::uint32_t next = kNoDomain;  // another entry with the same name
  };

  class Builder {
   public:
    // false when `name` is not a usable domain name (empty label, too long,
    // characters outside letters, digits, '-', '_', '.').
    bool add(std::string_view name, DomainMatch match, std::uint32_t value);
    std::size_t size() const { return entries_.size(); }
    DomainSet build();

   private:
    std::vector<Entry> entries_;
    std::string pool_;
    std::string norm_;  // scratch, reused so that adding does not allocate per name
  };

  // Normalises a name in place into `out` (lower case, trailing dot removed);
  // false when it is not a usable name. Exposed for loaders and tests.
  static bool normalise(std::string_view name, std::string& out);

  DomainSet() = default;

  // Calls f(const Entry&) for every entry matching `name`, the most specific
  // (longest) entry first. Returns how many matched.
  template <typename F>
  unsigned for_each_match(std::string_view name, F&& f) const;
  // The most specific matching entry, or nullptr.
  const Entry* lookup(std::string_view name) const {
    const Entry* best = nullptr;
    for_each_match(name, [&](const Entry& e) {
      if (!best) best = &e;
    });
    return best;
  }
  std::string_view name_of(const Entry& e) const { return {pool_.data() + e.name_offset, e.name_len}; }
  const Entry& entry(std::uint32_t i) const { return entries_[i]; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::size_t memory_bytes() const {
    return entries_.capacity() * sizeof(Entry) + pool_.capacity() + slots_.capacity() * sizeof(Slot) +
           filter_.capacity() * 8;
  }

  // Longest name a lookup considers (longer ones match nothing); a DNS name
  // in text form is at most 253 characters.
  static constexpr std::size_t kMaxName = 256;

 private:
  // A name's labels, suffixes found in the table, most specific last.
  struct Found {
    std::uint32_t entry[64];
    bool whole[64];  // the suffix is the whole name (exact level)
  };
  unsigned collect(std::string_view name, Found& out) const;
  std::uint32_t find(std::uint64_t h, const char* suffix, std::size_t len) const;

  struct Slot {
    std::uint32_t tag = 0;            // high half of the name's hash
    std::uint32_t entry = kNoDomain;  // first entry with this name
  };
  std::vector<std::uint64_t, core::HugePageAllocator<std::uint64_t>> filter_;  // blocked Bloom filter: a word per name
  unsigned filter_shift_ = 64;         // 64 - log2(words)
  std::vector<Entry> entries_;
  std::string pool_;
  std::vector<Slot, core::HugePageAllocator<Slot>> slots_;
  std::uint64_t mask_ = 0;
  std::uint64_t levels_ = 0;  // bit n: some entry has n+1 labels (n < 63), bit 63: more
};

template <typename F>
unsigned DomainSet::for_each_match(std::string_view name, F&& f) const {
  if (entries_.empty()) return 0;
  Found found;
  const unsigned nfound = collect(name, found);
  unsigned count = 0;
  for (unsigned k = nfound; k-- > 0;) {
    for (std::uint32_t e = found.entry[k]; e != kNoDomain; e = entries_[e].next) {
      const Entry& en = entries_[e];
      if (en.match == DomainMatch::kExact && !found.whole[k]) continue;
      if (en.match == DomainMatch::kSubdomainsOnly && found.whole[k]) continue;
      f(en);
      ++count;
    }
  }
  return count;
}

}  // namespace picket::intel
