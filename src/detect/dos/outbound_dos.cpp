// Backdoor:EC2/DenialOfService.{Tcp,Udp,Dns,UdpOnTcpPorts,UnusualProtocol}: a
// home host sends flood packets to one remote host at a high rate for a while.
//
// Flows are reported when they end (idle/closed) or every active timeout, so
// the rate is computed from the flows themselves: the sum of their packets
// over the span from the earliest first packet to the latest last packet.
#include <algorithm>
#include <cstdio>

#include "../common/capped_table.hpp"
#include "../common/pair_key.hpp"
#include "dos_detector.hpp"

namespace picket::detect::dos {
namespace {

using common::PairKey;
using common::PairKeyHash;

const ParamSpec kParams[] = {
    {"min_pps", 1000, 10, 1e9, "packets/s",
     "flood packets per second to one remote host; far above any one-way protocol a server sends to a single peer "
     "(VoIP ~50 pps, a video stream a few hundred) yet a tenth of what one core of a bot sends"},
    {"min_seconds", 10, 1, 86400, "seconds",
     "the rate must hold this long: a burst shorter than this is a retransmission storm or a scan, not a DoS"},
    {"min_out_in_ratio", 10, 1, 1e6, "ratio",
     "a flow counts as flood when the host sends this many times more packets than it gets back (TCP bulk "
     "transfers are ~2:1 with delayed ACKs); TCP flows without initiator payload (SYN/ACK/RST floods) count always"},
    {"gap", 30, 1, 3600, "seconds", "a pause longer than this ends an attack; the next burst is a new episode"},
    {"report_interval", 300, 1, 86400, "seconds", "least time between updates of a running attack's finding"},
    {"max_tracked", 50000, 100, 10000000, "pairs", "per shard (host, victim, type) triples tracked; least recent evicted"},
};

// UDP to these ports is not their protocol: services that only speak TCP.
// 443 is left out (QUIC), as are 53 (DNS has its own type) and 3389
// (RDP's UDP transport).
bool tcp_only_port(std::uint16_t p) {
  switch (p) {
    case 21: case 22: case 23: case 25: case 80: case 110: case 143: case 179: case 445: case 465: case 587:
    case 993: case 995: case 1433: case 1521: case 3306: case 5432: case 5985: case 5986: case 6379: case 8080:
    case 8443: case 9200: case 27017:
      return true;
    default:
      return false;
  }
}

FindingType classify(const flow::FlowRecord& r) {
  if (r.key.proto == 6) return FindingType::kBackdoorDosTcp;
  if (r.key.proto == 17) {
    const std::uint16_t port = r.responder_port();
    if (port == 53) return FindingType::kBackdoorDosDns;
    if (tcp_only_port(port)) return FindingType::kBackdoorDosUdpOnTcpPorts;
    return FindingType::kBackdoorDosUdp;
  }
  // ICMP floods, GRE, IGMP, raw IP protocol numbers: GuardDuty's "unusual protocol".
  return FindingType::kBackdoorDosUnusualProtocol;
}

struct Burst {
  std::uint64_t packets = 0, bytes = 0, flows = 0;
  std::uint64_t reported = 0;
  core::Nanos start = 0, end = 0, last_report = 0;
  bool firing = false;
  std::uint8_t proto = 0;
  std::uint16_t port = 0;  // first victim port seen
};

class OutboundDosShard final : public DetectorShard {
 public:
  explicit OutboundDosShard(const DetectorContext& ctx)
      : min_pps_(common::param(ctx, 0, 1000)),
        min_duration_(common::seconds_param(ctx, 1, 10)),
        min_ratio_(common::param(ctx, 2, 10)),
        gap_(common::seconds_param(ctx, 3, 30)),
        report_interval_(common::seconds_param(ctx, 4, 300)),
        bursts_(static_cast<std::size_t>(common::param(ctx, 5, 50000))) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (!e.initiator_local || e.responder_local) return;
    const std::uint64_t out = r.packets[flow::kToResponder], in = r.packets[flow::kToInitiator];
    if (out == 0) return;
    const bool unanswered_ratio = static_cast<double>(out) >= min_ratio_ * static_cast<double>(std::max<std::uint64_t>(in, 1));
    const bool payloadless_tcp = r.key.proto == 6 && r.payload_bytes[flow::kToResponder] == 0;
    if (!unanswered_ratio && !payloadless_tcp) return;
    add(e, sink);
  }

