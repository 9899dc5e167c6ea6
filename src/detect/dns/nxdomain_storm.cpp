// Trojan:EC2/NXDOMAINStorm (picket's): a home host's queries fail with
// NXDOMAIN for many distinct names within a window. Reverse look-ups (.arpa)
// and DNSBL-style names (a reversed address under a zone, where NXDOMAIN is
// the normal "not listed" answer) are left out.
#include <algorithm>
#include <cmath>
#include <map>

#include "client_window.hpp"
#include "dns_detectors.hpp"
#include "dns_util.hpp"

namespace picket::detect::dns {
namespace {

enum P { kMinNames, kWindow, kReportInterval, kMaxTracked, kMaxNames, kParamCount };

const ParamSpec kParams[] = {
    {"min_names", 100, 2, 1e6, "names",
     "distinct names answered NXDOMAIN in the window; a person's typos and stale links give a few per "
     "hour, a misconfigured search list a handful per look-up, so 100 in 5 minutes means a program "
     "enumerating names (DGA, random-subdomain attack, brute-force subdomain discovery)"},
    {"window", 300, 10, 86400, "seconds", "sliding window (5 minutes)"},
    {"report_interval", 60, 1, 86400, "seconds", "least capture time between updates of a running finding"},
    {"max_tracked", 50000, 16, 10000000, "hosts", "hosts tracked per shard; further hosts are refused and counted"},
    {"max_names", 2048, 16, 1000000, "names", "distinct failed names remembered per host and window"},
};
static_assert(sizeof(kParams) / sizeof(kParams[0]) == kParamCount);

class StormShard final : public DetectorShard {
 public:
  explicit StormShard(const DetectorContext& ctx)
      : p_(ctx.params),
        windows_(core::seconds(p_[kWindow]), core::seconds(p_[kReportInterval]),
                 static_cast<std::size_t>(p_[kMaxTracked]), static_cast<std::size_t>(p_[kMaxNames])) {}

  // The filter alone, so that the events it drops (all but NXDOMAIN answers)
  // cost a few compares, not the frame of the whole handler.
  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (!e.is_response || !e.client_local || e.rcode != 3 || e.qname_len == 0) return;
    on_nxdomain(e, sink);
  }
  [[gnu::noinline]] void on_nxdomain(const DnsEvent& e, FindingSink& sink) {
    const std::string_view name = qname_of(e);
    if (name.ends_with(".arpa")) return;
    const DomainParts parts = shared_registered_domains().split(e);
    if (parts.data_service_zone || reversed_ip_prefix(subdomain_of(name, parts.registered)) != 0) return;
    ClientWindow* c = windows_.add(e.client, e.server, e.transport, e.ts, parts.hash,
                                   [] { return 1.0; }, {}, parts.registered);
    if (!c || c->reported || c->items.size() < p_[kMinNames]) return;
    c->reported = true;
    c->changed = false;
    c->last_report = e.ts;
    sink.emit(build(e.client, *c, false));
  }
  void on_tick(core::Nanos now, FindingSink& sink) override {
    windows_.tick(now, false, [&](const core::IpAddr& ip, const ClientWindow& c, bool u) { sink.emit(build(ip, c, u)); });
  }
  void counters(CounterSink& c) const override {
    c.count("hosts_refused", windows_.refused_clients());
    c.count("names_refused", windows_.refused_items());
  }
  void on_flush(FindingSink& sink) override {
    windows_.tick(core::kNanosMax, true,
                  [&](const core::IpAddr& ip, const ClientWindow& c, bool u) { sink.emit(build(ip, c, u)); });
  }

 private:
  Finding build(const core::IpAddr& client, const ClientWindow& c, bool update) const {
    // The domain shown is the registered domain with the most failed names.
    std::map<std::string, int> per_domain;
    for (const auto& [k, it] : c.items) ++per_domain[it.group];
    std::string top;
    int best = 0;
    for (const auto& [d, n] : per_domain)
      if (n > best) best = n, top = d;
    Finding f = make_dns_finding(FindingType::kTrojanNxdomainStorm, "nxdomain_storm", client, c.resolver,
                                 c.transport, top, false);
    f.update = update;
    f.first_seen = c.first_seen;
    f.last_seen = c.last_seen;
    f.add_metric("nxNamesInWindow", static_cast<double>(c.items.size()));
    f.add_metric("registeredDomains", static_cast<double>(per_domain.size()));
    f.add_metric("namesUnderTopDomain", best);
    f.add_metric("threshold", p_[kMinNames]);
    f.add_metric("windowSeconds", p_[kWindow]);
    f.add_metric("nxResponses", static_cast<double>(c.events));
    f.add_metric("namesNotStored", static_cast<double>(c.refused));
    return f;
  }

  std::vector<double> p_;
  ClientWindows windows_;
};


}  // namespace

std::unique_ptr<Detector> make_nxdomain_storm_detector() {
  return DetectorOf<StormShard>(
      "nxdomain_storm",
      "Trojan:EC2/NXDOMAINStorm - a home host gets NXDOMAIN for >= min_names distinct names within window",
      kParams, /*flows=*/false, /*dns=*/true)
      .only(DnsMessages::kResponses);
}

}  // namespace picket::detect::dns
