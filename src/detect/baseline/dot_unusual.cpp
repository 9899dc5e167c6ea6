// DefenseEvasion:EC2/UnusualDoTActivity: a home host talks DNS over TLS
// (TCP 853, RFC 7858) to a server it never used so before, after learning.
#include "baseline_detectors.hpp"
#include "novelty_shard.hpp"

namespace picket::detect::baseline {

namespace {

enum Param : std::size_t { kPort = kCommonParams, kParamCount };

const ParamSpec kParams[] = {
    PICKET_NOVELTY_COMMON_PARAMS(16, "servers",
                                 "DoT servers remembered per host; a host that uses more is a resolver or relay "
                                 "and is left alone"),
    {"port", 853, 1, 65535, "port", "the DNS-over-TLS port (RFC 7858)"},
};
static_assert(std::size(kParams) == kParamCount);

class DotUnusualShard final : public NoveltyShard {
 public:
  explicit DotUnusualShard(const DetectorContext& ctx)
      : NoveltyShard(ctx, "dot_unusual"), port_(static_cast<std::uint16_t>(ctx.params[kPort])) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    saw(r.end_time);
    if (e.initiator_local && !e.responder_local) outbound(e, sink);
  }

 private:
  // Out of line, like judge(): a flow that is not outbound (most are DNS
  // inside the home network) then costs a few instructions and no frame.
  [[gnu::noinline]] void outbound(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    table_.touch(r.initiator(), r.first_seen);
    if (r.key.proto != 6 || r.responder_port() != port_ || !answered(r)) return;
    judge(e, sink);
  }

  // Out of line: most outbound flows only touch their host, and the
  // finding's large frame would otherwise be set up for each of them.
  [[gnu::noinline]] void judge(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    if (table_.observe(r.initiator(), addr_item(r.responder()), r.first_seen) != NoveltyTable::Verdict::kNovel) return;
    Finding f = novel_finding(FindingType::kDefenseEvasionUnusualDotActivity, r.initiator(), r.responder(),
                              r.first_seen, "knownDotServers");
    f.protocol = 6;
    f.remote_port = port_;
    f.local_port = r.initiator_port();
    f.add_metric("bytesOut", static_cast<double>(r.bytes[flow::kToResponder]));
    f.set_identity(r.initiator(), r.responder(), port_);
    sink.emit(f);
  }

  std::uint16_t port_;
};

}  // namespace

std::unique_ptr<Detector> make_dot_unusual_detector() {
  return std::make_unique<DetectorOf<DotUnusualShard>>(
      "dot_unusual",
      "DefenseEvasion:EC2/UnusualDoTActivity - after learning_period, a home host completes a TCP 853 (DNS over TLS) "
      "connection to a remote server it never used so",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::baseline
