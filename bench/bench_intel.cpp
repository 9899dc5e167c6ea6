// Threat-list lookups at scale: DomainSet and IpSet with 1,000,000 entries,
// Hyperscan over DNS names with 10,000 domain patterns, and loading a
// 1,000,000-line list file (time; memory is reported as a counter).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "picket/intel/domain_set.hpp"
#include "picket/intel/ip_set.hpp"
#include "picket/intel/pattern_scanner.hpp"
#include "picket/intel/snapshot.hpp"

namespace picket::bench {
namespace {

const char* const kTlds[] = {"com", "net", "org", "io", "ru", "cn", "de", "info", "xyz", "top", "co.uk", "com.br"};
const char* const kWords[] = {"mail", "cdn", "api", "www", "static", "login", "img", "update", "secure", "app",
                              "data", "portal", "shop", "news", "cloud", "media"};

std::string random_label(std::mt19937& rng, int min_len, int max_len) {
  static constexpr char kAlpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  const int n = min_len + static_cast<int>(rng() % (max_len - min_len + 1));
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kAlpha[rng() % 26 + (i && rng() % 8 == 0 ? 10 : 0)]);
  return s;
}

// A listed registered domain, and realistic queried names: mostly names not
// on the list (with 1-3 labels below a registered domain), 1 in 100 under a listed one.
struct DomainFixture {
  std::vector<std::string> listed, queries;
  intel::DomainSet set;
  explicit DomainFixture(std::size_t n) {
    std::mt19937 rng(42);
    intel::DomainSet::Builder b;
    for (std::size_t i = 0; i < n; ++i) {
      listed.push_back(random_label(rng, 6, 14) + "." + kTlds[rng() % 12]);
      b.add(listed.back(), intel::DomainMatch::kSuffix, static_cast<std::uint32_t>(i));
    }
    set = b.build();
    for (int i = 0; i < 65536; ++i) {
      std::string base = (i % 100 == 0) ? listed[rng() % listed.size()]
                                        : random_label(rng, 5, 12) + "." + kTlds[rng() % 12];
      const int sub = static_cast<int>(rng() % 3);
      for (int k = 0; k < sub; ++k) base = std::string(kWords[rng() % 16]) + "." + base;
      queries.push_back(base);
    }
  }
};

void BM_DomainSet1M(benchmark::State& state) {
  static DomainFixture fx(1000000);
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += fx.set.lookup(fx.queries[i++ & 65535]) != nullptr;
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["memory_MiB"] = static_cast<double>(fx.set.memory_bytes()) / (1 << 20);
}
BENCHMARK(BM_DomainSet1M);

struct IpFixture {
  intel::IpSet set;
  std::vector<core::IpAddr> queries;
  explicit IpFixture(std::size_t n) {
    std::mt19937 rng(7);
    intel::IpSet::Builder b;
    // A realistic mix: most entries single addresses, some /24s and shorter.
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned r = rng() % 100;
      const int len = r < 80 ? 32 : r < 95 ? 24 : 16 + static_cast<int>(rng() % 8);
      const std::uint32_t a = static_cast<std::uint32_t>(rng()) & (~0u << (32 - len));
      b.add(core::Cidr{core::IpAddr::from_v4(a), static_cast<std::uint8_t>(96 + len)}, static_cast<std::uint32_t>(i));
    }
    set = b.build();
    for (int i = 0; i < 65536; ++i) queries.push_back(core::IpAddr::from_v4(static_cast<std::uint32_t>(rng())));
  }
};

void BM_IpSet1M(benchmark::State& state) {
  static IpFixture fx(1000000);
  std::size_t i = 0, hits = 0;
  for (auto _ : state) hits += fx.set.lookup(fx.queries[i++ & 65535]) != intel::kNoPrefix;
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["memory_MiB"] = static_cast<double>(fx.set.memory_bytes()) / (1 << 20);
  state.counters["hit_ratio"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_IpSet1M);

// 10,000 wildcard domain patterns, compiled into one database; DNS names scanned.
void BM_DomainPatterns10k(benchmark::State& state) {
  static std::unique_ptr<intel::Snapshot> snap;
  static DomainFixture names(1000);
  if (!snap) {
    const std::string path = "/tmp/picket_bench_patterns.txt";
    std::mt19937 rng(3);
    std::ofstream f(path);
    for (int i = 0; i < 10000; ++i) f << random_label(rng, 4, 8) << "*." << random_label(rng, 5, 10) << "." << kTlds[rng() % 12] << "\n";
    f.close();
    intel::IntelConfig cfg;
    cfg.default_lists = false;
    intel::ListSpec s;
    s.path = path;
    cfg.threat_lists.push_back(s);
    intel::BuildReport rep;
    snap = intel::build_snapshot(cfg, rep);
    std::remove(path.c_str());
  }
  intel::PatternScanner scanner;
  std::size_t i = 0, hits = 0;
  for (auto _ : state) hits += scanner.scan(*snap, names.queries[i++ & 65535], [](std::uint32_t) {});
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_DomainPatterns10k);

// Loading a 1,000,000-line list (half domains, half addresses) into a snapshot.
void BM_LoadList1M(benchmark::State& state) {
  const std::string path = "/tmp/picket_bench_list1m.txt";
  {
    std::mt19937 rng(5);
    std::ofstream f(path);
    f << "#! category: c2\n";
    for (int i = 0; i < 1000000; ++i) {
      if (i & 1) f << random_label(rng, 6, 14) << "." << kTlds[rng() % 12] << "\n";
      else f << ((rng() >> 24) & 255) << "." << ((rng() >> 8) & 255) << "." << (rng() & 255) << "." << (rng() & 255) << "\n";
    }
  }
  std::size_t bytes = 0, entries = 0;
  for (auto _ : state) {
    intel::IntelConfig cfg;
    cfg.default_lists = false;
    intel::ListSpec s;
    s.path = path;
    cfg.threat_lists.push_back(s);
    intel::BuildReport rep;
    auto snap = intel::build_snapshot(cfg, rep);
    bytes = snap->memory_bytes();
    entries = rep.entries;
  }
  std::remove(path.c_str());
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["memory_MiB"] = static_cast<double>(bytes) / (1 << 20);
}
BENCHMARK(BM_LoadList1M)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace picket::bench
