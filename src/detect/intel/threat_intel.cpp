// threat_intel: connections, DNS questions and answers, TLS SNI, HTTP Host
// names and plain-HTTP request URLs matched against the threat lists
// (src/intel); the list's category picks the GuardDuty finding type. See README.md.
#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "../dns/address_filter.hpp"
#include "../dns/dns_util.hpp"
#include "../dns/repeat_limiter.hpp"
#include "category_types.hpp"
#include "intel_detectors.hpp"
#include "name_miss_cache.hpp"
#include "picket/intel/pattern_scanner.hpp"
#include "picket/intel/store.hpp"
#include "picket/proto/http_request.hpp"

namespace picket::detect::intel {

// URL entries, the event and the HTTP parser agree on the longest target.
static_assert(kServerNameEventMaxTarget == proto::kHttpMaxUri &&
                  picket::intel::kUrlMaxTarget + 1 == proto::kHttpMaxUri,
              "a request target the parser keeps whole must reach the URL match whole");

namespace {

using picket::intel::Category;
using picket::intel::Snapshot;

enum P { kRepeatInterval, kMaxTracked, kResolvedPerClient, kResolvedMaxAge, kTorRelayPeers, kTorRelayWindow, kParamCount };

const ParamSpec kParams[] = {
    {"repeat_interval", 3600, 1, 86400 * 7, "seconds",
     "least capture time between two reports of the same (host, list entry); repeats within it are counted "
     "into the next report, as GuardDuty folds repeats into one finding"},
    {"max_tracked", 100000, 16, 10000000, "keys",
     "(host, entry) pairs, clients with remembered answers and Tor clients kept per shard; the smallest key "
     "goes first when full"},
    {"resolved_per_client", 64, 1, 4096, "addresses",
     "answers of listed domains remembered per client, so that a later connection to one names the domain; "
     "64 covers the handful of listed names an infected host resolves"},
    {"resolved_max_age", 86400, 1, 86400 * 30, "seconds",
     "how long such an answer is remembered: programs connect long after the TTL, and malware caches answers"},
    {"tor_relay_peers", 10, 2, 100000, "relays",
     "distinct Tor relays one local host connects to within tor_relay_window before it is reported as a relay "
     "(TorRelay) rather than a client: a client keeps one guard and a few directory mirrors, a relay extends "
     "circuits to many relays"},
    {"tor_relay_window", 3600, 1, 86400 * 7, "seconds", "the window of tor_relay_peers"},
};
static_assert(sizeof(kParams) / sizeof(kParams[0]) == kParamCount);

std::string key_of(FindingType t, const core::IpAddr& a, const core::IpAddr& b, std::string_view list,
                   std::string_view entry) {
  std::string k(reinterpret_cast<const char*>(a.bytes.data()), 16);
  k.append(reinterpret_cast<const char*>(b.bytes.data()), 16);
  k.push_back(static_cast<char>(t));
  k.append(list);
  k.push_back('\0');
  k.append(entry);
  return k;
}

// The text of an entry as the finding names it.
std::string entry_text(const Snapshot& s, std::uint32_t entry, const picket::intel::IpSet::Prefix* prefix,
                       const picket::intel::DomainSet::Entry* domain) {
  if (prefix) {
    const auto& c = prefix->cidr;
    const bool host = c.prefix_bits == 128;
    return host ? c.base.to_string() : c.to_string();
  }
  if (domain) {
    std::string t(s.domains.name_of(*domain));
    if (domain->match == picket::intel::DomainMatch::kSubdomainsOnly) t = "*." + t;
    return t;
  }
  const auto p = s.entries[entry].pattern;
  return p < s.pattern_text.size() ? "/" + s.pattern_text[p] + "/" : std::string();
}

struct Hit {
  FindingType type;
  std::uint32_t entry;
  std::string text;
};

class ThreatIntelShard final : public DetectorShard {
 public:
  explicit ThreatIntelShard(const DetectorContext& ctx)
      : p_(ctx.params),
        repeats_(core::seconds(p_[kRepeatInterval]), static_cast<std::size_t>(p_[kMaxTracked])) {
    if (ctx.intel) reader_ = ctx.intel->reader();
  }

