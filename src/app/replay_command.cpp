// picket replay: run the pipeline over capture files as fast as the machine allows.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "picket/capture/pcap_file_source.hpp"
#include "picket/export/setup.hpp"
#include "picket/pipeline/pipeline.hpp"

namespace picket::app {

namespace {

struct ReplayOptions {
  std::vector<std::string> inputs;
  unsigned workers = std::max(1u, std::thread::hardware_concurrency() > 1 ? std::thread::hardware_concurrency() - 1 : 1u);
  std::vector<std::string> home_nets;
  exporter::DeliveryArgs delivery;
  std::string events;
  std::string stats_json;
  std::vector<std::string> params;
  std::vector<std::string> disabled;
  std::vector<std::string> flow_timeouts;
  double flow_memcap_mb = 512;
  double update_interval = 300;
  std::string account_id = "000000000000";
  std::string region = "local";
  std::string sensor = "picket";
  bool quiet = false;
  IntelArgs intel;
};

// "CLASS=SECONDS" for one of the flow table's timeout classes.
std::string set_flow_timeout(flow::FlowTimeouts& t, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return "expected CLASS=SECONDS, got '" + text + "'";
  const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
  char* end = nullptr;
  const double secs = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || secs <= 0 || secs > 86400 * 7)
    return "'" + value + "' is not a number of seconds in (0, 604800]";
  core::Nanos* slot = name == "tcp_new"           ? &t.tcp_new
                      : name == "tcp_established" ? &t.tcp_established
                      : name == "tcp_closed"      ? &t.tcp_closed
                      : name == "udp"             ? &t.udp
                      : name == "other"           ? &t.other
                      : name == "active"          ? &t.active
                                                  : nullptr;
  if (!slot) return "unknown class '" + name + "' (tcp_new, tcp_established, tcp_closed, udp, other, active)";
  *slot = core::seconds(secs);
  return "";
}

void print_progress(const pipeline::PipelineStats& s, std::uint64_t total_bytes) {
  const double rate = s.wall_seconds > 0 ? static_cast<double>(s.input.packets) / s.wall_seconds : 0;
  std::fprintf(stderr, "picket: %.1f s: %llu packets (%.0f pkt/s)", s.wall_seconds,
               static_cast<unsigned long long>(s.input.packets), rate);
  if (total_bytes) {
    // File bytes include record headers; near enough to say how far along we are.
    const double pct = 100.0 * static_cast<double>(s.input.bytes) / static_cast<double>(total_bytes);
    std::fprintf(stderr, ", ~%.0f%% of input", pct > 100 ? 100 : pct);
  }
  std::fprintf(stderr, "\n");
}

int run_replay(const ReplayOptions& o) {
  auto detectors = detect::make_all_detectors();
  detect::DetectorConfig dconf(detectors);
  for (const auto& p : o.params) {
    if (auto err = dconf.set(p); !err.empty()) {
      std::fprintf(stderr, "picket replay: --param: %s\n", err.c_str());
      return 2;
    }
  }
  for (const auto& d : o.disabled) {
    if (auto err = dconf.disable(d); !err.empty()) {
      std::fprintf(stderr, "picket replay: --disable: %s\n", err.c_str());
      return 2;
    }
  }
  pipeline::PipelineConfig cfg;
  cfg.workers = o.workers;
  if (!o.home_nets.empty()) {
    cfg.home = detect::HomeNet{};
    for (const auto& h : o.home_nets) {
      if (auto err = cfg.home.add(h); !err.empty()) {
        std::fprintf(stderr, "picket replay: --home-net: %s\n", err.c_str());
        return 2;
      }
    }
  }
  for (const auto& t : o.flow_timeouts) {
    if (auto err = set_flow_timeout(cfg.timeouts, t); !err.empty()) {
      std::fprintf(stderr, "picket replay: --flow-timeout: %s\n", err.c_str());
      return 2;
    }
  }
  cfg.flow_memcap_bytes = static_cast<std::size_t>(o.flow_memcap_mb * 1024 * 1024);
  cfg.update_interval = core::seconds(o.update_interval);
  exporter::DeliveryArgs dargs = o.delivery;
  dargs.render.account_id = o.account_id;
  dargs.render.region = o.region;
  dargs.render.detector_id = o.sensor;
  std::string derr;
  std::shared_ptr<exporter::Delivery> delivery = exporter::build_delivery(dargs, derr);
  if (!delivery) {
    std::fprintf(stderr, "picket replay: %s\n", derr.c_str());
    return 2;
  }
  cfg.delivery = delivery;

  std::string error;
  auto source = capture::PcapFileSource::open(o.inputs, error);
  if (!source) {
    std::fprintf(stderr, "picket replay: %s\n", error.c_str());
    return 1;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> events(nullptr, &std::fclose);
  if (!o.events.empty()) {
    events.reset(std::fopen(o.events.c_str(), "w"));
    if (!events) {
      std::fprintf(stderr, "picket replay: --events %s: %s\n", o.events.c_str(), std::strerror(errno));
      return 1;
    }
    cfg.events_out = events.get();
  }
  if (!o.quiet) {
    const std::uint64_t total = source->total_bytes();
    cfg.progress = [total](const pipeline::PipelineStats& s) { print_progress(s, total); };
  }
  cfg.stop = &install_signal_handlers();
  intel::IntelConfig icfg;
  if (auto err = make_intel_config(o.intel, o.delivery.config, icfg); !err.empty()) {
    std::fprintf(stderr, "picket replay: %s\n", err.c_str());
    return 2;
  }
  cfg.intel = start_intel(icfg, "picket replay", o.quiet);
  // SIGHUP reloads the lists too (on this control thread, not the workers').
  const auto reloader = start_intel_reloader(cfg.intel, o.intel, o.delivery.config, &exporter::reopen_generation(),
                                             "picket replay");

  pipeline::Pipeline pipe(std::move(cfg), detectors, dconf);
  const pipeline::PipelineStats stats = pipe.run(*source);

  const exporter::DeliveryStats dstats = delivery->stats();
  if (!o.quiet) {
    std::fputs(pipeline::format_summary(stats).c_str(), stderr);
    std::fputs(exporter::format_delivery_summary(dstats).c_str(), stderr);
  }
  if (!o.stats_json.empty()) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(o.stats_json.c_str(), "w"), &std::fclose);
    if (!f) {
      std::fprintf(stderr, "picket replay: --stats-json %s: %s\n", o.stats_json.c_str(), std::strerror(errno));
      return 1;
    }
    const std::string js = with_delivery_json(pipeline::format_stats_json(stats), dstats);
    std::fwrite(js.data(), 1, js.size(), f.get());
  }
  return 0;
}

}  // namespace

