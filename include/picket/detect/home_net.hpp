#pragma once
// Which addresses are "ours". Decides local versus remote, the direction of a
// connection, and so the actor and target of a finding.
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/ip_addr.hpp"

namespace picket::detect {

class HomeNet {
 public:
  // RFC 1918, RFC 6598 CGNAT, link-local and IPv6 ULA/link-local.
  static HomeNet defaults();
  // Returns an error message for text that is not a CIDR, or "".
  std::string add(std::string_view cidr);
  bool contains(const core::IpAddr& a) const;
  const std::vector<core::Cidr>& ranges() const { return ranges_; }

 private:
  std::vector<core::Cidr> ranges_;
};

}  // namespace picket::detect
