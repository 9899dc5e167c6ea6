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

class PortSweepShard final : public DetectorShard {
 public:
  explicit PortSweepShard(const DetectorContext& ctx)
      : tracker_(TrackerLimits{core::seconds(ctx.params[1]), static_cast<std::size_t>(ctx.params[0]),
                               core::seconds(ctx.params[2]), static_cast<std::size_t>(ctx.params[3])}),
        threshold_(static_cast<std::size_t>(ctx.params[0])),
        window_(core::seconds(ctx.params[1])) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    std::uint16_t port = 0;
    if (!e.initiator_local || !r.is_probe() || !sweep_port(r, port)) return;
    const TrackerKey key{r.initiator(), {}, proto_port(r.key.proto, port)};
    if (const Episode* ep = tracker_.add(key, host_value(r.responder()), r.responder(), r.first_seen))
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
    f.type = FindingType::kImpactPortSweep;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kOutbound;
    f.protocol = static_cast<std::uint8_t>(k.extra >> 16);
    f.local = k.actor;
    f.update = update;
    fill_scan_evidence(f, "port_sweep", ep, threshold_, window_, false);
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

  DistinctTracker tracker_;
  std::size_t threshold_;
  core::Nanos window_;
};

class PortSweepDetector final : public Detector {
 public:
  const char* name() const override { return "port_sweep"; }
  const char* summary() const override {
    return "Impact:EC2/PortSweep - a home host probes one port (or ICMP echo) on >= min_hosts hosts within window";
  }
  std::span<const ParamSpec> params() const override { return kParams; }
  bool wants_flows() const override { return true; }
  std::unique_ptr<DetectorShard> make_shard(const DetectorContext& ctx) const override {
    return std::make_unique<PortSweepShard>(ctx);
  }
};

}  // namespace

std::unique_ptr<Detector> make_port_sweep_detector() { return std::make_unique<PortSweepDetector>(); }

}  // namespace picket::detect::scan
