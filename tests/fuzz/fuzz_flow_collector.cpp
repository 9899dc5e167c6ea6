// libFuzzer target: one flow-record parser through FlowCollector, chosen by
// PICKET_FUZZ_VERSION (5: NetFlow v5, 9: NetFlow v9, 10: IPFIX; run-fuzz.sh
// builds fuzz_netflow_v5, fuzz_netflow_v9 and fuzz_ipfix from this file). The
// input is split into datagrams by 2-byte big-endian length prefixes, so that
// templates sent in one datagram meet data in the next, all from one exporter.
#include <cstddef>
#include <cstdint>

#include "picket/flowrec/collector.hpp"

#ifndef PICKET_FUZZ_VERSION
#error "build with -DPICKET_FUZZ_VERSION=5, 9 or 10"
#endif

namespace {
struct Discard : picket::flowrec::RecordSink {
  std::uint64_t n = 0;
  void on_flow(const picket::flowrec::UniFlow& f) override { n += f.packets; }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picket::flowrec::CollectorLimits lim;
  lim.max_templates = 64;
  picket::flowrec::FlowCollector collector(lim);
  Discard sink;
  const auto exporter = picket::core::IpAddr::from_v4(0xc0000201u);
  std::uint8_t buf[65536];
  std::size_t off = 0;
  while (off + 2 <= size) {
    std::size_t n = (std::size_t{data[off]} << 8) | data[off + 1];
    off += 2;
    if (n > size - off) n = size - off;
    // The version is forced so that every input exercises this parser.
    std::size_t len = n + 2;
    buf[0] = 0;
    buf[1] = PICKET_FUZZ_VERSION;
    for (std::size_t i = 0; i < n; ++i) buf[2 + i] = data[off + i];
    collector.on_datagram(buf, len, exporter, sink);
    off += n;
  }
  return 0;
}
