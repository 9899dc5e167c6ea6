// The beacon detector and the per-host baselines: cost of a beacon score,
// flow and DNS events per second through their shards, and the heap each
// tracked beacon pair and baseline host costs (measured with mallinfo2, so
// allocator overhead is included), also under a flood of random sources.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../src/detect/baseline/novelty_table.hpp"
#include "../src/detect/beacon/beacon_score.hpp"
#include "detector_shards.hpp"
#include "picket/detect/detector.hpp"

namespace {

using picket::core::IpAddr;
using picket::core::Nanos;
namespace detect = picket::detect;
namespace flow = picket::flow;
using picket::bench::outbound_tcp_flow;

using picket::bench::CountingSink;
using picket::bench::kT0;

// Blocks in the arenas and blocks of their own (mmap, above 128 KiB: a
// table's slab chunks and index arrays).
std::size_t heap_in_use() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// An office's outbound flows in time order: 500 hosts browsing 5,000 servers
// on a handful of ports, and 20 of them beaconing every 60 s.
std::vector<detect::FlowEvent> office_flows(std::size_t n) {
  std::mt19937_64 rng(7);
  std::vector<detect::FlowEvent> v;
  v.reserve(n);
  static const std::uint16_t kPorts[] = {443, 443, 443, 443, 80, 80, 8080, 22, 993, 5222};
  Nanos t = kT0;
  for (std::size_t i = 0; i < n; ++i) {
    t += 2'000'000;  // 500 flows per second of capture time
    const bool beacon = i % 25 == 0;
    const auto host = static_cast<std::uint32_t>(beacon ? rng() % 20 : rng() % 500);
    const IpAddr local = IpAddr::from_v4(0x0a010000u + host);
    const IpAddr remote = beacon ? IpAddr::from_v4(0xcb007100u + host) : IpAddr::from_v4(0xc6336400u + rng() % 5000);
    const std::uint16_t port = beacon ? 8443 : kPorts[rng() % 10];
    v.push_back(outbound_tcp_flow(local, remote, static_cast<std::uint16_t>(32768 + rng() % 28000), port, t,
                          beacon ? 520 : 300 + rng() % 3000));
  }
  return v;
}

using Shards = picket::bench::DetectorShards;

void BM_BeaconScore(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::mt19937_64 rng(1);
  std::vector<picket::detect::beacon::BeaconSample> s(n);
  for (std::size_t i = 0; i < n; ++i)
    s[i] = {kT0 + i * 60'000'000'000ULL + rng() % 6'000'000'000ULL, static_cast<std::uint32_t>(500 + rng() % 16)};
  std::vector<double> scratch;
  picket::detect::beacon::ScoreParams p;
  for (auto _ : state) benchmark::DoNotOptimize(picket::detect::beacon::score_beacon(s, p, scratch));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BeaconScore)->Arg(20)->Arg(64)->Arg(256);

// Flow events per second through the named shards (one shard each, as one
// worker hosts them).
void run_flows(benchmark::State& state, std::vector<std::string> names) {
  const auto events = office_flows(200'000);
  std::uint64_t findings = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Shards s(names);
    CountingSink sink;
    state.ResumeTiming();
    s.feed_flows(events, sink);
    findings = sink.findings;
    state.PauseTiming();
    s.shards.clear();
    state.ResumeTiming();
  }
  state.counters["findings"] = static_cast<double>(findings);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
}

void BM_BeaconShard_Flows(benchmark::State& state) { run_flows(state, {"beacon"}); }
BENCHMARK(BM_BeaconShard_Flows)->Unit(benchmark::kMillisecond);

void BM_BaselineShards_Flows(benchmark::State& state) {
  run_flows(state, {"port_unusual", "volume_unusual", "dot_unusual", "doh_unusual"});
}
BENCHMARK(BM_BaselineShards_Flows)->Unit(benchmark::kMillisecond);

void BM_ResolverShard_Dns(benchmark::State& state) {
  std::mt19937_64 rng(3);
  std::vector<detect::DnsEvent> events(200'000);
  Nanos t = kT0;
  for (auto& e : events) {
    t += 1'000'000;
    e.ts = t;
    e.client = IpAddr::from_v4(0x0a010000u + static_cast<std::uint32_t>(rng() % 500));
    e.server = rng() % 50 == 0 ? IpAddr::from_v4(0x08080808u) : IpAddr::from_v4(0x0a010002u);
    e.client_local = true;
    e.server_port = 53;
    e.qname_len = 15;
    std::memcpy(e.qname, "www.example.com", 15);
  }
  for (auto _ : state) {
    state.PauseTiming();
    Shards s({"dns_resolver_unusual"});
    CountingSink sink;
    state.ResumeTiming();
    for (const auto& e : events) s.shards[0]->on_dns(e, sink);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
}
BENCHMARK(BM_ResolverShard_Dns)->Unit(benchmark::kMillisecond);

// Heap per tracked beacon pair with `samples` connections each.
void BM_Memory_BeaconPair(benchmark::State& state) {
  const auto samples = static_cast<int>(state.range(0));
  constexpr int kPairs = 20'000;
  double per_pair = 0;
  for (auto _ : state) {
    Shards s({"beacon"});
    CountingSink sink;
    const std::size_t before = heap_in_use();
    for (int k = 0; k < samples; ++k)
      for (int i = 0; i < kPairs; ++i)
        s.shards[0]->on_flow(outbound_tcp_flow(IpAddr::from_v4(0x0a010000u + static_cast<std::uint32_t>(i % 1000)),
                                       IpAddr::from_v4(0xc6330000u + static_cast<std::uint32_t>(i)), 40000, 443,
                                       kT0 + static_cast<Nanos>(k) * 7'000'000'000ULL + static_cast<Nanos>(i), 400 + (i + k) % 97),
                             sink);
    per_pair = static_cast<double>(heap_in_use() - before) / kPairs;
  }
  state.counters["heap_bytes_per_pair"] = per_pair;
}
BENCHMARK(BM_Memory_BeaconPair)->Arg(1)->Arg(20)->Arg(64)->Iterations(1)->Unit(benchmark::kMillisecond);

// Heap per tracked host of a novelty baseline holding `items` things each.
void BM_Memory_NoveltyHost(benchmark::State& state) {
  const auto items = static_cast<std::uint64_t>(state.range(0));
  constexpr std::uint32_t kHosts = 50'000;
  double per_host = 0;
  for (auto _ : state) {
    picket::detect::baseline::NoveltyTable t({});
    const std::size_t before = heap_in_use();
    for (std::uint64_t k = 0; k < items; ++k)
      for (std::uint32_t h = 0; h < kHosts; ++h) t.observe(IpAddr::from_v4(0x0a000000u + h), k * 7919 + 1, kT0 + k);
    per_host = static_cast<double>(heap_in_use() - before) / kHosts;
  }
  state.counters["heap_bytes_per_host"] = per_host;
}
BENCHMARK(BM_Memory_NoveltyHost)->Arg(1)->Arg(8)->Arg(64)->Iterations(1)->Unit(benchmark::kMillisecond);

// Heap per host of the volume baseline (fixed size: no per-host allocation).
void BM_Memory_VolumeHost(benchmark::State& state) {
  constexpr std::uint32_t kHosts = 50'000;
  double per_host = 0;
  for (auto _ : state) {
    Shards s({"volume_unusual"});
    CountingSink sink;
    const std::size_t before = heap_in_use();
    for (std::uint32_t h = 0; h < kHosts; ++h)
      s.shards[0]->on_flow(outbound_tcp_flow(IpAddr::from_v4(0x0a000000u + h), IpAddr::from_v4(0xc6330001u), 40000, 443, kT0 + h, 1000),
                           sink);
    per_host = static_cast<double>(heap_in_use() - before) / kHosts;
  }
  state.counters["heap_bytes_per_host"] = per_host;
}
BENCHMARK(BM_Memory_VolumeHost)->Iterations(1)->Unit(benchmark::kMillisecond);

// A flood of one million random home-network sources, each opening one
// answered connection, through every flow baseline and the beacon detector
// at their default caps: the heap stays bounded by max_hosts / max_pairs.
void BM_Memory_RandomSourceFlood(benchmark::State& state) {
  constexpr std::uint32_t kSources = 1'000'000;
  double heap_mb = 0;
  for (auto _ : state) {
    Shards s({"beacon", "port_unusual", "volume_unusual", "dot_unusual", "doh_unusual"});
    CountingSink sink;
    std::mt19937 rng(9);
    const std::size_t before = heap_in_use();
    for (std::uint32_t i = 0; i < kSources; ++i) {
      const auto e = outbound_tcp_flow(IpAddr::from_v4(0x0a000000u | (rng() & 0xffffff)), IpAddr::from_v4(0xc6330001u), 40000,
                               443, kT0 + i * 1000ULL, 500);
      for (auto& sh : s.shards) sh->on_flow(e, sink);
    }
    heap_mb = static_cast<double>(heap_in_use() - before) / (1 << 20);
  }
  state.counters["heap_MiB"] = heap_mb;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kSources);
}
BENCHMARK(BM_Memory_RandomSourceFlood)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
