#pragma once
// What the detector benchmarks share: shards of named detectors made as a
// worker makes them (default parameters, the default home network), and
// finished outbound TCP flow events of a chosen shape.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "picket/detect/detector.hpp"
#include "picket/flow/flow_key.hpp"
#include "picket/net/packet.hpp"

namespace picket::bench {

// Capture time at which the benchmarks' traffic starts (2023-11-14).
inline constexpr core::Nanos kT0 = 1'700'000'000ULL * 1'000'000'000ULL;

// Counts what the shards report.
class CountingSink final : public detect::FindingSink {
 public:
  void emit(const detect::Finding&) override { ++findings; }
  std::uint64_t findings = 0;
};

struct DetectorShards {
  std::vector<std::unique_ptr<detect::Detector>> all = detect::make_all_detectors();
  detect::DetectorConfig config{all};
  detect::HomeNet home = detect::HomeNet::defaults();
  std::vector<std::unique_ptr<detect::DetectorShard>> shards;  // in registry order
  explicit DetectorShards(const std::vector<std::string>& names) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      bool want = false;
      for (const auto& n : names) want = want || n == all[i]->name();
      if (!want) continue;
      detect::DetectorContext ctx;
      ctx.home = &home;
      ctx.params = config.values(i);
      shards.push_back(all[i]->make_shard(ctx));
    }
  }
  // Every flow event (in end-time order, from kT0) to every shard, with a tick
  // at each whole second of capture time, as a worker's shard host does.
  void feed_flows(const std::vector<detect::FlowEvent>& events, detect::FindingSink& sink) {
    core::Nanos next_tick = kT0;
    for (const auto& e : events) {
      if (e.rec.end_time >= next_tick) {
        for (auto& s : shards) s->on_tick(next_tick, sink);
        next_tick += 1'000'000'000ULL;
      }
      for (auto& s : shards) s->on_flow(e, sink);
    }
  }
};

// A closed TCP connection's shape; the initiator sends bytes_out, of which
// all but 300 header bytes are payload.
struct FlowShape {
  core::Nanos duration = 1'000'000'000ULL;
  std::uint64_t packets_out = 6, packets_in = 5;
  std::uint64_t bytes_in = 4000, payload_in = 0;
};

// The finished flow `local`:sport -> `remote`:dport, a home host's outbound
// connection that started at `start`.
inline detect::FlowEvent outbound_tcp_flow(const core::IpAddr& local, const core::IpAddr& remote, std::uint16_t sport,
                                           std::uint16_t dport, core::Nanos start, std::uint64_t bytes_out,
                                           const FlowShape& shape = {}) {
  net::PacketView p;
  p.src = local;
  p.dst = remote;
  p.l4_proto = 6;
  p.sport = sport;
  p.dport = dport;
  bool src_is_lo = false;
  detect::FlowEvent e;
  auto& r = e.rec;
  r.key = flow::FlowKey::from_packet(p, src_is_lo);
  r.initiator_is_lo = src_is_lo;
  r.first_seen = start;
  r.last_seen = r.end_time = start + shape.duration;
  r.end_reason = flow::FlowEndReason::kTcpClosed;
  r.state = flow::FlowState::kClosed;
  r.tcp_flags[0] = r.tcp_flags[1] = 0x1b;
  r.packets[0] = shape.packets_out;
  r.packets[1] = shape.packets_in;
  r.bytes[0] = bytes_out;
  r.bytes[1] = shape.bytes_in;
  r.payload_bytes[0] = bytes_out > 300 ? bytes_out - 300 : 1;
  r.payload_bytes[1] = shape.payload_in;
  e.initiator_local = true;
  e.responder_local = false;
  return e;
}

}  // namespace picket::bench
