#pragma once
// EventStore: where a detector host keeps the events that wait for their
// watermark. Events are numbered slots in chunks of 2 MiB, each chunk mapped (in a
// huge page where the kernel grants one) the first time the store grows into
// it and kept until the store goes: a slot never moves, growing copies
// nothing and hands no memory back (no TLB shoot-downs), and the memory
// follows the peak number of waiting events, not a reservation.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "picket/core/huge_pages.hpp"

namespace picket::pipeline {

template <typename T>
class EventStore {
  static_assert(std::is_trivially_destructible_v<T>, "slots are reused without destroying what they held");

 public:
  static constexpr std::size_t kChunkBytes = std::size_t{2} << 20;
  static constexpr std::uint32_t kPerChunk = static_cast<std::uint32_t>(kChunkBytes / sizeof(T));

  EventStore() = default;
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;
  ~EventStore() {
    for (void* c : chunks_) core::unmap_table(c, kChunkBytes);
  }

  // A slot holding a default-initialised T (no zero fill), for building or
  // copying an event in place; returns its slot.
  std::uint32_t claim() {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      if (used_ == chunks_.size() * kPerChunk) add_chunk();
      slot = used_++;
    }
    ::new (static_cast<void*>(&at(slot))) T;
    return slot;
  }
  // Gives the slot back for reuse.
  void release(std::uint32_t slot) { free_.push_back(slot); }

  T& at(std::uint32_t slot) { return static_cast<T*>(chunks_[slot / kPerChunk])[slot % kPerChunk]; }
  const T& at(std::uint32_t slot) const { return static_cast<const T*>(chunks_[slot / kPerChunk])[slot % kPerChunk]; }

  std::size_t capacity() const { return chunks_.size() * kPerChunk; }

 private:
  void add_chunk() {
    void* c = core::map_zeroed_table(kChunkBytes);
    if (!c) throw std::bad_alloc();  // as vector growth would: out of memory
    chunks_.push_back(c);
  }
  std::vector<void*> chunks_;
  std::vector<std::uint32_t> free_;
  std::uint32_t used_ = 0;  // slots ever handed out
};

}  // namespace picket::pipeline
