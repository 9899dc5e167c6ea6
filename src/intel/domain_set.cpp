#include "picket/intel/domain_set.hpp"

#include <xxhash.h>

namespace picket::intel {

std::uint64_t DomainSet::extend_hash(std::uint64_t h, const char* label, std::size_t len) {
  // Seeding with the hash so far chains the labels: equal only for equal
  // label sequences (up to 64-bit collisions, which find() rules out).
  return XXH3_64bits_withSeed(label, len, h ^ 0x9e3779b97f4a7c15ULL);
}

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
  std::string norm;
  if (!normalise(name, norm)) return false;
  Entry e;
  e.name_offset = static_cast<std::uint32_t>(pool_.size());
  e.name_len = static_cast<std::uint16_t>(norm.size());
  unsigned labels = 1;
  for (char c : norm) labels += c == '.';
  e.labels = static_cast<std::uint8_t>(labels > 255 ? 255 : labels);
  e.match = match;
  e.value = value;
  pool_ += norm;
  entries_.push_back(e);
  return true;
}

std::uint32_t DomainSet::find(std::uint64_t h, std::string_view suffix) const {
  for (std::uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.entry == kNoDomain) return kNoDomain;
    if (s.hash == h && name_of(entries_[s.entry]) == suffix) return s.entry;
  }
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
  std::size_t bits = 64;
  while (bits < set.entries_.size() * 8) bits <<= 1;
  set.filter_.assign(bits / 64, 0);
  set.filter_mask_ = bits - 1;
  // Insert last to first, prepending to each name's chain, so chains keep
  // the order in which entries were added.
  for (std::size_t k = set.entries_.size(); k-- > 0;) {
    Entry& e = set.entries_[k];
    const std::string_view name = set.name_of(e);
    std::uint64_t h = 0;
    std::size_t end = name.size();
    while (true) {
      std::size_t begin = end;
      while (begin > 0 && name[begin - 1] != '.') --begin;
      h = extend_hash(h, name.data() + begin, end - begin);
      if (begin == 0) break;
      end = begin - 1;
    }
    const std::uint64_t fa = (h >> 20) & set.filter_mask_, fb = (h >> 42) & set.filter_mask_;
    set.filter_[fa >> 6] |= std::uint64_t{1} << (fa & 63);
    set.filter_[fb >> 6] |= std::uint64_t{1} << (fb & 63);
    const unsigned level = e.labels - 1u;
    set.levels_ |= level < 63 ? (std::uint64_t{1} << level) : (std::uint64_t{1} << 63);
    for (std::uint64_t i = h & set.mask_;; i = (i + 1) & set.mask_) {
      Slot& s = set.slots_[i];
      if (s.entry == kNoDomain) {
        s.hash = h;
        s.entry = static_cast<std::uint32_t>(k);
        break;
      }
      if (s.hash == h && set.name_of(set.entries_[s.entry]) == name) {
        e.next = s.entry;
        s.entry = static_cast<std::uint32_t>(k);
        break;
      }
    }
  }
  return set;
}

}  // namespace picket::intel
