#pragma once
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::mining {

std::unique_ptr<Detector> make_bitcoin_tool_detector();

}  // namespace picket::detect::mining