  // The filter alone (only flows that cross the home network's edge are
  // matched), so that the others cost a compare, not a frame.
  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    if (e.initiator_local == e.responder_local) return;
    on_edge_flow(e, sink);
  }
  [[gnu::noinline]] void on_edge_flow(const FlowEvent& e, FindingSink& sink) {
    picket::intel::ReadSection snap(&reader_);
    if (!snap) return;
    const auto& r = e.rec;
    if (e.initiator_local) outbound(*snap, r, sink);
    else inbound(*snap, r, sink);
  }

  // The filter alone (an answer without addresses has nothing for this
  // detector: names are matched on queries), so that the events it drops cost
  // a few compares, not the frame of the whole handler.
  void on_dns(const DnsEvent& e, FindingSink& sink) override {
    if (!e.client_local || e.qname_len == 0 || (e.is_response && e.addr_count == 0)) return;
    on_name(e, sink);
  }
  // The path of nearly every name: the miss cache and, for answers, the
  // address filter; what may match is handed to the functions below, so
  // that this one keeps a small frame.
  [[gnu::noinline]] void on_name(const DnsEvent& e, FindingSink& sink) {
    picket::intel::ReadSection snap(&reader_);
    if (!snap) return;
    NameMissCache::Key key;
    const bool miss = known_miss(*snap, e.qname, e.qname_len, key);
    if (!e.is_response) {
      if (!miss) query_hits(*snap, e, key, sink);
      return;
    }
    if (!miss) remember_answers(*snap, e, key);
    // An answer that is itself a listed address: the name leads there.
    answer_filter_.use(*snap, [](Category c) { return outbound_address_type(c).has_value(); });
    for (int i = 0; i < e.addr_count; ++i)
      if (answer_filter_.may_match(e.addrs[i])) answer_address_hits(*snap, e, e.addrs[i], sink);
  }

  [[gnu::noinline]] void query_hits(const Snapshot& s, const DnsEvent& e, const NameMissCache::Key& key,
                                    FindingSink& sink) {
    name_hits(s, std::string_view(e.qname, e.qname_len), key, e.ts, e.client, e.server, e.transport == 6 ? 6 : 17, 53,
              "dns", sink);
  }

  // A listed name's answers: remembered, so that a connection to one of
  // them names the domain.
  [[gnu::noinline]] void remember_answers(const Snapshot& s, const DnsEvent& e, const NameMissCache::Key& key) {
    const std::string_view name(e.qname, e.qname_len);
    hits_.clear();
    domain_matches(s, name, key, hits_, false);
    for (const auto& h : hits_) {
      const auto t = outbound_address_type(s.list_of(h.entry).category);
      if (!t) continue;
      for (int i = 0; i < e.addr_count; ++i) remember(e.client, e.addrs[i], e.ts, name, s, h);
    }
  }

  [[gnu::noinline]] void answer_address_hits(const Snapshot& s, const DnsEvent& e, const core::IpAddr& addr,
                                             FindingSink& sink) {
    const std::string_view name(e.qname, e.qname_len);
    s.ips.for_each_match(addr, [&](const picket::intel::IpSet::Prefix& p) {
      const Category c = s.list_of(p.value).category;
      if (!outbound_address_type(c)) return;
      const auto t = domain_type(c);
      Finding f = dns_finding(*t, e.client, e.server, e.transport == 6 ? 6 : 17, 53, name, e.ts);
      emit(s, f, p.value, entry_text(s, p.value, &p, nullptr), "dnsAnswer", sink);
    });
  }

