#pragma once
// A bounded table for detector state: at most `capacity` entries; inserting
// into a full table evicts the least recently touched entry (counted). The
// order of the recency list depends only on the events, so eviction, and with
// it every finding, is the same for any number of workers.
//
// Layout (why: a detector sees every flow, and the node-based
// std::unordered_map + std::list this replaces cost two heap allocations per
// new key and several dependent loads per touch):
// - entries live in nodes allocated in chunks of kChunkNodes, on demand, up
//   to `capacity` nodes; an erased node goes to a free list and is reused, so
//   once the table has reached its peak size nothing is allocated any more
//   (a value's own heap memory, such as a vector's, is released on erase,
//   unless the value is Recyclable, below);
// - the recency list is intrusive: each node holds the 32-bit numbers of its
//   neighbours (least recent at head_, most recent at tail_);
// - the index is an open-addressing table (linear probing, deletion by
//   backward shift, no tombstones) of {node number, 32-bit hash} slots,
//   at most half full, doubled as the table grows.
// Memory: at most capacity x bytes_per_entry (plus one partly used chunk);
// references to values stay valid until their entry is erased or evicted.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace picket::detect::common {

// A value type may define recycle(): it must make the value equal to a
// value-initialised one in everything its detector can observe, but may keep
// heap capacity (a vector cleared, not freed). The table calls it instead of
// value-initialising when an entry is erased or its node reused, so that a
// new key allocates nothing in steady state; the value's memory then stays at
// its peak, still bounded by the table's capacity.
template <typename V>
concept Recyclable = requires(V& v) { v.recycle(); };

template <typename Key, typename Value, typename Hash>
class CappedTable {
  struct Node {
    Key key{};
    Value value{};
    std::uint32_t prev = 0, next = 0;  // recency neighbours; `next` links the free list
    std::uint32_t hash = 0;
  };
  struct Slot {
    std::uint32_t node;  // kNil: empty
    std::uint32_t hash;
  };
  static constexpr std::uint32_t kNil = 0xffffffffu;
  static constexpr unsigned kChunkBits = 10;
  static constexpr std::uint32_t kChunkNodes = 1u << kChunkBits;
  static constexpr std::size_t kMinSlots = 16;

 public:
  // Heap bytes one entry costs at most once the table holds more than a
  // handful: its node and up to four index slots (the index is then between
  // a quarter and a half full).
  static constexpr std::size_t bytes_per_entry = sizeof(Node) + 4 * sizeof(Slot);

  explicit CappedTable(std::size_t capacity)
      : capacity_(capacity == 0 ? 1 : capacity < kNil ? capacity : kNil - 1) {}
  CappedTable(const CappedTable&) = delete;
  CappedTable& operator=(const CappedTable&) = delete;
  ~CappedTable() {
    for (std::uint32_t n = 0; n < used_; ++n) node(n).~Node();
    for (std::size_t c = 0; c < chunks_.size(); ++c) std::allocator<Node>().deallocate(chunks_[c], chunk_nodes(c));
  }

  // The entry for `key`, created (value-initialised) if absent; touched.
  // `created` says which.
  Value& touch(const Key& key, bool& created) {
    const std::uint32_t h = hash_of(key);
    const std::uint32_t found = lookup(key, h);
    if (found != kNil) {
      move_to_tail(found);
      created = false;
      return node(found).value;
    }
    created = true;
    return node(insert(key, h)).value;
  }

  // Like touch, but when `key` is absent and the table is full nothing is
  // evicted and nullptr is returned.
  Value* touch_if_room(const Key& key, bool& created) {
    const std::uint32_t h = hash_of(key);
    const std::uint32_t found = lookup(key, h);
    if (found != kNil) {
      move_to_tail(found);
      created = false;
      return &node(found).value;
    }
    created = false;
    if (size_ >= capacity_) return nullptr;
    created = true;
    return &node(insert(key, h)).value;
  }

