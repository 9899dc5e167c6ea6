#pragma once
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::spam {

std::unique_ptr<Detector> make_spambot_detector();

}  // namespace picket::detect::spam
