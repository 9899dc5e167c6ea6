#pragma once
// Building a Delivery from the command line's sink options and the
// configuration file (shared by `picket replay` and `picket sample-findings`).
#include <memory>
#include <string>
#include <vector>

#include "picket/export/config.hpp"
#include "picket/export/delivery.hpp"
#include "picket/geoip/geoip.hpp"

namespace picket::exporter {

struct DeliveryArgs {
  std::string config;                 // --config FILE
  std::vector<std::string> outputs;   // --output FILE[?settings]
  std::vector<std::string> syslogs;   // --syslog URL[?settings]
  std::vector<std::string> hooks;     // --hook PROGRAM[?settings]
  std::vector<std::string> webhooks;  // --webhook URL[?settings]
  std::vector<std::string> geoip_dbs; // --geoip-db PATH (City, Country, ASN, ISP MMDB files)
  std::size_t geoip_cache = geoip::kDefaultCacheEntries;  // --geoip-cache ENTRIES
  RenderOptions render;
};

// Sinks of the configuration file first, then those of the command line. No
// sink at all: JSON lines to stdout. Opens the GeoIP databases. Null and an
// error on failure.
std::shared_ptr<Delivery> build_delivery(const DeliveryArgs& args, std::string& error);

}  // namespace picket::exporter
