// DefenseEvasion:EC2/UnusualDNSResolver: a home host sends DNS to a remote
// resolver it never used before, after its learning period.
#include <array>
#include <cstring>

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

 private:
  // A network's clients ask a few resolvers, taking turns: each one's
  // locality and item (functions of the address alone) are kept in a small
  // direct-mapped table, so that the home-network test and the item hash run
  // once per resolver rather than once per message.
  struct Resolver {
    std::uint64_t lo = 0, hi = 0;  // the address
    std::uint64_t item = 0;
    bool local = false, set = false;
  };
  static constexpr unsigned kResolverBits = 3;

 public:
  // Every call out of the common path (a known resolver) is a tail call, so
  // that it needs no registers saved: a resolver not cached yet goes through
  // resolver_missed(), a remote one through judge().
  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    saw(e.ts);
    if (!e.client_local) return;
    const Resolver* server = cached(e.server);
    if (!server) {
      resolver_missed(e, sink);
      return;
    }
    use(e, *server, sink);
  }

 private:
  void use(const DnsEvent& e, const Resolver& server, FindingSink& sink) {
    if (server.local && remote_only_) {
      table_.learn(e.client, server.item, e.ts);
      return;
    }
    judge(e, server.item, sink);
  }

  [[gnu::noinline]] void resolver_missed(const DnsEvent& e, FindingSink& sink) { use(e, fill(e.server), sink); }

  [[gnu::noinline]] void judge(const DnsEvent& e, std::uint64_t item, FindingSink& sink) {
    if (table_.observe(e.client, item, e.ts) != NoveltyTable::Verdict::kNovel) return;
    report(e, sink);
  }

  // Out of line: inlined, the finding's large frame would be set up on every
  // message, most of which only refresh the baseline.
  [[gnu::noinline]] void report(const DnsEvent& e, FindingSink& sink) {
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


  Resolver& slot_of(const core::IpAddr& a, std::uint64_t& lo, std::uint64_t& hi) {
    std::memcpy(&lo, a.bytes.data(), 8);
    std::memcpy(&hi, a.bytes.data() + 8, 8);
    return resolvers_[((hi ^ lo) * 0x9e3779b97f4a7c15ULL) >> (64 - kResolverBits)];
  }
  // The cached entry for `a`, or nullptr.
  const Resolver* cached(const core::IpAddr& a) {
    std::uint64_t lo, hi;
    const Resolver& r = slot_of(a, lo, hi);
    return r.set && r.lo == lo && r.hi == hi ? &r : nullptr;
  }
  const Resolver& fill(const core::IpAddr& a) {
    std::uint64_t lo, hi;
    Resolver& r = slot_of(a, lo, hi);
    r.lo = lo;
    r.hi = hi;
    r.item = addr_item(a);
    r.local = home_ && home_->contains(a);
    r.set = true;
    return r;
  }

  const HomeNet* home_;
  bool remote_only_;
  std::array<Resolver, std::size_t{1} << kResolverBits> resolvers_{};
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
