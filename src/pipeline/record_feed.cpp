// The record feed: the capture thread of flow-record and log inputs. It takes
// records in logical-time order from a flowrec::RecordInput and hands them to
// the workers like packets: dispatched by the flow key's hash, with ticks at
// whole multiples of the tick derived from the records' times alone, so the
// same input gives the same findings with any number of workers.
#include <chrono>
#include <cstring>
#include <thread>

#include "picket/flow/flow_key.hpp"
#include "pipeline_impl.hpp"

namespace picket::pipeline {

namespace {

class Feed final : public flowrec::OrderedSink {
 public:
  explicit Feed(Pipeline::Impl& m) : m_(m), ticks_{std::max<core::Nanos>(m.cfg.tick, 1)} {}

  void on_flow_record(const flow::FlowRecord& rec) override {
    advance(rec.end_time);
    const std::uint64_t hash = rec.key.hash();
    PacketSlot& slot = claim(hash);
    slot.kind = PacketSlot::Kind::kFlowRecord;
    slot.hash = hash;
    std::memcpy(slot.frame, &rec, sizeof(rec));
    publish(hash);
    ++m_.stats.records_dispatched;
    ticks_.dispatched(m_, clock_);
  }

  void on_dns_event(const detect::DnsEvent& ev) override {
    advance(ev.ts);
    // The key of the query's flow (client, resolver, ports), as a packet would hash.
    flow::FlowKey k;
    const bool client_lo = ev.client < ev.server;
    k.lo = client_lo ? ev.client : ev.server;
    k.hi = client_lo ? ev.server : ev.client;
    k.lo_port = client_lo ? ev.client_port : ev.server_port;
    k.hi_port = client_lo ? ev.server_port : ev.client_port;
    k.proto = ev.transport;
    const std::uint64_t hash = k.hash();
    PacketSlot& slot = claim(hash);
    slot.kind = PacketSlot::Kind::kDnsEvent;
    slot.hash = hash;
    std::memcpy(slot.frame, &ev, sizeof(ev));
    publish(hash);
    ++m_.stats.dns_entries_dispatched;
    ticks_.dispatched(m_, clock_);
  }

  core::Nanos clock() const { return clock_; }

 private:
  // Logical time only moves forward (the orderer guarantees it; the max is a guard).
  void advance(core::Nanos t) {
    if (t < clock_) t = clock_;
    clock_ = t;
    ticks_.advance(m_, t);
  }
  unsigned worker_of(std::uint64_t hash) const { return static_cast<unsigned>((hash >> 40) % m_.n); }
  PacketSlot& claim(std::uint64_t hash) {
    PacketSlot* slot;
    while ((slot = m_.inputs[worker_of(hash)]->claim()) == nullptr) std::this_thread::yield();
    return *slot;
  }
  void publish(std::uint64_t hash) { m_.inputs[worker_of(hash)]->publish(); }

  Pipeline::Impl& m_;
  TickSchedule ticks_;
  core::Nanos clock_ = 0;
};

}  // namespace

PipelineStats Pipeline::run_records(flowrec::RecordInput& input) {
  Impl& m = *impl_;
  const auto wall_start = core::wall_now();
  std::vector<std::thread> threads;
  for (auto& w : m.workers) threads.emplace_back([&w] { w->run(); });
  std::thread exporter([&m] { m.exporter_loop(); });
  std::thread events;
  if (m.cfg.events_out) events = std::thread([&m] { m.events_loop(); });

  Feed feed(m);
  auto next_report = wall_start + m.cfg.progress_interval;
  auto next_housekeeping = wall_start;
  for (;;) {
    if (m.cfg.stop && m.cfg.stop->load(std::memory_order_relaxed)) m.stats.interrupted = true;
    if (!input.pump(feed)) break;
    const auto now = core::wall_now();
    if (m.cfg.housekeeping && now >= next_housekeeping) {
      next_housekeeping = now + core::seconds(0.1);
      m.cfg.housekeeping();
    }
    if (m.cfg.progress && now >= next_report) {
      next_report = now + m.cfg.progress_interval;
      PipelineStats snap;
      snap.input.packets = input.records_read();
      snap.records_dispatched = m.stats.records_dispatched;
      snap.dns_entries_dispatched = m.stats.dns_entries_dispatched;
      snap.wall_seconds = static_cast<double>(now - wall_start) / 1e9;
      snap.capture_first_ns = m.stats.capture_first_ns;
      snap.capture_last_ns = feed.clock();
      snap.findings_new = m.findings_so_far.load(std::memory_order_relaxed);
      snap.record_sources = input.reports();
      m.collect_detector_counters(snap);
      m.cfg.progress(snap);
    }
  }
  m.capture_now.store(feed.clock(), std::memory_order_relaxed);
  for (unsigned w = 0; w < m.n; ++w) m.push_control(w, PacketSlot::Kind::kFlush, 0);
  for (auto& t : threads) t.join();
  exporter.join();
  if (events.joinable()) events.join();

  m.stats.capture_last_ns = feed.clock();
  m.stats.wall_seconds = static_cast<double>(core::wall_now() - wall_start) / 1e9;
  m.stats.record_sources = input.reports();
  for (auto& w : m.workers) m.stats.workers.push_back(w->stats());
  m.collect_detector_counters(m.stats);
  return m.stats;
}

}  // namespace picket::pipeline
