// IPFIX (RFC 7011): a 16-byte message header, then sets: templates (id 2),
// options templates (id 3) and data (id >= 256). Templates are scoped by the
// exporter and observation domain; a template record with no fields
// withdraws a template (or all of them, for ids 2 and 3). Fields may be
// variable-length and carry enterprise numbers (RFC 5103 reverse elements
// are understood).
#include "picket/flowrec/collector.hpp"
#include "picket/flowrec/source.hpp"
#include "record_decoder.hpp"

namespace picket::flowrec {

namespace {
constexpr std::size_t kHeader = 16;

void read_templates(const std::uint8_t* p, std::size_t len, bool options, ExporterState& ex, TemplateCache& cache,
                    std::uint32_t domain) {
  const std::size_t head = options ? 6 : 4;
  std::size_t off = 0;
  while (off + 4 <= len) {
    const std::uint16_t id = read_u16(p + off), count = read_u16(p + off + 2);
    if (count == 0) {
      // Withdrawal (RFC 7011 8.1): id 2 or 3 withdraws every template of that kind.
      if (id == 2 || id == 3) {
        ex.stats.template_withdrawals += cache.withdraw_all(ex.index, 10, domain, id == 3);
      } else if (id >= 256) {
        if (cache.withdraw({ex.index, domain, id, 10})) ++ex.stats.template_withdrawals;
      } else {
        break;  // padding
      }
      off += 4;
      continue;
    }
    if (off + head > len) return ex.stats.error(ErrorReason::kTruncated);
    FlowTemplate t;
    t.id = id;
    t.options = options;
    if (options) {
      t.scope_fields = read_u16(p + off + 4);
      if (t.scope_fields == 0 || t.scope_fields > count) return ex.stats.error(ErrorReason::kBadTemplate);
    }
    const std::size_t n = read_template_fields(p + off + head, len - off - head, count, true, t);
    if (n == 0 || id < 256) return ex.stats.error(ErrorReason::kBadTemplate);
    off += head + n;
    ++ex.stats.templates;
    if (!cache.put({ex.index, domain, id, 10}, std::move(t))) ex.stats.error(ErrorReason::kTemplateLimit);
  }
}

}  // namespace

void parse_ipfix(const std::uint8_t* data, std::size_t len, ExporterState& ex, TemplateCache& cache,
                 RecordSink& sink) {
  ExporterStats& st = ex.stats;
  if (len < kHeader) return st.error(ErrorReason::kTruncated);
  const std::uint16_t msg_len = read_u16(data + 2);
  if (msg_len < kHeader || msg_len > len) return st.error(ErrorReason::kBadLength);
  len = msg_len;  // a datagram carries one message; ignore what follows it
  RecordClock clock;
  clock.export_time = std::uint64_t{read_u32(data + 4)} * core::kNanosPerSecond;
  const std::uint32_t sequence = read_u32(data + 8);
  const std::uint32_t domain = read_u32(data + 12);
  DomainState* d = ex.domain(10, domain);
  if (!d) return;

  std::uint32_t data_records = 0;  // the sequence number counts data records, options included
  std::size_t off = kHeader;
  while (off + 4 <= len) {
    const std::uint16_t set_id = read_u16(data + off), set_len = read_u16(data + off + 2);
    if (set_len < 4 || off + set_len > len) {
      st.error(ErrorReason::kBadLength);
      break;
    }
    const std::uint8_t* body = data + off + 4;
    const std::size_t body_len = set_len - 4u;
    off += set_len;
    if (set_id == 2 || set_id == 3) {
      read_templates(body, body_len, set_id == 3, ex, cache, domain);
    } else if (set_id < 256) {
      st.error(ErrorReason::kReservedSet);
    } else {
      const FlowTemplate* t = cache.find({ex.index, domain, set_id, 10});
      if (!t) {
        st.error(ErrorReason::kNoTemplate);
        continue;
      }
      data_records += decode_data_set(*t, body, body_len, clock, *d, Source::kIpfix, st, sink);
    }
  }
  ex.check_sequence(*d, sequence, data_records);
}

}  // namespace picket::flowrec
