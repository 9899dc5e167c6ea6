// picket sample-findings: one sample of every finding type, through the
// configured sinks, so that users can test what receives them.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "commands.hpp"
#include "picket/detect/finding.hpp"
#include "picket/export/formats.hpp"
#include "picket/export/setup.hpp"

namespace picket::app {

namespace {


struct SampleOptions {
  exporter::DeliveryArgs delivery;
  std::string account_id = "000000000000";
  std::string region = "local";
  std::string sensor = "picket";
  unsigned rounds = 1;
  double interval = 0;
  std::string stats_json;
  bool quiet = false;
};

// A plausible finding of type `t` in round `r`: documentation addresses
// (RFC 5737) for remote parties, a private address for the local host.
exporter::FindingRecord make_sample(detect::FindingType t, unsigned r, core::Nanos now) {
  using detect::ActionType;
  const detect::FindingTypeInfo& info = detect::finding_type_info(t);
  exporter::FindingRecord rec;
  detect::Finding& f = rec.f;
  f.type = t;
  f.severity = info.default_severity;
  f.local = core::IpAddr::from_v4(0x0A000000u | (10 + r % 200));                 // 10.0.0.10+
  f.remote = core::IpAddr::from_v4(0xC6336400u | (1 + r % 254));                // 198.51.100.1+
  static const std::uint16_t kPorts[] = {22, 80, 443, 3389, 445, 23, 3306, 5432, 6379, 8080};
  f.count = 1 + r % 7;
  f.first_seen = now - core::seconds(60);
  f.last_seen = now;
  std::snprintf(f.detector, sizeof(f.detector), "sample");
  switch (info.action) {
    case ActionType::kNetworkConnection:
      f.protocol = 6;
      f.direction = info.role == detect::ResourceRole::kActor ? detect::Direction::kOutbound : detect::Direction::kInbound;
      f.remote_port = kPorts[r % 10];
      f.local_port = static_cast<std::uint16_t>(40000 + r % 20000);
      break;
    case ActionType::kPortProbe:
      f.protocol = 6;
      f.direction = detect::Direction::kInbound;
      f.remote = core::IpAddr::from_v4(0xCB007100u | (1 + r % 254));            // 203.0.113.1+
      f.local_port = kPorts[r % 10];
      f.remote_port = static_cast<std::uint16_t>(50000 + r % 10000);
      for (int i = 0; i < 5; ++i) f.ports[f.port_count++] = kPorts[(r + static_cast<unsigned>(i)) % 10];
      break;
    case ActionType::kDnsRequest:
      f.protocol = 17;
      f.direction = detect::Direction::kOutbound;
      f.remote_port = 53;
      f.local_port = static_cast<std::uint16_t>(40000 + r % 20000);
      std::snprintf(f.domain, sizeof(f.domain), "sample-%u.example.com", r);
      break;
  }
  f.add_metric("sample", 1);
  f.add_metric("round", r);
  f.set_identity(f.local, f.remote, 0x53000000u | r);
  rec.count = f.count;
  rec.created_at = now;
  rec.updated_at = now;
  rec.sample = true;
  rec.top_actors.add(exporter::finding_actor(f), f.count, now);
  rec.top_targets.add(exporter::finding_target(f), f.count, now);
  return rec;
}

int run_samples(const SampleOptions& o) {
  exporter::DeliveryArgs dargs = o.delivery;
  dargs.render.account_id = o.account_id;
  dargs.render.region = o.region;
  dargs.render.detector_id = o.sensor;
  std::string err;
  auto delivery = exporter::build_delivery(dargs, err);
  if (!delivery) {
    std::fprintf(stderr, "picket sample-findings: %s\n", err.c_str());
    return 2;
  }
  const std::atomic<bool>& g_stop = install_signal_handlers();

  std::uint64_t sent = 0;
  for (unsigned r = 0; r < o.rounds && !g_stop.load(); ++r) {
    if (r && o.interval > 0) {
      // Sleep in small steps so a signal ends the wait at once.
      const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.interval);
      while (!g_stop.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(std::min(10.0, o.interval * 1000)));
      if (g_stop.load()) break;
    }
    const core::Nanos now = exporter::realtime_now();
    for (int t = 0; t < static_cast<int>(detect::FindingType::kCount); ++t) {
      delivery->publish(make_sample(static_cast<detect::FindingType>(t), r, now), exporter::ReportKind::kNew);
      ++sent;
    }
  }
  delivery->close();
  const exporter::DeliveryStats d = delivery->stats();
  if (!o.quiet) {
    std::fprintf(stderr, "picket sample-findings: %llu samples of %d types%s\n", static_cast<unsigned long long>(sent),
                 static_cast<int>(detect::FindingType::kCount), g_stop.load() ? " (interrupted)" : "");
    std::fputs(exporter::format_delivery_summary(d).c_str(), stderr);
  }
  if (!o.stats_json.empty()) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(o.stats_json.c_str(), "w"), &std::fclose);
    if (!f) {
      std::fprintf(stderr, "picket sample-findings: --stats-json %s: %s\n", o.stats_json.c_str(), std::strerror(errno));
      return 1;
    }
    const std::string js = with_delivery_json("{\"samples\":" + std::to_string(sent) + "}\n", d);
    std::fwrite(js.data(), 1, js.size(), f.get());
  }
  for (const auto& s : d.sinks)
    if (s.dropped) return 1;
  return 0;
}

}  // namespace

