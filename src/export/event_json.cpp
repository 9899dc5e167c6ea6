#include "picket/export/event_json.hpp"

#include "picket/export/finding_json.hpp"
#include "picket/export/json_writer.hpp"
#include "picket/proto/dns.hpp"

namespace picket::exporter {

namespace {

void endpoints(JsonWriter& w, core::Nanos ts, const char* type, const core::IpAddr& src, std::uint16_t sport,
               const core::IpAddr& dst, std::uint16_t dport, std::uint8_t proto) {
  w.field("timestamp", core::iso8601(ts));
  w.field("event_type", type);
  w.field("src_ip", src).field("src_port", unsigned{sport});
  w.field("dest_ip", dst).field("dest_port", unsigned{dport});
  w.field("proto", protocol_name(proto));
}

void tcp_flags(JsonWriter& w, const char* key, std::uint8_t f) {
  static const char* const kNames[] = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"};
  w.key(key).begin_array();
  for (int i = 0; i < 8; ++i)
    if (f & (1u << i)) w.value(kNames[i]);
  w.end_array();
}

void render(JsonWriter& w, const detect::FlowEvent& e) {
  const auto& r = e.rec;
  endpoints(w, r.first_seen, "flow", r.initiator(), r.initiator_port(), r.responder(), r.responder_port(),
            r.key.proto);
  if (r.key.vlan) w.field("vlan", unsigned{r.key.vlan});
  if (r.key.tunnel_id) w.field("tunnel_id", unsigned{r.key.tunnel_id});
  if (r.app != flow::AppProto::kUnknown) w.field("app_proto", flow::app_proto_name(r.app));
  w.key("flow").begin_object();
  w.field("pkts_toserver", r.packets[0]).field("pkts_toclient", r.packets[1]);
  w.field("bytes_toserver", r.bytes[0]).field("bytes_toclient", r.bytes[1]);
  w.field("payload_toserver", r.payload_bytes[0]).field("payload_toclient", r.payload_bytes[1]);
  w.field("start", core::iso8601(r.first_seen)).field("end", core::iso8601(r.last_seen));
  w.field("age", static_cast<double>(r.last_seen - r.first_seen) / 1e9);
  w.field("state", flow::flow_state_name(r.state));
  w.field("reason", flow::flow_end_reason_name(r.end_reason));
  w.field("src_local", e.initiator_local).field("dest_local", e.responder_local);
  if (r.key.proto == 6) {
    tcp_flags(w, "tcp_flags_ts", r.tcp_flags[0]);
    tcp_flags(w, "tcp_flags_tc", r.tcp_flags[1]);
  }
  if (r.key.proto == 1 || r.key.proto == 58) w.field("icmp_type", unsigned{r.icmp_type});
  w.end_object();
}

void render(JsonWriter& w, const detect::DnsEvent& e) {
  // Queries read client -> server, answers server -> client, as on the wire.
  if (e.is_response)
    endpoints(w, e.ts, "dns", e.server, e.server_port, e.client, e.client_port, e.transport);
  else
    endpoints(w, e.ts, "dns", e.client, e.client_port, e.server, e.server_port, e.transport);
  w.key("dns").begin_object();
  w.field("type", e.is_response ? "answer" : "query");
  w.field("id", unsigned{e.id});
  w.field("rrname", std::string_view(e.qname, e.qname_len));
  const char* t = proto::dns_type_name(e.qtype);
  if (t) w.field("rrtype", t); else w.field("rrtype", std::to_string(e.qtype));
  if (e.is_response) {
    const char* rc = proto::dns_rcode_name(e.rcode);
    if (rc) w.field("rcode", rc); else w.field("rcode", std::to_string(e.rcode));
    w.field("answer_count", unsigned{e.answer_count});
    if (e.addr_count) {
      w.key("addresses").begin_array();
      for (int i = 0; i < e.addr_count; ++i) w.value(e.addrs[i]);
      w.end_array();
      w.field("min_ttl", unsigned{e.min_ttl});
    }
  }
  w.end_object();
}

void render(JsonWriter& w, const detect::TlsEvent& e) {
  endpoints(w, e.ts, "tls", e.client, e.client_port, e.server, e.server_port, 6);
  w.key("tls").begin_object().field("sni", std::string_view(e.sni)).field("version", unsigned{e.version}).end_object();
}

void render(JsonWriter& w, const detect::HttpEvent& e) {
  endpoints(w, e.ts, "http", e.client, e.client_port, e.server, e.server_port, 6);
  w.key("http").begin_object();
  w.field("hostname", std::string_view(e.host));
  w.field("url", std::string_view(e.uri));
  w.field("http_method", std::string_view(e.method));
  w.field("http_user_agent", std::string_view(e.user_agent));
  w.end_object();
}

}  // namespace

void render_event_json(const EventRecord& ev, std::string& out) {
  JsonWriter w(out);
  w.begin_object();
  std::visit([&](const auto& e) { render(w, e); }, ev);
  w.end_object();
}

}  // namespace picket::exporter
