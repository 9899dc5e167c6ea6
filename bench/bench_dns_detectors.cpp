// DNS events per second through every DNS detector, as a detector shard sees
// them (one client's queries and answers in time order), and the DGA
// scorer's cost per name.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../src/detect/dns/dga_model.hpp"
#include "picket/detect/detector.hpp"

namespace {

using picket::detect::DnsEvent;

class CountingSink final : public picket::detect::FindingSink {
 public:
  void emit(const picket::detect::Finding&) override { ++findings; }
  std::uint64_t findings = 0;
};

// A mix like an office resolver's: popular names, CDN shards, reverse
// look-ups, some NXDOMAIN, spread over 200 clients; queries and answers.
std::vector<DnsEvent> make_events(std::size_t n) {
  static const char* const kSites[] = {"www.example.com", "mail.example.org", "cdn.example.net", "api.example.co.uk",
                                       "login.example.com", "static.example.org", "news.example.net",
                                       "img.example.com"};
  std::mt19937_64 rng(42);
  std::vector<DnsEvent> v(n);
  picket::core::Nanos t = 1'700'000'000ULL * 1'000'000'000ULL;
  for (std::size_t i = 0; i < n; ++i) {
    DnsEvent& e = v[i];
    t += 50'000;  // 20,000 messages per second of capture time
    e.ts = t;
    e.client = picket::core::IpAddr::from_v4(0x0a010000u + static_cast<std::uint32_t>(rng() % 200));
    e.server = picket::core::IpAddr::from_v4(0x0a010002u);
    e.client_local = true;
    e.is_response = (i & 1) != 0;
    e.qtype = (rng() % 5 == 0) ? 28 : 1;
    char name[128];
    const unsigned kind = static_cast<unsigned>(rng() % 10);
    if (kind < 6) {
      std::snprintf(name, sizeof(name), "%s", kSites[rng() % 8]);
    } else if (kind < 8) {
      std::snprintf(name, sizeof(name), "e%u.a%u.cdn-provider.net", static_cast<unsigned>(rng() % 5000),
                    static_cast<unsigned>(rng() % 100));
    } else if (kind < 9) {
      std::snprintf(name, sizeof(name), "%u.%u.1.10.in-addr.arpa", static_cast<unsigned>(rng() % 256),
                    static_cast<unsigned>(rng() % 256));
      e.qtype = 12;
    } else {
      std::snprintf(name, sizeof(name), "host%u.corp.example.com", static_cast<unsigned>(rng() % 1000));
      if (e.is_response) e.rcode = 3;
    }
    e.qname_len = static_cast<std::uint16_t>(std::strlen(name));
    std::memcpy(e.qname, name, e.qname_len);
    if (e.is_response && e.rcode == 0) {
      e.addr_count = 1;
      e.addrs[0] = picket::core::IpAddr::from_v4(0xcb007100u + static_cast<std::uint32_t>(rng() % 200));
      e.answer_count = 1;
      e.min_ttl = 300;
    }
  }
  return v;
}

void BM_DnsDetectors_AllShards(benchmark::State& state) {
  const auto detectors = picket::detect::make_all_detectors();
  const picket::detect::DetectorConfig config(detectors);
  const auto home = picket::detect::HomeNet::defaults();
  std::vector<std::unique_ptr<picket::detect::DetectorShard>> shards;
  for (std::size_t d = 0; d < detectors.size(); ++d) {
    if (!detectors[d]->wants_dns()) continue;
    picket::detect::DetectorContext ctx;
    ctx.home = &home;
    ctx.params = config.values(d);
    shards.push_back(detectors[d]->make_shard(ctx));
  }
  const auto events = make_events(1 << 16);
  CountingSink sink;
  std::size_t i = 0;
  picket::core::Nanos next_tick = events[0].ts;
  for (auto _ : state) {
    const DnsEvent& e = events[i];
    for (auto& s : shards) s->on_dns(e, sink);
    if (e.ts >= next_tick) {  // the shard host ticks every second of capture time
      for (auto& s : shards) s->on_tick(next_tick, sink);
      next_tick += 1'000'000'000ULL;
    }
    if (++i == events.size()) i = 0;  // times repeat: later laps see a warm state
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["detectors"] = static_cast<double>(shards.size());
  benchmark::DoNotOptimize(sink.findings);
}
BENCHMARK(BM_DnsDetectors_AllShards);

void BM_DgaScore(benchmark::State& state) {
  static const char* const kLabels[] = {"example", "wikipedia", "xjwqkzpvhr", "a3f9c2e81b", "mountainriverstone",
                                        "googleapis", "qzxkvbnmwrtp", "sharepoint"};
  std::size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    sum += picket::detect::dns::dga_score(kLabels[i++ & 7]);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DgaScore);

}  // namespace
