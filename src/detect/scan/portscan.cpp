// Recon:EC2/Portscan: a home-network host probes many ports of one host.
#include "distinct_tracker.hpp"
#include "scan_detectors.hpp"
#include "scan_finding.hpp"

namespace picket::detect::scan {
namespace {

const ParamSpec kParams[] = {
    {"min_ports", 15, 2, 65536, "ports",
     "distinct probed ports on one target that make a scan; Zeek's port_scan_threshold"},
    {"window", 300, 1, 86400, "seconds", "sliding window for counting ports; Zeek's scan interval (5 min)"},
    {"report_interval", 60, 1, 86400, "seconds", "least time between updates of a running scan's finding"},
    {"max_tracked", 100000, 100, 10000000, "pairs", "per shard (actor, target) pairs tracked at once"},
};

class PortscanShard final : public DetectorShard {
 public:
  explicit PortscanShard(const DetectorContext& ctx)
      : tracker_(TrackerLimits{core::seconds(ctx.params[1]), static_cast<std::size_t>(ctx.params[0]),
                               core::seconds(ctx.params[2]), static_cast<std::size_t>(ctx.params[3])}),
        threshold_(static_cast<std::size_t>(ctx.params[0])),
        window_(core::seconds(ctx.params[1])) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (!e.initiator_local || !r.is_probe() || (r.key.proto != 6 && r.key.proto != 17)) return;
    const TrackerKey key{r.initiator(), r.responder(), r.key.proto};
    if (const Episode* ep = tracker_.add(key, proto_port(r.key.proto, r.responder_port()), {}, r.first_seen))
      sink.emit(build(key, *ep, false));
  }
  void on_tick(core::Nanos now, FindingSink& sink) override {
    tracker_.sweep(now, false, [&](const TrackerKey& k, const Episode& ep) { sink.emit(build(k, ep, true)); });
  }
  void on_flush(FindingSink& sink) override {
    tracker_.sweep(core::kNanosMax, true, [&](const TrackerKey& k, const Episode& ep) { sink.emit(build(k, ep, true)); });
  }

 private:
  Finding build(const TrackerKey& k, const Episode& ep, bool update) const {
    Finding f;
    f.type = FindingType::kReconPortscan;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kOutbound;
    f.protocol = static_cast<std::uint8_t>(k.extra);
    f.local = k.actor;
    f.remote = k.target;
    f.update = update;
    fill_scan_evidence(f, "portscan", ep, threshold_, window_, true);
    f.remote_port = f.port_count ? f.ports[0] : 0;
    f.set_identity(k.actor, k.target, k.extra);
    return f;
  }

  DistinctTracker tracker_;
  std::size_t threshold_;
  core::Nanos window_;
};

class PortscanDetector final : public Detector {
 public:
  const char* name() const override { return "portscan"; }
  const char* summary() const override {
    return "Recon:EC2/Portscan - a home host probes >= min_ports ports of one host within window";
  }
  std::span<const ParamSpec> params() const override { return kParams; }
  bool wants_flows() const override { return true; }
  std::unique_ptr<DetectorShard> make_shard(const DetectorContext& ctx) const override {
    return std::make_unique<PortscanShard>(ctx);
  }
};

}  // namespace

std::unique_ptr<Detector> make_portscan_detector() { return std::make_unique<PortscanDetector>(); }

}  // namespace picket::detect::scan
