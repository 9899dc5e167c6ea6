// NetFlow v5: a fixed 24-byte header and up to 30 fixed 48-byte IPv4 records.
#include <algorithm>

#include "picket/flowrec/collector.hpp"
#include "picket/flowrec/source.hpp"
#include "record_decoder.hpp"

namespace picket::flowrec {

namespace {
constexpr std::size_t kHeader = 24, kRecord = 48, kMaxCount = 30;
}

void parse_netflow_v5(const std::uint8_t* data, std::size_t len, ExporterState& ex, RecordSink& sink) {
  ExporterStats& st = ex.stats;
  if (len < kHeader) return st.error(ErrorReason::kTruncated);
  const std::uint16_t count = read_u16(data + 2);
  if (count == 0 || count > kMaxCount) return st.error(ErrorReason::kBadRecord);
  if (len < kHeader + count * kRecord) return st.error(ErrorReason::kTruncated);
  const std::uint64_t uptime_ms = read_u32(data + 4);
  const core::Nanos export_time =
      std::uint64_t{read_u32(data + 8)} * core::kNanosPerSecond + std::min<std::uint32_t>(read_u32(data + 12), 999'999'999);
  const std::uint32_t sequence = read_u32(data + 16);
  const std::uint32_t engine = read_u16(data + 20);  // engine type and id
  // Top two bits: sampling mode; low 14: the interval (0 or 1 = unsampled).
  const std::uint32_t interval = read_u16(data + 22) & 0x3fff;
  const std::uint32_t sampling = interval > 1 ? interval : 1;
  if (DomainState* d = ex.domain(5, engine)) ex.check_sequence(*d, sequence, count);

  UniFlow u;
  u.source = static_cast<std::uint8_t>(Source::kNetflowV5);
  u.tcp_flags_known = true;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* r = data + kHeader + i * kRecord;
    u.src = core::IpAddr::from_v4(r);
    u.dst = core::IpAddr::from_v4(r + 4);
    u.packets = std::uint64_t{read_u32(r + 16)} * sampling;
    u.bytes = std::uint64_t{read_u32(r + 20)} * sampling;
    // First/Last are exporter uptime in ms; the header pairs uptime with wall time.
    const std::uint64_t first_ms = read_u32(r + 24), last_ms = read_u32(r + 28);
    const auto at = [&](std::uint64_t ms) -> core::Nanos {
      const core::Nanos back = (uptime_ms >= ms ? uptime_ms - ms : 0) * 1'000'000ULL;
      return export_time > back ? export_time - back : 0;
    };
    u.first = at(first_ms);
    u.last = std::max(u.first, at(last_ms));
    u.sport = read_u16(r + 32);
    u.dport = read_u16(r + 34);
    u.tcp_flags = r[37];
    u.proto = r[38];
    u.icmp_type = 0;
    if (u.proto == 1) {
      // ICMP type and code travel in the destination port.
      u.icmp_type = static_cast<std::uint8_t>(u.dport >> 8);
      u.sport = u.dport = 0;
    }
    ++st.records;
    sink.on_flow(u);
  }
}

}  // namespace picket::flowrec
