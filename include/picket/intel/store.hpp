#pragma once
// IntelStore: the current Snapshot, readable by every thread without locks
// and replaceable at any time (SIGHUP) without pausing them.
//
// Epoch-based RCU. A reader announces the epoch it enters in its own
// cache-line slot, then loads the snapshot pointer; it leaves by clearing
// the slot. publish() swaps the pointer, advances the epoch and frees the
// old snapshot once no slot still shows an older epoch: every reader that
// could hold the old pointer has left. Readers never wait; the cost of a
// read section is one sequentially consistent store and one plain store.
// Readers that are idle (slot clear) never hold up a publish.
#include <atomic>
#include <cstdint>
#include <memory>

#include "picket/intel/snapshot.hpp"

namespace picket::intel {

class IntelStore {
 public:
  static constexpr unsigned kMaxReaders = 256;

  explicit IntelStore(std::unique_ptr<const Snapshot> initial);
  ~IntelStore();
  IntelStore(const IntelStore&) = delete;
  IntelStore& operator=(const IntelStore&) = delete;

  // Replaces the snapshot; returns once the old one is freed. One writer at
  // a time (the control thread); must not be called inside a read section.
  void publish(std::unique_ptr<const Snapshot> next);
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::uint64_t publishes() const { return generation() - 1; }

  // A reader slot, one per thread that reads (a detector shard, the
  // exporter). Not shared between threads.
  class Reader {
   public:
    Reader() = default;
    explicit Reader(IntelStore* store);
    Reader(Reader&& o) noexcept : store_(o.store_), slot_(o.slot_) { o.store_ = nullptr; }
    Reader& operator=(Reader&& o) noexcept;
    ~Reader();
    bool valid() const { return store_ != nullptr; }

    // The snapshot, valid until leave(). Not reentrant.
    inline const Snapshot* enter();
    inline void leave();

   private:
    IntelStore* store_ = nullptr;
    unsigned slot_ = 0;
  };
  // Nullopt-like: an invalid Reader when every slot is taken.
  Reader reader() { return Reader(this); }

 private:
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> active{0};  // epoch entered, 0 = not reading
    std::atomic<bool> taken{false};
  };
  std::atomic<const Snapshot*> current_;
  std::atomic<std::uint64_t> epoch_{1};
  std::atomic<std::uint64_t> generation_{1};
  Slot slots_[kMaxReaders];
};

// Inline: entered and left around every event a detector looks up, and a
// position-independent library would otherwise keep them two calls each.
inline const Snapshot* IntelStore::Reader::enter() {
  Slot& s = store_->slots_[slot_];
  s.active.store(store_->epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
  return store_->current_.load(std::memory_order_seq_cst);
}

inline void IntelStore::Reader::leave() { store_->slots_[slot_].active.store(0, std::memory_order_release); }

// Scoped read section: `ReadSection r(reader); if (r) use(*r);`
class ReadSection {
 public:
  explicit ReadSection(IntelStore::Reader* reader) : reader_(reader && reader->valid() ? reader : nullptr) {
    snap_ = reader_ ? reader_->enter() : nullptr;
  }
  ~ReadSection() {
    if (reader_) reader_->leave();
  }
  ReadSection(const ReadSection&) = delete;
  ReadSection& operator=(const ReadSection&) = delete;
  explicit operator bool() const { return snap_ != nullptr; }
  const Snapshot& operator*() const { return *snap_; }
  const Snapshot* operator->() const { return snap_; }
  const Snapshot* get() const { return snap_; }

 private:
  IntelStore::Reader* reader_;
  const Snapshot* snap_ = nullptr;
};

}  // namespace picket::intel
