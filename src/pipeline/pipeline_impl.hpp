#pragma once
// The pipeline's shared state, for the files that drive it: pipeline.cpp
// (packets) and record_feed.cpp (flow records and logs).
#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "messages.hpp"
#include "picket/core/spsc_ring.hpp"
#include "picket/pipeline/pipeline.hpp"
#include "worker.hpp"

namespace picket::pipeline {

using core::SpscRing;

struct Pipeline::Impl {
  PipelineConfig cfg;
  unsigned n = 1;
  std::vector<std::unique_ptr<SpscRing<PacketSlot>>> inputs;
  std::vector<std::unique_ptr<SpscRing<MeshMessage>>> mesh;  // [from * n + to]
  std::vector<std::unique_ptr<SpscRing<detect::Finding>>> findings;
  std::vector<std::unique_ptr<SpscRing<exporter::EventRecord>>> events;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<core::Nanos> capture_now{0};
  std::atomic<std::uint64_t> findings_so_far{0};  // for live progress lines
  PipelineStats stats;
  std::vector<const char*> shard_detectors;  // detector name of each shard slot (same on every worker)

  void exporter_loop();
  void events_loop();
  bool all_workers_done() const {
    return std::all_of(workers.begin(), workers.end(), [](const auto& w) { return w->done(); });
  }
  void push_control(unsigned w, PacketSlot::Kind kind, core::Nanos tick);
  // Detector shard counters summed over workers into s.detector_counters (any thread).
  void collect_detector_counters(PipelineStats& s) const;
};

// The ticks of a capture thread that reads a capture file or flow records:
// at whole multiples of the tick, derived from the input's times alone, so
// that they fall at the same place in the stream in every run.
struct TickSchedule {
  core::Nanos tick = 1;
  core::Nanos next = 0;
  bool started = false;

  // The input's (nondecreasing) time has reached `t`: notes the first time
  // and, once t passes the next tick, sends that tick to every worker.
  void advance(Pipeline::Impl& m, core::Nanos t) {
    if (!started) {
      started = true;
      m.stats.capture_first_ns = t;
      next = t - t % tick + tick;
    }
    if (t < next) return;
    const core::Nanos at = t - t % tick;
    for (unsigned w = 0; w < m.n; ++w) m.push_control(w, PacketSlot::Kind::kTick, at);
    m.capture_now.store(at, std::memory_order_relaxed);
    next = at + tick;
    since_watermark = 0;
  }

  // One more packet (record) went to a worker; `clock` is the input's time.
  // Every kPacketsPerWatermark of them, a watermark between ticks
  // (messages.hpp): nothing dispatched later is older than `clock`.
  void dispatched(Pipeline::Impl& m, core::Nanos clock) {
    if (++since_watermark < kPacketsPerWatermark) return;
    since_watermark = 0;
    for (unsigned w = 0; w < m.n; ++w) m.push_control(w, PacketSlot::Kind::kWatermark, clock);
  }
  std::uint64_t since_watermark = 0;
};

}  // namespace picket::pipeline
