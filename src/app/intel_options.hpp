#pragma once
// Threat-list options of the commands that run the pipeline (intel_options.cpp).
#include <CLI/CLI.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "picket/intel/reloader.hpp"
#include "picket/intel/snapshot.hpp"

namespace picket::app {

// --threat-list, --trusted-list, --no-default-lists.
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
// Rebuilds from args + config file and publishes: "" or why the old lists were kept.
// Keeps the old lists when none of the new ones can be read (as the replay
// reloader does).
std::string reload_intel(std::shared_ptr<intel::IntelStore> store, const IntelArgs& args,
                         const std::string& config_path, const char* who);
// A control thread that calls reload_intel whenever `trigger` (the SIGHUP
// counter) moves: for `picket replay`, whose main thread is busy reading.
std::unique_ptr<intel::Reloader> start_intel_reloader(std::shared_ptr<intel::IntelStore> store, IntelArgs args,
                                                      std::string config_path, const std::atomic<unsigned>* trigger,
                                                      const char* who);

}  // namespace picket::app
