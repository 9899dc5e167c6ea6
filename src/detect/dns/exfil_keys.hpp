#pragma once
// The state dns_exfil keeps per (client, registered domain), laid out for the
// per-query path, which is bound by memory latency, not by instructions:
//
//   * a flat index of 8-byte slots (32 bits of the key's hash, and where the
//     key lies in the dense arrays), open addressing with linear probing;
//   * the hot part of every key, 192 bytes aligned on cache lines: its hash,
//     client and domain (the domain's first 46 bytes inline), what every
//     query updates (last seen, resolver, counters, the names' generation),
//     and the two half-window name sets with room for 3 names each inline;
//   * the cold part (the 24-bucket window, totals, reporting state, the
//     whole domain), touched only for new names and findings.
//
// A query whose client asked the same name in this half-window reads one
// index slot and three adjacent lines. Keys are removed by moving the last
// one into the hole, so both arrays stay dense; nothing is allocated per
// query once the arrays have grown to the number of keys (names beyond the
// 3 inline ones go to a per-set heap table, as before).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "dns_util.hpp"
#include "picket/core/huge_pages.hpp"
#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

namespace picket::detect::dns {

// A set of 64-bit name hashes with the semantics of CappedHashSet (never more
// than `cap` entries; a full set reports "new" without storing; a hash of 0
// is stored as 1), holding its first kInline hashes without a heap table.
class NameSet {
 public:
  static constexpr std::uint32_t kInline = 3;
  using Insert = CappedHashSet::Insert;

  NameSet() = default;
  NameSet(const NameSet&) = delete;
  NameSet& operator=(const NameSet&) = delete;
  NameSet(NameSet&& o) noexcept { take(o); }
  NameSet& operator=(NameSet&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~NameSet() { release(); }

  std::uint32_t size() const { return size_; }

  bool contains(std::uint64_t h) const {
    if (h == 0) h = 1;
    if (slots_ == 0) {
      for (std::uint32_t i = 0; i < size_; ++i)
        if (u_.inl[i] == h) return true;
      return false;
    }
    const std::size_t mask = slots_ - 1;
    for (std::size_t i = h & mask; u_.heap[i] != 0; i = (i + 1) & mask)
      if (u_.heap[i] == h) return true;
    return false;
  }

  Insert insert(std::uint64_t h, std::size_t cap) {
    if (h == 0) h = 1;
    if (slots_ == 0) {
      for (std::uint32_t i = 0; i < size_; ++i)
        if (u_.inl[i] == h) return Insert::kPresent;
      if (size_ >= cap) return Insert::kFull;
      if (size_ < kInline) {
        u_.inl[size_++] = h;
        return Insert::kAdded;
      }
      spill();
    }
    const std::size_t mask = slots_ - 1;
    std::size_t i = h & mask;
    while (u_.heap[i] != 0) {
      if (u_.heap[i] == h) return Insert::kPresent;
      i = (i + 1) & mask;
    }
    if (size_ >= cap) return Insert::kFull;
    u_.heap[i] = h;
    ++size_;
    if (static_cast<std::size_t>(size_) * 2 > slots_) rehash(slots_ * 2);
    return Insert::kAdded;
  }

  void clear() {
    release();
    size_ = 0;
    slots_ = 0;
  }

 private:
  void release() {
    if (slots_ != 0) delete[] u_.heap;
  }
  void take(NameSet& o) {
    size_ = o.size_;
    slots_ = o.slots_;
    u_ = o.u_;
    o.size_ = 0;
    o.slots_ = 0;
  }
  // The inline hashes move to a heap table of 16 slots (load <= 1/2).
  void spill() {
    std::array<std::uint64_t, kInline> inl;
    std::copy_n(u_.inl, kInline, inl.begin());
    auto* t = new std::uint64_t[16]();
    slots_ = 16;
    u_.heap = t;
    for (std::uint32_t k = 0; k < size_; ++k) place(inl[k]);
  }
  void rehash(std::uint32_t n) {
    std::uint64_t* old = u_.heap;
    const std::uint32_t old_n = slots_;
    u_.heap = new std::uint64_t[n]();
    slots_ = n;
    for (std::uint32_t k = 0; k < old_n; ++k)
      if (old[k] != 0) place(old[k]);
    delete[] old;
  }
  void place(std::uint64_t h) {
    const std::size_t mask = slots_ - 1;
    std::size_t i = h & mask;
    while (u_.heap[i] != 0) i = (i + 1) & mask;
    u_.heap[i] = h;
  }

  std::uint32_t size_ = 0;
  std::uint32_t slots_ = 0;  // 0: the hashes are inline
  union U {
    std::uint64_t inl[kInline];
    std::uint64_t* heap;
  } u_{};
};
static_assert(sizeof(NameSet) == 32);

// A dense array whose elements never move while it grows: fixed chunks of
// 2^kChunkBits elements, allocated as the array first reaches them and kept
// (clear() and pop_back() destroy elements, not chunks). A vector moves every
// element each time it doubles; dns_exfil's keys are 760 bytes each and its
// tables fill to max_tracked, so growing by moves cost more than the queries
// that filled them.
template <typename T, unsigned kChunkBits>
class ChunkedArray {
 public:
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkBits;
  ChunkedArray() = default;
  ChunkedArray(const ChunkedArray&) = delete;
  ChunkedArray& operator=(const ChunkedArray&) = delete;
  ~ChunkedArray() {
    clear();
    for (T* c : chunks_) core::HugePageAllocator<T>().deallocate(c, kChunk);
  }

  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](std::size_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }

