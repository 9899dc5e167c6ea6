// Trojan:EC2/DGADomainRequest.B: a home host gets NXDOMAIN for many distinct
// registered domains that look generated. Each distinct failed registered
// domain counts with the weight the lexical model gives its label (0-1);
// the finding fires when, within the window, at least min_domains such
// domains were seen and their weights add up to min_weight. Random-looking
// names need few failures; word-like ones need many.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "client_window.hpp"
#include "dga_model.hpp"
#include "dns_detectors.hpp"
#include "dns_util.hpp"

namespace picket::detect::dns {
namespace {

enum P { kMinWeight, kMinDomains, kWindow, kReportInterval, kMaxTracked, kMaxDomains, kParamCount };

const ParamSpec kParams[] = {
    {"min_weight", 8, 0.5, 1e6, "score",
     "sum of the lexical DGA scores (0-1 each) of distinct NXDOMAIN registered domains in the window: 8 is "
     "about 9 random-looking names or 15-25 word-like ones, while typos (scores ~0.05) would need over a "
     "hundred distinct non-existent domains"},
    {"min_domains", 5, 1, 1e6, "domains",
     "distinct NXDOMAIN registered domains needed as well, so a few odd names never fire alone"},
    {"window", 600, 10, 86400, "seconds",
     "sliding window; DGA malware tries its candidate list within seconds to minutes"},
    {"report_interval", 60, 1, 86400, "seconds", "least capture time between updates of a running finding"},
    {"max_tracked", 50000, 16, 10000000, "hosts", "hosts tracked per shard; further hosts are refused and counted"},
    {"max_domains", 512, 8, 1000000, "domains", "distinct failed domains remembered per host and window"},
};
static_assert(sizeof(kParams) / sizeof(kParams[0]) == kParamCount);

class DgaShard final : public DetectorShard {
 public:
  explicit DgaShard(const DetectorContext& ctx)
      : p_(ctx.params),
        windows_(core::seconds(p_[kWindow]), core::seconds(p_[kReportInterval]),
                 static_cast<std::size_t>(p_[kMaxTracked]), static_cast<std::size_t>(p_[kMaxDomains])) {}

  // The filter alone, so that the events it drops (all but NXDOMAIN answers)
  // cost a few compares, not the frame of the whole handler.
  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (!e.is_response || !e.client_local || e.rcode != 3 || e.qname_len == 0) return;
    on_nxdomain(e, sink);
  }
  [[gnu::noinline]] void on_nxdomain(const DnsEvent& e, FindingSink& sink) {
    const DomainParts parts = shared_registered_domains().split(e);
    // Only names under a listed public suffix: failures under .local, .lan,
    // .corp and other private names are configuration, not DGA. Reverse
    // look-ups (.arpa) are not chosen names either.
    if (parts.single_label || !parts.known_suffix || parts.registered.ends_with(".arpa")) return;
    const std::string_view reg = parts.registered;
    if (reg.find('.') == std::string::npos) return;
    ClientWindow* c = windows_.add(e.client, e.server, e.transport, e.ts, parts.registered_hash,
                                   [&] { return dga_score(dga_label(reg)); }, reg, {});
    if (!c || c->reported || !crossed(*c)) return;
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
    c.count("domains_refused", windows_.refused_items());
  }
  void on_flush(FindingSink& sink) override {
    windows_.tick(core::kNanosMax, true,
                  [&](const core::IpAddr& ip, const ClientWindow& c, bool u) { sink.emit(build(ip, c, u)); });
  }

 private:
  bool crossed(const ClientWindow& c) const {
    return c.items.size() >= p_[kMinDomains] && c.weight_sum() >= p_[kMinWeight];
  }

  Finding build(const core::IpAddr& client, const ClientWindow& c, bool update) const {
    // The domain shown is the most generated-looking one (ties: smallest name).
    const WindowItem* top = nullptr;
    double max_score = 0;
    for (const auto& [k, it] : c.items) {
      if (!top || it.weight > top->weight || (it.weight == top->weight && it.label < top->label)) top = &it;
      max_score = std::max(max_score, it.weight);
    }
    Finding f = make_dns_finding(FindingType::kTrojanDgaDomainRequest, "dga", client, c.resolver, c.transport,
                                 top ? std::string_view(top->label) : std::string_view{}, false);
    f.update = update;
    f.first_seen = c.first_seen;
    f.last_seen = c.last_seen;
    const double sum = c.weight_sum();
    const double n = static_cast<double>(c.items.size());
    f.add_metric("nxDomainsInWindow", n);
    f.add_metric("scoreSum", std::round(sum * 100) / 100);
    f.add_metric("meanScore", n ? std::round(sum / n * 1000) / 1000 : 0);
    f.add_metric("maxScore", std::round(max_score * 1000) / 1000);
    f.add_metric("threshold", p_[kMinWeight]);
    f.add_metric("minDomains", p_[kMinDomains]);
    f.add_metric("windowSeconds", p_[kWindow]);
    f.add_metric("responses", static_cast<double>(c.events));
    return f;
  }

  std::vector<double> p_;
  ClientWindows windows_;
};


}  // namespace

std::unique_ptr<Detector> make_dga_detector() {
  return DetectorOf<DgaShard>(
      "dga",
      "Trojan:EC2/DGADomainRequest.B - NXDOMAIN answers for distinct generated-looking registered domains "
      "whose lexical scores add up to min_weight within window",
      kParams, /*flows=*/false, /*dns=*/true)
      .only(DnsMessages::kResponses);
}

}  // namespace picket::detect::dns