std::string with_delivery_json(std::string js, const exporter::DeliveryStats& d) {
  const auto close = js.rfind('}');
  if (close == std::string::npos) return js;
  const bool empty = js.find_first_not_of(" \n{", 0) == close;
  js.insert(close, std::string(empty ? "" : ",") + "\"delivery\":" + exporter::format_delivery_json(d));
  return js;
}

void add_delivery_options(CLI::App& c, exporter::DeliveryArgs& a) {
  c.add_option("--config", a.config, "TOML file with suppression rules ([[suppress]]) and sinks")->type_name("FILE");
  c.add_option("-o,--output", a.outputs,
               "Write findings as JSON lines to FILE ('-': stdout), repeatable; settings: max_size, keep, "
               "append, format=json|eventbridge, archived, min_severity, types")
      ->type_name("FILE[?SETTINGS]");
  c.add_option("--syslog", a.syslogs,
               "Send findings to syslog: udp://HOST:PORT, tcp://..., tls://... (RFC 5424), unix:///dev/log "
               "(RFC 3164); repeatable")
      ->type_name("URL[?SETTINGS]");
  c.add_option("--hook", a.hooks,
               "Run PROGRAM (a path; no shell) with each finding as JSON on stdin; settings: min_severity, types, "
               "timeout, concurrency, rate, args")
      ->type_name("PROGRAM[?SETTINGS]");
  c.add_option("--webhook", a.webhooks, "POST each finding as JSON to URL (http://, https://); format=slack for chat")
      ->type_name("URL[?SETTINGS]");
  add_geoip_options(c, a);
}

Action add_sample_findings_command(CLI::App& app) {
  auto o = std::make_shared<SampleOptions>();
  auto* c = app.add_subcommand("sample-findings",
                               "Send one sample of every finding type through the configured sinks, to test them");
  c->footer(
      "Samples have '[SAMPLE] ' titles and service.additionalInfo.sample = true, documentation addresses\n"
      "(198.51.100.0/24, 203.0.113.0/24) as remote parties, and pass the suppression rules like any finding.\n"
      "Exit status 1 if a sink dropped a sample.\n" DELIVERY_HELP);
  add_delivery_options(*c, o->delivery);
  c->add_option("--rounds", o->rounds, "Send the samples this many times, each round with new ids")
      ->capture_default_str()->check(CLI::Range(1u, 10000000u));
  c->add_option("--interval", o->interval, "Seconds between rounds")->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  c->add_option("--account-id", o->account_id, "accountId written in findings")->capture_default_str();
  c->add_option("--region", o->region, "region written in findings")->capture_default_str();
  c->add_option("--sensor-name", o->sensor, "detectorId written in findings")->capture_default_str();
  c->add_option("--stats-json", o->stats_json, "Write delivery statistics as JSON to FILE")->type_name("FILE");
  c->add_flag("-q,--quiet", o->quiet, "No summary on stderr");
  return [o] { return run_samples(*o); };
}

}  // namespace picket::app
