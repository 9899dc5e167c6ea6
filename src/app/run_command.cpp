// picket run: the live sensor. Captures from interfaces (libpcap, one
// AF_PACKET fanout socket per worker) and runs the same pipeline as
// `picket replay` until SIGINT/SIGTERM, then drains and flushes.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "picket/capture/dpdk_source.hpp"
#include "picket/capture/live_source.hpp"
#include "picket/pipeline/pipeline.hpp"
#include "pipeline_options.hpp"
#include "record_options.hpp"

namespace picket::app {

namespace {

struct RunOptions {
  PipelineOptions common;
  // Sources. Further kinds (flow records: --flow-listen) add their fields here.
  std::vector<std::string> interfaces;
  capture::PcapLiveOptions pcap;
  bool no_promisc = false, no_immediate = false;
  std::string dpdk_args;  // non-empty: capture through DPDK instead of libpcap
  capture::DpdkOptions dpdk;
  double stats_interval = 60;
  RecordOptions records;  // --flow-listen, --vpc-flow-logs-dir, --resolver-logs-dir
};

void log_line(const std::string& s) { std::fprintf(stderr, "picket: %s\n", s.c_str()); }

// One stats line: totals, then per worker.
std::string stats_line(const pipeline::PipelineStats& s, std::uint64_t& last_packets, double& last_seconds) {
  std::uint64_t flows = 0;
  for (const auto& w : s.workers) flows += w.flows_active;
  const double dt = s.wall_seconds - last_seconds;
  const double rate = dt > 0 ? static_cast<double>(s.input.packets - last_packets) / dt : 0;
  last_packets = s.input.packets;
  last_seconds = s.wall_seconds;
  char buf[256];
  std::snprintf(buf, sizeof(buf), "stats: %.0f s, packets %llu (%.0f/s), drops %llu, flows %llu, findings %llu",
                s.wall_seconds, static_cast<unsigned long long>(s.input.packets), rate,
                static_cast<unsigned long long>(s.capture.drops()), static_cast<unsigned long long>(flows),
                static_cast<unsigned long long>(s.findings_new));
  std::string line = buf;
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    const auto& c = i < s.capture.workers.size() ? s.capture.workers[i] : capture::LiveCaptureStats::Worker{};
    std::snprintf(buf, sizeof(buf), "; w%zu packets %llu drops %llu flows %llu", i,
                  static_cast<unsigned long long>(s.workers[i].packets),
                  static_cast<unsigned long long>(c.kernel_drops + c.interface_drops),
                  static_cast<unsigned long long>(s.workers[i].flows_active));
    line += buf;
  }
  return line;
}

// Opens every capture source (before privileges are dropped).
std::unique_ptr<capture::LiveCapture> open_capture(const RunOptions& o, std::string& error) {
  if (!o.dpdk_args.empty()) {
    if (!o.interfaces.empty()) {
      error = "--interface and --dpdk-args exclude each other (give DPDK devices in the EAL arguments)";
      return nullptr;
    }
    capture::DpdkOptions d = o.dpdk;
    if ((error = capture::split_eal_args(o.dpdk_args, d.eal_args)); !error.empty()) {
      error = "--dpdk-args: " + error;
      return nullptr;
    }
    d.workers = o.common.workers;
    d.promiscuous = !o.no_promisc;
    return capture::open_dpdk(d, error);
  }
  if (o.interfaces.empty()) {
    error = "nothing to capture from: give --interface IF or --dpdk-args";
    return nullptr;
  }
  capture::PcapLiveOptions p = o.pcap;
  p.interfaces = o.interfaces;
  p.workers = o.common.workers;
  p.promiscuous = !o.no_promisc;
  p.immediate = !o.no_immediate;
  return capture::open_pcap_live(p, error);
}

int run_live(const RunOptions& ro) {
  RunOptions with_config;
  const RunOptions* op = &ro;
  if (!ro.common.delivery.config.empty()) {
    with_config = ro;
    if (auto err = load_flows_config(ro.common.delivery.config, with_config.records); !err.empty()) {
      std::fprintf(stderr, "picket run: %s\n", err.c_str());
      return 2;
    }
    op = &with_config;
  }
  const RunOptions& o = *op;
  if (o.records.any_run()) {
    if (!o.interfaces.empty() || !o.dpdk_args.empty()) {
      std::fprintf(stderr, "picket run: packet capture and flow-record inputs need separate picket processes\n");
      return 2;
    }
    return run_records(o.common, o.records, "run", /*live=*/true, o.stats_interval);
  }
  PreparedPipeline prep;
  if (const int rc = prepare_pipeline(o.common, "run", prep); rc != 0) return rc;
  pipeline::PipelineConfig& cfg = prep.config;

  std::string error;
  std::unique_ptr<capture::LiveCapture> cap = open_capture(o, error);
  if (!cap) {
    std::fprintf(stderr, "picket run: %s\n", error.c_str());
    return 1;
  }
  cfg.workers = cap->workers();
  cfg.stop = &install_signal_handlers();
  cfg.housekeeping = [] { run_reloads_if_requested(log_line); };
  std::shared_ptr<exporter::Delivery> delivery = prep.delivery;
  if (o.stats_interval > 0) {
    cfg.progress_interval = core::seconds(o.stats_interval);
    auto last_packets = std::make_shared<std::uint64_t>(0);
    auto last_seconds = std::make_shared<double>(0);
    const PipelineOptions* common = &o.common;
    cfg.progress = [=](const pipeline::PipelineStats& s) {
      if (!common->quiet) log_line(stats_line(s, *last_packets, *last_seconds));
      write_stats_json(*common, "run", s, delivery->stats(), true);
    };
  }
  if (!o.common.quiet) {
    std::string what = o.interfaces.empty() ? "DPDK port (" + o.dpdk_args + ")" : "";
    for (const auto& i : o.interfaces) what += (what.empty() ? "" : ", ") + i;
    log_line("capturing on " + what + " with " + std::to_string(cap->workers()) + " worker(s)");
  }

  pipeline::Pipeline pipe(std::move(cfg), prep.detectors, *prep.detector_config);
  const pipeline::PipelineStats stats = pipe.run_live(*cap);
  cap->close();

  const exporter::DeliveryStats dstats = delivery->stats();
  if (!o.common.quiet) {
    std::fputs(pipeline::format_summary(stats).c_str(), stderr);
    std::fputs(exporter::format_delivery_summary(dstats).c_str(), stderr);
  }
  return write_stats_json(o.common, "run", stats, dstats, true);
}

}  // namespace

