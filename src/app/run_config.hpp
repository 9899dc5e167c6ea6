#pragma once
// `picket run`'s settings and the daemon configuration file (TOML) that
// sets them: [capture], [daemon], [network], [flow_table], [findings],
// [detectors.NAME], plus the delivery tables ([[output]], [[syslog]],
// [[hook]], [[webhook]], [[suppress]]) read by src/export/config.cpp.
// [intel] and [flows] are reserved for the threat-list and flow-record
// modules, which check them through register_config_check().
#include <functional>
#include <string>
#include <vector>

#include "picket/capture/dpdk_source.hpp"
#include "picket/capture/live_source.hpp"
#include "pipeline_options.hpp"
#include "record_options.hpp"

namespace picket::app {

struct RunSettings {
  PipelineOptions common;
  // Sources. Further kinds (flow records: --flow-listen) add their fields here.
  std::vector<std::string> interfaces;
  capture::PcapLiveOptions pcap;
  bool no_promisc = false, no_immediate = false;
  std::string dpdk_args;  // non-empty: capture through DPDK instead of libpcap
  capture::DpdkOptions dpdk;
  RecordOptions records;  // flow-record inputs: --flow-listen, --*-logs-dir, [flows]
  // Daemon.
  double stats_interval = 60;
  std::string prometheus;  // HOST:PORT of the metrics endpoint, empty: none
  std::string user;        // drop privileges to this user after opening the capture
  // The configuration file is common.delivery.config (--config): one file.
};

// One error per line: "FILE:LINE: key 'section.key': message".
using ConfigErrors = std::vector<std::string>;

// Reads the daemon sections of `path` into `out` (defaults stay where the
// file says nothing). `given(key)` tells whether the command line set the
// setting (by its config key, e.g. "capture.workers"): those are left alone.
ConfigErrors load_run_config(const std::string& path, RunSettings& out,
                             const std::function<bool(const std::string&)>& given);

// Every error of the file: the daemon sections, the delivery tables, and the
// registered checks of other modules ([intel], [flows]).
ConfigErrors check_config(const std::string& path);

// A module that owns a section registers its check: it gets the file path
// and returns its errors in the same "FILE:LINE: key '...': message" form.
void register_config_check(std::string section, std::function<ConfigErrors(const std::string& path)> check);

}  // namespace picket::app
