#include "picket/flowrec/collector.hpp"

#include "picket/core/hash.hpp"
#include "record_decoder.hpp"

namespace picket::flowrec {

const char* error_reason_name(ErrorReason r) {
  switch (r) {
    case ErrorReason::kTruncated: return "truncated";
    case ErrorReason::kBadVersion: return "bad_version";
    case ErrorReason::kBadLength: return "bad_length";
    case ErrorReason::kNoTemplate: return "no_template";
    case ErrorReason::kBadTemplate: return "bad_template";
    case ErrorReason::kBadRecord: return "bad_record";
    case ErrorReason::kTemplateLimit: return "template_limit";
    case ErrorReason::kReservedSet: return "reserved_set";
    case ErrorReason::kCount: break;
  }
  return "unknown";
}

DomainState* ExporterState::domain(std::uint8_t version, std::uint32_t id) {
  for (auto& d : domains)
    if (d.version == version && d.domain == id) return &d;
  if (domains.size() >= kMaxDomains) {
    // Bounded like everything else an exporter can make us store.
    stats.error(ErrorReason::kTemplateLimit);
    return nullptr;
  }
  DomainState d;
  d.version = version;
  d.domain = id;
  domains.push_back(d);
  return &domains.back();
}

void ExporterState::check_sequence(DomainState& d, std::uint32_t seq, std::uint32_t advance) {
  if (d.have_sequence && seq != d.next_sequence) {
    const std::uint32_t delta = seq - d.next_sequence;  // modulo 2^32, as the RFCs define it
    if (delta < 0x80000000u) {
      ++stats.sequence_gaps;
      stats.sequence_missing += delta;
    } else {
      ++stats.sequence_resets;
    }
  }
  d.have_sequence = true;
  d.next_sequence = seq + advance;
}

std::size_t FlowCollector::AddrHash::operator()(const core::IpAddr& a) const {
  return static_cast<std::size_t>(core::hash_bytes(a.bytes.data(), 16));
}

FlowCollector::FlowCollector(CollectorLimits limits)
    : limits_(limits), cache_(limits.max_templates, limits.max_templates_per_exporter) {}

void FlowCollector::on_datagram(const std::uint8_t* data, std::size_t len, const core::IpAddr& exporter,
                                RecordSink& sink) {
  ++datagrams_;
  ExporterState* ex;
  auto it = index_.find(exporter);
  if (it != index_.end()) {
    ex = exporters_[it->second].get();
  } else {
    if (exporters_.size() >= limits_.max_exporters) {
      ++refused_;
      return;
    }
    const auto idx = static_cast<std::uint32_t>(exporters_.size());
    exporters_.push_back(std::make_unique<ExporterState>());
    ex = exporters_.back().get();
    ex->index = idx;
    ex->stats.address = exporter;
    index_.emplace(exporter, idx);
  }
  ++ex->stats.datagrams;
  if (len < 2) return ex->stats.error(ErrorReason::kTruncated);
  const std::uint64_t before = ex->stats.records;
  switch (read_u16(data)) {
    case 5:
      parse_netflow_v5(data, len, *ex, sink);
      records_by_version_[0] += ex->stats.records - before;
      break;
    case 9:
      parse_netflow_v9(data, len, *ex, cache_, sink);
      records_by_version_[1] += ex->stats.records - before;
      break;
    case 10:
      parse_ipfix(data, len, *ex, cache_, sink);
      records_by_version_[2] += ex->stats.records - before;
      break;
    default:
      ex->stats.error(ErrorReason::kBadVersion);
      break;
  }
}

CollectorStats FlowCollector::stats() const {
  CollectorStats s;
  s.datagrams = datagrams_;
  s.refused_datagrams = refused_;
  s.templates_cached = cache_.size();
  for (int i = 0; i < 3; ++i) s.records_by_version[i] = records_by_version_[i];
  for (const auto& e : exporters_) {
    s.records += e->stats.records;
    s.exporters.push_back(e->stats);
  }
  return s;
}

}  // namespace picket::flowrec
