// Cost of the worker's payload recognition per flow: the SSH/RDP/SMTP byte
// checks and one Hyperscan scan of the mining rules over a first payload, as
// payload_recognition.cpp runs them (up to 4 payload packets per direction).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "picket/detect/mining_rules.hpp"
#include "picket/proto/rdp_negotiation.hpp"
#include "picket/proto/smtp_command.hpp"
#include "picket/proto/ssh_banner.hpp"

namespace {

using picket::proto::Recognition;

// First payloads of a typical mix: TLS ClientHello-sized binary, HTTP, SSH,
// SMTP, an unknown binary protocol, and a stratum login.
std::vector<std::string> payloads() {
  std::string tls(517, '\0');
  tls[0] = 0x16, tls[1] = 0x03, tls[2] = 0x01;
  for (std::size_t i = 5; i < tls.size(); ++i) tls[i] = static_cast<char>(i * 131);
  std::string bin(1200, '\0');
  for (std::size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<char>(i * 17 + 3);
  return {tls,
          "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n",
          "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n",
          "EHLO mail.example.com\r\n",
          bin,
          "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n"};
}

void BM_ByteRecognisers(benchmark::State& state) {
  const auto p = payloads();
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    const auto& s = p[i++ % p.size()];
    const auto* b = reinterpret_cast<const std::uint8_t*>(s.data());
    picket::proto::X224Kind kind;
    hits += picket::proto::recognise_ssh_banner(b, s.size()) == Recognition::kYes;
    hits += picket::proto::recognise_rdp_negotiation(b, s.size(), kind) == Recognition::kYes;
    hits += picket::proto::recognise_smtp_hello(b, s.size()) == Recognition::kYes;
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ByteRecognisers);

void BM_MiningScan(benchmark::State& state) {
  const auto& db = picket::detect::mining_database();
  picket::match::Scratch scratch(db);
  const auto p = payloads();
  std::size_t i = 0, bytes = 0;
  unsigned hits = 0;
  for (auto _ : state) {
    const auto& s = p[i++ % p.size()];
    bytes += s.size();
    hits += scratch.scan(db, s.data(), s.size(), [](unsigned) {});
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_MiningScan);

// A whole flow's worst case: 4 payload packets each way of unknown binary
// protocol, all checks and scans run (nothing recognised).
void BM_UnknownFlowWorstCase(benchmark::State& state) {
  const auto& db = picket::detect::mining_database();
  picket::match::Scratch scratch(db);
  std::string bin(1400, '\0');
  for (std::size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<char>(i * 29 + 7);
  const auto* b = reinterpret_cast<const std::uint8_t*>(bin.data());
  unsigned hits = 0;
  for (auto _ : state) {
    for (int k = 0; k < 8; ++k) {
      picket::proto::X224Kind kind;
      hits += picket::proto::recognise_ssh_banner(b, bin.size()) == Recognition::kYes;
      hits += picket::proto::recognise_rdp_negotiation(b, bin.size(), kind) == Recognition::kYes;
      hits += picket::proto::recognise_smtp_hello(b, bin.size()) == Recognition::kYes;
      hits += scratch.scan(db, bin.data(), bin.size(), [](unsigned) {});
    }
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UnknownFlowWorstCase);

}  // namespace