  // Like touch_if_room, but an entry found keeps its place in the recency
  // order (a new one is the most recent). For a table that never evicts
  // (full, it refuses) and whose sweeps do not depend on the order, the order
  // is unused, and keeping it up costs about as much as the look-up.
  Value* find_or_add_if_room(const Key& key, bool& created) {
    const std::uint32_t h = hash_of(key);
    const std::uint32_t found = lookup(key, h);
    created = false;
    if (found != kNil) return &node(found).value;
    if (size_ >= capacity_) return nullptr;
    created = true;
    return &node(insert(key, h)).value;
  }

  Value* find(const Key& key) {
    const std::uint32_t n = lookup(key, hash_of(key));
    return n == kNil ? nullptr : &node(n).value;
  }

  void erase(const Key& key) {
    const std::uint32_t n = lookup(key, hash_of(key));
    if (n != kNil) remove(n);
  }

  // Visits entries from least to most recently touched; `f(key, value)`
  // returns true to erase the entry. `f` must not touch, find or erase.
  template <typename F>
  void sweep(F&& f) {
    for (std::uint32_t n = head_; n != kNil;) {
      Node& x = node(n);
      const std::uint32_t next = x.next;
      if (f(static_cast<const Key&>(x.key), x.value)) remove(n);
      n = next;
    }
  }

  // Visits entries from least to most recently touched, changing nothing.
  template <typename F>
  void for_each(F&& f) const {
    for (std::uint32_t n = head_; n != kNil; n = node(n).next) f(node(n).key, node(n).value);
  }

  // sweep() with an `f` that erases every entry (at a flush): visits them
  // from least to most recently touched, then empties the table at once
  // instead of unlinking and unindexing entries one by one. `f(key, value)`
  // returns nothing and must not touch, find or erase.
  template <typename F>
  void drain(F&& f) {
    for (std::uint32_t n = head_; n != kNil; n = node(n).next) {
      Node& x = node(n);
      f(static_cast<const Key&>(x.key), x.value);
    }
    clear();
  }

  // Erases every entry (not counted as evictions).
  void clear() {
    if (size_ == 0) return;
    if constexpr (std::is_trivially_destructible_v<Node>) {
      // Nodes that need no destruction are simply constructed again over
      // the old ones, from the first: nothing to walk.
      used_ = 0;
      free_ = kNil;
    } else {
      for (std::uint32_t n = 0; n < used_; ++n) {
        Node& x = node(n);
        if constexpr (Recyclable<Value>) {
          x.value.recycle();
        } else {
          x.value = Value{};
        }
        x.next = n + 1 < used_ ? n + 1 : kNil;
      }
      free_ = 0;
    }
    head_ = tail_ = kNil;
    size_ = 0;
    // Back to the one empty slot the index starts with (it grows again as
    // the table refills; its buffer is kept).
    slots_.assign(1, Slot{kNil, 0});
    mask_ = 0;
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evictions() const { return evictions_; }

 private:
  static std::uint32_t hash_of(const Key& key) {
    const std::uint64_t h = static_cast<std::uint64_t>(Hash{}(key));
    return static_cast<std::uint32_t>(h ^ (h >> 32));
  }

  Node& node(std::uint32_t n) { return chunks_[n >> kChunkBits][n & (kChunkNodes - 1)]; }
  const Node& node(std::uint32_t n) const { return chunks_[n >> kChunkBits][n & (kChunkNodes - 1)]; }

  // Nodes in chunk c: kChunkNodes, except a last one cut to the capacity.
  std::size_t chunk_nodes(std::size_t c) const {
    const std::size_t left = capacity_ - c * kChunkNodes;
    return left < kChunkNodes ? left : kChunkNodes;
  }

  // The node holding `key`, or kNil; then `miss_slot_` is the empty slot
  // that ended the probe, where insert() puts the key unless the index
  // changes first.
  std::uint32_t lookup(const Key& key, std::uint32_t h) {
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot s = slots_[i];
      if (s.node == kNil) {
        miss_slot_ = i;
        return kNil;
      }
      if (s.hash == h && node(s.node).key == key) return s.node;
    }
  }

