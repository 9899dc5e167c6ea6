#pragma once
// Building a scan finding from an episode: shared by the three scan detectors.
#include "distinct_tracker.hpp"
#include "picket/detect/finding.hpp"

namespace picket::detect::scan {

// Fills timing, evidence figures and samples; the caller sets type,
// endpoints and identity.
void fill_scan_evidence(Finding& f, const char* detector, const Episode& ep, std::size_t threshold,
                        core::Nanos window, bool values_are_ports);

inline std::uint32_t proto_port(std::uint8_t proto, std::uint16_t port) {
  return (std::uint32_t{proto} << 16) | port;
}

}  // namespace picket::detect::scan
