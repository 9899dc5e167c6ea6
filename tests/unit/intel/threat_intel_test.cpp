// The threat_intel detector on synthetic events, the trust filter and the
// sinkhole detector's lists.
#include <gtest/gtest.h>

#include <cstring>

#include "intel_detectors.hpp"
#include "intel_test_util.hpp"
#include "picket/detect/trust_filter.hpp"
#include "picket/intel/store.hpp"

using namespace picket;
using detect::FindingType;

namespace {

struct Sink : detect::FindingSink {
  std::vector<detect::Finding> got;
  void emit(const detect::Finding& f) override { got.push_back(f); }
  std::vector<std::string> types() const {
    std::vector<std::string> t;
    for (const auto& f : got) t.push_back(detect::finding_type_info(f.type).name);
    return t;
  }
};

core::IpAddr ip(const char* s) { return *core::IpAddr::parse(s); }

std::shared_ptr<intel::IntelStore> store_with(const std::string& name, const std::string& text,
                                              const std::string& trusted = "") {
  return std::make_shared<intel::IntelStore>(inteltest::snapshot_with(name, text, trusted));
}

struct Fixture {
  std::shared_ptr<intel::IntelStore> store;
  std::unique_ptr<detect::Detector> det = detect::intel::make_threat_intel_detector();
  std::unique_ptr<detect::DetectorShard> shard;
  detect::HomeNet home = detect::HomeNet::defaults();
  explicit Fixture(std::shared_ptr<intel::IntelStore> s) : store(std::move(s)) {
    detect::DetectorContext ctx;
    ctx.home = &home;
    ctx.intel = store.get();
    for (const auto& p : det->params()) ctx.params.push_back(p.default_value);
    shard = det->make_shard(ctx);
  }
};

detect::FlowEvent make_flow(const char* init, std::uint16_t iport, const char* resp, std::uint16_t rport,
                       core::Nanos t, bool answered = true, std::uint8_t proto = 6) {
  detect::FlowEvent e;
  auto& r = e.rec;
  const auto a = ip(init), b = ip(resp);
  r.initiator_is_lo = a < b;
  r.key.lo = r.initiator_is_lo ? a : b;
  r.key.hi = r.initiator_is_lo ? b : a;
  r.key.lo_port = r.initiator_is_lo ? iport : rport;
  r.key.hi_port = r.initiator_is_lo ? rport : iport;
  r.key.proto = proto;
  r.first_seen = r.last_seen = r.end_time = t;
  r.packets[0] = 1;
  r.tcp_flags[0] = 0x02;
  if (answered) {
    r.packets[1] = 1;
    r.tcp_flags[1] = 0x12;  // SYN-ACK
  } else {
    r.tcp_flags[1] = 0x14;  // RST-ACK: closed port
    r.packets[1] = 1;
  }
  const auto home = detect::HomeNet::defaults();
  e.initiator_local = home.contains(a);
  e.responder_local = home.contains(b);
  return e;
}

detect::DnsEvent dns(const char* client, const char* name, core::Nanos t, bool response = false,
                     std::vector<const char*> answers = {}) {
  detect::DnsEvent e;
  e.ts = t;
  e.client = ip(client);
  e.server = ip("10.0.0.53");
  e.client_local = true;
  e.is_response = response;
  e.qname_len = static_cast<std::uint16_t>(std::strlen(name));
  std::memcpy(e.qname, name, e.qname_len);
  for (auto* a : answers) e.addrs[e.addr_count++] = ip(a);
  return e;
}

}  // namespace

