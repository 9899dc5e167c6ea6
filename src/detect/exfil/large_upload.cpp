// Exfiltration:EC2/LargeOutboundTransfer: a home host sends far more bytes to
// one remote host than it gets back, above a floor, within a window.
//
// Keyed by (initiator, responder, which end is home): uploads the home host
// starts and downloads a remote host pulls from it are counted apart, so the
// flows of a key always meet in the initiator's shard (worker invariance).
#include <algorithm>
#include <cstdio>

#include "../common/capped_table.hpp"
#include "../common/pair_key.hpp"
#include "exfil_detector.hpp"

namespace picket::detect::exfil {
namespace {

using common::PairKey;
using common::PairKeyHash;

const ParamSpec kParams[] = {
    {"min_bytes", 1e8, 1e5, 1e15, "bytes",
     "IP bytes out to one remote host within window (100 MB): more than a day of ordinary API, log or telemetry "
     "traffic to a single peer, far less than a database dump"},
    {"min_ratio", 10, 1, 1e9, "ratio",
     "bytes out must be this many times bytes in: a download, a sync or an interactive session moves data both "
     "ways, an upload is one-sided (TCP ACKs alone come back at ~2-4% of the bytes)"},
    {"window", 3600, 60, 604800, "seconds",
     "bytes are summed over a window that starts at the pair's first flow and restarts after this long"},
    {"report_interval", 300, 1, 86400, "seconds", "least time between updates while the transfer goes on"},
    {"max_tracked", 50000, 100, 10000000, "pairs", "per shard (host, remote) pairs tracked at once; least recent evicted"},
};

struct Transfer {
  std::uint64_t out = 0, in = 0, flows = 0, reported = 0;
  core::Nanos start = 0, last = 0, last_report = 0;
  bool firing = false;
  std::uint16_t port = 0;
};

class LargeUploadShard final : public DetectorShard {
 public:
  explicit LargeUploadShard(const DetectorContext& ctx)
      : min_bytes_(common::param(ctx, 0, 1e8)),
        min_ratio_(common::param(ctx, 1, 10)),
        window_(common::seconds_param(ctx, 2, 3600)),
        report_interval_(common::seconds_param(ctx, 3, 300)),
        pairs_(static_cast<std::size_t>(common::param(ctx, 4, 50000))) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    if (e.initiator_local == e.responder_local) return;  // both or neither at home
    add(e, sink);
  }

  void counters(CounterSink& c) const override { c.count("pairs_evicted", pairs_.evictions()); }

  void on_flush(FindingSink& sink) override {
    // Nothing to report unless some pair may be firing (firing_ over-counts
    // pairs evicted while firing, never under-counts): the walk is skipped.
    if (firing_ == 0) {
      pairs_.clear();
      return;
    }
    // end_window() without its reset: the table is emptied right after, and
    // a reused node's value is reset when its next key takes it.
    pairs_.drain([&](const PairKey& k, Transfer& t) {
      if (t.firing && t.out != t.reported) report(k, t, true, sink);
    });
    firing_ = 0;
  }

 private:
  // on_flow's work for a flow with one home end, out of line so that the
  // others (most flows) cost a few instructions and no frame.
  [[gnu::noinline]] void add(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    const bool local_init = e.initiator_local;
    const std::uint64_t out = r.bytes[local_init ? flow::kToResponder : flow::kToInitiator];
    const std::uint64_t in = r.bytes[local_init ? flow::kToInitiator : flow::kToResponder];
    const PairKey key{r.initiator(), r.responder(), local_init ? 1u : 0u};
    bool created = false;
    Transfer& t = pairs_.touch(key, created);
    // Flows come in end-time order: one that began before the window's start
    // (a long flow ending after shorter ones) belongs to this window.
    if (!created && r.first_seen > t.start && r.first_seen - t.start > window_) end_window(key, t, sink);
    if (t.flows == 0) {
      t.start = r.first_seen;
      t.port = local_init ? r.responder_port() : r.initiator_port();
    }
    ++t.flows;
    t.out += out;
    t.in += in;
    t.start = std::min(t.start, r.first_seen);
    t.last = std::max(t.last, r.last_seen);
    if (!t.firing) {
      if (static_cast<double>(t.out) >= min_bytes_ &&
          static_cast<double>(t.out) >= min_ratio_ * static_cast<double>(t.in)) {
        t.firing = true;
        ++firing_;
        report(key, t, false, sink);
      }
    } else if (t.last - t.last_report >= report_interval_) {
      report(key, t, true, sink);
    }
  }

  void end_window(const PairKey& k, Transfer& t, FindingSink& sink) {
    if (t.firing) {
      if (t.out != t.reported) report(k, t, true, sink);
      --firing_;
    }
    t = Transfer{};
  }

  void report(const PairKey& k, Transfer& t, bool update, FindingSink& sink) {
    const bool local_init = k.extra == 1;
    Finding f;
    f.type = FindingType::kExfiltrationLargeOutboundTransfer;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kOutbound;
    f.protocol = 0;
    common::set_pair_hosts(f, k, local_init, t.port);
    f.first_seen = t.start;
    f.last_seen = t.last;
    f.update = update;
    std::snprintf(f.detector, sizeof f.detector, "large_outbound_transfer");
    f.add_metric("bytesOut", static_cast<double>(t.out));
    f.add_metric("bytesIn", static_cast<double>(t.in));
    f.add_metric("outInRatio", t.in ? static_cast<double>(t.out) / static_cast<double>(t.in) : static_cast<double>(t.out));
    f.add_metric("thresholdBytes", min_bytes_);
    f.add_metric("thresholdRatio", min_ratio_);
    f.add_metric("flows", static_cast<double>(t.flows));
    f.add_metric("durationSeconds", common::to_seconds(t.last - t.start));
    f.ports[0] = t.port;
    f.port_count = 1;
    f.set_identity(k.initiator, k.responder, k.extra);
    sink.emit(f);
    t.reported = t.out;
    t.last_report = t.last;
  }

  double min_bytes_, min_ratio_;
  core::Nanos window_, report_interval_;
  common::CappedTable<PairKey, Transfer, PairKeyHash> pairs_;
  std::uint64_t firing_ = 0;  // pairs set firing and not ended since (or evicted)
};

}  // namespace

std::unique_ptr<Detector> make_large_upload_detector() {
  return std::make_unique<DetectorOf<LargeUploadShard>>(
      "large_outbound_transfer",
      "Exfiltration:EC2/LargeOutboundTransfer - a home host sends >= min_bytes to one remote host, >= min_ratio times "
      "what comes back, within window",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::exfil
