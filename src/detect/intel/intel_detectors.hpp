#pragma once
// The threat-list detector (src/detect/intel/README.md).
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::intel {

std::unique_ptr<Detector> make_threat_intel_detector();

}  // namespace picket::detect::intel
