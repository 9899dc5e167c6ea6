#pragma once
// Building a scan finding from an episode: shared by the three scan detectors.
#include <memory>
#include <span>

#include "distinct_tracker.hpp"
#include "picket/detect/detector.hpp"
#include "picket/detect/finding.hpp"

namespace picket::detect::scan {

// Fills timing, evidence figures and samples; the caller sets type,
// endpoints and identity.
void fill_scan_evidence(Finding& f, const char* detector, const Episode& ep, std::size_t threshold,
                        core::Nanos window, bool values_are_ports);

// A host as a tracked value. It only speeds up comparison: the tracker also
// compares the address itself, so two hosts are never merged.
inline std::uint64_t host_value(const core::IpAddr& a) {
  std::uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | a.bytes[i];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | a.bytes[i];
  return hi ^ (lo * 0x9E3779B97F4A7C15ULL);
}

// FlowRecord::is_probe() with its commonest "no" tested first, for the
// detectors that ask it of every flow: a TCP flow whose initiator sent
// payload, or a non-TCP flow that got an answer, is never a probe (every
// "yes" of is_probe() needs no initiator payload for TCP, no reply otherwise).
inline bool is_probe_flow(const flow::FlowRecord& r) {
  if (r.key.proto == 6 ? r.payload_bytes[flow::kToResponder] != 0 : r.packets[flow::kToInitiator] != 0) return false;
  return r.is_probe();
}

inline std::uint32_t proto_port(std::uint8_t proto, std::uint16_t port) {
  return (std::uint32_t{proto} << 16) | port;
}

// Tracker limits from a detector's parameters, given their indexes.
TrackerLimits tracker_limits(const DetectorContext& ctx, std::size_t threshold, std::size_t window,
                             std::size_t report_interval, std::size_t max_tracked);

// A shard built on one DistinctTracker: reports growth on ticks and at the
// end; the subclass decides what counts (on_flow) and builds the finding.
class TrackerShard : public DetectorShard {
 public:
  explicit TrackerShard(const TrackerLimits& limits) : tracker_(limits), limits_(limits) {}
  void on_tick(core::Nanos now, FindingSink& sink) override { sweep(now, false, sink); }
  void on_flush(FindingSink& sink) override { sweep(core::kNanosMax, true, sink); }
  void counters(CounterSink& c) const override { c.count("keys_refused", tracker_.dropped_keys()); }

 protected:
  virtual Finding build(const TrackerKey& key, const Episode& ep, bool update) const = 0;
  void add(const TrackerKey& key, std::uint64_t value, const core::IpAddr& host, core::Nanos ts, FindingSink& sink) {
    if (const Episode* ep = tracker_.add(key, value, host, ts)) sink.emit(build(key, *ep, false));
  }
  const TrackerLimits& limits() const { return limits_; }

 private:
  void sweep(core::Nanos now, bool final, FindingSink& sink) {
    tracker_.sweep(now, final, [&](const TrackerKey& k, const Episode& ep) { sink.emit(build(k, ep, true)); });
  }
  DistinctTracker tracker_;
  TrackerLimits limits_;
};

}  // namespace picket::detect::scan
