// EventStore keeps every stored event intact across chunk boundaries, reuses
// released slots, and never moves a stored event.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>

#include "../../../src/pipeline/event_store.hpp"

namespace {

struct Ev {
  std::uint64_t id;
  char pad[568];  // the size of a mesh message
};

TEST(EventStore, KeepsEventsAcrossChunksAndReusesSlots) {
  picket::pipeline::EventStore<Ev> store;
  std::map<std::uint32_t, std::uint64_t> model;  // slot -> id
  std::map<std::uint32_t, const Ev*> where;
  std::mt19937_64 rng(11);
  std::uint64_t next_id = 1;
  const std::size_t per_chunk = picket::pipeline::EventStore<Ev>::kPerChunk;
  std::size_t peak = 0;
  for (int step = 0; step < 30000; ++step) {
    // grow to well past two chunks, then shrink and grow again
    const bool grow = step < 12000 || (step > 20000 && rng() % 3 != 0) || model.empty();
    if (grow) {
      Ev e{};
      e.id = next_id++;
      e.pad[e.id % sizeof(e.pad)] = static_cast<char>(e.id);
      const std::uint32_t slot = store.claim();
      store.at(slot) = e;
      ASSERT_EQ(model.count(slot), 0u) << "slot handed out twice";
      model[slot] = e.id;
      where[slot] = &store.at(slot);
    } else {
      auto it = model.begin();
      std::advance(it, static_cast<long>(rng() % model.size()));
      ASSERT_EQ(store.at(it->first).id, it->second);
      store.release(it->first);
      where.erase(it->first);
      model.erase(it);
    }
    peak = std::max(peak, model.size());
  }
  ASSERT_GT(peak, 2 * per_chunk);
  for (const auto& [slot, id] : model) {
    ASSERT_EQ(store.at(slot).id, id) << slot;
    ASSERT_EQ(store.at(slot).pad[id % sizeof(Ev::pad)], static_cast<char>(id));
    ASSERT_EQ(&store.at(slot), where[slot]) << "a stored event moved";
  }
  // Released slots are reused before the store grows: capacity follows the peak.
  EXPECT_LE(store.capacity(), (peak / per_chunk + 1) * per_chunk);
}

}  // namespace
