#include "worker.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include "picket/proto/dns.hpp"
#include "picket/proto/http_request.hpp"
#include "picket/proto/tls_sni.hpp"

namespace picket::pipeline {

namespace {
constexpr std::size_t kBurst = 64;
// TLS and HTTP announce themselves in the client's first data; looking at a
// few packets covers a client that sends a small preface first.
constexpr std::uint8_t kMaxAppInspections = 3;

template <std::size_t N>
void copy_cstr(char (&dst)[N], const char* src) {
  std::size_t n = std::strlen(src);
  if (n >= N) n = N - 1;
  std::memcpy(dst, src, n);
  dst[n] = '\0';
}

void pause_briefly() { std::this_thread::yield(); }
}  // namespace

Worker::Worker(const WorkerWiring& wiring, const PipelineConfig& config, std::size_t max_flows,
               std::vector<ShardHost::Shard> shards)
    : wiring_(wiring),
      config_(config),
      table_(max_flows, config.timeouts),
      shards_(wiring.workers, std::move(shards)) {
  if (wiring_.mining_rules) mining_scratch_ = std::make_unique<match::Scratch>(*wiring_.mining_rules);
}

WorkerStats Worker::stats() const {
  WorkerStats s = stats_;
  s.flows = table_.stats();
  return s;
}

void Worker::run() {
  int idle_rounds = 0;
  while (!shards_.finished()) {
    const PacketSlot* burst = nullptr;
    const std::size_t n = input_done_ ? 0 : wiring_.input->peek(&burst, kBurst);
    for (std::size_t i = 0; i < n; ++i) table_.prefetch(burst[i].hash);
    for (std::size_t i = 0; i < n; ++i) {
      const PacketSlot& slot = burst[i];
      switch (slot.kind) {
        case PacketSlot::Kind::kPacket:
          handle_packet(slot);
          break;
        case PacketSlot::Kind::kTick:
          // Flows that ended before the tick; one ending exactly at it may
          // still be ended by a packet stamped at the tick (see Watermark).
          table_.expire(slot.tick - 1, *this);
          broadcast_watermark(slot.tick);
          break;
        case PacketSlot::Kind::kWatermark:
          table_.expire(slot.tick - 1, *this);
          broadcast_watermark(slot.tick, /*tick=*/false);
          break;
        case PacketSlot::Kind::kFlowRecord:
        case PacketSlot::Kind::kDnsEvent:
          handle_record(slot);
          break;
        case PacketSlot::Kind::kFlush:
          flush_flows();
          broadcast_watermark(core::kNanosMax);
          input_done_ = true;
          break;
      }
    }
    if (n) {
      wiring_.input->release(n);
      published_packets_.store(stats_.packets, std::memory_order_relaxed);
    }
    const bool got = drain_mesh();
    if (n || got) {
      idle_rounds = 0;
    } else if (++idle_rounds > 64) {
      // Nothing to do: let the other threads of an oversubscribed machine run.
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    } else {
      pause_briefly();
    }
  }
  done_.store(true, std::memory_order_release);
}

bool Worker::drain_mesh() {
  bool got = false;
  for (unsigned from = 0; from < wiring_.workers; ++from) {
    auto* ring = wiring_.mesh_in[from];
    const MeshMessage* msgs = nullptr;
    std::size_t n;
    while ((n = ring->peek(&msgs, kBurst)) != 0) {
      for (std::size_t i = 0; i < n; ++i) shards_.receive(from, msgs[i]);
      ring->release(n);
      got = true;
    }
  }
  if (got || own_received_) shards_.process(*this);
  own_received_ = false;
  return got;
}

MeshMessage& Worker::claim_mesh_slot(unsigned shard) {
  if (shard == wiring_.index) return shards_.claim_own();
  auto* ring = wiring_.mesh_out[shard];
  MeshMessage* slot;
  while ((slot = ring->claim()) == nullptr) {
    // The receiving shard may itself be waiting on us: keep our own inbox
    // moving while we wait, so the mesh cannot deadlock.
    ++stats_.mesh_waits;
    if (!drain_mesh()) pause_briefly();
  }
  return *slot;
}

void Worker::publish_mesh_slot(unsigned shard) {
  if (shard == wiring_.index) {
    shards_.commit_own(shard);
    own_received_ = true;
    return;
  }
  wiring_.mesh_out[shard]->publish();
}

void Worker::send(unsigned shard, const MeshMessage& m) {
  claim_mesh_slot(shard) = m;
  publish_mesh_slot(shard);
}

void Worker::send_event(const exporter::EventRecord& e) {
  if (!wiring_.events) return;
  while (!wiring_.events->try_push(e)) pause_briefly();
}

void Worker::flush_flows() {
  flushed_since_watermark_ = 0;
  flushing_ = true;
  table_.flush(*this);
  flushing_ = false;
}

void Worker::broadcast_watermark(core::Nanos t, bool tick) {
  for (unsigned s = 0; s < wiring_.workers; ++s) send(s, Watermark{t, tick});
}

void Worker::emit(const detect::Finding& f) {
  while (!wiring_.findings->try_push(f)) pause_briefly();
}

void Worker::on_flow_end(const flow::FlowRecord& rec) {
  const unsigned shard = shard_of(rec.initiator(), wiring_.workers);
  detect::FlowEvent& ev = claim_mesh_slot(shard).emplace<detect::FlowEvent>();
  ev.rec = rec;
  ev.initiator_local = config_.home.contains(rec.initiator());
  ev.responder_local = config_.home.contains(rec.responder());
  ++stats_.flow_events;
  if (wiring_.events) send_event(ev);
  publish_mesh_slot(shard);
  // The flush ends flows in end-time order: promise each kPacketsPerWatermark-th
  // end time, so the shards need not hold every flow of the table at once.
  if (flushing_ && ++flushed_since_watermark_ == kPacketsPerWatermark) {
    flushed_since_watermark_ = 0;
    broadcast_watermark(rec.end_time, /*tick=*/false);
  }
}

void Worker::handle_packet(const PacketSlot& slot) {
  const net::PacketView& v = slot.view;
  ++stats_.packets;
  stats_.bytes += v.wirelen;
  bool created = false, from_initiator = false;
  flow::FlowRecord& r = table_.update(v, slot.hash, *this, created, from_initiator);
  if (v.payload_len == 0) return;
  const bool port53 = v.sport == 53 || v.dport == 53;
  if (port53 && (v.l4_proto == 17 || v.l4_proto == 6)) {
    handle_dns(v, r);
  } else if (v.l4_proto == 6 && from_initiator && r.app == flow::AppProto::kUnknown &&
             r.app_inspections < kMaxAppInspections) {
    ++r.app_inspections;
    handle_tcp_client_payload(v, r);
  }
  if (v.l4_proto == 6 && !port53) recognise_payload(v, r, from_initiator);
}

void Worker::handle_dns(const net::PacketView& v, flow::FlowRecord& r) {
  const std::uint8_t* p = v.payload();
  std::size_t len = v.payload_len;
  if (v.l4_proto == 6) {
    // DNS over TCP: a 2-byte length, then the message. Only segments that
    // start a message parse; the others are counted as errors.
    if (len < 2) return;
    const std::size_t declared = (std::size_t{p[0]} << 8) | p[1];
    p += 2;
    len = std::min(len - 2, declared);
  }
  proto::DnsMessage& msg = dns_msg_;
  const proto::DnsStatus st = proto::parse_dns(p, len, msg);
  if (st != proto::DnsStatus::kOk && !(st == proto::DnsStatus::kTruncated && msg.has_question)) {
    ++stats_.dns_errors;
    return;
  }
  if (!msg.has_question) {
    ++stats_.dns_errors;
    return;
  }
  ++stats_.dns_messages;
  r.app = flow::AppProto::kDns;

  // The client is the side that asked: the sender of a query, the receiver of an answer.
  const core::IpAddr& client = msg.is_response ? v.dst : v.src;
  const unsigned shard = shard_of(client, wiring_.workers);
  // Built in place in the mesh ring's slot: a DNS event is 448 bytes, and
  // building it aside and copying it in cost two copies per message.
  detect::DnsEvent& ev = wiring_.send_dns ? claim_mesh_slot(shard).emplace<detect::DnsEvent>()
                                          : (events_only_dns_ = detect::DnsEvent{});
  ev.ts = v.ts;
  ev.is_response = msg.is_response;
  ev.client = client;
  ev.server = msg.is_response ? v.src : v.dst;
  ev.client_port = msg.is_response ? v.dport : v.sport;
  ev.server_port = msg.is_response ? v.sport : v.dport;
  ev.transport = v.l4_proto;
  ev.client_local = config_.home.contains(ev.client);
  ev.rcode = msg.rcode;
  ev.id = msg.id;
  ev.qtype = msg.qtype;
  ev.qname_len = std::min<std::uint16_t>(msg.qname_len, detect::kDnsEventMaxName - 1);
  std::memcpy(ev.qname, msg.qname, ev.qname_len);
  ev.answer_count = static_cast<std::uint8_t>(std::min<unsigned>(msg.ancount, 255));
  bool have_ttl = false;
  for (int i = 0; i < msg.answer_count && ev.addr_count < detect::kDnsEventMaxAddrs; ++i) {
    const auto& a = msg.answers[i];
    if (a.type != proto::kDnsA && a.type != proto::kDnsAaaa) continue;
    ev.addrs[ev.addr_count++] = a.addr;
    ev.min_ttl = have_ttl ? std::min(ev.min_ttl, a.ttl) : a.ttl;
    have_ttl = true;
  }
  if (wiring_.events) send_event(ev);
  if (wiring_.send_dns) {
    ++stats_.dns_events;
    publish_mesh_slot(shard);
  }
}

void Worker::send_server_name(const net::PacketView& v, detect::ServerNameEvent::Kind kind, const char* name,
                              const proto::HttpRequest* http) {
  if (!wiring_.send_server_names || !name[0]) return;
  detect::ServerNameEvent ev;
  ev.ts = v.ts;
  ev.client = v.src, ev.server = v.dst, ev.client_port = v.sport, ev.server_port = v.dport;
  ev.kind = kind;
  ev.client_local = config_.home.contains(ev.client);
  ev.server_local = config_.home.contains(ev.server);
  // The TLS and HTTP parsers hand names over lower-cased already.
  std::size_t n = std::strlen(name);
  if (n >= sizeof(ev.name)) n = sizeof(ev.name) - 1;
  std::memcpy(ev.name, name, n);
  ev.name_len = static_cast<std::uint16_t>(n);
  if (http) {
    std::size_t t = std::strlen(http->uri);
    ev.target_truncated = http->uri_truncated || t >= sizeof(ev.target);
    if (t >= sizeof(ev.target)) t = sizeof(ev.target) - 1;
    std::memcpy(ev.target, http->uri, t);
    ev.target_len = static_cast<std::uint16_t>(t);
  }
  ++stats_.server_name_events;
  send(shard_of(ev.client, wiring_.workers), ev);
}

void Worker::handle_tcp_client_payload(const net::PacketView& v, flow::FlowRecord& r) {
  const std::uint8_t* p = v.payload();
  if (p[0] == 0x16) {
    proto::TlsClientHello hello;
    if (proto::parse_tls_client_hello(p, v.payload_len, hello) != proto::SniStatus::kFound) return;
    r.app = flow::AppProto::kTls;
    ++stats_.tls_sni;
    send_server_name(v, detect::ServerNameEvent::Kind::kTlsSni, hello.sni);
    if (!wiring_.events) return;
    detect::TlsEvent ev;
    ev.ts = v.ts;
    ev.client = v.src, ev.server = v.dst, ev.client_port = v.sport, ev.server_port = v.dport;
    ev.version = hello.client_version;
    copy_cstr(ev.sni, hello.sni);
    send_event(ev);
    return;
  }
  proto::HttpRequest req;
  if (proto::parse_http_request(p, v.payload_len, req) == proto::HttpStatus::kNotHttp) return;
  r.app = flow::AppProto::kHttp;
  ++stats_.http_requests;
  if (req.host[0]) send_server_name(v, detect::ServerNameEvent::Kind::kHttpHost, req.host, &req);
  if (!wiring_.events) return;
  detect::HttpEvent ev;
  ev.ts = v.ts;
  ev.client = v.src, ev.server = v.dst, ev.client_port = v.sport, ev.server_port = v.dport;
  copy_cstr(ev.method, req.method);
  copy_cstr(ev.host, req.host);
  copy_cstr(ev.uri, req.uri);
  copy_cstr(ev.user_agent, req.user_agent);
  send_event(ev);
}

}  // namespace picket::pipeline
