// Flow-record parsing, records per second on one core: NetFlow v5, NetFlow v9,
// IPFIX (through FlowCollector, as the collector thread runs it) and AWS VPC
// Flow Log lines; and the RecordOrderer that pairs directions and orders them.
// Datagrams are built here the way common exporters lay them out (v5: 30
// records; v9/IPFIX: softflowd's IPv4 template, 24 records per datagram).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "picket/flowrec/collector.hpp"
#include "picket/flowrec/record_orderer.hpp"
#include "picket/flowrec/vpc_flow_log.hpp"

namespace picket::bench {
namespace {

struct Buf {
  std::vector<std::uint8_t> b;
  void u8(unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); }
  void u16(unsigned v) { u8(v >> 8), u8(v); }
  void u32(std::uint32_t v) { u16(v >> 16), u16(v & 0xffff); }
  void u64(std::uint64_t v) { u32(static_cast<std::uint32_t>(v >> 32)), u32(static_cast<std::uint32_t>(v)); }
  // Writes the length of the set that starts 2 bytes before `at` (its id) into b[at..at+1].
  void len16(std::size_t at) {
    const std::size_t n = b.size() - (at - 2);
    b[at] = static_cast<std::uint8_t>(n >> 8), b[at + 1] = static_cast<std::uint8_t>(n);
  }
};

struct Count final : flowrec::RecordSink {
  std::uint64_t n = 0, packets = 0;
  void on_flow(const flowrec::UniFlow& f) override { ++n, packets += f.packets; }
};

std::vector<std::uint8_t> v5_datagram(std::uint32_t seq) {
  Buf d;
  d.u16(5), d.u16(30), d.u32(1000000), d.u32(1700000000), d.u32(0), d.u32(seq), d.u16(0), d.u16(0);
  for (unsigned i = 0; i < 30; ++i) {
    d.u32(0x0a000000 + i), d.u32(0xc6336400 + (i * 7) % 250), d.u32(0), d.u16(1), d.u16(2);
    d.u32(10 + i), d.u32(1500 + i), d.u32(900000), d.u32(990000), d.u16(40000 + i), d.u16(443);
    d.u8(0), d.u8(0x1b), d.u8(6), d.u8(0), d.u16(0), d.u16(0), d.u8(24), d.u8(24), d.u16(0);
  }
  return d.b;
}

// softflowd's IPv4 data template: src dst first last bytes pkts in out dir reason sport dport proto flags ipver tos.
void template_fields(Buf& d) {
  const unsigned f[][2] = {{8, 4}, {12, 4}, {22, 4}, {21, 4}, {1, 4}, {2, 4}, {10, 4}, {14, 4},
                           {61, 1}, {136, 1}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {60, 1}, {5, 1}};
  for (auto& x : f) d.u16(x[0]), d.u16(x[1]);
}
void data_record(Buf& d, unsigned i) {
  d.u32(0x0a000000 + i), d.u32(0xc6336400 + (i * 7) % 250), d.u32(900000), d.u32(990000), d.u32(1500 + i);
  d.u32(10 + i), d.u32(1), d.u32(2), d.u8(0), d.u8(1), d.u16(40000 + i), d.u16(443), d.u8(6), d.u8(0x1b), d.u8(4), d.u8(0);
}

std::vector<std::uint8_t> v9_datagram(std::uint32_t seq, bool with_template) {
  Buf d;
  d.u16(9), d.u16(24), d.u32(1000000), d.u32(1700000000), d.u32(seq), d.u32(0);
  if (with_template) {
    const std::size_t at = d.b.size() + 2;
    d.u16(0), d.u16(0), d.u16(1024), d.u16(16);
    template_fields(d);
    d.len16(at);
  }
  const std::size_t at = d.b.size() + 2;
  d.u16(1024), d.u16(0);
  for (unsigned i = 0; i < 24; ++i) data_record(d, i);
  d.len16(at);
  return d.b;
}

std::vector<std::uint8_t> ipfix_message(std::uint32_t seq, bool with_template) {
  Buf d;
  d.u16(10), d.u16(0), d.u32(1700000000), d.u32(seq), d.u32(0);
  if (with_template) {
    std::size_t at = d.b.size() + 2;
    d.u16(3), d.u16(0), d.u16(256), d.u16(2), d.u16(1), d.u16(143), d.u16(4), d.u16(160), d.u16(8);
    d.len16(at);
    at = d.b.size() + 2;
    d.u16(256), d.u16(0), d.u32(1), d.u64(1699999000000ULL);
    d.len16(at);
    at = d.b.size() + 2;
    d.u16(2), d.u16(0), d.u16(1024), d.u16(16);
    template_fields(d);
    d.len16(at);
  }
  const std::size_t at = d.b.size() + 2;
  d.u16(1024), d.u16(0);
  for (unsigned i = 0; i < 24; ++i) data_record(d, i);
  d.len16(at);
  d.b[2] = static_cast<std::uint8_t>(d.b.size() >> 8), d.b[3] = static_cast<std::uint8_t>(d.b.size());
  return d.b;
}

void run_datagrams(benchmark::State& state, const std::vector<std::vector<std::uint8_t>>& warmup,
                   const std::vector<std::vector<std::uint8_t>>& stream, std::size_t records_each) {
  flowrec::FlowCollector c;
  Count sink;
  const auto exporter = core::IpAddr::from_v4(0xc0000201u);
  for (const auto& d : warmup) c.on_datagram(d.data(), d.size(), exporter, sink);
  sink.n = 0;  // the template datagram's own records
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& d = stream[i++ % stream.size()];
    c.on_datagram(d.data(), d.size(), exporter, sink);
  }
  benchmark::DoNotOptimize(sink.packets);
  // Every datagram must have given all its records, or the figure means nothing.
  if (sink.n != state.iterations() * records_each) state.SkipWithError("records missing: datagrams do not parse");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * records_each));
}