Action add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* c = app.add_subcommand("run", "Capture live traffic and write findings as GuardDuty JSON lines");
  c->footer(
      "Each worker reads its own share of every interface (Linux: an AF_PACKET fanout group per interface,\n"
      "hashed by flow, so both directions of a connection reach one worker). Timers follow the capture\n"
      "clock and keep running while no packet arrives. SIGINT/SIGTERM: stop, drain what is queued, flush\n"
      "every flow and finding, exit 0. SIGHUP: file sinks reopen, registered lists and rules reload.\n"
      "A stats line goes to stderr every --stats-interval seconds (and --stats-json is rewritten).\n" DELIVERY_HELP);
  c->add_option("-i,--interface", o->interfaces, "Capture from this interface (repeatable)")->type_name("IF");
  c->add_option("--snaplen", o->pcap.snaplen, "Bytes kept of each frame")->capture_default_str()->check(
      CLI::Range(64, 262144));
  c->add_option("--buffer-size", o->pcap.buffer_mib, "Kernel buffer per worker and interface (MiB)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  c->add_option("--filter", o->pcap.filter, "BPF filter expression (tcpdump syntax)")->type_name("EXPR");
  c->add_flag("--no-promisc", o->no_promisc, "Do not put the interfaces in promiscuous mode");
  c->add_flag("--no-immediate", o->no_immediate,
              "Let the kernel batch packets in blocks (fewer wakeups; up to 100 ms more latency)");
  c->add_option("--dpdk-args", o->dpdk_args,
                "Capture through DPDK: EAL arguments, e.g. '-l 0-2 -a 0000:03:00.0' or, without NIC or "
                "hugepages, '--no-huge --no-pci --vdev net_pcap0,rx_pcap=FILE'")
      ->type_name("\"EAL ARGS\"");
  c->add_option("--dpdk-port", o->dpdk.port, "DPDK port to capture from (default: the first)")->check(
      CLI::Range(0, 1023));
  c->add_option("--dpdk-rx-descriptors", o->dpdk.rx_descriptors, "RX descriptors per queue")
      ->capture_default_str()
      ->check(CLI::Range(32u, 32768u));
  c->add_option("--dpdk-mbufs", o->dpdk.mbufs, "mbufs in the pool (default: descriptors and caches of every queue)")
      ->check(CLI::Range(1023u, 16777215u));
  c->add_option("--stats-interval", o->stats_interval, "Seconds between stats lines and --stats-json rewrites; 0: off")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  // Further sources (--flow-listen) and module options are added here.
  add_record_run_options(*c, o->records);
  add_pipeline_options(*c, o->common);
  return [o] { return run_live(*o); };
}

}  // namespace picket::app
