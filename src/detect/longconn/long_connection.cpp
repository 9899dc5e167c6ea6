// Behavior:EC2/LongConnection: one connection with a home end kept open past
// configurable duration bands (Low above low_seconds, Medium above
// medium_seconds). Long flows reach detectors as active-timeout segments of
// one flow key; they are joined here by the key, so state exists only for
// flows that outlived one active timeout.
#include <algorithm>
#include <cstdio>

#include "../common/capped_table.hpp"
#include "../common/key_hash.hpp"
#include "../common/pair_key.hpp"
#include "longconn_detector.hpp"

namespace picket::detect::longconn {
namespace {

const ParamSpec kParams[] = {
    {"low_seconds", 3600, 60, 31536000, "seconds",
     "a connection open longer than this is reported at Low severity: an hour outlasts web, API and mail sessions"},
    {"medium_seconds", 28800, 60, 31536000, "seconds",
     "longer than this, Medium: eight hours outlasts a working day of interactive SSH/RDP"},
    {"low_severity", 2, 1, 10, "severity", "severity of the first band (GuardDuty Low: 1.0-3.9)"},
    {"medium_severity", 5, 1, 10, "severity", "severity of the second band (GuardDuty Medium: 4.0-6.9)"},
    {"max_tracked", 100000, 100, 10000000, "flows", "per shard long flows tracked at once; least recent evicted"},
};

struct FlowKeyHash {
  std::size_t operator()(const flow::FlowKey& k) const {
    return static_cast<std::size_t>(common::hash_key_bytes(&k, sizeof k));
  }
};

struct LongFlow {
  core::Nanos start = 0, last = 0;
  std::uint64_t bytes_out = 0, bytes_in = 0;  // initiator -> responder, and back
  std::uint32_t segments = 0;
  std::uint8_t band = 0;  // highest band reported: 0 none, 1 low, 2 medium
};

class LongConnectionShard final : public DetectorShard {
 public:
  explicit LongConnectionShard(const DetectorContext& ctx)
      : low_(common::seconds_param(ctx, 0, 3600)),
        medium_(common::seconds_param(ctx, 1, 28800)),
        low_severity_(common::param(ctx, 2, 2)),
        medium_severity_(common::param(ctx, 3, 5)),
        shortest_(std::min(low_, medium_)),
        flows_(static_cast<std::size_t>(common::param(ctx, 4, 100000))) {}

  void counters(CounterSink& c) const override { c.count("flows_evicted", flows_.evictions()); }

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (!(e.initiator_local || e.responder_local)) return;
    // The common case, tested here without a frame: a flow shorter than the
    // lowest band, ending in one record, while no long flow is tracked (the
    // table is often empty): nothing to keep or find.
    if (r.end_reason != flow::FlowEndReason::kActiveTimeout && flows_.size() == 0 &&
        r.last_seen - r.first_seen < shortest_)
      return;
    track(e, sink);
  }

 private:
  [[gnu::noinline]] void track(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    const bool more_to_come = r.end_reason == flow::FlowEndReason::kActiveTimeout;
    LongFlow* lf = nullptr;
    bool created = false;
    if (more_to_come) {
      lf = &flows_.touch(r.key, created);  // created, or now the most recently used
    } else {
      // The last record of a flow: its entry, if any, is erased below, so it
      // needs no touch; most flows have none (the table is often empty).
      if (flows_.size() != 0) lf = flows_.find(r.key);
      if (!lf) {
        // A flow shorter than the lowest band, ending in one record: nothing to keep.
        if (r.last_seen - r.first_seen < shortest_) return;
        lf = &flows_.touch(r.key, created);
      }
    }
    if (created) lf->start = r.first_seen;
    lf->last = std::max(lf->last, r.last_seen);
    lf->bytes_out += r.bytes[flow::kToResponder];
    lf->bytes_in += r.bytes[flow::kToInitiator];
    ++lf->segments;
    const core::Nanos duration = lf->last - lf->start;
    const std::uint8_t band = duration >= medium_ ? 2 : duration >= low_ ? 1 : 0;
    if (band > lf->band) {
      report(e, *lf, band, sink);
      lf->band = band;
    }
    if (!more_to_come) flows_.erase(r.key);
  }

  void report(const FlowEvent& e, const LongFlow& lf, std::uint8_t band, FindingSink& sink) {
    const auto& r = e.rec;
    Finding f;
    f.type = FindingType::kBehaviorLongConnection;
    f.severity = band == 2 ? medium_severity_ : low_severity_;
    const bool local_init = e.initiator_local;
    f.direction = local_init ? Direction::kOutbound : Direction::kInbound;
    f.protocol = r.key.proto;
    f.local = local_init ? r.initiator() : r.responder();
    f.remote = local_init ? r.responder() : r.initiator();
    f.local_port = local_init ? r.initiator_port() : r.responder_port();
    f.remote_port = local_init ? r.responder_port() : r.initiator_port();
    f.first_seen = lf.start;
    f.last_seen = lf.last;
    // The second band updates the finding of the first: same connection.
    f.update = lf.band != 0;
    std::snprintf(f.detector, sizeof f.detector, "long_connection");
    f.add_metric("durationSeconds", common::to_seconds(lf.last - lf.start));
    f.add_metric("bandSeconds", common::to_seconds(band == 2 ? medium_ : low_));
    f.add_metric("bytesOut", static_cast<double>(local_init ? lf.bytes_out : lf.bytes_in));
    f.add_metric("bytesIn", static_cast<double>(local_init ? lf.bytes_in : lf.bytes_out));
    f.add_metric("segments", lf.segments);
    f.ports[0] = r.responder_port();
    f.port_count = 1;
    f.set_identity(r.initiator(), r.responder(),
                   (std::uint32_t{r.initiator_port()} << 16) | r.responder_port());
    sink.emit(f);
  }

  core::Nanos low_, medium_;
  double low_severity_, medium_severity_;
  core::Nanos shortest_;  // min(low_, medium_)
  common::CappedTable<flow::FlowKey, LongFlow, FlowKeyHash> flows_;
};

}  // namespace

std::unique_ptr<Detector> make_long_connection_detector() {
  return std::make_unique<DetectorOf<LongConnectionShard>>(
      "long_connection",
      "Behavior:EC2/LongConnection - a connection with a home end open longer than low_seconds (Low) or "
      "medium_seconds (Medium)",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::longconn
