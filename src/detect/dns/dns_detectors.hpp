#pragma once
// The DNS detectors (src/detect/dns/README.md).
#include <cstdint>
#include <memory>

#include "picket/detect/detector.hpp"

namespace picket::detect::dns {

std::unique_ptr<Detector> make_dns_exfil_detector();
std::unique_ptr<Detector> make_dga_detector();
std::unique_ptr<Detector> make_nxdomain_storm_detector();
std::unique_ptr<Detector> make_metadata_rebind_detector();
std::unique_ptr<Detector> make_sinkhole_detector();

// Memory figures of a dns_exfil shard (for tests and diagnostics); zeros for
// any other shard.
struct ExfilStats {
  std::uint64_t keys = 0, stored_names = 0, refused_keys = 0, refused_names = 0;
};
ExfilStats exfil_stats(const DetectorShard& shard);

}  // namespace picket::detect::dns
