// Impact:EC2/PortSweep: a home-network host probes one port (or ICMP echo)
// on many hosts.
#include "distinct_tracker.hpp"
#include "scan_detectors.hpp"
#include "scan_finding.hpp"

namespace picket::detect::scan {
namespace {

const ParamSpec kParams[] = {
    {"min_hosts", 25, 2, 16777216, "hosts",
     "distinct hosts probed on one port that make a sweep; Zeek's addr_scan_threshold"},
    {"window", 300, 1, 86400, "seconds", "sliding window for counting hosts; Zeek's scan interval (5 min)"},
    {"report_interval", 60, 1, 86400, "seconds", "least time between updates of a running sweep's finding"},
    {"max_tracked", 100000, 100, 10000000, "pairs", "per shard (actor, port) pairs tracked at once"},
};

// ICMP echo requests count as a sweep of "port" = ICMP type.
bool sweep_port(const flow::FlowRecord& r, std::uint16_t& port) {
  switch (r.key.proto) {
    case 6:
    case 17: port = r.responder_port(); return true;
    case 1: port = r.icmp_type; return r.icmp_type == 8;     // echo request
    case 58: port = r.icmp_type; return r.icmp_type == 128;  // ICMPv6 echo request
    default: return false;
  }
}

class PortSweepShard final : public TrackerShard {
 public:
  explicit PortSweepShard(const DetectorContext& ctx) : TrackerShard(tracker_limits(ctx, 0, 1, 2, 3)) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    std::uint16_t port = 0;
    if (!e.initiator_local || !is_probe_flow(r) || !sweep_port(r, port)) return;
    probe(r, port, sink);
  }

 private:
  // Out of line: a flow that is not a probe (nearly all) then costs a few
  // instructions and no frame.
  [[gnu::noinline]] void probe(const flow::FlowRecord& r, std::uint16_t port, FindingSink& sink) {
    add({r.initiator(), {}, proto_port(r.key.proto, port)}, host_value(r.responder()), r.responder(), r.first_seen,
        sink);
  }

  Finding build(const TrackerKey& k, const Episode& ep, bool update) const override {
    Finding f;
    f.type = FindingType::kImpactPortSweep;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kOutbound;
    f.protocol = static_cast<std::uint8_t>(k.extra >> 16);
    f.local = k.actor;
    f.update = update;
    fill_scan_evidence(f, "port_sweep", ep, limits().threshold, limits().window, false);
    if (f.protocol == 6 || f.protocol == 17) {
      f.remote_port = static_cast<std::uint16_t>(k.extra & 0xffff);
    } else {
      // ICMP has no ports: the swept "port" is the echo request type.
      f.add_metric("icmpType", static_cast<double>(k.extra & 0xffff));
    }
    f.remote = f.host_count ? f.hosts[0] : core::IpAddr{};
    f.set_identity(k.actor, {}, k.extra);
    return f;
  }
};

}  // namespace

std::unique_ptr<Detector> make_port_sweep_detector() {
  return std::make_unique<DetectorOf<PortSweepShard>>(
      "port_sweep",
      "Impact:EC2/PortSweep - a home host probes one port (or ICMP echo) on >= min_hosts hosts within window", kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::scan
