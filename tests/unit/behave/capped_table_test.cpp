// common::CappedTable (flat slab + intrusive recency list + open-addressing
// index) against the plain definition it replaced: a std::list in recency
// order and a std::unordered_map of list iterators. Random operations on both
// must give the same results, the same eviction count and the same sweep
// order, including with a hash that collides on purpose (long probe runs,
// backward-shift deletion across them).
#include <gtest/gtest.h>

#include <cstdint>
#include <list>
#include <random>
#include <type_traits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/capped_table.hpp"
#include "common/key_hash.hpp"
#include "common/pair_key.hpp"

namespace {

using picket::detect::common::CappedTable;

// The std::list + std::unordered_map table, as it was: the model.
template <typename Key, typename Value, typename Hash>
class ListMapModel {
 public:
  explicit ListMapModel(std::size_t capacity) : capacity_(capacity ? capacity : 1) {}

  Value& touch(const Key& key, bool& created) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      order_.splice(order_.end(), order_, it->second);
      created = false;
      return it->second->second;
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.front().first);
      order_.pop_front();
      ++evictions_;
    }
    order_.emplace_back(key, Value{});
    index_.emplace(key, std::prev(order_.end()));
    created = true;
    return order_.back().second;
  }

  Value* find(const Key& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }

  // find_or_add_if_room: a known key keeps its place; a new one is added as
  // the most recent while there is room.
  Value* find_or_add_if_room(const Key& key, bool& created) {
    created = false;
    if (Value* v = find(key)) return v;
    if (index_.size() >= capacity_) return nullptr;
    return &touch(key, created);
  }

  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [k, v] : order_) f(k, v);
  }

  void erase(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }

  template <typename F>
  void sweep(F&& f) {
    for (auto it = order_.begin(); it != order_.end();) {
      if (f(it->first, it->second)) {
        index_.erase(it->first);
        it = order_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::size_t size() const { return index_.size(); }
  std::uint64_t evictions() const { return evictions_; }

 private:
  std::size_t capacity_;
  std::list<std::pair<Key, Value>> order_;
  std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator, Hash> index_;
  std::uint64_t evictions_ = 0;
};

struct GoodHash {
  std::size_t operator()(std::uint32_t k) const { return picket::detect::common::hash_key_bytes(&k, 4); }
};
// Eight distinct hashes for all keys: long probe runs that wrap around the index.
struct CollidingHash {
  std::size_t operator()(std::uint32_t k) const { return (k % 8) * 0x10001u + 0xfffffff0u; }
};

// A value with heap memory, as bruteforce's and spambot's have.
struct Value {
  std::uint64_t touches = 0;
  std::vector<std::uint32_t> seen;
};

// The same, recycled by the table (keeps the vector's buffer) instead of
// value-initialised.
struct RecycledValue {
  std::uint64_t touches = 0;
  std::vector<std::uint32_t> seen;
  void recycle() {
    std::vector<std::uint32_t> keep = std::move(seen);
    keep.clear();
    *this = RecycledValue{};
    seen = std::move(keep);
  }
};
static_assert(picket::detect::common::Recyclable<RecycledValue>);
static_assert(!picket::detect::common::Recyclable<Value>);

template <typename Hash, typename V = Value>
void run_random(std::size_t capacity, std::uint32_t key_space, std::uint64_t seed, int steps) {
  CappedTable<std::uint32_t, V, Hash> table(capacity);
  ListMapModel<std::uint32_t, V, Hash> model(capacity);
  std::mt19937_64 rng(seed);
  for (int step = 0; step < steps; ++step) {
    const std::uint32_t key = static_cast<std::uint32_t>(rng() % key_space);
    const unsigned op = static_cast<unsigned>(rng() % 100);
    SCOPED_TRACE("step " + std::to_string(step) + " op " + std::to_string(op) + " key " + std::to_string(key));
    if (op < 60) {
      bool ct = true, cm = false;
      V& vt = table.touch(key, ct);
      V& vm = model.touch(key, cm);
      ASSERT_EQ(ct, cm);
      ASSERT_EQ(vt.touches, vm.touches);
      ASSERT_EQ(vt.seen, vm.seen);
      ++vt.touches, ++vm.touches;
      vt.seen.push_back(static_cast<std::uint32_t>(step));
      vm.seen.push_back(static_cast<std::uint32_t>(step));
    } else if (op < 75) {
      V* vt = table.find(key);
      V* vm = model.find(key);
      ASSERT_EQ(vt == nullptr, vm == nullptr);
      if (vt) {
        ASSERT_EQ(vt->touches, vm->touches);
        ++vt->touches, ++vm->touches;
      }
    } else if (op < 88) {
      table.erase(key);
      model.erase(key);
    } else if (op < 90) {
      // A full sweep: every entry visited in recency order; erase by a rule
      // on key and value.
      std::vector<std::pair<std::uint32_t, std::uint64_t>> vt, vm;
      // mod 1: every entry goes, by drain() (as at a flush) or by sweep().
      const std::uint32_t mod = 1 + static_cast<std::uint32_t>(rng() % 5);
      if (mod == 1 && rng() % 2) {
        table.drain([&](const std::uint32_t& k, V& v) { vt.emplace_back(k, v.touches); });
      } else {
        table.sweep([&](const std::uint32_t& k, V& v) {
          vt.emplace_back(k, v.touches);
          return (k + v.touches) % mod == 0;
        });
      }
      model.sweep([&](const std::uint32_t& k, V& v) {
        vm.emplace_back(k, v.touches);
        return (k + v.touches) % mod == 0;
      });
      ASSERT_EQ(vt, vm);
    } else if (op >= 95) {
      bool ct = true, cm = true;
      V* vt = table.find_or_add_if_room(key, ct);
      V* vm = model.find_or_add_if_room(key, cm);
      ASSERT_EQ(vt == nullptr, vm == nullptr);
      ASSERT_EQ(ct, cm);
      if (vt) {
        ASSERT_EQ(vt->touches, vm->touches);
        ++vt->touches, ++vm->touches;
      }
    } else {
      // touch_if_room: the model's equivalent is find, then touch when there is room.
      bool ct = false;
      V* vt = table.touch_if_room(key, ct);
      V* vm = model.find(key);
      bool cm = false;
      if (vm) {
        vm = &model.touch(key, cm);
      } else if (model.size() < capacity) {
        vm = &model.touch(key, cm);
      }
      ASSERT_EQ(vt == nullptr, vm == nullptr);
      ASSERT_EQ(ct, cm);
      if (vt) {
        ASSERT_EQ(vt->touches, vm->touches);
      }
    }
    ASSERT_EQ(table.size(), model.size());
    ASSERT_EQ(table.evictions(), model.evictions());
  }
  // for_each visits the contents least recent first, changing nothing.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> ft, fm;
  std::as_const(table).for_each([&](const std::uint32_t& k, const V& v) { ft.emplace_back(k, v.touches); });
  model.for_each([&](const std::uint32_t& k, const V& v) { fm.emplace_back(k, v.touches); });
  EXPECT_EQ(ft, fm);
  // The final contents, least recent first.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> vt, vm;
  table.sweep([&](const std::uint32_t& k, V& v) {
    vt.emplace_back(k, v.touches);
    return true;
  });
  model.sweep([&](const std::uint32_t& k, V& v) {
    vm.emplace_back(k, v.touches);
    return true;
  });
  EXPECT_EQ(vt, vm);
  EXPECT_EQ(table.size(), 0u);
}

TEST(CappedTableModel, DrainVisitsInRecencyOrderThenEmpties) {
  CappedTable<std::uint32_t, RecycledValue, GoodHash> t(3);
  bool created = false;
  for (std::uint32_t k : {5u, 6u, 7u, 5u}) t.touch(k, created).seen.assign(10, k);
  std::vector<std::uint32_t> order;
  t.drain([&](const std::uint32_t& k, RecycledValue&) { order.push_back(k); });
  EXPECT_EQ(order, (std::vector<std::uint32_t>{6, 7, 5}));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.find(5), nullptr);
  EXPECT_EQ(t.evictions(), 0u);
  // Usable again: three new keys fit without eviction and start empty.
  for (std::uint32_t k : {1u, 2u, 3u}) EXPECT_TRUE(t.touch(k, created).seen.empty());
  EXPECT_EQ(t.evictions(), 0u);
  t.touch(4, created);
  EXPECT_EQ(t.evictions(), 1u);
  EXPECT_EQ(t.find(1), nullptr);
}

TEST(CappedTableModel, RandomOperationsMatchTheListAndMapModel) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    run_random<GoodHash>(1, 4, seed, 2000);
    run_random<GoodHash>(7, 20, seed, 20000);
    run_random<GoodHash>(100, 150, seed, 20000);        // mostly full: many evictions
    run_random<GoodHash>(3000, 2500, seed, 60000);      // never full: index growth, chunks of nodes
    run_random<GoodHash>(5000, 100000, seed, 40000);    // mostly misses
  }
}