  // Adds an absent key as the most recent entry, evicting the least recent
  // one first when full. Out of line: inlined, it would make every caller's
  // frame (and its early returns) heavier for a path most calls do not take.
  // Called right after lookup() missed `key`.
  [[gnu::noinline]] std::uint32_t insert(const Key& key, std::uint32_t h) {
    std::uint32_t n;
    // The probe that missed ended at the key's place, unless an eviction
    // (whose deletion shifts slots back) or a new index moves it.
    bool probe = false;
    if (size_ >= capacity_) {
      probe = true;
      n = head_;
      unlink(n);
      unindex(n);
      --size_;
      ++evictions_;
      reset(node(n), key);
    } else {
      if ((size_ + 1) * 2 > slots_.size()) {
        grow_index();
        probe = true;
      }
      if (free_ != kNil) {
        n = free_;
        free_ = node(n).next;
        reset(node(n), key);
      } else {
        // A node never used: constructed now (chunks are raw memory, so a
        // table that never fills never touches the rest of its chunk).
        n = used_++;
        if ((n >> kChunkBits) >= chunks_.size()) chunks_.push_back(std::allocator<Node>().allocate(chunk_nodes(chunks_.size())));
        ::new (static_cast<void*>(&node(n))) Node{key, Value{}, 0, 0, 0};
      }
    }
    Node& x = node(n);
    x.hash = h;
    link_tail(n);
    std::size_t i = miss_slot_;
    if (probe) {
      i = h & mask_;
      while (slots_[i].node != kNil) i = (i + 1) & mask_;
    }
    slots_[i] = Slot{n, h};
    ++size_;
    return n;
  }

  void remove(std::uint32_t n) {
    unlink(n);
    unindex(n);
    Node& x = node(n);
    // Give a value's own heap memory back now, as erasing a map entry would
    // (a Recyclable value keeps it for the node's next key).
    if constexpr (Recyclable<Value>) {
      x.value.recycle();
    } else if constexpr (!std::is_trivially_destructible_v<Value>) {
      x.value = Value{};
    }
    x.next = free_;
    free_ = n;
    --size_;
  }

  static void reset(Node& x, const Key& key) {
    x.key = key;
    if constexpr (Recyclable<Value>) {
      x.value.recycle();
    } else {
      x.value = Value{};
    }
  }

  [[gnu::noinline]] void grow_index() {
    const std::size_t size = slots_.size() < kMinSlots ? kMinSlots : slots_.size() * 2;
    std::vector<Slot> old(size, Slot{kNil, 0});
    old.swap(slots_);
    mask_ = size - 1;
    for (const Slot& s : old) {
      if (s.node == kNil) continue;
      std::size_t i = s.hash & mask_;
      while (slots_[i].node != kNil) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  // Drops node n's slot; later slots of its probe run shift back into the hole.
  void unindex(std::uint32_t n) {
    std::size_t hole = node(n).hash & mask_;
    while (slots_[hole].node != n) hole = (hole + 1) & mask_;
    for (std::size_t j = (hole + 1) & mask_; slots_[j].node != kNil; j = (j + 1) & mask_) {
      const std::size_t home = slots_[j].hash & mask_;
      // The entry at j may move back to the hole if its probe run starts at or before it.
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].node = kNil;
  }

  void unlink(std::uint32_t n) {
    Node& x = node(n);
    if (x.prev != kNil) node(x.prev).next = x.next; else head_ = x.next;
    if (x.next != kNil) node(x.next).prev = x.prev; else tail_ = x.prev;
  }

  void link_tail(std::uint32_t n) {
    Node& x = node(n);
    x.prev = tail_;
    x.next = kNil;
    if (tail_ != kNil) node(tail_).next = n; else head_ = n;
    tail_ = n;
  }

  void move_to_tail(std::uint32_t n) {
    if (n == tail_) return;
    unlink(n);
    link_tail(n);
  }

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::uint32_t head_ = kNil, tail_ = kNil, free_ = kNil, used_ = 0;
  std::vector<Node*> chunks_;  // raw storage: nodes [0, used_) are constructed
  // Never empty (one empty slot at first), so that a look-up needs no test for it.
  std::vector<Slot> slots_ = std::vector<Slot>(1, Slot{kNil, 0});
  std::size_t mask_ = 0;
  std::size_t miss_slot_ = 0;  // set by lookup() when it misses
  std::uint64_t evictions_ = 0;
};

}  // namespace picket::detect::common
