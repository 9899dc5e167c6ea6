#pragma once
// DomainSet: an immutable set of domain names with exact and suffix
// semantics. An entry `evil.com` matches `evil.com` and every name below it
// (`a.b.evil.com`), never `notevil.com`; an exact entry matches only itself;
// a subdomains-only entry (written `*.evil.com`) matches below it but not
// the name itself. Case-insensitive; a trailing dot is ignored.
//
// Each entry is stored under a hash of its labels taken from the right
// (`com`, then `evil.com`, ...). A lookup lower-cases the name once and walks
// its labels right to left, extending the same hash label by label and
// probing one open-addressing table per level: cost proportional to the
// name, not to the set. Levels no entry has are skipped (a bit mask of the
// label counts present), so a name costs few probes, most of them misses.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

  static std::uint64_t extend_hash(std::uint64_t h, const char* label, std::size_t len);

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = kNoDomain;  // first entry with this name
    std::uint32_t pad = 0;
  };
  std::uint32_t find(std::uint64_t h, std::string_view suffix) const;
  // A Bloom filter of 8 bits per entry, two probes: small enough to stay in
  // cache, so most names that are not listed never touch the big table.
  bool maybe(std::uint64_t h) const {
    const std::uint64_t a = (h >> 20) & filter_mask_, b = (h >> 42) & filter_mask_;
    return ((filter_[a >> 6] >> (a & 63)) & 1) && ((filter_[b >> 6] >> (b & 63)) & 1);
  }
  std::vector<std::uint64_t> filter_;
  std::uint64_t filter_mask_ = 0;

  std::vector<Entry> entries_;
  std::string pool_;
  std::vector<Slot> slots_;
  std::uint64_t mask_ = 0;
  std::uint64_t levels_ = 0;  // bit n: some entry has n+1 labels (n < 63), bit 63: more
};

template <typename F>
unsigned DomainSet::for_each_match(std::string_view name, F&& f) const {
  if (entries_.empty() || name.empty()) return 0;
  char buf[256];
  if (name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > sizeof(buf)) return 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  const std::size_t n = name.size();
  // Walk labels right to left, remembering matches; report longest first.
  std::uint32_t found[64];
  bool exact_level[64];
  unsigned nfound = 0;
  std::uint64_t h = 0;
  std::size_t end = n;
  unsigned level = 0;
  while (true) {
    std::size_t begin = end;
    while (begin > 0 && buf[begin - 1] != '.') --begin;
    h = extend_hash(h, buf + begin, end - begin);
    const std::uint64_t bit = level < 63 ? (std::uint64_t{1} << level) : (std::uint64_t{1} << 63);
    if ((levels_ & bit) && nfound < 64 && maybe(h)) {
      const std::uint32_t e = find(h, std::string_view(buf + begin, n - begin));
      if (e != kNoDomain) {
        found[nfound] = e;
        exact_level[nfound] = begin == 0;
        ++nfound;
      }
    }
    if (begin == 0) break;
    end = begin - 1;  // skip the dot
    ++level;
  }
  unsigned count = 0;
  for (unsigned k = nfound; k-- > 0;) {
    for (std::uint32_t e = found[k]; e != kNoDomain; e = entries_[e].next) {
      const Entry& en = entries_[e];
      if (en.match == DomainMatch::kExact && !exact_level[k]) continue;
      if (en.match == DomainMatch::kSubdomainsOnly && exact_level[k]) continue;
      f(en);
      ++count;
    }
  }
  return count;
}

}  // namespace picket::intel
