#pragma once
// Field semantics shared by the NetFlow v9 and IPFIX parsers: NetFlow v9
// field types 1-127 are the IPFIX information elements of the same number.
#include <cstddef>
#include <cstdint>

#include "picket/core/clock.hpp"
#include "picket/flowrec/exporter_state.hpp"
#include "picket/flowrec/source.hpp"
#include "picket/flowrec/template_cache.hpp"
#include "picket/flowrec/uniflow.hpp"

namespace picket::flowrec {

// What turns a record's time fields into absolute time.
struct RecordClock {
  core::Nanos export_time = 0;  // header: export time (whole seconds)
  std::uint64_t uptime_ms = 0;  // NetFlow v9 header: exporter uptime at export
  bool has_uptime = false;      // v9: sysUpTime-relative fields use uptime_ms
  core::Nanos system_init = 0;  // IPFIX: systemInitTimeMilliseconds, 0 = unknown
};

inline std::uint64_t read_be(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}
inline std::uint16_t read_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
inline std::uint32_t read_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// Parses `count` field specifiers (IPFIX: with enterprise numbers) at p into t;
// returns bytes read, 0 when they do not fit in avail or a field is unusable.
std::size_t read_template_fields(const std::uint8_t* p, std::size_t avail, std::uint16_t count, bool ipfix,
                                 FlowTemplate& t);

enum class DecodeResult : std::uint8_t { kFlow, kNoAddresses, kTruncated };

// Decodes one data record of `t` at p; `used` = its length.
DecodeResult decode_flow_record(const FlowTemplate& t, const std::uint8_t* p, std::size_t avail,
                                const RecordClock& clock, std::uint32_t sampling, UniFlow& out, std::size_t& used);
// Decodes one options data record: sampling rate and system init time go to `d`.
bool decode_options_record(const FlowTemplate& t, const std::uint8_t* p, std::size_t avail, DomainState& d,
                           std::size_t& used);

// Decodes the records of one data set of `t`, back to back (what is left
// shorter than one record is padding): flow records go to `sink` stamped with
// `source`, options records into `d`, and errors into `st`. `clock` takes
// the domain's system init time before each flow record, since an options
// record earlier in the set may have set it. Returns the records read.
std::uint32_t decode_data_set(const FlowTemplate& t, const std::uint8_t* body, std::size_t len, RecordClock& clock,
                              DomainState& d, Source source, ExporterStats& st, RecordSink& sink);

// Template sanity limits.
inline constexpr std::uint16_t kMaxTemplateFields = 256;

}  // namespace picket::flowrec