TEST(ThreatIntel, EachCategoryRaisesItsType) {
  struct Case {
    const char* category;
    const char* ip_type;   // outbound connection to a listed address ("" = none)
    const char* dns_type;  // query of a listed domain ("" = none)
  } cases[] = {
      {"c2", "Backdoor:EC2/C&CActivity.B", "Backdoor:EC2/C&CActivity.B!DNS"},
      {"mining", "CryptoCurrency:EC2/BitcoinTool.B", "CryptoCurrency:EC2/BitcoinTool.B!DNS"},
      {"blackhole", "Trojan:EC2/BlackholeTraffic", "Trojan:EC2/BlackholeTraffic!DNS"},
      {"droppoint", "Trojan:EC2/DropPoint", "Trojan:EC2/DropPoint!DNS"},
      {"phishing", "", "Trojan:EC2/PhishingDomainRequest!DNS"},
      {"driveby", "", "Trojan:EC2/DriveBySourceTraffic!DNS"},
      {"dga", "", "Trojan:EC2/DGADomainRequest.C!DNS"},
      {"custom", "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", "Impact:EC2/MaliciousDomainRequest.Custom"},
      {"scanner", "", ""},
      {"sinkhole", "", ""},
  };
  for (const auto& c : cases) {
    Fixture fx(store_with(std::string("cat_") + c.category + ".txt",
                          std::string("#! name: L-") + c.category + "\n#! category: " + c.category +
                              "\n203.0.113.66\nlisted.example\n"));
    Sink sink;
    fx.shard->on_flow(make_flow("10.1.0.5", 40000, "203.0.113.66", 443, core::seconds(10)), sink);
    EXPECT_EQ(sink.types(), c.ip_type[0] ? std::vector<std::string>{c.ip_type} : std::vector<std::string>{})
        << c.category;
    Sink dsink;
    fx.shard->on_dns(dns("10.1.0.5", "www.listed.example", core::seconds(11)), dsink);
    EXPECT_EQ(dsink.types(), c.dns_type[0] ? std::vector<std::string>{c.dns_type} : std::vector<std::string>{})
        << c.category;
    if (!dsink.got.empty()) {
      const auto& f = dsink.got[0];
      EXPECT_STREQ(f.threat_list, (std::string("L-") + c.category).c_str());
      EXPECT_STREQ(f.threat_name, "listed.example");
      EXPECT_STREQ(f.domain, "www.listed.example");
      EXPECT_EQ(f.local, ip("10.1.0.5"));
    }
  }
}

TEST(ThreatIntel, CanaryNamesRaiseEveryCategory) {
  const char* cats[] = {"c2", "mining", "blackhole", "droppoint", "phishing", "driveby",
                        "dga", "tor", "scanner", "sinkhole", "custom"};
  const char* want[] = {"Backdoor:EC2/C&CActivity.B!DNS", "CryptoCurrency:EC2/BitcoinTool.B!DNS",
                        "Trojan:EC2/BlackholeTraffic!DNS", "Trojan:EC2/DropPoint!DNS",
                        "Trojan:EC2/PhishingDomainRequest!DNS", "Trojan:EC2/DriveBySourceTraffic!DNS",
                        "Trojan:EC2/DGADomainRequest.C!DNS", "UnauthorizedAccess:EC2/TorClient",
                        "Recon:EC2/PortProbeUnprotectedPort", "Trojan:EC2/BlackholeTraffic!DNS",
                        "Impact:EC2/MaliciousDomainRequest.Custom"};
  for (int i = 0; i < 11; ++i) {
    Fixture fx(store_with(std::string("canary_") + cats[i] + ".txt",
                          std::string("#! category: ") + cats[i] + "\n" + cats[i] + ".canary.picket.invalid\n"));
    Sink sink;
    fx.shard->on_dns(dns("10.1.0.9", (std::string(cats[i]) + ".canary.picket.invalid").c_str(), core::seconds(1)), sink);
    EXPECT_EQ(sink.types(), std::vector<std::string>{want[i]}) << cats[i];
  }
}

TEST(ThreatIntel, RepeatsFoldIntoOneFindingWithACount) {
  Fixture fx(store_with("repeat.txt", "#! category: c2\n203.0.113.66\n"));
  Sink sink;
  for (int i = 0; i < 5; ++i) fx.shard->on_flow(make_flow("10.1.0.5", 40000 + i, "203.0.113.66", 443, core::seconds(10 + i)), sink);
  ASSERT_EQ(sink.got.size(), 1u);
  fx.shard->on_flush(sink);
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_EQ(sink.got[1].count, 4u);
  EXPECT_EQ(sink.got[0].identity[0], sink.got[1].identity[0]);
}

