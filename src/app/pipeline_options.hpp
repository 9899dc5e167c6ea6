#pragma once
// The options that `picket replay` and `picket run` share (detectors, home
// networks, flow table, sinks, rendering, stats), added to a command in one
// place and turned into a pipeline configuration in one place.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "picket/detect/detector.hpp"
#include "picket/export/setup.hpp"
#include "picket/pipeline/pipeline.hpp"
#include "intel_options.hpp"

namespace picket::app {

struct PipelineOptions {
  unsigned workers = 1;
  std::vector<std::string> home_nets;
  exporter::DeliveryArgs delivery;
  std::string events;
  std::string stats_json;
  std::string state_dir;
  std::vector<std::string> params;
  std::vector<std::string> disabled;
  std::vector<std::string> flow_timeouts;
  double flow_memcap_mb = 512;
  double update_interval = 300;
  std::string account_id = "000000000000";
  std::string region = "local";
  std::string sensor = "picket";
  bool quiet = false;
  IntelArgs intel;  // --threat-list, --trusted-list, --no-default-lists
  // Options of further modules (threat lists, geolocation, flow records)
  // belong here, each set added by its module's add_*_options() call in
  // add_pipeline_options().
};

// Default worker count: cores - 1, at least 1.
unsigned default_workers();

// Adds every shared option to `c` (--workers, --home-net, sinks, --param, ...).
void add_pipeline_options(CLI::App& c, PipelineOptions& o);

// Everything a pipeline needs, built from the options.
struct PreparedPipeline {
  std::vector<std::unique_ptr<detect::Detector>> detectors;
  std::unique_ptr<detect::DetectorConfig> detector_config;
  pipeline::PipelineConfig config;
  std::shared_ptr<exporter::Delivery> delivery;
  std::unique_ptr<FILE, int (*)(FILE*)> events{nullptr, &std::fclose};
};

// Builds detectors, delivery and pipeline configuration. On error prints
// "picket COMMAND: ..." and returns the exit status (2 usage, 1 runtime);
// returns 0 on success.
int prepare_pipeline(const PipelineOptions& o, const char* command, PreparedPipeline& out);

// "CLASS=SECONDS" for one of the flow table's timeout classes: "" or an error.
std::string set_flow_timeout(flow::FlowTimeouts& t, const std::string& text);

// Writes the run's stats (with delivery figures) to o.stats_json if set;
// returns 0 or 1 (and prints why). `atomically`: write a temporary file and
// rename it over the target (for files rewritten while picket runs).
int write_stats_json(const PipelineOptions& o, const char* command, const pipeline::PipelineStats& stats,
                     const exporter::DeliveryStats& dstats, bool atomically = false);

}  // namespace picket::app
