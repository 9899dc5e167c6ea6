#pragma once
// Which addresses are "ours". Decides local versus remote, the direction of a
// connection, and so the actor and target of a finding.
#include <cstdint>
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
  // Each range as two 64-bit words of mask and masked base in memory byte
  // order: contains() runs for both ends of every flow and every DNS event,
  // and this makes it two loads, two ANDs and two compares per range, with
  // Cidr::contains' answer (an address matches when (address & mask) equals
  // (base & the mask widened to whole bytes)).
  struct Words {
    std::uint64_t mask[2];
    std::uint64_t value[2];
  };
  std::vector<core::Cidr> ranges_;
  std::vector<Words> words_;
};

}  // namespace picket::detect