TEST(ThreatIntel, ConnectionToAnAddressAListedDomainResolvedTo) {
  Fixture fx(store_with("resolved.txt", "#! category: c2\n#! name: c2-domains\nc2.example\n"));
  Sink sink;
  fx.shard->on_dns(dns("10.1.0.5", "api.c2.example", core::seconds(1), true, {"198.51.100.23"}), sink);
  EXPECT_TRUE(sink.got.empty());  // the answer alone: the query raised the DNS finding
  fx.shard->on_flow(make_flow("10.1.0.5", 40000, "198.51.100.23", 443, core::seconds(2)), sink);
  ASSERT_EQ(sink.types(), std::vector<std::string>{"Backdoor:EC2/C&CActivity.B"});
  EXPECT_STREQ(sink.got[0].domain, "api.c2.example");
  EXPECT_STREQ(sink.got[0].threat_name, "c2.example");
  // Another host connecting there is not named by this host's answers.
  Sink other;
  fx.shard->on_flow(make_flow("10.1.0.6", 40000, "198.51.100.23", 443, core::seconds(3)), other);
  EXPECT_TRUE(other.got.empty());
}

TEST(ThreatIntel, AnswerThatIsAListedAddress) {
  Fixture fx(store_with("answer.txt", "#! category: mining\n198.51.100.99\n"));
  Sink sink;
  fx.shard->on_dns(dns("10.1.0.5", "innocent-looking.example", core::seconds(1), true, {"198.51.100.99"}), sink);
  ASSERT_EQ(sink.types(), std::vector<std::string>{"CryptoCurrency:EC2/BitcoinTool.B!DNS"});
  EXPECT_STREQ(sink.got[0].threat_name, "198.51.100.99");
}

TEST(ThreatIntel, TorClientRelayAndCaller) {
  std::string relays = "#! category: tor\n";
  for (int i = 1; i <= 12; ++i) relays += "192.0.2." + std::to_string(i) + "\n";
  Fixture fx(store_with("tor.txt", relays));
  Sink sink;
  fx.shard->on_flow(make_flow("10.1.0.5", 40000, "192.0.2.1", 9001, core::seconds(1)), sink);
  EXPECT_EQ(sink.types(), std::vector<std::string>{"UnauthorizedAccess:EC2/TorClient"});
  // A host that reaches 10 relays within the hour behaves as a relay.
  Sink relay;
  for (int i = 1; i <= 10; ++i) {
    const std::string r = "192.0.2." + std::to_string(i);
    fx.shard->on_flow(make_flow("10.1.0.7", 40000, r.c_str(), 9001, core::seconds(10 + i)), relay);
  }
  const auto t = relay.types();
  EXPECT_EQ(std::count(t.begin(), t.end(), "UnauthorizedAccess:EC2/TorClient"), 9);
  EXPECT_EQ(std::count(t.begin(), t.end(), "UnauthorizedAccess:EC2/TorRelay"), 1);
  Sink in;
  fx.shard->on_flow(make_flow("192.0.2.3", 50000, "10.1.0.8", 443, core::seconds(30)), in);
  EXPECT_EQ(in.types(), std::vector<std::string>{"UnauthorizedAccess:EC2/TorIPCaller"});
  EXPECT_EQ(in.got[0].direction, detect::Direction::kInbound);
}

TEST(ThreatIntel, ScannerOnlyWhenThePortAnswered) {
  Fixture fx(store_with("scanner.txt", "#! category: scanner\n198.51.100.0/24\n"));
  Sink closed;
  fx.shard->on_flow(make_flow("198.51.100.4", 50000, "10.1.0.20", 23, core::seconds(1), /*answered=*/false), closed);
  EXPECT_TRUE(closed.got.empty());
  Sink open;
  fx.shard->on_flow(make_flow("198.51.100.4", 50001, "10.1.0.20", 22, core::seconds(2), /*answered=*/true), open);
  ASSERT_EQ(open.types(), std::vector<std::string>{"Recon:EC2/PortProbeUnprotectedPort"});
  EXPECT_EQ(open.got[0].local_port, 22);
  EXPECT_STREQ(open.got[0].threat_name, "198.51.100.0/24");
}

