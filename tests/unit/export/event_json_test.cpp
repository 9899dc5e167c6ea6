// render_event_json: flow, DNS, TLS and HTTP event lines, exact.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "json_check.hpp"
#include "picket/export/event_json.hpp"
#include "picket/flow/flow_key.hpp"

namespace detect = picket::detect;
namespace exporter = picket::exporter;
namespace flow = picket::flow;
using picket::core::IpAddr;
using picket::core::Nanos;
using picket::core::seconds;

namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }
constexpr Nanos kT0 = seconds(1'700'000'000);  // 2023-11-14T22:13:20Z

std::string render(const exporter::EventRecord& e) {
  std::string out;
  exporter::render_event_json(e, out);
  return out;
}

flow::FlowKey key(const char* a, std::uint16_t ap, const char* b, std::uint16_t bp, std::uint8_t proto,
                  bool& a_is_lo) {
  picket::net::PacketView p;
  p.src = ip(a);
  p.dst = ip(b);
  p.sport = ap;
  p.dport = bp;
  p.l4_proto = proto;
  return flow::FlowKey::from_packet(p, a_is_lo);
}

TEST(EventJson, TcpFlowWithInitiatorAsHigherAddress) {
  detect::FlowEvent e;
  bool lo = false;
  // 10.0.0.5 > 8.8.8.8 as addresses: the initiator is the key's hi end.
  e.rec.key = key("10.0.0.5", 40000, "8.8.8.8", 443, 6, lo);
  ASSERT_FALSE(lo);
  e.rec.key.vlan = 10;
  e.rec.initiator_is_lo = lo;
  e.rec.state = flow::FlowState::kClosed;
  e.rec.end_reason = flow::FlowEndReason::kTcpClosed;
  e.rec.app = flow::AppProto::kTls;
  e.rec.tcp_flags[0] = 0x1b;  // FIN SYN PSH ACK
  e.rec.tcp_flags[1] = 0x16;  // SYN RST ACK
  e.rec.first_seen = kT0 + 250'000'000;
  e.rec.last_seen = kT0 + seconds(2) + 750'000'000;
  e.rec.packets[0] = 5;
  e.rec.packets[1] = 4;
  e.rec.bytes[0] = 600;
  e.rec.bytes[1] = 3000;
  e.rec.payload_bytes[0] = 300;
  e.rec.payload_bytes[1] = 2800;
  e.initiator_local = true;
  const std::string js = render(e);
  EXPECT_EQ(js,
            R"({"timestamp":"2023-11-14T22:13:20.250Z","event_type":"flow","src_ip":"10.0.0.5","src_port":40000,)"
            R"("dest_ip":"8.8.8.8","dest_port":443,"proto":"TCP","vlan":10,"app_proto":"tls",)"
            R"("flow":{"pkts_toserver":5,"pkts_toclient":4,"bytes_toserver":600,"bytes_toclient":3000,)"
            R"("payload_toserver":300,"payload_toclient":2800,"start":"2023-11-14T22:13:20.250Z",)"
            R"("end":"2023-11-14T22:13:22.750Z","age":2.5,"state":"closed","reason":"closed",)"
            R"("src_local":true,"dest_local":false,"tcp_flags_ts":["fin","syn","psh","ack"],)"
            R"("tcp_flags_tc":["syn","rst","ack"]}})");
  EXPECT_EQ(jsoncheck::check(js), "");
}

TEST(EventJson, UdpFlowV6WithTunnelAndNoOptionalFields) {
  detect::FlowEvent e;
  bool lo = false;
  e.rec.key = key("fd00::1", 5353, "2001:db8::1", 53, 17, lo);
  e.rec.key.tunnel_id = 4096;
  e.rec.initiator_is_lo = lo;
  e.rec.first_seen = kT0;
  e.rec.last_seen = kT0;
  e.rec.packets[0] = 1;
  e.rec.bytes[0] = 80;
  e.rec.payload_bytes[0] = 32;
  e.responder_local = false;
  e.initiator_local = true;
  const std::string js = render(e);
  EXPECT_EQ(js,
            R"({"timestamp":"2023-11-14T22:13:20.000Z","event_type":"flow","src_ip":"fd00::1","src_port":5353,)"
            R"("dest_ip":"2001:db8::1","dest_port":53,"proto":"UDP","tunnel_id":4096,)"
            R"("flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":80,"bytes_toclient":0,)"
            R"("payload_toserver":32,"payload_toclient":0,"start":"2023-11-14T22:13:20.000Z",)"
            R"("end":"2023-11-14T22:13:20.000Z","age":0.0,"state":"new","reason":"timeout",)"
            R"("src_local":true,"dest_local":false}})");
  EXPECT_EQ(jsoncheck::check(js), "");
}

TEST(EventJson, IcmpFlowCarriesIcmpType) {
  detect::FlowEvent e;
  bool lo = false;
  e.rec.key = key("10.0.0.1", 0, "10.0.0.2", 0, 1, lo);
  e.rec.initiator_is_lo = lo;
  e.rec.icmp_type = 8;
  e.rec.end_reason = flow::FlowEndReason::kActiveTimeout;
  const std::string js = render(e);
  EXPECT_NE(js.find(R"("proto":"ICMP")"), std::string::npos) << js;
  EXPECT_NE(js.find(R"("reason":"active_timeout","src_local":false,"dest_local":false,"icmp_type":8}})"),
            std::string::npos)
      << js;
  EXPECT_EQ(js.find("tcp_flags"), std::string::npos);
  EXPECT_EQ(jsoncheck::check(js), "");
}

detect::DnsEvent dns_event(const char* name) {
  detect::DnsEvent d;
  d.ts = kT0 + 5'000'000;
  d.client = ip("192.168.1.20");
  d.server = ip("1.1.1.1");
  d.client_port = 51000;
  d.server_port = 53;
  d.id = 0xbeef;
  d.qtype = 1;
  d.qname_len = static_cast<std::uint16_t>(std::strlen(name));
  std::memcpy(d.qname, name, d.qname_len);
  return d;
}

TEST(EventJson, DnsQueryReadsClientToServer) {
  const detect::DnsEvent d = dns_event("example.com");
  const std::string js = render(d);
  EXPECT_EQ(js,
            R"({"timestamp":"2023-11-14T22:13:20.005Z","event_type":"dns","src_ip":"192.168.1.20","src_port":51000,)"
            R"("dest_ip":"1.1.1.1","dest_port":53,"proto":"UDP","dns":{"type":"query","id":48879,)"
            R"("rrname":"example.com","rrtype":"A"}})");
  EXPECT_EQ(jsoncheck::check(js), "");
}

TEST(EventJson, DnsAnswerWithAddressesReadsServerToClient) {
  detect::DnsEvent d = dns_event("www.example.com");
  d.is_response = true;
  d.transport = 6;
  d.rcode = 0;
  d.answer_count = 3;
  d.addr_count = 2;
  d.addrs[0] = ip("93.184.216.34");
  d.addrs[1] = ip("2606:2800:220:1:248:1893:25c8:1946");
  d.min_ttl = 300;
  const std::string js = render(d);
  EXPECT_EQ(js,
            R"({"timestamp":"2023-11-14T22:13:20.005Z","event_type":"dns","src_ip":"1.1.1.1","src_port":53,)"
            R"("dest_ip":"192.168.1.20","dest_port":51000,"proto":"TCP","dns":{"type":"answer","id":48879,)"
            R"("rrname":"www.example.com","rrtype":"A","rcode":"NOERROR","answer_count":3,)"
            R"("addresses":["93.184.216.34","2606:2800:220:1:248:1893:25c8:1946"],"min_ttl":300}})");
  EXPECT_EQ(jsoncheck::check(js), "");
}

TEST(EventJson, DnsUnknownTypeAndRcodeAreNumbersAsStrings) {
  detect::DnsEvent d = dns_event("x.test");
  d.is_response = true;
  d.qtype = 65280;
  d.rcode = 15;
  const std::string js = render(d);
  EXPECT_NE(js.find(R"("rrtype":"65280","rcode":"15","answer_count":0}})"), std::string::npos) << js;
  EXPECT_EQ(js.find("addresses"), std::string::npos);
  d.rcode = 3;
  d.qtype = 28;
  const std::string nx = render(d);
  EXPECT_NE(nx.find(R"("rrtype":"AAAA","rcode":"NXDOMAIN")"), std::string::npos) << nx;
}

TEST(EventJson, DnsBinaryNameIsEscaped) {
  detect::DnsEvent d = dns_event("");
  const char raw[] = {'a', '\x00', '"', '\xff', '.', 'b'};
  std::memcpy(d.qname, raw, sizeof(raw));
  d.qname_len = sizeof(raw);
  const std::string js = render(d);
  EXPECT_NE(js.find(R"("rrname":"a\u0000\"\u00ff.b")"), std::string::npos) << js;
  EXPECT_EQ(jsoncheck::check(js), "");
}

// Consequence of the JsonWriter UTF-8 bug (json_writer_test, EscapeStrictUtf8):
// a DNS name with bytes FF 80 80 yields an events line that is not UTF-8.
TEST(EventJson, DnsNameWithInvalidUtf8YieldsValidJson) {
  detect::DnsEvent d = dns_event("a\xff\x80\x80.test");
  const std::string js = render(d);
  EXPECT_EQ(jsoncheck::check(js), "") << js;
}

TEST(EventJson, Tls) {
  detect::TlsEvent t;
  t.ts = kT0;
  t.client = ip("10.0.0.5");
  t.server = ip("93.184.216.34");
  t.client_port = 40000;
  t.server_port = 443;
  t.version = 0x0303;
  std::strcpy(t.sni, "example.com");
  const std::string js = render(t);
  EXPECT_EQ(js,
            R"({"timestamp":"2023-11-14T22:13:20.000Z","event_type":"tls","src_ip":"10.0.0.5","src_port":40000,)"
            R"("dest_ip":"93.184.216.34","dest_port":443,"proto":"TCP","tls":{"sni":"example.com","version":771}})");
  EXPECT_EQ(jsoncheck::check(js), "");
}

TEST(EventJson, Http) {
  detect::HttpEvent h;
  h.ts = kT0 + 999'000'000;
  h.client = ip("10.0.0.5");
  h.server = ip("203.0.113.80");
  h.client_port = 40001;
  h.server_port = 8080;
  std::strcpy(h.method, "GET");
  std::strcpy(h.host, "intranet.local");
  std::strcpy(h.uri, "/a?q=\"x\"&b=\\");
  std::strcpy(h.user_agent, "curl/8.0\t(test)");
  const std::string js = render(h);
  EXPECT_EQ(js,
            R"({"timestamp":"2023-11-14T22:13:20.999Z","event_type":"http","src_ip":"10.0.0.5","src_port":40001,)"
            R"("dest_ip":"203.0.113.80","dest_port":8080,"proto":"TCP","http":{"hostname":"intranet.local",)"
            R"js("url":"/a?q=\"x\"&b=\\","http_method":"GET","http_user_agent":"curl/8.0\t(test)"}})js");
  EXPECT_EQ(jsoncheck::check(js), "");
}

}  // namespace
