#pragma once
// NoveltyTable: per home host, the small set of things it has been seen to
// use (remote ports, DNS resolvers, DoT/DoH servers), learned during a
// learning period that starts when the host is first seen. After it, a thing
// the host never used is "novel": the baseline detectors report it once and
// learn it. Shared by the port, resolver, DoT and DoH detectors.
//
// Bounded: at most max_items per host (a host that uses more has no useful
// "never used" and is marked diverse: silent from then on) and max_hosts per
// shard (new hosts beyond it are not tracked, and counted). Hosts idle for
// forget_after are dropped; while the table is full, hosts that learned at
// most one thing and have been idle an hour are dropped first (the debris of
// a flood of spoofed sources).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"
#include "../common/key_hash.hpp"
#include "../common/state_file.hpp"

namespace picket::detect::baseline {

using common::HostRecord;

struct NoveltyLimits {
  core::Nanos learning = core::seconds(86400);
  std::size_t max_items = 64;
  std::size_t max_hosts = 100000;
  core::Nanos forget_after = core::seconds(30 * 86400.0);
};

struct NoveltyStats {
  std::uint64_t hosts_created = 0, hosts_untracked = 0, hosts_forgotten = 0, hosts_diverse = 0, hosts_loaded = 0;
};

class NoveltyTable {
 public:
  enum class Verdict { kKnown, kLearned, kNovel, kDiverse, kUntracked };
  static constexpr std::uint32_t kFlagDiverse = 1;

  struct Host {
    core::Nanos first_seen = 0, last_seen = 0;
    std::uint32_t flags = 0;
    std::vector<std::uint64_t> items;  // sorted
  };

  explicit NoveltyTable(const NoveltyLimits& limits) : limits_(limits) {}

  // The three per-event calls are inline for the common case, a host already
  // tracked that used nothing new (every DNS message and most flows): the
  // look-up, the last_seen update and the item test, a few dozen
  // instructions, would otherwise cost as much again in call overhead.
  // A new host or a new item goes out of line.

  // Host `host` used `item` at `ts`. kNovel: first use after the learning
  // period (report it); it is learned in every case but kDiverse/kUntracked.
  Verdict observe(const core::IpAddr& host, std::uint64_t item, core::Nanos ts) {
    const std::uint32_t idx = index_of(host);
    if (idx == kNone) return observe_new_host(host, item, ts);
    Host& h = seen(idx, ts);
    if (h.flags & kFlagDiverse) return Verdict::kDiverse;
    if (holds(h, item)) return Verdict::kKnown;
    return observe_new_item(h, item, ts);
  }
  // Notes that `host` was active at `ts` (starting its learning period)
  // without learning anything: the DoT and DoH tables see every host, not
  // only those that already use encrypted DNS.
  void touch(const core::IpAddr& host, core::Nanos ts) {
    const std::uint32_t idx = index_of(host);
    if (idx == kNone) {
      create(host, ts);
      return;
    }
    seen(idx, ts);
  }
  // Learns `item` without judging it (e.g. uses of resolvers inside the home network).
  void learn(const core::IpAddr& host, std::uint64_t item, core::Nanos ts) {
    const std::uint32_t idx = index_of(host);
    if (idx == kNone) {
      learn_new_host(host, item, ts);
      return;
    }
    Host& h = seen(idx, ts);
    if (!(h.flags & kFlagDiverse) && !holds(h, item)) insert(h, item);
  }
  const Host* find(const core::IpAddr& host) const;
  void sweep(core::Nanos now);

  // Persistence: every host as a record, sorted by address; and back.
  std::vector<HostRecord> snapshot() const;
  void restore(std::vector<HostRecord> records);

  std::size_t hosts() const { return hosts_.size(); }
  const NoveltyStats& stats() const { return stats_; }
  const NoveltyLimits& limits() const { return limits_; }
  // Approximate heap bytes of one host holding `items` things.
  static std::size_t bytes_per_host(std::size_t items);

 private:
  // Hosts live in a dense array (64 bytes each: address and Host) found
  // through a flat index of 8-byte slots (32 bits of the address's hash and
  // the host's position), open addressing with linear probing: a look-up
  // reads one slot and one entry, where a node-based map chased two
  // pointers. A removed host's place is taken by the last one.
  struct Entry {
    core::IpAddr addr;
    Host host;
  };
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  // The table's layout never shows in a result (snapshots are sorted), only in its speed.
  static std::uint64_t hash_of(const core::IpAddr& a) { return common::hash_addr(a); }
  std::uint32_t index_of(const core::IpAddr& a) const {
    const std::uint64_t h = hash_of(a);
    const std::size_t mask = mask_;
    for (std::size_t i = h & mask; slots_[i] != 0; i = (i + 1) & mask) {
      if ((slots_[i] >> 32) != (h >> 32)) continue;
      const auto idx = static_cast<std::uint32_t>(slots_[i]) - 1;
      if (hosts_[idx].addr == a) return idx;
    }
    return kNone;
  }
  Host& seen(std::uint32_t idx, core::Nanos ts) {
    Host& h = hosts_[idx].host;
    if (ts > h.last_seen) h.last_seen = ts;
    return h;
  }
  // Whether the sorted `h.items` holds `item`: a scan while short (hosts
  // mostly hold a handful), a binary search beyond.
  static bool holds(const Host& h, std::uint64_t item) {
    const std::uint64_t* p = h.items.data();
    const std::size_t n = h.items.size();
    if (n <= 8) {
      for (std::size_t i = 0; i < n; ++i)
        if (p[i] == item) return true;
      return false;
    }
    return std::binary_search(p, p + n, item);
  }
  Verdict observe_new_host(const core::IpAddr& host, std::uint64_t item, core::Nanos ts);
  Verdict observe_new_item(Host& h, std::uint64_t item, core::Nanos ts);
  void learn_new_host(const core::IpAddr& host, std::uint64_t item, core::Nanos ts);
  std::uint32_t add(const core::IpAddr& a, Host h);
  void remove(std::uint32_t idx);
  // inline (defined in novelty_table.cpp, their only user): a library built
  // as position-independent code may not inline a function other objects
  // could interpose.
  inline std::size_t slot_of(std::uint32_t idx) const;
  inline void place(std::uint64_t h, std::uint32_t idx);
  // A new entry for `host`, known to be absent (nullptr when the table is full, counted).
  Host* create(const core::IpAddr& host, core::Nanos ts);
  void insert(Host& h, std::uint64_t item);

  NoveltyLimits limits_;
  // (hash >> 32) << 32 | index + 1; 0: empty. Never empty (one empty slot
  // at first), so that a look-up needs no test for it.
  std::vector<std::uint64_t> slots_ = std::vector<std::uint64_t>(1, 0);
  std::size_t mask_ = 0;  // slots_.size() - 1
  std::vector<Entry> hosts_;
  NoveltyStats stats_;
};

}  // namespace picket::detect::baseline
