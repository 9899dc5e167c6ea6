#include "picket/pipeline/pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "picket/detect/mining_rules.hpp"
#include "picket/detect/trust_filter.hpp"
#include "picket/export/aggregator.hpp"
#include "picket/flow/flow_key.hpp"
#include "pipeline_impl.hpp"
#include "worker.hpp"

namespace picket::pipeline {


Pipeline::Pipeline(PipelineConfig config, const std::vector<std::unique_ptr<detect::Detector>>& detectors,
                   const detect::DetectorConfig& detector_config)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.cfg = std::move(config);
  if (!m.cfg.delivery) {
    m.cfg.delivery = std::make_shared<exporter::Delivery>(exporter::RenderOptions{});
    m.cfg.delivery->add_sink(std::make_unique<exporter::JsonLinesSink>(stdout, "stdout"));
  }
  m.n = std::max(1u, m.cfg.workers);
  const unsigned n = m.n;
  bool send_dns = false, send_server_names = false;
  for (std::size_t d = 0; d < detectors.size(); ++d) {
    if (!detector_config.enabled(d)) continue;
    send_dns = send_dns || detectors[d]->wants_dns();
    send_server_names = send_server_names || detectors[d]->wants_server_names();
  }
  for (unsigned i = 0; i < n; ++i) {
    m.inputs.push_back(std::make_unique<SpscRing<PacketSlot>>(m.cfg.ring_slots));
    m.findings.push_back(std::make_unique<SpscRing<detect::Finding>>(1024));
    if (m.cfg.events_out) m.events.push_back(std::make_unique<SpscRing<exporter::EventRecord>>(4096));
  }
  for (unsigned i = 0; i < n * n; ++i) m.mesh.push_back(std::make_unique<SpscRing<MeshMessage>>(m.cfg.mesh_slots));
  const std::size_t max_flows = std::max<std::size_t>(m.cfg.flow_memcap_bytes / n / flow::FlowTable::bytes_per_flow(), 1024);
  for (unsigned i = 0; i < n; ++i) {
    WorkerWiring w;
    w.index = i;
    w.workers = n;
    w.input = m.inputs[i].get();
    for (unsigned s = 0; s < n; ++s) w.mesh_out.push_back(m.mesh[i * n + s].get());
    for (unsigned f = 0; f < n; ++f) w.mesh_in.push_back(m.mesh[f * n + i].get());
    w.findings = m.findings[i].get();
    w.events = m.cfg.events_out ? m.events[i].get() : nullptr;
    w.send_dns = send_dns;
    w.send_server_names = send_server_names;
    w.mining_rules = &detect::mining_database();  // compiled here, once, before any packet
    std::vector<ShardHost::Shard> shards;
    for (std::size_t d = 0; d < detectors.size(); ++d) {
      if (!detector_config.enabled(d)) continue;
      detect::DetectorContext ctx;
      ctx.home = &m.cfg.home;
      ctx.intel = m.cfg.intel.get();
      ctx.params = detector_config.values(d);
      ctx.state_dir = m.cfg.state_dir;
      ctx.shard_index = i;
      ctx.shard_count = n;
      if (i == 0) m.shard_detectors.push_back(detectors[d]->name());
      shards.push_back({detectors[d]->make_shard(ctx), detectors[d]->wants_flows(), detectors[d]->wants_dns(),
                        detectors[d]->wants_server_names(), detectors[d]->dns_messages()});
    }
    m.workers.push_back(std::make_unique<Worker>(w, m.cfg, max_flows, std::move(shards)));
  }
}

Pipeline::~Pipeline() = default;

void Pipeline::Impl::push_control(unsigned w, PacketSlot::Kind kind, core::Nanos tick) {
  PacketSlot* slot;
  while ((slot = inputs[w]->claim()) == nullptr) std::this_thread::yield();
  slot->kind = kind;
  slot->tick = tick;
  inputs[w]->publish();
}

void Pipeline::Impl::collect_detector_counters(PipelineStats& s) const {
  // Every worker holds one shard of each detector, in the same slots.
  std::vector<std::vector<PipelineStats::DetectorCounter>> by_slot(shard_detectors.size());
  for (const auto& w : workers)
    w->shard_host().read_counters([&](std::size_t slot, const char* name, std::uint64_t value) {
      auto& v = by_slot[slot];
      auto it = std::find_if(v.begin(), v.end(), [&](const auto& c) { return c.name == name; });
      if (it == v.end()) v.push_back({shard_detectors[slot], name, value});
      else it->value += value;
    });
  s.detector_counters.clear();
  for (auto& v : by_slot) s.detector_counters.insert(s.detector_counters.end(), v.begin(), v.end());
}

