// Flow table and flow key costs, as a worker sees them: packets arrive as a
// sequential stream (the ring), flows are looked up in random order.
//
// Tables are sized the way `picket replay` sizes them by default (512 MiB of
// --flow-memcap for one worker) unless the benchmark says "compact", so the
// index is large and sparse and random lookups miss the CPU caches as they do
// in the real pipeline.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "picket/flow/flow_key.hpp"
#include "picket/flow/flow_table.hpp"

namespace picket::bench {
namespace {

constexpr std::size_t kDefaultMemcapBytes = 512ull << 20;  // replay's --flow-memcap default
constexpr std::uint8_t kSynFlag = 0x02, kPshFlag = 0x08, kAckFlag = 0x10;
constexpr core::Nanos kStart = 1'700'000'000ull * core::kNanosPerSecond;

std::size_t default_capacity() { return kDefaultMemcapBytes / flow::FlowTable::bytes_per_flow(); }

// Counts flow ends; the real sink (Worker) builds an event and sends it to a
// detector shard, which is measured by the end-to-end replay instead.
class CountingSink final : public flow::FlowEndSink {
 public:
  void on_flow_end(const flow::FlowRecord& rec) override {
    ++ended;
    packets += rec.packets[0] + rec.packets[1];
  }
  std::uint64_t ended = 0, packets = 0;
};

// A decoded packet as a worker receives it: the view plus the hash the
// capture thread computed.
struct Pkt {
  net::PacketView view;
  std::uint64_t hash = 0;
};

// Flow number `id` as a packet: 80% TCP to 443, 20% UDP to 53, clients spread
// over 10/8 and servers over 203.0.113.0/24. from_client picks the direction.
Pkt make_pkt(std::uint32_t id, bool from_client, std::uint8_t tcp_flags) {
  const bool tcp = id % 5 != 0;
  const auto client = core::IpAddr::from_v4(0x0A00'0000u | (id & 0x00ff'ffffu));
  const auto server = core::IpAddr::from_v4(0xCB00'7100u | (id * 40503u >> 8 & 0xff));
  const auto cport = static_cast<std::uint16_t>(1024 + (id >> 24) * 251 + id % 64000);
  const std::uint16_t sport_server = tcp ? 443 : 53;
  Pkt p;
  net::PacketView& v = p.view;
  v.ip_version = 4;
  v.l4_proto = tcp ? 6 : 17;
  v.ttl = 64;
  v.src = from_client ? client : server;
  v.dst = from_client ? server : client;
  v.sport = from_client ? cport : sport_server;
  v.dport = from_client ? sport_server : cport;
  v.tcp_flags = tcp ? tcp_flags : 0;
  v.l3_offset = 14;
  v.l4_offset = 34;
  v.payload_offset = tcp ? 54 : 42;
  v.payload_len = 0;
  v.ip_len = tcp ? 52 : 60;
  v.caplen = v.wirelen = 14 + v.ip_len;
  bool src_is_lo;
  p.hash = flow::FlowKey::from_packet(v, src_is_lo).hash();
  return p;
}

// --- Lookup hit -------------------------------------------------------------
// Every flow exists and is established; each packet is a random flow in a
// random direction. Measures FlowTable::update() on the common path.
void BM_FlowTable_Hit(benchmark::State& state) {
  const auto flows = static_cast<std::uint32_t>(state.range(0));
  const bool compact = state.range(1) != 0;
  const std::size_t capacity = compact ? flows * 2ull : default_capacity();
  flow::FlowTable table(capacity, flow::FlowTimeouts{});
  CountingSink sink;

  // Establish every flow (SYN, SYN-ACK, ACK) outside the timed loop.
  core::Nanos ts = kStart;
  bool created, from_initiator;
  for (std::uint32_t id = 0; id < flows; ++id) {
    Pkt syn = make_pkt(id, true, kSynFlag);
    syn.view.ts = ts;
    table.update(syn.view, syn.hash, sink, created, from_initiator);
    Pkt synack = make_pkt(id, false, kSynFlag | kAckFlag);
    synack.view.ts = ts;
    table.update(synack.view, synack.hash, sink, created, from_initiator);
    Pkt ack = make_pkt(id, true, kAckFlag);
    ack.view.ts = ts;
    table.update(ack.view, ack.hash, sink, created, from_initiator);
  }
  // The packet stream: random flows, random directions, read sequentially.
  const std::size_t stream_len = std::max<std::size_t>(1u << 18, flows);
  std::vector<Pkt> stream;
  stream.reserve(stream_len);
  std::mt19937_64 rng(42);
  for (std::size_t i = 0; i < stream_len; ++i) {
    const auto id = static_cast<std::uint32_t>(rng() % flows);
    stream.push_back(make_pkt(id, rng() & 1, kAckFlag | kPshFlag));
  }
  const std::uint64_t created_before = table.stats().created;

  std::size_t i = 0;
  for (auto _ : state) {
    Pkt& p = stream[i];
    // 10 ns of capture time per packet: no flow idles out during the run.
    ts += 10;
    p.view.ts = ts;
    flow::FlowRecord& r = table.update(p.view, p.hash, sink, created, from_initiator);
    benchmark::DoNotOptimize(&r);
    if (++i == stream_len) i = 0;
  }
  if (table.stats().created != created_before) state.SkipWithError("a lookup missed: the benchmark is not measuring hits");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["capacity"] = static_cast<double>(table.capacity());
  state.counters["probe_steps_per_lookup"] =
      static_cast<double>(table.stats().probe_steps) / static_cast<double>(table.stats().lookups);
}

// --- Miss / insert ----------------------------------------------------------
// Every packet opens a new flow; capture time advances 1 ms per packet and the
// table is expired once per 1024 packets (about once per second of capture
// time, like the pipeline's tick), so ~60k flows are alive at any time and each
// created flow is also ended. The stream repeats after 2^18 packets (262 s of
// capture time), long after its earlier flows have ended, so every packet is a
// miss. The time includes update() (miss, create, index insert) and the
// amortised expire() (index erase, list unlink, sink call).
void BM_FlowTable_MissInsert(benchmark::State& state) {
  flow::FlowTable table(default_capacity(), flow::FlowTimeouts{});
  CountingSink sink;
  constexpr std::size_t kStream = 1u << 18;
  std::vector<Pkt> stream;
  stream.reserve(kStream);
  std::mt19937_64 rng(7);
  for (std::uint32_t i = 0; i < kStream; ++i) {
    // Distinct ids in scattered order so consecutive keys do not share index slots.
    const auto id = static_cast<std::uint32_t>((i * 2654435761u) & 0x00ff'ffffu) | (std::uint32_t(rng() & 0x3f) << 24);
    stream.push_back(make_pkt(id, true, kSynFlag));
  }

  core::Nanos ts = kStart;
  bool created = false, from_initiator = false;
  std::uint64_t created_count = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    Pkt& p = stream[i];
    ts += 1'000'000;
    p.view.ts = ts;
    flow::FlowRecord& r = table.update(p.view, p.hash, sink, created, from_initiator);
    benchmark::DoNotOptimize(&r);
    created_count += created;
    if ((++i & 1023) == 0) table.expire(ts, sink);
    if (i == kStream) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["created_per_packet"] =
      static_cast<double>(created_count) / static_cast<double>(std::max<std::int64_t>(state.iterations(), 1));
  state.counters["live_flows_at_end"] = static_cast<double>(table.size());
  state.counters["evicted"] = static_cast<double>(table.stats().evicted);
}

// --- Flow key hash ----------------------------------------------------------
// The capture thread builds the canonical key of every packet and hashes it
// (XXH3 over 44 bytes) to pick the worker. Both directions must hash alike.
std::vector<Pkt> both_directions(std::size_t n) {
  std::vector<Pkt> v;
  for (std::uint32_t id = 0; v.size() < n; ++id) {
    v.push_back(make_pkt(id, true, kAckFlag));
    v.push_back(make_pkt(id, false, kAckFlag));
  }
  return v;
}

void BM_FlowKey_FromPacketAndHash(benchmark::State& state) {
  const std::vector<Pkt> pkts = both_directions(1024);
  for (std::size_t k = 0; k < pkts.size(); k += 2) {
    if (pkts[k].hash != pkts[k + 1].hash) {
      state.SkipWithError("FlowKey hash is not symmetric");
      return;
    }
  }
  std::size_t i = 0;
  for (auto _ : state) {
    bool src_is_lo;
    const std::uint64_t h = flow::FlowKey::from_packet(pkts[i].view, src_is_lo).hash();
    benchmark::DoNotOptimize(h);
    benchmark::DoNotOptimize(src_is_lo);
    i = (i + 1) & 1023;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_FlowKey_HashOnly(benchmark::State& state) {
  std::vector<flow::FlowKey> keys;
  for (const Pkt& p : both_directions(1024)) {
    bool src_is_lo;
    keys.push_back(flow::FlowKey::from_packet(p.view, src_is_lo));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(keys[i].hash());
    i = (i + 1) & 1023;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * sizeof(flow::FlowKey)));
}

BENCHMARK(BM_FlowTable_Hit)
    ->ArgNames({"flows", "compact"})
    ->Args({1'000, 0})
    ->Args({100'000, 0})
    ->Args({1'000'000, 0})
    ->Args({100'000, 1});
BENCHMARK(BM_FlowTable_MissInsert);
BENCHMARK(BM_FlowKey_FromPacketAndHash);
BENCHMARK(BM_FlowKey_HashOnly);

}  // namespace
}  // namespace picket::bench