void BM_NetflowV5(benchmark::State& state) {
  std::vector<std::vector<std::uint8_t>> s;
  for (std::uint32_t k = 0; k < 64; ++k) s.push_back(v5_datagram(k * 30));
  run_datagrams(state, {}, s, 30);
}
BENCHMARK(BM_NetflowV5);

void BM_NetflowV9(benchmark::State& state) {
  std::vector<std::vector<std::uint8_t>> s;
  for (std::uint32_t k = 0; k < 64; ++k) s.push_back(v9_datagram(k + 1, false));
  run_datagrams(state, {v9_datagram(0, true)}, s, 24);
}
BENCHMARK(BM_NetflowV9);

void BM_Ipfix(benchmark::State& state) {
  std::vector<std::vector<std::uint8_t>> s;
  for (std::uint32_t k = 0; k < 64; ++k) s.push_back(ipfix_message(25 + k * 24, false));
  run_datagrams(state, {ipfix_message(0, true)}, s, 24);
}
BENCHMARK(BM_Ipfix);

std::vector<std::string> vpc_lines(std::size_t n) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < n; ++i)
    v.push_back("2 123456789012 eni-0a1b2c3d4e5f60718 10.0." + std::to_string(i % 200) + "." +
                std::to_string(i % 250 + 1) + " 198.51.100." + std::to_string(i % 250 + 1) + " " +
                std::to_string(40000 + i % 20000) + " 443 6 " + std::to_string(10 + i % 50) + " " +
                std::to_string(1500 + i % 9000) + " 1700000000 1700000060 ACCEPT OK");
  return v;
}

void BM_VpcFlowLogLine(benchmark::State& state) {
  const auto lines = vpc_lines(4096);
  flowrec::VpcFormat format = flowrec::VpcFormat::default_v2();
  flowrec::UniFlow u;
  std::uint64_t packets = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    bool rejected;
    const char* err = nullptr;
    if (flowrec::parse_vpc_line(lines[i++ % lines.size()], format, u, rejected, err) == flowrec::VpcLine::kFlow)
      packets += u.packets;
  }
  benchmark::DoNotOptimize(packets);
  if (packets == 0) state.SkipWithError("no VPC line parsed");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_VpcFlowLogLine);

// Pairing and ordering after the parse: half the records are the reverse of the other half.
void BM_RecordOrderer(benchmark::State& state) {
  struct Out final : flowrec::OrderedSink {
    std::uint64_t n = 0;
    void on_flow_record(const flow::FlowRecord& r) override { n += r.packets[0]; }
    void on_dns_event(const detect::DnsEvent&) override {}
  } out;
  flowrec::RecordOrderer o(core::seconds(120), 1u << 20);
  flowrec::UniFlow fwd, rev;
  fwd.proto = rev.proto = 6;
  fwd.packets = rev.packets = 10;
  fwd.bytes = rev.bytes = 1500;
  std::uint64_t i = 0;
  for (auto _ : state) {
    const core::Nanos t = 1'700'000'000ULL * core::kNanosPerSecond + i * 1'000'000ULL;
    fwd.src = rev.dst = core::IpAddr::from_v4(0x0a000000u + static_cast<std::uint32_t>(i % 65536));
    fwd.dst = rev.src = core::IpAddr::from_v4(0xc6336401u + static_cast<std::uint32_t>(i % 7));
    fwd.sport = rev.dport = static_cast<std::uint16_t>(40000 + i % 20000);
    fwd.dport = rev.sport = 443;
    fwd.first = rev.first = fwd.last = rev.last = t;
    o.add_flow(fwd, out);
    o.add_flow(rev, out);
    if ((i & 255) == 0) o.release(out);
    ++i;
  }
  o.flush(out);
  benchmark::DoNotOptimize(out.n);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2));
}
BENCHMARK(BM_RecordOrderer);

}  // namespace
}  // namespace picket::bench
