// GeoIP lookups as the exporter does them for each report's remote address:
// through the LRU cache (repeating addresses: a scanner's many reports) and
// without it (every lookup walks the City and ASN search trees and decodes
// the records). Databases: tests/unit/geoip/make_test_mmdb.pl's, or real
// ones named in PICKET_BENCH_MMDB (colon-separated, e.g. those
// scripts/fetch-geoip writes) for realistic tree depths.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <utility>
#include <string>
#include <vector>

#include "picket/geoip/geoip.hpp"

namespace picket::bench {
namespace {

std::vector<std::string> databases() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("PICKET_BENCH_MMDB")) {
    std::string s(env);
    for (std::size_t start = 0; start <= s.size();) {
      const std::size_t end = s.find(':', start);
      const std::string part = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!part.empty()) out.push_back(part);
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }
  const char* dir = std::getenv("PICKET_TEST_MMDB_DIR");
  const std::string d = dir ? dir : ".";
  return {d + "/test-city.mmdb", d + "/test-asn.mmdb"};
}

// `n` addresses spread over the databases' networks (and, with real
// databases, over the whole IPv4 space).
std::vector<core::IpAddr> addresses(std::size_t n) {
  std::vector<core::IpAddr> v;
  std::uint32_t x = 0x2545F491u;
  const bool real = std::getenv("PICKET_BENCH_MMDB") != nullptr;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    if (real) {
      v.push_back(core::IpAddr::from_v4(x | 0x01000000u));
    } else if (i < 512) {
      v.push_back(core::IpAddr::from_v4((i % 2 ? 0xCB007100u : 0xC6336400u) | ((i / 2) & 0xff)));  // 203.0.113/198.51.100
    } else {
      std::uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};  // 2001:db8::/32, distinct per i
      for (int k = 0; k < 8; ++k) b[8 + k] = static_cast<std::uint8_t>(i >> (8 * k));
      b[4] = static_cast<std::uint8_t>(x >> 24);
      v.push_back(core::IpAddr::from_v6(b));
    }
  }
  // Visit them in a scrambled order, as reports arrive.
  for (std::size_t i = v.size(); i > 1; --i) {
    x = x * 1664525u + 1013904223u;
    std::swap(v[i - 1], v[x % i]);
  }
  return v;
}

void run(benchmark::State& state, std::size_t cache_entries) {
  geoip::GeoIp g(cache_entries);
  for (const auto& path : databases()) {
    if (auto err = g.add_database(path); !err.empty()) {
      state.SkipWithError(err.c_str());
      return;
    }
  }
  const auto addrs = addresses(static_cast<std::size_t>(state.range(0)));
  std::size_t i = 0, found = 0;
  for (auto _ : state) {
    auto v = g.lookup(addrs[i]);
    found += v != nullptr;
    benchmark::DoNotOptimize(v);
    if (++i == addrs.size()) i = 0;
  }
  const auto s = g.stats();
  state.counters["hit_ratio"] = s.lookups ? static_cast<double>(s.cache_hits) / static_cast<double>(s.lookups) : 0;
  state.counters["found_ratio"] = state.iterations() ? static_cast<double>(found) / static_cast<double>(state.iterations()) : 0;
  state.SetItemsProcessed(state.iterations());
}

// Argument: distinct addresses cycled through.
void BM_GeoipLookupNoCache(benchmark::State& state) { run(state, 0); }
void BM_GeoipLookupCached(benchmark::State& state) { run(state, geoip::kDefaultCacheEntries); }
// More distinct addresses than the cache holds, cycled: every lookup misses
// and evicts (the cache's worst case).
void BM_GeoipLookupCacheThrash(benchmark::State& state) { run(state, 1024); }

BENCHMARK(BM_GeoipLookupNoCache)->Arg(256);
BENCHMARK(BM_GeoipLookupCached)->Arg(256)->Arg(8192);
BENCHMARK(BM_GeoipLookupCacheThrash)->Arg(4096);

}  // namespace
}  // namespace picket::bench