TEST(CappedTableModel, RecycledValuesMatchTheModel) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    run_random<GoodHash, RecycledValue>(7, 20, seed, 20000);
    run_random<GoodHash, RecycledValue>(100, 150, seed, 20000);
    run_random<CollidingHash, RecycledValue>(50, 80, seed, 20000);
  }
}

TEST(CappedTableModel, ReusedNodesKeepARecycledValuesBuffer) {
  // Evicted and erased entries leave their vector's buffer to the next key:
  // the new value is empty (as value-initialised) but needs no allocation.
  CappedTable<std::uint32_t, RecycledValue, GoodHash> t(2);
  bool created = false;
  for (std::uint32_t k : {1u, 2u}) t.touch(k, created).seen.assign(100, k);
  RecycledValue& evicted_into = t.touch(3, created);  // evicts 1
  EXPECT_TRUE(created);
  EXPECT_TRUE(evicted_into.seen.empty());
  EXPECT_EQ(evicted_into.touches, 0u);
  EXPECT_GE(evicted_into.seen.capacity(), 100u);
  t.erase(2);
  RecycledValue& erased_into = t.touch(4, created);
  EXPECT_TRUE(created);
  EXPECT_TRUE(erased_into.seen.empty());
  EXPECT_GE(erased_into.seen.capacity(), 100u);
  // A plain value is value-initialised: its buffer is gone.
  CappedTable<std::uint32_t, Value, GoodHash> plain(1);
  plain.touch(1, created).seen.assign(100, 1);
  EXPECT_EQ(plain.touch(2, created).seen.capacity(), 0u);
}

