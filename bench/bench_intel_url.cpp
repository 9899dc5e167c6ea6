// URL entries: the look-up of one plain-HTTP request (building its key from
// Host and target, then one or two probes) against 100,000 listed URLs, about
// the size of URLhaus's online list.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "picket/intel/url_set.hpp"

namespace picket::bench {
namespace {

std::string word(std::mt19937& rng, int min_len, int max_len) {
  static constexpr char kAlpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const int n = min_len + static_cast<int>(rng() % (max_len - min_len + 1));
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kAlpha[rng() % 62]);
  return s;
}

struct Request {
  std::string host, target;
};

// Listed URLs (host/dir/file) and requests: 1 in 100 for a listed URL, half
// of those with a query the entry does not name; the rest other paths on
// listed hosts or other hosts.
struct UrlFixture {
  intel::UrlSet set;
  std::vector<Request> requests;
  explicit UrlFixture(std::size_t n) {
    std::mt19937 rng(7);
    intel::UrlSet::Builder b;
    std::vector<Request> listed;
    std::string key;
    for (std::size_t i = 0; i < n; ++i) {
      Request r;
      r.host.append(word(rng, 5, 14)).append(i % 3 ? ".com" : ".net");
      r.target.append("/").append(word(rng, 3, 10)).append("/").append(word(rng, 4, 12)).append(i % 2 ? ".php" : ".exe");
      if (!intel::normalise_url(std::string("http://").append(r.host).append(r.target), key).empty()) continue;
      b.add(key, static_cast<std::uint32_t>(i));
      listed.push_back(r);
    }
    set = b.build();
    for (int i = 0; i < 100000; ++i) {
      const Request& l = listed[rng() % listed.size()];
      Request r;
      if (i % 100 == 0) {
        r.host = l.host;
        r.target = l.target;
        if (i % 200) r.target.append("?id=").append(word(rng, 4, 8));
      } else if (i % 2) {
        r.host = l.host;
        r.target.append("/").append(word(rng, 3, 10)).append("/index.html?q=").append(word(rng, 2, 6));
      } else {
        r.host.append("www.").append(word(rng, 4, 10)).append(".org");
        r.target.append("/static/").append(word(rng, 4, 16)).append(".js");
      }
      requests.push_back(std::move(r));
    }
  }
};

void BM_UrlRequest100k(benchmark::State& state) {
  static const UrlFixture fx(100000);
  char buf[intel::kUrlMaxKey];
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    const Request& r = fx.requests[i++ % fx.requests.size()];
    std::size_t path_len = 0;
    const std::size_t n = intel::http_request_key(r.host, r.target, buf, path_len);
    hits += fx.set.for_each_request_match(std::string_view(buf, n), path_len, [](const intel::UrlSet::Entry&) {});
  }
  benchmark::DoNotOptimize(hits);
  state.counters["memory_MiB"] = static_cast<double>(fx.set.memory_bytes()) / (1 << 20);
  state.counters["hit_rate"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_UrlRequest100k);

}  // namespace
}  // namespace picket::bench
