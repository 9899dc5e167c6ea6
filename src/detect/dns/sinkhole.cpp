// Trojan:EC2/BlackholeTraffic!DNS: a home host asks for a name whose answer
// is a known sinkhole: the address researchers, registries or security
// vendors point a seized or blocked malware domain at. The addresses come
// from the loaded lists of category `sinkhole` (rules/intel/sinkholes.txt is
// one, loaded by default); the small table below is only the fallback when
// no sinkhole list is loaded (--no-default-lists, or no lists at all). Answers of 0.0.0.0,
// :: or loopback for public names are blocking answers too, but also what
// ad blockers give, so they are counted as evidence, never a finding alone.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "address_filter.hpp"
#include "dns_detectors.hpp"
#include "picket/intel/store.hpp"
#include "repeat_limiter.hpp"
#include "dns_util.hpp"

namespace picket::detect::dns {
namespace {

enum P { kRepeatInterval, kMaxTracked, kParamCount };

const ParamSpec kParams[] = {
    {"repeat_interval", 3600, 1, 86400 * 7, "seconds",
     "least capture time between two reports of the same (host, domain); repeats within it only count"},
    {"max_tracked", 10000, 16, 10000000, "pairs", "(host, domain) pairs and hosts remembered per shard"},
};
static_assert(sizeof(kParams) / sizeof(kParams[0]) == kParamCount);

struct Sinkhole {
  const char* cidr;       // IPv4 network
  const char* operator_;  // who runs it, as published
};

// Well-known sinkhole and block-page addresses (facts published by their
// operators or in takedown reports; see README.md): the fallback when no
// sinkhole list is loaded. Extend the list file, not this table.
const Sinkhole kSinkholes[] = {
    {"199.2.137.0/24", "Microsoft Digital Crimes Unit sinkholes"},
    {"131.253.18.11/32", "Microsoft sinkhole"},
    {"131.253.18.12/32", "Microsoft sinkhole"},
    {"72.5.65.111/32", "Palo Alto Networks DNS sinkhole (sinkhole.paloaltonetworks.com)"},
    {"146.112.61.104/29", "Cisco Umbrella (OpenDNS) block pages"},
    {"148.81.111.111/32", "CERT Polska sinkhole"},
    {"195.22.26.192/26", "AnubisNetworks sinkholes"},
};

struct Net4 {
  std::uint32_t base, mask;
};

// Parsed once at start-up, outside the per-answer path.
const std::vector<Net4> kSinkholeNets = [] {
  std::vector<Net4> v;
  for (const auto& s : kSinkholes) {
    const std::string_view text(s.cidr);
    const auto slash = text.find('/');
    const auto addr = core::IpAddr::parse(text.substr(0, slash));
    const int prefix = std::stoi(std::string(text.substr(slash + 1)));
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    v.push_back({addr->v4_host_order() & mask, mask});
  }
  return v;
}();

// First octets of the sinkhole networks (all are /8 or longer): nearly every
// answer is ruled out by one bit.
const std::array<bool, 256> kSinkholeFirstOctet = [] {
  std::array<bool, 256> b{};
  for (const auto& n : kSinkholeNets) b[n.base >> 24] = true;
  return b;
}();

bool is_sinkhole(const core::IpAddr& a) {
  if (!kSinkholeFirstOctet[a.bytes[12]] || !a.is_v4()) return false;
  const std::uint32_t v = a.v4_host_order();
  for (const auto& n : kSinkholeNets)
    if ((v & n.mask) == n.base) return true;
  return false;
}

const core::IpAddr kLoopback6 = *core::IpAddr::parse("::1");

bool is_null_answer(const core::IpAddr& a) {
  if (a.is_v4()) {
    const std::uint32_t v = a.v4_host_order();
    return v == 0 || (v >> 24) == 127;
  }
  return a.is_zero() || a == kLoopback6;
}

class SinkholeShard final : public DetectorShard {
 public:
  explicit SinkholeShard(const DetectorContext& ctx)
      : p_(ctx.params),
        repeats_(core::seconds(p_[kRepeatInterval]), static_cast<std::size_t>(p_[kMaxTracked])) {
    if (ctx.intel) reader_ = ctx.intel->reader();
  }

