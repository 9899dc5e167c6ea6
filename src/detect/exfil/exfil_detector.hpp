#pragma once
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::exfil {

std::unique_ptr<Detector> make_large_upload_detector();

}  // namespace picket::detect::exfil
