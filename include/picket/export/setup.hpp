#pragma once
// Building a Delivery from the command line's sink options and the
// configuration file (shared by `picket replay` and `picket sample-findings`).
#include <memory>
#include <string>
#include <vector>

#include "picket/export/config.hpp"
#include "picket/export/delivery.hpp"

namespace picket::exporter {

struct DeliveryArgs {
  std::string config;                 // --config FILE
  std::vector<std::string> outputs;   // --output FILE[?settings]
  std::vector<std::string> syslogs;   // --syslog URL[?settings]
  std::vector<std::string> hooks;     // --hook PROGRAM[?settings]
  std::vector<std::string> webhooks;  // --webhook URL[?settings]
  RenderOptions render;
};

// Sinks of the configuration file first, then those of the command line. No
// sink at all: JSON lines to stdout. Null and an error on failure.
std::shared_ptr<Delivery> build_delivery(const DeliveryArgs& args, std::string& error);

}  // namespace picket::exporter