void Pipeline::Impl::exporter_loop() {
  exporter::Aggregator agg(cfg.update_interval);
  detect::TrustFilter trust(cfg.intel.get());
  std::map<std::string, std::uint64_t> by_type;
  exporter::Delivery& delivery = *cfg.delivery;
  detect::Finding batch[64];
  core::Nanos next_due_check = 0;
  for (;;) {
    const bool finished = all_workers_done();
    std::size_t got = 0;
    for (auto& ring : findings) {
      std::size_t k;
      while ((k = ring->dequeue_burst(batch, 64)) != 0) {
        got += k;
        for (std::size_t i = 0; i < k; ++i) {
          if (trust.trusted(batch[i])) continue;
          exporter::Aggregator::Outcome outcome;
          const auto& rec = agg.add(batch[i], outcome);
          if (outcome == exporter::Aggregator::Outcome::kNew) {
            ++stats.findings_new;
            findings_so_far.fetch_add(1, std::memory_order_relaxed);
            delivery.publish(rec, exporter::ReportKind::kNew);
          }
        }
      }
    }
    // Updates are due by capture time; look only when it has moved on.
    const core::Nanos now = capture_now.load(std::memory_order_relaxed);
    if (now >= next_due_check) {
      next_due_check = now + core::kNanosPerSecond;
      agg.due(now, [&](const auto& rec) {
        ++stats.findings_updates;
        delivery.publish(rec, exporter::ReportKind::kUpdate);
      });
    }
    // Workers publish their last finding before they report done, so one
    // more pass after seeing every worker done has drained everything.
    if (finished && got == 0) break;
    if (got == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  agg.flush([&](const auto& rec) {
    ++stats.findings_updates;
    delivery.publish(rec, exporter::ReportKind::kUpdate);
  });
  delivery.close();
  for (const auto* rec : agg.records()) ++by_type[detect::finding_type_info(rec->f.type).name];
  stats.findings_total = agg.size();
  stats.findings_trusted = trust.suppressed();
  stats.findings_by_type.assign(by_type.begin(), by_type.end());
}

void Pipeline::Impl::events_loop() {
  std::string buf;
  exporter::EventRecord batch[64];
  for (;;) {
    const bool finished = all_workers_done();
    std::size_t got = 0;
    for (auto& ring : events) {
      std::size_t k;
      while ((k = ring->dequeue_burst(batch, 64)) != 0) {
        got += k;
        for (std::size_t i = 0; i < k; ++i) {
          exporter::render_event_json(batch[i], buf);
          buf.push_back('\n');
        }
        stats.events_written += k;
        if (buf.size() > (1 << 16)) {
          std::fwrite(buf.data(), 1, buf.size(), cfg.events_out);
          buf.clear();
        }
      }
    }
    if (finished && got == 0) break;
    if (got == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::fwrite(buf.data(), 1, buf.size(), cfg.events_out);
  std::fflush(cfg.events_out);
}

PipelineStats Pipeline::run(capture::PcapFileSource& source) {
  Impl& m = *impl_;
  const auto wall_start = core::wall_now();
  std::vector<std::thread> threads;
  for (auto& w : m.workers) threads.emplace_back([&w] { w->run(); });
  std::thread exporter([&m] { m.exporter_loop(); });
  std::thread events;
  if (m.cfg.events_out) events = std::thread([&m] { m.events_loop(); });

  TickSchedule ticks{std::max<core::Nanos>(m.cfg.tick, 1)};
  capture::RawPacket raw;
  net::PacketView view;
  core::Nanos clock = 0;
  auto last_progress = wall_start;
  std::uint64_t count = 0, out_of_order = 0;
  while (source.next(raw)) {
    if ((++count & 63) == 0) {
      if (m.cfg.stop && m.cfg.stop->load(std::memory_order_relaxed)) {
        m.stats.interrupted = true;
        break;
      }
      const auto now = core::wall_now();
      if (m.cfg.progress && now - last_progress >= core::kNanosPerSecond) {
        last_progress = now;
        PipelineStats snap;
        snap.input = source.stats();
        snap.dispatched = m.stats.dispatched;
        snap.wall_seconds = static_cast<double>(now - wall_start) / 1e9;
        snap.capture_first_ns = m.stats.capture_first_ns;
        snap.capture_last_ns = clock;
        m.cfg.progress(snap);
      }
    }
    // One monotonic clock for the whole run: a packet older than its
    // predecessor is taken to arrive at the predecessor's time, so every
    // timer moves forward only and identically for any number of workers.
    core::Nanos ts = raw.ts;
    if (ts < clock) {
      ts = clock;
      ++out_of_order;
    }
    clock = ts;
    ticks.advance(m, ts);
    if (!net::decode(raw.data, raw.caplen, raw.wirelen, raw.link_type, ts, view, m.stats.decode)) {
      ++m.stats.not_analysed;
      continue;
    }
    bool src_is_lo;
    const std::uint64_t hash = flow::FlowKey::from_packet(view, src_is_lo).hash();
    // High bits pick the worker; the flow table indexes with the low bits.
    const unsigned w = static_cast<unsigned>((hash >> 40) % m.n);
    PacketSlot* slot;
    while ((slot = m.inputs[w]->claim()) == nullptr) std::this_thread::yield();
    slot->kind = PacketSlot::Kind::kPacket;
    slot->hash = hash;
    slot->view = view;
    if (!raw.stable) {
      // The reader reuses its buffer: give the worker its own copy of the
      // part it reads (headers and the start of the payload).
      const std::uint32_t keep = std::min<std::uint32_t>(raw.caplen, kSlotFrameBytes);
      std::memcpy(slot->frame, raw.data, keep);
      slot->view.data = slot->frame;
      slot->view.caplen = keep;
      if (std::uint32_t{view.payload_offset} + view.payload_len > keep)
        slot->view.payload_len = static_cast<std::uint16_t>(keep > view.payload_offset ? keep - view.payload_offset : 0);
    }
    m.inputs[w]->publish();
    ++m.stats.dispatched;
    ticks.dispatched(m, clock);
  }
  if (m.cfg.stop && m.cfg.stop->load(std::memory_order_relaxed)) m.stats.interrupted = true;
  m.capture_now.store(clock, std::memory_order_relaxed);
  for (unsigned w = 0; w < m.n; ++w) m.push_control(w, PacketSlot::Kind::kFlush, 0);
  for (auto& t : threads) t.join();
  exporter.join();
  if (events.joinable()) events.join();

  m.stats.input = source.stats();
  m.stats.input.out_of_order = out_of_order;
  m.stats.capture_last_ns = clock;
  m.stats.wall_seconds = static_cast<double>(core::wall_now() - wall_start) / 1e9;
  for (auto& w : m.workers) m.stats.workers.push_back(w->stats());
  m.collect_detector_counters(m.stats);
  return m.stats;
}

PipelineStats Pipeline::run_live(capture::LiveCapture& capture) {
  Impl& m = *impl_;
  m.stats.live = true;
  if (capture.workers() != m.n) {
    std::fprintf(stderr, "picket: internal error: %u capture sources for %u workers\n", capture.workers(), m.n);
    std::abort();
  }
  const auto wall_start = core::wall_now();
  LiveClock clock(capture.time_base(), std::max<core::Nanos>(m.cfg.tick, 1), m.cfg.live_grace);
  std::vector<LiveWiring> wiring(m.n);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < m.n; ++i) {
    wiring[i].source = &capture.source(i);
    wiring[i].clock = &clock;
    wiring[i].capture_now = &m.capture_now;
    wiring[i].stop = m.cfg.stop;
    threads.emplace_back([&m, &wiring, i] { m.workers[i]->run_live(wiring[i]); });
  }
  std::thread exporter([&m] { m.exporter_loop(); });
  std::thread events;
  if (m.cfg.events_out) events = std::thread([&m] { m.events_loop(); });

  // The main thread only watches: stats lines and housekeeping.
  auto next_progress = wall_start + m.cfg.progress_interval;
  while (!m.all_workers_done()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (m.cfg.housekeeping) m.cfg.housekeeping();
    const auto now = core::wall_now();
    if (m.cfg.progress && now >= next_progress) {
      next_progress = now + m.cfg.progress_interval;
      PipelineStats snap;
      snap.live = true;
      snap.capture = capture.stats();
      snap.input.packets = snap.capture.packets();
      snap.input.bytes = snap.capture.bytes();
      snap.wall_seconds = static_cast<double>(now - wall_start) / 1e9;
      snap.capture_last_ns = m.capture_now.load(std::memory_order_relaxed);
      for (const auto& w : m.workers) {
        WorkerStats ws;
        ws.packets = w->packets_seen();
        ws.flows_active = w->flows_active();
        snap.workers.push_back(ws);
      }
      snap.findings_new = m.findings_so_far.load(std::memory_order_relaxed);
      m.collect_detector_counters(snap);
      m.cfg.progress(snap);
    }
  }
  for (auto& t : threads) t.join();
  exporter.join();
  if (events.joinable()) events.join();

  if (m.cfg.stop && m.cfg.stop->load(std::memory_order_relaxed)) m.stats.interrupted = true;
  m.stats.capture = capture.stats();
  m.stats.input.packets = m.stats.capture.packets();
  m.stats.input.bytes = m.stats.capture.bytes();
  m.stats.capture_last_ns = m.capture_now.load(std::memory_order_relaxed);
  m.stats.wall_seconds = static_cast<double>(core::wall_now() - wall_start) / 1e9;
  for (auto& w : m.workers) {
    m.stats.workers.push_back(w->stats());
    m.stats.decode.add(w->live_decode());
    m.stats.not_analysed += w->live_not_analysed();
    m.stats.dispatched += w->stats().packets;
  }
  m.collect_detector_counters(m.stats);
  return m.stats;
}

}  // namespace picket::pipeline
