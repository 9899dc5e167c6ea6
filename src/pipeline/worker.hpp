#pragma once
// Worker: runs to completion on bursts of packets from its capture ring:
// flow table, DNS/TLS/HTTP extraction, flow-end and DNS events to the
// detector shards; between bursts it runs its own detector shards on what
// the other workers sent it. No locks, no allocation per packet.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "live_clock.hpp"
#include "messages.hpp"
#include "picket/capture/live_source.hpp"
#include "picket/core/spsc_ring.hpp"
#include "picket/export/event_json.hpp"
#include "picket/flow/flow_table.hpp"
#include "picket/match/pattern_set.hpp"
#include "picket/proto/dns.hpp"
#include "picket/proto/http_request.hpp"
#include "picket/pipeline/pipeline.hpp"
#include "shard_host.hpp"

namespace picket::pipeline {

struct WorkerWiring {
  unsigned index = 0;
  unsigned workers = 1;
  core::SpscRing<PacketSlot>* input = nullptr;
  std::vector<core::SpscRing<MeshMessage>*> mesh_out;  // [shard]
  std::vector<core::SpscRing<MeshMessage>*> mesh_in;   // [from worker]
  core::SpscRing<detect::Finding>* findings = nullptr;
  core::SpscRing<exporter::EventRecord>* events = nullptr;  // null unless --events
  bool send_dns = false;  // some detector wants DNS events
  bool send_server_names = false;  // some detector wants TLS SNI / HTTP Host events
  const match::Database* mining_rules = nullptr;  // payload rules for kMining; null: not scanned
};

// Which shard owns an address: the same function on every worker.
inline unsigned shard_of(const core::IpAddr& a, unsigned shards) {
  return static_cast<unsigned>(core::hash_bytes(a.bytes.data(), 16) % shards);
}

// A worker that reads its own live source (live_worker.cpp).
struct LiveWiring {
  capture::LiveSource* source = nullptr;
  LiveClock* clock = nullptr;
  std::atomic<core::Nanos>* capture_now = nullptr;  // worker 0 publishes its ticks here
  const std::atomic<bool>* stop = nullptr;
};

class Worker final : public flow::FlowEndSink, public detect::FindingSink {
 public:
  Worker(const WorkerWiring& wiring, const PipelineConfig& config, std::size_t max_flows,
         std::vector<ShardHost::Shard> shards);

  void run();
  // Reads `live.source` instead of the input ring, until `live.stop`.
  void run_live(const LiveWiring& live);
  // One frame of the live source (called from within the source's poll).
  void on_live_frame(const capture::RawPacket& frame);
  bool done() const { return done_.load(std::memory_order_acquire); }
  std::uint64_t packets_seen() const { return published_packets_.load(std::memory_order_relaxed); }
  std::uint64_t flows_active() const { return published_flows_.load(std::memory_order_relaxed); }
  // The detector shards on this worker; their published counters may be read from any thread.
  const ShardHost& shard_host() const { return shards_; }
  // Valid after run() returns.
  WorkerStats stats() const;
  const net::DecodeStats& live_decode() const { return live_.decode; }
  std::uint64_t live_not_analysed() const { return live_.not_analysed; }

  void on_flow_end(const flow::FlowRecord& rec) override;
  void emit(const detect::Finding& f) override;

 private:
  void handle_packet(const PacketSlot& slot);
  // A flow record or DNS log entry from a record input (worker_records.cpp).
  void handle_record(const PacketSlot& slot);
  void handle_dns(const net::PacketView& v, flow::FlowRecord& r);
  void handle_tcp_client_payload(const net::PacketView& v, flow::FlowRecord& r);
  // SSH / RDP / SMTP / mining on the first payload packets of either direction (payload_recognition.cpp).
  void recognise_payload(const net::PacketView& v, flow::FlowRecord& r, bool from_initiator);
  void broadcast_watermark(core::Nanos t, bool tick = true);
  // Ends every flow at end of input, with watermarks along the way.
  void flush_flows();
  void send(unsigned shard, const MeshMessage& m);
  // Where to build a message to `shard` in place: the next free slot of the
  // mesh ring to it, or a slot of this worker's own ShardHost; the caller
  // hands it over with publish_mesh_slot(shard) and must not send to that
  // shard in between.
  MeshMessage& claim_mesh_slot(unsigned shard);
  void publish_mesh_slot(unsigned shard);
  void send_event(const exporter::EventRecord& e);
  void send_server_name(const net::PacketView& v, detect::ServerNameEvent::Kind kind, const char* name,
                        const proto::HttpRequest* http = nullptr);
  bool drain_mesh();

  WorkerWiring wiring_;
  const PipelineConfig& config_;
  flow::FlowTable table_;
  ShardHost shards_;
  WorkerStats stats_;
  // Reused for every DNS message: the parser fills what it needs, and a fresh
  // 2.5 KB message per packet would cost more than the parse itself.
  proto::DnsMessage dns_msg_;
  // The DNS event when only the exporter's event stream wants it (no DNS detector).
  detect::DnsEvent events_only_dns_;
  // This worker's own Hyperscan scratch for the mining rules (never shared).
  std::unique_ptr<match::Scratch> mining_scratch_;
  bool input_done_ = false;
  // Messages to this worker's own shard skip the mesh: they are built in
  // place in its ShardHost's store and received at once (the host orders
  // them as any other), which saves two copies and a round trip through a
  // ring of megabytes that never stays in cache.
  bool own_received_ = false;  // since the last drain_mesh
  bool flushing_ = false;      // inside flush_flows()
  std::uint64_t flushed_since_watermark_ = 0;
  // Live input only: what a capture thread does in replay.
  struct LiveState {
    const LiveWiring* wiring = nullptr;
    core::Nanos next_tick = 0, last_tick = 0, last_ts = 0;
    net::DecodeStats decode;
    std::uint64_t not_analysed = 0;
    PacketSlot* slot = nullptr;  // view and hash of the frame at hand (no frame copy)
  } live_;
  void live_ticks_through(core::Nanos t);
  void live_finish();
  std::atomic<std::uint64_t> published_flows_{0};
  std::atomic<std::uint64_t> published_packets_{0};
  std::atomic<bool> done_{false};
};

}  // namespace picket::pipeline
