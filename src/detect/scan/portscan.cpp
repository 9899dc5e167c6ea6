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

class PortscanShard final : public TrackerShard {
 public:
  explicit PortscanShard(const DetectorContext& ctx) : TrackerShard(tracker_limits(ctx, 0, 1, 2, 3)) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (!e.initiator_local || !is_probe_flow(r) || (r.key.proto != 6 && r.key.proto != 17)) return;
    probe(r, sink);
  }

 private:
  // Out of line: a flow that is not a probe (nearly all) then costs a few
  // instructions and no frame.
  [[gnu::noinline]] void probe(const flow::FlowRecord& r, FindingSink& sink) {
    add({r.initiator(), r.responder(), r.key.proto}, proto_port(r.key.proto, r.responder_port()), {}, r.first_seen,
        sink);
  }

  Finding build(const TrackerKey& k, const Episode& ep, bool update) const override {
    Finding f;
    f.type = FindingType::kReconPortscan;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kOutbound;
    f.protocol = static_cast<std::uint8_t>(k.extra);
    f.local = k.actor;
    f.remote = k.target;
    f.update = update;
    fill_scan_evidence(f, "portscan", ep, limits().threshold, limits().window, true);
    f.remote_port = f.port_count ? f.ports[0] : 0;
    f.set_identity(k.actor, k.target, k.extra);
    return f;
  }
};

}  // namespace

std::unique_ptr<Detector> make_portscan_detector() {
  return std::make_unique<DetectorOf<PortscanShard>>(
      "portscan", "Recon:EC2/Portscan - a home host probes >= min_ports ports of one host within window", kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::scan
