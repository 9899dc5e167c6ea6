// DefenseEvasion:EC2/UnusualDoHActivity: a home host talks DNS over HTTPS
// (RFC 8484) to a public resolver it never used so before, after learning.
// Recognised by the TLS SNI of a known DoH server, or by HTTPS to a known
// public resolver address (a client may connect by address with no SNI).
#include "baseline_detectors.hpp"
#include "novelty_shard.hpp"
#include "public_resolvers.hpp"

namespace picket::detect::baseline {

namespace {

enum Param : std::size_t { kByAddress = kCommonParams, kParamCount };

const ParamSpec kParams[] = {
    PICKET_NOVELTY_COMMON_PARAMS(16, "servers",
                                 "DoH servers remembered per host; a host that uses more is left alone"),
    {"by_address", 1, 0, 1, "bool",
     "1: HTTPS (TCP 443) to a public resolver address counts as DoH even without a known SNI; those addresses "
     "serve nothing else on 443"},
};
static_assert(std::size(kParams) == kParamCount);

class DohUnusualShard final : public NoveltyShard {
 public:
  explicit DohUnusualShard(const DetectorContext& ctx)
      : NoveltyShard(ctx, "doh_unusual"), by_address_(ctx.params[kByAddress] != 0) {}

  void on_server_name(const ServerNameEvent& e, FindingSink& sink) override {
    saw(e.ts);
    if (e.kind != ServerNameEvent::Kind::kTlsSni || !e.client_local || e.server_local) return;
    // DNS over TLS to the same provider names the same server: that is the DoT detector's.
    if (e.server_port == 853) return;
    const DohName* d = match_doh_name(std::string_view(e.name, e.name_len));
    if (!d) return;
    if (table_.observe(e.client, addr_item(e.server), e.ts) != NoveltyTable::Verdict::kNovel) return;
    Finding f = novel_finding(FindingType::kDefenseEvasionUnusualDohActivity, e.client, e.server, e.ts,
                              "knownDohServers");
    f.protocol = 6;
    f.remote_port = e.server_port;
    f.local_port = e.client_port;
    const std::size_t n = std::min<std::size_t>(e.name_len, sizeof(f.domain) - 1);
    std::memcpy(f.domain, e.name, n);
    f.domain[n] = '\0';
    f.add_metric("bySni", 1);
    f.set_identity(e.client, e.server, e.server_port);
    sink.emit(f);
  }

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    saw(r.end_time);
    if (e.initiator_local && !e.responder_local) outbound(e, sink);
  }

 private:
  // Out of line, like judge_by_address(): a flow that is not outbound (most
  // are DNS inside the home network) then costs a few instructions and no frame.
  [[gnu::noinline]] void outbound(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    table_.touch(r.initiator(), r.first_seen);
    if (!by_address_ || r.key.proto != 6 || r.responder_port() != 443) return;
    if (!answered(r) || r.payload_bytes[flow::kToResponder] == 0) return;
    judge_by_address(e, sink);
  }

  // Out of line: most outbound flows only touch their host, and the
  // finding's large frame would otherwise be set up for each of them.
  [[gnu::noinline]] void judge_by_address(const FlowEvent& e, FindingSink& sink) {
    const auto& r = e.rec;
    if (!match_resolver_address(r.responder())) return;
    if (table_.observe(r.initiator(), addr_item(r.responder()), r.first_seen) != NoveltyTable::Verdict::kNovel) return;
    Finding f = novel_finding(FindingType::kDefenseEvasionUnusualDohActivity, r.initiator(), r.responder(),
                              r.first_seen, "knownDohServers");
    f.protocol = 6;
    f.remote_port = 443;
    f.local_port = r.initiator_port();
    f.add_metric("bySni", 0);
    f.set_identity(r.initiator(), r.responder(), 443);
    sink.emit(f);
  }

  bool by_address_;
};

}  // namespace

std::unique_ptr<Detector> make_doh_unusual_detector() {
  return std::make_unique<DetectorOf<DohUnusualShard>>(
      "doh_unusual",
      "DefenseEvasion:EC2/UnusualDoHActivity - after learning_period, a home host opens HTTPS to a DoH server (known "
      "SNI or public resolver address) it never used so",
      kParams, /*flows=*/true, /*dns=*/false, /*server_names=*/true);
}

}  // namespace picket::detect::baseline