  T& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(core::HugePageAllocator<T>().allocate(kChunk));
    T* p = &chunks_[size_ >> kChunkBits][size_ & (kChunk - 1)];
    new (p) T();
    ++size_;
    return *p;
  }
  void pop_back() {
    --size_;
    (*this)[size_].~T();
  }
  void clear() {
    for (std::size_t c = 0; c * kChunk < size_; ++c) {
      T* chunk = chunks_[c];
      const std::size_t n = std::min(kChunk, size_ - c * kChunk);
      for (std::size_t i = 0; i < n; ++i) chunk[i].~T();
    }
    size_ = 0;
  }

 private:
  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

constexpr int kExfilBuckets = 24;

struct alignas(64) ExfilHot {
  static constexpr std::size_t kInlineDomain = 46;
  // line 1: the key's hash and client, and what every query updates
  std::uint64_t hash = 0;
  core::IpAddr client;
  core::Nanos last_seen = 0;
  std::uint64_t generation = 0;
  std::uint64_t queries = 0, tunnel_qtype = 0;
  std::uint8_t transport = 17;
  // line 2: the resolver last used, and the domain
  core::IpAddr resolver;
  std::uint16_t domain_len = 0;
  char domain[kInlineDomain] = {};
  // line 3: the names of the current and the previous half-window
  NameSet cur, prev;
};
static_assert(sizeof(ExfilHot) == 192);

struct ExfilCold {
  std::string domain;
  std::array<double, kExfilBuckets> bytes{};
  std::array<std::uint32_t, kExfilBuckets> names{};
  std::array<std::uint64_t, kExfilBuckets> epoch{};
  std::uint64_t weak_sig = 0;
  TunnelTool tool = TunnelTool::kNone;
  bool strong_sig = false;
  bool reported = false, changed = false;
  std::size_t max_label = 0;
  core::Nanos first_seen = 0, last_report = 0;
  double total_bytes = 0;
  std::uint64_t total_names = 0;
};

class ExfilKeys {
 public:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  // The domain's hash (core::hash_bytes, which the registered-domain cache
  // keeps for every name it splits) mixed with the client's address: no key
  // is assembled in a buffer and no bytes are hashed per query (the hash
  // only places keys; they are compared in full).
  static std::uint64_t hash_of(const core::IpAddr& client, std::uint64_t domain_hash) {
    std::uint64_t w[2];
    std::memcpy(w, client.bytes.data(), 16);
    std::uint64_t h = domain_hash ^ (w[0] * 0x9e3779b97f4a7c15ULL) ^ ((w[1] * 0xbf58476d1ce4e5b9ULL) >> 7);
    h ^= h >> 31;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 29);
  }
  static std::uint64_t hash_of(const core::IpAddr& client, std::string_view domain) {
    return hash_of(client, core::hash_bytes(domain.data(), domain.size()));
  }

