#pragma once
// The per-host baseline detectors (README.md).
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::baseline {

std::unique_ptr<Detector> make_port_unusual_detector();
std::unique_ptr<Detector> make_volume_unusual_detector();
std::unique_ptr<Detector> make_dns_resolver_unusual_detector();
std::unique_ptr<Detector> make_dot_unusual_detector();
std::unique_ptr<Detector> make_doh_unusual_detector();

}  // namespace picket::detect::baseline
