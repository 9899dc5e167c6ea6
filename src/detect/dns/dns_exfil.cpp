// Trojan:EC2/DNSDataExfiltration: a home host carries data out in the names
// it asks about. Per (client, registered domain), an estimate of the bits of
// information in the *distinct* query names of a sliding window; fires when
// that reaches min_bytes (less with a tunnel tool's signature or mostly
// TXT/NULL/CNAME/MX queries), with enough distinct names that are each
// data-bearing on average.
#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <unordered_map>

#include "dns_detectors.hpp"
#include "dns_util.hpp"
#include "picket/core/hash.hpp"

namespace picket::detect::dns {
namespace {

enum P {
  kMinBytes, kWindow, kMinNames, kMinBytesPerName, kSignatureFactor, kQtypeFactor, kReportInterval,
  kMaxTracked, kMaxNamesPerKey, kMaxNames, kAllowlist, kParamCount
};

const ParamSpec kParams[] = {
    {"min_bytes", 4096, 64, 1e9, "bytes",
     "information in distinct query names under one domain within the window that makes exfiltration; "
     "4 KiB in 6 h catches a tunnel moving 0.7 KiB/h or more, while a host's CDN, ad and internal names "
     "stay far below it (they repeat, and carry 4-9 bytes each)"},
    {"window", 21600, 60, 7 * 86400, "seconds",
     "sliding window (6 h): long enough that a slow tunnel (a few KiB per hour) accumulates past min_bytes"},
    {"min_names", 20, 1, 1e6, "names",
     "distinct names needed as well: a single long name (one hash look-up, one odd query) is not a transfer"},
    {"min_bytes_per_name", 10, 0, 255, "bytes",
     "mean information per distinct name; tunnels fill names (iodine ~16, dns2tcp ~30, dnscat2 ~80 bytes), "
     "host and CDN shard names carry 4-9"},
    {"signature_factor", 0.25, 0.01, 1, "factor",
     "min_bytes is multiplied by this once a tunnel tool's signature is seen (dnscat2 tag or header, iodine "
     "NULL queries or codec check, dns2tcp handshake)"},
    {"qtype_factor", 0.5, 0.01, 1, "factor",
     "min_bytes is multiplied by this when half or more of the queries are TXT, NULL, CNAME, MX, KEY or "
     "private types, whose answers carry the most data back"},
    {"report_interval", 300, 1, 86400, "seconds", "least capture time between updates of a running finding"},
    {"max_tracked", 20000, 16, 10000000, "keys",
     "(client, domain) pairs tracked per shard; further pairs are refused and counted"},
    {"max_names_per_key", 4096, 16, 1000000, "names",
     "distinct names remembered per pair and half-window; beyond it every name counts as new"},
    {"max_names", 1000000, 1024, 1e9, "names",
     "distinct names remembered per shard in all (8-16 bytes each); beyond it names count as new unstored"},
    {"allowlist", 1, 0, 1, "flag",
     "1: ignore names under DNSBL, anti-virus cloud and reputation zones, which carry data by design"},
};
static_assert(sizeof(kParams) / sizeof(kParams[0]) == kParamCount);

constexpr int kBuckets = 24;

struct KeyState {
  CappedHashSet cur, prev;
  std::uint64_t generation = 0;
  std::array<double, kBuckets> bytes{};
  std::array<std::uint32_t, kBuckets> names{};
  std::array<std::uint64_t, kBuckets> epoch{};
  std::uint64_t queries = 0, tunnel_qtype = 0, weak_sig = 0;
  TunnelTool tool = TunnelTool::kNone;
  bool strong_sig = false;
  std::size_t max_label = 0;
  core::IpAddr resolver;
  std::uint8_t transport = 17;
  core::Nanos first_seen = 0, last_seen = 0, last_report = 0;
  bool reported = false, changed = false;
  double total_bytes = 0;
  std::uint64_t total_names = 0;

