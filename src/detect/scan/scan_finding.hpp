#pragma once
// Building a scan finding from an episode: shared by the three scan detectors.
#include "distinct_tracker.hpp"
#include "picket/detect/finding.hpp"

namespace picket::detect::scan {

// Fills timing, evidence figures and samples; the caller sets type,
// endpoints and identity.
void fill_scan_evidence(Finding& f, const char* detector, const Episode& ep, std::size_t threshold,
                        core::Nanos window, bool values_are_ports);

// A host as a tracked value. It only speeds up comparison: the tracker also
// compares the address itself, so two hosts are never merged.
inline std::uint64_t host_value(const core::IpAddr& a) {
  std::uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | a.bytes[i];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | a.bytes[i];
  return hi ^ (lo * 0x9E3779B97F4A7C15ULL);
}

inline std::uint32_t proto_port(std::uint8_t proto, std::uint16_t port) {
  return (std::uint32_t{proto} << 16) | port;
}

}  // namespace picket::detect::scan
