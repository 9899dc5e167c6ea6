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

#include "dns_detectors.hpp"
#include "dns_util.hpp"
#include "exfil_keys.hpp"
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

constexpr int kBuckets = kExfilBuckets;

class ExfilShard final : public DetectorShard {
 public:
  explicit ExfilShard(const DetectorContext& ctx) : p_(ctx.params) {
    window_ = core::seconds(p_[kWindow]);
    bucket_ = std::max<core::Nanos>(window_ / kBuckets, 1);
    half_window_ = std::max<core::Nanos>(window_ / 2, 1);
    max_tracked_ = static_cast<std::size_t>(p_[kMaxTracked]);
    max_names_per_key_ = static_cast<std::size_t>(p_[kMaxNamesPerKey]);
    max_names_ = static_cast<std::uint64_t>(p_[kMaxNames]);
    allowlist_ = p_[kAllowlist] != 0;
  }

  // The filter alone, so that the events it drops (answers, queries of
  // remote clients) cost a few compares, not the frame of the whole handler.
  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (e.is_response || !e.client_local || e.qname_len == 0) return;
    on_query(e, sink);
  }
  [[gnu::noinline]] void on_query(const DnsEvent& e, FindingSink& sink) {
    const std::string_view name = qname_of(e);
    // The name's facts (registered domain, information in its subdomain,
    // ...) come from the thread's cache of split names: most names recur.
    const DomainParts parts = shared_registered_domains().split(e);
    if (allowlist_ && parts.data_service_zone) return;
    std::string_view domain;
    std::uint64_t domain_hash;
    std::string_view sub;
    double sub_bits;
    std::size_t sub_longest_label;
    if (name.starts_with("dnscat.")) {
      static const std::uint64_t kDnscatHash = core::hash_bytes("dnscat", 6);
      domain = "dnscat";
      domain_hash = kDnscatHash;
      sub = name.substr(7);
      sub_bits = subdomain_bits(sub);
      sub_longest_label = longest_label(sub);
    } else {
      if (parts.single_label) return;
      domain = parts.registered;
      domain_hash = parts.registered_hash;
      sub = subdomain_of(name, domain);
      sub_bits = parts.sub_bits;
      sub_longest_label = parts.sub_longest_label;
    }
    if (sub.empty()) return;
    const std::uint64_t key_hash = ExfilKeys::hash_of(e.client, domain_hash);

    std::uint32_t idx = keys_.find(key_hash, e.client, domain);
    if (idx == ExfilKeys::kNone) {
      if (sub_bits <= 0) return;  // nothing to carry: not worth a key
      if (keys_.size() >= max_tracked_) {
        ++refused_keys_;
        return;
      }
      idx = keys_.add(key_hash, e.client, domain);
      keys_.cold(idx).first_seen = e.ts;
    }
    ExfilHot& k = keys_.hot(idx);
    k.last_seen = e.ts;
    k.resolver = e.server;
    k.transport = e.transport;
    ++k.queries;
    if (is_tunnel_qtype(e.qtype)) ++k.tunnel_qtype;
    const TunnelTool tool = tunnel_signature(parts, name, e.qtype);
    if (tool != TunnelTool::kNone) {
      ExfilCold& c = keys_.cold(idx);
      c.tool = tool;
      if (parts.tunnel_strong) c.strong_sig = true;
      else ++c.weak_sig;
    }
    rotate(k, e.ts);
    // The whole name's hash stands for its subdomain: under one key's domain
    // the one determines the other.
    if (!is_new_name(k, parts.hash)) return;
    const double bits = sub_bits;

    ExfilCold& c = keys_.cold(idx);
    const std::uint64_t ep = e.ts / bucket_;
    const int b = static_cast<int>(ep % kBuckets);
    if (c.epoch[b] != ep) {
      c.epoch[b] = ep;
      c.bytes[b] = 0;
      c.names[b] = 0;
    }
    c.bytes[b] += bits / 8.0;
    c.names[b] += 1;
    c.total_bytes += bits / 8.0;
    ++c.total_names;
    c.max_label = std::max(c.max_label, sub_longest_label);
    c.changed = true;
    if (!c.reported && crossed(k, c, e.ts)) {
      c.reported = true;
      c.last_report = e.ts;
      c.changed = false;
      const std::string key = client_key(k.client, c.domain);
      reported_.insert(key);
      sink.emit(build(key, k, c, e.ts, false));
    }
  }

  void on_tick(core::Nanos now, FindingSink& sink) override {
    for (const auto& key : reported_) {
      const std::uint32_t idx = find_key(key);
      ExfilHot& k = keys_.hot(idx);
      ExfilCold& c = keys_.cold(idx);
      if (c.changed && now >= c.last_report + core::seconds(p_[kReportInterval])) {
        c.changed = false;
        c.last_report = now;
        sink.emit(build(key, k, c, now, true));
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
  std::uint32_t find_key(const std::string& key) const {
    const core::IpAddr client = key_client(key);
    const std::string_view domain = key_name(key);
    return keys_.find(ExfilKeys::hash_of(client, domain), client, domain);
  }

  // Names are remembered in two generations of half a window each.
  void rotate(ExfilHot& k, core::Nanos now) {
    const std::uint64_t gen = now / half_window_;
    if (gen == k.generation) return;
    stored_ -= k.prev.size();
    if (gen == k.generation + 1) {
      k.prev = std::move(k.cur);
      k.cur.clear();
    } else {
      stored_ -= k.cur.size();
      k.prev.clear();
      k.cur.clear();
    }
    k.generation = gen;
  }

  bool is_new_name(ExfilHot& k, std::uint64_t h) {
    if (k.prev.contains(h)) return false;
    if (stored_ >= max_names_) {
      if (k.cur.contains(h)) return false;
      ++refused_names_;
      return true;
    }
    switch (k.cur.insert(h, max_names_per_key_)) {
      case NameSet::Insert::kPresent: return false;
      case NameSet::Insert::kAdded: ++stored_; return true;
      case NameSet::Insert::kFull: ++refused_names_; return true;
    }
    return true;
  }

  struct Window {
    double bytes = 0;
    std::uint32_t names = 0;
  };
  Window in_window(const ExfilCold& c, core::Nanos now) const {
    Window w;
    const std::uint64_t ep = now / bucket_;
    for (int b = 0; b < kBuckets; ++b) {
      if (c.epoch[b] + kBuckets <= ep || c.epoch[b] > ep) continue;
      w.bytes += c.bytes[b];
      w.names += c.names[b];
    }
    return w;
  }

  double threshold(const ExfilHot& k, const ExfilCold& c) const {
    double t = p_[kMinBytes];
    if (c.strong_sig || c.weak_sig >= 3) t *= p_[kSignatureFactor];
    if (k.queries && k.tunnel_qtype * 2 >= k.queries) t *= p_[kQtypeFactor];
    return t;
  }

  bool crossed(const ExfilHot& k, const ExfilCold& c, core::Nanos now) const {
    // The window holds at most every name the key ever counted: a key with
    // fewer than min_names in all (most keys) is ruled out without summing
    // the buckets.
    if (static_cast<double>(c.total_names) < p_[kMinNames]) return false;
    const Window w = in_window(c, now);
    return w.names >= p_[kMinNames] && w.bytes >= threshold(k, c) && w.bytes >= p_[kMinBytesPerName] * w.names;
  }

  Finding build(const std::string& key, const ExfilHot& k, const ExfilCold& c, core::Nanos now, bool update) const {
    Finding f = make_dns_finding(FindingType::kTrojanDnsDataExfiltration, "dns_exfil", key_client(key), k.resolver,
                                 k.transport, key_name(key));
    f.update = update;
    f.first_seen = c.first_seen;
    f.last_seen = k.last_seen;
    const Window w = in_window(c, std::min(now, k.last_seen));
    f.add_metric("bytesInWindow", std::round(w.bytes));
    f.add_metric("uniqueNamesInWindow", w.names);
    f.add_metric("bytesPerName", w.names ? std::round(10 * w.bytes / w.names) / 10 : 0);
    f.add_metric("maxLabelLength", static_cast<double>(c.max_label));
    f.add_metric("tunnelQtypeShare", k.queries ? std::round(100.0 * k.tunnel_qtype / k.queries) / 100 : 0);
    f.add_metric("toolSignature", (c.strong_sig || c.weak_sig >= 3) ? static_cast<double>(c.tool) : 0);
    f.add_metric("threshold", std::round(threshold(k, c)));
    f.add_metric("windowSeconds", p_[kWindow]);
    return f;
  }

  // Drops the keys idle for a window (all keys at the end of input). Only a
  // reported key has anything to say on its way out, so only those are put
  // in key order (updates go out in a fixed order); the rest are dropped
  // without building their keys.
  void expire(core::Nanos now, bool all, FindingSink& sink) {
    if (all) {
      for (const auto& key : reported_) {
        const std::uint32_t idx = find_key(key);
        if (keys_.cold(idx).changed) sink.emit(build(key, keys_.hot(idx), keys_.cold(idx), now, true));
      }
      reported_.clear();
      keys_.clear();
      stored_ = 0;
      return;
    }
    gone_.clear();
    for (std::uint32_t i = 0; i < keys_.size(); ++i)
      if (keys_.hot(i).last_seen + window_ < now) gone_.push_back(i);
    std::vector<std::string> reported_gone;
    for (const std::uint32_t i : gone_)
      if (keys_.cold(i).reported) reported_gone.push_back(client_key(keys_.hot(i).client, keys_.cold(i).domain));
    std::sort(reported_gone.begin(), reported_gone.end());
    for (const auto& key : reported_gone) {
      const std::uint32_t idx = find_key(key);
      if (keys_.cold(idx).changed) sink.emit(build(key, keys_.hot(idx), keys_.cold(idx), now, true));
      reported_.erase(key);
    }
    // Highest index first: removing a key moves the last one into its hole,
    // and every key above the current one has gone already.
    for (auto it = gone_.rbegin(); it != gone_.rend(); ++it) {
      const ExfilHot& k = keys_.hot(*it);
      stored_ -= k.cur.size() + k.prev.size();
      keys_.remove(*it);
    }
  }

  std::vector<double> p_;
  core::Nanos window_, bucket_, half_window_;
  std::size_t max_tracked_, max_names_per_key_;
  std::uint64_t max_names_;
  bool allowlist_;
  ExfilKeys keys_;
  std::set<std::string> reported_;  // ordered: updates go out in a fixed order
  std::uint64_t stored_ = 0, refused_keys_ = 0, refused_names_ = 0;
  core::Nanos next_sweep_ = 0;
  std::vector<std::uint32_t> gone_;  // expire()'s scratch list, kept to reuse its memory
};


}  // namespace

std::unique_ptr<Detector> make_dns_exfil_detector() {
  return DetectorOf<ExfilShard>(
      "dns_exfil",
      "Trojan:EC2/DNSDataExfiltration - a home host carries >= min_bytes of information in distinct "
      "query names under one domain within window",
      kParams, /*flows=*/false, /*dns=*/true)
      .only(DnsMessages::kQueries);
}

ExfilStats exfil_stats(const DetectorShard& shard) {
  const auto* s = dynamic_cast<const ExfilShard*>(&shard);
  return s ? s->stats() : ExfilStats{};
}

}  // namespace picket::detect::dns
