// Behavior:EC2/NetworkPortUnusual: a home host talks to a remote server on a
// port it never used before, after its learning period.
#include "baseline_detectors.hpp"
#include "novelty_shard.hpp"

namespace picket::detect::baseline {

namespace {

enum Param : std::size_t { kMaxPort = kCommonParams, kParamCount };

const ParamSpec kParams[] = {
    PICKET_NOVELTY_COMMON_PARAMS(64, "ports",
                                 "distinct (protocol, port) pairs remembered per host; a host that uses more "
                                 "(P2P, proxies) has no usual port and is left alone"),
    {"max_port", 49151, 1, 65535, "port",
     "server ports above it are ignored: 49152-65535 is the dynamic range (RFC 6335), ephemeral, not a service"},
};
static_assert(std::size(kParams) == kParamCount);

class PortUnusualShard final : public NoveltyShard {
 public:
  explicit PortUnusualShard(const DetectorContext& ctx)
      : NoveltyShard(ctx, "port_unusual"), max_port_(static_cast<std::uint16_t>(ctx.params[kMaxPort])) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    saw(r.end_time);
    if (!e.initiator_local || e.responder_local || (r.key.proto != 6 && r.key.proto != 17)) return;
    if (!answered(r) || r.responder_port() > max_port_) return;
    judge(e, sink);
  }

 private:
  // Out of line: a flow the tests above leave out (most are DNS inside the
  // home network) then costs a few instructions and no frame.
  [[gnu::noinline]] void judge(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    const std::uint32_t item = std::uint32_t{r.key.proto} << 16 | r.responder_port();
    if (table_.observe(r.initiator(), item, r.first_seen) != NoveltyTable::Verdict::kNovel) return;
    report(e, item, sink);
  }

  // Out of line: inlined, the finding's large frame would be set up for
  // every flow, most of which only use a known port.
  [[gnu::noinline]] void report(const FlowEvent& e, std::uint32_t item, FindingSink& sink) {
    const auto& r = e.rec;
    Finding f = novel_finding(FindingType::kBehaviorNetworkPortUnusual, r.initiator(), r.responder(), r.first_seen,
                              "knownPorts");
    f.protocol = r.key.proto;
    f.remote_port = r.responder_port();
    f.local_port = r.initiator_port();
    f.ports[f.port_count++] = f.remote_port;
    f.set_identity(r.initiator(), r.responder(), item);
    sink.emit(f);
  }

  std::uint16_t max_port_;
};

}  // namespace

std::unique_ptr<Detector> make_port_unusual_detector() {
  return std::make_unique<DetectorOf<PortUnusualShard>>(
      "port_unusual",
      "Behavior:EC2/NetworkPortUnusual - after learning_period, a home host opens an answered connection to a remote "
      "server port it never used",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::baseline
