#pragma once
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::longconn {

std::unique_ptr<Detector> make_long_connection_detector();

}  // namespace picket::detect::longconn