  void on_server_name(const ServerNameEvent& e, FindingSink& sink) override {
    if (!e.client_local || e.server_local || e.name_len == 0) return;
    picket::intel::ReadSection snap(&reader_);
    if (!snap) return;
    const bool http = e.kind == ServerNameEvent::Kind::kHttpHost;
    const std::string_view name(e.name, e.name_len);
    NameMissCache::Key key;
    hits_.clear();  // url_hits reads what name_hits found
    if (!known_miss(*snap, e.name, e.name_len, key))
      name_hits(*snap, name, key, e.ts, e.client, e.server, 6, e.server_port, http ? "httpHost" : "tlsSni", sink);
    // A cut target is not the URL that was asked for: it matches nothing.
    if (http && e.target_len > 0 && !e.target_truncated && !snap->urls.empty()) url_hits(*snap, e, sink);
  }

  void on_flush(FindingSink& sink) override { repeats_.flush(sink); }
  void counters(CounterSink& c) const override {
    c.count("keys_evicted", repeats_.evicted());
    c.count("resolving_hosts_evicted", answers_evicted_);
    c.count("tor_hosts_evicted", tor_evicted_);
  }

 private:
  struct Resolved {
    core::IpAddr addr;
    core::Nanos ts = 0;
    std::string name;   // the name that was asked
    std::string entry;  // the list entry it matched
    std::uint32_t list_entry = 0;
    Category category = Category::kCustom;
    std::string list;
  };
  struct ClientAnswers {
    std::deque<Resolved> recent;
  };
  struct TorPeers {
    core::Nanos window_start = 0;
    std::vector<core::IpAddr> relays;
  };

  // Whether `name` is known to be on no list of `s`; fills `key` for
  // domain_matches. Most names are on no list and come again soon (an answer
  // repeats its query's name): those are remembered for the snapshot, and
  // checked before anything else is done for the name.
  // The name is read from the event's fixed-size buffer, whole 16-byte
  // blocks past its end included (masked off).
  template <std::size_t N>
  bool known_miss(const Snapshot& s, const char (&name)[N], std::size_t len, NameMissCache::Key& key) {
    static_assert(N >= 64, "the cache reads 64 bytes of the name buffer");
    misses_.use_generation(s.generation);
    return misses_.contains_padded(name, len, key);
  }

  // Threat-list entries matching a name: domain entries (longest first),
  // then patterns. `key` is the name's, from known_miss (which said no).
  void domain_matches(const Snapshot& s, std::string_view name, const NameMissCache::Key& key, std::vector<Hit>& out,
                      bool canary) {
    const std::size_t before = out.size();
    s.domains.for_each_match(name, [&](const picket::intel::DomainSet::Entry& d) {
      out.push_back({FindingType::kCount, d.value, entry_text(s, d.value, nullptr, &d)});
    });
    scanner_.scan(s, name, [&](std::uint32_t entry) { out.push_back({FindingType::kCount, entry, entry_text(s, entry, nullptr, nullptr)}); });
    for (auto& h : out) {
      const Category c = s.list_of(h.entry).category;
      const auto t = canary ? canary_type(c) : domain_type(c);
      h.type = t ? *t : FindingType::kCount;
    }
    if (out.size() == before) misses_.insert(key);
  }

  void name_hits(const Snapshot& s, std::string_view name, const NameMissCache::Key& key, core::Nanos ts,
                 const core::IpAddr& client, const core::IpAddr& server, std::uint8_t proto, std::uint16_t port,
                 const char* via, FindingSink& sink) {
    hits_.clear();
    const bool canary = name.ends_with(kCanarySuffix);
    domain_matches(s, name, key, hits_, canary);
    // One finding per (type, list): a name under two entries of one list is one hit.
    for (std::size_t i = 0; i < hits_.size(); ++i) {
      const Hit& h = hits_[i];
      if (h.type == FindingType::kCount) continue;
      bool dup = false;
      for (std::size_t j = 0; j < i; ++j)
        dup = dup || (hits_[j].type == h.type && s.entries[hits_[j].entry].list == s.entries[h.entry].list);
      if (dup) continue;
      Finding f = dns_finding(h.type, client, server, proto, port, name, ts);
      emit(s, f, h.entry, h.text, via, sink);
    }
  }

