// Recon:EC2/InboundPortscan: a host outside the home network probes many
// ports of one home host, or one port on many home hosts.
#include "distinct_tracker.hpp"
#include "scan_detectors.hpp"
#include "scan_finding.hpp"

namespace picket::detect::scan {
namespace {

const ParamSpec kParams[] = {
    {"min_ports", 15, 2, 65536, "ports", "distinct ports probed on one home host; Zeek's port_scan_threshold"},
    {"min_hosts", 25, 2, 16777216, "hosts", "distinct home hosts probed on one port; Zeek's addr_scan_threshold"},
    {"window", 300, 1, 86400, "seconds", "sliding window for counting; Zeek's scan interval (5 min)"},
    {"report_interval", 60, 1, 86400, "seconds", "least time between updates of a running scan's finding"},
    {"max_tracked", 100000, 100, 10000000, "pairs", "per shard keys tracked at once, for each of the two counts"},
};

class InboundPortscanShard final : public DetectorShard {
 public:
  explicit InboundPortscanShard(const DetectorContext& ctx)
      : min_ports_(static_cast<std::size_t>(ctx.params[0])),
        min_hosts_(static_cast<std::size_t>(ctx.params[1])),
        window_(core::seconds(ctx.params[2])),
        ports_(tracker_limits(ctx, 0, 2, 3, 4)),
        hosts_(tracker_limits(ctx, 1, 2, 3, 4)) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (e.initiator_local || !e.responder_local || !r.is_probe()) return;
    if (r.key.proto != 6 && r.key.proto != 17) return;
    const std::uint32_t pp = proto_port(r.key.proto, r.responder_port());
    const TrackerKey by_target{r.initiator(), r.responder(), r.key.proto};
    if (const Episode* ep = ports_.add(by_target, pp, {}, r.first_seen)) sink.emit(build_ports(by_target, *ep, false));
    const TrackerKey by_port{r.initiator(), {}, pp};
    if (const Episode* ep = hosts_.add(by_port, host_value(r.responder()), r.responder(), r.first_seen)) sink.emit(build_hosts(by_port, *ep, false));
  }
  void on_tick(core::Nanos now, FindingSink& sink) override { sweep(now, false, sink); }
  void on_flush(FindingSink& sink) override { sweep(core::kNanosMax, true, sink); }
  void counters(CounterSink& c) const override {
    c.count("target_keys_refused", ports_.dropped_keys());  // (scanner, home target): the port count
    c.count("port_keys_refused", hosts_.dropped_keys());    // (scanner, port): the host count
  }

 private:
  void sweep(core::Nanos now, bool final, FindingSink& sink) {
    ports_.sweep(now, final, [&](const TrackerKey& k, const Episode& ep) { sink.emit(build_ports(k, ep, true)); });
    hosts_.sweep(now, final, [&](const TrackerKey& k, const Episode& ep) { sink.emit(build_hosts(k, ep, true)); });
  }
  Finding base(const TrackerKey& k, bool update) const {
    Finding f;
    f.type = FindingType::kReconInboundPortscan;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kInbound;
    f.remote = k.actor;
    f.update = update;
    return f;
  }
  // Many ports of one home host: the resource is that host.
  Finding build_ports(const TrackerKey& k, const Episode& ep, bool update) const {
    Finding f = base(k, update);
    f.protocol = static_cast<std::uint8_t>(k.extra);
    f.local = k.target;
    fill_scan_evidence(f, "inbound_portscan", ep, min_ports_, window_, true);
    f.local_port = f.port_count ? f.ports[0] : 0;
    f.set_identity(k.actor, k.target, k.extra);
    return f;
  }
  // One port on many home hosts: the resource is the first host probed (by address).
  Finding build_hosts(const TrackerKey& k, const Episode& ep, bool update) const {
    Finding f = base(k, update);
    f.protocol = static_cast<std::uint8_t>(k.extra >> 16);
    f.local_port = static_cast<std::uint16_t>(k.extra & 0xffff);
    fill_scan_evidence(f, "inbound_portscan", ep, min_hosts_, window_, false);
    f.local = f.host_count ? f.hosts[0] : core::IpAddr{};
    f.ports[0] = f.local_port;
    f.port_count = 1;
    f.set_identity(k.actor, {}, k.extra | 0x80000000u);
    return f;
  }

  std::size_t min_ports_, min_hosts_;
  core::Nanos window_;
  DistinctTracker ports_, hosts_;
};

}  // namespace

std::unique_ptr<Detector> make_inbound_portscan_detector() {
  return std::make_unique<DetectorOf<InboundPortscanShard>>(
      "inbound_portscan",
      "Recon:EC2/InboundPortscan - a remote host probes >= min_ports ports of a home host, or one port on >= "
      "min_hosts home hosts, within window",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::scan
