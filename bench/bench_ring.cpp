// core::SpscRing throughput between two threads. The benchmark thread
// produces; a consumer thread, started outside the timed region, drains. One
// iteration moves kItemsPerIteration items end to end: it ends only when the
// consumer has taken the last one, so the numbers are delivered items, not
// items parked in the ring.
//
// On a 2-core machine the two threads own both cores; anything else running
// (including the benchmark's own timer) shows up as noise.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "picket/core/spsc_ring.hpp"
#include "picket/net/packet.hpp"

namespace picket::bench {
namespace {

constexpr std::uint64_t kItemsPerIteration = 1u << 16;
constexpr std::size_t kRingSlots = 1024;  // PipelineConfig::ring_slots default

// A cache line of payload, like a small event record.
struct Item64 {
  std::uint64_t seq;
  std::uint8_t pad[56];
};

// Shaped like the pipeline's capture -> worker PacketSlot (its header is
// private to src/pipeline): a decoded view plus room for a 2 KiB frame copy.
struct Slot {
  std::uint64_t seq;
  net::PacketView view;
  std::uint8_t frame[2048];
};

std::uint64_t seq_of(std::uint64_t v) { return v; }
std::uint64_t seq_of(const Item64& v) { return v.seq; }
void set_seq(std::uint64_t& v, std::uint64_t s) { v = s; }
void set_seq(Item64& v, std::uint64_t s) { v.seq = s; }

// Consumer state shared with the benchmark thread.
struct Consumer {
  std::atomic<std::uint64_t> consumed{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> out_of_order{false};
};

// Waiting side of either thread: spin briefly, then give the core away. Pure
// spinning measures the scheduler, not the ring, as soon as the two threads
// do not have a core each (any other load on a 2-core machine); the pipeline
// waits the same way (std::this_thread::yield() when a ring is full/empty).
class Backoff {
 public:
  void wait() {
    if (++spins_ < 64) {
      __builtin_ia32_pause();
    } else {
      std::this_thread::yield();
      ++yields;
    }
  }
  void reset() { spins_ = 0; }
  std::uint64_t yields = 0;

 private:
  unsigned spins_ = 0;
};

// Copy API: enqueue_burst / dequeue_burst with bursts of `burst` items.
template <typename T>
void BM_SpscRing_Burst(benchmark::State& state) {
  const auto burst = static_cast<std::size_t>(state.range(0));
  core::SpscRing<T> ring(kRingSlots);
  Consumer c;
  std::thread consumer([&] {
    std::vector<T> buf(burst);
    std::uint64_t expect = 0;
    Backoff idle;
    while (!c.stop.load(std::memory_order_relaxed)) {
      const std::size_t n = ring.dequeue_burst(buf.data(), burst);
      if (n == 0) {
        idle.wait();
        continue;
      }
      idle.reset();
      for (std::size_t i = 0; i < n; ++i)
        if (seq_of(buf[i]) != expect++) c.out_of_order.store(true, std::memory_order_relaxed);
      c.consumed.store(expect, std::memory_order_release);
    }
  });

  std::vector<T> buf(burst);
  std::uint64_t produced = 0;
  Backoff full;
  for (auto _ : state) {
    const std::uint64_t target = produced + kItemsPerIteration;
    while (produced < target) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(burst, target - produced));
      for (std::size_t i = 0; i < want; ++i) set_seq(buf[i], produced + i);
      std::size_t done = 0;
      while (done < want) {
        const std::size_t n = ring.enqueue_burst(buf.data() + done, want - done);
        if (n == 0) {
          full.wait();
        } else {
          full.reset();
        }
        done += n;
      }
      produced += want;
    }
    Backoff drain;
    while (c.consumed.load(std::memory_order_acquire) != produced) drain.wait();
  }
  c.stop.store(true);
  consumer.join();
  if (c.out_of_order.load()) state.SkipWithError("items arrived out of order");
  state.counters["producer_yields"] = static_cast<double>(full.yields);
  state.SetItemsProcessed(static_cast<std::int64_t>(produced));
  state.SetBytesProcessed(static_cast<std::int64_t>(produced * sizeof(T)));
}

// Zero-copy API as the pipeline uses it: the producer claim()s a 2 KiB slot,
// fills the view and copies `frame_bytes` of frame into it, publish()es; the
// consumer peek()s up to 64 slots, reads them in place, release()s.
void BM_SpscRing_PacketSlot(benchmark::State& state) {
  const auto frame_bytes = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t kPeekBurst = 64;  // the worker's kBurst
  core::SpscRing<Slot> ring(kRingSlots);
  Consumer c;
  std::thread consumer([&] {
    std::uint64_t expect = 0, sink = 0;
    Backoff idle;
    while (!c.stop.load(std::memory_order_relaxed)) {
      const Slot* first = nullptr;
      const std::size_t n = ring.peek(&first, kPeekBurst);
      if (n == 0) {
        idle.wait();
        continue;
      }
      idle.reset();
      for (std::size_t i = 0; i < n; ++i) {
        if (first[i].seq != expect++) c.out_of_order.store(true, std::memory_order_relaxed);
        // Touch what a worker reads first: the view and the frame's start.
        sink += first[i].view.caplen + first[i].frame[0];
      }
      ring.release(n);
      c.consumed.store(expect, std::memory_order_release);
    }
    benchmark::DoNotOptimize(sink);
  });

  std::uint8_t frame[2048];
  for (std::size_t i = 0; i < sizeof frame; ++i) frame[i] = static_cast<std::uint8_t>(i);
  net::PacketView view;
  view.caplen = static_cast<std::uint32_t>(frame_bytes);
  std::uint64_t produced = 0;
  Backoff full;
  for (auto _ : state) {
    const std::uint64_t target = produced + kItemsPerIteration;
    for (; produced < target; ++produced) {
      Slot* s;
      while ((s = ring.claim()) == nullptr) full.wait();
      full.reset();
      s->seq = produced;
      s->view = view;
      std::memcpy(s->frame, frame, frame_bytes);
      ring.publish();
    }
    Backoff drain;
    while (c.consumed.load(std::memory_order_acquire) != produced) drain.wait();
  }
  c.stop.store(true);
  consumer.join();
  if (c.out_of_order.load()) state.SkipWithError("slots arrived out of order");
  state.counters["producer_yields"] = static_cast<double>(full.yields);
  state.SetItemsProcessed(static_cast<std::int64_t>(produced));
  state.SetBytesProcessed(static_cast<std::int64_t>(produced * frame_bytes));
}

// Real time: the work happens on two threads, CPU time of one says little.
BENCHMARK_TEMPLATE(BM_SpscRing_Burst, std::uint64_t)->ArgName("burst")->Arg(1)->Arg(32)->Arg(256)->UseRealTime();
BENCHMARK_TEMPLATE(BM_SpscRing_Burst, Item64)->ArgName("burst")->Arg(32)->UseRealTime();
BENCHMARK(BM_SpscRing_PacketSlot)->ArgName("frame_bytes")->Arg(64)->Arg(1514)->UseRealTime();

}  // namespace
}  // namespace picket::bench
