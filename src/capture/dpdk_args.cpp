// The parts of DPDK capture that need no DPDK: the symmetric key, argument
// splitting, and the stub used when picket is built without DPDK.
#include <cstring>

#include "picket/capture/dpdk_source.hpp"

namespace picket::capture {

void symmetric_rss_key(std::uint8_t* out, std::size_t len) {
  for (std::size_t i = 0; i < len; ++i) out[i] = (i % 2 == 0) ? 0x6d : 0x5a;
}

std::string split_eal_args(const std::string& text, std::vector<std::string>& out) {
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (const char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (quote) return std::string("unclosed ") + quote + " in '" + text + "'";
  if (in_word) out.push_back(cur);
  return "";
}

#ifndef PICKET_HAVE_DPDK
bool dpdk_available() { return false; }

std::unique_ptr<LiveCapture> open_dpdk(const DpdkOptions&, std::string& error) {
  error = "this picket was built without DPDK (configure with -Ddpdk=enabled and libdpdk-dev installed)";
  return nullptr;
}
#endif

}  // namespace picket::capture
