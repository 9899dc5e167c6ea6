// libFuzzer target: one Route 53 Resolver query log line (JSON).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "picket/flowrec/resolver_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picket::detect::DnsEvent ev;
  const char* error = nullptr;
  if (picket::flowrec::parse_resolver_line(std::string_view(reinterpret_cast<const char*>(data), size), ev, error)) {
    // The event must be well-formed: a terminated name of the stated length.
    if (ev.qname_len >= picket::detect::kDnsEventMaxName || ev.qname[ev.qname_len] != '\0') __builtin_trap();
    if (ev.addr_count > picket::detect::kDnsEventMaxAddrs) __builtin_trap();
  }
  return 0;
}
