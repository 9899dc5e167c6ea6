#include "picket/detect/trust_filter.hpp"

#include <string_view>

namespace picket::detect {

bool TrustFilter::trusted(const Finding& f) {
  picket::intel::ReadSection snap(&reader_);
  if (!snap || (snap->trusted_ips.empty() && snap->trusted_domains.empty())) return false;
  bool hit = false;
  if (!snap->trusted_ips.empty()) {
    hit = (!f.local.is_zero() && snap->trusted(f.local)) || (!f.remote.is_zero() && snap->trusted(f.remote));
    for (int i = 0; i < f.host_count && !hit; ++i) hit = snap->trusted(f.hosts[i]);
  }
  if (!hit && f.domain[0]) hit = snap->trusted(std::string_view(f.domain));
  if (hit) ++suppressed_;
  return hit;
}

}  // namespace picket::detect
