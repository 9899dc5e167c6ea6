#include "pipeline_options.hpp"

#include <cerrno>
#include <cstring>
#include <thread>

#include "commands.hpp"

namespace picket::app {

unsigned default_workers() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 1 ? hw - 1 : 1u;
}

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

void add_pipeline_options(CLI::App& c, PipelineOptions& o) {
  o.workers = default_workers();
  c.add_option("-w,--workers", o.workers, "Worker threads (default: cores - 1, at least 1)")->check(CLI::Range(1, 256));
  c.add_option("--home-net", o.home_nets,
               "A CIDR of the home network, repeatable; replaces the default 10/8, 172.16/12, 192.168/16, "
               "100.64/10, 169.254/16, fc00::/7, fe80::/10")
      ->type_name("CIDR");
  add_delivery_options(c, o.delivery);
  add_intel_options(c, o.intel);
  c.add_option("--events", o.events, "Write one JSON line per flow, DNS message, TLS SNI and HTTP request to FILE")
      ->type_name("FILE");
  c.add_option("--stats-json", o.stats_json, "Write run statistics as JSON to FILE")->type_name("FILE");
  c.add_option("--param", o.params, "Set a detector parameter, e.g. portscan.min_ports=20 (see 'picket detectors')")
      ->type_name("DET.PARAM=VALUE");
  c.add_option("--disable", o.disabled, "Turn a detector off (repeatable)")->type_name("DETECTOR");
  c.add_option("--flow-timeout", o.flow_timeouts,
               "Flow timeout, repeatable: tcp_new=30 tcp_established=300 tcp_closed=5 udp=60 other=60 active=1800")
      ->type_name("CLASS=SECONDS");
  c.add_option("--state-dir", o.state_dir,
               "Keep detector baselines in DIR: loaded at start, saved periodically and at exit (default: none)")
      ->type_name("DIR");
  c.add_option("--flow-memcap", o.flow_memcap_mb, "Memory for flow tables, all workers together (MiB)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1048576.0));
  c.add_option("--update-interval", o.update_interval,
               "Re-report a changed finding at most this often, in capture-time seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0 * 365));
  c.add_option("--account-id", o.account_id, "accountId written in findings")->capture_default_str();
  c.add_option("--region", o.region, "region written in findings")->capture_default_str();
  c.add_option("--sensor-name", o.sensor, "detectorId written in findings (name this sensor)")->capture_default_str();
  c.add_flag("-q,--quiet", o.quiet, "No progress or summary on stderr");
  // Options of further modules go here, e.g. add_intel_options(c, o.intel).
}

int prepare_pipeline(const PipelineOptions& o, const char* command, PreparedPipeline& out) {
  out.detectors = detect::make_all_detectors();
  out.detector_config = std::make_unique<detect::DetectorConfig>(out.detectors);
  detect::DetectorConfig& dconf = *out.detector_config;
  for (const auto& p : o.params) {
    if (auto err = dconf.set(p); !err.empty()) {
      std::fprintf(stderr, "picket %s: --param: %s\n", command, err.c_str());
      return 2;
    }
  }
  for (const auto& d : o.disabled) {
    if (auto err = dconf.disable(d); !err.empty()) {
      std::fprintf(stderr, "picket %s: --disable: %s\n", command, err.c_str());
      return 2;
    }
  }
  pipeline::PipelineConfig& cfg = out.config;
  cfg.workers = o.workers;
  if (!o.home_nets.empty()) {
    cfg.home = detect::HomeNet{};
    for (const auto& h : o.home_nets) {
      if (auto err = cfg.home.add(h); !err.empty()) {
        std::fprintf(stderr, "picket %s: --home-net: %s\n", command, err.c_str());
        return 2;
      }
    }
  }
  for (const auto& t : o.flow_timeouts) {
    if (auto err = set_flow_timeout(cfg.timeouts, t); !err.empty()) {
      std::fprintf(stderr, "picket %s: --flow-timeout: %s\n", command, err.c_str());
      return 2;
    }
  }
  cfg.state_dir = o.state_dir;
  cfg.flow_memcap_bytes = static_cast<std::size_t>(o.flow_memcap_mb * 1024 * 1024);
  cfg.update_interval = core::seconds(o.update_interval);
  exporter::DeliveryArgs dargs = o.delivery;
  dargs.render.account_id = o.account_id;
  dargs.render.region = o.region;
  dargs.render.detector_id = o.sensor;
  std::string derr;
  out.delivery = exporter::build_delivery(dargs, derr);
  if (!out.delivery) {
    std::fprintf(stderr, "picket %s: %s\n", command, derr.c_str());
    return 2;
  }
  cfg.delivery = out.delivery;
  if (!o.events.empty()) {
    out.events.reset(std::fopen(o.events.c_str(), "w"));
    if (!out.events) {
      std::fprintf(stderr, "picket %s: --events %s: %s\n", command, o.events.c_str(), std::strerror(errno));
      return 1;
    }
    cfg.events_out = out.events.get();
  }
  intel::IntelConfig icfg;
  if (auto err = make_intel_config(o.intel, o.delivery.config, icfg); !err.empty()) {
    std::fprintf(stderr, "picket %s: %s\n", command, err.c_str());
    return 2;
  }
  const std::string who = std::string("picket ") + command;
  cfg.intel = start_intel(icfg, who.c_str(), o.quiet);
  // `picket run` reloads on its main thread (housekeeping after SIGHUP).
  register_reload("threat lists", [store = cfg.intel, args = o.intel, config = o.delivery.config, command] {
    return reload_intel(store, args, config, command);
  });
  return 0;
}

int write_stats_json(const PipelineOptions& o, const char* command, const pipeline::PipelineStats& stats,
                     const exporter::DeliveryStats& dstats, bool atomically) {
  if (o.stats_json.empty()) return 0;
  // A running daemon rewrites the file: it writes next to it and renames,
  // so that a reader (a monitoring agent) never sees half a file.
  const std::string target = atomically ? o.stats_json + ".tmp" : o.stats_json;
  FILE* f = std::fopen(target.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "picket %s: --stats-json %s: %s\n", command, target.c_str(), std::strerror(errno));
    return 1;
  }
  const std::string js = with_delivery_json(pipeline::format_stats_json(stats), dstats);
  const bool written = std::fwrite(js.data(), 1, js.size(), f) == js.size();
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed || (atomically && std::rename(target.c_str(), o.stats_json.c_str()) != 0)) {
    std::fprintf(stderr, "picket %s: --stats-json %s: %s\n", command, o.stats_json.c_str(), std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace picket::app