  // The filter alone, so that the events it drops (queries, answers without
  // addresses) cost a few compares, not the frame of the whole handler.
  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (!e.is_response || !e.client_local || e.addr_count == 0) return;
    on_answer(e, sink);
  }
  // The path of nearly every answer (the filter turns its addresses away);
  // what is left goes to on_hit, so that this one keeps a small frame.
  [[gnu::noinline]] void on_answer(const DnsEvent& e, FindingSink& sink) {
    const core::IpAddr* hit = nullptr;
    bool null_answer = false;
    picket::intel::ReadSection snap(&reader_);
    const bool from_lists = snap && snap->has(picket::intel::Category::kSinkhole);
    if (from_lists) filter_.use(*snap, [](picket::intel::Category c) { return c == picket::intel::Category::kSinkhole; });
    std::uint32_t hit_entry = picket::intel::kNoPrefix;
    for (int i = 0; i < e.addr_count; ++i) {
      if (!hit) {
        if (from_lists) {
          // Most answers are on no sinkhole list: the filter says so without the IpSet.
          if (filter_.may_match(e.addrs[i])) {
            snap->ips.for_each_match(e.addrs[i], [&](const picket::intel::IpSet::Prefix& p) {
              if (hit_entry == picket::intel::kNoPrefix &&
                  snap->list_of(p.value).category == picket::intel::Category::kSinkhole)
                hit_entry = p.value;
            });
          }
          if (hit_entry != picket::intel::kNoPrefix) hit = &e.addrs[i];
        } else if (is_sinkhole(e.addrs[i])) {
          hit = &e.addrs[i];
        }
      }
      null_answer |= is_null_answer(e.addrs[i]);
    }
    if (!hit && !null_answer) return;
    on_hit(e, sink, snap ? &*snap : nullptr, hit, hit_entry, null_answer);
  }

  // An answer with a sinkhole address (hit; hit_entry: its list entry, when
  // it came from the lists of `snap`) or a null one.
  [[gnu::noinline]] void on_hit(const DnsEvent& e, FindingSink& sink, const picket::intel::Snapshot* snap,
                                const core::IpAddr* hit, std::uint32_t hit_entry, bool null_answer) {
    const std::string_view name = qname_of(e);
    const DomainParts parts = shared_registered_domains().split(e);
    if (null_answer && !hit) {
      // Evidence only: a public name (listed suffix) answered with nowhere.
      if (parts.known_suffix && !parts.single_label && name != "localhost" && !name.ends_with(".localhost")) {
        // Make room first: erasing after the insert could remove the entry just made.
        if (!null_answers_.count(e.client) && null_answers_.size() >= static_cast<std::size_t>(p_[kMaxTracked])) {
          null_answers_.erase(null_answers_.begin());
          ++null_evicted_;
        }
        ++null_answers_[e.client];
      }
      return;
    }
    const std::string key = client_key(e.client, parts.registered);
    const auto folded = repeats_.admit(key, e.ts);
    if (!folded) return;
    Finding f = make_dns_finding(FindingType::kTrojanBlackholeTrafficDns, "sinkhole", e.client, e.server, e.transport,
                                 parts.registered);
    f.first_seen = f.last_seen = e.ts;
    f.count = 1 + *folded;
    f.add_metric("answerTtl", e.min_ttl);
    f.add_metric("sinkholeAnswers", 1 + *folded);
    const auto na = null_answers_.find(e.client);
    f.add_metric("nullAnswersFromHost", na == null_answers_.end() ? 0 : na->second);
    f.host_count = 1;
    f.hosts[0] = *hit;
    if (hit_entry != picket::intel::kNoPrefix) {
      const std::uint32_t prefix = snap->ips.lookup(*hit);
      std::string entry = hit->to_string();
      for (std::uint32_t i = prefix; i != picket::intel::kNoPrefix; i = snap->ips.prefix(i).parent) {
        if (snap->ips.prefix(i).value != hit_entry) continue;
        const auto& c = snap->ips.prefix(i).cidr;
        if (c.prefix_bits != 128) entry = c.to_string();
      }
      f.set_threat(snap->list_of(hit_entry).name, entry, snap->description(hit_entry));
    } else {
      f.set_threat("built-in sinkholes", hit->to_string());
    }
    repeats_.reported(key, f);
    sink.emit(f);
  }

  void on_flush(FindingSink& sink) override { repeats_.flush(sink); }
  void counters(CounterSink& c) const override {
    c.count("pairs_evicted", repeats_.evicted());
    c.count("hosts_evicted", null_evicted_);
  }

 private:
  std::vector<double> p_;
  picket::intel::IntelStore::Reader reader_;
  AddressFilter filter_;  // the loaded sinkhole prefixes
  RepeatLimiter repeats_;
  std::map<core::IpAddr, std::uint32_t> null_answers_;  // smallest address evicted first
  std::uint64_t null_evicted_ = 0;
};


}  // namespace

std::unique_ptr<Detector> make_sinkhole_detector() {
  return DetectorOf<SinkholeShard>(
      "sinkhole",
      "Trojan:EC2/BlackholeTraffic!DNS - a DNS answer points to a known sinkhole (lists of category sinkhole; a built-in table when none is loaded)",
      kParams, /*flows=*/false, /*dns=*/true)
      .only(DnsMessages::kResponses);
}

}  // namespace picket::detect::dns