  std::size_t size() const { return hot_.size(); }
  ExfilHot& hot(std::uint32_t i) { return hot_[i]; }
  const ExfilHot& hot(std::uint32_t i) const { return hot_[i]; }
  ExfilCold& cold(std::uint32_t i) { return cold_[i]; }
  const ExfilCold& cold(std::uint32_t i) const { return cold_[i]; }

  std::uint32_t find(std::uint64_t h, const core::IpAddr& client, std::string_view domain) const {
    if (slots_.empty()) return kNone;
    const std::size_t mask = slots_.size() - 1;
    const std::uint64_t fp = h >> 32;
    for (std::size_t i = h & mask; slots_[i] != 0; i = (i + 1) & mask) {
      if ((slots_[i] >> 32) != fp) continue;
      const auto idx = static_cast<std::uint32_t>(slots_[i]) - 1;
      if (same_key(idx, h, client, domain)) return idx;
    }
    return kNone;
  }

  // Adds a key known to be absent; returns its index.
  std::uint32_t add(std::uint64_t h, const core::IpAddr& client, std::string_view domain) {
    if ((hot_.size() + 1) * 2 > slots_.size()) grow();
    const auto idx = static_cast<std::uint32_t>(hot_.size());
    ExfilHot& k = hot_.emplace_back();
    k.hash = h;
    k.client = client;
    k.domain_len = static_cast<std::uint16_t>(domain.size());
    std::memcpy(k.domain, domain.data(), std::min(domain.size(), ExfilHot::kInlineDomain));
    cold_.emplace_back().domain.assign(domain);
    place(h, idx);
    return idx;
  }

  // Removes every key (keeps the memory of the index).
  void clear() {
    std::fill(slots_.begin(), slots_.end(), 0);
    hot_.clear();
    cold_.clear();
  }

  // Removes key `idx`; the last key takes its index.
  void remove(std::uint32_t idx) {
    erase_slot(slot_of(idx));
    const auto last = static_cast<std::uint32_t>(hot_.size() - 1);
    if (idx != last) {
      slots_[slot_of(last)] = (hot_[last].hash >> 32 << 32) | (idx + 1);
      hot_[idx] = std::move(hot_[last]);
      cold_[idx] = std::move(cold_[last]);
    }
    hot_.pop_back();
    cold_.pop_back();
  }

 private:
  bool same_key(std::uint32_t idx, std::uint64_t h, const core::IpAddr& client, std::string_view domain) const {
    const ExfilHot& k = hot_[idx];
    if (k.hash != h || k.domain_len != domain.size() || k.client != client) return false;
    if (std::memcmp(k.domain, domain.data(), std::min(domain.size(), ExfilHot::kInlineDomain)) != 0) return false;
    return domain.size() <= ExfilHot::kInlineDomain || cold_[idx].domain == domain;
  }
  void place(std::uint64_t h, std::uint32_t idx) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = h & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = (h >> 32 << 32) | (idx + 1);
  }
  std::size_t slot_of(std::uint32_t idx) const {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hot_[idx].hash & mask;
    while (static_cast<std::uint32_t>(slots_[i]) != idx + 1) i = (i + 1) & mask;
    return i;
  }
  // Backward-shift deletion: no tombstones, probe runs stay short.
  void erase_slot(std::size_t i) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
      const std::size_t home = hot_[static_cast<std::uint32_t>(slots_[j]) - 1].hash & mask;
      // slots_[j] may move to i when its home is not in (i, j] (cyclically).
      if (((j - home) & mask) >= ((j - i) & mask)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = 0;
  }
  void grow() {
    slots_.assign(std::max<std::size_t>(slots_.size() * 2, 64), 0);
    for (std::uint32_t k = 0; k < hot_.size(); ++k) place(hot_[k].hash, k);
  }

  // In huge pages (core::HugePageAllocator): up to max_tracked keys of
  // ~760 bytes, filled as clients appear, in chunks of 4096 keys that stay
  // where they are.
  std::vector<std::uint64_t, core::HugePageAllocator<std::uint64_t>> slots_;  // (hash >> 32) << 32 | index + 1; 0: empty
  ChunkedArray<ExfilHot, 12> hot_;
  ChunkedArray<ExfilCold, 12> cold_;
};

}  // namespace picket::detect::dns
