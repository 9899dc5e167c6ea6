// DNS events per second through every DNS detector, as a detector shard sees
// them (its clients' queries and answers in time order), and the DGA
// scorer's cost per name.
//
// The event mix (make_events) is an office resolver's traffic as seen by a
// sensor, one lap of 2^17 events (65,536 queries and their answers):
//   * 250 home clients, one resolver; each query is followed by its answer
//     (same client and name) 0.3-20 ms later; 10,000 messages per second.
//   * 82 % of queries ask for one of 12,000 known names (popularity Zipf,
//     s = 1: the top names are asked again and again), built from ~1,900
//     registered domains under com, net, org, io, de, co.uk, com.au, and
//     private-section suffixes (cloudfront.net, s3.amazonaws.com, github.io);
//   * 8 % are one-off CDN / ad shard names (a random 8-16 character token
//     under a few shard domains): new names that miss every cache;
//   * 5 % reverse (PTR) look-ups under in-addr.arpa;
//   * 3 % search-list suffixes and single labels (`wpad.corp.example.com`,
//     `printer`, `*.lan`), answered NXDOMAIN;
//   * 2 % typos and dead names under real suffixes, answered NXDOMAIN.
//   Query types: A 55 %, AAAA 35 %, HTTPS 8 %, TXT 1 %, SRV 1 % (PTR for the
//   reverse ones). Answers carry 1-4 addresses; 1 % of answers are 0.0.0.0
//   (an ad blocker). No metadata or sinkhole answers: those are rare events,
//   and each costs a finding, not a look-up.
// The detectors run a warm-up lap before timing (steady state: tables and
// caches filled); each later lap is shifted forward in time so capture time
// never runs backwards, and its one-off names are new again (4 characters of
// each token change). A tick goes to every shard each second of capture time,
// as the shard host does. Set-up, warm-up and the refills of the event batch
// are outside the timed loop.
//
// BM_DnsDetectors_DnsFolder runs the same traffic through the five detectors
// of src/detect/dns alone (without threat_intel and dns_resolver_unusual), the
// set the first PERFORMANCE figures were measured on.
//
// BM_DnsDetectors_AllShards/iterations:524288 runs exactly four laps, for
//   valgrind --tool=callgrind --toggle-collect='*run_detectors*'
//     --toggle-collect='*untimed_refill*' build/bench/picket_detect_bench
//     --benchmark_filter='AllShards/iterations'     (one command line)
// whose instruction count divided by 524,288 is the cost per event, whatever
// the machine's load (src/detect/dns/README.md, PERFORMANCE).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "../src/detect/dns/dga_model.hpp"
#include "picket/detect/detector.hpp"

namespace {

using picket::detect::DnsEvent;
using picket::core::Nanos;

constexpr std::size_t kLapEvents = 1 << 17;

class CountingSink final : public picket::detect::FindingSink {
 public:
  void emit(const picket::detect::Finding&) override { ++findings; }
  std::uint64_t findings = 0;
};

std::string token(std::mt19937_64& rng, std::size_t len) {
  static const char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (std::size_t i = 0; i < len; ++i) s.push_back(kAlnum[rng() % 36]);
  return s;
}

std::string word(std::mt19937_64& rng) {
  static const char* const kSyl[] = {"ba", "ne", "ro", "mi", "ta", "lo", "ka", "se", "pi", "du",
                                     "ver", "tel", "max", "on", "ar", "in", "co", "net", "sto", "ly"};
  std::string s;
  const unsigned n = 2 + static_cast<unsigned>(rng() % 3);
  for (unsigned i = 0; i < n; ++i) s += kSyl[rng() % 20];
  return s;
}

struct Query {
  std::string name;
  std::uint16_t qtype;
  std::uint8_t rcode;
  bool one_off = false;  // a new name in every lap (its first 4 characters change)
};

Query pick_query(std::mt19937_64& rng, const std::vector<std::string>& known, const std::vector<double>& cdf) {
  static const char* const kSuffixes[] = {"com", "net", "org", "io", "de", "co.uk", "com.au"};
  static const char* const kShardZones[] = {"googlevideo.com", "akamaized.net", "doubleclick.net", "fbcdn.net",
                                            "cloudfront.net"};
  static const char* const kSearch[] = {"corp.example.com", "lan", "home.arpa", "localdomain"};
  const unsigned q = static_cast<unsigned>(rng() % 55);  // A 55 %, AAAA 35 %, HTTPS 8 %, TXT 1 %, SRV 1 %
  const unsigned r = static_cast<unsigned>(rng() % 100);
  std::uint16_t qtype = q < 30 ? 1 : q < 49 ? 28 : q < 53 ? 65 : q < 54 ? 16 : 33;
  if (r < 82) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    const auto idx = static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    return {known[std::min(idx, known.size() - 1)], qtype, 0};
  }
  if (r < 90)
    return {token(rng, 8 + rng() % 9) + "." + kShardZones[rng() % 5], qtype, 0, true};
  if (r < 95) {
    char n[64];
    std::snprintf(n, sizeof(n), "%u.%u.%u.10.in-addr.arpa", static_cast<unsigned>(rng() % 256),
                  static_cast<unsigned>(rng() % 256), static_cast<unsigned>(rng() % 4));
    return {n, 12, static_cast<std::uint8_t>(rng() % 2 ? 3 : 0)};
  }
  if (r < 98) {
    static const char* const kHosts[] = {"wpad", "printer", "nas", "fileserver", "intranet", "isatap"};
    const std::string host = kHosts[rng() % 6];
    if (rng() % 3 == 0) return {host, qtype, 3};  // single label
    return {host + "." + kSearch[rng() % 4], qtype, 3};
  }
  return {"www." + word(rng) + "." + kSuffixes[rng() % 7], qtype, 3};  // typos, dead links
}