  // URL entries matching an HTTP request (host + target). Runs after
  // name_hits, whose hits_ it extends: one finding per (type, list) and
  // request, so a URL of a list that already matched on the host adds none.
  void url_hits(const Snapshot& s, const ServerNameEvent& e, FindingSink& sink) {
    std::size_t path_len = 0;
    const std::size_t n = picket::intel::http_request_key(std::string_view(e.name, e.name_len),
                                                          std::string_view(e.target, e.target_len), url_key_, path_len);
    if (n == 0) return;
    const std::string_view key(url_key_, n);
    const std::size_t first = hits_.size();
    s.urls.for_each_request_match(key, path_len, [&](const picket::intel::UrlSet::Entry& u) {
      // Categories without a !DNS type (tor, scanner, sinkhole) raise nothing
      // on a URL, as they raise nothing on a name.
      const auto t = domain_type(s.list_of(u.value).category);
      if (!t) return;
      for (const Hit& h : hits_)
        if (h.type == *t && s.entries[h.entry].list == s.entries[u.value].list) return;
      hits_.push_back({*t, u.value, std::string(s.urls.key_of(u))});
    });
    // The host the URL names (an absolute-form target's own), for the
    // finding's domain: a trusted host silences its URLs too.
    const std::string_view host = key.substr(0, key.find('/'));
    for (std::size_t i = first; i < hits_.size(); ++i) {
      const Hit h = hits_[i];
      Finding f = dns_finding(h.type, e.client, e.server, 6, e.server_port, host, e.ts);
      emit(s, f, h.entry, h.text, "httpUrl", sink);
    }
  }

  Finding dns_finding(FindingType t, const core::IpAddr& client, const core::IpAddr& server, std::uint8_t proto,
                      std::uint16_t port, std::string_view name, core::Nanos ts) {
    Finding f;
    f.type = t;
    f.direction = Direction::kOutbound;
    f.protocol = proto;
    f.local = client;
    f.remote = server;
    f.remote_port = port;
    f.first_seen = f.last_seen = ts;
    const std::size_t n = std::min(name.size(), sizeof(f.domain) - 1);
    std::memcpy(f.domain, name.data(), n);
    f.domain[n] = '\0';
    return f;
  }

  Finding flow_finding(FindingType t, const flow::FlowRecord& r, bool local_is_initiator) {
    Finding f;
    f.type = t;
    f.direction = local_is_initiator ? Direction::kOutbound : Direction::kInbound;
    f.protocol = r.key.proto;
    f.local = local_is_initiator ? r.initiator() : r.responder();
    f.remote = local_is_initiator ? r.responder() : r.initiator();
    f.local_port = local_is_initiator ? r.initiator_port() : r.responder_port();
    f.remote_port = local_is_initiator ? r.responder_port() : r.initiator_port();
    f.first_seen = r.first_seen;
    f.last_seen = r.last_seen;
    return f;
  }

  // Folds repeats and reports. The identity covers the type, the hosts, the
  // list and the entry, so each (host, entry) is one finding with a count.
  void emit(const Snapshot& s, Finding& f, std::uint32_t entry, const std::string& text, const char* via,
            FindingSink& sink, const core::IpAddr& identity_remote = core::IpAddr{}) {
    const picket::intel::ListInfo& list = s.list_of(entry);
    const std::string key = key_of(f.type, f.local, identity_remote, list.name, text);
    const auto folded = repeats_.admit(key, f.last_seen);
    if (!folded) return;
    f.severity = finding_type_info(f.type).default_severity;
    std::strncpy(f.detector, "threat_intel", sizeof(f.detector) - 1);
    f.set_threat(list.name, text, s.description(entry));
    // Identity from the list entry, not the (possibly longer) name asked.
    char saved[sizeof(f.domain)];
    std::memcpy(saved, f.domain, sizeof(saved));
    std::memset(f.domain, 0, sizeof(f.domain));
    const std::size_t n = std::min(text.size() + list.name.size() + 1, sizeof(f.domain) - 1);
    std::string id_text = list.name + "\n" + text;
    std::memcpy(f.domain, id_text.data(), n);
    f.set_identity(f.local, identity_remote, static_cast<std::uint32_t>(list.category));
    std::memcpy(f.domain, saved, sizeof(saved));
    f.count = 1 + *folded;
    f.add_metric(via, 1);
    f.add_metric("listEntryLine", s.entries[entry].line);
    repeats_.reported(key, f);
    sink.emit(f);
  }

