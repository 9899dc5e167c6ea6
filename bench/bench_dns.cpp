// proto::parse_dns() on the three message shapes that dominate its cost in
// practice: ordinary queries, answers with compressed owner names, and the
// long-label queries of DNS tunnels (where name copying and lower-casing is
// most of the work).
#include <benchmark/benchmark.h>

#include <string>

#include "frames.hpp"
#include "picket/proto/dns.hpp"

namespace picket::bench {
namespace {

// A dnscat2/iodine-like query: hex-encoded data in three long labels under
// the tunnel's domain (230 bytes of name; the 255-byte limit leaves little room).
std::string tunnel_name() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name;
  unsigned x = 0x9e3779b9u;
  for (int label = 0; label < 3; ++label) {
    const int len = label < 2 ? 63 : 60;
    for (int i = 0; i < len; ++i) {
      x = x * 1664525u + 1013904223u;
      name.push_back(kHex[x >> 28]);
    }
    name.push_back('.');
  }
  name += "t.tun-example.com";
  return name;
}

void run_parse(benchmark::State& state, const Bytes& msg, std::uint8_t want_answers, std::size_t want_name_len) {
  proto::DnsMessage out;
  const proto::DnsStatus st = proto::parse_dns(msg.data(), msg.size(), out);
  if (st != proto::DnsStatus::kOk || out.answer_count != want_answers || out.qname_len != want_name_len) {
    state.SkipWithError("message did not parse as intended");
    return;
  }
  for (auto _ : state) {
    // `out` is reused as the worker does (one DnsMessage on its stack per packet).
    benchmark::DoNotOptimize(msg.data());
    const proto::DnsStatus s = proto::parse_dns(msg.data(), msg.size(), out);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
  state.counters["msg_bytes"] = static_cast<double>(msg.size());
}

void BM_DnsParse_Query(benchmark::State& state) {
  const std::string name = "www.example.com";
  run_parse(state, dns_query(0x1a2b, name, kDnsTypeA), 0, name.size());
}

void BM_DnsParse_Response4A(benchmark::State& state) {
  const std::string name = "cdn.assets.example.com";
  run_parse(state, dns_a_response(0x1a2b, name, 4), 4, name.size());
}

void BM_DnsParse_TunnelQuery(benchmark::State& state) {
  const std::string name = tunnel_name();
  run_parse(state, dns_query(0x1a2b, name, kDnsTypeTxt), 0, name.size());
}

// As src/pipeline/worker.cpp calls it today: a fresh `proto::DnsMessage msg;`
// per packet. Its default member initialisers zero the whole message (several
// KiB), which parse_dns() itself avoids on purpose; the difference to the
// benchmarks above is what that costs.
void BM_DnsParse_Query_FreshMessage(benchmark::State& state) {
  const Bytes msg = dns_query(0x1a2b, "www.example.com", kDnsTypeA);
  for (auto _ : state) {
    benchmark::DoNotOptimize(msg.data());
    proto::DnsMessage out;
    const proto::DnsStatus s = proto::parse_dns(msg.data(), msg.size(), out);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
  state.counters["sizeof_DnsMessage"] = static_cast<double>(sizeof(proto::DnsMessage));
}

BENCHMARK(BM_DnsParse_Query);
BENCHMARK(BM_DnsParse_Query_FreshMessage);
BENCHMARK(BM_DnsParse_Response4A);
BENCHMARK(BM_DnsParse_TunnelQuery);

}  // namespace
}  // namespace picket::bench
