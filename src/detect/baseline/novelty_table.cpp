#include "novelty_table.hpp"

#include <algorithm>

#include "picket/core/hash.hpp"

namespace picket::detect::baseline {

std::size_t NoveltyTable::AddrHash::operator()(const core::IpAddr& a) const {
  // Seeded apart from the shard hash, so the buckets of one shard are not
  // all alike in their low bits.
  return static_cast<std::size_t>(core::hash_bytes(a.bytes.data(), 16, 0x6e6f76656c7479));
}

NoveltyTable::Host* NoveltyTable::host_for(const core::IpAddr& host, core::Nanos ts) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) {
    if (hosts_.size() >= limits_.max_hosts) {
      ++stats_.hosts_untracked;
      return nullptr;
    }
    it = hosts_.emplace(host, Host{}).first;
    it->second.first_seen = ts;
    ++stats_.hosts_created;
  }
  Host& h = it->second;
  h.last_seen = std::max(h.last_seen, ts);
  return &h;
}

void NoveltyTable::insert(Host& h, std::uint64_t item) {
  if (h.items.size() >= limits_.max_items) {
    // Too many distinct things to say any one of them is unusual.
    h.flags |= kFlagDiverse;
    h.items.clear();
    h.items.shrink_to_fit();
    ++stats_.hosts_diverse;
    return;
  }
  h.items.insert(std::lower_bound(h.items.begin(), h.items.end(), item), item);
}

NoveltyTable::Verdict NoveltyTable::observe(const core::IpAddr& host, std::uint64_t item, core::Nanos ts) {
  Host* h = host_for(host, ts);
  if (!h) return Verdict::kUntracked;
  if (h->flags & kFlagDiverse) return Verdict::kDiverse;
  if (std::binary_search(h->items.begin(), h->items.end(), item)) return Verdict::kKnown;
  const bool learning = ts < h->first_seen + limits_.learning;
  insert(*h, item);
  if (h->flags & kFlagDiverse) return Verdict::kDiverse;
  return learning ? Verdict::kLearned : Verdict::kNovel;
}

void NoveltyTable::learn(const core::IpAddr& host, std::uint64_t item, core::Nanos ts) {
  Host* h = host_for(host, ts);
  if (!h || (h->flags & kFlagDiverse)) return;
  if (!std::binary_search(h->items.begin(), h->items.end(), item)) insert(*h, item);
}

const NoveltyTable::Host* NoveltyTable::find(const core::IpAddr& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? nullptr : &it->second;
}

void NoveltyTable::sweep(core::Nanos now) {
  const bool full = hosts_.size() >= limits_.max_hosts;
  for (auto it = hosts_.begin(); it != hosts_.end();) {
    const Host& h = it->second;
    const bool stale = h.last_seen + limits_.forget_after <= now;
    const bool debris = full && h.items.size() <= 1 && !(h.flags & kFlagDiverse) && h.last_seen + core::seconds(3600) <= now;
    if (stale || debris) {
      it = hosts_.erase(it);
      ++stats_.hosts_forgotten;
    } else {
      ++it;
    }
  }
}

std::vector<HostRecord> NoveltyTable::snapshot() const {
  std::vector<HostRecord> out;
  out.reserve(hosts_.size());
  for (const auto& [addr, h] : hosts_) out.push_back({addr, h.first_seen, h.last_seen, h.flags, h.items});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.host < b.host; });
  return out;
}

void NoveltyTable::restore(std::vector<HostRecord> records) {
  for (auto& r : records) {
    if (hosts_.size() >= limits_.max_hosts) {
      ++stats_.hosts_untracked;
      continue;
    }
    Host h;
    h.first_seen = r.first_seen;
    h.last_seen = r.last_seen;
    h.flags = r.flags & kFlagDiverse;
    h.items = std::move(r.values);
    std::sort(h.items.begin(), h.items.end());
    h.items.erase(std::unique(h.items.begin(), h.items.end()), h.items.end());
    if (h.items.size() > limits_.max_items) h.items.resize(limits_.max_items);
    hosts_.insert_or_assign(r.host, std::move(h));
    ++stats_.hosts_loaded;
  }
}

std::size_t NoveltyTable::bytes_per_host(std::size_t items) {
  // unordered_map node (next pointer, cached hash, key, value) + bucket + items.
  return 2 * sizeof(void*) + sizeof(core::IpAddr) + sizeof(Host) + sizeof(void*) + items * sizeof(std::uint64_t);
}

}  // namespace picket::detect::baseline