  explicit KeyState(std::size_t cap) : cur(cap), prev(cap) {}
};

class ExfilShard final : public DetectorShard {
 public:
  explicit ExfilShard(const DetectorContext& ctx) : p_(ctx.params) {
    window_ = core::seconds(p_[kWindow]);
    bucket_ = std::max<core::Nanos>(window_ / kBuckets, 1);
  }

  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (e.is_response || !e.client_local || e.qname_len == 0) return;
    const std::string_view name = qname_of(e);
    if (p_[kAllowlist] != 0 && is_data_service_zone(name)) return;
    std::string_view domain;
    std::string_view sub;
    if (name.starts_with("dnscat.")) {
      domain = "dnscat";
      sub = name.substr(7);
    } else {
      const DomainParts& parts = shared_registered_domains().split(name);
      if (parts.single_label) return;
      domain = parts.registered;
      sub = subdomain_of(name, domain);
    }
    if (sub.empty()) return;
    // The information of the name is worked out only when it counts: for a
    // new key, and for a name not seen in the window (most queries repeat).
    double bits = -1;

    const ClientKeyBuf key_buf(e.client, domain);
    auto it = keys_.find(key_buf.view());
    if (it == keys_.end()) {
      bits = subdomain_bits(sub);
      if (bits <= 0) return;  // nothing to carry: not worth a key
      if (keys_.size() >= static_cast<std::size_t>(p_[kMaxTracked])) {
        ++refused_keys_;
        return;
      }
      it = keys_.emplace(std::string(key_buf.view()), KeyState(static_cast<std::size_t>(p_[kMaxNamesPerKey]))).first;
      it->second.first_seen = e.ts;
    }
    const std::string& key = it->first;
    KeyState& k = it->second;
    k.last_seen = e.ts;
    k.resolver = e.server;
    k.transport = e.transport;
    ++k.queries;
    if (is_tunnel_qtype(e.qtype)) ++k.tunnel_qtype;
    const TunnelTool tool = tunnel_signature(name, sub, e.qtype);
    if (tool != TunnelTool::kNone) {
      k.tool = tool;
      if (tunnel_signature_strong(name)) k.strong_sig = true;
      else ++k.weak_sig;
    }
    rotate(k, e.ts);
    if (!is_new_name(k, core::hash_bytes(sub.data(), sub.size()))) return;
    if (bits < 0) bits = subdomain_bits(sub);

    const std::uint64_t ep = e.ts / bucket_;
    const int b = static_cast<int>(ep % kBuckets);
    if (k.epoch[b] != ep) {
      k.epoch[b] = ep;
      k.bytes[b] = 0;
      k.names[b] = 0;
    }
    k.bytes[b] += bits / 8.0;
    k.names[b] += 1;
    k.total_bytes += bits / 8.0;
    ++k.total_names;
    k.max_label = std::max(k.max_label, longest_label(sub));
    k.changed = true;
    if (!k.reported && crossed(k, e.ts)) {
      k.reported = true;
      k.last_report = e.ts;
      k.changed = false;
      reported_.insert(key);
      sink.emit(build(key, k, e.ts, false));
    }
  }

  void on_tick(core::Nanos now, FindingSink& sink) override {
    for (const auto& key : reported_) {
      KeyState& k = keys_.at(key);
      if (k.changed && now >= k.last_report + core::seconds(p_[kReportInterval])) {
        k.changed = false;
        k.last_report = now;
        sink.emit(build(key, k, now, true));
      }
    }
    if (now < next_sweep_) return;
    next_sweep_ = now + core::seconds(60);
    expire(now, false, sink);
  }

  void on_flush(FindingSink& sink) override { expire(core::kNanosMax, true, sink); }

  ExfilStats stats() const { return {keys_.size(), stored_, refused_keys_, refused_names_}; }
  void counters(CounterSink& c) const override {
    c.count("keys_refused", refused_keys_);
    c.count("names_refused", refused_names_);
  }

 private:
  // Names are remembered in two generations of half a window each.
  void rotate(KeyState& k, core::Nanos now) {
    const std::uint64_t gen = now / std::max<core::Nanos>(window_ / 2, 1);
    if (gen == k.generation) return;
    stored_ -= k.prev.size();
    if (gen == k.generation + 1) {
      k.prev = std::move(k.cur);
      k.cur = CappedHashSet(k.prev.cap());
    } else {
      stored_ -= k.cur.size();
      k.prev.clear();
      k.cur.clear();
    }
    k.generation = gen;
  }

