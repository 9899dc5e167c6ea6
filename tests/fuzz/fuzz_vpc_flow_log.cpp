// libFuzzer target: VPC Flow Log lines. The input is a file's text: lines are
// parsed in order with one format, so header lines switch it as in a file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "picket/flowrec/vpc_flow_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  picket::flowrec::VpcFormat format = picket::flowrec::VpcFormat::default_v2();
  picket::flowrec::UniFlow u;
  std::uint64_t packets = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    bool rejected = false;
    const char* error = nullptr;
    if (picket::flowrec::parse_vpc_line(line, format, u, rejected, error) == picket::flowrec::VpcLine::kFlow)
      packets += u.packets;
  }
  return packets == 0xdeadbeef ? 1 : 0;
}
