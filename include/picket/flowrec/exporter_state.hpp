#pragma once
// State the NetFlow/IPFIX parsers keep per exporter: counters by reason,
// sequence tracking per (version, observation domain / source id), sampling
// rates and clocks learnt from options records. Templates live in the
// TemplateCache, shared by all exporters so that one cap bounds them all.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

namespace picket::flowrec {

// Why a datagram, set or record was not (fully) used.
enum class ErrorReason : std::uint8_t {
  kTruncated = 0,   // shorter than a header or length field says
  kBadVersion,      // not NetFlow 5, 9 or IPFIX 10
  kBadLength,       // a length field contradicts the datagram (too short, past the end)
  kNoTemplate,      // data for a template id not received (yet) from this exporter/domain
  kBadTemplate,     // template with no fields, zero-length or oversized fields, too many fields
  kBadRecord,       // record without usable addresses, or count out of range
  kTemplateLimit,   // template cache full: template refused
  kReservedSet,     // set/flowset id reserved by the RFCs
  kCount
};
const char* error_reason_name(ErrorReason r);

struct ExporterStats {
  core::IpAddr address;
  std::uint64_t datagrams = 0;
  std::uint64_t records = 0;               // flow records handed on
  std::uint64_t templates = 0;             // template records received (new and refreshed)
  std::uint64_t template_withdrawals = 0;  // IPFIX withdrawals
  std::uint64_t options_records = 0;       // options data records (sampling, clocks)
  std::uint64_t sequence_gaps = 0;         // times the sequence number jumped forward
  std::uint64_t sequence_missing = 0;      // records (v5, IPFIX) or datagrams (v9) missing in those jumps
  std::uint64_t sequence_resets = 0;       // backward jumps: exporter restart or reordering
  std::array<std::uint64_t, static_cast<std::size_t>(ErrorReason::kCount)> errors{};
  std::uint64_t error_total() const {
    std::uint64_t n = 0;
    for (auto e : errors) n += e;
    return n;
  }
  void error(ErrorReason r) { ++errors[static_cast<std::size_t>(r)]; }
};

// Per (version, observation domain / source id / engine) of one exporter.
struct DomainState {
  std::uint8_t version = 0;
  std::uint32_t domain = 0;
  bool have_sequence = false;
  std::uint32_t next_sequence = 0;
  std::uint32_t sampling = 1;        // packet sampling interval learnt from options (1 = none)
  core::Nanos system_init = 0;       // IPFIX systemInitTimeMilliseconds, 0 = unknown
};

struct ExporterState {
  ExporterStats stats;
  std::uint32_t index = 0;  // key into the template cache
  std::vector<DomainState> domains;  // few per exporter; bounded by kMaxDomains

  static constexpr std::size_t kMaxDomains = 64;
  // The domain's state, created on first use; null (and counted) past kMaxDomains.
  DomainState* domain(std::uint8_t version, std::uint32_t domain);
  // Checks `seq` against the expected value and sets the next one: `advance`
  // is what this datagram adds (records for v5/IPFIX, 1 for v9).
  void check_sequence(DomainState& d, std::uint32_t seq, std::uint32_t advance);
};

}  // namespace picket::flowrec
