// net::decode() on the encapsulations picket meets: one benchmark per frame
// shape, plus a mix. Each benchmark cycles through a set of frames with
// different addresses and ports (all in L1/L2), so the numbers show the
// decoder's own cost, not memory latency; the capture thread sees the same
// bytes fresh from libpcap's buffer.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "frames.hpp"
#include "picket/net/packet.hpp"

namespace picket::bench {
namespace {

constexpr std::size_t kFramesPerSet = 1024;  // power of two: cheap wrap-around

enum class Shape { kEthIpv4Tcp, kEthIpv4UdpDns, kEthIpv6Tcp, kVlanIpv4Tcp, kVxlanIpv4Tcp, kMix };

Bytes tcp_payload(std::size_t n) {
  Bytes p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>('a' + i % 26);
  return p;
}

Bytes make_frame(Shape shape, std::uint32_t i, std::size_t tcp_payload_len) {
  const std::uint32_t client = 0x0A00'0000u | (i * 2654435761u >> 8);  // 10.x.y.z, scattered
  const std::uint32_t server = 0xC633'6400u | (i & 0xff);              // 198.51.100.x
  const auto sport = static_cast<std::uint16_t>(32768 + (i * 7919) % 28000);
  const Bytes payload = tcp_payload(tcp_payload_len);
  switch (shape) {
    case Shape::kEthIpv4Tcp:
      return ethernet_frame(kEthIpv4, ipv4_packet(client, server, kTcp, tcp_segment(sport, 443, kAck | kPsh, payload)));
    case Shape::kEthIpv4UdpDns: {
      const std::string name = "host" + std::to_string(i) + ".example.com";
      return ethernet_frame(kEthIpv4,
                            ipv4_packet(client, 0x0A00'0035u, kUdp, udp_datagram(sport, 53, dns_query(i, name, 1))));
    }
    case Shape::kEthIpv6Tcp:
      return ethernet_frame(kEthIpv6, ipv6_packet(client, server, kTcp, tcp_segment(sport, 443, kAck | kPsh, payload)));
    case Shape::kVlanIpv4Tcp:
      return ethernet_frame(kEthIpv4, ipv4_packet(client, server, kTcp, tcp_segment(sport, 443, kAck | kPsh, payload)),
                            {static_cast<std::uint16_t>(100 + i % 8)});
    case Shape::kVxlanIpv4Tcp: {
      const Bytes inner =
          ethernet_frame(kEthIpv4, ipv4_packet(client, server, kTcp, tcp_segment(sport, 443, kAck | kPsh, payload)));
      return vxlan_frame(5000 + i % 16, static_cast<std::uint16_t>(49152 + i % 1000), inner);
    }
    case Shape::kMix:
      break;
  }
  return {};
}

// Builds the frame set for a benchmark and checks that each frame decodes the
// way the benchmark claims (a mis-built frame would measure an error path).
bool build_set(Shape shape, std::size_t tcp_payload_len, std::vector<Bytes>& out, std::string& error) {
  static constexpr Shape kMixOrder[] = {Shape::kEthIpv4Tcp, Shape::kEthIpv4Tcp,   Shape::kEthIpv4Tcp,
                                        Shape::kEthIpv4UdpDns, Shape::kEthIpv6Tcp, Shape::kVlanIpv4Tcp,
                                        Shape::kVxlanIpv4Tcp};
  out.clear();
  for (std::uint32_t i = 0; i < kFramesPerSet; ++i) {
    // The mix interleaves shapes in a fixed pseudo-random order so the branch
    // predictor cannot learn a short period.
    const Shape s = shape == Shape::kMix ? kMixOrder[(i * 2654435761u >> 16) % 7] : shape;
    out.push_back(make_frame(s, i, tcp_payload_len));
    net::PacketView v;
    net::DecodeStats st;
    const Bytes& f = out.back();
    const bool ok = net::decode(f.data(), static_cast<std::uint32_t>(f.size()), static_cast<std::uint32_t>(f.size()),
                                net::kLinkEthernet, 0, v, st);
    const bool expected = ok && v.anomaly == net::Anomaly::kNone &&
                          (s != Shape::kVxlanIpv4Tcp || v.tunnel == net::Tunnel::kVxlan) &&
                          (s != Shape::kVlanIpv4Tcp || v.vlan_id != 0) &&
                          (s != Shape::kEthIpv6Tcp || v.ip_version == 6) &&
                          (s != Shape::kEthIpv4UdpDns || (v.dport == 53 && v.payload_len > 12));
    if (!expected) {
      error = "frame " + std::to_string(i) + " did not decode as intended (anomaly " +
              net::anomaly_name(v.anomaly) + ")";
      return false;
    }
  }
  return true;
}

void BM_Decode(benchmark::State& state, Shape shape) {
  const auto payload_len = static_cast<std::size_t>(state.range(0));
  std::vector<Bytes> frames;
  std::string error;
  if (!build_set(shape, payload_len, frames, error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::uint64_t bytes_per_set = 0;
  for (const auto& f : frames) bytes_per_set += f.size();

  net::PacketView view;
  net::DecodeStats stats;
  std::size_t i = 0;
  core::Nanos ts = 1'700'000'000'000'000'000ULL;
  for (auto _ : state) {
    const Bytes& f = frames[i];
    const bool ok = net::decode(f.data(), static_cast<std::uint32_t>(f.size()), static_cast<std::uint32_t>(f.size()),
                                net::kLinkEthernet, ts, view, stats);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(view);
    i = (i + 1) & (kFramesPerSet - 1);
    ++ts;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  // Byte rate of the frames decoded (whole sets plus the partial last one).
  const auto iters = static_cast<std::uint64_t>(state.iterations());
  std::uint64_t bytes = iters / kFramesPerSet * bytes_per_set;
  for (std::size_t k = 0; k < iters % kFramesPerSet; ++k) bytes += frames[k].size();
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["frame_bytes"] = static_cast<double>(bytes_per_set) / kFramesPerSet;
}

// Arg: TCP payload bytes. Decode cost does not depend on it (only headers are
// read); the 1460-byte variant shows the byte rate of full-size frames.
BENCHMARK_CAPTURE(BM_Decode, eth_ipv4_tcp, Shape::kEthIpv4Tcp)->Arg(0)->Arg(1460);
BENCHMARK_CAPTURE(BM_Decode, eth_ipv4_udp_dns, Shape::kEthIpv4UdpDns)->Arg(0);
BENCHMARK_CAPTURE(BM_Decode, eth_ipv6_tcp, Shape::kEthIpv6Tcp)->Arg(0)->Arg(1440);
BENCHMARK_CAPTURE(BM_Decode, vlan_ipv4_tcp, Shape::kVlanIpv4Tcp)->Arg(0);
BENCHMARK_CAPTURE(BM_Decode, vxlan_ipv4_tcp, Shape::kVxlanIpv4Tcp)->Arg(0)->Arg(1400);
BENCHMARK_CAPTURE(BM_Decode, mix, Shape::kMix)->Arg(512);

}  // namespace
}  // namespace picket::bench
