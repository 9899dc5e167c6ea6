#pragma once
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::scan {

std::unique_ptr<Detector> make_portscan_detector();
std::unique_ptr<Detector> make_port_sweep_detector();
std::unique_ptr<Detector> make_inbound_portscan_detector();

}  // namespace picket::detect::scan
