#include "picket/detect/home_net.hpp"

namespace picket::detect {

HomeNet HomeNet::defaults() {
  HomeNet h;
  for (const char* c : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
                        "fc00::/7", "fe80::/10"})
    h.add(c);
  return h;
}

std::string HomeNet::add(std::string_view cidr) {
  auto c = core::Cidr::parse(cidr);
  if (!c) return "not an IPv4 or IPv6 CIDR: '" + std::string(cidr) + "'";
  ranges_.push_back(*c);
  return "";
}

bool HomeNet::contains(const core::IpAddr& a) const {
  for (const auto& r : ranges_)
    if (r.contains(a)) return true;
  return false;
}

}  // namespace picket::detect
