// Detector shard counters (DetectorShard::counters): every detector with a
// cap reports what the cap refused or evicted, so that a full table shows in
// the run's statistics. Each case feeds one event per key to a shard whose
// cap is set below the number of keys (the count is the difference) and
// again with the cap at the number of keys (the count stays 0).
#include <cstring>
#include <functional>
#include <map>
#include <regex>

#include "../baseline/baseline_fixture.hpp"

using namespace baselinetest;
using flow::AppProto;

namespace {

// Every counter a shard reports, by name, in order.
struct Counters final : detect::CounterSink {
  std::vector<std::pair<std::string, std::uint64_t>> got;
  void count(const char* name, std::uint64_t value) override { got.emplace_back(name, value); }
  std::uint64_t operator[](const std::string& name) const {
    for (const auto& [n, v] : got)
      if (n == name) return v;
    ADD_FAILURE() << "no counter " << name;
    return ~0ULL;
  }
};

Counters counters_of(const detect::DetectorShard& s) {
  Counters c;
  s.counters(c);
  return c;
}

// prefix, i, suffix (appended: GCC 12 flags "x" + std::to_string(i) with a -Wrestrict false positive).
std::string numbered(const char* prefix, int i, const char* suffix) {
  return std::string(prefix).append(std::to_string(i)).append(suffix);
}

std::string host(int i) { return numbered("10.1.9.", i + 1, ""); }

detect::FlowEvent with_app(detect::FlowEvent e, AppProto app) {
  e.rec.app = app;
  return e;
}

// A DNS answer for `client` about `name`: NXDOMAIN, or the address `addr`.
detect::DnsEvent answer(const std::string& client, const std::string& name, Nanos ts, const char* addr = nullptr) {
  detect::DnsEvent e = dns_query(client, "10.1.0.53", ts, name.c_str());
  e.is_response = true;
  if (addr) {
    e.addr_count = e.answer_count = 1;
    e.addrs[0] = ip(addr);
    e.min_ttl = 60;
  } else {
    e.rcode = 3;
  }
  return e;
}

struct CapCase {
  const char* detector;
  const char* cap_param;
  int keys;  // distinct keys fed, one event each
  int cap;   // the cap set below them
  const char* counter;
  std::function<void(detect::DetectorShard&, Collect&, int key, Nanos t)> feed;
};

const CapCase kCases[] = {
    {"portscan", "max_tracked", 150, 100, "keys_refused",
     [](auto& s, auto& c, int i, Nanos t) {  // one scanner, a target per key
       s.on_flow(flow_event("10.1.0.5", 40000, numbered("203.0.113.", i + 1, ""), 80, kTcp, t), c);
     }},
    {"port_sweep", "max_tracked", 150, 100, "keys_refused",
     [](auto& s, auto& c, int i, Nanos t) {  // one sweeper, a port per key
       s.on_flow(flow_event("10.1.0.5", 40000, "203.0.113.1", static_cast<std::uint16_t>(1000 + i), kTcp, t), c);
     }},
    {"inbound_portscan", "max_tracked", 150, 100, "target_keys_refused",
     [](auto& s, auto& c, int i, Nanos t) {  // one remote scanner, a home target per key
       s.on_flow(flow_event("198.51.100.9", 40000, host(i), 80, kTcp, t), c);
     }},
    {"inbound_portscan", "max_tracked", 150, 100, "port_keys_refused",
     [](auto& s, auto& c, int i, Nanos t) {  // one remote scanner, a port per key
       s.on_flow(flow_event("198.51.100.9", 40000, "10.1.0.20", static_cast<std::uint16_t>(1000 + i), kTcp, t), c);
     }},
    {"bruteforce", "max_tracked", 150, 100, "pairs_evicted",
     [](auto& s, auto& c, int i, Nanos t) {
       s.on_flow(with_app(conn(numbered("198.51.100.", i + 1, ""), "10.1.0.20", 22, t), AppProto::kSsh), c);
     }},
    {"crypto_mining", "max_tracked", 150, 100, "pairs_evicted",
     [](auto& s, auto& c, int i, Nanos t) {
       s.on_flow(with_app(conn(host(i), "203.0.113.60", 3333, t), AppProto::kMining), c);
     }},
    {"outbound_dos", "max_tracked", 150, 100, "pairs_evicted",
     [](auto& s, auto& c, int i, Nanos t) {  // an unanswered SYN from each home host
       s.on_flow(flow_event(host(i), 40000, "203.0.113.99", 80, kTcp, t), c);
     }},
    {"spambot", "max_tracked", 150, 100, "hosts_evicted",
     [](auto& s, auto& c, int i, Nanos t) {
       s.on_flow(with_app(conn(host(i), "198.18.0.1", 25, t), AppProto::kSmtp), c);
     }},
    {"long_connection", "max_tracked", 150, 100, "flows_evicted",
     [](auto& s, auto& c, int i, Nanos t) {  // the first active-timeout segment of a long flow
       auto e = conn(host(i), "203.0.113.70", 22, t);
       e.rec.end_reason = flow::FlowEndReason::kActiveTimeout;
       s.on_flow(e, c);
     }},
    {"large_outbound_transfer", "max_tracked", 150, 100, "pairs_evicted",
     [](auto& s, auto& c, int i, Nanos t) { s.on_flow(conn(host(i), "203.0.113.5", 443, t), c); }},
    {"beacon", "max_pairs", 150, 100, "pairs_refused",
     [](auto& s, auto& c, int i, Nanos t) {
       s.on_flow(conn("10.1.0.90", numbered("203.0.113.", i + 1, ""), 443, t), c);
     }},
    {"port_unusual", "max_hosts", 150, 100, "hosts_refused",
     [](auto& s, auto& c, int i, Nanos t) { s.on_flow(conn(host(i), "203.0.113.5", 443, t), c); }},
    {"volume_unusual", "max_hosts", 150, 100, "hosts_refused",
     [](auto& s, auto& c, int i, Nanos t) { s.on_flow(conn(host(i), "203.0.113.5", 443, t), c); }},
    {"dot_unusual", "max_hosts", 150, 100, "hosts_refused",
     [](auto& s, auto& c, int i, Nanos t) { s.on_flow(conn(host(i), "203.0.113.5", 443, t), c); }},
    {"doh_unusual", "max_hosts", 150, 100, "hosts_refused",
     [](auto& s, auto& c, int i, Nanos t) { s.on_flow(conn(host(i), "203.0.113.5", 443, t), c); }},
    {"dns_resolver_unusual", "max_hosts", 150, 100, "hosts_refused",
     [](auto& s, auto& c, int i, Nanos t) { s.on_dns(dns_query(host(i), "203.0.113.53", t), c); }},
    {"dns_exfil", "max_tracked", 24, 16, "keys_refused",
     [](auto& s, auto& c, int i, Nanos t) {  // one client, a domain per key, data in the label
       s.on_dns(dns_query("10.1.0.70", "10.1.0.53", t, numbered("mzxw6ytboi4dgnzqgu3tsmrt.exfil", i, ".com").c_str()), c);
     }},
    {"dns_exfil", "max_names_per_key", 24, 16, "names_refused",
     [](auto& s, auto& c, int i, Nanos t) {  // one client and domain, a name per key
       s.on_dns(dns_query("10.1.0.70", "10.1.0.53", t, numbered("mzxw6ytboi4dgnzqgu3tsmrt", i, ".exfil.com").c_str()), c);
     }},
    {"dga", "max_tracked", 24, 16, "hosts_refused",
     [](auto& s, auto& c, int i, Nanos t) { s.on_dns(answer(host(i), "qwkzjrtpxv.com", t), c); }},
    {"dga", "max_domains", 24, 16, "domains_refused",
     [](auto& s, auto& c, int i, Nanos t) {  // one client, a failed domain per key
       s.on_dns(answer("10.1.0.60", numbered("qwkzjrtp", i, ".com"), t), c);
     }},
    {"nxdomain_storm", "max_tracked", 24, 16, "hosts_refused",
     [](auto& s, auto& c, int i, Nanos t) { s.on_dns(answer(host(i), "missing.example.com", t), c); }},
    {"nxdomain_storm", "max_names", 24, 16, "names_refused",
     [](auto& s, auto& c, int i, Nanos t) {
       s.on_dns(answer("10.1.0.61", numbered("n", i, ".example.com"), t), c);
     }},
    {"metadata_rebind", "max_tracked", 24, 16, "pairs_evicted",
     [](auto& s, auto& c, int i, Nanos t) { s.on_dns(answer(host(i), "rebind.example.com", t, "169.254.169.254"), c); }},
    {"sinkhole", "max_tracked", 24, 16, "pairs_evicted",
     [](auto& s, auto& c, int i, Nanos t) {  // a Microsoft DCU sinkhole address
       s.on_dns(answer(host(i), "bad.example.com", t, "199.2.137.10"), c);
     }},
    {"sinkhole", "max_tracked", 24, 16, "hosts_evicted",
     [](auto& s, auto& c, int i, Nanos t) { s.on_dns(answer(host(i), "www.example.com", t, "0.0.0.0"), c); }},
};

std::uint64_t run_case(const CapCase& k, int cap) {
  Harness h(k.detector, {std::string(k.cap_param) + "=" + std::to_string(cap)});
  auto s = h.make();
  for (int i = 0; i < k.keys; ++i) k.feed(*s, h.sink, i, at(i * 0.01));
  return counters_of(*s)[k.counter];
}

TEST(DetectorCounters, EveryCapReportsWhatItRefusedOrEvicted) {
  for (const auto& k : kCases) {
    EXPECT_EQ(run_case(k, k.cap), static_cast<std::uint64_t>(k.keys - k.cap))
        << k.detector << "." << k.cap_param << "=" << k.cap << ", " << k.keys << " keys: " << k.counter;
    EXPECT_EQ(run_case(k, k.keys), 0u) << k.detector << "." << k.cap_param << "=" << k.keys << ": " << k.counter;
  }
}

TEST(DetectorCounters, EveryDetectorReportsAStableSetOfCounters) {
  // The pipeline publishes at most 8 counters a shard (ShardHost), matched by
  // position: names must be the same, in the same order, at every call.
  Registry reg;
  const std::regex good("[a-z][a-z_]*_(refused|evicted)");
  std::map<std::string, std::vector<std::string>> tested;
  for (const auto& k : kCases) tested[k.detector].push_back(k.counter);
  for (const auto& d : reg.detectors) {
    auto s = reg.shard(d->name());
    const Counters first = counters_of(*s);
    EXPECT_EQ(counters_of(*s).got, first.got) << d->name();
    EXPECT_GE(first.got.size(), 1u) << d->name() << " has a cap and reports no counter";
    EXPECT_LE(first.got.size(), 8u) << d->name();
    for (const auto& [name, value] : first.got) {
      EXPECT_TRUE(std::regex_match(name, good)) << d->name() << ": " << name;
      EXPECT_EQ(value, 0u) << d->name() << ": " << name << " before any event";
    }
    // Every counter but threat_intel's (its caps need loaded lists) is driven over its cap above.
    if (std::string(d->name()) == "threat_intel") continue;
    for (const auto& [name, value] : first.got)
      EXPECT_NE(std::find(tested[d->name()].begin(), tested[d->name()].end(), name), tested[d->name()].end())
          << d->name() << ": counter " << name << " has no over-the-cap case";
  }
}

}  // namespace
