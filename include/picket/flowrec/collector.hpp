#pragma once
// FlowCollector: turns NetFlow v5, NetFlow v9 and IPFIX datagrams into
// UniFlow records. One instance per collector thread; not thread-safe.
// Memory is bounded by CollectorLimits; what does not fit is counted.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "picket/core/ip_addr.hpp"
#include "picket/flowrec/exporter_state.hpp"
#include "picket/flowrec/template_cache.hpp"
#include "picket/flowrec/uniflow.hpp"

namespace picket::flowrec {

struct CollectorLimits {
  std::size_t max_exporters = 1024;          // distinct exporter addresses tracked
  std::size_t max_templates = 8192;          // templates in all
  std::size_t max_templates_per_exporter = 512;
};

struct CollectorStats {
  std::uint64_t datagrams = 0;
  std::uint64_t records = 0;
  std::uint64_t refused_datagrams = 0;  // from exporters beyond max_exporters
  std::uint64_t templates_cached = 0;
  std::uint64_t records_by_version[3] = {0, 0, 0};  // v5, v9, IPFIX
  std::vector<ExporterStats> exporters;             // in order of first datagram
};

// Parsers, one per file. Each checks every length against `len` before reading.
void parse_netflow_v5(const std::uint8_t* data, std::size_t len, ExporterState& ex, RecordSink& sink);
void parse_netflow_v9(const std::uint8_t* data, std::size_t len, ExporterState& ex, TemplateCache& cache,
                      RecordSink& sink);
void parse_ipfix(const std::uint8_t* data, std::size_t len, ExporterState& ex, TemplateCache& cache,
                 RecordSink& sink);

class FlowCollector {
 public:
  explicit FlowCollector(CollectorLimits limits = {});

  // Parses one datagram received from `exporter`.
  void on_datagram(const std::uint8_t* data, std::size_t len, const core::IpAddr& exporter, RecordSink& sink);
  CollectorStats stats() const;

 private:
  struct AddrHash {
    std::size_t operator()(const core::IpAddr& a) const;
  };
  CollectorLimits limits_;
  TemplateCache cache_;
  std::vector<std::unique_ptr<ExporterState>> exporters_;
  std::unordered_map<core::IpAddr, std::uint32_t, AddrHash> index_;
  std::uint64_t datagrams_ = 0, refused_ = 0;
  std::uint64_t records_by_version_[3] = {0, 0, 0};
};

}  // namespace picket::flowrec