struct Lap {
  std::vector<DnsEvent> events;                                // in time order
  std::vector<std::pair<std::uint32_t, std::uint32_t>> one_off;  // (event index, query number)
};

Lap make_lap() {
  static const char* const kSuffixes[] = {"com", "com", "com", "net", "org", "io", "de", "co.uk", "com.au"};
  static const char* const kPrivate[] = {"cloudfront.net", "s3.amazonaws.com", "github.io"};
  static const char* const kHostLabels[] = {"www", "api", "static", "cdn", "img", "login", "mail", "app",
                                            "assets", "edge", "m", "auth"};
  std::mt19937_64 rng(42);
  // Known names: registered domains with a few host names each.
  std::vector<std::string> known;
  while (known.size() < 12000) {
    std::string reg;
    if (rng() % 10 == 0) reg = token(rng, 6 + rng() % 8) + "." + kPrivate[rng() % 3];
    else reg = word(rng) + "." + kSuffixes[rng() % 9];
    known.push_back(reg);
    const unsigned hosts = static_cast<unsigned>(rng() % 12);
    for (unsigned h = 0; h < hosts; ++h) known.push_back(std::string(kHostLabels[rng() % 12]) + "." + reg);
  }
  known.resize(12000);
  std::shuffle(known.begin(), known.end(), rng);
  std::vector<double> cdf(known.size());
  double sum = 0;
  for (std::size_t i = 0; i < known.size(); ++i) cdf[i] = (sum += 1.0 / static_cast<double>(i + 1));
  for (auto& c : cdf) c /= sum;

  std::vector<DnsEvent> v(kLapEvents);
  std::vector<bool> one_off(kLapEvents);
  Nanos t = 1'700'000'000ULL * 1'000'000'000ULL;
  for (std::size_t i = 0; i + 1 < kLapEvents; i += 2) {
    const Query q = pick_query(rng, known, cdf);
    one_off[i] = one_off[i + 1] = q.one_off;
    DnsEvent& e = v[i];
    t += 200'000;  // a query every 0.2 ms: 10,000 messages per second with the answers
    e.ts = t;
    e.client = picket::core::IpAddr::from_v4(0x0a010000u + static_cast<std::uint32_t>(rng() % 250));
    e.server = picket::core::IpAddr::from_v4(0x0a010002u);
    e.client_local = true;
    e.client_port = static_cast<std::uint16_t>(1024 + rng() % 60000);
    e.server_port = 53;
    e.id = static_cast<std::uint16_t>(rng());
    e.qtype = q.qtype;
    e.qname_len = static_cast<std::uint16_t>(std::min<std::size_t>(q.name.size(), picket::detect::kDnsEventMaxName - 1));
    std::memcpy(e.qname, q.name.data(), e.qname_len);
    DnsEvent& a = v[i + 1];
    a = e;
    a.ts = e.ts + 300'000 + rng() % 19'700'000;  // answered 0.3-20 ms later (may pass later queries)
    a.is_response = true;
    a.rcode = q.rcode;
    if (q.rcode == 0 && (q.qtype == 1 || q.qtype == 28)) {
      const bool blocked = rng() % 100 == 0;
      a.addr_count = blocked ? 1 : static_cast<std::uint8_t>(1 + rng() % 4);
      for (int k = 0; k < a.addr_count; ++k)
        a.addrs[k] = blocked ? picket::core::IpAddr::from_v4(0u)
                             : picket::core::IpAddr::from_v4(0xcb007100u + static_cast<std::uint32_t>(rng() % 4000));
      a.answer_count = a.addr_count;
      a.min_ttl = static_cast<std::uint32_t>(30 + rng() % 3600);
    } else if (q.rcode == 0) {
      a.answer_count = 1;
      a.min_ttl = 300;
    }
  }
  // Time order, as the shard host delivers them (answers interleave with later queries).
  std::vector<std::uint32_t> order(kLapEvents);
  for (std::uint32_t k = 0; k < kLapEvents; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return v[x].ts < v[y].ts; });
  Lap lap;
  lap.events.reserve(kLapEvents);
  for (std::uint32_t k = 0; k < kLapEvents; ++k) {
    lap.events.push_back(v[order[k]]);
    if (one_off[order[k]]) lap.one_off.emplace_back(k, order[k] / 2);
  }
  return lap;
}

const Lap& lap_data() {
  static const Lap lap = make_lap();
  return lap;
}
const std::vector<DnsEvent>& lap_events() { return lap_data().events; }

