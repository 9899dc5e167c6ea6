// The flow-fed detectors that keep per-pair state in common::CappedTable
// (large_outbound_transfer, outbound_dos, crypto_mining, long_connection,
// bruteforce, spambot) and the beacon detector: the table itself, and flow
// events per second through all of their shards. The figure that counts for
// the replay is the worker thread's instruction count under callgrind
// (bench/README.md); these show where a change to the table moves.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../src/detect/common/capped_table.hpp"
#include "../src/detect/common/pair_key.hpp"
#include "detector_shards.hpp"
#include "picket/detect/detector.hpp"

namespace {

using picket::core::IpAddr;
using picket::core::Nanos;
namespace detect = picket::detect;
namespace flow = picket::flow;
using detect::common::CappedTable;
using detect::common::PairKey;
using detect::common::PairKeyHash;

using picket::bench::kT0;

struct Counts {
  std::uint64_t flows = 0, bytes = 0;
  Nanos first = 0, last = 0;
};

// touch() on a full table of `capacity` pairs: a quarter of the keys repeat
// (hits, moved to the recent end), the rest are new (each evicts the least
// recent): the large_outbound_transfer pattern on a busy link.
void BM_CappedTable_Touch(benchmark::State& state) {
  const auto capacity = static_cast<std::size_t>(state.range(0));
  std::mt19937_64 rng(11);
  std::vector<PairKey> keys(1 << 20);
  std::uint32_t fresh = 0;
  for (auto& k : keys) {
    const bool repeat = rng() % 4 == 0;
    const std::uint32_t n = repeat ? static_cast<std::uint32_t>(rng() % (fresh + 1)) : fresh++;
    k = PairKey{IpAddr::from_v4(0x0a000000u + n % 4096), IpAddr::from_v4(0xc6000000u + n), 1};
  }
  CappedTable<PairKey, Counts, PairKeyHash> table(capacity);
  bool created = false;
  for (const auto& k : keys) table.touch(k, created);  // full before timing
  std::size_t i = 0;
  for (auto _ : state) {
    Counts& c = table.touch(keys[i], created);
    ++c.flows;
    benchmark::DoNotOptimize(c);
    i = (i + 1) & (keys.size() - 1);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["evictions"] = static_cast<double>(table.evictions());
}
BENCHMARK(BM_CappedTable_Touch)->Arg(1000)->Arg(50000);

detect::FlowEvent outbound_flow(std::uint32_t host, std::uint32_t server, std::uint16_t port, Nanos start,
                                std::uint64_t bytes_out) {
  picket::bench::FlowShape shape;
  shape.duration = 2'000'000'000ULL;
  shape.packets_out = 8;
  shape.packets_in = 6;
  shape.bytes_in = 3000;
  shape.payload_in = 2600;
  return picket::bench::outbound_tcp_flow(IpAddr::from_v4(0x0a010000u + host), IpAddr::from_v4(0xc6330000u + server),
                                          static_cast<std::uint16_t>(32768 + (start / 1000) % 28000), port, start,
                                          bytes_out, shape);
}

// 200,000 outbound flows of 2,000 home hosts to 100,000 servers (most pairs
// are seen once or twice, as in bench_mix), 1,000 flows per second of
// capture time, through one shard of each detector.
void BM_FlowDetectorShards_Flows(benchmark::State& state) {
  std::mt19937_64 rng(12);
  std::vector<detect::FlowEvent> events;
  static const std::uint16_t kPorts[] = {443, 443, 443, 80, 22, 25, 8080, 993};
  for (std::size_t i = 0; i < 200'000; ++i)
    events.push_back(outbound_flow(static_cast<std::uint32_t>(rng() % 2000), static_cast<std::uint32_t>(rng() % 100000),
                                   kPorts[rng() % 8], kT0 + i * 1'000'000ULL, 400 + rng() % 5000));
  const std::vector<std::string> names = {"large_outbound_transfer", "outbound_dos", "crypto_mining", "long_connection",
                                          "bruteforce", "spambot", "beacon"};
  picket::bench::CountingSink sink;
  for (auto _ : state) {
    state.PauseTiming();
    auto made = std::make_unique<picket::bench::DetectorShards>(names);
    auto& shards = made->shards;
    state.ResumeTiming();
    made->feed_flows(events, sink);
    for (auto& s : shards) s->on_flush(sink);
    state.PauseTiming();
    made.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
}
BENCHMARK(BM_FlowDetectorShards_Flows)->Unit(benchmark::kMillisecond);

}  // namespace
