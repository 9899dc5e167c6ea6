#pragma once
// The answer of a byte-level protocol recogniser looking at the first payload
// of one direction of a flow.
#include <cstdint>

namespace picket::proto {

enum class Recognition : std::uint8_t {
  kNo = 0,   // these bytes are not the protocol
  kYes,      // they are
  kPartial,  // what is there fits, but too few bytes to decide (a cut segment or snap length)
};

}  // namespace picket::proto