  void outbound(const Snapshot& s, const flow::FlowRecord& r, FindingSink& sink) {
    const core::IpAddr& local = r.initiator();
    const core::IpAddr& remote = r.responder();
    bool direct = false;
    std::uint32_t last_list = 0xffffffffu;
    s.ips.for_each_match(remote, [&](const picket::intel::IpSet::Prefix& p) {
      const auto& ent = s.entries[p.value];
      if (ent.list == last_list) return;  // one hit per list: the longest prefix
      last_list = ent.list;
      const Category c = s.lists[ent.list].category;
      if (c == Category::kTor) {
        tor_outbound(s, r, p, sink);
        direct = true;
        return;
      }
      const auto t = outbound_address_type(c);
      if (!t) return;
      direct = true;
      Finding f = flow_finding(*t, r, true);
      emit(s, f, p.value, entry_text(s, p.value, &p, nullptr), "connection", sink, remote);
    });
    if (direct) return;
    // Not listed itself, but a listed domain resolved to it.
    const auto it = answers_.find(local);
    if (it == answers_.end()) return;
    const core::Nanos max_age = core::seconds(p_[kResolvedMaxAge]);
    for (auto a = it->second.recent.rbegin(); a != it->second.recent.rend(); ++a) {
      if (a->addr != remote || r.first_seen > a->ts + max_age || a->list_entry >= s.entries.size()) continue;
      const auto t = outbound_address_type(a->category);
      // The entry index is only meaningful in the snapshot it came from.
      if (!t || s.list_of(a->list_entry).name != a->list) continue;
      Finding f = flow_finding(*t, r, true);
      const std::size_t n = std::min(a->name.size(), sizeof(f.domain) - 1);
      std::memcpy(f.domain, a->name.data(), n);
      emit(s, f, a->list_entry, a->entry, "resolvedConnection", sink, remote);
      break;
    }
  }

  void tor_outbound(const Snapshot& s, const flow::FlowRecord& r, const picket::intel::IpSet::Prefix& p,
                    FindingSink& sink) {
    const core::IpAddr& local = r.initiator();
    if (tor_.size() >= static_cast<std::size_t>(p_[kMaxTracked]) && !tor_.count(local)) {
      tor_.erase(tor_.begin());
      ++tor_evicted_;
    }
    TorPeers& peers = tor_[local];
    if (r.first_seen > peers.window_start + core::seconds(p_[kTorRelayWindow])) {
      peers.window_start = r.first_seen;
      peers.relays.clear();
    }
    const core::IpAddr& relay = r.responder();
    if (std::find(peers.relays.begin(), peers.relays.end(), relay) == peers.relays.end() &&
        peers.relays.size() < static_cast<std::size_t>(p_[kTorRelayPeers]))
      peers.relays.push_back(relay);
    // The local host is itself a listed relay, or reaches as many relays as only relays do.
    bool self_listed = false;
    s.ips.for_each_match(local, [&](const picket::intel::IpSet::Prefix& q) {
      self_listed = self_listed || s.list_of(q.value).category == Category::kTor;
    });
    const bool relay_like = self_listed || peers.relays.size() >= static_cast<std::size_t>(p_[kTorRelayPeers]);
    Finding f = flow_finding(relay_like ? FindingType::kUnauthorizedTorRelay : FindingType::kUnauthorizedTorClient, r, true);
    if (relay_like) {
      f.add_metric("relaysInWindow", static_cast<double>(peers.relays.size()));
      f.add_metric("selfListed", self_listed ? 1 : 0);
      // A relay is one finding per host, whichever relays it talks to.
      emit(s, f, p.value, entry_text(s, p.value, &p, nullptr), "connection", sink, core::IpAddr{});
    } else {
      emit(s, f, p.value, entry_text(s, p.value, &p, nullptr), "connection", sink, r.responder());
    }
  }

