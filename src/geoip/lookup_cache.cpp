#include "picket/geoip/lookup_cache.hpp"

#include <cstring>

namespace picket::geoip {

LookupCache::LookupCache(std::size_t capacity) : nodes_(capacity) {
  std::size_t b = 1;
  while (b < 2 * capacity) b <<= 1;
  buckets_.assign(capacity ? b : 0, kNone);
}

std::uint32_t LookupCache::bucket_of(const core::IpAddr& a) const {
  std::uint64_t hi, lo;
  std::memcpy(&hi, a.bytes.data(), 8);
  std::memcpy(&lo, a.bytes.data() + 8, 8);
  // A full 64-bit finalizer (as MurmurHash3's fmix64): every input bit moves
  // every output bit, so addresses differing only in the last byte (stored
  // in the top bits of `lo`) still land in different buckets.
  std::uint64_t h = lo ^ (hi * 0x9E3779B97F4A7C15ULL);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return static_cast<std::uint32_t>(h & (buckets_.size() - 1));
}

void LookupCache::unlink(std::uint32_t i) {
  Node& n = nodes_[i];
  if (n.prev != kNone) nodes_[n.prev].next = n.next;
  else head_ = n.next;
  if (n.next != kNone) nodes_[n.next].prev = n.prev;
  else tail_ = n.prev;
  n.prev = n.next = kNone;
}

void LookupCache::push_front(std::uint32_t i) {
  Node& n = nodes_[i];
  n.prev = kNone;
  n.next = head_;
  if (head_ != kNone) nodes_[head_].prev = i;
  head_ = i;
  if (tail_ == kNone) tail_ = i;
}

void LookupCache::unchain(std::uint32_t i) {
  std::uint32_t* link = &buckets_[bucket_of(nodes_[i].key)];
  while (*link != kNone && *link != i) link = &nodes_[*link].chain;
  if (*link == i) *link = nodes_[i].chain;
  nodes_[i].chain = kNone;
}

bool LookupCache::find(const core::IpAddr& a, Value& out) {
  if (buckets_.empty()) return false;
  for (std::uint32_t i = buckets_[bucket_of(a)]; i != kNone; i = nodes_[i].chain) {
    if (nodes_[i].key == a) {
      if (head_ != i) {
        unlink(i);
        push_front(i);
      }
      out = nodes_[i].value;
      return true;
    }
  }
  return false;
}

void LookupCache::insert(const core::IpAddr& a, Value v) {
  if (buckets_.empty()) return;
  std::uint32_t i;
  if (size_ < nodes_.size()) {
    i = static_cast<std::uint32_t>(size_++);
  } else {
    i = tail_;
    unlink(i);
    unchain(i);
    ++evictions_;
  }
  Node& n = nodes_[i];
  n.key = a;
  n.value = std::move(v);
  const std::uint32_t b = bucket_of(a);
  n.chain = buckets_[b];
  buckets_[b] = i;
  push_front(i);
}

}  // namespace picket::geoip
