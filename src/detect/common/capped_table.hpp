#pragma once
// A bounded table for detector state: at most `capacity` entries; inserting
// into a full table evicts the least recently touched entry (counted). The
// order of the recency list depends only on the events, so eviction, and with
// it every finding, is the same for any number of workers.
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <utility>

namespace picket::detect::common {

template <typename Key, typename Value, typename Hash>
class CappedTable {
 public:
  explicit CappedTable(std::size_t capacity) : capacity_(capacity ? capacity : 1) { index_.reserve(capacity_ < 4096 ? capacity_ : 4096); }

  // The entry for `key`, created (value-initialised) if absent; touched.
  // `created` says which.
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

  void erase(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }

  // Visits entries from least to most recently touched; `f(key, value)`
  // returns true to erase the entry.
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
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evictions() const { return evictions_; }

 private:
  std::size_t capacity_;
  std::list<std::pair<Key, Value>> order_;
  std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator, Hash> index_;
  std::uint64_t evictions_ = 0;
};

}  // namespace picket::detect::common
