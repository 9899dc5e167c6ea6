#pragma once
// Flow-record and log inputs on the command line:
//   picket replay --vpc-flow-logs PATH... --resolver-logs PATH...
//   picket run --flow-listen [ADDR:]PORT ... --vpc-flow-logs-dir DIR --resolver-logs-dir DIR
// They run through the same pipeline as packets (Pipeline::run_records).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "pipeline_options.hpp"

namespace picket::app {

struct RecordOptions {
  std::vector<std::string> vpc_flow_logs, resolver_logs;       // replay: files or directories
  std::vector<std::string> flow_listen;                        // run: UDP collector sockets
  std::string vpc_follow_dir, resolver_follow_dir;             // run: directories followed for new files
  bool follow_existing = false;                                // run: read files already in those directories first
  double window = 120;                                         // lateness window, record-time seconds
  std::size_t max_exporters = 1024, max_templates = 8192;
  bool any_replay() const { return !vpc_flow_logs.empty() || !resolver_logs.empty(); }
  bool any_run() const { return !flow_listen.empty() || !vpc_follow_dir.empty() || !resolver_follow_dir.empty(); }
};

void add_record_replay_options(CLI::App& c, RecordOptions& o);
// The [flows] table of the configuration file (--config), added to `o`:
//   [flows]
//   listen = ["2055", "127.0.0.1:4739"]    # as --flow-listen
//   vpc_flow_logs_dir = "/srv/vpc"         # as --vpc-flow-logs-dir
//   resolver_logs_dir = "/srv/resolver"    # as --resolver-logs-dir
//   follow_existing = false
//   window = 120                           # as --record-window (seconds)
//   max_exporters = 1024
//   max_templates = 8192
// "" or an error naming file:line and key.
std::string load_flows_config(const std::string& path, RecordOptions& o);
void add_record_run_options(CLI::App& c, RecordOptions& o);

// Runs the pipeline over the record inputs of `o` (replay: files; run:
// collector and followed directories, until SIGINT/SIGTERM).
// `stats_interval` (run): seconds between stats lines and --stats-json rewrites, 0 = off.
int run_records(const PipelineOptions& common, const RecordOptions& o, const char* command, bool live,
                double stats_interval = 0);

}  // namespace picket::app
