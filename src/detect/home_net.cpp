#include "picket/detect/home_net.hpp"

#include <algorithm>
#include <cstring>

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
  // The prefix's bits, and the bits of the whole bytes it touches, byte by
  // byte; then read as words in memory order, as contains() reads addresses.
  std::uint8_t mask[16] = {}, cover[16] = {}, value[16] = {};
  const int bits = c->prefix_bits, covered = (bits + 7) / 8 * 8;
  for (int i = 0; i < 16; ++i) {
    const int in_mask = std::clamp(bits - 8 * i, 0, 8), in_cover = std::clamp(covered - 8 * i, 0, 8);
    mask[i] = static_cast<std::uint8_t>(0xff00 >> in_mask);
    cover[i] = static_cast<std::uint8_t>(0xff00 >> in_cover);
    value[i] = c->base.bytes[i] & cover[i];
  }
  Words w;
  std::memcpy(w.mask, mask, 16);
  std::memcpy(w.value, value, 16);
  words_.push_back(w);
  return "";
}

bool HomeNet::contains(const core::IpAddr& a) const {
  std::uint64_t x[2];
  std::memcpy(x, a.bytes.data(), 16);
  for (const Words& w : words_)
    if ((x[0] & w.mask[0]) == w.value[0] && (x[1] & w.mask[1]) == w.value[1]) return true;
  return false;
}

}  // namespace picket::detect
