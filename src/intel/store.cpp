#include "picket/intel/store.hpp"

#include <thread>

namespace picket::intel {

IntelStore::IntelStore(std::unique_ptr<const Snapshot> initial) {
  auto* s = const_cast<Snapshot*>(initial.release());
  if (!s) s = new Snapshot();
  s->generation = 1;
  current_.store(s, std::memory_order_release);
}

IntelStore::~IntelStore() { delete current_.load(std::memory_order_acquire); }

void IntelStore::publish(std::unique_ptr<const Snapshot> next) {
  auto* s = const_cast<Snapshot*>(next.release());
  if (!s) s = new Snapshot();
  s->generation = generation_.load(std::memory_order_relaxed) + 1;
  const Snapshot* old = current_.exchange(s, std::memory_order_seq_cst);
  const std::uint64_t now = epoch_.fetch_add(1, std::memory_order_seq_cst) + 1;
  // A reader whose slot shows an epoch older than `now` entered before the
  // swap and may hold `old`; one that entered later loaded the new pointer.
  for (auto& slot : slots_) {
    for (;;) {
      const std::uint64_t a = slot.active.load(std::memory_order_seq_cst);
      if (a == 0 || a >= now) break;
      std::this_thread::yield();
    }
  }
  delete old;
  generation_.store(s->generation, std::memory_order_release);
}

IntelStore::Reader::Reader(IntelStore* store) {
  for (unsigned i = 0; i < kMaxReaders; ++i) {
    bool expected = false;
    if (store->slots_[i].taken.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      store_ = store;
      slot_ = i;
      return;
    }
  }
}

IntelStore::Reader& IntelStore::Reader::operator=(Reader&& o) noexcept {
  if (this != &o) {
    if (store_) store_->slots_[slot_].taken.store(false, std::memory_order_release);
    store_ = o.store_;
    slot_ = o.slot_;
    o.store_ = nullptr;
  }
  return *this;
}

IntelStore::Reader::~Reader() {
  if (store_) store_->slots_[slot_].taken.store(false, std::memory_order_release);
}

}  // namespace picket::intel