  // Out of line: the tests above leave out almost every flow (answered,
  // two-sided traffic), which then costs a few instructions and no frame.
  [[gnu::noinline]] void add(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    const std::uint64_t out = r.packets[flow::kToResponder];
    const FindingType type = classify(r);
    const PairKey key{r.initiator(), r.responder(), static_cast<std::uint32_t>(type)};
    bool created = false;
    Burst& b = bursts_.touch(key, created);
    if (!created && r.first_seen > b.end + gap_) end_burst(key, b, sink);
    if (b.flows == 0) {
      b.start = r.first_seen;
      b.end = r.last_seen;
      b.proto = r.key.proto;
      b.port = r.responder_port();
    }
    ++b.flows;
    b.packets += out;
    b.bytes += r.bytes[flow::kToResponder];
    b.start = std::min(b.start, r.first_seen);
    b.end = std::max(b.end, r.last_seen);
    const core::Nanos span = b.end - b.start;
    if (!b.firing) {
      if (span >= min_duration_ && rate(b) >= min_pps_) {
        b.firing = true;
        report(key, b, false, sink);
      }
    } else if (b.end - b.last_report >= report_interval_) {
      report(key, b, true, sink);
    }
  }

  void on_tick(core::Nanos now, FindingSink& sink) override {
    if (now < next_sweep_) return;
    next_sweep_ = now + gap_;
    bursts_.sweep([&](const PairKey& k, Burst& b) {
      // Flows end up to an idle timeout after their last packet: wait for
      // those before calling the burst over.
      if (now - b.end <= gap_ + core::seconds(600)) return false;
      end_burst(k, b, sink);
      return true;
    });
  }

  void counters(CounterSink& c) const override { c.count("pairs_evicted", bursts_.evictions()); }

  void on_flush(FindingSink& sink) override {
    bursts_.drain([&](const PairKey& k, Burst& b) {
      end_burst(k, b, sink);
    });
  }

 private:
  static double rate(const Burst& b) {
    const double s = common::to_seconds(b.end - b.start);
    return s > 0 ? static_cast<double>(b.packets) / s : 0;
  }

  void end_burst(const PairKey& k, Burst& b, FindingSink& sink) {
    if (b.firing && b.packets != b.reported) report(k, b, true, sink);
    b = Burst{};
  }

  void report(const PairKey& k, Burst& b, bool update, FindingSink& sink) {
    Finding f;
    f.type = static_cast<FindingType>(k.extra);
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kOutbound;
    f.protocol = b.proto;
    f.local = k.initiator;
    f.remote = k.responder;
    f.remote_port = b.proto == 6 || b.proto == 17 ? b.port : 0;
    f.first_seen = b.start;
    f.last_seen = b.end;
    f.update = update;
    std::snprintf(f.detector, sizeof f.detector, "outbound_dos");
    f.add_metric("packets", static_cast<double>(b.packets));
    f.add_metric("packetsPerSecond", rate(b));
    f.add_metric("durationSeconds", common::to_seconds(b.end - b.start));
    f.add_metric("thresholdPps", min_pps_);
    f.add_metric("bytes", static_cast<double>(b.bytes));
    f.add_metric("flows", static_cast<double>(b.flows));
    f.add_metric("ipProtocol", b.proto);
    f.set_identity(k.initiator, k.responder, k.extra);
    sink.emit(f);
    b.reported = b.packets;
    b.last_report = b.end;
  }

  double min_pps_;
  core::Nanos min_duration_;
  double min_ratio_;
  core::Nanos gap_, report_interval_;
  common::CappedTable<PairKey, Burst, PairKeyHash> bursts_;
  core::Nanos next_sweep_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_outbound_dos_detector() {
  return std::make_unique<DetectorOf<OutboundDosShard>>(
      "outbound_dos",
      "DenialOfService.Tcp/Udp/Dns/UdpOnTcpPorts/UnusualProtocol - a home host floods one remote host at >= min_pps "
      "for >= min_seconds",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::dos
