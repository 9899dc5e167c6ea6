#include "picket/intel/ip_set.hpp"

#include <algorithm>

namespace picket::intel {

namespace {

bool is_v4_prefix(const core::Cidr& c) { return c.base.is_v4() && c.prefix_bits >= 96; }

// Width of the top-bits index: about four buckets per interval, between 2^8
// and 2^24 buckets. With as many buckets as intervals, two thirds of the
// buckets of a big set have a boundary inside and a lookup needs a second,
// dependent memory read (the interval table); with four per interval, about
// nine lookups in ten are answered by the bucket alone. For 1,000,000
// prefixes that is 2^23 buckets, 32 MiB (huge pages keep them cheap to reach).
unsigned index_bits(std::size_t intervals, unsigned key_bits) {
  constexpr std::size_t kBucketsPerInterval = 4;
  unsigned b = 8;
  while (b < 24 && (std::size_t{1} << b) < intervals * kBucketsPerInterval) ++b;
  return std::min(b, key_bits);
}

// Flattens the prefixes [first, last) of one family, sorted by (start, length),
// into interval boundaries; sets each prefix's parent.
template <typename Key>
std::vector<std::pair<Key, std::uint32_t>> flatten(std::vector<IpSet::Prefix>& prefixes, std::size_t first,
                                                   std::size_t last, unsigned key_bits,
                                                   Key (*key_of)(const core::Cidr&)) {
  const Key kMax = ~Key{0};
  auto start_of = [&](std::size_t i) { return key_of(prefixes[i].cidr); };
  auto end_of = [&](std::size_t i) {
    const unsigned len = prefixes[i].cidr.prefix_bits - (key_bits == 32 ? 96 : 0);
    const Key host = len >= key_bits ? Key{0} : (len == 0 ? kMax : ((Key{1} << (key_bits - len)) - 1));
    return start_of(i) | host;
  };
  std::vector<std::pair<Key, std::uint32_t>> bounds;
  auto emit = [&](Key pos, std::uint32_t v) {
    if (!bounds.empty() && bounds.back().first == pos) bounds.back().second = v;
    else if (bounds.empty() || bounds.back().second != v) bounds.push_back({pos, v});
  };
  emit(0, kNoPrefix);
  std::vector<std::size_t> stack;
  auto pop = [&] {
    const std::size_t t = stack.back();
    stack.pop_back();
    const Key e = end_of(t);
    if (e != kMax) emit(e + 1, stack.empty() ? kNoPrefix : static_cast<std::uint32_t>(stack.back()));
  };
  for (std::size_t i = first; i < last; ++i) {
    const Key s = start_of(i);
    while (!stack.empty() && end_of(stack.back()) < s) pop();
    prefixes[i].parent = stack.empty() ? kNoPrefix : static_cast<std::uint32_t>(stack.back());
    emit(s, static_cast<std::uint32_t>(i));
    stack.push_back(i);
  }
  while (!stack.empty()) pop();
  return bounds;
}

std::uint32_t key32(const core::Cidr& c) { return c.base.v4_host_order(); }
IpSet::u128 key128c(const core::Cidr& c) { return IpSet::key128(c.base); }

}  // namespace

template <typename Key>
void IpSet::Intervals<Key>::build(const std::vector<std::pair<Key, std::uint32_t>>& bounds, unsigned key_bits) {
  iv.clear();
  index.clear();
  for (const auto& [pos, v] : bounds) iv.push_back({pos, v});
  const unsigned bits = index_bits(iv.size(), key_bits);
  shift = key_bits - bits;
  index.resize(std::size_t{1} << bits);
  const std::size_t n = iv.size();
  std::size_t i = 0;
  for (std::size_t k = 0; k < index.size(); ++k) {
    const Key bucket_start = static_cast<Key>(static_cast<Key>(k) << shift);
    while (i + 1 < n && iv[i + 1].start <= bucket_start) ++i;
    const bool more_inside = i + 1 < n && static_cast<std::size_t>(iv[i + 1].start >> shift) == k;
    if (more_inside) index[k] = static_cast<std::uint32_t>(i);
    else index[k] = iv[i].value == kNoPrefix ? kDirectNone : (iv[i].value | kDirect);
  }
}

IpSet IpSet::Builder::build() {
  IpSet set;
  set.prefixes_ = std::move(prefixes_);
  prefixes_.clear();
  auto& p = set.prefixes_;
  // IPv4 first, then by start address, shorter (containing) prefixes first;
  // stable so that duplicates keep the order they were added in.
  std::stable_sort(p.begin(), p.end(), [](const Prefix& a, const Prefix& b) {
    const bool a4 = is_v4_prefix(a.cidr), b4 = is_v4_prefix(b.cidr);
    if (a4 != b4) return a4;
    if (a.cidr.base != b.cidr.base) return a.cidr.base < b.cidr.base;
    return a.cidr.prefix_bits < b.cidr.prefix_bits;
  });
  std::size_t split = 0;
  while (split < p.size() && is_v4_prefix(p[split].cidr)) ++split;
  set.v4_.build(flatten<std::uint32_t>(p, 0, split, 32, &key32), 32);
  set.v6_.build(flatten<u128>(p, split, p.size(), 128, &key128c), 128);
  return set;
}

std::size_t IpSet::memory_bytes() const {
  return prefixes_.capacity() * sizeof(Prefix) + v4_.memory_bytes() + v6_.memory_bytes();
}

}  // namespace picket::intel