  void inbound(const Snapshot& s, const flow::FlowRecord& r, FindingSink& sink) {
    const core::IpAddr& remote = r.initiator();
    std::uint32_t last_list = 0xffffffffu;
    s.ips.for_each_match(remote, [&](const picket::intel::IpSet::Prefix& p) {
      const auto& ent = s.entries[p.value];
      if (ent.list == last_list) return;
      last_list = ent.list;
      const Category c = s.lists[ent.list].category;
      if (c == Category::kTor) {
        Finding f = flow_finding(FindingType::kUnauthorizedTorIpCaller, r, false);
        emit(s, f, p.value, entry_text(s, p.value, &p, nullptr), "connection", sink, remote);
      } else if (c == Category::kScanner) {
        // Only a probe the port answered: a closed or filtered port is no news.
        constexpr std::uint8_t kSyn = 0x02, kAck = 0x10;
        const bool answered = r.key.proto == 6 ? (r.tcp_flags[flow::kToInitiator] & (kSyn | kAck)) == (kSyn | kAck)
                              : r.key.proto == 17 ? r.packets[flow::kToInitiator] > 0
                                                  : false;
        if (!answered) return;
        Finding f = flow_finding(FindingType::kReconPortProbeUnprotectedPort, r, false);
        f.ports[0] = r.responder_port();
        f.port_count = 1;
        emit(s, f, p.value, entry_text(s, p.value, &p, nullptr), "answeredProbe", sink, remote);
      } else if (c == Category::kCustom) {
        Finding f = flow_finding(FindingType::kUnauthorizedMaliciousIpCallerCustom, r, false);
        emit(s, f, p.value, entry_text(s, p.value, &p, nullptr), "inboundConnection", sink, remote);
      }
    });
  }

  void remember(const core::IpAddr& client, const core::IpAddr& addr, core::Nanos ts, std::string_view name,
                const Snapshot& s, const Hit& h) {
    if (answers_.size() >= static_cast<std::size_t>(p_[kMaxTracked]) && !answers_.count(client)) {
      answers_.erase(answers_.begin());
      ++answers_evicted_;
    }
    auto& recent = answers_[client].recent;
    for (auto& a : recent) {
      if (a.addr == addr && a.name == name) {
        a.ts = ts;
        return;
      }
    }
    if (recent.size() >= static_cast<std::size_t>(p_[kResolvedPerClient])) recent.pop_front();
    const auto& list = s.list_of(h.entry);
    recent.push_back({addr, ts, std::string(name), h.text, h.entry, list.category, list.name});
  }

  std::vector<double> p_;
  picket::intel::IntelStore::Reader reader_;
  picket::intel::PatternScanner scanner_;
  dns::RepeatLimiter repeats_;
  std::vector<Hit> hits_;
  NameMissCache misses_;
  dns::AddressFilter answer_filter_;  // prefixes of categories with an outbound type
  char url_key_[picket::intel::kUrlMaxKey];  // an HTTP request's URL key, built without allocating
  // The smallest address goes first when full.
  std::map<core::IpAddr, ClientAnswers> answers_;
  std::map<core::IpAddr, TorPeers> tor_;
  std::uint64_t answers_evicted_ = 0, tor_evicted_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_threat_intel_detector() {
  return std::make_unique<DetectorOf<ThreatIntelShard>>(
      "threat_intel",
      "threat lists: connections, DNS names and answers, TLS SNI, HTTP Host and HTTP request URLs matched "
      "against --threat-list and the bundled lists; the list's category picks the finding type",
      kParams, /*flows=*/true, /*dns=*/true, /*server_names=*/true);
}

}  // namespace picket::detect::intel