Action add_replay_command(CLI::App& app) {
  auto o = std::make_shared<ReplayOptions>();
  auto* c = app.add_subcommand("replay", "Replay pcap/pcapng files and write findings as GuardDuty JSON lines");
  c->footer(
      "Files are merged in timestamp order; a directory stands for the .pcap/.pcapng/.cap files in it.\n"
      "Capture timestamps drive every timer, so a replay gives the same findings at any speed and with\n"
      "any number of workers. Progress and a summary go to stderr; findings to stdout unless a sink\n"
      "(--output, --syslog, --hook, --webhook, or --config with sinks) is given.\n" DELIVERY_HELP);
  c->add_option("pcap", o->inputs, "Capture files or directories")->required()->type_name("PCAP...");
  c->add_option("-w,--workers", o->workers, "Worker threads (default: cores - 1, at least 1)")
      ->check(CLI::Range(1, 256));
  c->add_option("--home-net", o->home_nets,
                "A CIDR of the home network, repeatable; replaces the default 10/8, 172.16/12, 192.168/16, "
                "100.64/10, 169.254/16, fc00::/7, fe80::/10")
      ->type_name("CIDR");
  add_delivery_options(*c, o->delivery);
  add_intel_options(*c, o->intel);
  c->add_option("--events", o->events, "Write one JSON line per flow, DNS message, TLS SNI and HTTP request to FILE")
      ->type_name("FILE");
  c->add_option("--stats-json", o->stats_json, "Write run statistics as JSON to FILE")->type_name("FILE");
  c->add_option("--param", o->params, "Set a detector parameter, e.g. portscan.min_ports=20 (see 'picket detectors')")
      ->type_name("DET.PARAM=VALUE");
  c->add_option("--disable", o->disabled, "Turn a detector off (repeatable)")->type_name("DETECTOR");
  c->add_option("--flow-timeout", o->flow_timeouts,
                "Flow timeout, repeatable: tcp_new=30 tcp_established=300 tcp_closed=5 udp=60 other=60 active=1800")
      ->type_name("CLASS=SECONDS");
  c->add_option("--flow-memcap", o->flow_memcap_mb, "Memory for flow tables, all workers together (MiB)")->capture_default_str()
      ->check(CLI::Range(1.0, 1048576.0));
  c->add_option("--update-interval", o->update_interval,
                "Re-report a changed finding at most this often, in capture-time seconds")->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0 * 365));
  c->add_option("--account-id", o->account_id, "accountId written in findings")->capture_default_str();
  c->add_option("--region", o->region, "region written in findings")->capture_default_str();
  c->add_option("--sensor-name", o->sensor, "detectorId written in findings (name this sensor)")->capture_default_str();
  c->add_flag("-q,--quiet", o->quiet, "No progress or summary on stderr");
  return [o] { return run_replay(*o); };
}

}  // namespace picket::app
