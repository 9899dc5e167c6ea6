#pragma once
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::bruteforce {

std::unique_ptr<Detector> make_bruteforce_detector();

}  // namespace picket::detect::bruteforce