// Lap `n` of the traffic: the same events, later in time, with new one-off names.
void set_lap(std::vector<DnsEvent>& events, std::uint64_t n, Nanos shift) {
  const auto& lap = lap_data();
  for (std::size_t k = 0; k < events.size(); ++k) events[k].ts = lap.events[k].ts + shift;
  if (n == 0) return;
  for (const auto& [idx, query] : lap.one_off) {
    std::uint64_t x = (n << 32 | query) * 0x9e3779b97f4a7c15ULL;
    for (int c = 0; c < 4; ++c, x >>= 8) events[idx].qname[c] = "abcdefghijklmnopqrstuvwxyz0123456789"[(x & 0xff) % 36];
  }
}

// Capture time one lap covers (the next lap starts 1 ms after its end).
Nanos lap_span() { return lap_events().back().ts - lap_events().front().ts + 1'000'000; }

struct Shards {
  std::vector<std::unique_ptr<picket::detect::DetectorShard>> list;
  CountingSink sink;
  Nanos next_tick = 0;
  std::uint64_t lap = 0;  // laps run so far
};

bool in_dns_folder(std::string_view name) {
  for (const char* d : {"dns_exfil", "dga", "nxdomain_storm", "metadata_rebind", "sinkhole"})
    if (name == d) return true;
  return false;
}

void make_shards(Shards& s, bool dns_folder_only) {
  static const auto detectors = picket::detect::make_all_detectors();
  static const picket::detect::DetectorConfig config(detectors);
  static const auto home = picket::detect::HomeNet::defaults();
  for (std::size_t d = 0; d < detectors.size(); ++d) {
    if (!detectors[d]->wants_dns()) continue;
    if (dns_folder_only && !in_dns_folder(detectors[d]->name())) continue;
    picket::detect::DetectorContext ctx;
    ctx.home = &home;
    ctx.params = config.values(d);
    s.list.push_back(detectors[d]->make_shard(ctx));
  }
}

// One event through every shard, ticking first when capture time passed a second.
inline void feed(Shards& s, const DnsEvent& e) {
  while (e.ts >= s.next_tick) {
    for (auto& sh : s.list) sh->on_tick(s.next_tick, s.sink);
    s.next_tick += 1'000'000'000ULL;
  }
  for (auto& sh : s.list) sh->on_dns(e, s.sink);
}

// The timed loop (named for callgrind's --toggle-collect). Events reach the
// detectors from a batch of 512 (220 KB, cache-resident) refilled untimed
// from the lap, as a shard host takes them from its rings just after a worker
// wrote them; streaming the whole 55 MB lap would measure memory, not the
// detectors.
constexpr std::size_t kBatch = 512;  // divides kLapEvents

// Untimed, and a second --toggle-collect name so that callgrind leaves it out
// too: the next batch of events (and the next lap every 256 batches).
[[gnu::noinline]] void untimed_refill(benchmark::State& state, Shards& s, std::vector<DnsEvent>& events,
                                      std::vector<DnsEvent>& batch, std::size_t& i) {
  state.PauseTiming();
  i += kBatch;
  if (i == events.size()) {
    ++s.lap;
    set_lap(events, s.lap, s.lap * lap_span());
    i = 0;
  }
  std::copy_n(events.begin() + static_cast<std::ptrdiff_t>(i), kBatch, batch.begin());
  state.ResumeTiming();
}

[[gnu::noinline]] void run_detectors(benchmark::State& state, Shards& s, std::vector<DnsEvent>& events) {
  std::vector<DnsEvent> batch(events.begin(), events.begin() + kBatch);
  std::size_t i = 0, j = 0;
  for (auto _ : state) {
    feed(s, batch[j]);
    if (++j < kBatch) continue;
    j = 0;
    untimed_refill(state, s, events, batch, i);
  }
}

void run_dns_bench(benchmark::State& state, bool dns_folder_only) {
  Shards s;
  make_shards(s, dns_folder_only);
  std::vector<DnsEvent> events = lap_events();
  s.next_tick = events.front().ts - events.front().ts % 1'000'000'000ULL;
  // Warm-up lap, not timed: state as after a while of this traffic.
  for (const auto& e : events) feed(s, e);
  ++s.lap;
  set_lap(events, s.lap, s.lap * lap_span());
  run_detectors(state, s, events);
  state.SetItemsProcessed(state.iterations());
  state.counters["detectors"] = static_cast<double>(s.list.size());
  state.counters["findings"] = static_cast<double>(s.sink.findings);
  benchmark::DoNotOptimize(s.sink.findings);
}

void BM_DnsDetectors_AllShards(benchmark::State& state) { run_dns_bench(state, false); }
BENCHMARK(BM_DnsDetectors_AllShards);
BENCHMARK(BM_DnsDetectors_AllShards)->Iterations(4 * kLapEvents);

void BM_DnsDetectors_DnsFolder(benchmark::State& state) { run_dns_bench(state, true); }
BENCHMARK(BM_DnsDetectors_DnsFolder);
BENCHMARK(BM_DnsDetectors_DnsFolder)->Iterations(4 * kLapEvents);

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
