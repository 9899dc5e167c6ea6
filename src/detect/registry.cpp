// The explicit list of detectors, and their parameter values. Registration is
// a plain list on purpose: no static-initialisation order to reason about.
#include <cmath>
#include <cstdlib>

#include "picket/detect/detector.hpp"
#include "bruteforce/bruteforce_detector.hpp"
#include "baseline/baseline_detectors.hpp"
#include "beacon/beacon.hpp"
#include "dns/dns_detectors.hpp"
#include "dos/dos_detector.hpp"
#include "exfil/exfil_detector.hpp"
#include "longconn/longconn_detector.hpp"
#include "mining/mining_detector.hpp"
#include "intel/intel_detectors.hpp"
#include "scan/scan_detectors.hpp"
#include "spam/spam_detector.hpp"

namespace picket::detect {

std::vector<std::unique_ptr<Detector>> make_all_detectors() {
  std::vector<std::unique_ptr<Detector>> d;
  d.push_back(scan::make_portscan_detector());
  d.push_back(scan::make_port_sweep_detector());
  d.push_back(scan::make_inbound_portscan_detector());
  d.push_back(dns::make_dns_exfil_detector());
  d.push_back(dns::make_dga_detector());
  d.push_back(dns::make_nxdomain_storm_detector());
  d.push_back(dns::make_metadata_rebind_detector());
  d.push_back(dns::make_sinkhole_detector());
  d.push_back(intel::make_threat_intel_detector());
  d.push_back(bruteforce::make_bruteforce_detector());
  d.push_back(mining::make_bitcoin_tool_detector());
  d.push_back(dos::make_outbound_dos_detector());
  d.push_back(spam::make_spambot_detector());
  d.push_back(longconn::make_long_connection_detector());
  d.push_back(exfil::make_large_upload_detector());
  d.push_back(beacon::make_beacon_detector());
  d.push_back(baseline::make_port_unusual_detector());
  d.push_back(baseline::make_volume_unusual_detector());
  d.push_back(baseline::make_dns_resolver_unusual_detector());
  d.push_back(baseline::make_dot_unusual_detector());
  d.push_back(baseline::make_doh_unusual_detector());
  return d;
}

DetectorConfig::DetectorConfig(const std::vector<std::unique_ptr<Detector>>& detectors) : detectors_(&detectors) {
  for (const auto& d : detectors) {
    std::vector<double> v;
    for (const auto& p : d->params()) v.push_back(p.default_value);
    values_.push_back(std::move(v));
    enabled_.push_back(true);
  }
}

std::string DetectorConfig::set(const std::string& assignment) {
  const auto eq = assignment.find('=');
  const auto dot = assignment.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq)
    return "expected DETECTOR.PARAM=VALUE, got '" + assignment + "'";
  const std::string det = assignment.substr(0, dot);
  const std::string param = assignment.substr(dot + 1, eq - dot - 1);
  const std::string text = assignment.substr(eq + 1);
  for (std::size_t i = 0; i < detectors_->size(); ++i) {
    if ((*detectors_)[i]->name() != det) continue;
    const auto specs = (*detectors_)[i]->params();
    for (std::size_t j = 0; j < specs.size(); ++j) {
      if (param != specs[j].name) continue;
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !std::isfinite(v)) return "parameter " + det + "." + param + ": not a number: '" + text + "'";
      if (v < specs[j].min_value || v > specs[j].max_value)
        return "parameter " + det + "." + param + " = " + text + " is outside [" +
               std::to_string(specs[j].min_value) + ", " + std::to_string(specs[j].max_value) + "]";
      values_[i][j] = v;
      return "";
    }
    return "detector " + det + " has no parameter '" + param + "' (see picket detectors)";
  }
  return "no detector named '" + det + "' (see picket detectors)";
}

std::string DetectorConfig::disable(const std::string& name) {
  for (std::size_t i = 0; i < detectors_->size(); ++i) {
    if ((*detectors_)[i]->name() == name) {
      enabled_[i] = false;
      return "";
    }
  }
  return "no detector named '" + name + "' (see picket detectors)";
}

}  // namespace picket::detect
