#pragma once
// The replay pipeline: one capture thread decodes and hashes packets and
// hands them to N workers over SPSC rings; workers track flows and extract
// DNS/TLS/HTTP, and send flow and DNS events through an N x N mesh of SPSC
// rings to detector shards chosen by each detector's key; an exporter thread
// folds findings and writes them. See README "Architecture".
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "picket/capture/live_source.hpp"
#include "picket/capture/pcap_file_source.hpp"
#include "picket/detect/detector.hpp"
#include "picket/export/delivery.hpp"
#include "picket/flow/flow_table.hpp"
#include "picket/flowrec/record_input.hpp"
#include "picket/intel/store.hpp"
#include "picket/net/packet.hpp"

namespace picket::pipeline {

struct PipelineConfig {
  unsigned workers = 1;
  detect::HomeNet home = detect::HomeNet::defaults();
  flow::FlowTimeouts timeouts;
  std::size_t flow_memcap_bytes = std::size_t{512} << 20;  // all workers together
  core::Nanos tick = core::kNanosPerSecond;                  // capture-time granularity of timers
  core::Nanos update_interval = core::seconds(300);          // re-report a changed finding at most this often
  std::size_t ring_slots = 1024;                             // capture -> worker ring, per worker
  std::size_t mesh_slots = 4096;                             // worker -> shard ring, per pair
  // Where findings go (sinks, rendering). Null: JSON lines to stdout.
  std::shared_ptr<exporter::Delivery> delivery;
  FILE* events_out = nullptr;   // --events: JSON lines, or null
  std::string state_dir;        // --state-dir: detector baselines persist here; empty: not at all
  // Progress callback, called from the capture thread about once a second of wall time.
  std::function<void(const struct PipelineStats&)> progress;
  const std::atomic<bool>* stop = nullptr;  // set by SIGINT/SIGTERM: stop reading, flush, exit
  // Threat and trusted lists (reloadable), or null: no threat-list findings,
  // nothing trusted.
  std::shared_ptr<intel::IntelStore> intel;
  // Live capture (run_live): how often `progress` is called (wall time), how
  // far behind the wall clock idle workers keep their ticks, and a callback
  // the main thread calls about every 100 ms (signals, reloads).
  core::Nanos progress_interval = core::kNanosPerSecond;
  core::Nanos live_grace = core::seconds(0.2);
  std::function<void()> housekeeping;
};

struct WorkerStats {
  std::uint64_t packets = 0, bytes = 0;
  flow::FlowTableStats flows;
  std::uint64_t dns_messages = 0, dns_errors = 0;
  std::uint64_t tls_sni = 0, http_requests = 0;
  std::uint64_t payload_protocols = 0;  // flows tagged SSH/RDP/SMTP/mining by the payload recognisers
  std::uint64_t payload_scan_errors = 0;  // Hyperscan scan errors (counted, never logged per packet)
  std::uint64_t flow_events = 0, dns_events = 0;  // sent to detector shards
  std::uint64_t server_name_events = 0;           // TLS SNI / HTTP Host sent to detector shards
  std::uint64_t mesh_waits = 0;                   // times a full mesh ring made the worker wait
  std::uint64_t late_packets = 0;  // live: stamped before a tick already sent (clock held)
  std::uint64_t flows_active = 0;  // live progress: flows in the table now
};

struct PipelineStats {
  capture::PcapFileStats input;
  net::DecodeStats decode;
  std::uint64_t dispatched = 0;      // packets handed to workers
  std::uint64_t not_analysed = 0;    // frames that carried no usable IP packet
  std::vector<WorkerStats> workers;
  std::uint64_t findings_new = 0, findings_updates = 0, findings_total = 0;
  std::uint64_t findings_trusted = 0;  // dropped: a party is on a trusted list
  std::vector<std::pair<std::string, std::uint64_t>> findings_by_type;
  std::uint64_t events_written = 0;
  double wall_seconds = 0;
  std::uint64_t capture_first_ns = 0, capture_last_ns = 0;
  bool interrupted = false;
  bool live = false;                // run_live: `capture` holds the source counters
  capture::LiveCaptureStats capture;
  // run_records: flow records and log entries handed to workers, and a stats
  // line per source (records, templates, errors by reason).
  std::uint64_t records_dispatched = 0, dns_entries_dispatched = 0;
  std::vector<flowrec::SourceReport> record_sources;
  // Detector shard counters (DetectorShard::counters: keys refused or evicted
  // at a cap), summed over the shards of each detector, in detector order.
  struct DetectorCounter {
    std::string detector, name;
    std::uint64_t value = 0;
  };
  std::vector<DetectorCounter> detector_counters;
};

class Pipeline {
 public:
  Pipeline(PipelineConfig config, const std::vector<std::unique_ptr<detect::Detector>>& detectors,
           const detect::DetectorConfig& detector_config);
  ~Pipeline();

  // Replays every packet of `source` and returns when all findings are written.
  PipelineStats run(capture::PcapFileSource& source);
  // Captures from `capture` (one source per worker: workers() must equal the
  // configured workers) until the stop flag is set, then drains and flushes.
  PipelineStats run_live(capture::LiveCapture& capture);
  // Feeds the flow records and DNS log entries of `input` (already in
  // logical-time order) through the same workers, mesh and detector shards
  // (src/pipeline/record_feed.cpp), until the input ends.
  PipelineStats run_records(flowrec::RecordInput& input);

  struct Impl;  // opaque; src/pipeline/pipeline_impl.hpp

 private:
  std::unique_ptr<Impl> impl_;
};

// Human summary (stderr) and machine stats (--stats-json).
std::string format_summary(const PipelineStats& s);
std::string format_stats_json(const PipelineStats& s);
// The non-zero detector counters, "dns_exfil keys_refused 12, ..." ("" when none).
std::string format_detector_counters(const PipelineStats& s);

}  // namespace picket::pipeline
