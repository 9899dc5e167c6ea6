// UnauthorizedAccess:EC2/MetadataDNSRebind: a DNS answer maps a name to the
// instance metadata service (169.254.169.254, or fd00:ec2::254 on IPv6), the
// step a DNS-rebinding attack needs to make a browser or an SSRF-prone
// service talk to the metadata endpoint under an outside name.
#include <map>

#include "dns_detectors.hpp"
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

bool is_metadata_addr(const core::IpAddr& a) {
  static const core::IpAddr v4 = core::IpAddr::from_v4(0xA9FEA9FEu);  // 169.254.169.254
  static const core::IpAddr v6 = *core::IpAddr::parse("fd00:ec2::254");
  return a == v4 || a == v6;
}

struct Seen {
  core::Nanos last_report = 0;
  std::uint32_t pending = 0;  // answers since the last report
  Finding last;
};

class RebindShard final : public DetectorShard {
 public:
  explicit RebindShard(const DetectorContext& ctx) : p_(ctx.params) {}

  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (!e.is_response || !e.client_local || e.addr_count == 0) return;
    bool hit = false;
    for (int i = 0; i < e.addr_count; ++i) hit |= is_metadata_addr(e.addrs[i]);
    if (!hit) return;
    const std::string_view name = qname_of(e);
    if (p_[kAllowInternal] != 0 &&
        (name.find('.') == std::string_view::npos || name.ends_with(".internal") || name == "internal"))
      return;
    const std::string key = client_key(e.client, name);
    auto it = seen_.find(key);
    if (it != seen_.end() && e.ts < it->second.last_report + core::seconds(p_[kRepeatInterval])) {
      ++it->second.pending;
      it->second.last.last_seen = e.ts;
      return;
    }
    if (it == seen_.end()) {
      if (seen_.size() >= static_cast<std::size_t>(p_[kMaxTracked])) seen_.erase(seen_.begin());
      it = seen_.emplace(key, Seen{}).first;
    }
    Finding f = make_dns_finding(FindingType::kUnauthorizedMetadataDnsRebind, "metadata_rebind", e.client, e.server,
                                 e.transport, name);
    f.first_seen = f.last_seen = e.ts;
    f.count = 1 + it->second.pending;
    f.add_metric("answerTtl", e.min_ttl);
    f.add_metric("addresses", e.addr_count);
    f.host_count = 1;
    f.hosts[0] = is_metadata_addr(e.addrs[0]) ? e.addrs[0] : core::IpAddr::from_v4(0xA9FEA9FEu);
    it->second = Seen{e.ts, 0, f};
    sink.emit(f);
  }

  void on_flush(FindingSink& sink) override {
    // Answers folded since their last report are reported as one more occurrence.
    for (auto& [k, s] : seen_) {
      if (!s.pending) continue;
      Finding f = s.last;
      f.count = s.pending;
      sink.emit(f);
    }
  }

 private:
  std::vector<double> p_;
  std::map<std::string, Seen> seen_;
};


}  // namespace

std::unique_ptr<Detector> make_metadata_rebind_detector() {
  return std::make_unique<DetectorOf<RebindShard>>(
      "metadata_rebind",
      "UnauthorizedAccess:EC2/MetadataDNSRebind - a DNS answer maps a name to 169.254.169.254 or fd00:ec2::254",
      kParams, /*flows=*/false, /*dns=*/true);
}

}  // namespace picket::detect::dns
