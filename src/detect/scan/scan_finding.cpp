#include "scan_finding.hpp"

#include <algorithm>
#include <cstring>

namespace picket::detect::scan {

void fill_scan_evidence(Finding& f, const char* detector, const Episode& ep, std::size_t threshold,
                        core::Nanos window, bool values_are_ports) {
  std::strncpy(f.detector, detector, sizeof(f.detector) - 1);
  f.first_seen = ep.first_seen;
  f.last_seen = ep.last_seen;
  f.add_metric(values_are_ports ? "distinctPorts" : "distinctHosts", static_cast<double>(ep.distinct_seen));
  f.add_metric(values_are_ports ? "distinctPortsInWindow" : "distinctHostsInWindow",
               static_cast<double>(ep.values.size()));
  f.add_metric("probes", static_cast<double>(ep.probes));
  f.add_metric("threshold", static_cast<double>(threshold));
  f.add_metric("windowSeconds", static_cast<double>(window / core::kNanosPerSecond));
  f.add_metric("durationSeconds", static_cast<double>(ep.last_seen - ep.first_seen) / 1e9);
  // Samples in value order so that the evidence does not depend on event order.
  std::vector<TrackedValue> sorted(ep.values.begin(), ep.values.end());
  if (values_are_ports) {
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
    for (const auto& v : sorted) {
      if (f.port_count >= kFindingMaxPorts) break;
      f.ports[f.port_count++] = static_cast<std::uint16_t>(v.value & 0xffff);
    }
  } else {
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.host < b.host; });
    for (const auto& v : sorted) {
      if (f.host_count >= kFindingMaxHosts) break;
      f.hosts[f.host_count++] = v.host;
    }
  }
}

TrackerLimits tracker_limits(const DetectorContext& ctx, std::size_t threshold, std::size_t window,
                             std::size_t report_interval, std::size_t max_tracked) {
  TrackerLimits l;
  l.threshold = static_cast<std::size_t>(ctx.params[threshold]);
  l.window = core::seconds(ctx.params[window]);
  l.report_interval = core::seconds(ctx.params[report_interval]);
  l.max_keys = static_cast<std::size_t>(ctx.params[max_tracked]);
  return l;
}

}  // namespace picket::detect::scan
