#pragma once
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::dos {

std::unique_ptr<Detector> make_outbound_dos_detector();

}  // namespace picket::detect::dos