TEST(ThreatIntel, ServerNamesAreMatched) {
  Fixture fx(store_with("sni.txt", "#! category: phishing\nlogin-bank.example\n"));
  Sink sink;
  detect::ServerNameEvent e;
  e.ts = core::seconds(1);
  e.client = ip("10.1.0.5");
  e.server = ip("203.0.113.80");
  e.server_port = 443;
  e.client_local = true;
  std::strcpy(e.name, "secure.login-bank.example");
  e.name_len = static_cast<std::uint16_t>(std::strlen(e.name));
  fx.shard->on_server_name(e, sink);
  ASSERT_EQ(sink.types(), std::vector<std::string>{"Trojan:EC2/PhishingDomainRequest!DNS"});
}

TEST(TrustFilter, LocalRemoteHostsAndDomains) {
  auto store = store_with("trust_threat.txt", "evil.example\n", "10.1.0.99\n203.0.113.0/24\nok.example\n");
  detect::TrustFilter trust(store.get());
  detect::Finding f;
  f.local = ip("10.1.0.5");
  f.remote = ip("198.51.100.1");
  EXPECT_FALSE(trust.trusted(f));
  f.remote = ip("203.0.113.200");
  EXPECT_TRUE(trust.trusted(f));
  f.remote = ip("198.51.100.1");
  f.local = ip("10.1.0.99");
  EXPECT_TRUE(trust.trusted(f));
  f.local = ip("10.1.0.5");
  std::strcpy(f.domain, "cdn.ok.example");
  EXPECT_TRUE(trust.trusted(f));
  std::strcpy(f.domain, "notok.example");
  EXPECT_FALSE(trust.trusted(f));
  f.hosts[0] = ip("203.0.113.1");
  f.host_count = 1;
  EXPECT_TRUE(trust.trusted(f));
  EXPECT_EQ(trust.suppressed(), 4u);
  detect::TrustFilter none(nullptr);
  EXPECT_FALSE(none.trusted(f));
}

namespace {

detect::ServerNameEvent http_request(const char* client, const char* host, const char* target, core::Nanos t,
                                     bool truncated = false) {
  detect::ServerNameEvent e;
  e.ts = t;
  e.kind = detect::ServerNameEvent::Kind::kHttpHost;
  e.client = ip(client);
  e.server = ip("203.0.113.80");
  e.client_port = 50000;
  e.server_port = 80;
  e.client_local = true;
  std::strcpy(e.name, host);
  e.name_len = static_cast<std::uint16_t>(std::strlen(host));
  std::strcpy(e.target, target);
  e.target_len = static_cast<std::uint16_t>(std::strlen(target));
  e.target_truncated = truncated;
  return e;
}

double metric(const detect::Finding& f, std::string_view name) {
  for (int i = 0; i < f.metric_count; ++i)
    if (name == f.metrics[i].name) return f.metrics[i].value;
  return -1;
}

}  // namespace

