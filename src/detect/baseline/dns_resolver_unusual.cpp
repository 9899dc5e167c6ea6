// DefenseEvasion:EC2/UnusualDNSResolver: a home host sends DNS to a remote
// resolver it never used before, after its learning period.
#include "baseline_detectors.hpp"
#include "novelty_shard.hpp"

namespace picket::detect::baseline {

namespace {

enum Param : std::size_t { kRemoteOnly = kCommonParams, kParamCount };

const ParamSpec kParams[] = {
    PICKET_NOVELTY_COMMON_PARAMS(16, "resolvers",
                                 "resolvers remembered per host; a host that queries more servers (a recursive "
                                 "resolver talking to authoritative servers) is left alone"),
    {"remote_only", 1, 0, 1, "bool",
     "1: resolvers inside the home network are learned but never reported (a new internal resolver is an "
     "operations change, not evasion)"},
};
static_assert(std::size(kParams) == kParamCount);

class DnsResolverUnusualShard final : public NoveltyShard {
 public:
  explicit DnsResolverUnusualShard(const DetectorContext& ctx)
      : NoveltyShard(ctx, "dns_resolver_unusual"), home_(ctx.home), remote_only_(ctx.params[kRemoteOnly] != 0) {}

  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    saw(e.ts);
    if (!e.client_local) return;
    // A network's clients ask a few resolvers: the last one's locality and
    // item are kept (both are functions of the address alone).
    if (!has_last_ || std::memcmp(e.server.bytes.data(), last_server_.bytes.data(), 16) != 0) {
      last_server_ = e.server;
      last_local_ = home_ && home_->contains(e.server);
      last_item_ = addr_item(e.server);
      has_last_ = true;
    }
    if (last_local_ && remote_only_) {
      table_.learn(e.client, last_item_, e.ts);
      return;
    }
    if (table_.observe(e.client, last_item_, e.ts) != NoveltyTable::Verdict::kNovel) return;
    Finding f = novel_finding(FindingType::kDefenseEvasionUnusualDnsResolver, e.client, e.server, e.ts,
                              "knownResolvers");
    f.protocol = e.transport;
    f.remote_port = e.server_port;
    f.local_port = e.client_port;
    const std::size_t n = std::min<std::size_t>(e.qname_len, sizeof(f.domain) - 1);
    std::memcpy(f.domain, e.qname, n);
    f.domain[n] = '\0';
    // A DNS_REQUEST action names the domain, not the server: the resolver goes in the evidence.
    f.hosts[f.host_count++] = e.server;
    f.set_identity(e.client, e.server, e.server_port);
    sink.emit(f);
  }

 private:
  const HomeNet* home_;
  bool remote_only_;
  bool has_last_ = false, last_local_ = false;
  core::IpAddr last_server_;
  std::uint64_t last_item_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_dns_resolver_unusual_detector() {
  return std::make_unique<DetectorOf<DnsResolverUnusualShard>>(
      "dns_resolver_unusual",
      "DefenseEvasion:EC2/UnusualDNSResolver - after learning_period, a home host sends DNS to a remote resolver it "
      "never used",
      kParams, /*flows=*/false, /*dns=*/true);
}

}  // namespace picket::detect::baseline
