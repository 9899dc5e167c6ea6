// UnauthorizedAccess:EC2/MetadataDNSRebind: a DNS answer maps a name to the
// instance metadata service (169.254.169.254, or fd00:ec2::254 on IPv6), the
// step a DNS-rebinding attack needs to make a browser or an SSRF-prone
// service talk to the metadata endpoint under an outside name.
#include <map>

#include "dns_detectors.hpp"
#include "repeat_limiter.hpp"
#include "dns_util.hpp"

namespace picket::detect::dns {
namespace {

enum P { kAllowInternal, kRepeatInterval, kMaxTracked, kParamCount };

const ParamSpec kParams[] = {
    {"allow_internal", 1, 0, 1, "flag",
     "1: names of the cloud itself are not rebinding: single-label names and names under .internal "
     "(instance-data.ec2.internal and metadata.google.internal resolve there by design)"},
    {"repeat_interval", 3600, 1, 86400 * 7, "seconds",
     "least capture time between two reports of the same (host, name); repeats within it only count"},
    {"max_tracked", 10000, 16, 10000000, "pairs", "(host, name) pairs remembered per shard"},
};
static_assert(sizeof(kParams) / sizeof(kParams[0]) == kParamCount);

// Built once, outside the per-answer path (no guard check per address).
const core::IpAddr kMetadataV4 = core::IpAddr::from_v4(0xA9FEA9FEu);  // 169.254.169.254
const core::IpAddr kMetadataV6 = *core::IpAddr::parse("fd00:ec2::254");

bool is_metadata_addr(const core::IpAddr& a) {
  // The last byte tells most answers apart before the 16-byte compares.
  const std::uint8_t last = a.bytes[15];
  return (last == kMetadataV4.bytes[15] && a == kMetadataV4) || (last == kMetadataV6.bytes[15] && a == kMetadataV6);
}

class RebindShard final : public DetectorShard {
 public:
  explicit RebindShard(const DetectorContext& ctx)
      : p_(ctx.params),
        repeats_(core::seconds(p_[kRepeatInterval]), static_cast<std::size_t>(p_[kMaxTracked])) {}

  // The filter alone, so that the answers it drops (all but those with the
  // metadata address) cost a few compares, not the frame of the whole handler.
  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (!e.is_response || !e.client_local || e.addr_count == 0) return;
    bool hit = false;
    for (int i = 0; i < e.addr_count; ++i) hit |= is_metadata_addr(e.addrs[i]);
    if (hit) on_metadata_answer(e, sink);
  }
  [[gnu::noinline]] void on_metadata_answer(const DnsEvent& e, FindingSink& sink) {
    const std::string_view name = qname_of(e);
    if (p_[kAllowInternal] != 0 &&
        (name.find('.') == std::string_view::npos || name.ends_with(".internal") || name == "internal"))
      return;
    const std::string key = client_key(e.client, name);
    const auto folded = repeats_.admit(key, e.ts);
    if (!folded) return;
    Finding f = make_dns_finding(FindingType::kUnauthorizedMetadataDnsRebind, "metadata_rebind", e.client, e.server,
                                 e.transport, name);
    f.first_seen = f.last_seen = e.ts;
    f.count = 1 + *folded;
    f.add_metric("answerTtl", e.min_ttl);
    f.add_metric("addresses", e.addr_count);
    f.host_count = 1;
    f.hosts[0] = is_metadata_addr(e.addrs[0]) ? e.addrs[0] : core::IpAddr::from_v4(0xA9FEA9FEu);
    repeats_.reported(key, f);
    sink.emit(f);
  }

  void on_flush(FindingSink& sink) override { repeats_.flush(sink); }
  void counters(CounterSink& c) const override { c.count("pairs_evicted", repeats_.evicted()); }

 private:
  std::vector<double> p_;
  RepeatLimiter repeats_;
};


}  // namespace

std::unique_ptr<Detector> make_metadata_rebind_detector() {
  return DetectorOf<RebindShard>(
      "metadata_rebind",
      "UnauthorizedAccess:EC2/MetadataDNSRebind - a DNS answer maps a name to 169.254.169.254 or fd00:ec2::254",
      kParams, /*flows=*/false, /*dns=*/true)
      .only(DnsMessages::kResponses);
}

}  // namespace picket::detect::dns
