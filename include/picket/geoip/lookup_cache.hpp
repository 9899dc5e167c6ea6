#pragma once
// A bounded least-recently-used cache of GeoIP answers, keyed by address.
// Remote addresses of findings repeat (one scanner, many reports), so most
// lookups are answered here without walking the MMDB search trees and
// decoding records again. Negative answers (nothing known) are cached too.
// All memory is taken at construction; not thread-safe (the exporter
// thread owns it).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "picket/core/ip_addr.hpp"
#include "picket/geoip/geo_info.hpp"

namespace picket::geoip {

class LookupCache {
 public:
  using Value = std::shared_ptr<const GeoInfo>;  // null: nothing known of the address

  // capacity 0: caches nothing.
  explicit LookupCache(std::size_t capacity);

  // True and the cached value (now the most recently used) when `a` is cached.
  bool find(const core::IpAddr& a, Value& out);
  // Caches `v` for `a` (not cached yet), evicting the least recently used
  // entry when full.
  void insert(const core::IpAddr& a, Value v);

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return nodes_.size(); }
  std::uint64_t evictions() const { return evictions_; }

 private:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  struct Node {
    core::IpAddr key;
    Value value;
    std::uint32_t prev = kNone, next = kNone;  // recency list, head = most recent
    std::uint32_t chain = kNone;               // next node in the same hash bucket
  };
  std::uint32_t bucket_of(const core::IpAddr& a) const;
  void unlink(std::uint32_t i);
  void push_front(std::uint32_t i);
  void unchain(std::uint32_t i);

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> buckets_;  // power of two, >= 2 x capacity
  std::uint32_t head_ = kNone, tail_ = kNone;
  std::size_t size_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace picket::geoip