TEST(CappedTableModel, CollidingHashesStillMatchTheModel) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    run_random<CollidingHash>(50, 80, seed, 20000);
    run_random<CollidingHash>(400, 300, seed, 20000);
  }
}

TEST(CappedTableModel, EvictsInRecencyOrderAndCounts) {
  // A hand-checked sequence: capacity 3; touching 1 again makes 2 the least recent.
  CappedTable<std::uint32_t, Value, GoodHash> t(3);
  bool created = false;
  for (std::uint32_t k : {1u, 2u, 3u}) t.touch(k, created);
  t.touch(1, created);
  EXPECT_FALSE(created);
  t.touch(4, created);  // evicts 2
  EXPECT_TRUE(created);
  EXPECT_EQ(t.evictions(), 1u);
  EXPECT_EQ(t.find(2), nullptr);
  ASSERT_NE(t.find(1), nullptr);
  t.find(3);  // find does not touch: 3 is still the least recent
  t.touch(5, created);
  EXPECT_EQ(t.find(3), nullptr);
  EXPECT_EQ(t.evictions(), 2u);
  std::vector<std::uint32_t> order;
  t.sweep([&](const std::uint32_t& k, Value&) {
    order.push_back(k);
    return false;
  });
  EXPECT_EQ(order, (std::vector<std::uint32_t>{1, 4, 5}));
  // Full: touch_if_room refuses a new key without evicting, but takes a known one.
  EXPECT_EQ(t.touch_if_room(6, created), nullptr);
  EXPECT_NE(t.touch_if_room(1, created), nullptr);
  EXPECT_EQ(t.evictions(), 2u);
  EXPECT_EQ(t.size(), 3u);
}

TEST(CappedTableModel, ReferencesStayValidWhileTheTableGrows) {
  // std::list gave stable references; the chunked slab must too.
  CappedTable<std::uint32_t, Value, GoodHash> t(10000);
  bool created = false;
  Value& first = t.touch(0, created);
  first.touches = 42;
  for (std::uint32_t k = 1; k < 5000; ++k) t.touch(k, created);
  EXPECT_EQ(&first, t.find(0));
  EXPECT_EQ(first.touches, 42u);
}

