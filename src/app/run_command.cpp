// picket run: the live sensor. Captures from interfaces (libpcap, one
// AF_PACKET fanout socket per worker) and runs the same pipeline as
// `picket replay` until SIGINT/SIGTERM, then drains and flushes.
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

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
#include "prometheus.hpp"
#include "run_config.hpp"

namespace picket::app {

namespace {

using RunOptions = RunSettings;

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
  std::snprintf(buf, sizeof(buf), "stats: %.1f s, packets %llu (%.0f/s), drops %llu, flows %llu, findings %llu",
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
  if (const std::string full = pipeline::format_detector_counters(s); !full.empty()) line += "; detector state full: " + full;
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

// After the capture is open, nothing needs root: become `user` (its
// primary group, no supplementary groups). Returns "" or an error.
std::string drop_privileges(const std::string& user) {
  if (user.empty()) return "";
  const passwd* pw = getpwnam(user.c_str());
  if (!pw) return "--user " + user + ": no such user";
  if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid) return "";
  if (setgroups(0, nullptr) != 0 && geteuid() == 0) return "--user " + user + ": setgroups: " + std::strerror(errno);
  if (setgid(pw->pw_gid) != 0) return "--user " + user + ": setgid: " + std::strerror(errno);
  if (setuid(pw->pw_uid) != 0) return "--user " + user + ": setuid: " + std::strerror(errno);
  if (setuid(0) == 0) return "--user " + user + ": root could be regained";
  return "";
}

int run_live(const RunOptions& o) {
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
    // Wrong or missing options are usage errors (2); a capture that cannot open is a runtime error (1).
    const bool usage = error.rfind("nothing to capture", 0) == 0 || error.rfind("--", 0) == 0;
    return usage ? 2 : 1;
  }
  auto metrics = std::make_shared<MetricsServer>();
  if (!o.prometheus.empty()) {
    if (auto err = metrics->start(o.prometheus); !err.empty()) {
      std::fprintf(stderr, "picket run: %s\n", err.c_str());
      return 1;
    }
  }
  if (auto err = drop_privileges(o.user); !err.empty()) {
    std::fprintf(stderr, "picket run: %s\n", err.c_str());
    return 1;
  }
  cfg.workers = cap->workers();
  cfg.stop = &install_signal_handlers();
  cfg.housekeeping = [] { run_reloads_if_requested(log_line); };
  std::shared_ptr<exporter::Delivery> delivery = prep.delivery;
  const bool want_metrics = !o.prometheus.empty();
  if (o.stats_interval > 0 || want_metrics) {
    // Metrics are refreshed every second; the stats line and file at the interval.
    const core::Nanos interval = core::seconds(o.stats_interval > 0 ? o.stats_interval : 1e9);
    cfg.progress_interval = want_metrics ? std::min<core::Nanos>(interval, core::kNanosPerSecond) : interval;
    auto last_packets = std::make_shared<std::uint64_t>(0);
    auto last_seconds = std::make_shared<double>(0);
    auto next_line = std::make_shared<double>(0);
    const RunOptions* opts = &o;
    cfg.progress = [=](const pipeline::PipelineStats& s) {
      const exporter::DeliveryStats d = delivery->stats();
      if (want_metrics) metrics->update(prometheus_text(s, d));
      if (opts->stats_interval <= 0 || s.wall_seconds + 1e-3 < *next_line) return;
      *next_line = s.wall_seconds + opts->stats_interval;
      if (!opts->common.quiet) log_line(stats_line(s, *last_packets, *last_seconds));
      write_stats_json(opts->common, "run", s, d, true);
    };
  }
  if (!o.common.quiet) {
    std::string what = o.interfaces.empty() ? "DPDK port (" + o.dpdk_args + ")" : "";
    for (const auto& i : o.interfaces) what += (what.empty() ? "" : ", ") + i;
    log_line("capturing on " + what + " with " + std::to_string(cap->workers()) + " worker(s)" +
             (metrics->port() ? ", metrics on port " + std::to_string(metrics->port()) : ""));
  }

  pipeline::Pipeline pipe(std::move(cfg), prep.detectors, *prep.detector_config);
  const pipeline::PipelineStats stats = pipe.run_live(*cap);
  cap->close();
  metrics->stop();

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
  c->add_option("--prometheus", o->prometheus, "Serve Prometheus metrics (text format) on this local address")
      ->type_name("HOST:PORT");
  c->add_option("--user", o->user, "Drop privileges to this user once the capture is open")->type_name("USER");
  // Further sources (--flow-listen) and module options are added here.
  add_record_run_options(*c, o->records);
  add_pipeline_options(*c, o->common);
  c->get_option("--config")->description(
      "Daemon configuration (TOML): [capture], [daemon], [network], [flow_table], [findings], [detectors.NAME], "
      "sinks and suppression; command-line options override it (see rules/picket.toml)");
  return [o, c] {
    if (!o->common.delivery.config.empty()) {
      // A setting given on the command line wins over the file.
      static const std::pair<const char*, const char*> kFlags[] = {
          {"capture.interfaces", "--interface"},   {"capture.dpdk_args", "--dpdk-args"},
          {"capture.dpdk_port", "--dpdk-port"},    {"capture.dpdk_rx_descriptors", "--dpdk-rx-descriptors"},
          {"capture.dpdk_mbufs", "--dpdk-mbufs"},  {"capture.workers", "--workers"},
          {"capture.snaplen", "--snaplen"},        {"capture.buffer_mib", "--buffer-size"},
          {"capture.filter", "--filter"},          {"capture.promiscuous", "--no-promisc"},
          {"capture.immediate", "--no-immediate"}, {"daemon.user", "--user"},
          {"daemon.stats_interval", "--stats-interval"}, {"daemon.stats_json", "--stats-json"},
          {"daemon.prometheus", "--prometheus"},   {"network.home", "--home-net"},
          {"flow_table.memcap_mib", "--flow-memcap"}, {"findings.update_interval", "--update-interval"},
          {"findings.account_id", "--account-id"}, {"findings.region", "--region"},
          {"findings.sensor_name", "--sensor-name"}, {"findings.events", "--events"}};
      auto given = [c](const std::string& key) {
        for (const auto& [k, flag] : kFlags)
          if (key == k) return c->count(flag) > 0;
        return false;
      };
      ConfigErrors errors = load_run_config(o->common.delivery.config, *o, given);
      if (auto err = load_flows_config(o->common.delivery.config, o->records); !err.empty()) errors.push_back(err);
      for (const auto& e : errors) std::fprintf(stderr, "picket run: %s\n", e.c_str());
      if (!errors.empty()) return 2;
    }
    return run_live(*o);
  };
}

Action add_check_config_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* c = app.add_subcommand("check-config", "Check a configuration file; name the file, line and key of every error");
  c->add_option("file", *path, "The TOML file (as for 'picket run --config')")->required()->type_name("FILE");
  return [path] {
    const ConfigErrors errors = check_config(*path);
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    if (!errors.empty()) {
      std::fprintf(stderr, "picket check-config: %zu error(s)\n", errors.size());
      return 1;
    }
    std::printf("%s: OK\n", path->c_str());
    return 0;
  };
}

}  // namespace picket::app
