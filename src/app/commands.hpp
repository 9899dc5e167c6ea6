#pragma once
#include <CLI/CLI.hpp>

#include <atomic>

#include "picket/export/delivery.hpp"
#include "picket/export/setup.hpp"

namespace picket::app {

// Each command adds its subcommand to the app and returns the action to run
// when it is chosen; the action returns the process exit status.
using Action = std::function<int()>;

Action add_replay_command(CLI::App& app);
Action add_detectors_command(CLI::App& app);
Action add_sample_findings_command(CLI::App& app);
Action add_intel_command(CLI::App& app);
Action add_run_command(CLI::App& app);
Action add_check_config_command(CLI::App& app);

// --config, --output, --syslog, --hook, --webhook (replay and sample-findings),
// and the GeoIP options below.
void add_delivery_options(CLI::App& c, exporter::DeliveryArgs& args);
// --geoip-db PATH (repeatable) and --geoip-cache ENTRIES: enrichment of
// findings' remote addresses (src/geoip/README.md).
void add_geoip_options(CLI::App& c, exporter::DeliveryArgs& args);
// SIGINT/SIGTERM set the returned flag (stop cleanly, flush everything);
// SIGHUP makes file sinks reopen their file (after logrotate moved it).
const std::atomic<bool>& install_signal_handlers();
// SIGHUP reload. A module registers what it can reload (threat lists,
// rules); the callback runs on `picket run`'s main thread after a SIGHUP and
// returns "" or an error (the old state is then kept). Sinks reopen their
// files on SIGHUP by themselves.
using ReloadCallback = std::function<std::string()>;
void register_reload(std::string what, ReloadCallback fn);
// Runs every callback if a SIGHUP came since the last call; `log` gets one
// line per callback. Returns how many ran.
std::size_t run_reloads_if_requested(const std::function<void(const std::string&)>& log);
// The stats JSON object with a "delivery" member added.
std::string with_delivery_json(std::string stats_json, const exporter::DeliveryStats& d);

#define DELIVERY_HELP                                                                                     \
  "Sinks take settings after '?', e.g. --syslog 'tls://siem:6514?ca=/etc/ca.pem&min_severity=7'; see\n" \
  "src/export/README.md for every setting, the configuration file and the suppression rules."

}  // namespace picket::app