TEST(ThreatIntel, HttpRequestUrlsAreMatched) {
  Fixture fx(store_with("urls.txt", "#! name: url-c2\n#! category: c2\nhttp://files.example/gate.php  gatebot\n"
                                    "files.example/q.php?id=7\n"));
  Sink sink;
  fx.shard->on_server_name(http_request("10.1.0.5", "files.example", "/gate.php?bot=1", core::seconds(1)), sink);
  ASSERT_EQ(sink.types(), std::vector<std::string>{"Backdoor:EC2/C&CActivity.B!DNS"});
  const auto& f = sink.got[0];
  EXPECT_STREQ(f.threat_list, "url-c2");
  EXPECT_STREQ(f.threat_name, "files.example/gate.php");
  EXPECT_STREQ(f.threat_detail, "gatebot");
  EXPECT_STREQ(f.domain, "files.example");
  EXPECT_EQ(f.remote, ip("203.0.113.80"));
  EXPECT_EQ(f.remote_port, 80);
  EXPECT_EQ(metric(f, "httpUrl"), 1);
  EXPECT_EQ(metric(f, "httpHost"), -1);
  EXPECT_EQ(metric(f, "listEntryLine"), 3);
  // Absolute form through a proxy, from another host.
  Sink proxy;
  fx.shard->on_server_name(http_request("10.1.0.6", "proxy.example", "http://files.example/gate.php", core::seconds(2)),
                           proxy);
  ASSERT_EQ(proxy.types(), std::vector<std::string>{"Backdoor:EC2/C&CActivity.B!DNS"});
  EXPECT_STREQ(proxy.got[0].domain, "files.example");
  // The entry with a query needs that query.
  Sink q;
  fx.shard->on_server_name(http_request("10.1.0.7", "files.example", "/q.php?id=7", core::seconds(3)), q);
  EXPECT_EQ(q.types(), std::vector<std::string>{"Backdoor:EC2/C&CActivity.B!DNS"});
  // Silent: another path on the same host, the host alone, another query, a cut
  // target, a TLS name, a server in the home network.
  Sink none;
  fx.shard->on_server_name(http_request("10.1.0.8", "files.example", "/other.php", core::seconds(4)), none);
  fx.shard->on_server_name(http_request("10.1.0.8", "files.example", "/", core::seconds(5)), none);
  fx.shard->on_server_name(http_request("10.1.0.8", "files.example", "/q.php?id=8", core::seconds(6)), none);
  fx.shard->on_server_name(http_request("10.1.0.8", "files.example", "/gate.php", core::seconds(7), /*truncated=*/true),
                           none);
  auto tls = http_request("10.1.0.8", "files.example", "/gate.php", core::seconds(8));
  tls.kind = detect::ServerNameEvent::Kind::kTlsSni;
  fx.shard->on_server_name(tls, none);
  auto inside = http_request("10.1.0.8", "files.example", "/gate.php", core::seconds(9));
  inside.server = ip("10.1.0.200");
  inside.server_local = true;
  fx.shard->on_server_name(inside, none);
  EXPECT_EQ(none.types(), std::vector<std::string>{});
}

TEST(ThreatIntel, UrlHitsByCategoryHostListedTooAndTrust) {
  // Categories without a !DNS type raise nothing on a URL, as on a name.
  for (const char* cat : {"tor", "scanner", "sinkhole"}) {
    Fixture fx(store_with(std::string("url_") + cat + ".txt",
                          std::string("#! category: ") + cat + "\nhttp://files.example/gate.php\n"));
    Sink sink;
    fx.shard->on_server_name(http_request("10.1.0.5", "files.example", "/gate.php", core::seconds(1)), sink);
    EXPECT_EQ(sink.types(), std::vector<std::string>{}) << cat;
  }
  {
    Fixture fx(store_with("url_custom.txt", "#! category: custom\nhttp://files.example/gate.php\n"));
    Sink sink;
    fx.shard->on_server_name(http_request("10.1.0.5", "files.example", "/gate.php", core::seconds(1)), sink);
    EXPECT_EQ(sink.types(), std::vector<std::string>{"Impact:EC2/MaliciousDomainRequest.Custom"});
  }
  // The host is listed too, in the same list: one finding, the host's.
  {
    Fixture fx(store_with("url_and_host.txt", "#! category: phishing\nfiles.example\nhttp://files.example/gate.php\n"));
    Sink sink;
    fx.shard->on_server_name(http_request("10.1.0.5", "files.example", "/gate.php", core::seconds(1)), sink);
    ASSERT_EQ(sink.types(), std::vector<std::string>{"Trojan:EC2/PhishingDomainRequest!DNS"});
    EXPECT_EQ(metric(sink.got[0], "httpHost"), 1);
    EXPECT_STREQ(sink.got[0].threat_name, "files.example");
  }
  // A trusted host silences the findings of its URLs.
  auto store = store_with("url_trust.txt", "#! category: c2\nhttp://files.example/gate.php\nhttp://other.example/x\n",
                          "files.example\n");
  Fixture fx(store);
  detect::TrustFilter trust(store.get());
  Sink sink;
  fx.shard->on_server_name(http_request("10.1.0.5", "dl.files.example", "http://files.example/gate.php", core::seconds(1)),
                           sink);
  fx.shard->on_server_name(http_request("10.1.0.5", "other.example", "/x", core::seconds(2)), sink);
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_TRUE(trust.trusted(sink.got[0]));
  EXPECT_FALSE(trust.trusted(sink.got[1]));
}
