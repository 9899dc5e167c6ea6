#pragma once
#include <CLI/CLI.hpp>

#include <atomic>

#include "picket/export/delivery.hpp"
#include "picket/export/setup.hpp"
#include "picket/intel/reloader.hpp"
#include "picket/intel/snapshot.hpp"

namespace picket::app {

// Each command adds its subcommand to the app and returns the action to run
// when it is chosen; the action returns the process exit status.
using Action = std::function<int()>;

Action add_replay_command(CLI::App& app);
Action add_detectors_command(CLI::App& app);
Action add_sample_findings_command(CLI::App& app);
Action add_intel_command(CLI::App& app);

// --threat-list, --trusted-list, --no-default-lists (intel_options.cpp): for
// every command that runs the pipeline.
struct IntelArgs {
  std::vector<std::string> threat_lists;
  std::vector<std::string> trusted_lists;
  bool no_default_lists = false;
};
void add_intel_options(CLI::App& c, IntelArgs& args);
// The lists to load: the [intel] table of the configuration file (if any),
// then the command line. Returns "" or an error naming file, line and key.
std::string make_intel_config(const IntelArgs& args, const std::string& config_path, intel::IntelConfig& out);
// Loads the lists (errors and a summary on stderr, `who` prefixing them).
std::shared_ptr<intel::IntelStore> start_intel(const intel::IntelConfig& cfg, const char* who, bool quiet);
// Rebuilds from args + config file whenever `trigger` (the SIGHUP counter) moves.
std::unique_ptr<intel::Reloader> start_intel_reloader(std::shared_ptr<intel::IntelStore> store, IntelArgs args,
                                                      std::string config_path, const std::atomic<unsigned>* trigger,
                                                      const char* who);

// --config, --output, --syslog, --hook, --webhook (replay and sample-findings).
void add_delivery_options(CLI::App& c, exporter::DeliveryArgs& args);
// SIGINT/SIGTERM set the returned flag (stop cleanly, flush everything);
// SIGHUP makes file sinks reopen their file (after logrotate moved it).
const std::atomic<bool>& install_signal_handlers();
// The stats JSON object with a "delivery" member added.
std::string with_delivery_json(std::string stats_json, const exporter::DeliveryStats& d);

#define DELIVERY_HELP                                                                                     \
  "Sinks take settings after '?', e.g. --syslog 'tls://siem:6514?ca=/etc/ca.pem&min_severity=7'; see\n" \
  "src/export/README.md for every setting, the configuration file and the suppression rules."

}  // namespace picket::app
