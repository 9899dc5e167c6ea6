#pragma once
// TrustFilter: drops findings whose actor or target is on a trusted list
// (addresses, CIDRs, domains with suffix semantics), whatever detector raised
// them. Applied once, centrally, by the exporter thread before aggregation.
#include <cstdint>

#include "picket/detect/finding.hpp"
#include "picket/intel/store.hpp"

namespace picket::detect {

class TrustFilter {
 public:
  explicit TrustFilter(picket::intel::IntelStore* store) {
    if (store) reader_ = store->reader();
  }
  // True when the finding involves a trusted party: its local host, its
  // remote host, any sampled host, or its domain.
  bool trusted(const Finding& f);
  std::uint64_t suppressed() const { return suppressed_; }

 private:
  picket::intel::IntelStore::Reader reader_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace picket::detect
