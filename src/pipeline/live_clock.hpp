#pragma once
// LiveClock: the tick schedule that workers reading their own live sources
// share. ShardHost merges events by watermarks and requires every worker to
// send the same tick values in the same order; with no capture thread to
// decide them, every worker sends every multiple of the tick from one common
// origin, each when its own packets pass it or, while it has nothing to
// read, when the shared horizon passes it.
#include <atomic>

#include "picket/capture/live_source.hpp"
#include "picket/core/clock.hpp"

namespace picket::pipeline {

class LiveClock {
 public:
  // `grace`: how far behind the wall clock an idle worker stays, so that a
  // packet the kernel has stamped but not yet queued is not late.
  LiveClock(capture::TimeBase base, core::Nanos tick, core::Nanos grace)
      : base_(base), tick_(tick ? tick : 1), grace_(grace) {
    if (base_ == capture::TimeBase::kWallClock) {
      const core::Nanos now = realtime() - grace_;
      origin_.store(now - now % tick_ + tick_, std::memory_order_relaxed);
    }
  }

  core::Nanos tick() const { return tick_; }
  // The first tick value, 0 while unknown (packet time before any packet).
  core::Nanos origin() const { return origin_.load(std::memory_order_acquire); }
  // The first tick value, fixed by the first packet any worker sees.
  core::Nanos origin_for(core::Nanos ts) {
    core::Nanos expected = 0;
    const core::Nanos mine = ts - ts % tick_ + tick_;
    if (origin_.compare_exchange_strong(expected, mine, std::memory_order_acq_rel)) return mine;
    return expected;
  }
  // Packet time: the latest time any worker has read (called once per burst).
  void note(core::Nanos ts) {
    if (base_ != capture::TimeBase::kPacket) return;
    core::Nanos cur = seen_.load(std::memory_order_relaxed);
    while (ts > cur && !seen_.compare_exchange_weak(cur, ts, std::memory_order_relaxed)) {
    }
  }
  // Ticks up to this time may be sent by a worker that has nothing to read.
  core::Nanos horizon() const {
    return base_ == capture::TimeBase::kWallClock ? realtime() - grace_ : seen_.load(std::memory_order_relaxed);
  }

  static core::Nanos realtime();

 private:
  capture::TimeBase base_;
  core::Nanos tick_, grace_;
  std::atomic<core::Nanos> origin_{0};
  std::atomic<core::Nanos> seen_{0};
};

}  // namespace picket::pipeline