  bool is_new_name(KeyState& k, std::uint64_t h) {
    if (k.prev.contains(h)) return false;
    if (stored_ >= static_cast<std::uint64_t>(p_[kMaxNames])) {
      if (k.cur.contains(h)) return false;
      ++refused_names_;
      return true;
    }
    switch (k.cur.insert(h)) {
      case CappedHashSet::Insert::kPresent: return false;
      case CappedHashSet::Insert::kAdded: ++stored_; return true;
      case CappedHashSet::Insert::kFull: ++refused_names_; return true;
    }
    return true;
  }

  struct Window {
    double bytes = 0;
    std::uint32_t names = 0;
  };
  Window in_window(const KeyState& k, core::Nanos now) const {
    Window w;
    const std::uint64_t ep = now / bucket_;
    for (int b = 0; b < kBuckets; ++b) {
      if (k.epoch[b] + kBuckets <= ep || k.epoch[b] > ep) continue;
      w.bytes += k.bytes[b];
      w.names += k.names[b];
    }
    return w;
  }

  double threshold(const KeyState& k) const {
    double t = p_[kMinBytes];
    if (k.strong_sig || k.weak_sig >= 3) t *= p_[kSignatureFactor];
    if (k.queries && k.tunnel_qtype * 2 >= k.queries) t *= p_[kQtypeFactor];
    return t;
  }

  bool crossed(const KeyState& k, core::Nanos now) const {
    const Window w = in_window(k, now);
    return w.names >= p_[kMinNames] && w.bytes >= threshold(k) && w.bytes >= p_[kMinBytesPerName] * w.names;
  }

  Finding build(const std::string& key, const KeyState& k, core::Nanos now, bool update) const {
    Finding f = make_dns_finding(FindingType::kTrojanDnsDataExfiltration, "dns_exfil", key_client(key), k.resolver,
                                 k.transport, key_name(key));
    f.update = update;
    f.first_seen = k.first_seen;
    f.last_seen = k.last_seen;
    const Window w = in_window(k, std::min(now, k.last_seen));
    f.add_metric("bytesInWindow", std::round(w.bytes));
    f.add_metric("uniqueNamesInWindow", w.names);
    f.add_metric("bytesPerName", w.names ? std::round(10 * w.bytes / w.names) / 10 : 0);
    f.add_metric("maxLabelLength", static_cast<double>(k.max_label));
    f.add_metric("tunnelQtypeShare", k.queries ? std::round(100.0 * k.tunnel_qtype / k.queries) / 100 : 0);
    f.add_metric("toolSignature", (k.strong_sig || k.weak_sig >= 3) ? static_cast<double>(k.tool) : 0);
    f.add_metric("threshold", std::round(threshold(k)));
    f.add_metric("windowSeconds", p_[kWindow]);
    return f;
  }

  void expire(core::Nanos now, bool all, FindingSink& sink) {
    std::vector<std::string> gone;
    for (const auto& [key, k] : keys_)
      if (all || k.last_seen + window_ < now) gone.push_back(key);
    std::sort(gone.begin(), gone.end());
    for (const auto& key : gone) {
      auto it = keys_.find(key);
      KeyState& k = it->second;
      if (k.reported && k.changed) sink.emit(build(key, k, now, true));
      stored_ -= k.cur.size() + k.prev.size();
      reported_.erase(key);
      keys_.erase(it);
    }
  }

  std::vector<double> p_;
  core::Nanos window_, bucket_;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return core::hash_bytes(s.data(), s.size()); }
  };
  std::unordered_map<std::string, KeyState, KeyHash, std::equal_to<>> keys_;
  std::set<std::string> reported_;  // ordered: updates go out in a fixed order
  std::uint64_t stored_ = 0, refused_keys_ = 0, refused_names_ = 0;
  core::Nanos next_sweep_ = 0;
};


}  // namespace

std::unique_ptr<Detector> make_dns_exfil_detector() {
  return std::make_unique<DetectorOf<ExfilShard>>(
      "dns_exfil",
      "Trojan:EC2/DNSDataExfiltration - a home host carries >= min_bytes of information in distinct "
      "query names under one domain within window",
      kParams, /*flows=*/false, /*dns=*/true);
}

ExfilStats exfil_stats(const DetectorShard& shard) {
  const auto* s = dynamic_cast<const ExfilShard*>(&shard);
  return s ? s->stats() : ExfilStats{};
}

}  // namespace picket::detect::dns
