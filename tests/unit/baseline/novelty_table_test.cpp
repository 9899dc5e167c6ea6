// NoveltyTable against its plain definition: a std::map from host to
// (first seen, last seen, diverse flag, std::set of items), driven by random
// observe/learn/touch/sweep calls with small caps, so that hosts fill the
// table, turn diverse, are refused, forgotten and swept as debris.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "baseline/novelty_table.hpp"

using namespace picket;
namespace baseline = picket::detect::baseline;
using Verdict = baseline::NoveltyTable::Verdict;

namespace {

struct ModelHost {
  core::Nanos first_seen = 0, last_seen = 0;
  bool diverse = false;
  std::set<std::uint64_t> items;
};

struct Model {
  baseline::NoveltyLimits limits;
  std::map<core::IpAddr, ModelHost> hosts;
  std::uint64_t untracked = 0, forgotten = 0;

  ModelHost* host_for(const core::IpAddr& a, core::Nanos ts) {
    auto it = hosts.find(a);
    if (it == hosts.end()) {
      if (hosts.size() >= limits.max_hosts) {
        ++untracked;
        return nullptr;
      }
      it = hosts.emplace(a, ModelHost{ts, ts, false, {}}).first;
    }
    it->second.last_seen = std::max(it->second.last_seen, ts);
    return &it->second;
  }
  // false: the host turned diverse instead of learning the item
  bool insert(ModelHost& h, std::uint64_t item) {
    if (h.items.size() >= limits.max_items) {
      h.diverse = true;
      h.items.clear();
      return false;
    }
    h.items.insert(item);
    return true;
  }
  Verdict observe(const core::IpAddr& a, std::uint64_t item, core::Nanos ts) {
    ModelHost* h = host_for(a, ts);
    if (!h) return Verdict::kUntracked;
    if (h->diverse) return Verdict::kDiverse;
    if (h->items.count(item)) return Verdict::kKnown;
    const bool learning = ts < h->first_seen + limits.learning;
    if (!insert(*h, item)) return Verdict::kDiverse;
    return learning ? Verdict::kLearned : Verdict::kNovel;
  }
  void learn(const core::IpAddr& a, std::uint64_t item, core::Nanos ts) {
    ModelHost* h = host_for(a, ts);
    if (h && !h->diverse && !h->items.count(item)) insert(*h, item);
  }
  void sweep(core::Nanos now) {
    const bool full = hosts.size() >= limits.max_hosts;
    for (auto it = hosts.begin(); it != hosts.end();) {
      const ModelHost& h = it->second;
      const bool stale = h.last_seen + limits.forget_after <= now;
      const bool debris = full && h.items.size() <= 1 && !h.diverse && h.last_seen + core::seconds(3600) <= now;
      if (stale || debris) {
        it = hosts.erase(it);
        ++forgotten;
      } else {
        ++it;
      }
    }
  }
};

void expect_same(const baseline::NoveltyTable& t, const Model& m) {
  const auto snap = t.snapshot();
  ASSERT_EQ(snap.size(), m.hosts.size());
  auto it = m.hosts.begin();
  for (const auto& r : snap) {
    ASSERT_EQ(r.host, it->first);
    EXPECT_EQ(r.first_seen, it->second.first_seen);
    EXPECT_EQ(r.last_seen, it->second.last_seen);
    EXPECT_EQ(r.flags != 0, it->second.diverse);
    EXPECT_EQ(r.values, std::vector<std::uint64_t>(it->second.items.begin(), it->second.items.end()));
    const auto* h = t.find(r.host);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->items.size(), it->second.items.size());
    ++it;
  }
  EXPECT_EQ(t.stats().hosts_untracked, m.untracked);
  EXPECT_EQ(t.stats().hosts_forgotten, m.forgotten);
}

}  // namespace

TEST(NoveltyTable, MatchesAMapOfSetsUnderRandomUse) {
  for (const std::size_t max_items : {1u, 3u, 5u, 16u}) {
    baseline::NoveltyLimits limits;
    limits.learning = core::seconds(600);
    limits.max_items = max_items;
    limits.max_hosts = 300;
    limits.forget_after = core::seconds(7200);
    baseline::NoveltyTable table(limits);
    Model model;
    model.limits = limits;
    std::mt19937_64 rng(max_items);
    core::Nanos t = core::seconds(1000);
    for (int step = 0; step < 60000; ++step) {
      t += static_cast<core::Nanos>(rng() % 400) * 1'000'000;  // up to 0.4 s per step: hours in all
      // IPv4 and IPv6 hosts, a few hundred of them against a cap of 300
      const auto n = static_cast<std::uint32_t>(rng() % 400);
      core::IpAddr host = core::IpAddr::from_v4(0x0a000000u + n);
      if (n % 7 == 0) {
        host.bytes = {};
        host.bytes[0] = 0xfd;
        host.bytes[15] = static_cast<std::uint8_t>(n);
        host.bytes[14] = static_cast<std::uint8_t>(n >> 8);
      }
      const std::uint64_t item = rng() % (max_items + 3);
      switch (rng() % 8) {
        case 0:
          table.learn(host, item, t);
          model.learn(host, item, t);
          break;
        case 1:
          table.touch(host, t);
          model.host_for(host, t);
          break;
        case 2:
          if (rng() % 50 == 0) {
            const core::Nanos later = t + core::seconds(static_cast<double>(rng() % 9000));
            table.sweep(later);
            model.sweep(later);
          }
          break;
        default:
          ASSERT_EQ(table.observe(host, item, t), model.observe(host, item, t)) << step;
      }
      if (step % 5000 == 0) {
        expect_same(table, model);
        if (::testing::Test::HasFailure()) return;
      }
    }
    expect_same(table, model);
    EXPECT_GT(model.forgotten, 0u) << max_items;
    EXPECT_GT(model.untracked, 0u) << max_items;
  }
}
