#pragma once
// The delivery part of picket's configuration file (TOML): suppression
// rules ([[suppress]]) and sinks ([[output]], [[syslog]], [[hook]],
// [[webhook]]). Errors name the file, the line and the key.
#include <set>
#include <string>
#include <vector>

#include "picket/export/sinks.hpp"
#include "picket/export/suppression.hpp"

namespace picket::exporter {

struct DeliveryConfig {
  RuleSet rules;
  std::vector<SinkSpec> sinks;
};

// The top-level tables of the same file that belong to the daemon
// (`picket run --config`): capture, daemon, network, flow_table, findings,
// detectors, intel, flows. Delivery skips them.
const std::set<std::string>& daemon_sections();
std::string daemon_section_list();

// Reads `path` into `out`; returns "" or "FILE:LINE: message".
std::string load_delivery_config(const std::string& path, DeliveryConfig& out);

}  // namespace picket::exporter
