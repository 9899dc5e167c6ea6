#include "picket/export/delivery.hpp"

#include <cstdio>

namespace picket::exporter {

void JsonLinesSink::deliver(const FindingRecord&, std::string_view json, ReportKind) {
  std::fwrite(json.data(), 1, json.size(), out_);
  std::fputc('\n', out_);
  // Findings are rare and wanted at once by whatever tails the file.
  std::fflush(out_);
}

void JsonLinesSink::close() { std::fflush(out_); }

void Delivery::publish(const FindingRecord& rec, ReportKind kind) {
  line_.clear();
  render_finding_json(rec, render_, line_);
  for (auto& s : sinks_) s->deliver(rec, line_, kind);
}

void Delivery::close() {
  for (auto& s : sinks_) s->close();
}

}  // namespace picket::exporter
