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

}  // namespace picket::pipeline
