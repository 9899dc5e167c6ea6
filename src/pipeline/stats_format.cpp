// The end-of-run summary for people (stderr) and the stats JSON for machines.
#include <cstdio>
#include <string>

#include "picket/export/json_writer.hpp"
#include "picket/pipeline/pipeline.hpp"
#include "record_stats_format.hpp"

namespace picket::pipeline {

namespace {
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

WorkerStats total(const PipelineStats& s) {
  WorkerStats t;
  for (const auto& w : s.workers) {
    t.packets += w.packets;
    t.bytes += w.bytes;
    t.flows.created += w.flows.created;
    t.flows.ended += w.flows.ended;
    t.flows.evicted += w.flows.evicted;
    t.flows.active_segments += w.flows.active_segments;
    t.flows.peak += w.flows.peak;
    t.dns_messages += w.dns_messages;
    t.dns_errors += w.dns_errors;
    t.tls_sni += w.tls_sni;
    t.http_requests += w.http_requests;
    t.payload_protocols += w.payload_protocols;
    t.payload_scan_errors += w.payload_scan_errors;
    t.flow_events += w.flow_events;
    t.mesh_waits += w.mesh_waits;
  }
  return t;
}
// Capture counters of a live run: drops per worker and the device's figures.
std::string live_summary(const PipelineStats& s) {
  std::string o = "  drops " + std::to_string(s.capture.drops());
  for (std::size_t i = 0; i < s.capture.workers.size(); ++i) {
    const auto& w = s.capture.workers[i];
    o += std::string(i ? ", " : " (") + "w" + std::to_string(i) + " kernel " + std::to_string(w.kernel_drops) +
         " interface " + std::to_string(w.interface_drops);
  }
  if (!s.capture.workers.empty()) o += ")";
  for (const auto& [name, v] : s.capture.device) o += ", " + name + " " + std::to_string(v);
  std::uint64_t late = 0;
  for (const auto& w : s.workers) late += w.late_packets;
  if (late) o += ", late packets (clock held) " + std::to_string(late);
  return o + "\n";
}
}  // namespace

std::string format_detector_counters(const PipelineStats& s) {
  std::string o;  // only what was lost: a cap never reached says nothing
  for (const auto& c : s.detector_counters)
    if (c.value) o += std::string(o.empty() ? "" : ", ") + c.detector + " " + c.name + " " + std::to_string(c.value);
  return o;
}

std::string format_summary(const PipelineStats& s) {
  const WorkerStats t = total(s);
  const double secs = s.wall_seconds > 0 ? s.wall_seconds : 1e-9;
  std::string o;
  o += "picket: " + std::to_string(s.input.packets) + " packets, " + std::to_string(s.input.bytes) + " bytes " +
       (s.live ? "captured (" + s.capture.kind + ")" : "from " + std::to_string(s.input.files) + " file(s)") + " in " +
       fmt("%.3f", s.wall_seconds) + " s: " +
       fmt("%.0f", static_cast<double>(s.input.packets) / secs) + " packets/s, " +
       fmt("%.3f", static_cast<double>(s.input.bytes) * 8 / secs / 1e9) + " Gbit/s";
  o += s.interrupted ? " (interrupted: flushed what was read)\n" : "\n";
  if (s.live) o += live_summary(s);
  if (!s.record_sources.empty()) o += record_sources_summary(s);
  if (!s.live && s.capture_last_ns >= s.capture_first_ns && s.input.packets)
    o += "  capture span " + fmt("%.3f", static_cast<double>(s.capture_last_ns - s.capture_first_ns) / 1e9) + " s\n";
  o += "  analysed " + std::to_string(s.dispatched) + ", not analysed " + std::to_string(s.not_analysed) +
       " (ipv4 " + std::to_string(s.decode.ipv4) + ", ipv6 " + std::to_string(s.decode.ipv6) + ", tcp " +
       std::to_string(s.decode.tcp) + ", udp " + std::to_string(s.decode.udp) + ", icmp " +
       std::to_string(s.decode.icmp + s.decode.icmpv6) + ")\n";
  std::string tunnels;
  const std::pair<const char*, std::uint64_t> enc[] = {{"vlan", s.decode.vlan},     {"mpls", s.decode.mpls},
                                                       {"vxlan", s.decode.vxlan},   {"gre", s.decode.gre},
                                                       {"erspan", s.decode.erspan}, {"geneve", s.decode.geneve},
                                                       {"fragments", s.decode.fragments}};
  for (const auto& [name, v] : enc)
    if (v) tunnels += std::string(tunnels.empty() ? "" : ", ") + name + " " + std::to_string(v);
  if (!tunnels.empty()) o += "  encapsulation: " + tunnels + "\n";
  std::string anomalies;
  for (int i = 1; i < static_cast<int>(net::Anomaly::kCount); ++i)
    if (s.decode.anomaly[i])
      anomalies += std::string(anomalies.empty() ? "" : ", ") + net::anomaly_name(static_cast<net::Anomaly>(i)) + " " +
                   std::to_string(s.decode.anomaly[i]);
  for (int i = 0; i < static_cast<int>(net::Skipped::kCount); ++i)
    if (s.decode.skipped[i])
      anomalies += std::string(anomalies.empty() ? "" : ", ") + net::skipped_name(static_cast<net::Skipped>(i)) + " " +
                   std::to_string(s.decode.skipped[i]);
  if (!anomalies.empty()) o += "  decode: " + anomalies + "\n";
  o += "  flows " + std::to_string(t.flows.created) + " (evicted " + std::to_string(t.flows.evicted) +
       ", active-timeout segments " + std::to_string(t.flows.active_segments) + "), dns messages " +
       std::to_string(t.dns_messages) + " (unparsable " + std::to_string(t.dns_errors) + "), tls sni " +
       std::to_string(t.tls_sni) + ", http requests " + std::to_string(t.http_requests) + "\n";
  for (std::size_t i = 0; i < s.workers.size(); ++i)
    o += "  worker " + std::to_string(i) + ": packets " + std::to_string(s.workers[i].packets) + ", flows " +
         std::to_string(s.workers[i].flows.created) + ", flow events " + std::to_string(s.workers[i].flow_events) +
         "\n";
  o += "  findings " + std::to_string(s.findings_total) + " (" + std::to_string(s.findings_new) + " new, " +
       std::to_string(s.findings_updates) + " updates written)";
  if (s.findings_trusted) o += ", " + std::to_string(s.findings_trusted) + " dropped (trusted list)";
  for (const auto& [type, n] : s.findings_by_type) o += "\n    " + type + ": " + std::to_string(n);
  o += "\n";
  if (const std::string full = format_detector_counters(s); !full.empty()) o += "  detector state full: " + full + "\n";
  if (s.events_written) o += "  events written " + std::to_string(s.events_written) + "\n";
  for (const auto& w : s.input.warnings) o += "  warning: " + w + "\n";
  if (s.input.out_of_order) o += "  packets out of time order (clock held): " + std::to_string(s.input.out_of_order) + "\n";
  return o;
}

std::string format_stats_json(const PipelineStats& s) {
  std::string out;
  exporter::JsonWriter w(out);
  const WorkerStats t = total(s);
  const double secs = s.wall_seconds > 0 ? s.wall_seconds : 1e-9;
  w.begin_object();
  w.key("input").begin_object();
  w.field("files", s.input.files).field("packets", s.input.packets).field("bytes", s.input.bytes);
  w.field("read_errors", s.input.read_errors).field("out_of_order", s.input.out_of_order);
  w.key("warnings").begin_array();
  for (const auto& m : s.input.warnings) w.value(m);
  w.end_array().end_object();
  w.field("wall_seconds", s.wall_seconds);
  w.field("packets_per_second", static_cast<double>(s.input.packets) / secs);
  w.field("gbit_per_second", static_cast<double>(s.input.bytes) * 8 / secs / 1e9);
  w.field("interrupted", s.interrupted);
  w.key("decode").begin_object();
  w.field("frames", s.decode.frames).field("analysed", s.dispatched).field("not_analysed", s.not_analysed);
  w.field("ipv4", s.decode.ipv4).field("ipv6", s.decode.ipv6).field("tcp", s.decode.tcp).field("udp", s.decode.udp);
  w.field("icmp", s.decode.icmp).field("icmpv6", s.decode.icmpv6).field("vlan", s.decode.vlan);
  w.field("mpls", s.decode.mpls).field("vxlan", s.decode.vxlan).field("gre", s.decode.gre);
  w.field("erspan", s.decode.erspan).field("geneve", s.decode.geneve).field("fragments", s.decode.fragments);
  w.key("anomalies").begin_object();
  for (int i = 1; i < static_cast<int>(net::Anomaly::kCount); ++i)
    w.field(net::anomaly_name(static_cast<net::Anomaly>(i)), s.decode.anomaly[i]);
  w.end_object();
  w.key("skipped").begin_object();
  for (int i = 0; i < static_cast<int>(net::Skipped::kCount); ++i)
    w.field(net::skipped_name(static_cast<net::Skipped>(i)), s.decode.skipped[i]);
  w.end_object();
  w.end_object();
  w.key("flows").begin_object();
  w.field("created", t.flows.created).field("ended", t.flows.ended).field("evicted", t.flows.evicted);
  w.field("active_segments", t.flows.active_segments).field("peak", t.flows.peak);
  w.end_object();
  w.key("app").begin_object();
  w.field("dns_messages", t.dns_messages).field("dns_errors", t.dns_errors);
  w.field("tls_sni", t.tls_sni).field("http_requests", t.http_requests);
  w.field("payload_protocols", t.payload_protocols).field("payload_scan_errors", t.payload_scan_errors);
  w.end_object();
  w.key("workers").begin_array();
  for (const auto& ws : s.workers) {
    w.begin_object();
    w.field("packets", ws.packets).field("bytes", ws.bytes).field("flows", ws.flows.created);
    w.field("flows_evicted", ws.flows.evicted).field("flow_peak", ws.flows.peak);
    w.field("flow_events", ws.flow_events).field("dns_events", ws.dns_events).field("server_name_events", ws.server_name_events).field("mesh_waits", ws.mesh_waits);
    w.end_object();
  }
  w.end_array();
  w.key("findings").begin_object();
  w.field("total", s.findings_total).field("new", s.findings_new).field("updates", s.findings_updates);
  w.field("trusted_dropped", s.findings_trusted);
  w.key("by_type").begin_object();
  for (const auto& [type, n] : s.findings_by_type) w.field(type, n);
  w.end_object().end_object();
  w.field("events_written", s.events_written);
  // Every detector counter, zero or not, per detector: {"dns_exfil": {"keys_refused": 0, ...}, ...}.
  w.key("detectors").begin_object();
  for (std::size_t i = 0; i < s.detector_counters.size(); ++i) {
    const auto& c = s.detector_counters[i];
    if (i == 0 || s.detector_counters[i - 1].detector != c.detector) w.key(c.detector.c_str()).begin_object();
    w.field(c.name.c_str(), c.value);
    if (i + 1 == s.detector_counters.size() || s.detector_counters[i + 1].detector != c.detector) w.end_object();
  }
  w.end_object();
  if (!s.record_sources.empty()) record_sources_json(w, s);
  if (s.live) {
    w.key("capture").begin_object();
    w.field("kind", s.capture.kind).field("packets", s.capture.packets()).field("drops", s.capture.drops());
    w.key("workers").begin_array();
    for (std::size_t i = 0; i < s.capture.workers.size(); ++i) {
      const auto& c = s.capture.workers[i];
      w.begin_object();
      w.field("packets", c.packets).field("bytes", c.bytes).field("kernel_drops", c.kernel_drops);
      w.field("interface_drops", c.interface_drops);
      if (i < s.workers.size()) w.field("late_packets", s.workers[i].late_packets).field("flows_active", s.workers[i].flows_active);
      w.end_object();
    }
    w.end_array();
    w.key("device").begin_object();
    for (const auto& [name, v] : s.capture.device) w.field(name.c_str(), v);
    w.end_object().end_object();
  }
  w.end_object();
  out.push_back('\n');
  return out;
}

}  // namespace picket::pipeline
