#include "record_stats_format.hpp"

namespace picket::pipeline {

std::string record_sources_summary(const PipelineStats& s) {
  std::string o = "  records " + std::to_string(s.records_dispatched) + " flow records, " +
                  std::to_string(s.dns_entries_dispatched) + " DNS log entries handed to workers\n";
  for (const auto& r : s.record_sources) {
    o += "  " + r.name + ":";
    bool first = true;
    for (const auto& [name, v] : r.counters) {
      // Zero error counters say nothing; every other figure is shown.
      if (v == 0 && name.rfind("error_", 0) == 0) continue;
      o += std::string(first ? " " : ", ") + name + " " + std::to_string(v);
      first = false;
    }
    o += "\n";
    for (const auto& w : r.warnings) o += "    warning: " + w + "\n";
  }
  return o;
}

void record_sources_json(exporter::JsonWriter& w, const PipelineStats& s) {
  w.field("records_dispatched", s.records_dispatched).field("dns_entries_dispatched", s.dns_entries_dispatched);
  w.key("record_sources").begin_array();
  for (const auto& r : s.record_sources) {
    w.begin_object();
    w.field("source", r.name);
    for (const auto& [name, v] : r.counters) w.field(name.c_str(), v);
    w.key("warnings").begin_array();
    for (const auto& m : r.warnings) w.value(m);
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

}  // namespace picket::pipeline
