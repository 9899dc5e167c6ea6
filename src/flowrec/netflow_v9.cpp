// NetFlow v9 (RFC 3954): a 20-byte header, then flowsets: templates (id 0),
// options templates (id 1) and data (id >= 256) described by a template that
// the same exporter and source id sent earlier.
#include "picket/flowrec/collector.hpp"
#include "picket/flowrec/source.hpp"
#include "record_decoder.hpp"

namespace picket::flowrec {

namespace {
constexpr std::size_t kHeader = 20;

void read_templates(const std::uint8_t* p, std::size_t len, ExporterState& ex, TemplateCache& cache,
                    std::uint32_t domain) {
  std::size_t off = 0;
  while (off + 4 <= len) {
    const std::uint16_t id = read_u16(p + off), count = read_u16(p + off + 2);
    if (id == 0 && count == 0) break;  // padding
    FlowTemplate t;
    t.id = id;
    const std::size_t n = read_template_fields(p + off + 4, len - off - 4, count, false, t);
    if (n == 0 || id < 256) return ex.stats.error(ErrorReason::kBadTemplate);
    off += 4 + n;
    ++ex.stats.templates;
    if (!cache.put({ex.index, domain, id, 9}, std::move(t))) ex.stats.error(ErrorReason::kTemplateLimit);
  }
}

void read_options_templates(const std::uint8_t* p, std::size_t len, ExporterState& ex, TemplateCache& cache,
                            std::uint32_t domain) {
  std::size_t off = 0;
  while (off + 6 <= len) {
    const std::uint16_t id = read_u16(p + off);
    const std::uint16_t scope_bytes = read_u16(p + off + 2), option_bytes = read_u16(p + off + 4);
    if (id == 0) break;  // padding
    if (id < 256 || scope_bytes % 4 || option_bytes % 4) return ex.stats.error(ErrorReason::kBadTemplate);
    const std::uint16_t count = static_cast<std::uint16_t>((scope_bytes + option_bytes) / 4);
    FlowTemplate t;
    t.id = id;
    t.options = true;
    t.scope_fields = scope_bytes / 4;
    const std::size_t n = read_template_fields(p + off + 6, len - off - 6, count, false, t);
    if (n == 0) return ex.stats.error(ErrorReason::kBadTemplate);
    off += 6 + n;
    ++ex.stats.templates;
    if (!cache.put({ex.index, domain, id, 9}, std::move(t))) ex.stats.error(ErrorReason::kTemplateLimit);
  }
}

}  // namespace

void parse_netflow_v9(const std::uint8_t* data, std::size_t len, ExporterState& ex, TemplateCache& cache,
                      RecordSink& sink) {
  ExporterStats& st = ex.stats;
  if (len < kHeader) return st.error(ErrorReason::kTruncated);
  RecordClock clock;
  clock.uptime_ms = read_u32(data + 4);
  clock.has_uptime = true;
  clock.export_time = std::uint64_t{read_u32(data + 8)} * core::kNanosPerSecond;
  const std::uint32_t sequence = read_u32(data + 12);
  const std::uint32_t domain = read_u32(data + 16);  // source id
  DomainState* d = ex.domain(9, domain);
  if (!d) return;
  ex.check_sequence(*d, sequence, 1);

  std::size_t off = kHeader;
  while (off + 4 <= len) {
    const std::uint16_t set_id = read_u16(data + off), set_len = read_u16(data + off + 2);
    if (set_len < 4 || off + set_len > len) return st.error(ErrorReason::kBadLength);
    const std::uint8_t* body = data + off + 4;
    const std::size_t body_len = set_len - 4u;
    off += set_len;
    if (set_id == 0) {
      read_templates(body, body_len, ex, cache, domain);
    } else if (set_id == 1) {
      read_options_templates(body, body_len, ex, cache, domain);
    } else if (set_id < 256) {
      st.error(ErrorReason::kReservedSet);
    } else {
      const FlowTemplate* t = cache.find({ex.index, domain, set_id, 9});
      if (!t) {
        st.error(ErrorReason::kNoTemplate);
        continue;
      }
      decode_data_set(*t, body, body_len, clock, *d, Source::kNetflowV9, st, sink);
    }
  }
}

}  // namespace picket::flowrec
