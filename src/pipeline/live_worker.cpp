// The worker's loop for live capture: it reads its own source (an AF_PACKET
// fanout socket, a DPDK RX queue) and does itself what the capture thread
// does in replay: decode, hash, clock, ticks. Frames are analysed in place,
// in the kernel ring or the mbuf, and never copied.
#include <chrono>
#include <thread>

#include "picket/flow/flow_key.hpp"
#include "worker.hpp"

namespace picket::pipeline {

namespace {
constexpr std::size_t kLiveBurst = 64;
// After this many empty polls in a row the worker sleeps in the source's
// wait (poll(2) on the sockets) instead of spinning: a quiet sensor should
// not burn its cores.
constexpr int kSpinRounds = 256;
constexpr core::Nanos kIdleWait = 1'000'000;            // 1 ms
constexpr core::Nanos kCounterInterval = 500'000'000;   // kernel counters every 0.5 s
// On stop, what is already queued is read before the flush, for at most this long.
constexpr core::Nanos kStopDrain = 1'000'000'000;

struct FrameAdapter final : capture::FrameSink {
  Worker* worker;
  explicit FrameAdapter(Worker* w) : worker(w) {}
  void on_frame(const capture::RawPacket& frame) override { worker->on_live_frame(frame); }
};
}  // namespace

core::Nanos LiveClock::realtime() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<core::Nanos>(ts.tv_sec) * core::kNanosPerSecond + static_cast<core::Nanos>(ts.tv_nsec);
}

void Worker::live_ticks_through(core::Nanos t) {
  LiveClock& clock = *live_.wiring->clock;
  if (live_.next_tick == 0) {
    live_.next_tick = clock.origin();
    if (live_.next_tick == 0) return;
  }
  while (live_.next_tick <= t) {
    // As in replay: flows that ended before the tick; the watermark promises
    // nothing older than the tick will follow (later frames are clamped).
    table_.expire(live_.next_tick - 1, *this);
    broadcast_watermark(live_.next_tick);
    live_.last_tick = live_.next_tick;
    live_.next_tick += clock.tick();
    if (wiring_.index == 0 && live_.wiring->capture_now)
      live_.wiring->capture_now->store(live_.last_tick, std::memory_order_relaxed);
  }
}

void Worker::on_live_frame(const capture::RawPacket& frame) {
  core::Nanos ts = frame.ts;
  if (live_.next_tick == 0) live_.next_tick = live_.wiring->clock->origin_for(ts);
  // One monotonic clock per worker, never behind a tick already sent.
  const core::Nanos floor = std::max(live_.last_ts, live_.last_tick);
  if (ts < floor) {
    if (ts < live_.last_tick) ++stats_.late_packets;
    ts = floor;
  }
  live_.last_ts = ts;
  live_ticks_through(ts);
  PacketSlot& slot = *live_.slot;
  if (!net::decode(frame.data, frame.caplen, frame.wirelen, frame.link_type, ts, slot.view, live_.decode)) {
    ++live_.not_analysed;
    return;
  }
  bool src_is_lo;
  slot.hash = flow::FlowKey::from_packet(slot.view, src_is_lo).hash();
  handle_packet(slot);
}

void Worker::live_finish() {
  flush_flows();
  broadcast_watermark(core::kNanosMax);
  input_done_ = true;
}

void Worker::run_live(const LiveWiring& live) {
  live_.wiring = &live;
  auto slot = std::make_unique<PacketSlot>();
  slot->kind = PacketSlot::Kind::kPacket;
  live_.slot = slot.get();
  FrameAdapter sink(this);
  capture::LiveSource& source = *live.source;
  int idle_rounds = 0;
  core::Nanos next_counters = 0, stop_deadline = 0;
  while (!shards_.finished()) {
    std::size_t n = 0;
    if (!input_done_) {
      const core::Nanos wall = core::wall_now();
      if (wall >= next_counters) {
        source.refresh_counters();
        next_counters = wall + kCounterInterval;
      }
      if (live.stop && live.stop->load(std::memory_order_relaxed) && stop_deadline == 0) stop_deadline = wall + kStopDrain;
      n = source.poll(sink, kLiveBurst);
      if (n) {
        live.clock->note(live_.last_ts);
        published_packets_.store(stats_.packets, std::memory_order_relaxed);
        published_flows_.store(table_.stats().active, std::memory_order_relaxed);
      } else {
        // Nothing queued: time moves on without packets.
        live_ticks_through(live.clock->horizon());
      }
      if (stop_deadline && (n == 0 || wall >= stop_deadline)) {
        source.refresh_counters();
        live_finish();
      }
    }
    const bool got = drain_mesh();
    if (n || got) {
      idle_rounds = 0;
    } else if (++idle_rounds > kSpinRounds) {
      if (input_done_) std::this_thread::sleep_for(std::chrono::microseconds(50));
      else source.wait(kIdleWait);
    } else {
      std::this_thread::yield();
    }
  }
  live_.slot = nullptr;
  done_.store(true, std::memory_order_release);
}

}  // namespace picket::pipeline
