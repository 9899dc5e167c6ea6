#include "novelty_table.hpp"

#include <algorithm>
#include <cstring>

#include "../common/key_hash.hpp"

namespace picket::detect::baseline {

void NoveltyTable::place(std::uint64_t h, std::uint32_t idx) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = (h >> 32 << 32) | (idx + 1);
}

std::uint32_t NoveltyTable::add(const core::IpAddr& a, Host h) {
  if ((hosts_.size() + 1) * 2 > slots_.size()) {
    slots_.assign(std::max<std::size_t>(slots_.size() * 2, 64), 0);
    mask_ = slots_.size() - 1;
    for (std::uint32_t k = 0; k < hosts_.size(); ++k) place(hash_of(hosts_[k].addr), k);
  }
  const auto idx = static_cast<std::uint32_t>(hosts_.size());
  hosts_.push_back({a, std::move(h)});
  place(hash_of(a), idx);
  return idx;
}

std::size_t NoveltyTable::slot_of(std::uint32_t idx) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash_of(hosts_[idx].addr) & mask;
  while (static_cast<std::uint32_t>(slots_[i]) != idx + 1) i = (i + 1) & mask;
  return i;
}

void NoveltyTable::remove(std::uint32_t idx) {
  // Backward-shift deletion in the index, then the last host fills the hole.
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = slot_of(idx);
  for (std::size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
    const std::size_t home = hash_of(hosts_[static_cast<std::uint32_t>(slots_[j]) - 1].addr) & mask;
    if (((j - home) & mask) >= ((j - i) & mask)) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = 0;
  const auto last = static_cast<std::uint32_t>(hosts_.size() - 1);
  if (idx != last) {
    slots_[slot_of(last)] = (slots_[slot_of(last)] >> 32 << 32) | (idx + 1);
    hosts_[idx] = std::move(hosts_[last]);
  }
  hosts_.pop_back();
}

NoveltyTable::Host* NoveltyTable::create(const core::IpAddr& host, core::Nanos ts) {
  if (hosts_.size() >= limits_.max_hosts) {
    ++stats_.hosts_untracked;
    return nullptr;
  }
  Host fresh;
  fresh.first_seen = fresh.last_seen = ts;
  const std::uint32_t idx = add(host, std::move(fresh));
  ++stats_.hosts_created;
  return &hosts_[idx].host;
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
  // Grown by hand: three items cost the allocator what one does (its
  // smallest block), so the first allocation holds three; after that a full
  // vector of n grows to 2n - 1 (5, 9, 17, 33, ...), capped at max_items:
  // glibc's block for 2n - 1 items (16n bytes with its header) is the one
  // it gives a request for 2^k items anyway, so each growth holds one item
  // more than doubling to a power of two would, for the same block (a host
  // with 5 or 9 items allocates once less), and never a bigger block for
  // the same items.
  const std::size_t n = h.items.size();
  if (n == h.items.capacity()) h.items.reserve(std::min(limits_.max_items, n < 3 ? std::size_t{3} : 2 * n - 1));
  h.items.insert(std::lower_bound(h.items.begin(), h.items.end(), item), item);
}

NoveltyTable::Verdict NoveltyTable::observe_new_host(const core::IpAddr& host, std::uint64_t item, core::Nanos ts) {
  Host* h = create(host, ts);
  if (!h) return Verdict::kUntracked;
  return observe_new_item(*h, item, ts);
}

NoveltyTable::Verdict NoveltyTable::observe_new_item(Host& h, std::uint64_t item, core::Nanos ts) {
  const bool learning = ts < h.first_seen + limits_.learning;
  insert(h, item);
  if (h.flags & kFlagDiverse) return Verdict::kDiverse;
  return learning ? Verdict::kLearned : Verdict::kNovel;
}

void NoveltyTable::learn_new_host(const core::IpAddr& host, std::uint64_t item, core::Nanos ts) {
  if (Host* h = create(host, ts)) insert(*h, item);
}

const NoveltyTable::Host* NoveltyTable::find(const core::IpAddr& host) const {
  const std::uint32_t idx = index_of(host);
  return idx == kNone ? nullptr : &hosts_[idx].host;
}

void NoveltyTable::sweep(core::Nanos now) {
  const bool full = hosts_.size() >= limits_.max_hosts;
  for (std::uint32_t i = 0; i < hosts_.size();) {
    const Host& h = hosts_[i].host;
    const bool stale = h.last_seen + limits_.forget_after <= now;
    const bool debris = full && h.items.size() <= 1 && !(h.flags & kFlagDiverse) && h.last_seen + core::seconds(3600) <= now;
    if (stale || debris) {
      remove(i);  // the last host moves to i: look at i again
      ++stats_.hosts_forgotten;
    } else {
      ++i;
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
    if (const std::uint32_t idx = index_of(r.host); idx != kNone) hosts_[idx].host = std::move(h);
    else add(r.host, std::move(h));
    ++stats_.hosts_loaded;
  }
}

std::size_t NoveltyTable::bytes_per_host(std::size_t items) {
  // Entry + up to 4 index slots (load >= 1/4 after a doubling) + items.
  return sizeof(Entry) + 4 * sizeof(std::uint64_t) + items * sizeof(std::uint64_t);
}

}  // namespace picket::detect::baseline