TEST(CappedTableModel, PairKeysWorkWithTheDetectorsHash) {
  using picket::detect::common::PairKey;
  using picket::detect::common::PairKeyHash;
  CappedTable<PairKey, int, PairKeyHash> t(1000);
  ListMapModel<PairKey, int, PairKeyHash> m(1000);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 20000; ++i) {
    PairKey k{picket::core::IpAddr::from_v4(0x0a000000u + static_cast<std::uint32_t>(rng() % 40)),
              picket::core::IpAddr::from_v4(0xc6336400u + static_cast<std::uint32_t>(rng() % 40)),
              static_cast<std::uint32_t>(rng() % 2)};
    bool ct = false, cm = false;
    int& a = t.touch(k, ct);
    int& b = m.touch(k, cm);
    ASSERT_EQ(ct, cm);
    ASSERT_EQ(a, b);
    ++a, ++b;
    ASSERT_EQ(t.evictions(), m.evictions());
  }
}

// hash_pair (the pair keys' hash): a pair and its reverse differ, distinct
// keys practically never collide, and the low bits that pick a slot spread
// IPv4 pairs that differ in a few low address bits evenly over 1024 slots.
TEST(CappedTableModel, PairHashSpreadsNearbyAddresses) {
  using picket::core::IpAddr;
  using picket::detect::common::hash_pair;
  const IpAddr a = IpAddr::from_v4(0x0a010203u), b = IpAddr::from_v4(0xc6336401u);
  EXPECT_NE(hash_pair(a, b, 0), hash_pair(b, a, 0));
  EXPECT_NE(hash_pair(a, b, 0), hash_pair(a, b, 1));
  std::unordered_set<std::uint64_t> seen;
  std::vector<int> slots(1024, 0);
  int n = 0;
  for (std::uint32_t i = 0; i < 64; ++i)
    for (std::uint32_t j = 0; j < 64; ++j)
      for (std::uint32_t extra : {0u, 6u << 16 | 443, 17u << 16 | 53}) {
        const std::uint64_t h = hash_pair(IpAddr::from_v4(0x0a010000u + i), IpAddr::from_v4(0xc6336400u + j), extra);
        seen.insert(h);
        ++slots[(h ^ (h >> 32)) & 1023];  // as CappedTable folds it
        ++n;
      }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(n));
  // 12 per slot on average; a uniform spread keeps every slot within 12 +- 20.
  for (int c : slots) {
    EXPECT_GT(c, 0);
    EXPECT_LT(c, 32);
  }
}

// A trivially destructible value: clear() (and drain()) then resets the
// table without walking its nodes, which later keys construct again. The
// table must still match the model across repeated drains and refills.
TEST(CappedTableModel, TrivialValuesMatchTheModelAcrossDrains) {
  static_assert(std::is_trivially_destructible_v<std::uint64_t>);
  CappedTable<std::uint32_t, std::uint64_t, GoodHash> table(50);
  ListMapModel<std::uint32_t, std::uint64_t, GoodHash> model(50);
  std::mt19937_64 rng(11);
  for (int step = 0; step < 30000; ++step) {
    const auto key = static_cast<std::uint32_t>(rng() % 120);
    const unsigned op = static_cast<unsigned>(rng() % 100);
    if (op < 80) {
      bool ct = false, cm = false;
      std::uint64_t& a = table.touch(key, ct);
      std::uint64_t& b = model.touch(key, cm);
      ASSERT_EQ(ct, cm) << step;
      ASSERT_EQ(a, b) << step;
      a += step, b += step;
    } else if (op < 95) {
      table.erase(key);
      model.erase(key);
    } else if (op == 99) {
      std::vector<std::pair<std::uint32_t, std::uint64_t>> vt, vm;
      table.drain([&](const std::uint32_t& k, std::uint64_t& v) { vt.emplace_back(k, v); });
      model.sweep([&](const std::uint32_t& k, std::uint64_t& v) {
        vm.emplace_back(k, v);
        return true;
      });
      ASSERT_EQ(vt, vm) << step;
      ASSERT_EQ(table.size(), 0u);
    }
    ASSERT_EQ(table.size(), model.size()) << step;
    ASSERT_EQ(table.evictions(), model.evictions()) << step;
  }
}

}  // namespace
